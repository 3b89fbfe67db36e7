# End-to-end: field maps (custom export columns to Authing externalId and custom data), against the emulator over HTTP.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name fieldmap -Emulator
    $script:work = $test.Work; $script:emulator = $test.Emulator
    $base = New-TestExport base.csv --users 12 --seed 7 --no-instructions

    # The export with two custom columns, as an admin adds them in the console (工号, 入职日期).
    $script:rows = @(Import-Csv -LiteralPath $base -Encoding utf8 | ForEach-Object -Begin { $i = 0 } -Process {
            $i++
            $_ | Add-Member -NotePropertyName '工号' -NotePropertyValue ('A{0:D3}' -f $i) -PassThru |
                Add-Member -NotePropertyName '入职日期' -NotePropertyValue ('2024-01-{0:D2}' -f $i) -PassThru
        })
    $script:map = @{ '工号' = 'externalId'; '职务' = 'customData.position'; '入职日期' = 'customData.hired_on' }
    $script:secret = ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force
    function Get-RawAuthingUser([string] $Username) {
        (Get-WeComSyncEmulatorState -BaseUrl $emulator.BaseUrl).authing.users | Where-Object username -eq $Username
    }
}

AfterAll { Complete-ModuleTest }

Describe 'Field maps upstream (Invoke-WeComUpstreamSync -FieldMap) against the emulator' {
    BeforeEach {
        Connect-TestAuthing $emulator -Reset -NoLinkField
        $script:created = @(Initialize-AuthingLinkField -FieldMap $map -Confirm:$false)
    }

    It 'creates the custom data keys with the link fields, and Test-AuthingConnection is satisfied' {
        $created.Key | Should -Contain 'position'
        $created.Key | Should -Contain 'hired_on'
        (Test-AuthingConnection -Quiet) | Should -BeTrue
    }

    It 'writes mapped columns on create, plans a change as "工号 A -> B", and never blanks a column the file lacks' {
        $csv = Save-TestCsv $rows 'mapped.csv'
        $summary = Invoke-WeComUpstreamSync -Path $csv -FieldMap $map -Confirm:$false 3>$null 6>$null
        $summary.Status | Should -Be 'Succeeded'
        $raw = Get-RawAuthingUser $rows[0].账号
        $raw.externalId | Should -Be 'A001'
        $raw.customData.hired_on | Should -Be '2024-01-01'
        $raw.customData.position | Should -Be $rows[0].职务
        (Get-AuthingUser -FieldMap $map | Where-Object UserId -eq $rows[0].账号).Extra['工号'] | Should -Be 'A001'

        # Idempotent with the map: nothing to do on the second run.
        $again = Invoke-WeComUpstreamSync -Path $csv -FieldMap $map -Confirm:$false 3>$null 6>$null
        ($again.Steps | Where-Object Name -eq 'users').Message | Should -Be 'No changes.'

        # A changed 工号 is one field change, shown in the plan and written to externalId.
        $changed = $rows | ForEach-Object { $_.PSObject.Copy() }
        $changed[0].工号 = 'B001'
        $csv2 = Save-TestCsv $changed 'changed.csv'
        $plan = @(Compare-Directory (Import-WeComAddressBook $csv2) (Get-AuthingUser -FieldMap $map) -FieldMap $map)
        $plan.Count | Should -Be 1
        $plan[0].Description | Should -Match '工号 A001 -> B001'
        Invoke-WeComUpstreamSync -Path $csv2 -FieldMap $map -Confirm:$false 3>$null 6>$null | Out-Null
        (Get-RawAuthingUser $rows[0].账号).externalId | Should -Be 'B001'

        # The file without the 工号 column: unknown, not empty; nothing is planned and externalId stays.
        $without = $changed | Select-Object * -ExcludeProperty '工号'
        $csv3 = Save-TestCsv $without 'without.csv'
        $plan = @(Compare-Directory (Import-WeComAddressBook $csv3) (Get-AuthingUser -FieldMap $map) -FieldMap $map -InformationVariable said 6>$null)
        $plan.Count | Should -Be 0
        "$said" | Should -Be 'No changes.'
        Invoke-WeComUpstreamSync -Path $csv3 -FieldMap $map -Confirm:$false 3>$null 6>$null | Out-Null
        (Get-RawAuthingUser $rows[0].账号).externalId | Should -Be 'B001'
    }

    It 'keeps mapped values through Export-Clixml: saved users and a saved plan apply the mapped field' {
        $csv = Save-TestCsv $rows 'saved.csv'
        Invoke-WeComUpstreamSync -Path $csv -FieldMap $map -Confirm:$false 3>$null 6>$null | Out-Null
        $changed = $rows | ForEach-Object { $_.PSObject.Copy() }
        $changed[1].工号 = 'C002'
        $usersFile = Join-Path $work 'users.xml'
        Import-WeComAddressBook (Save-TestCsv $changed 'saved2.csv') | Export-Clixml -LiteralPath $usersFile
        $saved = @(Import-Clixml -LiteralPath $usersFile)
        ($saved | Where-Object UserId -eq $rows[1].账号).Extra['工号'] | Should -Be 'C002'

        $planFile = Join-Path $work 'mapped-plan.xml'
        Compare-Directory $saved (Get-AuthingUser -FieldMap $map) -FieldMap $map | Export-Clixml -LiteralPath $planFile
        $plan = @(Import-Clixml -LiteralPath $planFile)
        $plan.Count | Should -Be 1
        $plan[0].Desired.Extra['工号'] | Should -Be 'C002'
        $plan[0].Current.Extra.工号 | Should -Be 'A002'
        ($plan | Sync-AuthingUser -FieldMap $map -Confirm:$false).Outcome | Should -Be 'Succeeded'
        (Get-RawAuthingUser $rows[1].账号).externalId | Should -Be 'C002'
    }

    It 'leaves an update Stale when its mapped field changed in Authing since the plan was saved, and -Force applies it' {
        Invoke-WeComUpstreamSync -Path (Save-TestCsv $rows 'monday.csv') -FieldMap $map -Confirm:$false 3>$null 6>$null | Out-Null
        $changed = $rows | ForEach-Object { $_.PSObject.Copy() }
        $changed[2].工号 = 'C003'; $changed[3].工号 = 'C004'
        $planFile = Join-Path $work 'monday-plan.xml'
        Compare-Directory (Import-WeComAddressBook (Save-TestCsv $changed 'monday2.csv')) (Get-AuthingUser -FieldMap $map) -FieldMap $map |
            Export-Clixml -LiteralPath $planFile

        # Wednesday: someone sets one user's externalId in Authing by hand.
        $edited = Get-AuthingUser -FieldMap $map | Where-Object UserId -eq $rows[2].账号
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $emulator.BaseUrl -Path /api/v3/update-user -Body @{ userId = $edited.SourceId; externalId = 'Z003' } | Out-Null

        $results = @(Import-Clixml -LiteralPath $planFile | Sync-AuthingUser -FieldMap $map -Confirm:$false 3>$null)
        $results.Count | Should -Be 2
        $stale = $results | Where-Object Outcome -EQ 'Stale'
        $stale.Change.Key | Should -Be $rows[2].账号
        $stale.Error | Should -Match '工号 was A003 in the plan, is Z003 now'
        ($results | Where-Object Outcome -EQ 'Succeeded').Change.Key | Should -Be $rows[3].账号
        (Get-RawAuthingUser $rows[2].账号).externalId | Should -Be 'Z003'   # the hand edit stands
        (Get-RawAuthingUser $rows[3].账号).externalId | Should -Be 'C004'

        (Import-Clixml -LiteralPath $planFile | Sync-AuthingUser -FieldMap $map -Confirm:$false -Force | Where-Object { $_.Change.Key -eq $rows[2].账号 }).Outcome |
            Should -Be 'Succeeded'
        (Get-RawAuthingUser $rows[2].账号).externalId | Should -Be 'C003'
    }

    It 'reads the map from a .psd1 or .json file, one map per API' {
        $psd1 = Join-Path $work 'map.psd1'
        Set-Content -LiteralPath $psd1 -Encoding utf8 -Value "@{ Authing = @{ '工号' = 'externalId' }; WeCom = @{ '工号' = 'extattr.工号' } }"
        $json = Join-Path $work 'map.json'
        Set-Content -LiteralPath $json -Encoding utf8 -Value '{ "工号": "externalId", "入职日期": "customData.hired_on" }'
        $row = Get-WeComSyncFieldMap -AuthingFieldMap $psd1 -WeComFieldMap $psd1 -Field 工号
        $row.Authing | Should -Be 'externalId'
        $row.WeCom | Should -Be 'extattr.工号'
        (Get-WeComSyncFieldMap -AuthingFieldMap $json -Field 入职日期).Authing | Should -Be 'customData.hired_on'
        (Get-WeComSyncFieldMap | Where-Object Field -eq 'Position').Authing | Should -Be ''   # no place by default
    }

    It 'refuses a map that cannot work, naming the entry, before anything is read or written' {
        { Get-WeComSyncFieldMap -AuthingFieldMap @{ '工号' = 'nosuchfield' } } | Should -Throw "*'nosuchfield'*not a Authing user field*"
        { Get-WeComSyncFieldMap -AuthingFieldMap @{ '工号' = 'externalId'; '入职日期' = 'externalId' } } | Should -Throw '*both be written*'
        { Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $emulator.BaseUrl -FieldMap @{ 'x' = 'customData.wechatwork_user_id' } } |
            Should -Throw '*link field*'
    }

    It 'takes other link field names from -LinkFieldName' {
        Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $emulator.BaseUrl -OrganizationCode emulator-org -LinkFieldName @{ UserId = 'wecom_uid' }
        @(Initialize-AuthingLinkField -Confirm:$false).Key | Should -Contain 'wecom_uid'
        Invoke-WeComUpstreamSync -Path (Save-TestCsv $rows 'links.csv') -Confirm:$false 3>$null 6>$null | Out-Null
        (Get-RawAuthingUser $rows[0].账号).customData.wecom_uid | Should -Be $rows[0].账号
    }
}

