# End-to-end: the upstream template and the Authing cmdlets against the emulator over HTTP on 127.0.0.1.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name upstream -Emulator
    $script:work = $test.Work; $script:emulator = $test.Emulator

    # A plain CSV (header on the first row) that the tests can edit like an admin would.
    $script:csv = New-TestExport base.csv --users 40 --seed 42 --no-instructions --multi-dept-rate 0.2
    $script:rows = @(Import-Csv -LiteralPath $csv -Encoding utf8)
    function Get-Writes { Get-TestWrite $emulator -Api Authing }
    function Invoke-Quiet([hashtable] $Parameters) {
        Invoke-WeComUpstreamSync @Parameters -ErrorAction SilentlyContinue -ErrorVariable +script:syncErrors 3>$null 6>$null
    }

    $script:secret = ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force
}

AfterAll { Complete-ModuleTest }

Describe 'Upstream sync (Invoke-WeComUpstreamSync) against the emulator' {
    BeforeEach {
        Connect-TestAuthing $emulator -Reset
        $script:syncErrors = @()
    }

    It 'makes no write call with -WhatIf and still shows the plan' {
        $shown = Invoke-Recorded { Invoke-WeComUpstreamSync -Path $csv -WhatIf -ErrorAction SilentlyContinue 3>$null }
        $summary = $shown.Output
        # The plan view, not a host line per user: 40 users are 10 lines and a count of the rest.
        @($shown.WhatIf -like 'What if: Performing the operation *').Count | Should -Be 0
        $users = @($shown.Information | Where-Object { "$_" -like 'users: 40 to create*' })
        $users.Count | Should -Be 1
        "$users" | Should -Match '… 30 more to create'
        $summary.WhatIf | Should -BeTrue
        (Get-Writes).Count | Should -Be 0
        @(Get-AuthingUser).Count | Should -Be 0
        ($summary.Steps | Where-Object Name -eq 'users').Message | Should -Be 'What if: 40 to create.'
    }

    It 'one failed object never aborts the run, even when the caller stops on errors (-ErrorAction Stop)' {
        # Every user create is refused for good (a 400 the client does not retry): departments still go in, every user
        # is reported Failed, and the template returns its summary instead of dying on the first error record.
        Set-WeComSyncEmulatorFault -BaseUrl $emulator.BaseUrl -Api authing -Path /api/v3/create-users-batch -Kind errcode -Status 400
        Set-WeComSyncEmulatorFault -BaseUrl $emulator.BaseUrl -Api authing -Path /api/v3/create-user -Kind errcode -Status 400
        $all = Invoke-WeComUpstreamSync -Path $csv -ErrorAction Stop 2>&1 3>$null 6>$null
        $summary = $all | Where-Object { $_ -is [WeComSync.RunLog.RunRecord] }
        $summary | Should -Not -BeNullOrEmpty
        ($summary.Steps | Where-Object Name -eq 'departments').Status | Should -Be 'Succeeded'
        ($summary.Steps | Where-Object Name -eq 'users').Failed | Should -Be 40
        $summary.Status | Should -Be 'PartiallyFailed'   # the departments went in; every user failed
        $summary.ExitCode | Should -Not -Be 0
        @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
    }

    It 'fills an empty pool on the first run: departments parents first, users in batches of 50' {
        $summary = Invoke-Quiet @{ Path = $csv }
        $summary.Status | Should -Be 'Succeeded'
        $users = @(Get-AuthingUser)
        $users.Count | Should -Be 40
        ($summary.Steps | Where-Object Name -eq 'users').Created | Should -Be 40
        (Get-Writes)['create-users-batch'] | Should -Be 1
        (Get-Writes)['create-user'] | Should -BeNullOrEmpty
        $departments = @(Get-AuthingDepartment -IgnoreRootDepartment)
        $fileDepartments = @(Import-WeComAddressBook -LiteralPath $csv -Department)
        $departments.Count | Should -Be $fileDepartments.Count   # the company became one department under the root
        foreach ($d in $departments) { $d.LinkId | Should -Be $d.Path }
        $multi = $rows | Where-Object { $_.部门 -match '[；;]' } | Select-Object -First 1
        $user = $users | Where-Object UserId -eq $multi.账号
        $user.Departments[0] | Should -Be (($multi.部门 -split '[；;]')[0])   # main department first
        $user.Username | Should -Be $multi.账号
    }

    It 'is idempotent: the second run plans nothing and makes zero write calls' {
        Invoke-Quiet @{ Path = $csv } | Out-Null
        $emulator | Clear-WeComSyncEmulatorCallCount
        $summary = Invoke-Quiet @{ Path = $csv }
        (Get-Writes).Count | Should -Be 0
        ($summary.Steps | Where-Object Name -in 'departments', 'users').Message | Should -Be @('No changes.', 'No changes.')
    }

    It 'maps the company onto the organization root with -IgnoreRootDepartment, idempotently' {
        Invoke-Quiet @{ Path = $csv; IgnoreRootDepartment = $true } | Out-Null
        $company = ($rows[0].部门 -split '/')[0]
        @(Get-AuthingDepartment -IgnoreRootDepartment).Name | Should -Not -Contain $company
        $top = @(Get-AuthingDepartment -IgnoreRootDepartment -RootLinkId $company | Where-Object Depth -eq 1)
        $top.Count | Should -BeGreaterThan 0
        $top | ForEach-Object { $_.ParentLinkId | Should -Be $company }
        $emulator | Clear-WeComSyncEmulatorCallCount
        Invoke-Quiet @{ Path = $csv; IgnoreRootDepartment = $true } | Out-Null
        (Get-Writes).Count | Should -Be 0
    }

    It 'Get-WeComSyncLog -Run shows, after the steps, each object that needs a human (userid and why), for a -WhatIf run and a real one' {
        # The same 账号 on a second row: neither row is synced; the object is left for a person, never applied.
        $twin = $rows[3].PSObject.Copy(); $twin.'姓名' = '另一个人'
        $file = Save-TestCsv (@($rows) + $twin) 'twin.csv'
        $logs = Join-Path $work 'human-logs'
        $dry = Invoke-WeComUpstreamSync -Path $file -LogPath $logs -WhatIf -ErrorAction SilentlyContinue 3>$null 6>$null
        $real = Invoke-Quiet @{ Path = $file; LogPath = $logs }
        foreach ($run in $dry, $real) {
            $shown = @(Get-WeComSyncLog -Path $logs -Run $run.ShortId)
            $shown[0] | Should -BeOfType ([WeComSync.RunLog.StepRecord]) -Because 'the steps come first'
            $human = @($shown | Where-Object { $_ -is [WeComSync.RunLog.NeedHumanRecord] })
            $human.Count | Should -Be 1 -Because "run $($run.Name), WhatIf $($run.WhatIf)"
            $human[0].Key | Should -Be $rows[3].'账号'
            $human[0].Step | Should -Be 'users'
            $human[0].Reason | Should -Match "'$([regex]::Escape($rows[3].'账号'))' is also on a row that was skipped \(twin\.csv, sheet twin, row $($rows.Count + 2)\)"
            $human[0].WhatIf | Should -Be $run.WhatIf
            # The same object the step's "need a human" note named.
            ($run.Steps | Where-Object Name -EQ 'users').Message | Should -Match "1 user\(s\) need a human.*$([regex]::Escape($rows[3].'账号'))"
            $text = Get-WeComSyncLog -Path $logs -Run $run.ShortId | Out-String -Width 80
            $text | Should -Match "(?m)^! users: $([regex]::Escape($rows[3].'账号')) \(\S+\) needs a human \($(if ($run.WhatIf) { 'dry run; ' })never applied\)"
            $text | Should -Match '(?m)^    .*is also on a row that was skipped'
        }
        $real.WhatIf | Should -BeFalse
        @(Get-AuthingUser -UserId $rows[3].'账号' -ErrorAction SilentlyContinue).Count | Should -Be 0 -Because 'a conflict is never applied'
    }

    It 'skips and reports bad rows, and syncs the rest' {
        $bad = New-TestExport bad.xlsx --users 30 --seed 42 --bad-rows 3
        $summary = Invoke-Quiet @{ Path = $bad }
        $read = $summary.Steps | Where-Object Name -eq 'read export'
        # The generator's third bad row repeats a 账号: both of its rows are errors.
        $read.Skipped | Should -Be 4
        $read.Status | Should -Be 'PartiallyFailed'
        @($syncErrors | Where-Object { "$_" -match 'row \d+' }).Count | Should -BeGreaterOrEqual 3
        ($summary.Steps | Where-Object Name -eq 'users').Failed | Should -Be 0
        # The duplicate's first row was read before its twin was met: a conflict, never created.
        @(Get-AuthingUser).Count | Should -Be ($read.Read - 1)
    }

    It 'applies exactly the expected updates for a changed file, and moves a user between departments' {
        Invoke-Quiet @{ Path = $csv } | Out-Null
        $changed = $rows | ForEach-Object { $_.PSObject.Copy() }
        $changed[0].姓名 = '新名字'
        $other = ($rows | Where-Object { $_.部门 -ne $changed[1].部门 -and $_.部门 -notmatch '[；;]' } | Select-Object -First 1).部门
        $changed[1].部门 = $other
        $path = Save-TestCsv $changed 'changed.csv'
        $emulator | Clear-WeComSyncEmulatorCallCount

        $summary = Invoke-Quiet @{ Path = $path }

        ($summary.Steps | Where-Object Name -eq 'users').Updated | Should -Be 2
        $writes = Get-Writes
        $writes['set-user-departments'] | Should -Be 1
        $writes['update-user'] | Should -Be 2    # the name; the moved user's wechatwork_department_ids
        $writes.Keys | Should -Not -Contain 'create-users-batch'
        (Get-AuthingUser -Filter @{ wechatwork_user_id = $changed[0].账号 }).Name | Should -Be '新名字'
        (Get-AuthingUser -Filter @{ wechatwork_user_id = $changed[1].账号 }).Departments | Should -Be @($other)
    }

    It 'renames and moves a department in place (matched by its members), without a twin' {
        Invoke-Quiet @{ Path = $csv } | Out-Null
        # A department without children and with the most direct members (a rename is recognised by its members).
        $all = @(Get-AuthingDepartment -IgnoreRootDepartment)
        $leaf = $all | Where-Object { $d = $_; -not ($all | Where-Object ParentKey -eq $d.Key) } |
            Sort-Object { $d = $_; @($rows | Where-Object { ($_.部门 -split '；') -contains $d.LinkId }).Count } -Descending |
            Select-Object -First 1
        $parts = $leaf.LinkId -split '/'
        $newPath = "$($parts[0])/改组后的部门"
        $edited = $rows | ForEach-Object {
            $r = $_.PSObject.Copy()
            $r.部门 = (($r.部门 -split '；') | ForEach-Object { if ($_ -eq $leaf.LinkId) { $newPath } else { $_ } }) -join '；'
            $r
        }
        $path = Save-TestCsv $edited 'renamed.csv'
        $emulator | Clear-WeComSyncEmulatorCallCount

        $summary = Invoke-Quiet @{ Path = $path }

        $departments = $summary.Steps | Where-Object Name -eq 'departments'
        $departments.Updated | Should -Be 1
        $departments.Created | Should -Be 0
        $after = Get-AuthingDepartment -IgnoreRootDepartment | Where-Object Key -eq $leaf.Key
        $after.Name | Should -Be '改组后的部门'
        $after.LinkId | Should -Be $newPath
        (Get-Writes)['delete-department'] | Should -BeNullOrEmpty
        $emulator | Clear-WeComSyncEmulatorCallCount
        Invoke-Quiet @{ Path = $path } | Out-Null
        (Get-Writes).Count | Should -Be 0
    }

    It 'DeleteOnly stops at the delete guard, then removes exactly the users absent from the file' {
        Invoke-Quiet @{ Path = $csv } | Out-Null
        $gone = $rows[3, 9, 17].账号
        $path = Save-TestCsv ($rows | Where-Object { $_.账号 -notin $gone }) 'fewer.csv'
        $emulator | Clear-WeComSyncEmulatorCallCount

        { Invoke-WeComUpstreamSync -Path $path -Mode DeleteOnly -MaxDelete 2 -Confirm:$false -ErrorAction Stop 3>$null 6>$null } |
            Should -Throw -ErrorId 'DeleteGuard*'
        (Get-Writes).Count | Should -Be 0

        $summary = Invoke-Quiet @{ Path = $path; Mode = 'DeleteOnly'; MaxDelete = 5; MaxDeletePercent = 20; Confirm = $false }
        ($summary.Steps | Where-Object Name -eq 'delete users').Deleted | Should -Be 3
        $left = @(Get-AuthingUser)
        $left.Count | Should -Be 37
        $left.UserId | Should -Not -Contain $gone[0]
        (Get-Writes).Keys | Should -Be @('delete-users-batch')
    }

    It 'turns a 409 on create (the user exists but is not linked) into a link and an update' {
        $row = $rows | Where-Object { $_.手机 -match '^(\+86\s*)?1\d{10}$' } | Select-Object -First 1
        $mobile = ($row.手机 -replace '\D', '')
        if ($mobile.Length -gt 11) { $mobile = $mobile.Substring($mobile.Length - 11) }
        $existing = Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $emulator.BaseUrl -Method POST -Path /api/v3/create-user -Body @{
            username = 'made.by.hand'; name = 'old name'; phone = $mobile; phoneCountryCode = '+86' }
        $summary = Invoke-Quiet @{ Path = $csv }
        ($summary.Steps | Where-Object Name -eq 'users').Failed | Should -Be 0
        $linked = Get-AuthingUser -Filter @{ wechatwork_user_id = $row.账号 }
        $linked.SourceId | Should -Be $existing.data.userId
        $linked.Name | Should -Be $row.姓名
        @(Get-AuthingUser -AllUsers).Count | Should -Be 40
    }

    It 'never shows the secret or a token in any stream with -Verbose -Debug' {
        $all = & {
            Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $emulator.BaseUrl -OrganizationCode emulator-org -Verbose -Debug
            Invoke-WeComUpstreamSync -Path $csv -Verbose -Debug -ErrorAction Continue
            Test-AuthingConnection -Verbose -Debug
        } *>&1 | Out-String -Width 500
        $all | Should -Match 'get-management-token'          # the debug trace is there
        $all | Should -Not -Match 'emulator-sk'
        $all | Should -Not -Match 'eyJ[A-Za-z0-9_-]{8,}'     # no JWT
    }
}

