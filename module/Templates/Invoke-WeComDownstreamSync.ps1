# The downstream template: Authing -> WeCom, written from the module's cmdlets.
# The cmdlets' dll loads the engine lazily; the template needs its types (run log, model) before any cmdlet has run.
if (-not ('WeComSync.RunLog.RunLogWriter' -as [type])) {
    Add-Type -Path (Join-Path (Split-Path $PSScriptRoot) 'WeComSync.Core.dll')
}

function Invoke-WeComDownstreamSync {
    <#
    .SYNOPSIS
        Makes WeCom follow an Authing organization: departments (parents first), then users; new WeCom ids written back.
    .DESCRIPTION
        The out-of-the-box downstream sync (Authing -> WeCom), for a scheduled run every morning. It reads the Authing
        organization (Get-AuthingDepartment, Get-AuthingUser, the organization's root standing for WeCom's root, id 1)
        and WeCom (Get-WeComDepartment, Get-WeComUser), compares them (Compare-Directory) and applies the difference
        (Sync-WeComDepartment, then Sync-WeComUser).
        Users are associated by the link field (wechatwork_user_id), then username = userid, then by name when the
        name is unique among the unmatched users on both sides; a name held by several is reported and that user is
        neither matched nor created. Users in Authing but not in WeCom are created (userid = the link field, else the
        username); users in both are not updated (-UpdateMode None, the default: WeCom withholds the sensitive fields,
        so they cannot be compared), fully overwritten (Overwrite) or updated where the known fields differ (Changed);
        -ExcludeProperty fields are never written. Users and departments no longer in Authing are deleted only with
        -Delete, users before departments, behind the delete guard (-MaxDelete, -MaxDeletePercent; -Force).
        After each create the new WeCom ids are written to Authing's link fields, so the next run matches. A link lost
        on the way (a fault, a stopped run) is written again by the next run, whatever -UpdateMode, with no WeCom write:
        the plan shows it as "~ link user lisi (李四) to WeCom lisi".
        Run it with -WhatIf first: it reads everything, shows the full plan and makes no write call.
        Returns the run summary (status, each step's counts). With -LogPath it also writes a run folder that
        Get-WeComSyncLog reads. Needs Connect-Authing and Connect-WeCom first (or -AuthingConnection, -WeComConnection).
    .PARAMETER OrganizationCode
        The Authing organization WeCom follows; default: the Authing connection's.
    .PARAMETER UpdateMode
        None (create and delete only, the default; lost links are still written back to Authing), Overwrite (send
        every known Authing field) or Changed.
    .PARAMETER ExcludeProperty
        User fields never overwritten on existing WeCom members (e.g. Mobile, Email, which members keep up themselves).
        New members are still created with them: WeCom needs a mobile or an email to create a member.
    .PARAMETER FieldMap
        Where WeCom keeps the user fields beyond the defaults, on top of Connect-WeCom -FieldMap: a hashtable from a
        model field or a mapped source to a WeCom member field or extattr.<name>, e.g. @{ '工号' = 'extattr.工号' }, or
        the path of a .psd1/.json file. The Authing side reads a mapped source where Connect-Authing -FieldMap puts it,
        else from the custom data key of the same name.
    .PARAMETER Department
        Only these departments (paths such as 示例科技/研发部, or WeCom ids), subtrees included: nothing outside is
        created, updated or deleted, and the delete guard counts only what is in scope. A user moved out is left alone.
    .PARAMETER ExcludeDepartment
        Departments (paths or ids) whose subtrees are out of scope, even inside -Department.
    .PARAMETER DeleteAction
        With -Delete: Delete (the default) or Suspend (WeCom enable 0; departments are then not deleted). A suspended
        member back in Authing is reactivated, never created twice.
    .PARAMETER InviteNewMember
        Let WeCom invite the members this run creates (a WeChat notice, SMS or email to each). Off by default: WeCom's
        user/create invites unless told not to, and a sync should not message everyone it creates.
    .PARAMETER Delete
        Also delete the WeCom users and departments that are not in the Authing organization.
    .PARAMETER MaxDelete
        Most deletes one run may apply (per kind).
    .PARAMETER MaxDeletePercent
        Most deletes one run may apply, as a percentage of what WeCom holds.
    .PARAMETER Force
        Delete beyond the delete guard's limits.
    .PARAMETER NoNameMatch
        Do not associate users by unique name.
    .PARAMETER LogPath
        A folder for run logs; each run writes its own sub-folder.
    .PARAMETER ThrottleLimit
        Most WeCom calls in flight at once: an optional ceiling. Without it the number adapts to the service (grows
        while calls succeed quickly, halves when throttled), up to 64, under the connection's -CallsPerMinute.
    .PARAMETER MaskPersonalData
        Mask mobile numbers and emails in the run log.
    .PARAMETER FailOnError
        End with a terminating error when the run did not fully succeed (scheduled scripts then exit 1).
    .PARAMETER AuthingConnection
        The Authing connection; default the session's (Connect-Authing).
    .PARAMETER WeComConnection
        The WeCom connection; default the session's (Connect-WeCom).
    .EXAMPLE
        Connect-Authing -Credential $authingKey -OrganizationCode acme
        Connect-WeCom -CorpId ww1234567890abcdef -Secret $secret -AppMode AgentDevelopment
        Invoke-WeComDownstreamSync -WhatIf
        Reads both sides and prints every change it would make in WeCom; makes no write call.
    .EXAMPLE
        Invoke-WeComDownstreamSync -OrganizationCode acme -UpdateMode Overwrite -ExcludeProperty Mobile, Email -LogPath /var/log/wecomsync
        Creates missing users and departments and overwrites the others from Authing, never their mobile or email;
        keeps a run log.
    .EXAMPLE
        Invoke-WeComDownstreamSync -Delete -MaxDelete 20 -FailOnError -Confirm:$false
        A scheduled run that also removes people who left (at most 20, and 10 %, else it stops) and exits non-zero if
        anything failed.
    .OUTPUTS
        WeComSync.RunLog.RunRecord
    .LINK
        about_WeComSync
    .LINK
        Get-WeComSyncLog
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([WeComSync.RunLog.RunRecord])]
    param(
        [ArgumentCompleter([WeComSync.PowerShell.Infrastructure.OrganizationCodeCompleter])]
        [string] $OrganizationCode,
        [ValidateSet('None', 'Overwrite', 'Changed')]
        [string] $UpdateMode = 'None',
        [ArgumentCompleter([WeComSync.PowerShell.Infrastructure.UserFieldCompleter])]
        [string[]] $ExcludeProperty,
        [object] $FieldMap,
        [string[]] $Department,
        [string[]] $ExcludeDepartment,
        [ValidateSet('Delete', 'Suspend')]
        [string] $DeleteAction = 'Delete',
        [switch] $InviteNewMember,
        [switch] $Delete,
        [ValidateRange(0, [int]::MaxValue)]
        [int] $MaxDelete = 500,
        [ValidateRange(0, 100)]
        [double] $MaxDeletePercent = 10,
        [switch] $Force,
        [switch] $NoNameMatch,
        [string] $LogPath,
        [ValidateRange(1, 64)]
        [int] $ThrottleLimit,
        [switch] $MaskPersonalData,
        [switch] $FailOnError,
        [WeComSync.Authing.AuthingConnection] $AuthingConnection,
        [WeComSync.WeCom.WeComConnection] $WeComConnection
    )

    $run = Start-WeComSyncRunLog -Name downstream -LogPath $LogPath -MaskPersonalData:$MaskPersonalData -BoundParameters $PSBoundParameters
    # The organization's root is WeCom's root department (id 1): never created, renamed or deleted.
    $authing = @{ RootLinkId = '1' }
    if ($AuthingConnection) { $authing.Connection = $AuthingConnection }
    if ($OrganizationCode) { $authing.OrganizationCode = $OrganizationCode }
    $wecom = @{}
    if ($WeComConnection) { $wecom.Connection = $WeComConnection }
    # Per-object errors (failed objects) are shown as the caller's preference says, and never stop the run.
    $objectErrors = Get-WeComSyncErrorAction $ErrorActionPreference
    # The inner cmdlets' errors are written again as the template's own (RunSupport.ps1): no template source lines.
    $forward = @{ Invocation = $MyInvocation; ErrorAction = $objectErrors }
    $whatIfRun = [bool] $WhatIfPreference
    $apply = @{ WhatIf = $whatIfRun }
    # Without -ThrottleLimit the calls in flight adapt to the service (up to 64); with it, that is the ceiling.
    if ($ThrottleLimit) { $apply.ThrottleLimit = $ThrottleLimit }
    $reads = if ($ThrottleLimit) { @{ ThrottleLimit = $ThrottleLimit } } else { @{} }
    $apply.Confirm = if ($PSBoundParameters.ContainsKey('Confirm')) { $PSBoundParameters.Confirm } else { $false }
    $writeBack = @{}
    if ($AuthingConnection) { $writeBack.AuthingConnection = $AuthingConnection }
    if ($OrganizationCode) { $writeBack.OrganizationCode = $OrganizationCode }
    $guard = @{ MaxDelete = $MaxDelete; MaxDeletePercent = $MaxDeletePercent; Force = $Force }
    $operations = if ($Delete) { 'Create', 'Update', 'Delete' } else { 'Create', 'Update' }
    $sync = @{ Run = $run; WhatIfRun = $whatIfRun; ErrorForwarding = $forward }
    $toWeCom = $wecom + $apply + $writeBack
    # The field map reads and writes WeCom's users and says what Compare-Directory compares besides the model's fields.
    $fields = @{}
    if ($FieldMap) { $fields.FieldMap = $FieldMap }
    # The scope: Compare-Directory leaves everything outside it alone; each step's message names it.
    $scope = @{}
    if ($Department) { $scope.Department = $Department }
    if ($ExcludeDepartment) { $scope.ExcludeDepartment = $ExcludeDepartment }
    if ($scope.Count) { $sync.Scope = [string] [WeComSync.Comparison.DepartmentScope]@{ Include = [string[]] @($Department); Exclude = [string[]] @($ExcludeDepartment) } }

    try {
        # 1. Departments: read both sides, apply creates, renames and moves (parents first). Deletes wait for the users.
        $step = $run.BeginStep('read departments')
        $readErrors = @()
        $authingDepartments = @(Get-AuthingDepartment @authing -ErrorAction Continue -ErrorVariable +readErrors 2>&1 | Write-WeComSyncObjectError @forward)
        $wecomDepartments = @(Get-WeComDepartment @wecom -ErrorAction Continue -ErrorVariable +readErrors 2>&1 | Write-WeComSyncObjectError @forward)
        $step.Count('Read', $authingDepartments.Count + $wecomDepartments.Count)
        Complete-WeComSyncReadStep $step "Authing $($authingDepartments.Count), WeCom $($wecomDepartments.Count)." $readErrors
        $departmentMode = if ($UpdateMode -eq 'Overwrite') { 'Changed' } else { $UpdateMode }
        $departmentPlan = @(Compare-Directory -InformationAction Ignore -ReferenceObject $authingDepartments -DifferenceObject $wecomDepartments -UpdateMode $departmentMode -Operation $operations @scope -WarningVariable departmentWarnings)
        $departmentDeletes = @($departmentPlan | Where-Object Operation -EQ 'Delete')
        Invoke-WeComSyncStep @sync -Name departments -Plan @($departmentPlan | Where-Object Operation -NE 'Delete') -Warning $departmentWarnings -Command Sync-WeComDepartment -Parameters $toWeCom

        # 2. Users, read after the departments so that new department links resolve.
        $step = $run.BeginStep('read users')
        $readErrors = @()
        $authingUsers = @(Get-AuthingUser @authing @reads -ErrorAction Continue -ErrorVariable +readErrors 2>&1 | Write-WeComSyncObjectError @forward)
        $wecomUsers = @(Get-WeComUser @wecom @reads @fields -ErrorAction Continue -ErrorVariable +readErrors 2>&1 | Write-WeComSyncObjectError @forward)
        $step.Count('Read', $authingUsers.Count + $wecomUsers.Count)
        Complete-WeComSyncReadStep $step "Authing $($authingUsers.Count), WeCom $($wecomUsers.Count)." $readErrors
        $reference = $authingUsers
        # Last fallback: a name unique among the unmatched users of both sides. The pair gets its link written back
        # (so the next run matches on the link); a shared name is a Conflict, reported and never guessed.
        $matchBy = if ($NoNameMatch) { 'LinkKey', 'Username' } else { 'LinkKey', 'Username', 'Name' }
        # -ExcludeProperty protects what existing members keep up themselves (their mobile, their email) from the
        # overwrite; a new member still gets every known field, because WeCom will not create one without a mobile or email.
        if ($scope.Count) { $scope.ScopeDepartment = $authingDepartments + $wecomDepartments }
        # Leavers are deleted or suspended (-DeleteAction); the field map and the scope apply to every user comparison.
        $users = $fields + $scope + @{ DeleteAction = $DeleteAction }
        $compare = @{ UpdateMode = $UpdateMode; Operation = $operations; MatchBy = $matchBy } + $users
        $userWarnings = @()   # users kept suspended, conflicts: shown, and kept in the step's message
        if ($ExcludeProperty) {
            $userPlan = @(Compare-Directory -InformationAction Ignore -ReferenceObject $reference -DifferenceObject $wecomUsers -UpdateMode $UpdateMode -MatchBy $matchBy -Operation ($operations | Where-Object { $_ -ne 'Update' }) @users -WarningVariable +userWarnings) +
                @(Compare-Directory -InformationAction Ignore -ReferenceObject $reference -DifferenceObject $wecomUsers -UpdateMode $UpdateMode -MatchBy $matchBy -Operation Update -ExcludeProperty $ExcludeProperty @users -WarningVariable +userWarnings |
                    Where-Object Operation -EQ 'Update')   # conflicts are already in the first plan
        }
        else {
            $userPlan = @(Compare-Directory -InformationAction Ignore -ReferenceObject $reference -DifferenceObject $wecomUsers @compare -WarningVariable +userWarnings)
        }
        $userExtra = @{} + $fields
        if ($ExcludeProperty) { $userExtra.ExcludeProperty = $ExcludeProperty }
        if ($InviteNewMember) { $userExtra.InviteNewMember = $true }
        Invoke-WeComSyncStep @sync -Name users -Plan $userPlan -Warning $userWarnings -Command Sync-WeComUser -Parameters ($toWeCom + $userExtra + $guard)

        # 3. Department deletes last (children first): WeCom deletes only empty departments.
        #    Suspended members stay in their departments, so a Suspend run deletes no department.
        if ($Delete -and $DeleteAction -eq 'Delete') { Invoke-WeComSyncStep @sync -Name 'delete departments' -Plan $departmentDeletes -Command Sync-WeComDepartment -Parameters ($toWeCom + $guard) }

        Complete-WeComSyncRun -Run $run -Cmdlet $PSCmdlet -FailOnError:$FailOnError -WhatIfRun:$whatIfRun
    }
    catch {
        # The one summary of what happened so far, then the error, raised by the template itself.
        Complete-WeComSyncRun -Run $run -Cmdlet $PSCmdlet -ErrorRecord $_
    }
    finally {
        # Ctrl+C or a stopped pipeline runs no catch block: the run is recorded as Interrupted here.
        $run.Dispose()
    }
}
