<#
.SYNOPSIS
    Benchmark: a downstream sync of -UserCount users into an empty emulated WeCom under a rate limit, and the
    no-change re-run.
.DESCRIPTION
    The emulator limits every WeCom API to -Limit calls per -WindowSeconds window (45009 and a block for the rest
    of the window when broken); the module's client-side limiter is set just under it. Prints:
      - achieved user/create calls per window as a fraction of the limit (target >= 90 %), and how many calls the
        emulator refused with 45009 (target 0: the limiter keeps the run under the limit instead of hitting blocks);
      - the no-change re-run's write calls (target 0) and its duration relative to the first run.
    The default window is scaled down (500 calls per 3 s = 10 000 calls/min, WeCom's documented per-API limit) so
    the benchmark takes about two minutes; -WindowSeconds 60 -Limit 2000 runs it at the issue's example rate.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Configuration = 'Release',
    [int] $UserCount = 20000,
    [int] $DepartmentCount = 200,
    [int] $Limit = 500,
    [double] $WindowSeconds = 3,
    [int] $ThrottleLimit = 16
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../tools/Emulator.psm1') -Force

$emulator = Start-WeComSyncEmulator -Configuration $Configuration
try {
    $url = $emulator.BaseUrl
    Connect-Authing -Credential ([pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))) -ApiHost $url -OrganizationCode emulator-org
    Initialize-AuthingLinkField -Confirm:$false | Out-Null
    # An organization of $DepartmentCount departments (three levels) and $UserCount users, seeded in one call.
    Set-WeComSyncEmulatorAuthingOrganization -BaseUrl $url -UserCount $UserCount -DepartmentCount $DepartmentCount

    Set-WeComSyncEmulatorRateLimit -BaseUrl $url -Api wecom -Limit $Limit -WindowSeconds $WindowSeconds
    $clientLimit = [int][Math]::Floor($Limit * 0.96)
    Clear-WeComSyncEmulatorCallCount -BaseUrl $url
    # -PassThru: the session keeps the connection too, and its client's call counters are read below.
    $connection = Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force) -AppMode AgentDevelopment -ApiHost $url `
        -CallsPerMinute $clientLimit -RateWindow ([TimeSpan]::FromSeconds($WindowSeconds)) -MaxWait ([TimeSpan]::FromSeconds($WindowSeconds * 3)) -PassThru
    $first = Invoke-WeComDownstreamSync -ThrottleLimit $ThrottleLimit -WarningAction SilentlyContinue
    $usersStep = $first.Steps | Where-Object Name -EQ 'users'
    $createAttempts = $connection.Client.CallCounts['user/create']
    $counts = Get-WeComSyncEmulatorCallCount -BaseUrl $url
    $served = ($counts.GetEnumerator() | Where-Object Key -Like '*user/create' | Measure-Object Value -Sum).Sum
    $seconds = $usersStep.Duration.TotalSeconds
    $perWindow = $createAttempts / $seconds * $WindowSeconds
    $refused = $createAttempts - $usersStep.Created - $usersStep.Failed

    $writesBefore = ($connection.Client.CallCounts.GetEnumerator() | Where-Object Key -In 'department/create', 'department/update', 'department/delete', 'user/create', 'user/update', 'user/batchdelete' | Measure-Object Value -Sum).Sum
    $second = Invoke-WeComDownstreamSync -ThrottleLimit $ThrottleLimit -WarningAction SilentlyContinue
    $writesAfter = ($connection.Client.CallCounts.GetEnumerator() | Where-Object Key -In 'department/create', 'department/update', 'department/delete', 'user/create', 'user/update', 'user/batchdelete' | Measure-Object Value -Sum).Sum

    Write-Host ("Downstream first run: {0} users and {1} departments created ({2} failed) in {3:0.0} s; run status {4}" -f $usersStep.Created, ($first.Steps | Where-Object Name -EQ 'departments').Created, $usersStep.Failed, $first.Duration.TotalSeconds, $first.Status)
    Write-Host ("user/create: {0:0} calls per {1} s window against a limit of {2}: {3:P1} of the limit (target >= 90 %)" -f $perWindow, $WindowSeconds, $Limit, ($perWindow / $Limit))
    Write-Host ("user/create calls refused or retried (45009 blocks and other retries): {0} (target 0); emulator served {1}" -f $refused, $served)
    Write-Host ("No-change re-run: {0} write calls (target 0); {1:0.0} s = {2:P0} of the first run's time; status {3}" -f ($writesAfter - $writesBefore), $second.Duration.TotalSeconds, ($second.Duration.TotalSeconds / $first.Duration.TotalSeconds), $second.Status)
}
finally {
    Disconnect-WeCom
    $emulator | Stop-WeComSyncEmulator
}
