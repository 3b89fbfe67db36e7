BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $null = Initialize-ModuleTest

    function New-User([string] $UserId, [string] $Name, [string] $Mobile, [string[]] $Departments, [string] $Username) {
        $u = [WeComSync.Model.User]::new()
        $u.UserId = $UserId; $u.Name = $Name; $u.Mobile = $Mobile; $u.Username = $Username
        if ($Departments) { $u.Departments = [System.Collections.Generic.List[string]]::new([string[]]$Departments) }
        $u
    }
    function New-Dept([string] $Path, [string] $Key, [string] $ParentKey, [string] $Source = 'WeComExport') {
        $d = [WeComSync.Model.Department]::new()
        $d.Path = $Path; $d.Name = ($Path -split '/')[-1]; $d.LinkId = $Path; $d.Source = $Source
        $d.Key = if ($Key) { $Key } else { $Path }
        $d.ParentKey = if ($PSBoundParameters.ContainsKey('ParentKey')) { $ParentKey } elseif ($Path -match '/') { $Path -replace '/[^/]+$' } else { $null }
        $d
    }
    # A stand-in for a Sync-* cmdlet's parameter: how the other cmdlets bind a saved plan.
    function Receive-Change {
        param([Parameter(ValueFromPipeline)] [WeComSync.PowerShell.Conversion.ChangeTransformation()] [WeComSync.Model.Change[]] $Change)
        process { $Change }
    }
}

