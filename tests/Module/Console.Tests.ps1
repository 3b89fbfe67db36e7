# Pester: the module at the console — tab completion, "No changes.", one shape and view for the connection checks,
# HTTP traces on one stream — against the emulator over HTTP on 127.0.0.1.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name console -Emulator
    $script:work = $test.Work; $script:emulator = $test.Emulator
    $script:export = New-TestExport contacts.xlsx --users 10 --seed 3
    Connect-TestAuthing $emulator
    Connect-TestWeCom $emulator

    # What Tab offers at the end of $Line.
    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

AfterAll { Complete-ModuleTest }

Describe 'Tab completion' {
    It 'completes field names for -Property and -ExcludeProperty' {
        Get-Completion 'Compare-Directory -Property Mob' | Should -Be 'Mobile'
        Get-Completion 'Invoke-WeComDownstreamSync -ExcludeProperty Em' | Should -Be 'Email'
        Get-Completion 'Sync-WeComUser -ExcludeProperty ' | Should -Contain 'Departments'
    }

    It 'completes -OrganizationCode from the connection' {
        Get-Completion 'Get-AuthingUser -OrganizationCode ' | Should -Be 'emulator-org'
        Get-Completion 'Invoke-WeComUpstreamSync -OrganizationCode emu' | Should -Be 'emulator-org'
    }

    It 'completes Get-WeComSyncLog -Run with the run ids under -Path' {
        $logs = Join-Path $work 'logs'
        $summary = (Invoke-Recorded { Invoke-WeComUpstreamSync -Path $export -LogPath $logs -WhatIf -ErrorAction SilentlyContinue 6>$null }).Output
        Get-Completion "Get-WeComSyncLog -Path '$logs' -Run " | Should -Be $summary.ShortId
    }

    It 'completes -Sheet with the sheet names of the file given' {
        Get-Completion "Import-WeComAddressBook -LiteralPath '$export' -Sheet " | Should -Contain '成员列表'
    }

    It 'offers every operation a plan holds for -Operation, and -Operation Move/Conflict select them' {
        $offered = Get-Completion 'Compare-Directory -Operation '
        foreach ($op in 'Create', 'Update', 'Move', 'Delete', 'Conflict') { $offered | Should -Contain $op }
        $ref = @([WeComSync.Model.User]@{ UserId = 'a'; Name = '甲' }, [WeComSync.Model.User]@{ UserId = 'b'; Name = '乙' })
        $cur = @([WeComSync.Model.User]@{ UserId = 'a'; Name = '甲甲'; Username = 'a' })
        @(Compare-Directory $ref $cur -Operation Update).Operation | Should -Be 'Update'
        @(Compare-Directory $ref $cur -Operation Conflict 6>$null).Count | Should -Be 0   # "No changes." is not output
    }
}

