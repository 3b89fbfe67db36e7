# Private helpers the two templates share for their run log, their summary and their exit code. Not exported
# (the manifest's FunctionsToExport lists only the templates); the templates see them because the root module
# dot-sources this file into the module's scope.
#
# How a template uses them:
#
#   $run = Start-WeComSyncRunLog -Name upstream -LogPath $LogPath -MaskPersonalData:$MaskPersonalData -BoundParameters $PSBoundParameters
#   $objectErrors = Get-WeComSyncErrorAction $ErrorActionPreference        # how per-object errors are shown; they never stop the run
#   $forward = @{ Invocation = $MyInvocation; ErrorAction = $objectErrors } # inner cmdlets' errors, written again as the template's
#   try {
#       $users = @(Get-AuthingUser -ErrorAction Continue -ErrorVariable +readErrors 2>&1 | Write-WeComSyncObjectError @forward)
#       $step = $run.BeginStep('read Authing users'); $step.Count('Read', $users.Count); $step.Complete()
#       Invoke-WeComSyncStep -Run $run -Name users -Plan $plan -Command Sync-AuthingUser -ErrorForwarding $forward
#       Complete-WeComSyncRun -Run $run -Cmdlet $PSCmdlet -FailOnError:$FailOnError     # emits the one summary
#   }
#   catch {
#       Complete-WeComSyncRun -Run $run -Cmdlet $PSCmdlet -ErrorRecord $_                # records Failed, emits the one summary, rethrows
#   }
#   finally { $run.Dispose() }                                                           # Ctrl+C: no catch runs, the run is Interrupted

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

function Get-WeComSyncErrorAction {
    <#
    .SYNOPSIS
        The -ErrorAction a template gives the cmdlets it calls for per-object errors (bad rows, failed objects).
    .DESCRIPTION
        Such errors never stop a run, whatever the caller's preference ($ErrorActionPreference = 'Stop' in a scheduled
        script, -ErrorAction Stop): they are counted in the summary and the run log, and the run goes on. The caller's
        preference only decides whether they are shown: SilentlyContinue and Ignore hide them (still collected with
        -ErrorVariable, which Ignore would not fill), anything else shows them.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ActionPreference])]
    param([Parameter(Mandatory)] [System.Management.Automation.ActionPreference] $Preference)
    if ($Preference -in 'SilentlyContinue', 'Ignore') { 'SilentlyContinue' } else { 'Continue' }
}

function Write-WeComSyncObjectError {
    <#
    .SYNOPSIS
        Passes on what an inner cmdlet wrote, its errors merged in with 2>&1: output as it is, and each error written
        again as the template's own, so that it reads like a cmdlet's error ("Invoke-WeComUpstreamSync: … row 19 …",
        at the caller's line) and not like a script's ("Line | 192 | $fileUsers = @(Import-WeComAddressBook …").
    .DESCRIPTION
        The record keeps its exception, ErrorId (now followed by the template's name), category, target and advice
        (ConvertTo-WeComSyncTemplateError). Write-Error stamps a record with the $MyInvocation of the scope it runs in:
        here the template's, given as -Invocation. -ErrorAction is the caller's display preference ($objectErrors):
        SilentlyContinue hides the errors (the caller's -ErrorVariable still gets them); a per-object error never stops
        the run. -Except keeps back the errors the template decides about itself (a file that cannot be read).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [System.Management.Automation.InvocationInfo] $Invocation,
        [Parameter(ValueFromPipeline)] [AllowNull()] [object] $InputObject,
        [scriptblock] $Except
    )
    process {
        if ($InputObject -isnot [System.Management.Automation.ErrorRecord]) { return , $InputObject }
        if ($Except -and (& $Except $InputObject)) { return }
        $MyInvocation = $Invocation
        Write-Error -ErrorRecord (ConvertTo-WeComSyncTemplateError $InputObject) -CategoryActivity $Invocation.MyCommand.Name
    }
}

function New-WeComSyncError {
    <#
    .SYNOPSIS
        An error record for a template's own refusals (an empty export …): an ErrorId, a category, what to do.
        Thrown with 'throw', it reaches the template's catch, which raises it as the template's error.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)] [string] $ErrorId,
        [Parameter(Mandatory)] [System.Management.Automation.ErrorCategory] $Category,
        [Parameter(Mandatory)] [string] $Message,
        [string] $RecommendedAction,
        [object] $TargetObject
    )
    $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($Message), $ErrorId, $Category, $TargetObject)
    if ($RecommendedAction) {
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($Message)
        $record.ErrorDetails.RecommendedAction = $RecommendedAction
    }
    $record
}

