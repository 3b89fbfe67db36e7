# Pester: one user (or a few) on demand, -UserId and piped users, on both Invoke-* commands against the emulator (127.0.0.1).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:emulator = (Initialize-ModuleTest -Name ondemand -Emulator).Emulator
    $script:url = $script:emulator.BaseUrl

    # Endpoints that list a pool or a tree: a run of named users downstream calls none of them.
    $script:listing = '/api/v3/get-all-departments', '/api/v3/list-organizations', '/api/v3/list-children-departments',
        '/cgi-bin/department/list', '/cgi-bin/department/simplelist', '/cgi-bin/user/list_id', '/cgi-bin/user/simplelist', '/cgi-bin/user/list'

    # Authing: 销售部 with wangwu (already in WeCom after a full run), then 研发部/后端组 with the new hire newhire.
    function Initialize-Scenario {
        Connect-TestAuthing $emulator -Reset
        $state = Get-WeComSyncEmulatorState -BaseUrl $script:url
        $root = ($state.authing.organizations | Where-Object organizationCode -EQ 'emulator-org').departmentId
        $d = { param($id, $name, $parent) @{ organizationCode = 'emulator-org'; departmentId = $id; name = $name; parentDepartmentId = $parent } }
        $u = { param($id, $username, $name, $phone, $dept) @{ userId = $id; username = $username; name = $name; phone = $phone; phoneCountryCode = '+86'; email = "$username@example.com"; departmentIds = @($dept) } }
        Set-WeComSyncEmulatorState -BaseUrl $script:url -Seed @{ authing = @{
                organizations = @(@{ organizationCode = 'emulator-org'; organizationName = '示例科技'; departmentId = $root })
                customFields  = @($state.authing.customFields)
                departments   = @((& $d 'd-sales' '销售部' $root))
                users         = @((& $u 'u1' 'wangwu' '王五' '13800000003' 'd-sales'), (& $u 'u2' 'zhaoliu' '赵六' '13800000004' 'd-sales'))
            }
        }
        Connect-TestWeCom $emulator
        $null = Invoke-WeComDownstreamSync
        $state = Get-WeComSyncEmulatorState -BaseUrl $script:url
        $state.authing.departments += (& $d 'd-rd' '研发部' $root), (& $d 'd-be' '后端组' 'd-rd')
        $state.authing.users += (& $u 'u3' 'newhire' '新同事' '13800000009' 'd-be'), (& $u 'u4' 'second' '二号' '13800000010' 'd-be')
        Set-WeComSyncEmulatorState -BaseUrl $script:url -Seed @{ authing = $state.authing }
        Clear-WeComSyncEmulatorCallCount -BaseUrl $script:url
    }
}

AfterAll { Complete-ModuleTest }

