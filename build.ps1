#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests and packages the MdApiTokens module.

.DESCRIPTION
    Build (the default) compiles src/MdApiTokens and publishes its output folder, an importable module, to
    out/MdApiTokens/<version>/. Test runs `dotnet test` and then, where Pester 5 is installed, the Pester suites in
    tests/Pester against that published module. Package makes out/MdApiTokens.<version>.nupkg (with PSResourceGet)
    or a zip of the module folder.

.EXAMPLE
    ./build.ps1
    Import-Module ./out/MdApiTokens/0.1.0/MdApiTokens.psd1

.EXAMPLE
    ./build.ps1 -Task Test -Configuration Debug
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$version = (Import-PowerShellDataFile -Path (Join-Path $root 'MdApiTokens.psd1')).ModuleVersion
$moduleOut = Join-Path $root "out/MdApiTokens/$version"

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'src/MdApiTokens/MdApiTokens.csproj') -c $Configuration
    $buildOut = Join-Path $root "src/MdApiTokens/bin/$Configuration/netstandard2.0"
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $moduleOut -Force | Out-Null
    Copy-Item -Path (Join-Path $buildOut '*') -Destination $moduleOut -Recurse
    # -Exclude on a recursive copy filters only the top level: drop symbols and deps files everywhere afterwards.
    Get-ChildItem -Path $moduleOut -Recurse -File -Include '*.pdb', '*.deps.json' | Remove-Item -Force
    Write-Host "Module published to $moduleOut"
}

function Invoke-Test {
    Invoke-Dotnet test (Join-Path $root 'MdApiTokens.sln') -c $Configuration
    $pester = Get-Module -ListAvailable Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5 is not installed; skipping tests/Pester (Install-Module Pester -MinimumVersion 5.0).'
        return
    }

    Import-Module $pester -Force
    $env:MDAPITOKENS_MODULE_MANIFEST = Join-Path $moduleOut 'MdApiTokens.psd1'
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests/Pester'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $config
    if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
}

function Invoke-Package {
    $packages = Join-Path $root 'out/packages'
    New-Item -ItemType Directory -Path $packages -Force | Out-Null
    if (Get-Command Publish-PSResource -ErrorAction SilentlyContinue) {
        $repository = 'MdApiTokensLocalBuild'
        if (-not (Get-PSResourceRepository -Name $repository -ErrorAction SilentlyContinue)) {
            Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
        }
        try {
            Publish-PSResource -Path $moduleOut -Repository $repository
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }
    }
    else {
        Compress-Archive -Path (Join-Path $moduleOut '*') -DestinationPath (Join-Path $packages "MdApiTokens.$version.zip") -Force
    }
    Write-Host "Package written to $packages"
}

foreach ($step in $Task) {
    switch ($step) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Build; Invoke-Test }
        'Package' { Invoke-Build; Invoke-Package }
    }
}