Describe 'Authing cmdlets' {
    BeforeEach {
        Connect-TestAuthing $emulator -Reset -NoLinkField
    }

    It 'Test-AuthingConnection says to run Initialize-AuthingLinkField when link fields are missing' {
        $checks = Test-AuthingConnection 3>$null
        ($checks | Where-Object Check -eq 'Token').Passed | Should -BeTrue
        $link = $checks | Where-Object Check -eq 'Link fields'
        $link.Passed | Should -BeFalse
        $link.RecommendedAction | Should -Match 'Initialize-AuthingLinkField'
        $shown = Invoke-Recorded { Initialize-AuthingLinkField -WhatIf }
        $shown.Output | Should -BeNullOrEmpty
        $shown.WhatIf.Count | Should -Be 4
        @(Initialize-AuthingLinkField -Confirm:$false).Count | Should -Be 4
        Test-AuthingConnection -Quiet | Should -BeTrue
    }

    It 'Connect-Authing with a wrong secret fails at once with what to do' {
        $wrong = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        $err = { Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $wrong -ApiHost $emulator.BaseUrl -ErrorAction Stop } | Should -Throw -PassThru
        # What happened in the message, what to do in the advice (the console's "Recommendation:"), each once.
        $err.Exception.Message | Should -Match '401'
        $err.ErrorDetails.RecommendedAction | Should -BeLike '*access key*'
        "$err" | Should -Not -BeLike '*access key id and secret*'
    }

    It 'Sync-AuthingUser applies a plan saved with Export-Clixml and read back' {
        Initialize-AuthingLinkField -Confirm:$false | Out-Null
        $file = @(Import-WeComAddressBook -LiteralPath $csv)
        $depts = @(Import-WeComAddressBook -LiteralPath $csv -Department)
        $top = $depts | Where-Object IsRoot
        Compare-Directory -ReferenceObject $depts -DifferenceObject (Get-AuthingDepartment -RootLinkId $top.LinkId) |
            Sync-AuthingDepartment -RootLinkId $top.LinkId -Confirm:$false | Out-Null
        $planFile = Join-Path $work 'plan.xml'
        Compare-Directory -ReferenceObject $file -DifferenceObject (Get-AuthingUser -RootLinkId $top.LinkId) | Export-Clixml -LiteralPath $planFile
        $results = @(Import-Clixml -LiteralPath $planFile | Sync-AuthingUser -RootLinkId $top.LinkId -Confirm:$false)
        $results.Count | Should -Be 40
        $results.Outcome | Sort-Object -Unique | Should -Be 'Succeeded'
        @(Get-AuthingUser -RootLinkId $top.LinkId).Count | Should -Be 40
    }

    It 'Disconnect-Authing forgets the connection' {
        Disconnect-Authing
        { Get-AuthingUser -ErrorAction Stop } | Should -Throw -ErrorId 'AuthingNotConnected*'
    }
}

