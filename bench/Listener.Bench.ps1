<#
.SYNOPSIS
    Benchmark: Start-WeComSyncListener against the emulator's own callbacks and webhooks over HTTP on 127.0.0.1.
.DESCRIPTION
    - Event → applied change, p50/p95, at 2 ms and -LatencyMs (80 ms) emulator latency (target p95 <= 2 s at 80 ms):
      a user created in Authing (console) until the listener's user/create reaches WeCom, and a member renamed in the
      WeCom console until the listener's update reaches Authing. "Applied" is when the emulator applied the listener's
      write (the createdAt of the event that write sent), so no polling call is counted.
    - A burst of -BurstEvents WeCom console edits for -BurstUsers members sent within a minute: service API calls per
      event (coalescing), events lost (members whose Authing name is not their last WeCom name; target 0), the
      process's peak working set.
    - -Forged forged or replayed requests (every kind the emulator forges): acted on (target 0).
    The listener runs in a second runspace of this process and is stopped by its stop file.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [int] $LatencyMs = 80,
    [int] $Samples = 20,
    [int] $Users = 1000,
    [int] $BurstUsers = 1000,
    [int] $BurstEvents = 5000,
    [int] $Forged = 1000
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../tools/Emulator.psm1') -Force

$token = 'BenchToken1'; $aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'; $hookSecret = 'bench-webhook-secret'
$work = Join-Path ([IO.Path]::GetTempPath()) "wecomsync-listener-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
New-Item -ItemType Directory -Path $work | Out-Null
$stopFile = Join-Path $work 'stop'
$probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
$prefix = "http://127.0.0.1:$port/"
$rows = [System.Collections.Generic.List[object]]::new()
function Add-Figure([string] $Figure, $Value, [string] $Target = '') { $rows.Add([pscustomobject]@{ Figure = $Figure; Value = $Value; Target = $Target }) }
function Get-Percentile([double[]] $Values, [double] $P) {
    if ($Values.Count -eq 0) { return [double]::NaN }
    $sorted = $Values | Sort-Object
    $sorted[[Math]::Min($sorted.Count - 1, [int][Math]::Ceiling($P * $sorted.Count) - 1)]
}
function Get-Sum($Calls) { [long](($Calls.Values | Measure-Object -Sum).Sum + 0) }

