# Pester 5: the API token lifecycle as it runs on a user's machine (./build.ps1 -Task Test runs it where Pester 5 is
# installed). Every behaviour checked here is also covered by the xunit tests in tests/MdApiTokens.Module.Tests, which
# run without pwsh; ScriptFileTests there keeps this file parseable.

BeforeAll {
    $repoRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    $manifest = $env:MDAPITOKENS_MODULE_MANIFEST
    if (-not $manifest) {
        $manifest = Get-ChildItem -Path (Join-Path $repoRoot 'out/MdApiTokens/*/MdApiTokens.psd1') -ErrorAction SilentlyContinue |
            Sort-Object { [version] $_.Directory.Name } -Descending |
            Select-Object -First 1 -ExpandProperty FullName
    }
    if (-not $manifest) {
        $manifest = Join-Path $repoRoot 'src/MdApiTokens/bin/Debug/netstandard2.0/MdApiTokens.psd1'
    }
    Import-Module $manifest -Force -ErrorAction Stop

    # The module's internal per-runspace test hook (ModuleServices.SetOverride), reached by reflection as the xunit
    # tests do. It is not a public interface. 'Now' takes a [Func[DateTimeOffset]], 'Caller' a [Func[string]];
    # $null restores the real clock or account.
    function Set-ApiTokenTestHook {
        param(
            [Parameter(Mandatory)] [ValidateSet('Now', 'Caller')] [string] $Key,
            [AllowNull()] [object] $Value
        )
        $assembly = @(Get-Module MdApiTokens)[0].ImplementingAssembly
        $services = $assembly.GetType('MdApiTokens.Commands.ModuleServices', $true)
        $method = $services.GetMethod('SetOverride', [System.Reflection.BindingFlags] 'Static, Public, NonPublic')
        $null = $method.Invoke($null, @([runspace]::DefaultRunspace, $Key, $Value))
    }

    function Set-TestClock([DateTimeOffset] $At) {
        Set-ApiTokenTestHook -Key Now -Value ([Func[DateTimeOffset]] ({ $At }.GetNewClosure()))
    }

    function Set-TestCaller([string] $Name) {
        Set-ApiTokenTestHook -Key Caller -Value ([Func[string]] ({ $Name }.GetNewClosure()))
    }

    function Reset-ApiTokenTestHook {
        Set-ApiTokenTestHook -Key Now -Value $null
        Set-ApiTokenTestHook -Key Caller -Value $null
    }

    function Get-StoreFileHash([string] $Store) {
        (Get-FileHash -LiteralPath (Join-Path $Store 'tokens.json') -Algorithm SHA256).Hash
    }
}

AfterAll {
    Reset-ApiTokenTestHook
}

Describe 'API token lifecycle' {
    BeforeAll {
        $start = [DateTimeOffset]::new(2026, 2, 2, 8, 0, 0, [TimeSpan]::Zero)
    }

    BeforeEach {
        # A store of its own for every test, so that no test depends on another.
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        Set-TestClock $start
        $issued = New-ApiToken -Name 'siem-connector' -Permission ReadAlerts, ReadActivities -StorePath $store
    }

    AfterEach {
        Reset-ApiTokenTestHook
    }

    It 'shows the value once, in the mdat_ format, and lists the token without it' {
        $issued.Token | Should -Match '^mdat_[0-9A-Za-z]{49}$'
        $listed = Get-ApiToken -Name 'siem-connector' -StorePath $store
        $listed.Id | Should -Be $issued.Id
        $listed.PSObject.Properties.Name | Should -Not -Contain 'Token'
    }

    It 'is Generated before first use and Active after a successful check' {
        (Get-ApiToken -Id $issued.Id -StorePath $store).Status | Should -Be 'Generated'
        Test-ApiToken -Token $issued.Token -StorePath $store | Should -BeTrue
        (Get-ApiToken -Id $issued.Id -StorePath $store).Status | Should -Be 'Active'
    }

    It 'is Inactive once the clock moves past 7 days without use' {
        Test-ApiToken -Token $issued.Token -StorePath $store | Should -BeTrue
        Set-TestClock $start.AddDays(7).AddMinutes(1)
        (Get-ApiToken -Id $issued.Id -StorePath $store).Status | Should -Be 'Inactive'
        Get-ApiToken -Status Inactive -StorePath $store | Should -HaveCount 1
    }

    It 'fails validation at once after it is revoked' {
        Test-ApiToken -Token $issued.Token -StorePath $store | Should -BeTrue
        Revoke-ApiToken -Id $issued.Id -StorePath $store -Confirm:$false
        Test-ApiToken -Token $issued.Token -StorePath $store | Should -BeFalse
        Get-ApiToken -StorePath $store | Should -BeNullOrEmpty
    }

    It 'is reported as Revoked when presented again, listed with -IncludeRevoked and audited' {
        Revoke-ApiToken -Id $issued.Id -StorePath $store -Confirm:$false
        (Test-ApiToken -Token $issued.Token -StorePath $store -Detailed).Reason | Should -Be 'Revoked'
        (Get-ApiToken -IncludeRevoked -StorePath $store).Status | Should -Be 'Revoked'
        Get-ApiTokenAuditLog -Action RevokedTokenPresented -StorePath $store | Should -HaveCount 1
    }

    It 'numbers audit entries so an export resumes after the last one it read' {
        $last = (Get-ApiTokenAuditLog -StorePath $store)[-1].Sequence
        Revoke-ApiToken -Id $issued.Id -StorePath $store -Confirm:$false
        $next = Get-ApiTokenAuditLog -AfterSequence $last -StorePath $store
        $next.Sequence | Should -Be ($last + 1)
        $next.Action | Should -Be 'TokenRevoked'
    }

    It 'never writes the value to any file of the store' {
        Test-ApiToken -Token $issued.Token -StorePath $store | Should -BeTrue
        foreach ($file in Get-ChildItem -LiteralPath $store -File) {
            Get-Content -LiteralPath $file.FullName -Raw | Should -Not -Match $issued.Token
        }
    }
}