Describe 'Leavers and scope upstream (-DeleteAction Suspend, -Department) against the emulator' {
    BeforeEach {
        Connect-TestAuthing $emulator -Reset
        $script:all = Save-TestCsv $rows 'all.csv'
        Invoke-WeComUpstreamSync -Path $all -Confirm:$false 3>$null 6>$null | Out-Null
    }

    It 'suspends a leaver instead of deleting it, and reactivates it when it is back, never creating it twice' {
        $leaver = $rows[0].账号
        $fewer = Save-TestCsv ($rows | Select-Object -Skip 1) 'fewer.csv'
        # -WhatIf says what it would do in the summary's own words.
        $shown = Invoke-Recorded { Invoke-WeComUpstreamSync -Path $fewer -Mode DeleteOnly -DeleteAction Suspend -WhatIf 3>$null 6>$null }
        $whatIf = $shown.Output
        $whatIf.Message | Should -Match 'delete users: 1 to suspend\b'
        ($whatIf | Out-String -Width 80) | Should -Match 'delete users: 1 to suspend'
        (Get-RawAuthingUser $leaver).status | Should -Be 'Activated'

        $logs = Join-Path $work 'suspend-logs'
        $summary = Invoke-WeComUpstreamSync -Path $fewer -Mode DeleteOnly -DeleteAction Suspend -LogPath $logs -Confirm:$false 3>$null 6>$null
        $step = $summary.Steps | Where-Object Name -eq 'delete users'
        $step.Message | Should -Match 'Planned: 1 to suspend\.'
        # Counted apart: Suspended, not Updated (nor Deleted), in the step, the summary and the log read back.
        ($step.Suspended, $step.Updated, $step.Deleted) | Should -Be @(1, 0, 0)
        ($summary.Suspended, $summary.Updated, $summary.Deleted) | Should -Be @(1, 0, 0)
        $back = Get-WeComSyncLog -Path $logs
        ($back.Suspended, $back.Updated) | Should -Be @(1, 0)
        (Get-WeComSyncLog -Path $logs | Out-String -Width 120) | Should -Match 'Stale\s+Suspended\s+Name[\s\S]+\b0\s+1\s+upstream'
        (Get-WeComSyncLog -Path $logs -Run $back.ShortId | Out-String -Width 80) | Should -Match '1 suspended\. Planned: 1 to suspend\.'
        (Get-RawAuthingUser $leaver).status | Should -Be 'Suspended'
        @((Get-WeComSyncEmulatorState -BaseUrl $emulator.BaseUrl).authing.users).Count | Should -Be $rows.Count   # kept, not deleted

        $plan = @(Compare-Directory (Import-WeComAddressBook $all) (Get-AuthingUser))
        $plan.Count | Should -Be 1
        $plan[0].Operation | Should -Be 'Update'
        $plan[0].Description | Should -Match 're-hired'
        Invoke-WeComUpstreamSync -Path $all -Confirm:$false 3>$null 6>$null | Out-Null
        (Get-RawAuthingUser $leaver).status | Should -Be 'Activated'
        @((Get-WeComSyncEmulatorState -BaseUrl $emulator.BaseUrl).authing.users | Where-Object username -eq $leaver).Count | Should -Be 1
    }

    It 'warns, and leaves the leaver suspended, when the file is back without the 禁用状态 column' {
        $leaver = $rows[0].账号
        Invoke-WeComUpstreamSync -Path (Save-TestCsv ($rows | Select-Object -Skip 1) 'gone.csv') -Mode DeleteOnly -DeleteAction Suspend -Confirm:$false 3>$null 6>$null | Out-Null
        $silent = Save-TestCsv ($rows | Select-Object * -ExcludeProperty '禁用状态') 'no-status.csv'
        $plan = @(Compare-Directory (Import-WeComAddressBook $silent) (Get-AuthingUser) -WarningVariable warnings 3>$null 6>$null)
        $plan.Count | Should -Be 0
        $kept = '1 user\(s\) suspended in the target are in the source, which does not say whether they are enabled.*禁用状态'
        "$warnings" | Should -Match $kept
        # A run with that file warns the same, and its run log keeps the warning in the users step's message.
        $logs = Join-Path $work 'kept-logs'
        $summary = Invoke-WeComUpstreamSync -Path $silent -LogPath $logs -Confirm:$false -WarningVariable runWarnings 3>$null 6>$null
        "$runWarnings" | Should -Match $kept
        ($summary.Steps | Where-Object Name -eq 'users').Message | Should -Match "^No changes\. $kept"
        ((Get-WeComSyncLog -Path $logs).Steps | Where-Object Name -eq 'users').Message | Should -Match $kept
        (Get-RawAuthingUser $leaver).status | Should -Be 'Suspended'
    }

    It 'a scoped delete run leaves the rest of the organization untouched' {
        $dept = ($rows[0].部门 -split '[；;]')[0]
        $inScope = @($rows | Where-Object { ($_.部门 -split '[；;]') -contains $dept })
        $summary = Invoke-WeComUpstreamSync -Path (Save-TestCsv ($rows | Select-Object -First 1) 'one.csv') -Mode DeleteOnly -Department $dept -Force -Confirm:$false 3>$null 6>$null
        ($summary.Steps | Where-Object Name -eq 'delete users').Message | Should -Match ([regex]::Escape("scope: $dept (subtrees)"))
        $left = @((Get-WeComSyncEmulatorState -BaseUrl $emulator.BaseUrl).authing.users)
        $left.Count | Should -Be ($rows.Count - $inScope.Count + 1)
        $left.username | Should -Contain $rows[0].账号
        foreach ($r in $rows | Where-Object { ($_.部门 -split '[；;]') -notcontains $dept }) { $left.username | Should -Contain $r.账号 }
    }
}