Describe 'What the console prints' {
    It 'an empty plan says "No changes." (not output, and silenced with -InformationAction Ignore)' {
        $users = @(Import-WeComAddressBook -LiteralPath $export)
        $said = Compare-Directory -ReferenceObject $users -DifferenceObject $users 6>&1
        "$said" | Should -Be 'No changes.'
        $plan = Compare-Directory -ReferenceObject $users -DifferenceObject $users 6>$null
        $plan | Should -BeNullOrEmpty
        Compare-Directory -ReferenceObject $users -DifferenceObject $users -InformationAction Ignore 6>&1 | Should -BeNullOrEmpty
    }

    It 'Test-AuthingConnection and Test-WeComConnection return one shape with one view' {
        $authing = @(Test-AuthingConnection 3>$null)
        $wecom = @(Test-WeComConnection 3>$null)
        foreach ($check in $authing + $wecom) {
            $check | Should -BeOfType ([WeComSync.ConnectionCheck])
            ($check.PSObject.Properties.Name | Sort-Object) | Should -Be @('Check', 'Code', 'Message', 'Passed', 'RecommendedAction')
        }
        $a = $authing | Out-String -Width 120
        $w = $wecom | Out-String -Width 120
        ($a -split "`n")[1] | Should -Be ($w -split "`n")[1]   # the same header
        $a | Should -Match 'Check\s+Passed\s+Code\s+Message'
        # Every check's name whole in its column at 80 columns (a long name would wrap inside it).
        $narrow = ($authing + $wecom) | Out-String -Width 80
        foreach ($check in $authing + $wecom) { $narrow | Should -Match ('(?m)^' + [regex]::Escape($check.Check) + '\s') }
    }

    It 'every cmdlet writes its HTTP trace to the Verbose stream, none to Debug' {
        # Connect-WeCom with the session's credentials would reuse the cached token (no call): a wrong secret makes it call.
        $wrongSecret = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        foreach ($call in { Get-AuthingUser }, { Get-WeComUser }, { Get-AuthingDepartment }, { Get-WeComDepartment }, { Get-WeComUser zhangsan -ErrorAction SilentlyContinue },
            { try { Connect-WeCom -CorpId ww-emulator -Secret $wrongSecret -AppMode AddressBookSync -ApiHost $emulator.BaseUrl } catch { } }, { Test-WeComConnection }, {
                Compare-Directory -ReferenceObject (Import-WeComAddressBook -LiteralPath $export -Department) -DifferenceObject (Get-AuthingDepartment) |
                    Sync-AuthingDepartment -Confirm:$false }) {
            $verbose = & { $VerbosePreference = 'Continue'; & $call } 4>&1 5>$null 6>$null | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            @($verbose | Where-Object Message -Match ' -> \d{3} \(\d+ ms\)').Count | Should -BeGreaterThan 0 -Because "$call"
            $debug = & { $DebugPreference = 'Continue'; & $call } 5>&1 4>$null 6>$null | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
            @($debug | Where-Object Message -Match ' -> \d{3} \(').Count | Should -Be 0 -Because "$call"
        }
    }
}

Describe 'Help' {
    It 'Get-Help about_WeComSync explains the model in a page' {
        $text = Get-Help about_WeComSync | Out-String
        foreach ($topic in 'Upstream', 'Downstream', 'Link fields', 'Plans', 'Unknown is not empty', 'delete guard', 'Run logs', 'Exit codes', '130') {
            $text | Should -Match ([regex]::Escape($topic))
        }
    }

    It 'shows types without Nullable`1, defaults, and related links for every cmdlet' {
        foreach ($command in Get-Command -Module WeComSync -CommandType Cmdlet) {
            $help = Get-Help $command.Name -Full
            ($help | Out-String -Width 200) | Should -Not -Match 'Nullable' -Because $command.Name
            @($help.relatedLinks.navigationLink.linkText) | Should -Contain 'about_WeComSync' -Because $command.Name
        }
        $syntax = Get-Help Compare-Directory -Full
        ($syntax.parameters.parameter | Where-Object name -EQ 'UpdateMode').defaultValue | Should -Be 'Changed'
        ($syntax.parameters.parameter | Where-Object name -EQ 'Operation').defaultValue | Should -Be 'Create, Update'
        (Get-Help Invoke-WeComUpstreamSync).relatedLinks.navigationLink.linkText | Should -Contain 'about_WeComSync'
    }
}

