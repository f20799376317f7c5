#Requires -Version 5.1
# Pester 5 suite for Invoke-DefenderHuntingQuery and Invoke-DefenderApiRequest against a small fake that this file
# starts on localhost (System.Net.HttpListener in a background runspace): the Defender API's advanced hunting, Graph's
# runHuntingQuery and a paged /api/machines. Every behaviour here is also covered by the dotnet tests
# (tests/MdApiTokens.Module.Tests/Defender: InvokeDefenderHuntingQueryTests, InvokeDefenderApiRequestTests,
# HuntingThrottleLimitTests). No request ever leaves the machine.

BeforeAll {
    $manifest = if ($env:MDAPITOKENS_MODULE_MANIFEST) { $env:MDAPITOKENS_MODULE_MANIFEST }
    else {
        $published = Get-ChildItem -Path (Join-Path $PSScriptRoot '../../out/MdApiTokens/*/MdApiTokens.psd1') -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($published) { $published.FullName } else { Join-Path $PSScriptRoot '../../src/MdApiTokens/bin/Debug/netstandard2.0/MdApiTokens.psd1' }
    }
    Import-Module $manifest -Force -ErrorAction Stop

    function New-TestJwt([string] $TenantId, [string] $Audience = 'https://api.security.microsoft.com') {
        $encode = { param($text) [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($text)).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
        $payload = '{"aud":"' + $Audience + '","tid":"' + $TenantId + '","exp":4070908800,"roles":["AdvancedHunting.Read.All"]}'
        (& $encode '{"typ":"JWT","alg":"none"}') + '.' + (& $encode $payload) + '.c2ln'
    }

    # The fake answers POST /api/advancedhunting/run (Schema/Results/Stats, Dynamic as JSON text), POST
    # /v1.0/security/runHuntingQuery (schema/results, Dynamic nested), a 400 for a query containing 'syntax error',
    # a CPU-quota 429 for a query containing 'expensive', and GET /api/machines in three pages linked by nextLink.
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
            param($listener, $requests, $api)
            while ($listener.IsListening) {
                try { $context = $listener.GetContext() } catch { break }
                $request = $context.Request
                $body = ''
                if ($request.HasEntityBody) { $body = [IO.StreamReader]::new($request.InputStream).ReadToEnd() }
                $null = $requests.Add("$($request.HttpMethod) $($request.Url.PathAndQuery)")
                $status = 200
                $path = $request.Url.AbsolutePath
                if ($path -eq '/api/machines') {
                    $page = [int]$request.QueryString['page']
                    $next = if ($page -lt 2) { ',"@odata.nextLink":"' + $api + '/api/machines?page=' + ($page + 1) + '"' } else { '' }
                    $answer = '{"value":[{"id":"m' + ($page * 2 + 1) + '"},{"id":"m' + ($page * 2 + 2) + '"}]' + $next + '}'
                }
                elseif ($body -like '*syntax error*') {
                    $status = 400
                    $answer = '{"error":{"code":"BadRequest","message":"Query could not be parsed at ''error'' on line [1,18]","target":"t-1"}}'
                }
                elseif ($body -like '*expensive*') {
                    $status = 429
                    $context.Response.AddHeader('Retry-After', '2220')
                    $answer = '{"error":{"code":"TooManyRequests","message":"You have exceeded the CPU resources allotted to your tenant. You can run queries again in 37 minutes.","target":"t-2"}}'
                }
                elseif ($path -eq '/v1.0/security/runHuntingQuery') {
                    $answer = '{"schema":[{"name":"Timestamp","type":"DateTime"},{"name":"Count","type":"Long"},{"name":"Extra","type":"Dynamic"}],"results":[{"Timestamp":"2026-01-10T12:00:00Z","Count":5000000000,"Extra":{"Port":443}}]}'
                }
                else {
                    $answer = '{"Stats":{"ExecutionTime":0.125},"Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"Count","Type":"Long"},{"Name":"Extra","Type":"Dynamic"}],"Results":[{"Timestamp":"2026-01-10T12:00:00Z","Count":5000000000,"Extra":"{\"Port\":443}"}]}'
                }
                $bytes = [Text.Encoding]::UTF8.GetBytes($answer)
                $context.Response.StatusCode = $status
                $context.Response.ContentType = 'application/json'
                $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $context.Response.Close()
            }
        }).AddArgument($script:listener).AddArgument($script:requests).AddArgument($script:api)
        $script:serverRun = $script:server.BeginInvoke()
    }

    $script:tenants = 'aaaaaaaa-0000-0000-0000-00000000000a', 'bbbbbbbb-0000-0000-0000-00000000000b', 'cccccccc-0000-0000-0000-00000000000c'
}

