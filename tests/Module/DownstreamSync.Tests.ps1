# Pester: the downstream cmdlets and template against the emulator (127.0.0.1), as an administrator would run them.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:emulator = (Initialize-ModuleTest -Emulator).Emulator
    $script:url = $script:emulator.BaseUrl
    $script:wecomSecret = ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force

    function Get-WriteCallCount { (Get-TestWrite $emulator -Api WeCom).Values | Measure-Object -Sum | ForEach-Object Sum }

    # A fresh emulator state: Authing holds a three-level tree and four users; WeCom only its root.
    function Initialize-Scenario {
        Connect-TestAuthing $emulator -Reset
        $state = Get-WeComSyncEmulatorState -BaseUrl $script:url
        $root = ($state.authing.organizations | Where-Object organizationCode -EQ 'emulator-org').departmentId
        $d = { param($id, $name, $parent) @{ organizationCode = 'emulator-org'; departmentId = $id; name = $name; parentDepartmentId = $parent } }
        $u = { param($id, $username, $name, $phone, $dept) @{ userId = $id; username = $username; name = $name; phone = $phone; phoneCountryCode = '+86'; email = "$username@example.com"; departmentIds = @($dept) } }
        Set-WeComSyncEmulatorState -BaseUrl $script:url -Seed @{ authing = @{
                organizations = @(@{ organizationCode = 'emulator-org'; organizationName = '示例科技'; departmentId = $root })
                customFields  = @($state.authing.customFields)
                departments   = @((& $d 'd-rd' '研发部' $root), (& $d 'd-wx' '微信事业群' 'd-rd'), (& $d 'd-gz' '广州研发部' 'd-wx'), (& $d 'd-sales' '销售部' $root))
                users         = @((& $u 'u1' 'zhangsan' '张三' '13800000001' 'd-gz'), (& $u 'u2' 'lisi' '李四' '13800000002' 'd-wx'),
                    (& $u 'u3' 'wangwu' '王五' '13800000003' 'd-sales'), (& $u 'u4' 'zhaoliu' '赵六' '13800000004' 'd-rd'))
            }
        }
        Connect-TestWeCom $emulator -AppMode AgentDevelopment
        Clear-WeComSyncEmulatorCallCount -BaseUrl $script:url
    }
}

AfterAll { Complete-ModuleTest }

Describe 'Connect-WeCom and the WeCom reading cmdlets' {
    BeforeAll { Initialize-Scenario }

    It 'fails with a clear error when not connected' {
        Disconnect-WeCom
        { Get-WeComUser -ErrorAction Stop } | Should -Throw -ExpectedMessage '*Not connected to WeCom*'
        Connect-WeCom -CorpId ww-emulator -Secret $script:wecomSecret -ApiHost $script:url
    }

    It 'reads the root department with its name and returns the connection with -PassThru, never the secret' {
        $connection = Connect-WeCom -CorpId ww-emulator -Secret $script:wecomSecret -ApiHost $script:url -PassThru
        ($connection | Out-String) | Should -Not -Match 'emulator-secret'
        $root = Get-WeComDepartment | Where-Object IsRoot
        $root.Name | Should -Be '示例科技'
        $root.Key | Should -Be '1'
    }

    It 'refuses a wrong secret (40001) at connect time, saying what to do once' {
        # Connect-WeCom fetches a token, as Connect-Authing does: the error comes now, not in the middle of a sync.
        $err = { Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'wrong-secret-xyz' -AsPlainText -Force) -ApiHost $script:url -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^WeComApi40001'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match '40001'
        $err.ErrorDetails.RecommendedAction | Should -Match 'secret'
        # The advice once: in RecommendedAction (the console's "Recommendation:"), not in the message above it.
        $err.Exception.Message | Should -Not -Match 'Check the corp id'
        "$err" | Should -Not -Match 'Check the corp id'
        "$err" | Should -Match '40001.*\.$'
        $err.ErrorDetails.RecommendedAction | Should -Match '^Check the corp id.*\.$'
        "$err" | Should -Not -Match 'wrong-secret-xyz'
    }

    It 'refuses a wrong corp id (40013) and an unreachable host at connect time' {
        { Connect-WeCom -CorpId ww-nosuch -Secret $script:wecomSecret -ApiHost $script:url -ErrorAction Stop } | Should -Throw -ErrorId 'WeComApi40013*'
        { Connect-WeCom -CorpId ww-emulator -Secret $script:wecomSecret -ApiHost 'http://127.0.0.1:1/' -MaxRetry 0 -ErrorAction Stop } | Should -Throw -ErrorId 'WeComApitransport*'
        Connect-WeCom -CorpId ww-emulator -Secret $script:wecomSecret -ApiHost $script:url
    }

    It 'Connect-Authing -OrganizationCode checks that the organization exists' {
        $err = { Connect-Authing -Credential ([pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))) -ApiHost $script:url -OrganizationCode no-such-org -ErrorAction Stop } |
            Should -Throw -PassThru
        "$err" | Should -Match "no organization with code 'no-such-org'"
        $err.ErrorDetails.RecommendedAction | Should -Match 'OrganizationCode'
        Connect-Authing -Credential ([pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))) -ApiHost $script:url -OrganizationCode emulator-org
    }

    It 'Test-WeComConnection shows 48002 with its fix for an agent-development secret' {
        Set-WeComSyncEmulatorSecretMode -BaseUrl $script:url -Secret 'agent-secret-p' -Mode agent
        $agent = Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'agent-secret-p' -AsPlainText -Force) -AppMode AgentDevelopment -ApiHost $script:url -PassThru
        $checks = Test-WeComConnection -Connection $agent -WarningAction SilentlyContinue
        ($checks | Where-Object Check -Like 'Write*').Code | Should -Be '48002'
        Test-WeComConnection -Connection $agent -Quiet | Should -BeFalse
        Connect-WeCom -CorpId ww-emulator -Secret $script:wecomSecret -ApiHost $script:url
        Test-WeComConnection -Quiet | Should -BeTrue
    }
}