Describe 'Departments after a downstream run: paths, never numeric ids' {
    BeforeAll {
        Connect-TestAuthing $emulator -Reset
        Connect-TestWeCom $emulator
        Invoke-WeComUpstreamSync -Path $export -IgnoreRootDepartment -ErrorAction SilentlyContinue 6>$null | Out-Null
        Invoke-WeComDownstreamSync -ErrorAction SilentlyContinue 6>$null | Out-Null
        $script:fileUsers = @(Import-WeComAddressBook -LiteralPath $export)
        # Below the top department (the company: 星河科技 in the file, 示例科技 as WeCom's root and the organization's name).
        function Get-BelowTop([string[]] $Paths) { @($Paths | ForEach-Object { ($_ -split '/', 2)[1] }) }
    }

    It 'Get-AuthingUser and Get-WeComUser carry each department as its path, the ids kept in Departments' -ForEach @(
        @{ Command = 'Get-AuthingUser' }, @{ Command = 'Get-WeComUser' }) {
        $users = @(& $Command)
        $users.Count | Should -Be $fileUsers.Count
        foreach ($user in $users) {
            $file = $fileUsers | Where-Object UserId -EQ $user.UserId
            $user.Departments | Should -Match '^\d+$' -Because 'after a downstream run the link ids are WeCom ids'
            $user.DepartmentPaths.Count | Should -Be $user.Departments.Count
            (Get-BelowTop $user.DepartmentPaths | Sort-Object) | Should -Be (Get-BelowTop $file.Departments | Sort-Object) -Because $user.UserId
        }
    }

    It 'shows the paths in the table (below the top, not a bare leaf) and writes them with Export-Csv' -ForEach @(
        @{ Command = 'Get-AuthingUser' }, @{ Command = 'Get-WeComUser' }) {
        $users = @(& $Command)
        # Several departments share the leaf 一组: the table tells them apart.
        $ones = @($users | Where-Object { $_.DepartmentPaths[0] -like '*/一组' })
        $ones.Count | Should -BeGreaterThan 1
        $text = $users | Format-Table | Out-String -Width 160
        $text | Should -Not -Match '\s\d+( \(\+\d+\))?\s*$' -Because 'no row ends in a bare id'
        foreach ($one in $ones) { $text | Should -Match ([regex]::Escape((Get-BelowTop $one.DepartmentPaths[0])[0])) }
        # At 80 columns too: the path comes right after the name, whole (three levels below the top).
        $narrow = @(($users | Format-Table | Out-String -Width 80) -split "`r?`n")
        $narrow | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        foreach ($user in $users | Where-Object { $_.DepartmentPaths.Count -eq 1 }) {
            $narrow | Where-Object { $_ -like "$($user.UserId.Substring(0, [Math]::Min(12, $user.UserId.Length)))*" } | Should -Match ([regex]::Escape((Get-BelowTop $user.DepartmentPaths)[0]))
        }
        # The status whole at 80 columns too (WeCom's NotActivated reads Inactive; an Authing user Active).
        foreach ($row in $narrow | Select-Object -Skip 3 | Where-Object { $_.Trim() }) { $row.TrimEnd() | Should -Match '\s(Active|Inactive|Disabled|Left)$' }
        $csv = Join-Path $work "$Command.csv"
        $users | Export-Csv -LiteralPath $csv -Encoding utf8BOM
        $rows = @(Import-Csv -LiteralPath $csv)
        foreach ($row in $rows) {
            $user = $users | Where-Object UserId -EQ $row.UserId
            $row.DepartmentPaths | Should -Be ($user.DepartmentPaths -join '；')
            $row.Departments | Should -Be ($user.Departments -join '；')
        }
    }

    It 'plans name departments by their paths: a downstream move reads as paths, not as WeCom ids' {
        $user = @(Get-AuthingUser)[1]
        $other = Get-AuthingDepartment -IgnoreRootDepartment | Where-Object { $_.LinkId -notin $user.Departments } | Select-Object -First 1
        $moved = $user.Clone(); $moved.Departments = [System.Collections.Generic.List[string]] @($other.LinkId)
        Compare-Directory -ReferenceObject $moved -DifferenceObject $user | Sync-AuthingUser -Confirm:$false | Out-Null
        $plan = @(Compare-Directory -ReferenceObject (Get-AuthingUser) -DifferenceObject (Get-WeComUser))
        $plan.Count | Should -Be 1
        $wecomPath = (Get-WeComUser $user.UserId).DepartmentPaths[0]
        $plan[0].Description | Should -Be "~ update user $($user.UserId): departments [$wecomPath] -> [示例科技/$($other.Path)]"
        # Export-Csv: the Fields column reads as the plan line does (paths), the change itself still carries the ids.
        $csv = Join-Path $work 'downstream-plan.csv'
        $plan | Export-Csv -LiteralPath $csv -Encoding utf8BOM
        $row = Import-Csv -LiteralPath $csv
        $row.Fields | Should -Be "departments [$wecomPath] -> [示例科技/$($other.Path)]"
        $row.Description | Should -Be $plan[0].Description
        $plan[0].Fields[0].New | Should -Be @($other.LinkId)
    }
}

