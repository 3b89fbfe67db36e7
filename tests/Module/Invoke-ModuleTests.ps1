<#
.SYNOPSIS
    Runs the Pester suite (tests/Module/*.Tests.ps1) against the built module in a clean session and writes
    the counts to a JSON file for build.ps1's closing line. Quiet: one line per file ('Pester X.Tests.ps1: N passed,
    N failed, N skipped', with the reason for any skip), and under it each failure's message and place.
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

$pattern = if ($Filter) { "$Filter.Tests.ps1" } else { '*.Tests.ps1' }
$files = @(Get-ChildItem -Path $PSScriptRoot -Filter $pattern | Sort-Object Name)

function Get-Block([object] $Block) { $Block; foreach ($child in $Block.Blocks) { Get-Block $child } }
function Write-Failure([string] $What, [object[]] $ErrorRecords) {
    Write-Host "  [-] $What" -ForegroundColor Red
    foreach ($e in $ErrorRecords) {
        $message = if ($e.PSObject.Properties['DisplayErrorMessage'] -and $e.DisplayErrorMessage) { $e.DisplayErrorMessage } else { $e.Exception.Message }
        foreach ($line in "$message" -split "`r?`n") { Write-Host "      $line" }
        # Where in the test file: Pester's own frames say nothing about the failure.
        $trace = if ($e.PSObject.Properties['DisplayStackTrace'] -and $e.DisplayStackTrace) { $e.DisplayStackTrace } else { $e.ScriptStackTrace }
        foreach ($line in "$trace" -split "`r?`n" | Where-Object { $_ -and $_ -notmatch '[\\/]Pester\.psm?1\b' } | Select-Object -First 3) { Write-Host "      $line" }
    }
}

# One Pester run per file, so that its line comes when it ends (and anything a test lets through to the console shows
# above its own file's line). Quiet: Pester prints nothing itself; each file's line, and each failure's message and place.
$totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
foreach ($file in $files) {
    $config = New-PesterConfiguration
    $config.Run.Path = @($file.FullName)
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'None'
    $config.Should.ErrorAction = 'Continue'
    $run = Invoke-Pester -Configuration $config
    foreach ($container in $run.Containers) {
        $blocks = @(foreach ($top in $container.Blocks) { Get-Block $top })
        $brokenBlocks = @($blocks | Where-Object { $_.ErrorRecord.Count -gt 0 })
        $brokenFile = $container.ErrorRecord.Count -gt 0
        $failed = $container.FailedCount + $brokenBlocks.Count + [int] $brokenFile
        $skipped = $container.SkippedCount + $container.NotRunCount
        $totals.Passed += $container.PassedCount; $totals.Failed += $failed; $totals.Skipped += $skipped
        # Why tests were skipped, once per reason (a missing browser skips several).
        $reasons = @($blocks.Tests | Where-Object Result -EQ 'Skipped' | ForEach-Object { $_.ErrorRecord | ForEach-Object { $_.Exception.Message -replace '^is skipped, because ', '' } } | Where-Object { $_ } | Sort-Object -Unique)
        $line = "Pester {0}: {1} passed, {2} failed, {3} skipped" -f $file.Name, $container.PassedCount, $failed, $skipped
        if ($reasons) { $line += " ($($reasons -join '; '))" }
        $red = if ($failed) { @{ ForegroundColor = 'Red' } } else { @{} }
        Write-Host $line @red
        if ($brokenFile) { Write-Failure $file.Name $container.ErrorRecord }
        foreach ($block in $brokenBlocks) { Write-Failure "$($block.ExpandedPath) (setup or teardown)" $block.ErrorRecord }
        foreach ($test in $blocks.Tests | Where-Object { $_.Result -eq 'Failed' -and $_.ErrorRecord.Count -gt 0 }) { Write-Failure $test.ExpandedPath $test.ErrorRecord }
    }
}

[pscustomobject]$totals | ConvertTo-Json | Set-Content -LiteralPath $ResultPath -Encoding utf8
exit ([int]($totals.Failed -gt 0))
