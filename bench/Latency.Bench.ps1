<#
.SYNOPSIS
    Benchmark: both syncs at real-world latency (the emulator answers every call -LatencyMs late, 80 ms by default),
    with default settings, each figure beside the same run at today's fixed concurrency of 4 (-ThrottleLimit 4) as a
    ratio.
.DESCRIPTION
    Downstream: -DownstreamUsers users (5 000) in -Departments departments into an empty WeCom that allows -Limit calls
    per API and -WindowSeconds (500 per 3 s: WeCom's documented 10 000 per minute, scaled down in time as in
    DownstreamSync.Bench.ps1 so that the run spans many windows), the connection's limiter at the same limit:
      - user/create calls per second as a fraction of the limit (target >= 85 %), and the calls refused by the limit
        (target 0);
      - the no-change re-run: write calls (target 0) and its time.
    The fixed-concurrency first run creates -BaselineUsers (1 000) users: its rate is what is compared, and at ~25 calls
    per second 5 000 would take minutes.
    Upstream: -UpstreamUsers users (20 000) from a console export into an empty Authing (no rate limit), at -LatencyMs
    and at 2 ms: calls by endpoint and wall time, the latency cost (slow / fast wall time), and the no-change re-run.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [int] $LatencyMs = 80,
    [int] $DownstreamUsers = 5000,
    [int] $BaselineUsers = 1000,
    [int] $Departments = 100,
    [int] $Limit = 500,
    [double] $WindowSeconds = 3,
    [int] $UpstreamUsers = 20000,
    [int] $FixedConcurrency = 4
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../tools/Emulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'Support/BenchExport.psm1') -Force

$writePattern = '/(create|update|delete|batchdelete|set-user-|add-|remove-)'
function Get-WriteCount($Calls) { [long](($Calls.GetEnumerator() | Where-Object Key -Match $writePattern | Measure-Object Value -Sum).Sum + 0) }
function Get-Sum($Calls) { [long](($Calls.Values | Measure-Object -Sum).Sum + 0) }
function Format-Ratio([double] $a, [double] $b) { if ($b -gt 0) { '{0:0.00}x' -f ($a / $b) } else { 'n/a' } }
$rows = [System.Collections.Generic.List[object]]::new()
function Add-Figure([string] $Figure, $Adaptive, $Fixed, [string] $Ratio = '') {
    $rows.Add([pscustomobject]@{ Figure = $Figure; 'Default (adaptive)' = $Adaptive; "Fixed $FixedConcurrency" = $Fixed; Ratio = $Ratio })
}

