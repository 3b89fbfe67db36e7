# Private helpers the two templates share for their run log, their summary and their exit code. Not exported
# (the manifest's FunctionsToExport lists only the templates); the templates see them because the root module
# dot-sources this file into the module's scope.
#
# How a template uses them:
#
#   $run = Start-WeComSyncRunLog -Name upstream -LogPath $LogPath -MaskPersonalData:$MaskPersonalData -BoundParameters $PSBoundParameters
#   try {
#       $step = $run.BeginStep('read Authing users'); $step.Count('Read', $users.Count); $step.Complete()
#       $run.WritePlan('users', $plan)
#       $step = $run.BeginStep('users')
#       $plan | Sync-AuthingUser | ForEach-Object { $step.Record($_) }
#       $step.Complete()
#       Complete-WeComSyncRun -Run $run -Cmdlet $PSCmdlet -FailOnError:$FailOnError     # emits the summary
#   }
#   catch {
#       Complete-WeComSyncRun -Run $run -Cmdlet $PSCmdlet -ErrorRecord $_                # records Failed, emits the summary, rethrows
#   }
#   finally { $run.Dispose() }

# The cmdlets' dll loads the engine lazily; scripts need its types (run log, model) before any cmdlet has run.
if (-not ('WeComSync.RunLog.RunLogWriter' -as [type])) {
    Add-Type -Path (Join-Path (Split-Path $PSScriptRoot) 'WeComSync.Core.dll')
}

function Start-WeComSyncRunLog {
    <#
    .SYNOPSIS
        Starts a run log: a run folder under -LogPath, or (without -LogPath) a run kept in memory that still counts
        steps and returns the same summary.
    #>
    [CmdletBinding()]
    [OutputType([WeComSync.RunLog.RunLogWriter])]
    param(
        [Parameter(Mandatory)] [string] $Name,
        [string] $LogPath,
        [switch] $MaskPersonalData,
        # The template's $PSBoundParameters: written to the summary as text (secrets, credentials and script blocks left out).
        [System.Collections.IDictionary] $BoundParameters
    )
    $options = [WeComSync.RunLog.RunLogOptions]::new()
    $options.MaskPersonalData = [bool] $MaskPersonalData
    $parameters = [ordered]@{}
    if ($BoundParameters) {
        foreach ($key in $BoundParameters.Keys) {
            $value = $BoundParameters[$key]
            if ($value -is [securestring] -or $value -is [pscredential] -or $value -is [scriptblock]) { continue }
            if ($value -is [System.Management.Automation.SwitchParameter]) { $value = $value.IsPresent }
            $parameters[$key] = $value
        }
    }
    $options.Parameters = $parameters
    $root = if ($LogPath) { $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($LogPath) } else { $null }
    [WeComSync.RunLog.RunLogWriter]::Start($root, $Name, $options)
}

function Complete-WeComSyncRun {
    <#
    .SYNOPSIS
        Ends a run and emits its summary (a WeComSync.RunLog.RunRecord: Status, counts, FailedCount, ExitCode).
    .DESCRIPTION
        Normal end: judges the status from the steps. With -FailOnError, a run that did not succeed (an object failed,
        a guard stopped it) then throws a script-terminating error (its TargetObject is the summary), so
        'pwsh -File sync.ps1' stops and exits 1 even without $ErrorActionPreference = 'Stop'.
        With -ErrorRecord (from a catch block): records the run and its running steps as Failed with the error's
        redacted message, emits the summary, and rethrows the error through the template's $PSCmdlet.
    #>
    [CmdletBinding(DefaultParameterSetName = 'End')]
    [OutputType([WeComSync.RunLog.RunRecord])]
    param(
        [Parameter(Mandatory)] [WeComSync.RunLog.RunLogWriter] $Run,
        # The template's $PSCmdlet, so that a rethrown error is raised by the template itself.
        [System.Management.Automation.PSCmdlet] $Cmdlet = $PSCmdlet,
        [Parameter(ParameterSetName = 'End')] [switch] $FailOnError,
        [Parameter(Mandatory, ParameterSetName = 'Error')] [System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    if ($PSCmdlet.ParameterSetName -eq 'Error') {
        # A -FailOnError stop thrown inside the template's try block arrives here once more: pass it on untouched.
        if ($ErrorRecord.FullyQualifiedErrorId -like 'WeComSyncRunNotSucceeded*') { throw $ErrorRecord }
        if ($Run.Status -eq 'Running') {
            $stopped = $ErrorRecord.Exception -is [System.Management.Automation.PipelineStoppedException] -or
                $ErrorRecord.Exception -is [System.OperationCanceledException]
            if ($stopped) { $Run.Stop('Stopped by the user.') }
            # An API blocked beyond -MaxWait: a clean stop whose message says when to run again, not a failure.
            elseif ($ErrorRecord.FullyQualifiedErrorId -like 'RunStopped*') { $Run.Stop($ErrorRecord.Exception.Message) }
            else { $Run.Fail($ErrorRecord.Exception) }
        }
        $Cmdlet.ThrowTerminatingError($ErrorRecord)
    }

    $summary = $Run.Complete()
    $summary
    if ($FailOnError -and $summary.ExitCode -ne 0) {
        # 'throw', not ThrowTerminatingError: the error must end the calling script too (a statement-terminating
        # error would let 'pwsh -File sync.ps1' carry on and exit 0).
        throw (New-WeComSyncRunError -Summary $summary)
    }
}

function New-WeComSyncRunError {
    <# .SYNOPSIS The terminating error -FailOnError raises: it names the run, says what failed and how to look; its TargetObject is the summary. #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param([Parameter(Mandatory)] [WeComSync.RunLog.RunRecord] $Summary)
    $what = switch ($Summary.Status) {
        'Stopped' { "was stopped: $($Summary.Message)" }
        'Failed' { if ($Summary.Message) { "failed: $($Summary.Message)" } else { "failed: $($Summary.Failed) object(s) failed" } }
        default { "ended $($Summary.Status): $($Summary.Failed) object(s) failed" }
    }
    $message = "The $($Summary.Name) run $($Summary.RunId) $what"
    $look = if ($Summary.Path) {
        "See the failed objects with: Get-WeComSyncLog -Path '$(Split-Path $Summary.Path)' -Run $($Summary.ShortId) -Failed"
    } else { 'Run again with -LogPath to keep a run log, and read it with Get-WeComSyncLog.' }
    $category = if ($Summary.Status -eq 'Stopped') { 'OperationStopped' } else { 'InvalidResult' }
    $record = [System.Management.Automation.ErrorRecord]::new(
        [System.InvalidOperationException]::new($message), "WeComSyncRunNotSucceeded.$($Summary.Status)", $category, $Summary)
    $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($message)
    $record.ErrorDetails.RecommendedAction = $look
    $record
}
