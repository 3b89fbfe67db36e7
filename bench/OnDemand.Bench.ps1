<#
.SYNOPSIS
    Benchmark: one user on demand downstream (Invoke-WeComDownstreamSync -UserId), beside a full run that syncs the
    same kind of user, on a pool of -Users Authing users (20 000) already in sync with WeCom.
.DESCRIPTION
    Each measured run syncs one new hire whose department (a new one under an existing department) WeCom does not have
    yet: the run creates the department, then the member, and writes both links back to Authing. The emulator answers
    every call -FastLatencyMs (2) or -LatencyMs (80) late. Figures:
      - calls (every API call the emulator served, tokens included) and wall time of the on-demand run, from a fresh
        connection (what a one-off admin command costs) and on a connection already used (what a listener's next event
        costs: tokens, the link-field check and the root department are known);
      - the same for the full run; the ratios full / on demand.
    Targets: on demand <= 8 calls and <= 1 s at 80 ms; >= 100x fewer calls than the full run. Reported, never asserted.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [int] $Users = 20000,
    [int] $Departments = 100,
    [int] $LatencyMs = 80,
    [int] $FastLatencyMs = 2
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../tools/Emulator.psm1') -Force

function Get-Sum($Calls) { [long](($Calls.Values | Measure-Object -Sum).Sum + 0) }
function Format-Ratio([double] $a, [double] $b) { if ($b -gt 0) { '{0:0.0}x' -f ($a / $b) } else { 'n/a' } }
$rows = [System.Collections.Generic.List[object]]::new()
function Add-Figure([string] $Figure, $OnDemand, $Full, [string] $Ratio = '') {
    $rows.Add([pscustomobject]@{ Figure = $Figure; 'On demand' = $OnDemand; 'Full run' = $Full; 'Full / on demand' = $Ratio })
}

