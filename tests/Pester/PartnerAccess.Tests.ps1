#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Partner access without a network: the consent link, Test-AccessToken on tokens minted here, and the checks
# Get-PartnerAccessToken makes before it sends anything. Token requests against a fake identity platform are covered
# by the dotnet module tests (tests/MdApiTokens.Module.Tests/PartnerAccess).

BeforeAll {
    $manifest = if ($env:MDAPITOKENS_MODULE_MANIFEST) {
        $env:MDAPITOKENS_MODULE_MANIFEST
    }
    else {
        $published = Get-ChildItem -Path (Join-Path $PSScriptRoot '../../out/MdApiTokens/*/MdApiTokens.psd1') -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($published) { $published.FullName } else { Join-Path $PSScriptRoot '../../src/MdApiTokens/bin/Debug/netstandard2.0/MdApiTokens.psd1' }
    }
    Import-Module $manifest -Force -ErrorAction Stop

    function ConvertTo-Base64Url([byte[]] $Bytes) {
        [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
    }

    function New-TestJwt([hashtable] $Claims, [System.Security.Cryptography.RSA] $Key) {
        $header = ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes((@{ alg = 'RS256'; typ = 'JWT'; kid = 'pester-key' } | ConvertTo-Json -Compress)))
        $payload = ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes(($Claims | ConvertTo-Json -Compress)))
        $signature = $Key.SignData([Text.Encoding]::ASCII.GetBytes("$header.$payload"), [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
        "$header.$payload.$(ConvertTo-Base64Url $signature)"
    }

    function New-TestClaims([string] $TenantId, [string[]] $Roles, [datetimeoffset] $IssuedAt = [datetimeoffset]::UtcNow) {
        @{
            aud   = 'https://api.security.microsoft.com'
            iss   = "https://sts.windows.net/$TenantId/"
            tid   = $TenantId
            appid = '11111111-2222-3333-4444-555555555555'
            roles = $Roles
            ver   = '1.0'
            iat   = $IssuedAt.ToUnixTimeSeconds()
            nbf   = $IssuedAt.ToUnixTimeSeconds()
            exp   = $IssuedAt.AddHours(1).ToUnixTimeSeconds()
        }
    }

    $script:appId = '3f1d2c4b-5a69-4870-9abc-def012345678'
    $script:tenantId = '6f2b1a3c-0d4e-4f5a-9b8c-7d6e5f4a3b2c'
}

Describe 'Get-PartnerConsentLink' {
    It 'gives the documented admin-consent link for the application' {
        "$(Get-PartnerConsentLink -ClientId $appId)" |
            Should -Be "https://login.microsoftonline.com/common/oauth2/authorize?prompt=consent&client_id=$appId&response_type=code&sso_reload=true"
    }

    It 'points GCC High customers at login.microsoftonline.us' {
        (Get-PartnerConsentLink -ClientId $appId -TenantId $tenantId -Cloud USGovHigh).Uri.Host | Should -Be 'login.microsoftonline.us'
    }
}

Describe 'Test-AccessToken' {
    BeforeAll {
        $script:key = [System.Security.Cryptography.RSA]::Create(2048)
        $script:token = New-TestJwt -Claims (New-TestClaims -TenantId $tenantId -Roles 'Incident.Read.All') -Key $key
    }

    AfterAll {
        $key.Dispose()
    }

    It 'is true for a current token with the required role, tenant and audience when only the claims are checked' {
        Test-AccessToken -AccessToken $token -RequiredRole Incident.Read.All -TenantId $tenantId -SkipSignatureCheck | Should -BeTrue
        (Test-AccessToken -AccessToken $token -SkipSignatureCheck -Detailed).SignatureVerified | Should -BeFalse
    }

    It 'is never true for an unsigned token, even when the signature check is skipped' {
        $parts = $token.Split('.')
        $unsigned = (ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes('{"alg":"none"}'))) + '.' + $parts[1] + '.'
        Test-AccessToken -AccessToken $unsigned -SkipSignatureCheck | Should -BeFalse
    }

    It 'is false and names the Roles check when a role is missing' {
        Test-AccessToken -AccessToken $token -RequiredRole Incident.ReadWrite.All -SkipSignatureCheck | Should -BeFalse
        (Test-AccessToken -AccessToken $token -RequiredRole Incident.ReadWrite.All -SkipSignatureCheck -Detailed).FailedChecks | Should -Be 'Roles'
    }

    It 'is false and names the Expiry check for an expired token' {
        $expired = New-TestJwt -Claims (New-TestClaims -TenantId $tenantId -Roles 'Incident.Read.All' -IssuedAt ([datetimeoffset]::UtcNow.AddHours(-2))) -Key $key
        (Test-AccessToken -AccessToken $expired -SkipSignatureCheck -Detailed).FailedChecks | Should -Be 'Expiry'
    }

    It 'is false with the Format check failed for malformed input, never an exception' {
        foreach ($bad in '', 'not-a-jwt', 'a.b', '!!!.???.###') {
            (Test-AccessToken -AccessToken $bad -Detailed).FailedChecks | Should -Be 'Format'
        }
    }

    It 'verifies the signature against a key set file' {
        $parameters = $key.ExportParameters($false)
        $jwks = @{ keys = @(@{ kty = 'RSA'; use = 'sig'; kid = 'pester-key'; n = (ConvertTo-Base64Url $parameters.Modulus); e = (ConvertTo-Base64Url $parameters.Exponent) }) }
        $path = Join-Path $TestDrive 'keys.json'
        $jwks | ConvertTo-Json -Depth 5 | Set-Content -Path $path

        (Test-AccessToken -AccessToken $token -JwksPath $path -Detailed).SignatureVerified | Should -BeTrue
    }

    It 'reads a token file' {
        $path = Join-Path $TestDrive 'Latest-token.txt'
        Set-Content -Path $path -Value $token
        Test-AccessToken -Path $path -TenantId $tenantId -SkipSignatureCheck | Should -BeTrue
    }
}