$emulator = Start-WeComSyncEmulator -Configuration $Configuration
$listener = $null
try {
    $url = $emulator.BaseUrl
    function Control([string] $Method, [string] $Path, $Body) {
        $params = @{ Uri = $url.TrimEnd('/') + '/_emulator/' + $Path; Method = $Method; ContentType = 'application/json; charset=utf-8' }
        if ($null -ne $Body) { $params.Body = [Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $Body -Depth 16 -Compress)) }
        Invoke-RestMethod @params
    }
    function Get-Events([string] $Query) { $r = Control GET "events?$Query"; foreach ($e in @($r)) { foreach ($x in @($e)) { if ($x -and $x.createdAt) { $x } } } }
    function Wait-Idle {
        $quiet = 0
        $until = [DateTime]::UtcNow.AddMinutes(10)
        while ($quiet -lt 3 -and [DateTime]::UtcNow -lt $until) {
            $idle = (Control GET 'events/idle?timeoutMs=10000').idle
            $health = Invoke-RestMethod ($prefix + 'health')
            if ($idle -and $health.QueueDepth -eq 0 -and $health.InFlight -eq 0) { $quiet++ } else { $quiet = 0 }
            Start-Sleep -Milliseconds 300
        }
    }
    $key = [pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))
    $wecomSecret = ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force
    Reset-WeComSyncEmulator -BaseUrl $url
    Connect-Authing -Credential $key -ApiHost $url -OrganizationCode emulator-org
    Initialize-AuthingLinkField -Confirm:$false | Out-Null
    Set-WeComSyncEmulatorAuthingOrganization -BaseUrl $url -UserCount ([Math]::Max($Users, $BurstUsers)) -DepartmentCount 50
    Connect-WeCom -CorpId ww-emulator -Secret $wecomSecret -ApiHost $url | Out-Null
    $null = Invoke-WeComDownstreamSync -WarningAction SilentlyContinue      # WeCom follows Authing before any event

    # The listener in a runspace of its own, with the same module and connections.
    $runspace = [runspacefactory]::CreateRunspace(); $runspace.Open()
    $listener = [powershell]::Create(); $listener.Runspace = $runspace
    $null = $listener.AddScript({
        param($ModulePath, $url, $prefix, $token, $aesKey, $hookSecret, $stopFile)
        Import-Module $ModulePath -Force
        $key = [pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))
        Connect-Authing -Credential $key -ApiHost $url -OrganizationCode emulator-org
        Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force) -ApiHost $url | Out-Null
        Start-WeComSyncListener -Prefix $prefix -WeComToken (ConvertTo-SecureString $token -AsPlainText -Force) `
            -WeComEncodingAesKey (ConvertTo-SecureString $aesKey -AsPlainText -Force) -AuthingWebhookSecret (ConvertTo-SecureString $hookSecret -AsPlainText -Force) `
            -IgnoreRootDepartment -StopFile $stopFile -WarningAction SilentlyContinue
    }).AddArgument($ModulePath).AddArgument($url).AddArgument($prefix).AddArgument($token).AddArgument($aesKey).AddArgument($hookSecret).AddArgument($stopFile)
    $async = $listener.BeginInvoke()
    $until = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        try { $null = Invoke-RestMethod ($prefix + 'health'); break }
        catch { if ([DateTime]::UtcNow -gt $until -or $async.IsCompleted) { throw "The listener did not start: $($listener.Streams.Error | Select-Object -First 1)" }; Start-Sleep -Milliseconds 200 }
    }
    $null = Control POST 'wecom/callback' @{ url = $prefix + 'wecom'; token = $token; encodingAesKey = $aesKey; mode = 'full' }
    $null = Register-AuthingWebhook -Url ($prefix + 'authing') -Secret (ConvertTo-SecureString $hookSecret -AsPlainText -Force)
    $state = Get-WeComSyncEmulatorState -BaseUrl $url

    # ---- event → applied change ---------------------------------------------------------------------------------
    foreach ($latency in @(2, $LatencyMs)) {
        Set-WeComSyncEmulatorFault -BaseUrl $url -Kind latency -LatencyMs $latency
        $down = [System.Collections.Generic.List[double]]::new(); $up = [System.Collections.Generic.List[double]]::new()
        for ($i = 0; $i -lt $Samples; $i++) {
            $name = "hire$latency-$i"
            $t0 = [DateTimeOffset]::UtcNow
            $created = Control POST 'authing/console' @{ op = 'create-user'; body = @{ username = $name; name = "新人$i"; phone = ('137{0:00000000}' -f ($latency * 1000 + $i)); phoneCountryCode = '+86'; email = "$name@example.com" } }
            $null = Control POST 'authing/console' @{ op = 'set-user-departments'; body = @{ userId = $created.userId; departments = @(@{ departmentId = 'd1'; isMainDepartment = $true }); options = @{ userIdType = 'user_id' } } }
            $applied = $null; $until = [DateTime]::UtcNow.AddSeconds(60)
            while (-not $applied -and [DateTime]::UtcNow -lt $until) {
                $applied = Get-Events "source=wecom&event=create_user&objectId=$name" | Select-Object -First 1
                if (-not $applied) { Start-Sleep -Milliseconds 20 }
            }
            if ($applied) { $down.Add(([DateTimeOffset]$applied.createdAt - $t0).TotalMilliseconds) }

            $member = "user$i"; $authingId = "u$i"
            $t0 = [DateTimeOffset]::UtcNow
            $null = Control POST 'wecom/console' @{ op = 'update_user'; body = @{ userid = $member; name = "改名$latency-$i" } }
            $applied = $null; $until = [DateTime]::UtcNow.AddSeconds(60)
            while (-not $applied -and [DateTime]::UtcNow -lt $until) {
                $applied = Get-Events "source=authing&event=user:updated&objectId=$authingId" | Where-Object { [DateTimeOffset]$_.createdAt -gt $t0 } | Select-Object -First 1
                if (-not $applied) { Start-Sleep -Milliseconds 20 }
            }
            if ($applied) { $up.Add(([DateTimeOffset]$applied.createdAt - $t0).TotalMilliseconds) }
            Wait-Idle
        }
        Add-Figure "Authing user created -> WeCom, $latency ms: p50 / p95 (ms)" ('{0:0} / {1:0} ({2} of {3})' -f (Get-Percentile $down 0.5), (Get-Percentile $down 0.95), $down.Count, $Samples) $(if ($latency -eq $LatencyMs) { 'p95 <= 2000' })
        Add-Figure "WeCom member renamed -> Authing, $latency ms: p50 / p95 (ms)" ('{0:0} / {1:0} ({2} of {3})' -f (Get-Percentile $up 0.5), (Get-Percentile $up 0.95), $up.Count, $Samples) $(if ($latency -eq $LatencyMs) { 'p95 <= 2000' })
    }
    Clear-WeComSyncEmulatorFault -BaseUrl $url

    # ---- burst ----------------------------------------------------------------------------------------------------
    Wait-Idle
    Clear-WeComSyncEmulatorCallCount -BaseUrl $url
    $before = Invoke-RestMethod ($prefix + 'health')
    $perUser = [Math]::Max(1, [int]($BurstEvents / $BurstUsers))
    $edits = [System.Collections.Generic.List[object]]::new()
    for ($k = 0; $k -lt $perUser; $k++) { for ($i = 0; $i -lt $BurstUsers; $i++) { $edits.Add(@{ op = 'update_user'; body = @{ userid = "user$i"; name = "突发$i-$k" } }) } }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    for ($j = 0; $j -lt $edits.Count; $j += 250) { $null = Control POST 'wecom/console' @($edits.GetRange($j, [Math]::Min(250, $edits.Count - $j))) }
    $sent = $watch.Elapsed.TotalSeconds
    Wait-Idle
    $watch.Stop()
    $after = Invoke-RestMethod ($prefix + 'health')
    $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $url
    $serviceCalls = [long](($calls.GetEnumerator() | Where-Object Key -Match '^/(cgi-bin|api/v3)/' | Measure-Object Value -Sum).Sum + 0)
    $authingUsers = @(Get-AuthingUser -WarningAction SilentlyContinue)
    $lost = 0
    for ($i = 0; $i -lt $BurstUsers; $i++) { if (($authingUsers | Where-Object UserId -EQ "user$i").Name -ne "突发$i-$($perUser - 1)") { $lost++ } }
    $events = $edits.Count
    Add-Figure "Burst: events sent / in seconds" ("$events / {0:0.0}" -f $sent) '5 000 for 1 000 users within 60 s'
    Add-Figure "Burst: events taken (new, after retries collapsed) / coalesced" ("$($after.Received - $before.Received) / $($after.Coalesced - $before.Coalesced)")
    Add-Figure "Burst: our own writes' echoes dropped" ($after.EchoesDropped - $before.EchoesDropped)
    Add-Figure "Burst: service API calls per event" ('{0:0.00}' -f ($serviceCalls / [Math]::Max(1, $events)))
    Add-Figure "Burst: batches / until applied (s)" ("$($after.Batches - $before.Batches) / {0:0.0}" -f $watch.Elapsed.TotalSeconds)
    Add-Figure "Burst: events lost (members not at their last name)" $lost '0'
    Add-Figure "Peak working set of this process (MB)" ('{0:0}' -f ([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB))

    # ---- forged ---------------------------------------------------------------------------------------------------
    Clear-WeComSyncEmulatorCallCount -BaseUrl $url
    $before = Invoke-RestMethod ($prefix + 'health')
    $kinds = @(@('wecom', 'bad-signature'), @('wecom', 'missing-signature'), @('wecom', 'old-timestamp'), @('wecom', 'replay'), @('wecom', 'wrong-corpid'),
        @('wecom', 'wrong-key'), @('wecom', 'malformed-xml'), @('authing', 'wrong-token'), @('authing', 'no-token'), @('authing', 'malformed-json'), @('authing', 'replay'))
    for ($i = 0; $i -lt $Forged; $i++) { $k = $kinds[$i % $kinds.Count]; $null = Control POST 'events/forge' @{ source = $k[0]; kind = $k[1] } }
    Wait-Idle
    $after = Invoke-RestMethod ($prefix + 'health')
    $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $url
    $writes = [long](($calls.GetEnumerator() | Where-Object Key -Match '/(create|update|delete|batchdelete|set-user-)' | Measure-Object Value -Sum).Sum + 0)
    Add-Figure "Forged/replayed requests: sent / refused / duplicates" "$Forged / $($after.Refused - $before.Refused) / $($after.Duplicates - $before.Duplicates)"
    Add-Figure "Forged/replayed requests acted on (events taken, writes)" "$($after.Received - $before.Received), $writes" '0, 0'
}
finally {
    if ($listener) {
        New-Item -ItemType File -Path $stopFile -Force | Out-Null
        $null = $async.AsyncWaitHandle.WaitOne(60000)
        $listener.Dispose(); $runspace.Dispose()
    }
    $emulator | Stop-WeComSyncEmulator
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