Describe 'Compare-Directory' {
    BeforeAll {
        # The session of docs/ARCHITECTURE.md §2 (and the README), up to the plan, with hand-built objects.
        $file = @(
            New-User 'zhangsan' '张三' '13800000000' @('公司/研发部')
            New-User 'lisi' '李四' '13900000000' @('公司/研发部')
        )
        $depts = @((New-Dept '公司'), (New-Dept '公司/研发部'))
        $authingDepts = @((New-Dept '公司' 'a1' $null 'Authing'))
        $authingUsers = @((New-User 'lisi' '李四' '+86 13800000000' @('公司/研发部')), (New-User 'wangwu' '王五'))
    }

    It 'plans the departments parents first' {
        $plan = @(Compare-Directory -ReferenceObject $depts -DifferenceObject $authingDepts)
        $plan.Count | Should -Be 1
        $plan[0].Operation | Should -Be 'Create'
        $plan[0].Description | Should -Be '+ create department 研发部 in 公司'
    }

    It 'plans users: create and update, deletes only when asked' {
        $plan = @(Compare-Directory -ReferenceObject $file -DifferenceObject $authingUsers)
        $plan.Operation | Should -Be @('Create', 'Update')
        $plan[0].Description | Should -Be '+ create user zhangsan (张三) in 研发部'
        $plan[1].Description | Should -Be '~ update user lisi: mobile +86 13800000000 -> +86 13900000000'
        $plan[1].Fields[0].Field | Should -Be 'Mobile'
        $plan[1].Plan.SourceCount | Should -Be 2
        $plan[1].Plan.TargetCount | Should -Be 2
        $delete = @(Compare-Directory -Source $file -Target $authingUsers -Operation Delete)
        $delete.Description | Should -Be '- delete user wangwu (王五)'
    }

    It 'takes the difference side from the pipeline' {
        $plan = @($authingUsers | Compare-Directory -ReferenceObject $file)
        $plan.Count | Should -Be 2
    }

    It 'reads like a plan in Format-Table, under the summary line' {
        $text = Compare-Directory $file $authingUsers | Format-Table | Out-String -Width 200
        $text | Should -Match 'Plan: users, computed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, 2 changes in all'
        $text | Should -Match ([regex]::Escape('+ create user zhangsan (张三) in 研发部'))
        $text | Should -Match ([regex]::Escape('~ update user lisi: mobile +86 13800000000 -> +86 13900000000'))
    }

    It 'round-trips a plan through Export-Clixml and binds the deserialized changes as real Change objects' {
        $path = Join-Path $TestDrive 'plan.xml'
        Compare-Directory $file $authingUsers | Export-Clixml -LiteralPath $path
        $loaded = Import-Clixml -LiteralPath $path
        $loaded[0] | Should -BeOfType ([WeComSync.Model.Change])   # rebuilt on import (ChangeTypeConverter)
        ($loaded | Format-Table | Out-String -Width 200) | Should -Match 'Plan: users, computed [^,]+, 2 changes in all'
        $bound = @($loaded | Receive-Change)
        $bound.Count | Should -Be 2
        $bound[0] | Should -BeOfType ([WeComSync.Model.Change])
        $bound[0].Desired | Should -BeOfType ([WeComSync.Model.User])
        $bound[0].Desired.Departments[0] | Should -Be '公司/研发部'
        $bound[1].Current.UserId | Should -Be 'lisi'
        $bound[1].Fields[0].New | Should -Be '+86 13900000000'
        $bound[1].Plan.TargetCount | Should -Be 2
        $bound[1].Operation | Should -Be ([WeComSync.Model.ChangeOperation]::Update)
    }

    It 'binds a whole deserialized plan passed as an argument' {
        $path = Join-Path $TestDrive 'plan2.xml'
        Compare-Directory $file $authingUsers | Export-Clixml -LiteralPath $path
        $bound = Receive-Change -Change (Import-Clixml -LiteralPath $path)
        @($bound).Count | Should -Be 2
    }

    It 'rejects a non-change with a clear binding error' {
        { [pscustomobject]@{ Foo = 1 } | Receive-Change } | Should -Throw '*not a plan change*'
    }

    It 'accepts Import-Csv rows: a blank cell is known empty, a missing column unknown' {
        $csv = Join-Path $TestDrive 'users.csv'
        @'
UserId,Name,Mobile,Email,Departments
zhangsan,张三,13800000000,,公司/研发部;公司/市场部
lisi,李四,+86 13900000000,li@x.cn,公司/研发部
'@ | Set-Content -LiteralPath $csv -Encoding utf8
        $target = @(
            New-User 'zhangsan' '张三' '13800000000' @('公司/研发部', '公司/市场部')
            New-User 'lisi' '李四' '13900000000' @('公司/研发部')
        )
        $target[0].Email = 'old@x.cn'
        $target[0].Telephone = '010-1'   # the CSV has no Telephone column: unknown, never a change
        $plan = @(Compare-Directory (Import-Csv -LiteralPath $csv) $target)
        $plan.Count | Should -Be 1
        $plan[0].Fields.Field | Should -Be 'Email'
        $plan[0].Fields[0].New | Should -Be ''
    }

    It 'accepts the export''s Chinese column names in CSV rows' {
        $rows = @([pscustomobject]@{ '账号' = 'zhangsan'; '姓名' = '张三'; '手机' = '13800000000' })
        $plan = @(Compare-Directory $rows @())
        $plan[0].Description | Should -Be '+ create user zhangsan (张三)'
    }

    It 'explains matching decisions with -Verbose' {
        $unlinked = New-User $null '李四' $null $null 'lisi'
        $out = Compare-Directory $file @($unlinked) -Verbose 4>&1
        $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $verbose | Should -Contain 'zhangsan: no match; create.'
        ($verbose -join "`n") | Should -Match 'lisi: matched by username'
        ($verbose -join "`n") | Should -Match 'Plan: 1 to create, 1 to update'
    }

    It 'refuses deletes from an incomplete read with an error naming the cause, and still plans creates' {
        $partial = New-User 'wangwu' '王五'
        $partial.IncompleteReason = 'page 2 of the user list failed'
        $plan = @(Compare-Directory $file @($partial) -Operation Create, Delete -ErrorVariable err -ErrorAction SilentlyContinue)
        $plan.Operation | Should -Not -Contain 'Delete'
        $plan.Count | Should -Be 2
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DeleteRefusedIncompleteRead*'
        $err[0].Exception.Message | Should -Match 'page 2 of the user list failed'
        $err[0].TargetObject | Should -Be $partial
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'permissions'
    }

    It 'reports an ambiguous match as a conflict with a warning' {
        $a = New-User $null 'A' '13800000000' $null 'x1'
        $b = New-User $null 'B' '+86 13800000000' $null 'x2'
        $plan = @(Compare-Directory @((New-User 'zhangsan' '张三' '13800000000')) @($a, $b) -MatchBy Mobile -WarningVariable warn -WarningAction SilentlyContinue)
        $plan[0].Operation | Should -Be 'Conflict'
        $plan[0].Candidates.Count | Should -Be 2
        $warn | Should -Not -BeNullOrEmpty
    }

    It 'fails clearly on an unknown -Property' {
        { Compare-Directory $file $authingUsers -Property Phone -ErrorAction Stop } | Should -Throw '*not a user field*Mobile*'
    }

    It 'writes an error per unreadable object and refuses deletes then' {
        $plan = @(Compare-Directory @($file[0], 'not a user') $authingUsers -Operation Create, Update, Delete -ErrorVariable err -ErrorAction SilentlyContinue)
        $err.FullyQualifiedErrorId | Should -Contain 'InvalidDirectoryObject,WeComSync.PowerShell.Commands.CompareDirectoryCommand'
        $err.FullyQualifiedErrorId | Should -Contain 'DeleteRefusedInvalidInput,WeComSync.PowerShell.Commands.CompareDirectoryCommand'
        $plan.Operation | Should -Not -Contain 'Delete'
    }

    It 'recognises a department renamed upstream by its members' {
        $ref = @((New-Dept '公司'), (New-Dept '公司/研发中心'))
        $cur = @((New-Dept '公司' 'a1' $null 'Authing'), (New-Dept '公司/研发部' 'a2' 'a1' 'Authing'))
        $plan = @(Compare-Directory $ref $cur -ReferenceUser @(New-User 'u1' 'U' $null @('公司/研发中心')) -DifferenceUser @(New-User 'u1' 'U' $null @('公司/研发部')) -Operation Create, Update, Delete)
        $plan.Count | Should -Be 1
        $plan[0].Reason | Should -Be 'renamed, matched by members'
    }

    It 'plans nothing for two empty sides' {
        @(Compare-Directory @() @() 6>$null).Count | Should -Be 0   # "No changes." is not output
    }
}
