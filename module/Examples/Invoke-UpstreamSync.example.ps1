<#
.SYNOPSIS
    Scheduled upstream sync, WeCom export -> Authing: a ready script for cron, a systemd timer or Task Scheduler.
.DESCRIPTION
    Copy this file next to your exports (e.g. /opt/wecomsync/Invoke-UpstreamSync.ps1), set the environment variables
    below for the account that runs it, and schedule it (Scheduling.md in the module folder; recommended: every two days).

    Credentials are never written in the script:
      WECOMSYNC_AUTHING_AK / WECOMSYNC_AUTHING_SK   Authing management access key id and secret, or
      -AuthingCredentialPath <file>                  a PSCredential saved with Export-Clixml (user = key id, password = secret)
      WECOMSYNC_WECOM_CORPID / WECOMSYNC_WECOM_SECRET  for -Mode DeleteOnly (recommended): the WeCom corp id and the
      -WeComCredentialPath <file>                      address-book sync secret (or a saved PSCredential: user = corp id);
                                                       the deletes are then checked against WeCom's own member list, so a
                                                       member missing from the file only (a hidden sheet, a filter, an old
                                                       file) is never deleted. Without them the run deletes unchecked and says so.
    Other settings (parameters win over the environment):
      WECOMSYNC_EXPORT_PATH     the export file, or a folder: its newest .xlsx/.xls/.csv is used
      WECOMSYNC_AUTHING_ORG     the Authing organization code
      WECOMSYNC_AUTHING_HOST    API host for a private Authing deployment (default: the public cloud)
      WECOMSYNC_WECOM_HOST      WeCom API host (a proxy; default: WeCom's own)
      WECOMSYNC_LOG_PATH        where run logs go (one folder per run); read them with Get-WeComSyncLog

    The exit code tells the scheduler how it went: 0 succeeded, 1 failed (nothing or not everything ran),
    2 finished but some objects failed (bad rows, failed objects: the run goes on), 3 stopped on purpose (the
    delete guard), 130 interrupted (Ctrl+C).
.EXAMPLE
    pwsh -NoProfile -File ./Invoke-UpstreamSync.ps1 -WhatIf
    Shows the plan and changes nothing: run this once by hand before scheduling.
.EXAMPLE
    pwsh -NoProfile -File ./Invoke-UpstreamSync.ps1 -Mode DeleteOnly -MaxDelete 20
    The separate delete-only run: removes Authing users no longer in the export, at most 20 (else it stops, exit code 3).
    With WECOMSYNC_WECOM_CORPID and WECOMSYNC_WECOM_SECRET set (the recommended way) a user WeCom still lists is never
    deleted, and more than five of them stop the run (exit code 1): the file looks stale or partial.
.EXAMPLE
    pwsh -NoProfile -File ./Invoke-UpstreamSync.ps1 -Mode DeleteOnly -DeleteAction Suspend
    Suspends the leavers instead (Authing status Suspended): one who is back in a later export is reactivated by the
    next run, never created twice; a later run without -DeleteAction Suspend deletes those still gone.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $Path = $env:WECOMSYNC_EXPORT_PATH,
    [string] $OrganizationCode = $env:WECOMSYNC_AUTHING_ORG,
    [string] $LogPath = $env:WECOMSYNC_LOG_PATH,
    [ValidateSet('CreateUpdate', 'DeleteOnly')] [string] $Mode = 'CreateUpdate',
    [string] $AuthingCredentialPath,
    [string] $AuthingApiHost = $env:WECOMSYNC_AUTHING_HOST,
    # Only for -Mode DeleteOnly: a PSCredential file (user = corp id, password = the address-book sync secret).
    [string] $WeComCredentialPath,
    [string] $WeComApiHost = $env:WECOMSYNC_WECOM_HOST,
    # Only for -Mode DeleteOnly: the most users one run may delete before the guard stops it.
    [int] $MaxDelete,
    # Only for -Mode DeleteOnly: Delete the leavers (the default) or Suspend them (Authing status Suspended).
    [ValidateSet('Delete', 'Suspend')] [string] $DeleteAction = 'Delete',
    # Run folders older than this many days are removed after the run (0 keeps everything).
    [int] $KeepLogDays = 90
)
$ErrorActionPreference = 'Stop'
# Output that is not a terminal (cron, a log file) gets no colour escape codes.
if ($PSStyle -and ([Console]::IsOutputRedirected -or [Console]::IsErrorRedirected)) { $PSStyle.OutputRendering = 'PlainText' }
# A bad row or a failed object is one error line and its recommendation ("Invoke-WeComUpstreamSync: … row 5: …"), with
# no script position, whatever view a profile chose (PowerShell 7; Windows PowerShell has no ConciseView).
if ($PSStyle) { $ErrorView = 'ConciseView' }
$runOutput = @()
$ended = $false   # still false in the finally below only when Ctrl+C (or a stop) cut the run short
# Whether this script is the process (pwsh -File …), whose exit code a scheduler reads; not a console that ran it.
$ownProcess = @([Environment]::GetCommandLineArgs() | Where-Object { $_ -like '*.ps1' -and (Test-Path -LiteralPath $_ -PathType Leaf) -and
        (Resolve-Path -LiteralPath $_).ProviderPath -eq $PSCommandPath }).Count -gt 0