Describe 'Get-PartnerAccessToken checks before it sends anything' {
    It 'offers -AsSecureString, whose output every token-taking cmdlet accepts' {
        (Get-Command Get-PartnerAccessToken).Parameters.ContainsKey('AsSecureString') | Should -BeTrue
        (Get-Command Get-PartnerAccessToken).OutputType.Name | Should -Contain 'MdApiTokens.Core.PartnerAccess.SecurePartnerAccessToken'
    }

    BeforeAll {
        $script:secret = ConvertTo-SecureString -String 'not-a-real-secret' -AsPlainText -Force
    }

    It 'refuses an authority host that is not https' {
        { Get-PartnerAccessToken -TenantId $tenantId -ClientId $appId -ClientSecret $secret -AuthorityHost 'http://127.0.0.1:1' -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerAuthorityHostInvalid*'
    }

    It 'refuses common as a tenant' {
        { Get-PartnerAccessToken -TenantId common -ClientId $appId -ClientSecret $secret -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerTenantIdInvalid*'
    }

    It 'reports a missing PFX file' {
        { Get-PartnerAccessToken -TenantId $tenantId -ClientId $appId -CertificatePath (Join-Path $TestDrive 'none.pfx') -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerCertificateNotFound*'
    }
}

Describe 'Get-PartnerAccessToken without secrets' {
    BeforeAll {
        $script:saved = @{}
        foreach ($name in 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID') {
            $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
        }
    }

    AfterEach {
        foreach ($name in $script:saved.Keys) {
            [Environment]::SetEnvironmentVariable($name, $script:saved[$name])
        }
    }

    It 'reports a missing federated token file before any request' {
        { Get-PartnerAccessToken -TenantId $tenantId -ClientId $appId -FederatedTokenFile (Join-Path $TestDrive 'none.jwt') -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerFederatedTokenFileNotFound*'
    }

    It 'reports an empty federated token file' {
        $path = Join-Path $TestDrive 'empty.jwt'
        Set-Content -Path $path -Value ''
        { Get-PartnerAccessToken -TenantId $tenantId -ClientId $appId -FederatedTokenFile $path -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerFederatedTokenFileInvalid*'
    }

    It 'refuses a client assertion that is not a signed JWT, without showing it' {
        $err = { Get-PartnerAccessToken -TenantId $tenantId -ClientId $appId -ClientAssertion 'hunter2-not-a-jwt' -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerClientAssertionInvalid*' -PassThru
        $err.ToString() | Should -Not -BeLike '*hunter2*'
    }

    It 'names the variables -WorkloadIdentity needs' {
        [Environment]::SetEnvironmentVariable('AZURE_FEDERATED_TOKEN_FILE', $null)
        [Environment]::SetEnvironmentVariable('AZURE_CLIENT_ID', $null)
        { Get-PartnerAccessToken -WorkloadIdentity -TenantId $tenantId -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerWorkloadIdentityNotConfigured*'
    }

    It 'says when no managed identity endpoint answers' {
        [Environment]::SetEnvironmentVariable('IDENTITY_ENDPOINT', 'http://127.0.0.1:9/msi/token')
        [Environment]::SetEnvironmentVariable('IDENTITY_HEADER', 'pester')
        { Get-PartnerAccessToken -Identity -ForceRefresh -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerManagedIdentityUnavailable*'
    }
}