Describe 'A saved plan with a scope, suspends and a field map, applied in a new session as the live plan would be' {
    BeforeAll {
        $script:mapFile = Join-Path $work 'saved-map.json'
        $map | ConvertTo-Json | Set-Content -LiteralPath $mapFile -Encoding utf8
        Connect-TestAuthing $emulator -Reset -NoLinkField -Parameters @{ FieldMap = $mapFile }
        Initialize-AuthingLinkField -FieldMap $map -Confirm:$false | Out-Null
        Invoke-WeComUpstreamSync -Path (Save-TestCsv $rows 'saved-all.csv') -Confirm:$false 3>$null 6>$null | Out-Null

        # The scope: the department with the most members, short of everyone, so that a guard judged against the whole
        # organization would let through what the scope refuses.
        function Get-Departments($Row) { @($Row.部门 -split '[；;]' | Where-Object { $_ }) }
        $script:dept = @($rows | ForEach-Object { Get-Departments $_ } | Group-Object | Sort-Object Count -Descending |
                Where-Object { $_.Count -ge 3 -and $_.Count -lt $rows.Count })[0].Name
        $dept | Should -Not -BeNullOrEmpty
        $inScope = @($rows | Where-Object { (Get-Departments $_) -contains $dept })
        $script:scopeCount = $inScope.Count
        $script:leavers = @($inScope[0].账号, $inScope[1].账号)
        $script:changed = $inScope[2].账号
        $script:outsider = @($rows | Where-Object { (Get-Departments $_) -notcontains $dept })[0].账号
        $kept = @($rows | Where-Object { $_.账号 -notin ($leavers + $outsider) } | ForEach-Object { $_.PSObject.Copy() })
        ($kept | Where-Object 账号 -EQ $changed).工号 = 'B999'
        $file = Save-TestCsv $kept 'saved-fewer.csv'

        $script:live = @(Compare-Directory (Import-WeComAddressBook $file) (Get-AuthingUser) -Operation Create, Update, Delete -DeleteAction Suspend -Department $dept)
        $script:planFile = Join-Path $work 'saved-plan.xml'
        $live | Export-Clixml -LiteralPath $planFile

        # The new session: imports the plan, applies it without the map, under a guard the scope breaks, then for real.
        $child = Join-Path $work 'apply-saved-plan.ps1'
        Set-Content -LiteralPath $child -Encoding utf8 -Value @'
param([string] $ModulePath, [string] $BaseUrl, [string] $PlanFile, [string] $MapFile, [double] $Guard)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$secret = ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force
$plan = @(Import-Clixml -LiteralPath $PlanFile)
$out = [ordered]@{ Context = $plan[0].Plan | ConvertTo-Json -Depth 3 -Compress; Summary = [string]$plan[0].Plan
    Operations = @($plan | ForEach-Object { "$($_.Operation) $($_.Key)" }) }
Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $BaseUrl -OrganizationCode emulator-org
try { $plan | Sync-AuthingUser -Confirm:$false -MaxDeletePercent 100 | Out-Null; $out.WithoutMap = 'applied' } catch { $out.WithoutMap = $_.Exception.Message }
Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $BaseUrl -OrganizationCode emulator-org -FieldMap $MapFile
try { $plan | Sync-AuthingUser -Confirm:$false -MaxDeletePercent $Guard | Out-Null; $out.Guarded = 'applied' } catch { $out.Guarded = $_.Exception.Message }
$out.Results = @($plan | Sync-AuthingUser -Confirm:$false -MaxDeletePercent 100 | ForEach-Object { "$($_.Change.Operation) $($_.Change.Key) $($_.Outcome)" })
$out | ConvertTo-Json -Depth 3
'@
        # Between the two shares of the organization the two suspends are: allowed for the whole, refused in the scope.
        $script:guard = (200.0 / $scopeCount + 200.0 / $rows.Count) / 2
        $run = Invoke-ChildPwsh $child -Arguments '-ModulePath', $env:WECOMSYNC_MODULE_PATH, '-BaseUrl', $emulator.BaseUrl, '-PlanFile', $planFile, '-MapFile', $mapFile, '-Guard', $guard
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $script:saved = $run.Output | ConvertFrom-Json
    }

    It 'the live plan suspends the leavers in the scope only, and counts and states the scope' {
        @($live | Where-Object Operation -EQ Suspend).Key | Sort-Object | Should -Be ($leavers | Sort-Object)
        $live.Key | Should -Not -Contain $outsider
        $live[0].Plan.SuspendCount | Should -Be 2
        $live[0].Plan.TargetCount | Should -Be $scopeCount
        [string]$live[0].Plan | Should -Be "Plan: 0 to create, 1 to update, 0 to move, 0 to delete, 2 to suspend (scope: $dept (subtrees))."
    }

    It 'comes back in the new session with every property of its context, its suspends and its summary' {
        $saved.Context | Should -Be ($live[0].Plan | ConvertTo-Json -Depth 3 -Compress)
        $saved.Summary | Should -Be ([string]$live[0].Plan)
        $saved.Operations | Should -Be @($live | ForEach-Object { "$($_.Operation) $($_.Key)" })
    }

    It 'is refused without the field map it was computed with, before anything is written' {
        $saved.WithoutMap | Should -Match "The plan writes 工号, which this run's Authing field map gives no place.*Nothing was applied"
    }

    It 'judges the delete guard within the scope, as the live plan does' {
        $saved.Guarded | Should -Match ([regex]::Escape("2 of $scopeCount user(s)"))
    }

    It 'then suspends the leavers (not deleting them), writes 工号 where the map says, and leaves the rest alone' {
        $saved.Results | Sort-Object | Should -Be (@("Update $changed Succeeded") + @($leavers | ForEach-Object { "Suspend $_ Succeeded" }) | Sort-Object)
        $users = @((Get-WeComSyncEmulatorState -BaseUrl $emulator.BaseUrl).authing.users)
        $users.Count | Should -Be $rows.Count
        foreach ($l in $leavers) { ($users | Where-Object username -EQ $l).status | Should -Be 'Suspended' }
        ($users | Where-Object username -EQ $outsider).status | Should -Be 'Activated'
        ($users | Where-Object username -EQ $changed).externalId | Should -Be 'B999'
    }
}