$emulator = Start-WeComSyncEmulator -Configuration $Configuration
try {
    $url = $emulator.BaseUrl
    $key = [pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))
    $wecomSecret = ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force
    function Connect-Both {
        Connect-Authing -Credential $key -ApiHost $url -OrganizationCode emulator-org
        Connect-WeCom -CorpId ww-emulator -Secret $wecomSecret -AppMode AddressBookSync -ApiHost $url
    }
    function Invoke-Authing([string] $Path, [hashtable] $Body) {
        $r = Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $url -Path $Path -Body $Body
        if ($r.statusCode -ne 200) { throw "$Path answered $($r.statusCode): $($r.message)" }
        $r.data
    }

    # The pool in sync: Authing seeded, one full run (no latency) into an empty WeCom.
    Connect-Both
    Initialize-AuthingLinkField -Confirm:$false | Out-Null
    Set-WeComSyncEmulatorAuthingOrganization -BaseUrl $url -UserCount $Users -DepartmentCount $Departments
    $setup = [Diagnostics.Stopwatch]::StartNew()
    $seed = Invoke-WeComDownstreamSync -WarningAction SilentlyContinue
    $setup.Stop()
    Write-Host ("Setup: {0} users, {1} departments synced into WeCom in {2:0.0} s ({3})" -f $Users, $Departments, $setup.Elapsed.TotalSeconds, $seed.Status)

    # New hires, each in a department of its own that WeCom does not have: 新部门k under d1.
    $hire = 0
    function New-Hire {
        $script:hire++
        $k = $script:hire
        $d = Invoke-Authing /api/v3/create-department @{ organizationCode = 'emulator-org'; name = "新部门$k"; parentDepartmentId = 'd1'; departmentIdType = 'department_id'; metadata = @{} }
        $u = Invoke-Authing /api/v3/create-user @{ username = "newhire$k"; name = "新同事$k"; phone = ('137{0:00000000}' -f $k); phoneCountryCode = '+86'; email = "newhire$k@example.com" }
        $null = Invoke-Authing /api/v3/set-user-departments @{ userId = $u.userId; departments = @(@{ departmentId = $d.departmentId; isMainDepartment = $true }) }
        "newhire$k"
    }

    function Measure-Sync([int] $Latency, [switch] $OnDemand, [switch] $Warm) {
        $userId = New-Hire
        if ($Warm) {
            # The connection has served a run already (a listener's earlier event): tokens and what it proved are known.
            $null = Invoke-WeComDownstreamSync -UserId (New-Hire) -WarningAction SilentlyContinue
        }
        else { Connect-Both }
        Set-WeComSyncEmulatorFault -BaseUrl $url -Kind latency -LatencyMs $Latency
        Clear-WeComSyncEmulatorCallCount -BaseUrl $url
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $summary = if ($OnDemand) { Invoke-WeComDownstreamSync -UserId $userId -WarningAction SilentlyContinue } else { Invoke-WeComDownstreamSync -WarningAction SilentlyContinue }
        $watch.Stop()
        $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $url
        Clear-WeComSyncEmulatorFault -BaseUrl $url
        $departments = ($summary.Steps | Where-Object Name -EQ 'departments').Created
        $created = ($summary.Steps | Where-Object Name -EQ 'users').Created
        if ($summary.Status -ne 'Succeeded' -or $departments -ne 1 -or $created -ne 1) {
            Write-Warning "$(if ($OnDemand) { 'on demand' } else { 'full run' }) at $Latency ms: $($summary.Status), $departments department(s) and $created user(s) created (1 and 1 expected)"
        }
        [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; Calls = $calls; Total = Get-Sum $calls
            Tokens = [long]$calls['/cgi-bin/gettoken'] + [long]$calls['/api/v3/get-management-token'] }
    }

    $fastOnDemand = Measure-Sync -Latency $FastLatencyMs -OnDemand
    $slowOnDemand = Measure-Sync -Latency $LatencyMs -OnDemand
    $warmOnDemand = Measure-Sync -Latency $LatencyMs -OnDemand -Warm
    $fastFull = Measure-Sync -Latency $FastLatencyMs
    $slowFull = Measure-Sync -Latency $LatencyMs

    Add-Figure "calls at $FastLatencyMs ms (tokens included)" $fastOnDemand.Total $fastFull.Total (Format-Ratio $fastFull.Total $fastOnDemand.Total)
    Add-Figure "calls at $LatencyMs ms (target on demand <= 8)" $slowOnDemand.Total $slowFull.Total (Format-Ratio $slowFull.Total $slowOnDemand.Total)
    Add-Figure "  of which tokens (Connect-* fetched them before)" $slowOnDemand.Tokens $slowFull.Tokens
    Add-Figure "calls at $LatencyMs ms, connection in use" $warmOnDemand.Total $slowFull.Total (Format-Ratio $slowFull.Total $warmOnDemand.Total)
    Add-Figure "wall time s at $FastLatencyMs ms" ('{0:0.00}' -f $fastOnDemand.Seconds) ('{0:0.00}' -f $fastFull.Seconds) (Format-Ratio $fastFull.Seconds $fastOnDemand.Seconds)
    Add-Figure "wall time s at $LatencyMs ms (target on demand <= 1)" ('{0:0.00}' -f $slowOnDemand.Seconds) ('{0:0.00}' -f $slowFull.Seconds) (Format-Ratio $slowFull.Seconds $slowOnDemand.Seconds)
    Add-Figure "wall time s at $LatencyMs ms, connection in use" ('{0:0.00}' -f $warmOnDemand.Seconds) ('{0:0.00}' -f $slowFull.Seconds) (Format-Ratio $slowFull.Seconds $warmOnDemand.Seconds)

    Write-Host ''
    Write-Host "On-demand calls by endpoint at $LatencyMs ms (fresh connection; connection in use):"
    $slowOnDemand.Calls.Keys + $warmOnDemand.Calls.Keys | Sort-Object -Unique | ForEach-Object {
        [pscustomobject]@{ Endpoint = $_; Fresh = [long]$slowOnDemand.Calls[$_]; 'In use' = [long]$warmOnDemand.Calls[$_] }
    } | Format-Table -AutoSize | Out-String -Width 100 | Out-Host
    Write-Host "Figures ($Users users, $Departments departments; one new hire in a new department per run):"
    $rows | Format-Table -AutoSize | Out-String -Width 110 | Out-Host
    if ($slowOnDemand.Total -gt 8) { Write-Warning "on demand made $($slowOnDemand.Total) calls at $LatencyMs ms: above the 8-call target ($($warmOnDemand.Total) on a connection in use)" }
    if ($slowOnDemand.Seconds -gt 1) { Write-Warning ('on demand took {0:0.00} s at {1} ms: above the 1 s target' -f $slowOnDemand.Seconds, $LatencyMs) }
    if ($slowFull.Total -lt 100 * $slowOnDemand.Total) { Write-Warning ('the full run made {0} calls: fewer than 100x the on-demand run''s' -f $slowFull.Total) }
}
finally {
    Disconnect-Authing
    $emulator | Stop-WeComSyncEmulator
}
