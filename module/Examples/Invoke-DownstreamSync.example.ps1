<#
.SYNOPSIS
    Scheduled downstream sync, Authing -> WeCom: a ready script for cron, a systemd timer or Task Scheduler.
.DESCRIPTION
    Copy this file (e.g. to /opt/wecomsync/Invoke-DownstreamSync.ps1), set the environment variables below for the
    account that runs it, and schedule it (Scheduling.md in the module folder; recommended: every morning).

    Credentials are never written in the script:
      WECOMSYNC_AUTHING_AK / WECOMSYNC_AUTHING_SK   Authing management access key id and secret, or -AuthingCredentialPath
      WECOMSYNC_WECOM_CORPID / WECOMSYNC_WECOM_SECRET  WeCom corp id and the app's secret, or -WeComCredentialPath
      (-*CredentialPath: a PSCredential saved with Export-Clixml; user = key id / corp id, password = secret)
    Other settings (parameters win over the environment):
      WECOMSYNC_AUTHING_ORG     the Authing organization code
      WECOMSYNC_AUTHING_HOST    API host for a private Authing deployment (default: the public cloud)
      WECOMSYNC_WECOM_APPMODE   the WeCom app mode: AddressBookSync (default), SelfBuilt or AgentDevelopment
      WECOMSYNC_WECOM_HOST      WeCom API host override (a proxy)
      WECOMSYNC_LOG_PATH        where run logs go (one folder per run); read them with Get-WeComSyncLog

    The exit code tells the scheduler how it went: 0 succeeded, 1 failed, 2 finished but some objects failed,
    3 stopped on purpose (the delete guard), 130 interrupted (Ctrl+C).
.EXAMPLE
    pwsh -NoProfile -File ./Invoke-DownstreamSync.ps1 -WhatIf
    Shows the plan and changes nothing: run this once by hand before scheduling.
.EXAMPLE
    pwsh -NoProfile -File ./Invoke-DownstreamSync.ps1 -UpdateMode Overwrite -ExcludeProperty Mobile,Email -Delete -MaxDelete 20
    Overwrites WeCom members from Authing except their mobile and email, and deletes at most 20 members no longer in Authing.
.EXAMPLE
    pwsh -NoProfile -File ./Invoke-DownstreamSync.ps1 -Delete -DeleteAction Suspend
    Disables the members no longer in Authing (enable 0) instead of deleting them: one who is back in Authing is
    enabled again by the next run, never created twice; a later run with -Delete alone deletes those still gone.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $OrganizationCode = $env:WECOMSYNC_AUTHING_ORG,
    [string] $LogPath = $env:WECOMSYNC_LOG_PATH,
    [ValidateSet('None', 'Changed', 'Overwrite')] [string] $UpdateMode = 'None',
    [string[]] $ExcludeProperty = @(),
    [switch] $Delete,
    # With -Delete: Delete the members no longer in Authing (the default) or Suspend them (WeCom enable 0).
    [ValidateSet('Delete', 'Suspend')] [string] $DeleteAction = 'Delete',
    [int] $MaxDelete,
    [string] $AuthingCredentialPath,
    [string] $WeComCredentialPath,
    [string] $AuthingApiHost = $env:WECOMSYNC_AUTHING_HOST,
    [string] $WeComApiHost = $env:WECOMSYNC_WECOM_HOST,
    # AddressBookSync (Connect-WeCom's default: the address-book sync secret, needed for writes), SelfBuilt or AgentDevelopment.
    [string] $WeComAppMode = $env:WECOMSYNC_WECOM_APPMODE,
    # Run folders older than this many days are removed after the run (0 keeps everything).
    [int] $KeepLogDays = 90
)
$ErrorActionPreference = 'Stop'
# Output that is not a terminal (cron, a log file) gets no colour escape codes.
if ($PSStyle -and ([Console]::IsOutputRedirected -or [Console]::IsErrorRedirected)) { $PSStyle.OutputRendering = 'PlainText' }
# A failed object is one error line and its recommendation ("Invoke-WeComDownstreamSync: …"), with no script position,
# whatever view a profile chose (PowerShell 7; Windows PowerShell has no ConciseView).
if ($PSStyle) { $ErrorView = 'ConciseView' }
$runOutput = @()
$ended = $false   # still false in the finally below only when Ctrl+C (or a stop) cut the run short
# Whether this script is the process (pwsh -File …), whose exit code a scheduler reads; not a console that ran it.
$ownProcess = @([Environment]::GetCommandLineArgs() | Where-Object { $_ -like '*.ps1' -and (Test-Path -LiteralPath $_ -PathType Leaf) -and
        (Resolve-Path -LiteralPath $_).ProviderPath -eq $PSCommandPath }).Count -gt 0