AfterAll {
    if ($script:listener) { $script:listener.Stop(); $script:listener.Close() }
    if ($script:server) { $script:server.Dispose() }
}

Describe 'Invoke-DefenderHuntingQuery' {
    BeforeEach {
        $script:requests.Clear()
    }

    It 'returns typed rows labelled with each of three tenants through the Defender API' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $rows = $script:tenants | ForEach-Object { [pscustomobject]@{ AccessToken = New-TestJwt $_ } } |
            Invoke-DefenderHuntingQuery -Query 'DeviceInfo | take 1' -ApiUri $script:api -ThrottleLimit 1

        $rows.TenantId | Should -Be $script:tenants
        $rows[0].Timestamp | Should -BeOfType [datetime]
        $rows[0].Count | Should -BeOfType [long]
        $rows[0].Extra.Port | Should -Be 443
        $script:requests | Should -Be @('POST /api/advancedhunting/run', 'POST /api/advancedhunting/run', 'POST /api/advancedhunting/run')
    }

    It 'returns the same rows through Microsoft Graph when the token is for Graph' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $rows = $script:tenants | ForEach-Object { [pscustomobject]@{ AccessToken = New-TestJwt $_ 'https://graph.microsoft.com' } } |
            Invoke-DefenderHuntingQuery -Query 'DeviceInfo | take 1' -GraphUri $script:api -Timespan ([timespan]'7.00:00:00') -ThrottleLimit 1

        $rows.TenantId | Should -Be $script:tenants
        $rows[2].Extra.Port | Should -Be 443
        $script:requests[0] | Should -Be 'POST /v1.0/security/runHuntingQuery'
    }

    It 'works on piped tenants side by side and writes every tenant''s rows' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $rows = $script:tenants | ForEach-Object { [pscustomobject]@{ AccessToken = New-TestJwt $_ } } |
            Invoke-DefenderHuntingQuery -Query 'DeviceInfo | take 1' -ApiUri $script:api -ThrottleLimit 3

        $rows.TenantId | Sort-Object | Should -Be $script:tenants
        $script:requests.Count | Should -Be 3
    }

    It 'keeps the statistics on the result set, not on the rows' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $set = Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $script:api -AccessToken (New-TestJwt $script:tenants[0]) -AsResultSet

        $set.RowCount | Should -Be 1
        $set.ExecutionTime.TotalSeconds | Should -Be 0.125
        $set.Rows[0].PSObject.Properties.Name | Should -Be @('TenantId', 'Timestamp', 'Count', 'Extra')
    }

    It 'shows the API''s message for a query error and points at the query' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        { Invoke-DefenderHuntingQuery -Query 'DeviceInfo | syntax error' -ApiUri $script:api -AccessToken (New-TestJwt $script:tenants[0]) -ErrorAction Stop } |
            Should -Throw -ErrorId 'DefenderHuntingQueryInvalid,*' -ExpectedMessage '*could not be parsed*'
    }

    It 'reports a used-up CPU quota with the time to come back' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        Invoke-DefenderHuntingQuery -Query 'expensive' -ApiUri $script:api -AccessToken (New-TestJwt $script:tenants[0]) -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DefenderHuntingQuotaExceeded,*'
        $failures[0].ErrorDetails.Message | Should -BeLike '*CPU resources*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*Try again after*'
    }
}

Describe 'Invoke-DefenderApiRequest' {
    BeforeEach {
        $script:requests.Clear()
    }

    It 'streams the items of three pages with -All' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        $items = Invoke-DefenderApiRequest -Path api/machines -All -ApiUri $script:api -AccessToken (New-TestJwt $script:tenants[0])

        $items.id | Should -Be @('m1', 'm2', 'm3', 'm4', 'm5', 'm6')
        $script:requests.Count | Should -Be 3
    }

    It 'refuses an absolute -Uri off the Defender hosts before sending the token' {
        { Invoke-DefenderApiRequest -Uri 'https://evil.example.com/api/machines' -AccessToken (New-TestJwt 'x') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DefenderApiRequestHostNotAllowed,*'
    }

    It 'sends nothing with -WhatIf' {
        if ($script:fakeError) { Set-ItResult -Skipped -Because $script:fakeError }
        Invoke-DefenderApiRequest -Method Post -Path api/machines/m1/isolate -Body @{ Comment = 'test' } -ApiUri $script:api -AccessToken (New-TestJwt 'x') -WhatIf

        $script:requests.Count | Should -Be 0
    }
}