Set-StrictMode -Version 3.0

function Get-AuthingCredential {
    if ($AuthingCredentialPath) { return Import-Clixml -LiteralPath $AuthingCredentialPath }
    if (-not $env:WECOMSYNC_AUTHING_AK -or -not $env:WECOMSYNC_AUTHING_SK) {
        throw 'No Authing credentials: set WECOMSYNC_AUTHING_AK and WECOMSYNC_AUTHING_SK, or pass -AuthingCredentialPath (a file saved with Get-Credential | Export-Clixml).'
    }
    $secret = ConvertTo-SecureString $env:WECOMSYNC_AUTHING_SK -AsPlainText -Force
    [pscredential]::new($env:WECOMSYNC_AUTHING_AK, $secret)
}

# The WeCom credential for the delete-only run's check, or nothing (then the run deletes unchecked and says so).
function Get-WeComCredential {
    if ($WeComCredentialPath) { return Import-Clixml -LiteralPath $WeComCredentialPath }
    if (-not $env:WECOMSYNC_WECOM_CORPID -or -not $env:WECOMSYNC_WECOM_SECRET) { return $null }
    [pscredential]::new($env:WECOMSYNC_WECOM_CORPID, (ConvertTo-SecureString $env:WECOMSYNC_WECOM_SECRET -AsPlainText -Force))
}

