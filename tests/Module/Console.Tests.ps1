# Pester: the module at the console — tab completion, "No changes.", one shape and view for the connection checks,
# HTTP traces on one stream — against the emulator over HTTP on 127.0.0.1.
BeforeAll {
    Import-Module $env:WECOMSYNC_MODULE_PATH -Force
    $repo = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $repo 'tools/Emulator.psm1') -Force
    $configuration = if ($env:WECOMSYNC_CONFIGURATION) { $env:WECOMSYNC_CONFIGURATION } else { 'Release' }
    $generator = Join-Path $repo "tests/WeComSync.ExportGenerator/bin/$configuration/net10.0/WeComSync.ExportGenerator.dll"
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "wecomsync-console-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $work | Out-Null
    $script:export = Join-Path $work 'contacts.xlsx'
    $null = & (Get-Command dotnet).Source $generator --users 10 --seed 3 --out $export
    $script:emulator = Start-WeComSyncEmulator -Configuration $configuration
    Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force) -ApiHost $emulator.BaseUrl -OrganizationCode emulator-org
    Initialize-AuthingLinkField -Confirm:$false | Out-Null
    Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force) -AppMode AddressBookSync -ApiHost $emulator.BaseUrl

    # What Tab offers at the end of $Line.
    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

AfterAll {
    Disconnect-Authing
    Disconnect-WeCom
    if ($emulator) { $emulator | Stop-WeComSyncEmulator }
    if ($work -and (Test-Path $work)) { Remove-Item -LiteralPath $work -Recurse -Force }
}

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
        $summary = Invoke-WeComUpstreamSync -Path $export -LogPath $logs -WhatIf -ErrorAction SilentlyContinue 6>$null
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
        @(Compare-Directory $ref $cur -Operation Conflict).Count | Should -Be 0
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
