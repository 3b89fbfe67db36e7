<#
.SYNOPSIS
    Benchmark: a full upstream sync of 50 000 users in 2 000 departments into an empty emulated Authing, then the
    no-change re-run.
.DESCRIPTION
    Prints, for the first run: wall time, calls by endpoint, user-create calls against users (batches of 50 vs one call
    per user), calls per second; for the re-run: its time as a ratio of the first run's and its write calls (must be 0).
    The emulator runs with no rate limit, so calls per second is what the client reaches (the default -ThrottleLimit 4).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [int] $Users = 50000
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath -Force
Import-Module (Join-Path $repo 'tools/Emulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'Support/BenchExport.psm1') -Force

function Get-Calls([string] $BaseUrl) { Get-WeComSyncEmulatorCallCount -BaseUrl $BaseUrl }
function Get-WriteCount($Calls) {
    ($Calls.GetEnumerator() | Where-Object { $_.Key -match '^/api/v3/(create-|update-|delete-|set-user-|add-|remove-)' } | Measure-Object -Property Value -Sum).Sum + 0
}

$work = Join-Path ([IO.Path]::GetTempPath()) "wecomsync-bench-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
New-Item -ItemType Directory -Path $work | Out-Null
$emulator = $null
try {
    # 20 x 10 x 9 = 2 020 departments (three levels).
    $export = New-BenchUpstreamExport -Users $Users -Folder $work -Configuration $Configuration -Groups 20 -Units 10 -Teams 9

    $emulator = Start-WeComSyncEmulator -Configuration $Configuration
    $secret = ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force
    Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $emulator.BaseUrl -OrganizationCode emulator-org
    Initialize-AuthingLinkField -Confirm:$false | Out-Null
    $emulator | Clear-WeComSyncEmulatorCallCount

    $first = [Diagnostics.Stopwatch]::StartNew()
    $summary1 = Invoke-WeComUpstreamSync -Path $export -ErrorAction SilentlyContinue | Select-Object -Last 1
    $first.Stop()
    $calls1 = Get-Calls $emulator.BaseUrl
    $emulator | Clear-WeComSyncEmulatorCallCount

    $second = [Diagnostics.Stopwatch]::StartNew()
    $summary2 = Invoke-WeComUpstreamSync -Path $export -ErrorAction SilentlyContinue | Select-Object -Last 1
    $second.Stop()
    $calls2 = Get-Calls $emulator.BaseUrl

    $departments = ($summary1.Steps | Where-Object Name -eq 'departments').Created
    $created = ($summary1.Steps | Where-Object Name -eq 'users').Created
    Write-Host ''
    Write-Host "Upstream sync of $created users in $departments departments into an empty emulator"
    $summary1.Steps | Format-Table Name, Status, Read, Created, Updated, Failed, Skipped, Duration -AutoSize | Out-String -Width 200 | Out-Host
    Write-Host 'Calls by endpoint, first run:'
    $calls1.GetEnumerator() | Sort-Object Value -Descending | Format-Table @{ n = 'Endpoint'; e = { $_.Key } }, @{ n = 'Calls'; e = { $_.Value } } -AutoSize | Out-String -Width 200 | Out-Host

    $total1 = ($calls1.Values | Measure-Object -Sum).Sum
    $userCreates = [long]$calls1['/api/v3/create-users-batch'] + [long]$calls1['/api/v3/create-user']
    $writes2 = Get-WriteCount $calls2
    $total2 = ($calls2.Values | Measure-Object -Sum).Sum
    '{0,-58} {1,10}' -f 'first run, users failed', ($summary1.Steps | Where-Object Name -eq 'users').Failed
    '{0,-58} {1,10:0.0} s' -f 'first run, wall time', $first.Elapsed.TotalSeconds
    '{0,-58} {1,10:0.0}' -f 'first run, calls per second (emulator: no rate limit)', ($total1 / $first.Elapsed.TotalSeconds)
    '{0,-58} {1,10} ({2:0.000} per user; one call per user would be 1.000)' -f 'user-create calls (limit 1 100)', $userCreates, ($userCreates / [math]::Max(1, $created))
    '{0,-58} {1,10:0.0} s' -f 'no-change re-run, wall time', $second.Elapsed.TotalSeconds
    '{0,-58} {1,10:0.00}' -f 're-run time / first-run time', ($second.Elapsed.TotalSeconds / $first.Elapsed.TotalSeconds)
    '{0,-58} {1,10} of {2} calls' -f 're-run write calls (must be 0)', $writes2, $total2
    if ($userCreates -gt 1100) { Write-Warning "user creates took $userCreates calls: more than 1 100" }
    if ($writes2 -ne 0) { Write-Warning "the no-change re-run made $writes2 write call(s)" }
}
finally {
    Disconnect-Authing
    if ($emulator) { $emulator | Stop-WeComSyncEmulator }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