function Get-WeComSyncPlanText {
    <# .SYNOPSIS One line for a step's message: what the plan holds ("2 to create, 1 to update"), or "No changes.". #>
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowNull()] [AllowEmptyCollection()] [object[]] $Plan)
    if (-not $Plan -or $Plan.Count -eq 0) { return 'No changes.' }
    $verbs = @{ Create = 'to create'; Update = 'to update'; Move = 'to move'; Suspend = 'to suspend'; Delete = 'to delete'; Conflict = 'conflict(s)' }
    ($Plan | Group-Object { [string] $_.Operation } | ForEach-Object {
            "$($_.Count) $(if ($verbs.ContainsKey($_.Name)) { $verbs[$_.Name] } else { $_.Name.ToLowerInvariant() })"
        }) -join ', '
}

function Complete-WeComSyncReadStep {
    <# .SYNOPSIS Ends a reading step: Succeeded, or PartiallyFailed when a read failed (the side is then incomplete and no delete is planned from it). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [WeComSync.RunLog.RunStep] $Step,
        [Parameter(Mandatory, Position = 1)] [string] $Text,
        [Parameter(Position = 2)] [AllowNull()] [AllowEmptyCollection()] [object[]] $ReadErrors
    )
    if ($ReadErrors.Count) { $Step.Complete('PartiallyFailed', "$Text Read incompletely ($($ReadErrors.Count) error(s), first: $($ReadErrors[0])): no deletes.") }
    else { $Step.Complete('Succeeded', $Text) }
}

function Invoke-WeComSyncStep {
    <#
    .SYNOPSIS
        Applies one plan as one step of a run: writes the plan to the run log, runs the Sync-* command with the
        step, so every result is counted and logged even when the run is interrupted, and ends the step with a
        message saying what was planned (and, with -WhatIf, what would be done).
    .DESCRIPTION
        A delete guard refusal ends the step and the run as Stopped, then goes on to the template's catch.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [WeComSync.RunLog.RunLogWriter] $Run,
        [Parameter(Mandatory)] [string] $Name,
        [AllowNull()] [AllowEmptyCollection()] [object[]] $Plan,
        [Parameter(Mandatory)] [string] $Command,
        [hashtable] $Parameters = @{},
        # The template's Write-WeComSyncObjectError parameters: the command's per-object errors are written again as the template's.
        [Parameter(Mandatory)] [hashtable] $ErrorForwarding,
        [switch] $WhatIfRun,
        # The departments the plan was limited to (-Department/-ExcludeDepartment), named in the step's message.
        [string] $Scope,
        # What Compare-Directory warned while computing the plan (users kept suspended, conflicts): the console showed
        # it; the step's message keeps it in the run log.
        [AllowNull()] [AllowEmptyCollection()] [object[]] $Warning
    )
    $Plan = @($Plan | Where-Object { $null -ne $_ })
    $Run.WritePlan($Name, [WeComSync.Model.Change[]] $Plan)
    $step = $Run.BeginStep($Name)
    if ($Plan.Count) {
        try {
            # '$null =', not '| Out-Null': errors written upstream of Out-Null do not reach the caller's -ErrorVariable.
            $null = & $Command -InputObject $Plan -RunStep $step @Parameters -ErrorAction Continue 2>&1 | Write-WeComSyncObjectError @ErrorForwarding
        }
        catch {
            if ($_.FullyQualifiedErrorId -like 'DeleteGuard*') {
                $step.Complete('Stopped', $_.Exception.Message)
                $null = $Run.Stop($_.Exception.Message)
            }
            throw
        }
    }
    $text = Get-WeComSyncPlanText $Plan
    if ($Scope) { $text += " (scope: $Scope)" }
    $warnings = @($Warning | ForEach-Object { if ($_ -is [System.Management.Automation.WarningRecord]) { $_.Message } else { [string] $_ } } |
            Where-Object { $_ } | Select-Object -Unique)
    if ($WhatIfRun) {
        $step.Complete('Skipped', ((@($(if ($Plan.Count) { "What if: $text." } else { $text })) + $warnings) -join ' '))
        return
    }
    if ($Plan.Count) { $text = "Planned: $text." }
    # Say why nothing happened to some objects: conflicts and changes the run skipped count as Skipped, not as failures.
    if ($step.Skipped) { $text += " $($step.Skipped) skipped (see the results with Get-WeComSyncLog -Run <id>)." }
    $step.Complete('Running', ((@($text) + $warnings) -join ' '))
}

