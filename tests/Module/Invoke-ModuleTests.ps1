<#
.SYNOPSIS
    Runs the Pester suite (tests/Module/*.Tests.ps1) against the built module in a clean session and writes
    the counts to a JSON file for build.ps1's closing line.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string] $Filter,
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force

# The test files read these to find the module and the emulator build.
$env:WECOMSYNC_MODULE_PATH = (Resolve-Path $ModulePath).Path
$env:WECOMSYNC_CONFIGURATION = $Configuration

$config = New-PesterConfiguration
$pattern = if ($Filter) { "$Filter.Tests.ps1" } else { '*.Tests.ps1' }
$config.Run.Path = @(Get-ChildItem -Path $PSScriptRoot -Filter $pattern | ForEach-Object FullName)
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.Should.ErrorAction = 'Continue'
$run = Invoke-Pester -Configuration $config

[pscustomobject]@{
    Passed  = $run.PassedCount
    Failed  = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount
    Skipped = $run.SkippedCount + $run.NotRunCount
} | ConvertTo-Json | Set-Content -LiteralPath $ResultPath -Encoding utf8
exit ([int]($run.Result -ne 'Passed'))
