# The upstream template: WeCom console export -> Authing, written from the module's cmdlets.

# The cmdlets' dll loads the engine lazily; the template needs its types (run log, model) before any cmdlet has run.
if (-not ('WeComSync.RunLog.RunLogWriter' -as [type])) {
    Add-Type -Path (Join-Path (Split-Path $PSScriptRoot) 'WeComSync.Core.dll')
}

function Invoke-WeComUpstreamSync {
    <#
    .SYNOPSIS
        Makes Authing match the address book exported from the WeCom admin console: departments, then users.
    .DESCRIPTION
        The out-of-the-box upstream sync (WeCom -> Authing). It reads the export (Import-WeComAddressBook), reads the
        Authing organization and its members (Get-AuthingDepartment, Get-AuthingUser), compares them
        (Compare-Directory) and applies the difference (Sync-AuthingDepartment, Sync-AuthingUser).

        -Mode CreateUpdate (the default) creates and updates departments (parents first) and users; users that are in
        Authing but not in the file are left alone. -Mode DeleteOnly deletes only the users of the organization that are
        not in the file, behind the delete guard (-MaxDelete, default 500; -MaxDeletePercent, default 10): over either
        limit nothing is deleted and the run stops with an error, unless -Force. A run whose reads were incomplete (a
        page failed) never deletes.

        Bad rows in the file are reported as errors and skipped; the rest is synced. Run it with -WhatIf first: it
        reads everything, shows the full plan and writes nothing.

        It returns a run summary: the run's status and, per step (reading the file, reading Authing, departments,
        users), the status, the read/created/updated/deleted/failed/skipped counts and the duration. With -LogPath the
        run also writes a run folder (the plans, one line per object's result, the summary) that Get-WeComSyncLog reads.

        Needs a connection: Connect-Authing first (or -Connection), and the link fields (Initialize-AuthingLinkField).
    .PARAMETER Path
        The export file (.xlsx as exported, also .xls and .csv).
    .PARAMETER OrganizationCode
        The Authing organization to sync into; default: the connection's.
    .PARAMETER Mode
        CreateUpdate (create and update departments and users) or DeleteOnly (delete users absent from the file).
    .PARAMETER Sheet
        The sheets to read (index from 0 or name); default all.
    .PARAMETER StartRow
        The first row to read (0-based); default: found from the header.
    .PARAMETER EndRow
        The last row to read (0-based); -1 = the last row.
    .PARAMETER IgnoreRootDepartment
        Map the file's top department (the company) onto the organization's root, so its children become the
        organization's top-level departments. Without it, the top department becomes one department under the root.
    .PARAMETER UpdateMode
        Changed (update only differing fields, the default), Overwrite (send every known field) or None (no updates).
    .PARAMETER ExcludeProperty
        User fields never compared or written (e.g. Mobile, Email).
    .PARAMETER FieldMap
        Where Authing keeps the user fields beyond the defaults, on top of Connect-Authing -FieldMap: a hashtable from
        a model field or an export column to an Authing user field or customData.<key>, e.g.
        @{ '工号' = 'externalId'; '职务' = 'customData.position'; '入职日期' = 'customData.hired_on' }, or the path of a
        .psd1/.json file. Mapped fields are compared, shown in the plan and written like the built-in ones; a column the
        file lacks is unknown, never written as empty. Create custom data keys first with Initialize-AuthingLinkField -FieldMap.
    .PARAMETER Department
        Only these departments (paths as in the export, e.g. 示例科技/研发部, or ids), subtrees included: nothing
        outside is created, updated or deleted, and the delete guard's percentage counts only the users in scope. A
        user in several departments is in scope if any of them is; a user moved out of the scope is left alone.
    .PARAMETER ExcludeDepartment
        Departments (paths or ids) whose subtrees are out of scope, even inside -Department.
    .PARAMETER DeleteAction
        DeleteOnly: Delete (the default) or Suspend (Authing status Suspended; '= suspend' in the plan). A suspended
        user back in the file is reactivated by the next CreateUpdate run, never created twice; a later Delete run
        removes those still absent.
    .PARAMETER LogPath
        A folder for run logs; each run writes its own sub-folder.
    .PARAMETER ThrottleLimit
        Most Authing calls in flight at once: an optional ceiling. Without it the number adapts to the service (grows
        while calls succeed quickly, halves when throttled), up to 64, under the connection's -CallsPerMinute.
    .PARAMETER MaxDelete
        DeleteOnly: most users one run may delete.
    .PARAMETER MaxDeletePercent
        DeleteOnly: most users one run may delete, as a percentage of the organization's users.
    .PARAMETER Force
        DeleteOnly: delete beyond the delete guard's limits.
    .PARAMETER MaskPersonalData
        Mask mobile numbers and emails in the run log.
    .PARAMETER FailOnError
        End with a terminating error when the run did not fully succeed (for scheduled scripts: exit code 1).
    .PARAMETER Connection
        The Authing connection; default: the session's (Connect-Authing).
    .PARAMETER WeComConnection
        DeleteOnly: the WeCom connection whose member list (user/list_id, the address-book sync secret) the deletes are
        checked against; default: the session's (Connect-WeCom). A user WeCom still lists is never deleted or suspended
        (each is reported: the export does not show them); more than five such users, or a list that could not be read,
        refuse every delete (the file looks stale or partial). Without a WeCom connection the deletes are not checked,
        and the run says so once.
    .EXAMPLE
        Connect-Authing -Credential $key -OrganizationCode acme
        Invoke-WeComUpstreamSync -Path ./contacts.xlsx -WhatIf

        Reads the export and Authing and prints every change it would make; writes nothing.
    .EXAMPLE
        Invoke-WeComUpstreamSync -Path ./contacts.xlsx -OrganizationCode acme -IgnoreRootDepartment -LogPath ./logs

        Creates and updates departments and users, the company mapped onto the organization's root, and keeps a run
        log in ./logs (Get-WeComSyncLog -Path ./logs shows it).
    .EXAMPLE
        Connect-WeCom -CorpId $corpId -Secret $syncSecret -AppMode AddressBookSync
        Invoke-WeComUpstreamSync -Path ./contacts.xlsx -Mode DeleteOnly -MaxDelete 20 -Confirm:$false

        The recommended delete-only run: deletes the organization's users that are no longer in the export, at most 20
        (and 10 %), else stops; a user WeCom still lists is never deleted (a hidden sheet, a filter, an old file).
    .EXAMPLE
        Invoke-WeComUpstreamSync ./contacts.xlsx -ExcludeProperty Mobile, Email -FailOnError -LogPath /var/log/wecomsync

        A scheduled run that never touches mobiles or emails and exits non-zero if anything failed.
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
        [Parameter(Mandatory, Position = 0)]
        [string] $Path,

        [ArgumentCompleter([WeComSync.PowerShell.Infrastructure.OrganizationCodeCompleter])]
        [string] $OrganizationCode,

        [ValidateSet('CreateUpdate', 'DeleteOnly')]
        [string] $Mode = 'CreateUpdate',

        [ArgumentCompleter([WeComSync.PowerShell.Infrastructure.SheetCompleter])]
        [string[]] $Sheet,

        [int] $StartRow,

        [int] $EndRow = -1,

        [switch] $IgnoreRootDepartment,

        [ValidateSet('Changed', 'Overwrite', 'None')]
        [string] $UpdateMode = 'Changed',

        [ArgumentCompleter([WeComSync.PowerShell.Infrastructure.UserFieldCompleter])]
        [string[]] $ExcludeProperty,

        [object] $FieldMap,

        [string[]] $Department,

        [string[]] $ExcludeDepartment,

        [ValidateSet('Delete', 'Suspend')]
        [string] $DeleteAction = 'Delete',

        [string] $LogPath,

        [ValidateRange(1, 64)]
        [int] $ThrottleLimit,

        [ValidateRange(0, [int]::MaxValue)]
        [int] $MaxDelete = 500,

        [ValidateRange(0, 100)]
        [double] $MaxDeletePercent = 10,

        [switch] $Force,

        [switch] $MaskPersonalData,

        [switch] $FailOnError,

        [WeComSync.Authing.AuthingConnection] $Connection,

        [WeComSync.WeCom.WeComConnection] $WeComConnection
    )

    # The run log (RunSupport.ps1): a run folder under -LogPath, or a run kept in memory that still counts steps.
    $run = Start-WeComSyncRunLog -Name "upstream-$($Mode.ToLowerInvariant())" -LogPath $LogPath -MaskPersonalData:$MaskPersonalData -BoundParameters $PSBoundParameters

    # Per-object errors (bad rows, failed objects) are shown as the caller's preference says, and never stop the run.
    $objectErrors = Get-WeComSyncErrorAction $ErrorActionPreference
    # The inner cmdlets' errors are written again as the template's own (RunSupport.ps1): no template source lines.
    $forward = @{ Invocation = $MyInvocation; ErrorAction = $objectErrors }
    $whatIfRun = [bool] $WhatIfPreference

    # What every Authing cmdlet gets: the connection and organization, and -WhatIf/-Confirm as the template got them.
    $authing = @{}
    if ($Connection) { $authing.Connection = $Connection }
    # The field map reads and writes the users (Get-AuthingUser, Sync-AuthingUser) and says what Compare-Directory compares.
    $fields = @{}
    if ($FieldMap) { $fields.FieldMap = $FieldMap }
    if ($OrganizationCode) { $authing.OrganizationCode = $OrganizationCode }
    $apply = @{ WhatIf = $whatIfRun }
    # Without -ThrottleLimit the calls in flight adapt to the service (up to 64); with it, that is the ceiling.
    if ($ThrottleLimit) { $apply.ThrottleLimit = $ThrottleLimit }
    $reads = if ($ThrottleLimit) { @{ ThrottleLimit = $ThrottleLimit } } else { @{} }
    if ($PSBoundParameters.ContainsKey('Confirm')) { $apply.Confirm = $PSBoundParameters.Confirm } else { $apply.Confirm = $false }

    try {
        # 1. The export: users and the department tree. Bad rows are reported (errors) and skipped.
        $import = @{ LiteralPath = $Path }
        if ($Sheet) { $import.Sheet = $Sheet }
        if ($PSBoundParameters.ContainsKey('StartRow')) { $import.StartRow = $StartRow }
        if ($PSBoundParameters.ContainsKey('EndRow')) { $import.EndRow = $EndRow }
        $step = $run.BeginStep('read export')
        $badRows = @()
        # A file that cannot be read at all (missing, locked, not an export) is the run's error, not a bad row.
        $unreadable = { param($e) $e.TargetObject -isnot [WeComSync.AddressBook.AddressBookRow] }
        $fileUsers = @(Import-WeComAddressBook @import -ErrorAction Continue -ErrorVariable +badRows -WarningVariable fileWarnings 2>&1 |
                Write-WeComSyncObjectError @forward -Except $unreadable)
        $fileError = $badRows | Where-Object { & $unreadable $_ } | Select-Object -First 1
        if ($fileError -and $fileUsers.Count -eq 0) { throw $fileError }
        if ($fileError) { $fileError | Write-WeComSyncObjectError @forward }
        # The same bad rows and warnings, reported once above; only the tree's own warnings are new.
        $fileDepartments = @(Import-WeComAddressBook @import -Department -ErrorAction Ignore -WarningAction SilentlyContinue -WarningVariable treeWarnings)
        $treeWarnings | Where-Object { $_.Message -notin $fileWarnings.Message } | ForEach-Object { Write-Warning $_.Message }
        $step.Count('Read', $fileUsers.Count)
        $step.Count('Skipped', $badRows.Count)
        $step.Complete($(if ($badRows.Count) { 'PartiallyFailed' } else { 'Succeeded' }),
            $(if ($badRows.Count) { "$($badRows.Count) bad row(s) skipped; $($fileUsers.Count) member(s), $($fileDepartments.Count) department(s)." } else { "$($fileUsers.Count) member(s), $($fileDepartments.Count) department(s)." }))
        if ($fileUsers.Count -eq 0) {
            throw (New-WeComSyncError -ErrorId UpstreamExportEmpty -Category InvalidData -TargetObject $Path `
                    -Message "The export '$Path' holds no valid member: nothing to sync (a delete-only run on it would delete everyone)." `
                    -RecommendedAction 'Export the address book again from the WeCom admin console (Contacts > Export), and check -Sheet/-StartRow.')
        }

        # The file's top department is the company: with -IgnoreRootDepartment the organization's root stands for it
        # (the root carries its link); otherwise Compare-Directory plans it as an ordinary department under the root.
        $top = $fileDepartments | Where-Object IsRoot | Select-Object -First 1
        $rootLink = @{}
        if ($IgnoreRootDepartment -and $top) {
            $rootLink.RootLinkId = $top.LinkId
        }

        # 2. Authing as it is now. Users are read once, before the departments change: a user whose department is
        #    renamed below is then planned onto the new link id, which also rewrites its wechatwork_department_ids.
        $step = $run.BeginStep('read Authing')
        # A page that failed after the retries is an error here and marks the users incomplete: no deletes follow from them.
        $readErrors = @()
        $authingDepartments = @(Get-AuthingDepartment @authing @rootLink -ErrorAction Continue -ErrorVariable +readErrors 2>&1 | Write-WeComSyncObjectError @forward)
        $authingUsers = @(Get-AuthingUser @authing @rootLink @reads @fields -ErrorAction Continue -ErrorVariable +readErrors 2>&1 | Write-WeComSyncObjectError @forward)
        $step.Count('Read', $authingDepartments.Count + $authingUsers.Count)
        Complete-WeComSyncReadStep $step "$($authingDepartments.Count) department(s), $($authingUsers.Count) user(s)." $readErrors

        $sync = @{ Run = $run; WhatIfRun = $whatIfRun; ErrorForwarding = $forward }
        # The scope: Compare-Directory leaves everything outside it alone; each step's message names it.
        $scope = @{}
        if ($Department) { $scope.Department = $Department }
        if ($ExcludeDepartment) { $scope.ExcludeDepartment = $ExcludeDepartment }
        if ($scope.Count) { $sync.Scope = [string] [WeComSync.Comparison.DepartmentScope]@{ Include = [string[]] @($Department); Exclude = [string[]] @($ExcludeDepartment) } }
        if ($Mode -eq 'CreateUpdate') {
            # 3. Departments, parents first (renames recognised by their members).
            $plan = Compare-Directory -ReferenceObject $fileDepartments -DifferenceObject $authingDepartments -ReferenceUser $fileUsers -DifferenceUser $authingUsers @scope -InformationAction Ignore -WarningVariable planWarnings
            Invoke-WeComSyncStep @sync -Name departments -Plan $plan -Warning $planWarnings -Command Sync-AuthingDepartment -Parameters ($authing + $rootLink + $apply)

            # 4. Users.
            $compare = @{ UpdateMode = $UpdateMode }
            if ($ExcludeProperty) { $compare.ExcludeProperty = $ExcludeProperty }
            if ($scope.Count) { $scope.ScopeDepartment = $fileDepartments + $authingDepartments }
            $plan = Compare-Directory -ReferenceObject $fileUsers -DifferenceObject $authingUsers @compare @fields @scope -InformationAction Ignore -WarningVariable planWarnings
            Invoke-WeComSyncStep @sync -Name users -Plan $plan -Warning $planWarnings -Command Sync-AuthingUser -Parameters ($authing + $rootLink + $apply + $fields)
        }
        else {
            # 3. Only deletes of users absent from the file, behind the guard; each delete confirmed unless -Confirm:$false.
            if (-not $PSBoundParameters.ContainsKey('Confirm')) { $apply.Remove('Confirm') }
            if ($scope.Count) { $scope.ScopeDepartment = $fileDepartments + $authingDepartments }
            # A side read incompletely (a failed page; a skipped row whose 账号 cannot be read) refuses every delete:
            # the run deletes nobody and ends with the refusal, which names what to fix.
            $refusals = @()
            # Checked against WeCom's own member list (-WeComConnection, else Connect-WeCom's): a user WeCom still lists is not deleted.
            $plan = Compare-Directory -ReferenceObject $fileUsers -DifferenceObject $authingUsers -Operation Delete -DeleteAction $DeleteAction @scope -CrossCheckWeCom -WeComConnection $WeComConnection -InformationAction Ignore -ErrorAction SilentlyContinue -ErrorVariable refusals -WarningVariable planWarnings
            if ($refusals.Count) { throw $refusals[0] }
            $guard = @{ MaxDelete = $MaxDelete; MaxDeletePercent = $MaxDeletePercent; Force = $Force }
            Invoke-WeComSyncStep @sync -Name 'delete users' -Plan $plan -Warning $planWarnings -Command Sync-AuthingUser -Parameters ($authing + $apply + $guard)
        }

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