Describe 'The console at 80 columns: every view and help topic fits, and breaks lines only between words' {
    BeforeAll {
        Connect-TestAuthing $emulator -Reset
        Connect-TestWeCom $emulator
        # Two runs with a log: the first with three failed user creates (a Failed line, a code, a message to wrap).
        $script:consoleLogs = Join-Path $work 'console-logs'
        foreach ($path in '/api/v3/create-users-batch', '/api/v3/create-user') {
            Set-WeComSyncEmulatorFault -BaseUrl $emulator.BaseUrl -Api authing -Path $path -Kind errcode -Status 400 -Count 1
        }
        $script:failedRun = Invoke-WeComUpstreamSync -Path $export -LogPath $consoleLogs -ErrorAction SilentlyContinue 3>$null 6>$null
        $script:secondRun = Invoke-WeComUpstreamSync -Path $export -LogPath $consoleLogs -ErrorAction SilentlyContinue 3>$null 6>$null
        $script:logUser = (Get-WeComSyncLog -Path $consoleLogs -Failed | Select-Object -First 1).Key
        # A dry run whose users step leaves an object for a person (a 账号 on two rows): -Run lists it after the steps.
        $script:humanRun = Invoke-WeComUpstreamSync -Path (New-TestExport human.xlsx --users 12 --seed 9 --bad-rows 3) -LogPath $consoleLogs -WhatIf -ErrorAction SilentlyContinue 3>$null 6>$null
        $script:whatIfRun = (Invoke-Recorded { Invoke-WeComUpstreamSync -Path $export -Mode DeleteOnly -WhatIf -ErrorAction SilentlyContinue 3>$null 6>$null }).Output
        # A plan with an update (a renamed member) and a delete (a member gone from the file).
        $fileUsers = @(Import-WeComAddressBook -LiteralPath $export | Select-Object -Skip 1)
        $fileUsers[0].Name = '新名字'
        $script:plan = @(Compare-Directory $fileUsers (Get-AuthingUser) -Operation Create, Update, Delete 6>$null)
        # A WeCom refusal as the connection check shows it: an agent-mode secret may not write (48002, WeCom's raw hint).
        Set-WeComSyncEmulatorSecretMode -BaseUrl $emulator.BaseUrl -Secret 'agent-secret-c' -Mode agent
        $script:agent = Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'agent-secret-c' -AsPlainText -Force) -AppMode AgentDevelopment -ApiHost $emulator.BaseUrl -PassThru
        $script:agentChecks = @(Test-WeComConnection -Connection $agent 3>$null)

        # Words as the console draws them: runs of narrow characters between spaces, and each wide (Han) character,
        # between which a line may break.
        $wide = '\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE6F\uFF00-\uFF60\uFFE0-\uFFE6'
        $script:wordPattern = "[$wide]|[^\s$wide]+"
        function Get-ConsoleWord([string[]] $Lines) { [regex]::Matches(($Lines -join "`n"), $wordPattern).Value }
        function Get-Cells([string] $Line) { [WeComSync.PowerShell.Infrastructure.ConsoleText]::Cells($Line.TrimEnd()) }

        # What the console shows at -Width columns (the views wrap for the host's width, as at a console).
        # (Colours are escape sequences, no cells: left out.)
        function Show-AtWidth([string] $Command, [int] $Width) {
            @((Invoke-Recorded ([scriptblock]::Create("$Command | Out-Host")) -Width $Width).Host -replace '\e\[[0-9;]*[A-Za-z]', '')
        }
    }

    It 'shows <Name> within 80 columns, every word whole' -ForEach @(
        @{ Name = 'the runs (Get-WeComSyncLog)'; Command = 'Get-WeComSyncLog -Path $consoleLogs' }
        @{ Name = 'a run''s steps (-Run)'; Command = 'Get-WeComSyncLog -Path $consoleLogs -Run $failedRun.ShortId' }
        @{ Name = 'a dry run''s steps and who needs a human (-Run)'; Command = 'Get-WeComSyncLog -Path $consoleLogs -Run $humanRun.ShortId' }
        @{ Name = 'the failed lines (-Failed)'; Command = 'Get-WeComSyncLog -Path $consoleLogs -Failed' }
        @{ Name = 'one user''s lines (-UserId)'; Command = 'Get-WeComSyncLog -Path $consoleLogs -UserId $logUser' }
        @{ Name = 'a run summary'; Command = '$failedRun' }
        @{ Name = 'a -WhatIf run summary'; Command = '$whatIfRun' }
        @{ Name = 'Test-AuthingConnection'; Command = 'Test-AuthingConnection 3>$null' }
        @{ Name = 'Test-WeComConnection refused (WeCom''s hint)'; Command = '$agentChecks' }
        @{ Name = 'a plan'; Command = '$plan' }
        @{ Name = 'Get-AuthingUser'; Command = 'Get-AuthingUser' }
        @{ Name = 'Get-AuthingDepartment'; Command = 'Get-AuthingDepartment' }
        @{ Name = 'Import-WeComAddressBook'; Command = 'Import-WeComAddressBook -LiteralPath $export' }
    ) {
        $narrow = Show-AtWidth $Command 80
        $full = Show-AtWidth $Command 400
        @($narrow | Where-Object { $_.Trim() }).Count | Should -BeGreaterThan 2 -Because 'the view shows something'
        foreach ($line in $narrow) { Get-Cells $line | Should -BeLessOrEqual 80 -Because "'$line' at 80 columns" }
        # A word cut at the edge ('upstream-c' / 'reateupdat' / 'e') is a word the unwrapped view does not have; only a
        # word wider than any free-text column at 80 columns (an e-mail address, a URL) may be cut.
        $words = @(Get-ConsoleWord $full)
        $whole = [Collections.Generic.HashSet[string]]::new([string[]] $words)
        $tooWide = @($words | Where-Object { (Get-Cells $_) -gt 24 })
        $cut = @(Get-ConsoleWord $narrow | Where-Object { -not $whole.Contains($_) } | Where-Object { $piece = $_; -not ($tooWide | Where-Object { $_.Contains($piece) }) })
        $cut | Should -BeNullOrEmpty -Because "$Name at 80 columns:`n$($narrow -join "`n")"
    }

    It 'shows a dry run in the runs list as WhatIf, its status whole in its column (fixed widths cut at any width)' {
        $lines = Show-AtWidth 'Get-WeComSyncLog -Path $consoleLogs' 80
        $dry = @($lines | Where-Object { $_ -match "^$($humanRun.ShortId) " })
        $dry.Count | Should -Be 1
        $dry[0] | Should -Match ' WhatIf(, errors)? '
        $dry[0] | Should -Not -Match '…' -Because "'$($dry[0])'"
    }

    It 'shows WeCom''s refusal without its raw hint and link, and keeps them in the object' {
        $write = $agentChecks | Where-Object { $_.Code -eq '48002' }
        $write.Message | Should -Match 'hint: \['
        $shown = (Show-AtWidth '$agentChecks' 80) -join "`n"
        $shown | Should -Not -Match 'hint: \[|more info at'
        $shown | Should -Match '48002'
    }

    It 'about_WeComSync fits 80 columns, and its SEE ALSO names only what the installed module holds' {
        $text = Get-Help about_WeComSync | Out-String -Width 400
        foreach ($line in $text -split "`r?`n") { Get-Cells $line | Should -BeLessOrEqual 80 -Because "'$line'" }
        $seeAlso = ($text -split '(?m)^SEE ALSO\s*$')[1]
        $seeAlso | Should -Not -BeNullOrEmpty
        $seeAlso | Should -Not -Match 'docs/'   # the repository's folders are not installed
        foreach ($command in [regex]::Matches($seeAlso, '\b[A-Z][a-z]+-[A-Za-z]+\b').Value) { Get-Command $command -ErrorAction Ignore | Should -Not -BeNullOrEmpty -Because $command }
        foreach ($file in [regex]::Matches($seeAlso, '\b[\w-]+\.md\b').Value) { Join-Path (Get-Module WeComSync).ModuleBase $file | Should -Exist }
    }
}