Set-StrictMode -Version 3.0

function Get-SavedCredential([string] $File, [string] $UserVariable, [string] $SecretVariable) {
    if ($File) { return Import-Clixml -LiteralPath $File }
    $user = [Environment]::GetEnvironmentVariable($UserVariable)
    $secret = [Environment]::GetEnvironmentVariable($SecretVariable)
    if (-not $user -or -not $secret) {
        throw "No credentials: set $UserVariable and $SecretVariable, or pass a file saved with Get-Credential | Export-Clixml."
    }
    [pscredential]::new($user, (ConvertTo-SecureString $secret -AsPlainText -Force))
}

try {
    # WECOMSYNC_MODULE_PATH: the module's .psd1 when it is not installed in a PSModulePath folder.
    Import-Module $(if ($env:WECOMSYNC_MODULE_PATH) { $env:WECOMSYNC_MODULE_PATH } else { 'WeComSync' })
    if (-not $OrganizationCode) { throw 'No organization: pass -OrganizationCode or set WECOMSYNC_AUTHING_ORG.' }
    if (-not $LogPath) { $LogPath = Join-Path $PSScriptRoot 'logs' }

    $authing = @{ Credential = Get-SavedCredential $AuthingCredentialPath 'WECOMSYNC_AUTHING_AK' 'WECOMSYNC_AUTHING_SK'; OrganizationCode = $OrganizationCode }
    if ($AuthingApiHost) { $authing.ApiHost = $AuthingApiHost }
    Connect-Authing @authing

    $wecom = @{ Credential = Get-SavedCredential $WeComCredentialPath 'WECOMSYNC_WECOM_CORPID' 'WECOMSYNC_WECOM_SECRET' }
    if ($WeComAppMode) { $wecom.AppMode = $WeComAppMode }
    if ($WeComApiHost) { $wecom.ApiHost = $WeComApiHost }
    Connect-WeCom @wecom

    $sync = @{ OrganizationCode = $OrganizationCode; UpdateMode = $UpdateMode; LogPath = $LogPath; MaskPersonalData = $true }
    if ($ExcludeProperty) { $sync.ExcludeProperty = $ExcludeProperty }
    if ($Delete) { $sync.Delete = $true; $sync.DeleteAction = $DeleteAction }
    if ($PSBoundParameters.ContainsKey('MaxDelete')) { $sync.MaxDelete = $MaxDelete }
    if ($WhatIfPreference) { $sync.WhatIf = $true }
    # Bad rows and failed objects never stop the run (they are in the summary, the error stream and the run log);
    # -OutVariable keeps the one summary even when an error stops the run (the delete guard: exit code 3).
    Invoke-WeComDownstreamSync @sync -OutVariable runOutput | Out-Null
    $ended = $true
}
catch {
    # An error that stopped everything (bad credentials, untrusted IP 60020, no permission): the message says what to fix.
    Write-Host "Downstream sync failed: $($_.Exception.Message)"
    # Not every error carries details (strict mode refuses a property of nothing).
    if ($_.ErrorDetails -and $_.ErrorDetails.RecommendedAction) { Write-Host $_.ErrorDetails.RecommendedAction }
    # Last: Ctrl+C while the run was failing leaves the lines above half-run (a stopping script runs no command).
    $ended = $true
}
finally {
    if (Get-Command Disconnect-WeCom -ErrorAction Ignore) { Disconnect-WeCom }
    if (Get-Command Disconnect-Authing -ErrorAction Ignore) { Disconnect-Authing }
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
