BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $null = Initialize-ModuleTest

    function New-Export([string] $Name, [string[]] $Arguments = @()) { New-TestExport (Join-Path $TestDrive $Name) @Arguments }
}

AfterAll { Complete-ModuleTest }

Describe 'Import-WeComAddressBook' {
    BeforeAll {
        $good = New-Export 'good.xlsx' @('--users', '200', '--seed', '4', '--multi-dept-rate', '0.3', '--numbers')
        $bad = New-Export 'bad.xlsx' @('--users', '90', '--bad-rows', '9', '--seed', '5')
    }

    It 'emits one User per member with its origin' {
        $users = Import-WeComAddressBook $good
        $users.Count | Should -Be 200
        $users[0] | Should -BeOfType ([WeComSync.Model.User])
        $users[0].Origin | Should -Be 'good.xlsx, sheet 成员列表, row 10'
        $users[0].Source | Should -Be 'WeComExport'
    }

    It 'reads mobiles stored as numbers as text (+86 …, never 1.38E+10)' {
        $mobiles = (Import-WeComAddressBook $good).Mobile | Where-Object { $_ }
        $mobiles | Should -Not -Match 'E\+'
        @($mobiles | Where-Object { $_ -match '^\+86 1\d{10}$' }).Count | Should -BeGreaterThan 100
    }

    It 'writes one non-terminating error per bad row and still emits the good rows' {
        $users = Import-WeComAddressBook $bad -ErrorVariable problems -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue
        $users.Count | Should -Be 90
        # A bad 账号 on a skipped row: one warning that the file cannot show who left.
        @($warned).Count | Should -Be 1
        "$warned" | Should -Match 'cannot show which members left: no member is deleted because of this file'
        $problems.Count | Should -Be 10 # a duplicate 账号 is an error on both of its rows
        $dup = $problems | Where-Object { $_.FullyQualifiedErrorId -like 'AddressBookDuplicateUserId*' } | Select-Object -Last 1
        $dup | Should -Not -BeNullOrEmpty
        $dup.CategoryInfo.Category | Should -Be 'InvalidData'
        $dup.TargetObject | Should -BeOfType ([WeComSync.AddressBook.AddressBookRow])
        $dup.TargetObject.Sheet | Should -Be '成员列表'
        $dup.Exception.Message | Should -Match '^bad\.xlsx, sheet 成员列表, row \d+: 账号'
    }

    It 'stops at the first bad row with -Strict' {
        { Import-WeComAddressBook $bad -Strict -ErrorAction Stop } | Should -Throw -ErrorId 'AddressBook*'
        try { Import-WeComAddressBook $bad -Strict | Out-Null } catch { $err = $_ }
        $err.Exception.Message | Should -Match 'Import stopped \(-Strict\)'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'emits the department tree with -Department, parents before children' {
        $departments = Import-WeComAddressBook $good -Department
        $departments[0].IsRoot | Should -BeTrue
        $departments[0].Depth | Should -Be 0
        $seen = @{}
        foreach ($d in $departments) {
            if ($d.ParentKey) { $seen.ContainsKey($d.ParentKey) | Should -BeTrue -Because "$($d.Key) needs its parent first" }
            $d.LinkId | Should -Be $d.Key
            $d.ParentLinkId | Should -Be $d.ParentKey
            $seen[$d.Key] = $true
        }
        $users = Import-WeComAddressBook $good
        foreach ($key in $users.Departments | Sort-Object -Unique) { $seen.ContainsKey($key) | Should -BeTrue }
    }

    It 'takes files from the pipeline, wildcards and -LiteralPath' {
        (Get-Item $good | Import-WeComAddressBook).Count | Should -Be 200
        (Import-WeComAddressBook (Join-Path $TestDrive 'goo?.xlsx')).Count | Should -Be 200
        $odd = Join-Path $TestDrive 'export[1].xlsx'
        Copy-Item -LiteralPath $good -Destination $odd
        (Import-WeComAddressBook -LiteralPath $odd).Count | Should -Be 200
    }

    It 'reports a missing file as a non-terminating ObjectNotFound error' {
        $out = Import-WeComAddressBook (Join-Path $TestDrive 'missing.xlsx') -ErrorVariable e -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'gives one clear terminating error for a file that is not a spreadsheet' {
        $fake = Join-Path $TestDrive 'fake.xlsx'
        Set-Content -LiteralPath $fake -Value '<html>not excel</html>'
        try { Import-WeComAddressBook $fake; $err = $null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'AddressBookNotASpreadsheet*'
        $err.Exception.Message | Should -Match 'fake\.xlsx is a web page \(an HTML table\).*not an Excel workbook'
        $err.Exception.Message | Should -Not -Match '   at '
    }

    It 'gives a terminating error for an empty file' {
        $empty = Join-Path $TestDrive 'empty.xlsx'
        New-Item -ItemType File -Path $empty | Out-Null
        { Import-WeComAddressBook $empty } | Should -Throw -ErrorId 'AddressBookFileEmpty*'
    }

    It 'reads CSV saved by Chinese Excel (GB18030) and UTF-8' {
        $gbk = New-Export 'gbk.csv' @('--users', '30', '--encoding', 'gb18030')
        $utf = New-Export 'utf.csv' @('--users', '30', '--encoding', 'utf8')
        $a = Import-WeComAddressBook $gbk
        $b = Import-WeComAddressBook $utf
        $a.Count | Should -Be 30
        ($a.Name -join ',') | Should -Be ($b.Name -join ',')
        $a[0].Name | Should -Match '^[\u4e00-\u9fff]+$'
    }

    It 'reads the 企业邮箱 variant and old spellings' {
        $biz = New-Export 'biz.xlsx' @('--users', '10', '--biz-mail', '--old-spelling')
        $users = Import-WeComAddressBook $biz
        $users[0].BizMail | Should -Match '@corp\.example\.com$'
        $users[0].UserId | Should -Not -BeNullOrEmpty
    }

    It 'honours -Sheet, -StartRow and -EndRow' {
        $users = Import-WeComAddressBook $good -Sheet 0 -StartRow 8 -EndRow 13
        $users.Count | Should -Be 5
        $users[-1].Origin | Should -Match 'row 14$'
        { Import-WeComAddressBook $good -Sheet 'Nope' } | Should -Throw -ErrorId 'AddressBookSheetNotFound*'
    }

    It 'prints a readable default table for users and departments' {
        $table = Import-WeComAddressBook $good | Select-Object -First 3 | Format-Table | Out-String -Width 200
        $table | Should -Match 'UserId\s+Name\s+Departments\s+Mobile\s+Status\s+Email'
        $tree = Import-WeComAddressBook $good -Department | Select-Object -First 3 | Format-Table | Out-String -Width 200
        $tree | Should -Match 'Depth\s+Name\s+Root\s+Key'
        $tree | Should -Match 'yes'
    }

    It 'has help with examples and every parameter described' {
        $help = Get-Help Import-WeComAddressBook -Full
        $help.Synopsis | Should -Match 'WeCom'
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 4
        foreach ($name in 'Path', 'LiteralPath', 'Department', 'Sheet', 'StartRow', 'EndRow', 'Strict') {
            $p = $help.Parameters.Parameter | Where-Object Name -eq $name
            ($p.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }
}

Describe 'Odd exports: what the admin sees is what is read' {
    It 'reads masked mobiles as unknown, with one warning for the file' {
        $path = Join-Path $TestDrive 'masked.csv'
        "姓名,账号,部门,手机,邮箱`r`n张三,zs,公司/研发部,138****0005,`r`n李四,ls,公司/研发部,13800000002,`r`n王五,ww,公司/研发部,,ww***@example.com" |
            Set-Content -LiteralPath $path -Encoding utf8BOM
        $users = Import-WeComAddressBook $path -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable problems
        $problems.Count | Should -Be 0
        $users.Count | Should -Be 3
        $users[0].Mobile | Should -BeNullOrEmpty
        $users[0].WithheldFields | Should -Contain 'Mobile'
        @($warnings | Where-Object { $_ -match '2 mobile or email value\(s\) are masked' }).Count | Should -Be 1
    }

    It 'refuses a zip bomb with one terminating error naming the part' {
        $bomb = Join-Path $TestDrive 'bomb.xlsx'
        $null = New-TestExport $bomb --zip-bomb 128
        (Get-Item $bomb).Length | Should -BeLessThan 2MB
        { Import-WeComAddressBook $bomb -MaxAge 0 } | Should -Throw -ErrorId 'AddressBookTooLarge*'
    }
}

# End to end against the emulator: a delete-only run never deletes a member because of a bad row.
Describe 'Deletes never follow from a file that was not read completely' {
    BeforeAll {
        Connect-TestAuthing (Start-TestEmulator)

        # The clean file seeds Authing; the tests edit copies of it as an admin would.
        $csv = New-Export 'clean.csv' @('--users', '20', '--seed', '7', '--no-instructions', '--multi-dept-rate', '0')
        $script:rows = @(Import-Csv -LiteralPath $csv -Encoding utf8)
        $seed = Invoke-WeComUpstreamSync -Path $csv -Confirm:$false -WarningAction SilentlyContinue 6>$null
        $seed.Status | Should -Be 'Succeeded'
        function Save-Copy($Rows, [string] $Name) { Save-TestCsv $Rows (Join-Path $TestDrive $Name) }
        function Copy-Row($Row) { $copy = [ordered]@{}; foreach ($p in $Row.PSObject.Properties) { $copy[$p.Name] = $p.Value }; [pscustomobject]$copy }
    }

    It 'DeleteOnly with one existing user on a bad row and another really gone deletes only the second' {
        $badUser = $rows[4].账号; $goneUser = $rows[11].账号
        $edited = foreach ($r in $rows) {
            if ($r.账号 -eq $goneUser) { continue }
            $r = Copy-Row $r
            if ($r.账号 -eq $badUser) { $r.姓名 = ''; $r.手机 = 'not a number' }   # a typo: the row is skipped as bad
            $r
        }
        $path = Save-Copy $edited 'one-bad-one-gone.csv'
        $summary = Invoke-WeComUpstreamSync -Path $path -Mode DeleteOnly -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable bad 3>$null 6>$null
        @($bad | Where-Object { $_.FullyQualifiedErrorId -like 'AddressBook*' }).Count | Should -Be 1
        ($summary.Steps | Where-Object Name -eq 'delete users').Deleted | Should -Be 1
        $left = (Get-AuthingUser).UserId
        $left | Should -Contain $badUser
        $left | Should -Not -Contain $goneUser
        $left.Count | Should -Be 19
    }

    It 'DeleteOnly with a skipped row whose 账号 cannot be read deletes nobody and says which row to fix' {
        $before = @(Get-AuthingUser).Count
        $edited = foreach ($r in $rows | Select-Object -Skip 1) { $r = Copy-Row $r; if ($r.账号 -eq $rows[6].账号) { $r.账号 = '' }; $r }
        $path = Save-Copy $edited 'unreadable-id.csv'
        $refusal = $null
        try { Invoke-WeComUpstreamSync -Path $path -Mode DeleteOnly -Confirm:$false -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue 6>$null | Out-Null }
        catch { $refusal = $_ }
        @(Get-AuthingUser).Count | Should -Be $before
        $refusal.FullyQualifiedErrorId | Should -BeLike 'DeleteRefused*' 
        $refusal.Exception.Message | Should -Match 'unreadable-id\.csv, sheet unreadable-id, row 7'
        $refusal.Exception.Message | Should -Match 'Fix the 账号 on that row'
        # The recommendation names the file's fix too, not a service read's (permissions, visible range).
        $refusal.ErrorDetails.RecommendedAction | Should -Match 'Fix the row\(s\) named in the file'
        # Said once, by the refusal: not again as a warning (the bad row itself is its own error).
        @($warnings.Message | Where-Object { $_ -match 'no member is deleted because of this file' }).Count | Should -Be 0
    }

    It 'a department named only on a bad row is never planned for deletion, also from a saved list' {
        # A leaf department: no other row names a department below it.
        $dept = $rows.部门 | Where-Object { $d = $_; -not ($rows.部门 | Where-Object { $_ -like "$d/*" }) } | Select-Object -First 1
        $edited = foreach ($r in $rows) { $r = Copy-Row $r; if ($r.部门 -eq $dept) { $r.姓名 = '' }; $r }
        $path = Save-Copy $edited 'dept-on-bad-row.csv'
        $departments = Import-WeComAddressBook $path -Department -ErrorAction SilentlyContinue
        $departments.Key | Should -Not -Contain $dept
        $departments | Export-Clixml (Join-Path $TestDrive 'depts.xml')
        $saved = Import-Clixml (Join-Path $TestDrive 'depts.xml')
        $plan = Compare-Directory -ReferenceObject $saved -DifferenceObject (Get-AuthingDepartment) -Operation Delete 6>$null
        @($plan | Where-Object Key -eq $dept).Count | Should -Be 0
    }
}

# End to end against the emulator: odd files as admins make them (the template's layout, from the generator) delete
# nobody who is in the file as the admin sees it. Authing is seeded from the clean file, then -Mode DeleteOnly runs on the odd one.
Describe 'Odd exports delete nobody who is in the file' {
    BeforeAll {
        $emulator = Start-TestEmulator
        Connect-TestAuthing $emulator -Reset
        $script:common = @('--users', '20', '--seed', '21', '--multi-dept-rate', '0', '--padded-ids', '4')
        $clean = New-Export 'odd-clean.xlsx' $common
        $seed = Invoke-WeComUpstreamSync -Path $clean -Confirm:$false -WarningAction SilentlyContinue 6>$null
        $seed.Status | Should -Be 'Succeeded'
        $script:seeded = @((Get-AuthingUser).UserId)
        $seeded.Count | Should -Be 20
        $seeded | Should -Contain '00005'   # a 账号 of digits with leading zeros, as text in the clean file
    }

    It 'the last members pasted onto a second sheet without the header (headerless sheet): deletes are refused, naming the sheet and its rows' {
        $split = New-Export 'odd-headerless-sheet.xlsx' ($common + @('--spill', '5'))
        $refusal = $null
        try { Invoke-WeComUpstreamSync -Path $split -Mode DeleteOnly -Confirm:$false -WarningAction SilentlyContinue 6>$null | Out-Null }
        catch { $refusal = $_ }
        @((Get-AuthingUser).UserId).Count | Should -Be 20
        $refusal.FullyQualifiedErrorId | Should -BeLike 'DeleteRefused*'
        $refusal.Exception.Message | Should -Match 'odd-headerless-sheet\.xlsx, sheet Sheet2: no header row'
        $refusal.Exception.Message | Should -Match 'holds 5 non-blank row\(s\)'
    }

    It 'a 账号 00005 kept as the number 5 with the format 00000 (padded id, <Name>) reads 00005 and nobody is deleted' -TestCases @(
        @{ Name = 'xlsx' }
        @{ Name = 'xls as LibreOffice saves it (RK cells, FORMAT records)' ; Extension = 'xls' }
    ) {
        param($Name, $Extension)
        $file = New-Export ("odd-padded-ids." + ($Extension ?? 'xlsx')) ($common + @('--ids-as-numbers'))
        (Import-WeComAddressBook $file).UserId | Should -Contain '00005'
        $summary = Invoke-WeComUpstreamSync -Path $file -Mode DeleteOnly -Confirm:$false -WarningAction SilentlyContinue 6>$null
        $summary.Status | Should -Be 'Succeeded'
        ($summary.Steps | Where-Object Name -eq 'delete users').Deleted | Should -Be 0
        @((Get-AuthingUser).UserId | Sort-Object) | Should -Be @($seeded | Sort-Object)
    }
}