Describe '-WhatIf' {
    BeforeAll {
        $store = Join-Path $TestDrive 'whatif'
        $existing = New-ApiToken -Name 'existing' -StorePath $store
    }

    It 'changes nothing in an existing store' {
        $before = Get-StoreFileHash $store
        New-ApiToken -Name 'new' -StorePath $store -WhatIf | Should -BeNullOrEmpty
        Revoke-ApiToken -Id $existing.Id -StorePath $store -WhatIf
        Grant-ApiTokenRole -User 'someone' -Role SecurityReader -StorePath $store -WhatIf | Should -BeNullOrEmpty
        Set-ApiTokenStore -TenantUrl 'https://contoso.portal.cloudappsecurity.com' -StorePath $store -WhatIf
        Get-StoreFileHash $store | Should -Be $before
        (Get-ApiToken -StorePath $store).Name | Should -Be 'existing'
    }

    It 'creates no store' {
        $missing = Join-Path $TestDrive 'not-created'
        New-ApiToken -Name 'new' -StorePath $missing -WhatIf
        Initialize-ApiTokenStore -StorePath $missing -WhatIf
        $missing | Should -Not -Exist
    }
}

Describe 'A security reader' {
    BeforeAll {
        $store = Join-Path $TestDrive 'roles'
        Set-TestCaller 'pester-admin'
        Initialize-ApiTokenStore -StorePath $store
        Grant-ApiTokenRole -User 'pester-reader' -Role SecurityReader -StorePath $store -Confirm:$false
        Set-TestCaller 'pester-reader'
    }

    AfterAll {
        Reset-ApiTokenTestHook
    }

    It 'cannot create a token that can change data' {
        $before = Get-StoreFileHash $store
        { New-ApiToken -Name 'too-much' -Permission ReadAlerts, DismissAlerts -StorePath $store } |
            Should -Throw -ErrorId 'ApiTokenPermissionDenied,*'
        Get-StoreFileHash $store | Should -Be $before
    }

    It 'gets a read-only token by default' {
        $token = New-ApiToken -Name 'reader-default' -StorePath $store
        $token.Permissions -join ',' | Should -Be 'ReadActivities,ReadAlerts,ReadPolicyReports'
    }
}

Describe 'A corrupt store' {
    BeforeAll {
        $store = Join-Path $TestDrive 'corrupt'
        $issued = New-ApiToken -Name 'before-corruption' -StorePath $store
        Set-Content -LiteralPath (Join-Path $store 'tokens.json') -Value '{ "schemaVersion": 1, "tokens": [' -NoNewline
    }

    It 'is reported as ApiTokenStoreCorrupt and left byte-for-byte as it was' {
        $before = Get-StoreFileHash $store
        { Get-ApiToken -StorePath $store } | Should -Throw -ErrorId 'ApiTokenStoreCorrupt,*'
        { New-ApiToken -Name 'after' -StorePath $store } | Should -Throw -ErrorId 'ApiTokenStoreCorrupt,*'
        { Test-ApiToken -Token $issued.Token -StorePath $store } | Should -Throw -ErrorId 'ApiTokenStoreCorrupt,*'
        { Revoke-ApiToken -Name 'before-corruption' -StorePath $store -Confirm:$false } |
            Should -Throw -ErrorId 'ApiTokenStoreCorrupt,*'
        Get-StoreFileHash $store | Should -Be $before
    }
}