Describe 'Invoke-WeComDownstreamSync -UserId' {
    BeforeAll { Initialize-Scenario }

    It '-WhatIf plans only the new hire and its two departments, writes nothing and lists nothing' {
        $shown = Invoke-Recorded { Invoke-WeComDownstreamSync -UserId newhire -WhatIf }
        $shown.Output.WhatIf | Should -BeTrue
        @($shown.Information | Where-Object { "$_" -like 'users: 1 to create*' }).Count | Should -Be 1
        @($shown.Information | Where-Object { "$_" -like 'departments: 2 to create*' }).Count | Should -Be 1
        ($shown.Information -join "`n") | Should -Not -Match 'second'
        (Get-TestWrite $emulator).Count | Should -Be 0
    }

    It 'creates the departments parents first and the user; the re-run plans nothing' {
        $summary = Invoke-WeComDownstreamSync -UserId newhire
        $summary.Status | Should -Be 'Succeeded'
        $summary.Created | Should -Be 3
        $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $script:url
        foreach ($list in $script:listing) { $calls.Keys | Should -Not -Contain $list }
        (Get-WeComUser -UserId newhire).DepartmentPaths | Should -Be '示例科技/研发部/后端组'
        @(Get-WeComUser).UserId | Should -Not -Contain 'second'
        $again = Invoke-WeComDownstreamSync -UserId newhire
        $again.Created + $again.Updated + $again.Deleted | Should -Be 0
    }

    It 'takes users from the pipeline by their UserId property and runs once' {
        Clear-WeComSyncEmulatorCallCount -BaseUrl $script:url
        $summary = [pscustomobject]@{ UserId = 'second' }, [pscustomobject]@{ UserId = 'newhire' } | Invoke-WeComDownstreamSync
        @($summary).Count | Should -Be 1
        $summary.Created | Should -Be 1
        (Get-WeComUser -UserId second).Name | Should -Be '二号'
        # Get-WeComUser's objects carry UserId: piped back, they plan nothing.
        $again = Get-WeComUser -UserId second, newhire | Invoke-WeComDownstreamSync
        $again.Created + $again.Updated + $again.Deleted | Should -Be 0
        # An object without a userid (an Authing user not linked yet) is not synced, and that is said once, not dropped silently.
        $run = Invoke-Recorded { [pscustomobject]@{ UserId = $null }, [pscustomobject]@{ UserId = '' }, [pscustomobject]@{ UserId = 'second' } | Invoke-WeComDownstreamSync }
        @($run.Warning | Where-Object { $_ -like '2 piped object(s) had no UserId*' }).Count | Should -Be 1 -Because "warnings: $($run.Warning -join ' | ')"
        $run.Output.Created + $run.Output.Updated | Should -Be 0
    }

    It 'a userid on neither side is one error that says so, and the run exits 2' {
        $shown = Invoke-Recorded { Invoke-WeComDownstreamSync -UserId ghost }
        @($shown.Error).Count | Should -Be 1
        "$($shown.Error)" | Should -Match 'ghost is not in Authing, nor in WeCom'
        $shown.Output.ExitCode | Should -Be 2
    }
}

Describe 'Invoke-WeComUpstreamSync -UserId' {
    BeforeAll {
        Connect-TestAuthing $emulator -Reset
        $csv = New-TestExport 'ondemand.csv' --users 12 --seed 21 --no-instructions --multi-dept-rate 0
        $script:rows = @(Import-Csv -LiteralPath $csv -Encoding utf8)
        # Authing holds the first ten rows; the last two are new hires.
        $script:older = Save-TestCsv @($rows | Select-Object -First 10) 'older.csv'
        $seed = Invoke-WeComUpstreamSync -Path $older -WarningAction SilentlyContinue 6>$null
        $seed.Status | Should -Be 'Succeeded'
        $script:file = $csv
        $script:hire1 = $rows[10].账号
        $script:hire2 = $rows[11].账号
    }

    It 'creates only the named new hire, whatever else the file holds' {
        $summary = Invoke-WeComUpstreamSync -Path $file -UserId $hire1 -WarningAction SilentlyContinue 6>$null
        $summary.Status | Should -Be 'Succeeded'
        ($summary.Steps | Where-Object Name -EQ 'users').Created | Should -Be 1
        (Get-AuthingUser).Username | Should -Contain $hire1
        (Get-AuthingUser).Username | Should -Not -Contain $hire2
    }

    It 'takes users piped from Import-WeComAddressBook by their UserId' {
        $summary = Import-WeComAddressBook $file -WarningAction SilentlyContinue | Where-Object UserId -EQ $hire2 |
            Invoke-WeComUpstreamSync -Path $file -WarningAction SilentlyContinue 6>$null
        @($summary).Count | Should -Be 1
        ($summary.Steps | Where-Object Name -EQ 'users').Created | Should -Be 1
        (Get-AuthingUser).Username | Should -Contain $hire2
    }

    It 'a userid not in the file is one error saying to use -Mode DeleteOnly' {
        $shown = Invoke-Recorded { Invoke-WeComUpstreamSync -Path $older -UserId $hire2 -WarningAction SilentlyContinue }
        @($shown.Error).Count | Should -Be 1
        "$($shown.Error)" | Should -Match "$hire2 is not in the export .*use -Mode DeleteOnly"
        $shown.Output.ExitCode | Should -Be 2
        (Get-AuthingUser).Username | Should -Contain $hire2
    }
}
