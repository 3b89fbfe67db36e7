# Pester: the module's objects with the cmdlets PowerShell users reach for — the README's step-by-step session run
# as written, a saved plan read back in a fresh session, Export-Csv, -WhatIf messages, looking up one user — against
# the emulator over HTTP on 127.0.0.1.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name objects -Emulator
    $script:work = $test.Work; $script:emulator = $test.Emulator; $script:repo = $test.Repo
    $script:export = New-TestExport contacts.xlsx --users 25 --seed 7 --multi-dept-rate 0.3

    function Connect-Pool { Connect-TestAuthing $emulator -Reset }
    # The README's fenced PowerShell block that follows the given line.
    function Get-ReadmeBlock([string] $After) {
        $text = Get-Content -LiteralPath (Join-Path $repo 'README.md') -Raw
        $start = $text.IndexOf($After)
        $start | Should -BeGreaterThan 0 -Because "the README has '$After'"
        $open = $text.IndexOf('```powershell', $start) + '```powershell'.Length
        $text.Substring($open, $text.IndexOf('```', $open) - $open)
    }
}

AfterAll { Complete-ModuleTest }

Describe "The README's step-by-step session, run as written" {
    BeforeAll {
        Connect-Pool
        $script:fileUsers = @(Import-WeComAddressBook -LiteralPath $export)
        $block = Get-ReadmeBlock 'The same, step by step'
        # The README's names for things that differ here: the file, and a user that exists in it.
        $block = $block.Replace('./contacts.xlsx', "'$export'").Replace('Get-AuthingUser lisi', "Get-AuthingUser $($fileUsers[0].UserId)")
        # As typed at a console in the scratch folder: what the host showed (the -WhatIf lines) is recorded, not printed.
        Push-Location $work
        try { $script:shown = Invoke-Recorded { . ([scriptblock]::Create($block)) 6>&1 | Out-String -Width 120 } }
        finally { Pop-Location }
        $script:output = $shown.Output
    }

    It 'applies the departments before the users, so every user is created in its departments' {
        @(Get-AuthingUser).Count | Should -Be $fileUsers.Count
        foreach ($user in Get-AuthingUser) {
            $expected = $fileUsers | Where-Object UserId -EQ $user.UserId
            $user.Departments | Should -Be $expected.Departments
        }
    }

    It 'prints the plan and the saved-plan filter, and finds one user by the identity' {
        $output | Should -Match 'Plan: (users|departments), computed [^,]+, \d+ changes? in all'
        # Sync-AuthingDepartment -WhatIf: one line per department, before the real run.
        $shown.WhatIf.Count | Should -Be @(Get-AuthingDepartment -IgnoreRootDepartment).Count
        $shown.WhatIf | Should -BeLike 'What if: Performing the operation "Create department" on target "department *'
        $output | Should -Match ([regex]::Escape($fileUsers[0].UserId))
        Test-Path (Join-Path $work 'plan.xml') | Should -BeTrue
    }
}

Describe 'A saved plan' {
    BeforeAll {
        Connect-Pool
        $users = @(Import-WeComAddressBook -LiteralPath $export)
        Compare-Directory -ReferenceObject (Import-WeComAddressBook -LiteralPath $export -Department) -DifferenceObject (Get-AuthingDepartment) | Sync-AuthingDepartment -Confirm:$false | Out-Null
        Compare-Directory -ReferenceObject $users -DifferenceObject (Get-AuthingUser) | Sync-AuthingUser -Confirm:$false | Out-Null
        # Two members left, one renamed: a plan with deletes and an update.
        $kept = @($users | Select-Object -Skip 2)
        $kept[0].Name = '新名字'
        $script:planFile = Join-Path $work 'saved-plan.xml'
        $script:plan = @(Compare-Directory -ReferenceObject $kept -DifferenceObject (Get-AuthingUser) -Operation Create, Update, Delete)
        $plan | Export-Clixml -LiteralPath $planFile
    }

    It 'filters, groups and sorts by Operation and Kind by name in a fresh session without the module' {
        $text = (Invoke-ChildPwsh -Command "Import-Clixml '$planFile' | Where-Object Operation -eq Delete | ForEach-Object Key; (Import-Clixml '$planFile' | Group-Object Kind).Name; (Import-Clixml '$planFile' | Sort-Object Operation)[0].Operation; Get-Module WeComSync | Measure-Object | ForEach-Object Count").Output
        $lines = $text -split "`r?`n" | Where-Object { $_ }
        $deletes = @($plan | Where-Object Operation -EQ 'Delete').Key
        $deletes.Count | Should -Be 2
        $lines[0..1] | Should -Be $deletes
        $lines[2] | Should -Be 'User'
        $lines[3] | Should -Be 'Delete'   # sorted by name: Delete before Update
        $lines[4] | Should -Be '0'        # the module was never loaded
    }

    It 'comes back as live changes where the module is loaded: the plan view, and Sync-* binds it' {
        $back = @(Import-Clixml -LiteralPath $planFile)
        $back[0] | Should -BeOfType ([WeComSync.Model.Change])
        @($back | Where-Object Operation -EQ Delete).Count | Should -Be 2
        ($back | Format-Table | Out-String -Width 120) | Should -Match 'Plan: users, computed [^,]+, 3 changes in all'
        $results = @($back | Sync-AuthingUser -Confirm:$false -Force)
        @($results | Where-Object Outcome -EQ Succeeded).Count | Should -Be 3
    }
}

