#Requires -Version 5.1
# Pester 5 suite for Get-DefenderIncident / Set-DefenderIncident against a small fake of the incidents API that this
# file starts on localhost (System.Net.HttpListener in a background runspace). Every behaviour here is also covered by
# the dotnet tests (tests/MdApiTokens.Module.Tests/Defender). No request ever leaves the machine.

BeforeAll {
    $manifest = if ($env:MDAPITOKENS_MODULE_MANIFEST) { $env:MDAPITOKENS_MODULE_MANIFEST }
    else {
        $published = Get-ChildItem -Path (Join-Path $PSScriptRoot '../../out/MdApiTokens/*/MdApiTokens.psd1') -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($published) { $published.FullName } else { Join-Path $PSScriptRoot '../../src/MdApiTokens/bin/Debug/netstandard2.0/MdApiTokens.psd1' }
    }
    Import-Module $manifest -Force -ErrorAction Stop

    function New-TestJwt([string] $TenantId) {
        $encode = { param($text) [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($text)).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
        $payload = '{"aud":"https://api.security.microsoft.com","tid":"' + $TenantId + '","exp":4070908800,"roles":["Incident.Read.All"]}'
        (& $encode '{"typ":"JWT","alg":"none"}') + '.' + (& $encode $payload) + '.c2ln'
    }

    # The fake: five incidents (ids 5..1, severities cycling High, Low), $top/$skip paging without nextLink, a
    # "status eq 'X'" filter, 401 unless the bearer token is $script:token, and a log of what it was asked.
    $script:tenant = 'aaaaaaaa-0000-0000-0000-00000000000a'
    $script:token = New-TestJwt $script:tenant
    $script:requests = [System.Collections.ArrayList]::Synchronized([System.Collections.ArrayList]::new())
    $script:fakeError = $null
    try {
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $script:listener = [System.Net.HttpListener]::new()
        $script:listener.Prefixes.Add("http://localhost:$port/")
        $script:listener.Start()
        $script:api = "http://localhost:$port"
    }
    catch {
        $script:fakeError = "cannot listen on localhost: $($_.Exception.Message)"
    }

    if (-not $script:fakeError) {
        $script:server = [powershell]::Create()
        $null = $script:server.AddScript({
            param($listener, $requests, $token)
            $incidents = foreach ($id in 5..1) {
                @{ incidentId = $id; incidentName = "Incident $id"; status = 'Active'; severity = @('Low', 'High')[$id % 2]
                   lastUpdateTime = '2026-01-10T12:00:00Z'; createdTime = '2026-01-10T11:00:00Z'; tags = @(); comments = @(); alerts = @() }
            }
            while ($listener.IsListening) {
                try { $context = $listener.GetContext() } catch { break }
                $request = $context.Request
                $null = $requests.Add("$($request.HttpMethod) $($request.Url.PathAndQuery)")
                $status = 200
                if ($request.Headers['Authorization'] -ne "Bearer $token") {
                    $status = 401
                    $body = '{"error":{"code":"Unauthorized","message":"Unauthorized","target":"t-1"}}'
                }
                else {
                    $filter = $request.QueryString['$filter']
                    $top = [int]$request.QueryString['$top']; if (-not $top) { $top = 100 }
                    $skip = [int]$request.QueryString['$skip']
                    $matching = @($incidents | Where-Object { -not $filter -or $filter -eq "status eq '$($_.status)'" })
                    $page = @($matching | Select-Object -Skip $skip -First $top)
                    $body = '{"value":[' + (($page | ForEach-Object { ConvertTo-Json $_ -Compress -Depth 5 }) -join ',') + ']}'
                }
                $bytes = [Text.Encoding]::UTF8.GetBytes($body)
                $context.Response.StatusCode = $status
                $context.Response.ContentType = 'application/json'
                $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $context.Response.Close()
            }
        }).AddArgument($script:listener).AddArgument($script:requests).AddArgument($script:token)
        $script:serverRun = $script:server.BeginInvoke()
    }
}

AfterAll {
    if ($script:listener) { $script:listener.Stop(); $script:listener.Close() }
    if ($script:server) { $script:server.Dispose() }
}

Describe 'Get-DefenderIncident' {
    BeforeEach {
        $script:requests.Clear()
    }

    It 'lists every page in order and labels each incident with the tenant of the token' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $incidents = Get-DefenderIncident -ApiUri $script:api -AccessToken $script:token -Top 2

        $incidents.IncidentId | Should -Be @(5, 4, 3, 2, 1)
        $incidents.TenantId | Select-Object -Unique | Should -Be $script:tenant
        $script:requests.Count | Should -Be 3
    }

    It 'sends -Status as a filter and keeps -Severity on the client' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $incidents = Get-DefenderIncident -ApiUri $script:api -AccessToken $script:token -Status Active -Severity High

        $incidents.IncidentId | Should -Be @(5, 3, 1)
        [uri]::UnescapeDataString($script:requests[0]) | Should -BeLike '*$filter=status eq ''Active''*'
    }

    It 'takes the token object Get-PartnerAccessToken returns from the pipeline' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $partner = [pscustomobject]@{ AccessToken = $script:token; TenantId = $script:tenant }

        ($partner | Get-DefenderIncident -ApiUri $script:api -First 1).IncidentId | Should -Be 5
    }

    It 'works on piped tenants side by side and a failing one does not stop the others' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $tokens = @(
            [pscustomobject]@{ AccessToken = $script:token }
            [pscustomobject]@{ AccessToken = (New-TestJwt 'another-tenant') }
            [pscustomobject]@{ AccessToken = $script:token }
        )

        $incidents = $tokens | Get-DefenderIncident -ApiUri $script:api -ThrottleLimit 3 -ErrorVariable failures -ErrorAction SilentlyContinue

        $incidents.Count | Should -Be 10
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DefenderAuthenticationFailed,*'
    }

    It 'reports a rejected token as DefenderAuthenticationFailed' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $incidents = Get-DefenderIncident -ApiUri $script:api -AccessToken (New-TestJwt 'another-tenant') -ErrorVariable failures -ErrorAction SilentlyContinue

        $incidents | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DefenderAuthenticationFailed,*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*Test-AccessToken*'
    }
}

Describe 'Safety' {
    It 'never sends a bearer token over plain http to a remote host' {
        { Get-DefenderIncident -ApiUri 'http://api.security.microsoft.com' -AccessToken (New-TestJwt 'x') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DefenderInsecureApiUri,*'
    }
}

Describe 'Set-DefenderIncident' {
    BeforeEach {
        $script:requests.Clear()
    }

    It 'sends nothing with -WhatIf' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        Set-DefenderIncident -ApiUri $script:api -AccessToken $script:token -IncidentId 5 -Status Resolved -WhatIf

        $script:requests.Count | Should -Be 0
    }

    It 'refuses a determination that does not fit the classification before any request' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        { Set-DefenderIncident -ApiUri $script:api -AccessToken $script:token -IncidentId 5 -Classification FalsePositive -Determination Malware -ErrorAction Stop } |
            Should -Throw -ErrorId 'DefenderIncidentUpdateInvalid,*'
        $script:requests.Count | Should -Be 0
    }
}