Describe 'A saved plan never applies over drift (Sync-AuthingUser against the emulator)' {
    BeforeEach {
        $emulator | Reset-WeComSyncEmulator
        $script:connection = Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $emulator.BaseUrl -OrganizationCode emulator-org -PassThru
        Initialize-AuthingLinkField -Confirm:$false | Out-Null
        Invoke-Quiet @{ Path = $csv } | Out-Null   # the pool as the file has it
        # Five users renamed in the file: the plan updates five, and is saved for review.
        $renamed = $rows | ForEach-Object { $_.PSObject.Copy() }
        foreach ($i in 0..4) { $renamed[$i].姓名 = "改名$i" }
        $script:renamedFile = Save-TestCsv $renamed 'renamed.csv'
        $script:planFile = Join-Path $work 'drift-plan.xml'
        Compare-Directory -ReferenceObject (Import-WeComAddressBook -LiteralPath $renamedFile) -DifferenceObject (Get-AuthingUser) | Export-Clixml -LiteralPath $planFile
        $script:held = @{}
        Get-AuthingUser | ForEach-Object { $held[$_.UserId] = $_ }
        $script:none = [Threading.CancellationToken]::None
        function Edit-Mobile([string] $UserId, [string] $Phone) {
            $body = [Newtonsoft.Json.Linq.JObject]::Parse("{`"phone`":`"$Phone`",`"phoneCountryCode`":`"+86`"}")
            $null = $connection.Client.UpdateUserAsync($held[$UserId].SourceId, $body, $none).GetAwaiter().GetResult()
        }
    }

    It 'leaves a user edited and a user deleted since as Stale, applies the rest, and overwrites nothing' {
        (Import-Clixml -LiteralPath $planFile).Count | Should -Be 5
        $edited = $rows[1].账号; $deleted = $rows[3].账号
        # Between review and apply, an admin gives one user a new mobile, and another user is deleted.
        Edit-Mobile $edited '13911112222'
        $connection.Client.DeleteUsersBatchAsync([string[]] @($held[$deleted].SourceId), $none).GetAwaiter().GetResult()
        $emulator | Clear-WeComSyncEmulatorCallCount

        $results = @(Import-Clixml -LiteralPath $planFile | Sync-AuthingUser -Confirm:$false -WarningVariable warnings 3>$null)

        $results.Count | Should -Be 5
        @($results | Where-Object Outcome -EQ 'Stale').Change.Key | Sort-Object | Should -Be (@($edited, $deleted) | Sort-Object)
        @($results | Where-Object Outcome -EQ 'Succeeded').Count | Should -Be 3
        ($results | Where-Object { $_.Change.Key -eq $edited }).Error | Should -Match 'Mobile was \+86 \d+ in the plan, is \+86 13911112222 now'
        ($results | Where-Object { $_.Change.Key -eq $deleted }).Error | Should -Match 'no longer exists'
        @($warnings).Count | Should -Be 2
        $now = @{}
        Get-AuthingUser | ForEach-Object { $now[$_.UserId] = $_ }
        $now[$edited].Name | Should -Be $held[$edited].Name      # the plan's rename did not go over the admin's edit
        $now[$edited].Mobile | Should -Be '+86 13911112222'
        $now.ContainsKey($deleted) | Should -BeFalse             # not brought back
        $now[$rows[0].账号].Name | Should -Be '改名0'
        $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $emulator.BaseUrl
        $calls['/api/v3/get-user-batch'] | Should -Be 1          # five users re-read in one batch
        $calls['/api/v3/update-user'] | Should -Be 3
    }

    It 'counts Stale results in the run summary, and -Force applies the saved plan as it stands' {
        $edited = $rows[2].账号
        Edit-Mobile $edited '13911113333'
        $run = [WeComSync.RunLog.RunLogWriter]::Start((Join-Path $work 'drift-logs'), 'apply-saved-plan')
        $step = $run.BeginStep('users')
        Import-Clixml -LiteralPath $planFile | Sync-AuthingUser -Confirm:$false 3>$null | ForEach-Object { $step.Record($_) }
        $step.Complete()
        $summary = $run.Complete(); $run.Dispose()
        $summary.Stale | Should -Be 1
        $summary.Updated | Should -Be 4
        (Get-WeComSyncLog -Path $run.Path).Stale | Should -Be 1

        $emulator | Clear-WeComSyncEmulatorCallCount
        $results = @(Import-Clixml -LiteralPath $planFile | Sync-AuthingUser -Confirm:$false -Force)
        $results.Outcome | Sort-Object -Unique | Should -Be 'Succeeded'
        (Get-WeComSyncEmulatorCallCount -BaseUrl $emulator.BaseUrl)['/api/v3/get-user-batch'] | Should -BeNullOrEmpty   # -Force reads nothing again
        (Get-AuthingUser | Where-Object UserId -EQ $edited).Name | Should -Be '改名2'
    }

    It 'a create for a user who exists by now is Stale; a fresh plan piped straight in is applied without a re-read' {
        $extra = $rows[0].PSObject.Copy()
        $extra.账号 = 'drift-newcomer'; $extra.姓名 = '新人'; $extra.手机 = '13700009999'; if ($extra.PSObject.Properties['邮箱']) { $extra.邮箱 = '' }
        $file = Save-TestCsv (@($rows) + $extra) 'with-newcomer.csv'
        $planFile = Join-Path $work 'create-plan.xml'
        Compare-Directory -ReferenceObject (Import-WeComAddressBook -LiteralPath $file) -DifferenceObject (Get-AuthingUser) | Export-Clixml -LiteralPath $planFile
        @(Import-Clixml -LiteralPath $planFile).Key | Should -Be 'drift-newcomer'   # the one create
        $null = $connection.Client.CreateUserAsync([Newtonsoft.Json.Linq.JObject]::Parse('{"username":"drift-newcomer","name":"别人"}'), $none).GetAwaiter().GetResult()
        $result = Import-Clixml -LiteralPath $planFile | Sync-AuthingUser -Confirm:$false 3>$null
        $result.Outcome | Should -Be 'Stale'
        $result.Error | Should -Match 'user drift-newcomer exists now'

        $emulator | Clear-WeComSyncEmulatorCallCount
        $fresh = @(Compare-Directory -ReferenceObject (Import-WeComAddressBook -LiteralPath $renamedFile) -DifferenceObject (Get-AuthingUser) -MatchBy LinkKey)
        $fresh | Sync-AuthingUser -Confirm:$false | Out-Null
        (Get-WeComSyncEmulatorCallCount -BaseUrl $emulator.BaseUrl)['/api/v3/get-user-batch'] | Should -BeNullOrEmpty
    }

    It 'refuses a plan computed against another organization or service, before writing anything' {
        $plan = Import-Clixml -LiteralPath $planFile
        $plan[0].Plan.Target.OrganizationCode | Should -Be 'emulator-org'
        $plan[0].Plan.Target.Service | Should -Be 'Authing'
        $emulator | Clear-WeComSyncEmulatorCallCount
        $err = { $plan | Sync-AuthingUser -OrganizationCode other-org -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'PlanTargetMismatch*'
        $err.Exception.Message | Should -Match 'organization emulator-org, not other-org'
        $err.Exception.Message | Should -Match 'Nothing was applied'
        $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $emulator.BaseUrl
        @($calls.Keys | Where-Object { $_ -match 'update-|create-|delete-' }).Count | Should -Be 0
    }
}