Describe 'Export-Csv and -WhatIf read as text, never as .NET type names' {
    BeforeAll { Connect-Pool }

    It 'writes users, departments, plans and results with readable values' {
        $users = @(Import-WeComAddressBook -LiteralPath $export)
        $departments = @(Import-WeComAddressBook -LiteralPath $export -Department)
        $plan = @(Compare-Directory -ReferenceObject $users -DifferenceObject @())
        $multi = $users | Where-Object { $_.Departments.Count -gt 1 } | Select-Object -First 1
        $multi | Should -Not -BeNullOrEmpty
        $whatIf = Invoke-Recorded { $plan | Sync-AuthingUser -WhatIf }
        $whatIf.WhatIf.Count | Should -Be $plan.Count
        foreach ($set in @($users, $departments, $plan, @($whatIf.Output))) {
            $csv = $set | ConvertTo-Csv -NoTypeInformation | Out-String
            $csv | Should -Not -Match 'System\.Collections|WeComSync\.Model\.'
        }
        ($users | ConvertTo-Csv | Out-String) | Should -Match ([regex]::Escape($multi.Departments -join '；'))
        ($plan | ConvertTo-Csv | Out-String) | Should -Match 'departments \(unset\) -> \['
        $path = Join-Path $work 'users.csv'
        $users | Export-Csv -LiteralPath $path -Encoding utf8BOM
        (Import-Csv -LiteralPath $path | Where-Object UserId -EQ $multi.UserId).Departments | Should -Be ($multi.Departments -join '；')
    }

    It '-WhatIf renders list fields as lists' {
        $users = @(Import-WeComAddressBook -LiteralPath $export | Select-Object -First 3)
        Compare-Directory -ReferenceObject (Import-WeComAddressBook -LiteralPath $export -Department) -DifferenceObject (Get-AuthingDepartment) | Sync-AuthingDepartment -Confirm:$false | Out-Null
        Compare-Directory -ReferenceObject $users -DifferenceObject (Get-AuthingUser) | Sync-AuthingUser -Confirm:$false | Out-Null
        $moved = $users[0]
        $other = (Get-AuthingDepartment -IgnoreRootDepartment | Where-Object LinkId -NotIn $moved.Departments | Select-Object -First 1).LinkId
        $moved.Departments = [System.Collections.Generic.List[string]] @($other)
        # -WhatIf messages go to the host, not to a stream: the recording host sees them as the console does.
        $text = (Invoke-Recorded { Compare-Directory -ReferenceObject $users -DifferenceObject (Get-AuthingUser) | Sync-AuthingUser -WhatIf | Out-Null }).WhatIf -join "`n"
        $text | Should -Match '^What if: Performing the operation "Update user: departments \['
        $text | Should -Match ([regex]::Escape("departments [") + '.+' + [regex]::Escape("] -> [$other]"))
        $text | Should -Not -Match 'System\.Collections'
    }
}

Describe 'Looking up one user: the identity is the first positional parameter' {
    BeforeAll {
        Connect-Pool
        $script:users = @(Import-WeComAddressBook -LiteralPath $export)
        Invoke-WeComUpstreamSync -Path $export -ErrorAction SilentlyContinue | Out-Null
    }

    It 'Get-AuthingUser <userid> and -Username find one user; an unknown one is a clear error' {
        $one = Get-AuthingUser $users[1].UserId
        $one.UserId | Should -Be $users[1].UserId
        (Get-AuthingUser -Username $one.Username).UserId | Should -Be $users[1].UserId
        Get-AuthingUser nobody-here -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'AuthingUserNotFound*'
        (@($users[2], $users[3]) | Get-AuthingUser).UserId | Should -Be @($users[2].UserId, $users[3].UserId)
    }

    It 'Get-WeComUser <userid> reads one member with one user/get' {
        $emulator | Reset-WeComSyncEmulator
        Set-WeComSyncEmulatorState -BaseUrl $emulator.BaseUrl -Seed @{ wecom = @{ users = @(@{ userid = 'lisi'; name = '李四'; department = @(1); mobile = '13800000002' }) } }
        Connect-TestWeCom $emulator
        $emulator | Clear-WeComSyncEmulatorCallCount
        $lisi = Get-WeComUser lisi
        $lisi.Name | Should -Be '李四'
        $lisi.Departments | Should -Be @('1')
        $lisi.DepartmentPaths | Should -Be @('示例科技')   # the path, read from the tree once (department/*, not user/*)
        $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $emulator.BaseUrl
        $calls['/cgi-bin/user/get'] | Should -Be 1
        @($calls.Keys | Where-Object { $_ -like '/cgi-bin/user/*' }).Count | Should -Be 1
        Get-WeComUser nobody -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'WeComUserNotFound*'
        Disconnect-WeCom
    }
}
