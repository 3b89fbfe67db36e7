<#
.SYNOPSIS
    Benchmark: the 20 000-user downstream sync (Authing -> an empty emulated WeCom) with 10 % of calls failing, against
    the same sync without faults, in the same session.
.DESCRIPTION
    Both runs start from the same seeded state. The faulty run injects, on every API, 5 % system busy (WeCom -1 /
    Authing 500), 3 % bare HTTP 503 and 2 % throttling (WeCom 45033 / Authing 429), plus 2 ms latency on every call
    in both runs. Prints:
      - the faulty run's time as a ratio of the fault-free run's (target <= 1.5x);
      - changes lost: planned creates that are neither in WeCom afterwards nor reported as failed (target 0), and how
        many were reported failed (a re-run picks them up; the re-run's changes are printed too).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Configuration = 'Release',
    [int] $UserCount = 20000,
    [int] $DepartmentCount = 200,
    [int] $ThrottleLimit = 16,
    # The first back-off delay, scaled to the emulator's response time (see Initialize-Bench).
    [TimeSpan] $RetryDelay = [TimeSpan]::FromMilliseconds(20)
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../tools/Emulator.psm1') -Force

$emulator = Start-WeComSyncEmulator -Configuration $Configuration
try {
    $url = $emulator.BaseUrl
    $key = [pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))
    $secret = ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force

    function Initialize-Bench {
        Reset-WeComSyncEmulator -BaseUrl $url
        Connect-Authing -Credential $key -ApiHost $url -OrganizationCode emulator-org
        Initialize-AuthingLinkField -Confirm:$false | Out-Null
        Set-WeComSyncEmulatorAuthingOrganization -BaseUrl $url -UserCount $UserCount -DepartmentCount $DepartmentCount
        Set-WeComSyncEmulatorFault -BaseUrl $url -Kind latency -LatencyMs 2
        # Scaled like the emulator: its windows are a second (WeCom's a minute), and it answers in ~2 ms where WeCom takes
        # ~100 ms, so the back-off starts at -RetryDelay (20 ms, where 200 ms is the default against the real API).
        Connect-WeCom -CorpId ww-emulator -Secret $secret -ApiHost $url -RateWindow ([TimeSpan]::FromSeconds(1)) -RetryDelay $RetryDelay
        Connect-Authing -Credential $key -ApiHost $url -OrganizationCode emulator-org -RetryDelay $RetryDelay
    }

    function Invoke-Run {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $summary = Invoke-WeComDownstreamSync -ThrottleLimit $ThrottleLimit -WarningAction SilentlyContinue -ErrorAction SilentlyContinue 2>$null
        $watch.Stop()
        $users = $summary.Steps | Where-Object Name -EQ 'users'
        $inWeCom = @((Get-WeComSyncEmulatorState -BaseUrl $url).wecom.users).Count
        [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; Created = $users.Created; Failed = $users.Failed; InWeCom = $inWeCom; Status = $summary.Status }
    }

    Initialize-Bench
    $clean = Invoke-Run

    Initialize-Bench
    Set-WeComSyncEmulatorFault -BaseUrl $url -Kind busy -Rate 0.05
    Set-WeComSyncEmulatorFault -BaseUrl $url -Kind http -Status 503 -Rate 0.03
    Set-WeComSyncEmulatorFault -BaseUrl $url -Api wecom -Kind errcode -Errcode 45033 -Rate 0.02
    Set-WeComSyncEmulatorFault -BaseUrl $url -Api authing -Kind throttle -Rate 0.02
    $faulty = Invoke-Run
    $lost = $UserCount - $faulty.InWeCom - $faulty.Failed
    $rerun = Invoke-Run

    Write-Host ("Retry back-off starts at {0:0} ms (scaled to the emulator's ~2 ms answers; -RetryDelay)" -f $RetryDelay.TotalMilliseconds)
    Write-Host ("Fault-free downstream sync of {0} users: {1:0.0} s, {2} created, status {3}" -f $UserCount, $clean.Seconds, $clean.Created, $clean.Status)
    Write-Host ("With 10 % of calls failing: {0:0.0} s = {1:0.00}x the fault-free run (target <= 1.5x); {2} created, {3} reported failed, status {4}" -f $faulty.Seconds, ($faulty.Seconds / $clean.Seconds), $faulty.Created, $faulty.Failed, $faulty.Status)
    Write-Host ("Changes lost (planned, neither in WeCom nor reported failed): {0} (target 0); the re-run created {1}, {2} users in WeCom of {3}" -f $lost, $rerun.Created, $rerun.InWeCom, $UserCount)
}
finally {
    Disconnect-WeCom
    $emulator | Stop-WeComSyncEmulator
}
