@{
    RootModule           = 'MdApiTokens.dll'
    # Imported before RootModule: makes the dependencies/ folder loadable without clashing with other modules'
    # versions of the same assemblies (see docs/design.md).
    NestedModules        = @('MdApiTokens.Loader.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1c9a4e-3b7d-4e52-9d0a-2c8e5f71b4a3'
    Author               = 'MdApiTokens contributors'
    CompanyName          = 'MdApiTokens'
    Copyright            = '(c) MdApiTokens contributors. All rights reserved.'
    Description          = 'API tokens for Microsoft Defender / Cloud App Security style APIs in a file-backed store, and partner access to the Microsoft 365 Defender API on behalf of customer tenants.'
    PowerShellVersion    = '5.1'
    # netstandard2.0 libraries need .NET Framework 4.7.2 or later on Windows PowerShell (4.6.1 loads them only partly).
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MdApiTokens.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Initialize-ApiTokenStore'
        'Get-ApiTokenStore'
        'Set-ApiTokenStore'
        'New-ApiToken'
        'Get-ApiToken'
        'Revoke-ApiToken'
        'Test-ApiToken'
        'Grant-ApiTokenRole'
        'Get-ApiTokenRole'
        'Revoke-ApiTokenRole'
        'Get-ApiTokenAuditLog'
        'Get-PartnerAccessToken'
        'Get-PartnerConsentLink'
        'Test-AccessToken'
        'Get-DefenderIncident'
        'Set-DefenderIncident'
        'Invoke-DefenderHuntingQuery'
        'Invoke-DefenderApiRequest'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Defender', 'Microsoft365Defender', 'CloudAppSecurity', 'ApiToken', 'OAuth', 'MSSP', 'Security')
            ProjectUri   = 'https://github.com/mdapitokens/MdApiTokens'
            LicenseUri   = 'https://github.com/mdapitokens/MdApiTokens/blob/main/LICENSE'
            ReleaseNotes = 'See https://github.com/mdapitokens/MdApiTokens/blob/main/README.md'
        }
    }
}
