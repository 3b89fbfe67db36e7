<#
.SYNOPSIS
    Benchmark: undo of a 10 000-change upstream run (Undo-WeComSyncRun), against the forward run it undoes.
.DESCRIPTION
    Two forward runs, each with a run log, into the emulator (no rate limit), each undone:
      updates  a field map gone wrong: every member's mobile overwritten (10 000 updates); undo writes them back;
      creates  a first run into an empty pool (10 000 creates); undo deletes them (with -Force: it deletes everyone).
    Prints, for each: the forward run's and the undo's wall time and calls, the undo's as a ratio of the forward run's,
    the undo's write calls, and a second undo's (must be 0: everything AlreadyApplied). The undo reads every object
    again before writing (the drift check, 50 users per get-user-batch call), which a forward run does not.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [int] $Changes = 10000
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath -Force
Import-Module (Join-Path $repo 'tools/Emulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'Support/BenchExport.psm1') -Force

function Get-Total([string] $BaseUrl) { ((Get-WeComSyncEmulatorCallCount -BaseUrl $BaseUrl).Values | Measure-Object -Sum).Sum + 0 }
function Get-WriteCount([string] $BaseUrl) {
    ((Get-WeComSyncEmulatorCallCount -BaseUrl $BaseUrl).GetEnumerator() | Where-Object { $_.Key -match '^/api/v3/(create-|update-|delete-|set-user-|add-|remove-)' } | Measure-Object -Property Value -Sum).Sum + 0
}
function Measure-Run([scriptblock] $Run) {
    $emulator | Clear-WeComSyncEmulatorCallCount
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $summary = & $Run | Select-Object -Last 1
    $watch.Stop()
    [pscustomobject]@{ Summary = $summary; Seconds = $watch.Elapsed.TotalSeconds; Calls = Get-Total $emulator.BaseUrl; Writes = Get-WriteCount $emulator.BaseUrl }
}
function Write-Figures([string] $Name, $Forward, $Undo, $Again) {
    Write-Host ''
    Write-Host "$Name ($($Forward.Summary.Name) $($Forward.Summary.ShortId), undone by $($Undo.Summary.ShortId))"
    '{0,-52} {1,10:0.0} s {2,8} calls' -f 'forward run', $Forward.Seconds, $Forward.Calls
    '{0,-52} {1,10:0.0} s {2,8} calls' -f 'undo', $Undo.Seconds, $Undo.Calls
    '{0,-52} {1,10:0.00}' -f 'undo / forward, wall time', ($Undo.Seconds / $Forward.Seconds)
    '{0,-52} {1,10:0.00}' -f 'undo / forward, calls', ($Undo.Calls / [math]::Max(1, $Forward.Calls))
    '{0,-52} {1,10} (forward {2})' -f 'undo write calls', $Undo.Writes, $Forward.Writes
    '{0,-52} {1,10} updated, {2} created, {3} deleted, {4} stale, {5} failed' -f 'undo counts', $Undo.Summary.Updated, $Undo.Summary.Created, $Undo.Summary.Deleted, $Undo.Summary.Stale, $Undo.Summary.Failed
    '{0,-52} {1,10:0.0} s, {2} writes, {3} already applied' -f 'second undo (must write nothing)', $Again.Seconds, $Again.Writes, $Again.Summary.AlreadyApplied
    if ($Again.Writes -ne 0) { Write-Warning "the second undo made $($Again.Writes) write call(s)" }
    if ($Undo.Summary.Failed -gt 0 -or $Undo.Summary.Stale -gt 0) { Write-Warning "the undo left $($Undo.Summary.Failed) failed and $($Undo.Summary.Stale) stale" }
}

$work = Join-Path ([IO.Path]::GetTempPath()) "wecomsync-bench-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
New-Item -ItemType Directory -Path $work | Out-Null
$logs = Join-Path $work 'logs'
$emulator = $null
try {
    # 10 x 10 x 5 = 610 departments.
    $export = New-BenchUpstreamExport -Users $Changes -Folder $work -Configuration $Configuration -Groups 10 -Units 10 -Teams 5
    $rows = @(Import-Csv -LiteralPath $export -Encoding utf8)
    foreach ($i in 0..($rows.Count - 1)) { $rows[$i].手机 = '137{0:00000000}' -f $i }   # every mobile different, still unique
    $wrong = Join-Path $work 'wrong-mobiles.csv'
    $rows | Export-Csv -LiteralPath $wrong -Encoding utf8BOM -NoTypeInformation

    $emulator = Start-WeComSyncEmulator -Configuration $Configuration
    $secret = ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force
    Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $emulator.BaseUrl -OrganizationCode emulator-org
    Initialize-AuthingLinkField -Confirm:$false | Out-Null

    # Creates: the first run into the empty pool, undone (deletes everyone it created: past the guard, so -Force).
    $createRun = Measure-Run { Invoke-WeComUpstreamSync -Path $export -LogPath $logs -ErrorAction SilentlyContinue 3>$null }
    $createUndo = Measure-Run { Undo-WeComSyncRun -Path $logs -Run $createRun.Summary.ShortId -Operation Create -Step users -Force -Confirm:$false -ErrorAction SilentlyContinue 3>$null }
    $createAgain = Measure-Run { Undo-WeComSyncRun -Path $logs -Run $createRun.Summary.ShortId -Operation Create -Step users -Force -Confirm:$false -ErrorAction SilentlyContinue 3>$null }

    # Updates: the pool filled again, then every mobile overwritten, undone.
    $null = Invoke-WeComUpstreamSync -Path $export -ErrorAction SilentlyContinue 3>$null
    $updateRun = Measure-Run { Invoke-WeComUpstreamSync -Path $wrong -LogPath $logs -ErrorAction SilentlyContinue 3>$null }
    $updateUndo = Measure-Run { Undo-WeComSyncRun -Path $logs -Run $updateRun.Summary.ShortId -Confirm:$false -ErrorAction SilentlyContinue 3>$null }
    $updateAgain = Measure-Run { Undo-WeComSyncRun -Path $logs -Run $updateRun.Summary.ShortId -Confirm:$false -ErrorAction SilentlyContinue 3>$null }

    Write-Figures "Undo of $($updateRun.Summary.Updated) mobile updates" $updateRun $updateUndo $updateAgain
    Write-Figures "Undo of $($createRun.Summary.Created) creates (users and departments created; the users deleted)" $createRun $createUndo $createAgain
    $beforeSize = (Get-ChildItem -LiteralPath $updateRun.Summary.Path -Filter 'before.jsonl').Length
    '{0,-52} {1,10:0.0} MB ({2:0} bytes per change)' -f 'before.jsonl of the update run', ($beforeSize / 1MB), ($beforeSize / [math]::Max(1, $updateRun.Summary.Updated))
}
finally {
    Disconnect-Authing
    if ($emulator) { $emulator | Stop-WeComSyncEmulator }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
