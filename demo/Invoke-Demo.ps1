<#
.SYNOPSIS
    The WeComSync demo: an emulated Authing (and WeCom), a realistic console export, and the upstream sync run three
    times — -WhatIf, for real, and again (zero changes) — then the downstream part when it is there.
.DESCRIPTION
    Run by 'build.ps1 -Task Demo' after the build. Starts the emulator on 127.0.0.1 (tools/Emulator.psm1), writes an
    export with the generator (Chinese names, nested departments, members in several departments, a few bad rows),
    connects with the emulator's known access key, creates the link fields, and runs Invoke-WeComUpstreamSync.
    Each run's summary is printed with the emulator's write-call count. The emulator is always stopped.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath -Force
Import-Module (Join-Path $repo 'tools/Emulator.psm1') -Force

function Write-Section([string] $Text) { Write-Host ''; Write-Host "=== $Text" -ForegroundColor Cyan }
function Get-AuthingWriteCalls([string] $BaseUrl) {
    $counts = Get-WeComSyncEmulatorCallCount -BaseUrl $BaseUrl
    ($counts.GetEnumerator() | Where-Object { $_.Key -match '^/api/v3/(create-|update-|delete-|set-user-|add-|remove-)' } | Measure-Object -Property Value -Sum).Sum + 0
}
function Show-Summary($Summary, [string] $BaseUrl) {
    $Summary.Steps | Format-Table Name, Status, Read, Created, Updated, Deleted, Failed, Skipped, Message -AutoSize | Out-String -Width 200 | Out-Host
    Write-Host ("Run {0}: {1} in {2:0.0} s; Authing write calls: {3}" -f $Summary.ShortId, $Summary.Status, $Summary.Duration.TotalSeconds, (Get-AuthingWriteCalls $BaseUrl))
}

$work = Join-Path ([IO.Path]::GetTempPath()) "wecomsync-demo-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
New-Item -ItemType Directory -Path $work | Out-Null
$emulator = $null
try {
    Write-Section 'Starting the emulator (WeCom + Authing APIs on 127.0.0.1)'
    $emulator = Start-WeComSyncEmulator -Configuration $Configuration
    Write-Host "Emulator at $($emulator.BaseUrl)"

    Write-Section 'Writing a realistic WeCom console export'
    $export = Join-Path $work 'contacts.xlsx'
    $generator = Join-Path $repo "tests/WeComSync.ExportGenerator/bin/$Configuration/net10.0/WeComSync.ExportGenerator.dll"
    & (Get-Command dotnet).Source $generator --users 150 --seed 2024 --multi-dept-rate 0.15 --bad-rows 4 --out $export
    if ($LASTEXITCODE -ne 0) { throw 'The export generator failed.' }
    Import-WeComAddressBook -LiteralPath $export -ErrorAction SilentlyContinue | Select-Object -First 5 | Format-Table | Out-Host

    Write-Section 'Connect-Authing, Initialize-AuthingLinkField, Test-AuthingConnection'
    $secret = ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force
    Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $emulator.BaseUrl -OrganizationCode emulator-org
    Initialize-AuthingLinkField -Confirm:$false | Format-Table | Out-Host
    Test-AuthingConnection | Format-Table -AutoSize | Out-String -Width 200 | Out-Host

    $logs = Join-Path $work 'logs'
    $sync = @{ Path = $export; OrganizationCode = 'emulator-org'; IgnoreRootDepartment = $true; LogPath = $logs }

    Write-Section 'Invoke-WeComUpstreamSync -WhatIf (the plan; nothing is written)'
    $emulator | Clear-WeComSyncEmulatorCallCount
    $summary = Invoke-WeComUpstreamSync @sync -WhatIf -ErrorAction SilentlyContinue 6>$null | Select-Object -Last 1
    Show-Summary $summary $emulator.BaseUrl

    Write-Section 'Invoke-WeComUpstreamSync (for real; the 4 bad rows are reported and skipped)'
    $emulator | Clear-WeComSyncEmulatorCallCount
    $summary = Invoke-WeComUpstreamSync @sync -ErrorVariable problems -ErrorAction SilentlyContinue | Select-Object -Last 1
    $problems | ForEach-Object { Write-Host "  skipped: $($_.Exception.Message)" -ForegroundColor Yellow }
    Show-Summary $summary $emulator.BaseUrl
    Get-AuthingDepartment -IgnoreRootDepartment | Select-Object -First 8 | Format-Table Name, Path, LinkId | Out-Host

    Write-Section 'Invoke-WeComUpstreamSync again (idempotent: zero changes, zero write calls)'
    $emulator | Clear-WeComSyncEmulatorCallCount
    $summary = Invoke-WeComUpstreamSync @sync -ErrorAction SilentlyContinue | Select-Object -Last 1
    Show-Summary $summary $emulator.BaseUrl

    Write-Section 'The run log (Get-WeComSyncLog)'
    Get-WeComSyncLog -Path $logs | Format-Table | Out-String -Width 200 | Out-Host

    $downstream = Join-Path $PSScriptRoot 'Downstream.ps1'
    if (Test-Path $downstream) {
        Write-Section 'Downstream: WeCom follows Authing'
        & $downstream -BaseUrl $emulator.BaseUrl -ModulePath $ModulePath -Configuration $Configuration
    }
}
finally {
    Disconnect-Authing
    if ($emulator) { $emulator | Stop-WeComSyncEmulator; Write-Host 'Emulator stopped.' }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