function Complete-WeComSyncRun {
    <#
    .SYNOPSIS
        Ends a run and emits its one summary (a WeComSync.RunLog.RunRecord: Status, counts, FailedCount, ExitCode).
    .DESCRIPTION
        Normal end: judges the status from the steps. A -WhatIf run's summary says what would be done (its Message,
        and a view of its own). With -FailOnError, a run that did not succeed (an object failed, a guard stopped it)
        then throws a script-terminating error (its TargetObject is the summary), so 'pwsh -File sync.ps1' stops and
        exits 1 even without $ErrorActionPreference = 'Stop'.
        With -ErrorRecord (from a catch block): records the run and its running steps as Failed (Stopped for a guard,
        Interrupted for Ctrl+C) with the error's redacted message, emits the summary, and raises the error again as
        the template's own: its ErrorId kept, no template source lines.
    #>
    [CmdletBinding(DefaultParameterSetName = 'End')]
    [OutputType([WeComSync.RunLog.RunRecord])]
    param(
        [Parameter(Mandatory)] [WeComSync.RunLog.RunLogWriter] $Run,
        # The template's $PSCmdlet, so that a rethrown error is raised by the template itself.
        [System.Management.Automation.PSCmdlet] $Cmdlet = $PSCmdlet,
        [Parameter(ParameterSetName = 'End')] [switch] $FailOnError,
        [Parameter(ParameterSetName = 'End')] [switch] $WhatIfRun,
        [Parameter(Mandatory, ParameterSetName = 'Error')] [System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    if ($PSCmdlet.ParameterSetName -eq 'Error') {
        # A -FailOnError stop thrown inside the template's try block arrives here once more: pass it on untouched.
        if ($ErrorRecord.FullyQualifiedErrorId -like 'WeComSyncRunNotSucceeded*') { throw $ErrorRecord }
        if ($Run.Status -eq 'Running') {
            $interrupted = $ErrorRecord.Exception -is [System.Management.Automation.PipelineStoppedException] -or
                $ErrorRecord.Exception -is [System.OperationCanceledException]
            if ($interrupted) { $null = $Run.Interrupt([WeComSync.RunLog.RunLogWriter]::InterruptedMessage) }
            # An API blocked beyond -MaxWait: a clean stop whose message says when to run again, not a failure.
            elseif ($ErrorRecord.FullyQualifiedErrorId -like 'RunStopped*') { $null = $Run.Stop($ErrorRecord.Exception.Message) }
            else { $null = $Run.Fail($ErrorRecord.Exception) }
        }
        $Run.ToRecord()
        $Cmdlet.ThrowTerminatingError((ConvertTo-WeComSyncTemplateError $ErrorRecord))
    }

    if ($WhatIfRun) {
        $planned = @($Run.ToRecord().Steps | Where-Object { $_.Message -like 'What if:*' } |
                ForEach-Object { "$($_.Name): $($_.Message.Substring(9).TrimEnd('.'))" })
        $message = if ($planned) { "What if: $($planned -join '; '). Nothing was written." } else { 'What if: no changes.' }
        $summary = $Run.Complete('Running', $message)
        $summary.PSObject.TypeNames.Insert(0, 'WeComSync.RunLog.RunRecord#WhatIf')
    }
    else { $summary = $Run.Complete() }
    $summary
    if ($FailOnError -and $summary.ExitCode -ne 0) {
        # 'throw', not ThrowTerminatingError: the error must end the calling script too (a statement-terminating
        # error would let 'pwsh -File sync.ps1' carry on and exit 0).
        throw (New-WeComSyncRunError -Summary $summary)
    }
}

function ConvertTo-WeComSyncTemplateError {
    <#
    .SYNOPSIS
        The error a template raises for one caught inside it: the same exception, ErrorId (without the inner
        command's name), category, target and advice, but without the inner position, so it reads like a cmdlet's
        error ("Invoke-WeComUpstreamSync: Cannot find the export file …") and not like a script's ("Line | 149 | …").
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    $id = ($ErrorRecord.FullyQualifiedErrorId -split ',')[0]
    $exception = $ErrorRecord.Exception
    if ($exception -is [System.Management.Automation.RuntimeException] -and $id -eq 'RuntimeException' -or $exception -is [System.Management.Automation.ActionPreferenceStopException]) {
        # A plain 'throw' in the template, or an error turned terminating by a preference: name the real cause.
        if ($exception -is [System.Management.Automation.ActionPreferenceStopException] -and $exception.ErrorRecord) {
            return ConvertTo-WeComSyncTemplateError $exception.ErrorRecord
        }
        $id = 'WeComSyncTemplateError'
    }
    $record = [System.Management.Automation.ErrorRecord]::new($exception, $id, $ErrorRecord.CategoryInfo.Category, $ErrorRecord.TargetObject)
    if ($ErrorRecord.ErrorDetails) { $record.ErrorDetails = $ErrorRecord.ErrorDetails }
    $record
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
