BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $null = Initialize-ModuleTest -Name crosscheck
}

AfterAll { Complete-ModuleTest }

# End to end against the emulator: the delete-only run checks its deletes against WeCom's own member list (user/list_id).
Describe 'DeleteOnly checked against WeCom''s member list' {
    BeforeAll {
        $script:emulator = Start-TestEmulator
        Connect-TestAuthing $emulator

        # The clean file seeds Authing; WeCom holds the same members but the two real leavers (the last two rows).
        $csv = New-TestExport 'clean.csv' --users 20 --seed 11 --no-instructions --multi-dept-rate 0
        $script:rows = @(Import-Csv -LiteralPath $csv -Encoding utf8)
        $seed = Invoke-WeComUpstreamSync -Path $csv -Confirm:$false -WarningAction SilentlyContinue 6>$null
        $seed.Status | Should -Be 'Succeeded'
        $script:ids = @($rows.账号)
        $members = @($ids | Select-Object -First 18 | ForEach-Object { @{ userid = $_; name = "成员$_" } })
        $emulator | Set-WeComSyncEmulatorState -Seed @{ wecom = @{ departments = @(); users = $members } }

        function Save-Without([string[]] $Missing, [string] $Name) { Save-TestCsv @($rows | Where-Object { $_.账号 -notin $Missing }) $Name }
        # The run's summary, its warnings (once each) and the error that ended it, if any; nothing printed.
        function Invoke-DeleteOnly([string] $Path, [hashtable] $More = @{}) {
            $result = [pscustomobject]@{ Summary = $null; Warnings = @(); Error = $null }
            try {
                $result.Summary = Invoke-WeComUpstreamSync -Path $Path -Mode DeleteOnly -Confirm:$false @More -ErrorAction SilentlyContinue -WarningVariable w -WarningAction SilentlyContinue 6>$null
            }
            catch { $result.Error = $_ }
            $result.Warnings = @($w.Message | Sort-Object -Unique)
            $result
        }
        function Get-AuthingId { @((Get-AuthingUser).UserId) }
    }

    It 'without a WeCom connection deletes the leaver as before and says once that the deletes were not checked' {
        $run = Invoke-DeleteOnly (Save-Without $ids[19] 'no-wecom.csv')
        ($run.Summary.Steps | Where-Object Name -eq 'delete users').Deleted | Should -Be 1
        @($run.Warnings | Where-Object { $_ -like 'Deletes were not checked against WeCom*' }).Count | Should -Be 1
        Get-AuthingId | Should -Not -Contain $ids[19]
    }

    It 'a filtered export missing two members WeCom still lists deletes only the real leaver and names the two' {
        Connect-TestWeCom $emulator
        $run = Invoke-DeleteOnly (Save-Without $ids[18], $ids[2], $ids[5] 'filtered.csv')
        $run.Error | Should -BeNullOrEmpty
        $run.Summary.Status | Should -Be 'Succeeded'
        ($run.Summary.Steps | Where-Object Name -eq 'delete users').Deleted | Should -Be 1
        $still = @($run.Warnings | Where-Object { $_ -match 'is still in WeCom: the export does not show them — hidden sheet, filter, old file\?' })
        $still.Count | Should -Be 2
        $still -join "`n" | Should -Match ([regex]::Escape($ids[2]))
        $left = Get-AuthingId
        $left | Should -Contain $ids[2]
        $left | Should -Contain $ids[5]
        $left | Should -Not -Contain $ids[18]
    }

    It 'a stale file missing ten members WeCom still lists refuses every delete and says the file looks stale or partial' {
        $before = (Get-AuthingId).Count
        $run = Invoke-DeleteOnly (Save-TestCsv @($rows | Select-Object -First 8) 'stale.csv')
        $run.Error.FullyQualifiedErrorId | Should -BeLike 'DeleteRefused*'
        $run.Error.Exception.Message | Should -Match '10 of the 10 user\(s\) this run would delete are still members in WeCom'
        $run.Error.Exception.Message | Should -Match 'the file looks stale or partial'
        $run.Error.ErrorDetails.RecommendedAction | Should -Match 'Export the address book again'
        (Get-AuthingId).Count | Should -Be $before
    }

    It 'a member list failing after its retries refuses every delete' {
        $emulator | Set-WeComSyncEmulatorFault -Api wecom -Path /cgi-bin/user/list_id -Kind busy
        try { $run = Invoke-DeleteOnly (Save-Without $ids[3] 'list-fails.csv') }
        finally { $emulator | Clear-WeComSyncEmulatorFault }
        $run.Error.FullyQualifiedErrorId | Should -BeLike 'DeleteRefused*'
        $run.Error.Exception.Message | Should -Match "WeCom's member list could not be read completely"
        Get-AuthingId | Should -Contain $ids[3]
    }

    It '-DeleteAction Suspend never suspends a member WeCom still lists' {
        $run = Invoke-DeleteOnly (Save-Without $ids[4] 'suspend.csv') @{ DeleteAction = 'Suspend' }
        $run.Error | Should -BeNullOrEmpty
        @($run.Warnings | Where-Object { $_ -match "^$([regex]::Escape($ids[4])).*Not suspended\.$" }).Count | Should -Be 1
        (Get-AuthingUser | Where-Object UserId -eq $ids[4]).Enabled | Should -BeTrue
    }

    It '-WeComConnection checks against the given connection when the session has none' {
        Disconnect-WeCom
        # Connect-WeCom always becomes the session's connection: a script holding its own builds it.
        $connection = [WeComSync.WeCom.WeComConnection]::new([WeComSync.WeCom.WeComConnectionSettings]@{ CorpId = 'ww-emulator'; Secret = 'emulator-secret'; ApiHost = $emulator.BaseUrl })
        try { $run = Invoke-DeleteOnly (Save-Without $ids[6] 'given.csv') @{ WeComConnection = $connection } }
        finally { $connection.Dispose() }
        $run.Error | Should -BeNullOrEmpty
        @($run.Warnings | Where-Object { $_ -like 'Deletes were not checked*' }).Count | Should -Be 0
        Get-AuthingId | Should -Contain $ids[6]
    }

    It 'a file older than two days by its own timestamp gets one warning naming its age and the cadence' {
        $path = Save-TestCsv $rows 'three-days-old.csv'
        (Get-Item -LiteralPath $path).LastWriteTimeUtc = [datetime]::UtcNow.AddDays(-3)
        $run = Invoke-DeleteOnly $path
        $stale = @($run.Warnings | Where-Object { $_ -like 'three-days-old.csv is 3 days old*' })
        $stale.Count | Should -Be 1
        $stale[0] | Should -Match 'older than the recommended cadence of every 2 days'
    }

    It '-MaxExportAge sets the age a file is warned at, and 0 turns the check off' {
        $path = Save-TestCsv $rows 'five-days-old.csv'
        (Get-Item -LiteralPath $path).LastWriteTimeUtc = [datetime]::UtcNow.AddDays(-5)
        $week = Invoke-DeleteOnly $path @{ MaxExportAge = (New-TimeSpan -Days 7) }
        @($week.Warnings | Where-Object { $_ -like 'five-days-old.csv is*old*' }).Count | Should -Be 0
        $day = Invoke-DeleteOnly $path @{ MaxExportAge = (New-TimeSpan -Days 1) }
        $stale = @($day.Warnings | Where-Object { $_ -like 'five-days-old.csv is 5 days old*' })
        $stale.Count | Should -Be 1
        $stale[0] | Should -Match 'older than the age allowed \(1 day\)'
        $off = Invoke-DeleteOnly $path @{ MaxExportAge = [timespan]::Zero }
        @($off.Warnings | Where-Object { $_ -like 'five-days-old.csv is*old*' }).Count | Should -Be 0
    }

    It 'the example script, given the WeCom sync secret in its environment, keeps a member WeCom still lists and deletes the leaver' {
        # Through the shipped example, as a scheduler runs it: a fresh pwsh, settings from the environment.
        $left = Get-AuthingId
        $kept, $leaver = @($left | Where-Object { $_ -in $ids[0..17] } | Select-Object -First 2)
        # The leaver has left WeCom too; the other is only missing from the file.
        $members = @($ids[0..17] | Where-Object { $_ -ne $leaver } | ForEach-Object { @{ userid = $_; name = "成员$_" } })
        $emulator | Set-WeComSyncEmulatorState -Seed @{ wecom = @{ departments = @(); users = $members } }
        $environment = @{
            WECOMSYNC_MODULE_PATH = $env:WECOMSYNC_MODULE_PATH; WECOMSYNC_AUTHING_AK = 'emulator-ak'; WECOMSYNC_AUTHING_SK = 'emulator-sk'
            WECOMSYNC_AUTHING_HOST = $emulator.BaseUrl; WECOMSYNC_AUTHING_ORG = 'emulator-org'; WECOMSYNC_LOG_PATH = (Join-Path $TestDrive 'logs')
            WECOMSYNC_WECOM_CORPID = 'ww-emulator'; WECOMSYNC_WECOM_SECRET = 'emulator-secret'; WECOMSYNC_WECOM_HOST = $emulator.BaseUrl
            WECOMSYNC_EXPORT_PATH = (Save-TestCsv @($rows | Where-Object { $_.账号 -in $left -and $_.账号 -notin $kept, $leaver }) 'example.csv')
        }
        $examples = Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) 'Examples'
        $run = Invoke-ChildPwsh (Join-Path $examples 'Invoke-UpstreamSync.example.ps1') $environment -Arguments '-Mode', 'DeleteOnly'
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'is still in WeCom'
        $after = Get-AuthingId
        $after | Should -Contain $kept
        $after | Should -Not -Contain $leaver
    }
}