try {
    # WECOMSYNC_MODULE_PATH: the module's .psd1 when it is not installed in a PSModulePath folder.
    Import-Module $(if ($env:WECOMSYNC_MODULE_PATH) { $env:WECOMSYNC_MODULE_PATH } else { 'WeComSync' })
    if (-not $Path) { throw 'No export file: pass -Path or set WECOMSYNC_EXPORT_PATH.' }
    if (-not $OrganizationCode) { throw 'No organization: pass -OrganizationCode or set WECOMSYNC_AUTHING_ORG.' }
    if (-not $LogPath) { $LogPath = Join-Path $PSScriptRoot 'logs' }

    # A folder of exports: take the newest one, so the admin only has to drop the file there.
    if (Test-Path -LiteralPath $Path -PathType Container) {
        $file = Get-ChildItem -LiteralPath $Path -File | Where-Object Extension -In '.xlsx', '.xls', '.csv' |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1
        if (-not $file) { throw "No export (.xlsx, .xls, .csv) in '$Path'." }
        $Path = $file.FullName
    }
    Write-Host "Export: $Path ($((Get-Item -LiteralPath $Path).LastWriteTime.ToString('yyyy-MM-dd HH:mm')))"

    $connect = @{ Credential = Get-AuthingCredential; OrganizationCode = $OrganizationCode }
    if ($AuthingApiHost) { $connect.ApiHost = $AuthingApiHost }
    Connect-Authing @connect
    # Delete-only: the deletes are checked against WeCom's own member list (Invoke-WeComUpstreamSync uses the session's connection).
    $weComCredential = if ($Mode -eq 'DeleteOnly') { Get-WeComCredential }
    if ($weComCredential) {
        # The address-book sync secret may read user/list_id; another app's secret is checked through its visible range.
        $weCom = @{ Credential = $weComCredential; AppMode = $(if ($env:WECOMSYNC_WECOM_APPMODE) { $env:WECOMSYNC_WECOM_APPMODE } else { 'AddressBookSync' }) }
        if ($WeComApiHost) { $weCom.ApiHost = $WeComApiHost }
        Connect-WeCom @weCom
    }

    $sync = @{ Path = $Path; OrganizationCode = $OrganizationCode; Mode = $Mode; DeleteAction = $DeleteAction; LogPath = $LogPath; MaskPersonalData = $true }
    if ($PSBoundParameters.ContainsKey('MaxDelete')) { $sync.MaxDelete = $MaxDelete }
    if ($WhatIfPreference) { $sync.WhatIf = $true }
    # A scheduled run has no one to answer a prompt (Invoke-WeComUpstreamSync confirms each delete by default): the delete guard
    # (-MaxDelete, the percentage) is what stops a run that would remove too much. -Confirm asks for each one.
    $sync.Confirm = $PSBoundParameters.ContainsKey('Confirm') -and [bool] $PSBoundParameters['Confirm']
    # Bad rows and failed objects never stop the run (they are in the summary, the error stream and the run log);
    # -OutVariable keeps the one summary even when an error stops the run (the delete guard: exit code 3).
    Invoke-WeComUpstreamSync @sync -OutVariable runOutput | Out-Null
    $ended = $true
}
catch {
    # An error that stopped everything (bad credentials, no permission, a missing file): the message says what to fix.
    Write-Host "Upstream sync failed: $($_.Exception.Message)"
    # Not every error carries details (strict mode refuses a property of nothing).
    if ($_.ErrorDetails -and $_.ErrorDetails.RecommendedAction) { Write-Host $_.ErrorDetails.RecommendedAction }
    # Last: Ctrl+C while the run was failing leaves the lines above half-run (a stopping script runs no command).
    $ended = $true
}
finally {
    if (Get-Command Disconnect-Authing -ErrorAction Ignore) { Disconnect-Authing; Disconnect-WeCom }
    # Ctrl+C ends the script right after this block: tell the scheduler it was interrupted, as the run log records
    # it (130 = 128 + SIGINT, what a shell reports), not the 0 of a script that ran to its end. A stopping script
    # ignores 'exit', so the host is told; never a console's own host, which would close.
    if (-not $ended) {
        if ($ownProcess) { $host.SetShouldExit(130) }
        exit 130
    }
}

if ($KeepLogDays -gt 0 -and $LogPath -and (Test-Path -LiteralPath $LogPath)) {
    Get-ChildItem -LiteralPath $LogPath -Directory | Where-Object LastWriteTime -LT (Get-Date).AddDays(-$KeepLogDays) |
        Remove-Item -Recurse -Force -ErrorAction Continue
}
$summary = @($runOutput | Where-Object { $_ -is [WeComSync.RunLog.RunRecord] }) | Select-Object -Last 1
if ($summary) { $summary | Format-Table | Out-String -Width 120 | Write-Host }
# 0 succeeded, 1 failed, 2 some objects failed, 3 stopped on purpose (the delete guard), 130 interrupted.
exit $(if ($summary) { $summary.ExitCode } else { 1 })