$work = Join-Path ([IO.Path]::GetTempPath()) "wecomsync-latency-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
New-Item -ItemType Directory -Path $work | Out-Null
$emulator = Start-WeComSyncEmulator -Configuration $Configuration
try {
    $url = $emulator.BaseUrl
    $key = [pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))
    $wecomSecret = ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force
    $fixed = @{ ThrottleLimit = $FixedConcurrency }

    function Initialize-Emulator([int] $Latency) {
        Reset-WeComSyncEmulator -BaseUrl $url
        Connect-Authing -Credential $key -ApiHost $url -OrganizationCode emulator-org
        Initialize-AuthingLinkField -Confirm:$false | Out-Null
        if ($Latency -gt 0) { Set-WeComSyncEmulatorFault -BaseUrl $url -Kind latency -LatencyMs $Latency }
        Clear-WeComSyncEmulatorCallCount -BaseUrl $url
    }

    # ---- downstream ------------------------------------------------------------------------------------------------
    function Invoke-Downstream([int] $Users, [hashtable] $Options, [switch] $ReRun) {
        if (-not $ReRun) {
            Initialize-Emulator -Latency 0
            Set-WeComSyncEmulatorAuthingOrganization -BaseUrl $url -UserCount $Users -DepartmentCount $Departments
            Set-WeComSyncEmulatorRateLimit -BaseUrl $url -Api wecom -Limit $Limit -WindowSeconds $WindowSeconds
            Set-WeComSyncEmulatorFault -BaseUrl $url -Kind latency -LatencyMs $LatencyMs
            # A fresh connection per first run: it keeps the department ids it created, which a reset emulator has not.
            $script:wecom = Connect-WeCom -CorpId ww-emulator -Secret $wecomSecret -AppMode AgentDevelopment -ApiHost $url `
                -CallsPerMinute $Limit -RateWindow ([TimeSpan]::FromSeconds($WindowSeconds)) -MaxWait ([TimeSpan]::FromSeconds($WindowSeconds * 3)) -PassThru
        }
        Clear-WeComSyncEmulatorCallCount -BaseUrl $url
        $attempts = $script:wecom.Client.CallCounts['user/create']
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $summary = Invoke-WeComDownstreamSync @Options -WarningAction SilentlyContinue
        $watch.Stop()
        $usersStep = $summary.Steps | Where-Object Name -EQ 'users'
        $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $url
        [pscustomobject]@{
            Seconds = $watch.Elapsed.TotalSeconds; Status = $summary.Status; Created = $usersStep.Created; Failed = $usersStep.Failed
            UsersSeconds = $usersStep.Duration.TotalSeconds; Attempts = $script:wecom.Client.CallCounts['user/create'] - $attempts
            Calls = $calls; Writes = Get-WriteCount $calls
        }
    }

    $down = Invoke-Downstream -Users $DownstreamUsers -Options @{}
    $downAgain = Invoke-Downstream -Users $DownstreamUsers -Options @{} -ReRun
    $downAgainFixed = Invoke-Downstream -Users $DownstreamUsers -Options $fixed -ReRun
    $base = Invoke-Downstream -Users $BaselineUsers -Options $fixed

    $limitPerSecond = $Limit / $WindowSeconds
    $rate = $down.Attempts / $down.UsersSeconds
    $baseRate = $base.Attempts / $base.UsersSeconds
    Write-Host ("Downstream at {0} ms: {1} users created ({2} failed, status {3}) in {4:0.0} s; fixed {5}: {6} created ({7} failed) in {8:0.0} s" -f `
            $LatencyMs, $down.Created, $down.Failed, $down.Status, $down.Seconds, $FixedConcurrency, $base.Created, $base.Failed, $base.Seconds)
    Add-Figure "down: user/create calls/s" ('{0:0.0}' -f $rate) ('{0:0.0}' -f $baseRate) (Format-Ratio $rate $baseRate)
    Add-Figure "down: fraction of $Limit/$WindowSeconds s (>= 85 %)" ('{0:P1}' -f ($rate / $limitPerSecond)) ('{0:P1}' -f ($baseRate / $limitPerSecond))
    Add-Figure 'down: calls refused by the limit (0)' ($down.Attempts - $down.Created - $down.Failed) ($base.Attempts - $base.Created - $base.Failed)
    Add-Figure 'down: Authing link calls per user' ('{0:0.000}' -f (([long]$down.Calls['/api/v3/update-user-batch'] + [long]$down.Calls['/api/v3/update-user']) / [Math]::Max(1, $down.Created))) `
        ('{0:0.000}' -f (([long]$base.Calls['/api/v3/update-user-batch'] + [long]$base.Calls['/api/v3/update-user']) / [Math]::Max(1, $base.Created)))
    Add-Figure 'down re-run: seconds' ('{0:0.0}' -f $downAgain.Seconds) ('{0:0.0}' -f $downAgainFixed.Seconds) (Format-Ratio $downAgainFixed.Seconds $downAgain.Seconds)
    Add-Figure 'down re-run: write calls (0)' $downAgain.Writes $downAgainFixed.Writes
    Add-Figure 'down re-run: read calls' (Get-Sum $downAgain.Calls) (Get-Sum $downAgainFixed.Calls)
    Disconnect-WeCom

    # ---- upstream --------------------------------------------------------------------------------------------------
    $export = New-BenchUpstreamExport -Users $UpstreamUsers -Folder $work -Configuration $Configuration -Groups 4 -Units 5 -Teams 10
    function Invoke-Upstream([int] $Latency, [hashtable] $Options) {
        Initialize-Emulator -Latency $Latency
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $summary = Invoke-WeComUpstreamSync -Path $export @Options -ErrorAction SilentlyContinue | Select-Object -Last 1
        $watch.Stop()
        $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $url
        Clear-WeComSyncEmulatorCallCount -BaseUrl $url
        $again = [Diagnostics.Stopwatch]::StartNew()
        $null = Invoke-WeComUpstreamSync -Path $export @Options -ErrorAction SilentlyContinue
        $again.Stop()
        $againCalls = Get-WeComSyncEmulatorCallCount -BaseUrl $url
        [pscustomobject]@{
            Seconds = $watch.Elapsed.TotalSeconds; Created = ($summary.Steps | Where-Object Name -EQ 'users').Created
            Failed = ($summary.Steps | Where-Object Name -EQ 'users').Failed; Calls = $calls
            ReRunSeconds = $again.Elapsed.TotalSeconds; ReRunWrites = Get-WriteCount $againCalls; ReRunCalls = Get-Sum $againCalls
        }
    }
    $up = Invoke-Upstream -Latency $LatencyMs -Options @{}
    $upFixed = Invoke-Upstream -Latency $LatencyMs -Options $fixed
    $upFast = Invoke-Upstream -Latency 2 -Options @{}
    $upFastFixed = Invoke-Upstream -Latency 2 -Options $fixed

    Write-Host ("Upstream: {0} users created ({1} failed) at {2} ms, {3} ({4} failed) at 2 ms" -f $up.Created, $up.Failed, $LatencyMs, $upFast.Created, $upFast.Failed)
    Add-Figure "up $LatencyMs ms: wall time s" ('{0:0.0}' -f $up.Seconds) ('{0:0.0}' -f $upFixed.Seconds) (Format-Ratio $upFixed.Seconds $up.Seconds)
    Add-Figure 'up 2 ms: wall time s' ('{0:0.0}' -f $upFast.Seconds) ('{0:0.0}' -f $upFastFixed.Seconds) (Format-Ratio $upFastFixed.Seconds $upFast.Seconds)
    Add-Figure "up: latency cost ($LatencyMs ms / 2 ms)" (Format-Ratio $up.Seconds $upFast.Seconds) (Format-Ratio $upFixed.Seconds $upFastFixed.Seconds)
    Add-Figure "up $LatencyMs ms: calls" (Get-Sum $up.Calls) (Get-Sum $upFixed.Calls)
    Add-Figure "up $LatencyMs ms re-run: seconds" ('{0:0.0}' -f $up.ReRunSeconds) ('{0:0.0}' -f $upFixed.ReRunSeconds) (Format-Ratio $upFixed.ReRunSeconds $up.ReRunSeconds)
    Add-Figure "up $LatencyMs ms re-run: write calls (0)" $up.ReRunWrites $upFixed.ReRunWrites
    Add-Figure 'up 2 ms re-run: seconds' ('{0:0.0}' -f $upFast.ReRunSeconds) ('{0:0.0}' -f $upFastFixed.ReRunSeconds) (Format-Ratio $upFastFixed.ReRunSeconds $upFast.ReRunSeconds)
    Add-Figure 'up 2 ms re-run: write calls (0)' $upFast.ReRunWrites $upFastFixed.ReRunWrites

    Write-Host ''
    Write-Host "Upstream calls by endpoint at $LatencyMs ms (default, fixed $FixedConcurrency):"
    $up.Calls.Keys + $upFixed.Calls.Keys | Sort-Object -Unique | ForEach-Object {
        [pscustomobject]@{ Endpoint = $_; Default = [long]$up.Calls[$_]; "Fixed $FixedConcurrency" = [long]$upFixed.Calls[$_] }
    } | Sort-Object Default -Descending | Format-Table -AutoSize | Out-String -Width 100 | Out-Host
    Write-Host "Figures (ratio: how many times faster the default is than fixed $FixedConcurrency):"
    $rows | Format-Table -AutoSize | Out-String -Width 100 | Out-Host
    if ($rate / $limitPerSecond -lt 0.85) { Write-Warning ('user/create reached {0:P1} of the limit: below the 85 % target' -f ($rate / $limitPerSecond)) }
    if ($down.Attempts - $down.Created - $down.Failed -ne 0) { Write-Warning 'the limit refused calls' }
    if ($downAgain.Writes + $up.ReRunWrites + $upFast.ReRunWrites -ne 0) { Write-Warning 'a no-change re-run wrote' }
}
finally {
    Disconnect-Authing
    $emulator | Stop-WeComSyncEmulator
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