Describe 'Invoke-WeComDownstreamSync' {
    BeforeAll { Initialize-Scenario }

    It '-WhatIf plans the creates and makes zero write calls' {
        $shown = Invoke-Recorded { Invoke-WeComDownstreamSync -WhatIf -WarningAction SilentlyContinue }
        $summary = $shown.Output
        $summary | Should -Not -BeNullOrEmpty
        # The plan view on the information stream, not a host line per change.
        @($shown.WhatIf).Count | Should -Be 0
        @($shown.Information | Where-Object { "$_" -like 'users: 4 to create*' }).Count | Should -Be 1
        $summary.WhatIf | Should -BeTrue
        Get-WriteCallCount | Should -Be 0
        @(Get-WeComUser).Count | Should -Be 0
    }

    It 'first sync into an empty WeCom creates the three-level tree and the users, and writes the links back' {
        $summary = Invoke-WeComDownstreamSync
        $summary.Status | Should -Be 'Succeeded'
        $depts = Get-WeComDepartment
        ($depts | Where-Object Name -EQ '广州研发部').Path | Should -Be '示例科技/研发部/微信事业群/广州研发部'
        @(Get-WeComUser).Count | Should -Be 4
        (Get-AuthingUser | Where-Object Username -EQ 'zhangsan').UserId | Should -Be 'zhangsan'
    }

    It 'the re-run plans zero changes and makes no write call in <Mode> mode' -ForEach @(@{ Mode = 'None' }, @{ Mode = 'Changed' }) {
        Clear-WeComSyncEmulatorCallCount -BaseUrl $script:url
        $summary = Invoke-WeComDownstreamSync -UpdateMode $Mode
        Get-WriteCallCount | Should -Be 0
        ($summary.Steps | Measure-Object -Property Created, Updated, Deleted -Sum | Measure-Object -Property Sum -Sum).Sum | Should -Be 0
    }

    It 'Overwrite sends the updates but never the excluded fields' {
        $before = (Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users | Where-Object userid -EQ 'lisi'
        $lisi = Get-AuthingUser | Where-Object Username -EQ 'lisi'
        $change = [WeComSync.Model.Change]@{ Operation = 'Update'; Kind = 'User'; Key = $lisi.SourceId; Desired = $lisi; Current = $lisi }
        $lisi.Name = '李四四'; $lisi.Mobile = '+86 13900000009'
        $change.Fields.Add([WeComSync.Model.FieldChange]::new('Name', '李四', '李四四'))
        $change.Fields.Add([WeComSync.Model.FieldChange]::new('Mobile', $null, '+86 13900000009'))
        $null = Sync-AuthingUser -InputObject $change -Confirm:$false
        Clear-WeComSyncEmulatorCallCount -BaseUrl $script:url
        $summary = Invoke-WeComDownstreamSync -UpdateMode Overwrite -ExcludeProperty Mobile, Email
        $summary.Status | Should -Be 'Succeeded'
        $after = (Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users | Where-Object userid -EQ 'lisi'
        $after.name | Should -Be '李四四'
        $after.mobile | Should -Be $before.mobile
    }

    It 'a user deleted in Authing stays in WeCom without -Delete, and -Delete stops at the guard, then removes it within the guard' {
        $wangwu = Get-AuthingUser | Where-Object Username -EQ 'wangwu'
        $null = [WeComSync.Model.Change]@{ Operation = 'Delete'; Kind = 'User'; Key = $wangwu.SourceId; Current = $wangwu } | Sync-AuthingUser -Force -Confirm:$false
        $null = Invoke-WeComDownstreamSync
        (Get-WeComUser).UserId | Should -Contain 'wangwu'

        { Invoke-WeComDownstreamSync -Delete -MaxDelete 0 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*MaxDelete*'
        (Get-WeComUser).UserId | Should -Contain 'wangwu'

        $summary = Invoke-WeComDownstreamSync -Delete -MaxDelete 5 -MaxDeletePercent 50
        $summary.Status | Should -Be 'Succeeded'
        (Get-WeComUser).UserId | Should -Not -Contain 'wangwu'
    }

    It 'a token invalidated between runs is refreshed and the run goes on' {
        Revoke-WeComSyncEmulatorToken -BaseUrl $script:url -Api wecom -Errcode 42001
        $summary = Invoke-WeComDownstreamSync
        $summary.Status | Should -Be 'Succeeded'
    }

    It 'never shows the secret or a token in any stream with -Verbose and -Debug' {
        # Every stream and what the host showed (the What if lines).
        $shown = Invoke-Recorded { Invoke-WeComDownstreamSync -WhatIf -Verbose -Debug *>&1 | Out-String }
        $out = "$($shown.Output)`n$($shown.Host -join "`n")"
        $out | Should -Not -Match 'emulator-secret'
        $out | Should -Not -Match 'access_token=[^*&\s]'
    }

    It 'writes a run log that Get-WeComSyncLog reads back' {
        $log = Join-Path $TestDrive 'logs'
        $summary = Invoke-WeComDownstreamSync -LogPath $log
        $runs = @(Get-WeComSyncLog -Path $log)
        $runs.Count | Should -Be 1
        $runs[0].Name | Should -Be $summary.Name
    }

    It 'creates new members with the excluded fields (WeCom needs a mobile or an email) while never overwriting them' {
        Initialize-Scenario
        $summary = Invoke-WeComDownstreamSync -UpdateMode Overwrite -ExcludeProperty Mobile, Email
        $summary.Status | Should -Be 'Succeeded'
        ($summary.Steps | Where-Object Name -EQ 'users').Created | Should -Be 4
        $users = (Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users
        @($users).Count | Should -Be 4
        @($users | Where-Object { $_.mobile -or $_.email }).Count | Should -Be 4
    }
}

Describe 'Leavers, scope and field maps downstream (Invoke-WeComDownstreamSync)' {
    BeforeEach { Initialize-Scenario }

    It 'suspends a leaver (enable 0) instead of deleting it, then reactivates it when it is back in Authing' {
        Invoke-WeComDownstreamSync -Confirm:$false 3>$null 6>$null | Out-Null
        @(Get-WeComUser).Count | Should -Be 4
        # 王五 leaves Authing: remove the user, then run with -Delete -DeleteAction Suspend.
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $script:url -Path /api/v3/delete-users-batch -Body @{ userIds = @('u3') } | Out-Null
        $summary = Invoke-WeComDownstreamSync -Delete -DeleteAction Suspend -Force -Confirm:$false 3>$null 6>$null
        $users = $summary.Steps | Where-Object Name -eq 'users'
        $users.Message | Should -Match 'Planned: 1 to suspend\.'
        ($users.Suspended, $users.Updated, $users.Deleted) | Should -Be @(1, 0, 0)   # its own count, not an update
        ($summary.Suspended, $summary.Updated) | Should -Be @(1, 0)
        $member = (Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users | Where-Object userid -eq 'wangwu'
        $member.enable | Should -Be 0
        @((Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users).Count | Should -Be 4   # kept

        # Back in Authing (re-hired): the same member is reactivated, not created again, even with -UpdateMode None.
        $state = Get-WeComSyncEmulatorState -BaseUrl $script:url
        $root = ($state.authing.organizations | Where-Object organizationCode -EQ 'emulator-org').departmentId
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $script:url -Path /api/v3/create-user -Body @{
            username = 'wangwu'; name = '王五'; phone = '13800000003'; phoneCountryCode = '+86'; departmentIds = @('d-sales')
            customData = @{ wechatwork_user_id = 'wangwu' } } | Out-Null
        Invoke-WeComDownstreamSync -Confirm:$false 3>$null 6>$null | Out-Null
        $members = @((Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users | Where-Object userid -eq 'wangwu')
        $members.Count | Should -Be 1
        $members[0].enable | Should -Be 1
    }

    It 're-hires a member whose Authing user was made again without its link: enabled and updated, not created twice; a later -Delete run deletes those still gone' {
        Invoke-WeComDownstreamSync -Confirm:$false 3>$null 6>$null | Out-Null
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $script:url -Path /api/v3/delete-users-batch -Body @{ userIds = @('u3', 'u4') } | Out-Null
        Invoke-WeComDownstreamSync -Delete -DeleteAction Suspend -Force -Confirm:$false 3>$null 6>$null | Out-Null
        $members = (Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users
        ($members | Where-Object userid -In 'wangwu', 'zhaoliu').enable | Should -Be @(0, 0)
        # A second suspend run has nothing to do: the suspended stay suspended, not suspended again.
        Clear-WeComSyncEmulatorCallCount -BaseUrl $script:url
        Invoke-WeComDownstreamSync -Delete -DeleteAction Suspend -Force -Confirm:$false 3>$null 6>$null | Out-Null
        Get-WriteCallCount | Should -Be 0

        # 王五 is hired again: a new Authing user, by username only (the admin does not know the link field), renamed.
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $script:url -Path /api/v3/create-user -Body @{
            username = 'wangwu'; name = '王五（返聘）'; phone = '13800000003'; phoneCountryCode = '+86'; departmentIds = @('d-sales') } | Out-Null
        $summary = Invoke-WeComDownstreamSync -UpdateMode Changed -Confirm:$false 3>$null 6>$null
        ($summary.Steps | Where-Object Name -EQ 'users').Created | Should -Be 0
        $members = @((Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users | Where-Object userid -EQ 'wangwu')
        $members.Count | Should -Be 1
        $members[0].enable | Should -Be 1
        $members[0].name | Should -Be '王五（返聘）'
        ((Get-WeComSyncEmulatorState -BaseUrl $script:url).authing.users | Where-Object username -EQ 'wangwu').customData.wechatwork_user_id | Should -Be 'wangwu'

        # 赵六 is still gone: a later delete run (the default action) removes the suspended member.
        Invoke-WeComDownstreamSync -Delete -Force -Confirm:$false 3>$null 6>$null | Out-Null
        $left = @((Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users).userid
        $left | Should -Not -Contain 'zhaoliu'
        $left | Should -Contain 'wangwu'
    }

    It 'writes a mapped custom attribute (extattr) and keeps the attributes the map does not own' {
        # Authing keeps 工号 in externalId, WeCom in the custom attribute 工号; the member has two more set by hand.
        Connect-TestAuthing $emulator -NoLinkField -Parameters @{ FieldMap = @{ '工号' = 'externalId' } }
        $weComMap = @{ '工号' = 'extattr.工号' }
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $script:url -Path /api/v3/update-user -Body @{ userId = 'u1'; externalId = 'A1' } | Out-Null
        Invoke-WeComDownstreamSync -FieldMap $weComMap -Confirm:$false 3>$null 6>$null | Out-Null
        $wecom = Connect-WeCom -CorpId ww-emulator -Secret $script:wecomSecret -AppMode AgentDevelopment -ApiHost $script:url -PassThru
        $none = [Threading.CancellationToken]::None
        $byHand = '{"userid":"zhangsan","extattr":{"attrs":[{"type":0,"name":"工号","text":{"value":"A1"}},{"type":0,"name":"爱好","text":{"value":"旅游"}},' +
            '{"type":1,"name":"主页","web":{"url":"https://example.org/zs","title":"主页"}}]}}'
        $null = $wecom.Client.UpdateUserAsync([Newtonsoft.Json.Linq.JObject]::Parse($byHand), $none).GetAwaiter().GetResult()

        # 工号 changes in Authing: one update, which sends the hand-set attributes along (the emulator replaces the list).
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $script:url -Path /api/v3/update-user -Body @{ userId = 'u1'; externalId = 'A2' } | Out-Null
        $summary = Invoke-WeComDownstreamSync -FieldMap $weComMap -UpdateMode Changed -Confirm:$false 3>$null 6>$null
        ($summary.Steps | Where-Object Name -EQ 'users').Updated | Should -Be 1
        $attrs = ((Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users | Where-Object userid -EQ 'zhangsan').extattr.attrs
        ($attrs | Where-Object name -EQ '工号').text.value | Should -Be 'A2'
        ($attrs | Where-Object name -EQ '爱好').text.value | Should -Be '旅游'
        ($attrs | Where-Object name -EQ '主页').web.url | Should -Be 'https://example.org/zs'
        @($attrs).Count | Should -Be 3
    }

    It 'a scoped run leaves members outside the scope untouched, deletes included' {
        Invoke-WeComDownstreamSync -Confirm:$false 3>$null 6>$null | Out-Null
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $script:url -Path /api/v3/delete-users-batch -Body @{ userIds = @('u3', 'u4') } | Out-Null
        $summary = Invoke-WeComDownstreamSync -Delete -Department '示例科技/销售部' -Force -Confirm:$false 3>$null 6>$null
        ($summary.Steps | Where-Object Name -eq 'users').Message | Should -Match 'scope: 示例科技/销售部'
        $left = @((Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users).userid
        $left | Should -Not -Contain 'wangwu'   # in 销售部: deleted
        $left | Should -Contain 'zhaoliu'       # in 研发部: outside the scope, left alone
    }
}

Describe 'A saved plan never applies over drift (Sync-WeComUser against the emulator)' {
    It 'leaves a member edited and a member deleted in WeCom since as Stale, applies the rest, and overwrites nothing' {
        Initialize-Scenario
        Invoke-WeComDownstreamSync | Out-Null   # WeCom now holds the four members
        $none = [Threading.CancellationToken]::None
        $authing = Connect-Authing -Credential ([pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))) -ApiHost $script:url -OrganizationCode emulator-org -PassThru
        foreach ($id in 'u1', 'u2', 'u3') {
            $null = $authing.Client.UpdateUserAsync($id, [Newtonsoft.Json.Linq.JObject]::Parse("{`"name`":`"新$id`"}"), $none).GetAwaiter().GetResult()
        }
        $planFile = Join-Path $TestDrive 'downstream-plan.xml'
        Compare-Directory -ReferenceObject (Get-AuthingUser) -DifferenceObject (Get-WeComUser) | Export-Clixml -LiteralPath $planFile
        @(Import-Clixml -LiteralPath $planFile).Count | Should -Be 3
        # Between review and apply, WeCom changes: one member gets a position by hand, another is deleted.
        $wecom = Connect-WeCom -CorpId ww-emulator -Secret $script:wecomSecret -AppMode AgentDevelopment -ApiHost $script:url -PassThru
        $null = $wecom.Client.UpdateUserAsync([Newtonsoft.Json.Linq.JObject]::Parse('{"userid":"zhangsan","position":"经理"}'), $none).GetAwaiter().GetResult()
        $wecom.Client.DeleteUsersAsync([string[]] @('lisi'), $none).GetAwaiter().GetResult()

        $results = @(Import-Clixml -LiteralPath $planFile | Sync-WeComUser -Confirm:$false 3>$null)

        @($results | Where-Object Outcome -EQ 'Stale').Change.Key | Sort-Object | Should -Be @('lisi', 'zhangsan')
        ($results | Where-Object { $_.Change.Key -eq 'zhangsan' }).Error | Should -Match 'Position'
        ($results | Where-Object Outcome -EQ 'Succeeded').Change.Key | Should -Be 'wangwu'
        $users = @((Get-WeComSyncEmulatorState -BaseUrl $script:url).wecom.users)
        ($users | Where-Object userid -EQ 'zhangsan').name | Should -Be '张三'     # not overwritten
        ($users | Where-Object userid -EQ 'zhangsan').position | Should -Be '经理'
        @($users | Where-Object userid -EQ 'lisi').Count | Should -Be 0           # not brought back
        ($users | Where-Object userid -EQ 'wangwu').name | Should -Be '新u3'
    }

    It 'refuses a plan for another corp' {
        $plan = Import-Clixml -LiteralPath (Join-Path $TestDrive 'downstream-plan.xml')
        $plan[0].Plan.Target.CorpId | Should -Be 'ww-emulator'
        # The same plan file, as if it had been computed in another corp (the emulator knows one corp only).
        foreach ($c in $plan) { $c.Plan.Target.CorpId = 'ww-other' }
        Clear-WeComSyncEmulatorCallCount -BaseUrl $script:url
        $err = { $plan | Sync-WeComUser -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'PlanTargetMismatch*'
        $err.Exception.Message | Should -Match 'corp ww-other, not ww-emulator'
        Get-WriteCallCount | Should -Be 0
    }
}
