# Pester: the templates and the shipped example scripts the way scheduled scripts and admins run them, against the
# emulator over HTTP on 127.0.0.1: one bad row or failed object never ends a run, whatever the caller's error
# preference; the caller's preference only decides what is shown; one summary per run; errors that read like
# cmdlet errors; an interrupted run recorded as such; summaries readable at 80 and 120 columns.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name scripts -Emulator
    $script:work = $test.Work; $script:emulator = $test.Emulator
    # 30 members, two of them bad rows (an empty name, an invalid account).
    $script:bad = New-TestExport bad.xlsx --users 30 --seed 42 --bad-rows 2

    function Connect-Pool([switch] $NoLinkField) { Connect-TestAuthing $emulator -Reset -NoLinkField:$NoLinkField }
    function Get-AuthingWriteCount { (Get-TestWrite $emulator -Api Authing).Values | Measure-Object -Sum | ForEach-Object Sum }
    function Set-UserCreateFault {
        foreach ($path in '/api/v3/create-users-batch', '/api/v3/create-user') {
            Set-WeComSyncEmulatorFault -BaseUrl $emulator.BaseUrl -Api authing -Path $path -Kind errcode -Status 400
        }
    }
}

AfterAll { Complete-ModuleTest }

Describe 'The templates never die on one bad object' {
    BeforeEach { Connect-Pool }

    It 'upstream with bad rows and failing user creates goes on under <How>: one summary, exit code 2' -ForEach @(
        @{ How = "`$ErrorActionPreference = 'Stop'" }, @{ How = '-ErrorAction Stop' }) {
        Set-UserCreateFault
        $all = if ($How -like '-ErrorAction*') { Invoke-WeComUpstreamSync -Path $bad -ErrorAction Stop 2>&1 3>$null }
        else { & { $ErrorActionPreference = 'Stop'; Invoke-WeComUpstreamSync -Path $bad 2>&1 3>$null } }
        $summaries = @($all | Where-Object { $_ -is [WeComSync.RunLog.RunRecord] })
        $summaries.Count | Should -Be 1
        $summary = $summaries[0]
        $summary.ExitCode | Should -Be 2
        ($summary.Steps | Where-Object Name -EQ 'read export').Skipped | Should -Be 2
        ($summary.Steps | Where-Object Name -EQ 'departments').Created | Should -BeGreaterThan 0
        ($summary.Steps | Where-Object Name -EQ 'users').Failed | Should -Be 30
        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        @($errors | Where-Object { "$_" -match 'row \d+' }).Count | Should -Be 2
        @($errors | Where-Object FullyQualifiedErrorId -Like 'AuthingSync*').Count | Should -BeGreaterThan 0
    }

    It '-ErrorAction SilentlyContinue hides the per-object errors; they stay in the summary and the run log' {
        Set-UserCreateFault
        $logs = Join-Path $work 'silent-logs'
        $all = Invoke-WeComUpstreamSync -Path $bad -LogPath $logs -ErrorAction SilentlyContinue 2>&1 3>$null
        @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -Be 0
        $summary = @($all)[-1]
        $summary.Failed | Should -Be 30
        $summary.Skipped | Should -Be 2
        @(Get-WeComSyncLog -Path $logs -Run $summary.ShortId -Failed).Count | Should -Be 30
    }

    It 'downstream with failing WeCom creates goes on under -ErrorAction Stop: exit code 2' {
        Get-AuthingDepartment | Out-Null
        New-Item -ItemType Directory -Path (Join-Path $work 'down') -Force | Out-Null
        Invoke-WeComUpstreamSync -Path $bad -IgnoreRootDepartment -ErrorAction SilentlyContinue 3>$null | Out-Null
        Connect-TestWeCom $emulator
        Set-WeComSyncEmulatorFault -BaseUrl $emulator.BaseUrl -Api wecom -Path /cgi-bin/user/create -Kind errcode -Errcode 60104
        $all = Invoke-WeComDownstreamSync -ErrorAction Stop 2>&1 3>$null
        $summary = @($all | Where-Object { $_ -is [WeComSync.RunLog.RunRecord] })
        $summary.Count | Should -Be 1
        ($summary[0].Steps | Where-Object Name -EQ 'users').Failed | Should -Be 30
        $summary[0].ExitCode | Should -Be 2
        @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
    }

    It 'a pool without the link fields stops before any write, with one error that says what to run' {
        Connect-Pool -NoLinkField
        $summaries = @()
        try { Invoke-WeComUpstreamSync -Path $bad -ErrorAction SilentlyContinue -OutVariable +summaries 3>$null | Out-Null } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'AuthingLinkFieldsMissing,WeComSync.PowerShell.Commands.InvokeWeComUpstreamSyncCommand'
        $err.Exception.Message | Should -Match 'wechatwork_user_id'
        $err.ErrorDetails.RecommendedAction | Should -Match 'Initialize-AuthingLinkField'
        Get-AuthingWriteCount | Should -Be 0
        $summaries.Count | Should -Be 1
        $summaries[0].Status | Should -Be 'Failed'
        $summaries[0].ExitCode | Should -Be 1
    }

    It 'a missing file: one Failed summary, and an error that names the real cause and reads like a cmdlet error' {
        $summaries = @()
        try { Invoke-WeComUpstreamSync -Path (Join-Path $work 'nope.xlsx') -OutVariable +summaries | Out-Null } catch { $err = $_ }
        $summaries.Count | Should -Be 1
        $summaries[0].Status | Should -Be 'Failed'
        $summaries[0].Message | Should -Match 'Cannot find the export file'
        $err.FullyQualifiedErrorId | Should -Be 'AddressBookFileNotFound,WeComSync.PowerShell.Commands.InvokeWeComUpstreamSyncCommand'
        $err.InvocationInfo.MyCommand.Name | Should -Be 'Invoke-WeComUpstreamSync'
        ($err | Out-String -Width 200) | Should -Not -Match 'Invoke-WeComUpstreamSync\.ps1'
    }

    It 'per-object errors read like cmdlet errors typed at the console: the template''s name, no template source line' {
        Set-UserCreateFault
        $run = Invoke-ChildPwsh -Width 200 -Command (@(
                "Import-Module '$env:WECOMSYNC_MODULE_PATH'"
                "Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret (ConvertTo-SecureString emulator-sk -AsPlainText -Force) -ApiHost $($emulator.BaseUrl) -OrganizationCode emulator-org"
                "Invoke-WeComUpstreamSync -Path '$bad' -ErrorAction Stop -ErrorVariable e 3>`$null 6>`$null | Out-Null"
                "'ids: ' + ((`$e.FullyQualifiedErrorId | Sort-Object -Unique) -join ' ')"
                "Invoke-WeComUpstreamSync -Path '$(Join-Path $work 'nope.xlsx')' 3>`$null 6>`$null | Out-Null") -join '; ')
        $text = $run.Output -replace '\e\[[0-9;]*m'
        # Bad rows (Import-WeComAddressBook) and failed creates (Sync-AuthingUser), each as the template's error.
        @([regex]::Matches($text, '(?m)^Invoke-WeComUpstreamSync: .*row \d+')).Count | Should -Be 2
        @([regex]::Matches($text, '(?m)^Invoke-WeComUpstreamSync: ')).Count | Should -BeGreaterThan 3
        $text | Should -Not -Match 'Line \|'
        $text | Should -Not -Match '(?m)^(Import-WeComAddressBook|Sync-AuthingUser|Write-Error):'
        $text | Should -Match 'ids: AddressBook\S+,\S*InvokeWeComUpstreamSyncCommand .*AuthingSync\S*,\S*InvokeWeComUpstreamSyncCommand'
        # A missing export is one error, the run's: not first a per-object one from the inner reader.
        @([regex]::Matches($text, 'Cannot find the export file')).Count | Should -Be 1
    }

    It 'an export with no member, or none valid, is refused with the real cause as its error id, never as a script error' {
        $empty = Join-Path $work 'empty.csv'
        Set-Content -LiteralPath $empty -Value '姓名,账号,部门' -Encoding utf8BOM
        { Invoke-WeComUpstreamSync -Path $empty -ErrorAction SilentlyContinue | Out-Null } |
            Should -Throw -ErrorId 'AddressBookNoMembers,WeComSync.PowerShell.Commands.InvokeWeComUpstreamSyncCommand'
        $allBad = Join-Path $work 'all-bad.csv'
        Set-Content -LiteralPath $allBad -Value "姓名,账号,部门`n,zhangsan,示例科技" -Encoding utf8BOM
        { Invoke-WeComUpstreamSync -Path $allBad -ErrorAction SilentlyContinue | Out-Null } |
            Should -Throw -ErrorId 'UpstreamExportEmpty,WeComSync.PowerShell.Commands.InvokeWeComUpstreamSyncCommand' -ExpectedMessage '*holds no valid member*'
        Get-AuthingWriteCount | Should -Be 0
    }

    It 'a -WhatIf run says what would be done, not "Created 0"' {
        $shown = Invoke-Recorded { Invoke-WeComUpstreamSync -Path $bad -WhatIf -ErrorAction SilentlyContinue 3>$null }
        $summary = $shown.Output
        # The plan grouped by step (departments, users), not 30 "What if:" host lines that *> cannot capture.
        @($shown.WhatIf).Count | Should -Be 0
        @($shown.Information | Where-Object { "$_" -like 'users: 30 to create*' }).Count | Should -Be 1
        Get-AuthingWriteCount | Should -Be 0
        $summary.Message | Should -Match 'users: 30 to create'
        $text = $summary | Out-String -Width 80
        $text | Should -Match 'users: 30 to create'
        $text | Should -Not -Match 'Created'
    }
}

Describe 'A scheduled script''s exit code from the compiled sync commands' {
    It 'exit $summary.ExitCode gives 2 for failed objects; -FailOnError ends the calling script with exit code 1, its target the summary; no secret in the logged parameters' {
        Connect-Pool
        Set-UserCreateFault
        $logs = Join-Path $work 'exit-logs'
        $script = Join-Path $work 'exit.ps1'
        Set-Content -LiteralPath $script -Value @"
Import-Module `$env:WECOMSYNC_MODULE_PATH
Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret (ConvertTo-SecureString emulator-sk -AsPlainText -Force) -ApiHost $($emulator.BaseUrl) -OrganizationCode emulator-org
if (`$env:FAIL_ON_ERROR) {
    try { Invoke-WeComUpstreamSync -Path '$bad' -LogPath '$logs' -FailOnError -ErrorAction SilentlyContinue | Out-Null }
    catch { 'target: ' + `$_.TargetObject.ExitCode + ' ' + `$_.FullyQualifiedErrorId; throw }
    'not reached'
    exit 0
}
`$summary = Invoke-WeComUpstreamSync -Path '$bad' -LogPath '$logs' -ErrorAction SilentlyContinue
exit `$summary.ExitCode
"@
        (Invoke-ChildPwsh $script).ExitCode | Should -Be 2
        $run = Invoke-ChildPwsh $script @{ FAIL_ON_ERROR = '1' }
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Match 'target: 2 WeComSyncRunNotSucceeded\.PartiallyFailed'
        $run.Output | Should -Not -Match 'not reached'
        $last = Get-WeComSyncLog -Path $logs | Select-Object -First 1
        $last.Parameters['FailOnError'] | Should -Be 'True'
        ($last.Parameters.Values -join ' ') | Should -Not -Match 'emulator-sk'
    }
}

Describe 'The run summary at 80 and 120 columns' {
    BeforeAll {
        Connect-Pool
        Set-UserCreateFault
        $script:failedRun = Invoke-WeComUpstreamSync -Path $bad -ErrorAction SilentlyContinue 3>$null
    }

    It 'shows Failed and Skipped at 80 columns' {
        $text = $failedRun | Out-String -Width 80
        $lines = $text -split "`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match 'Failed\s+Skipped'
        $lines[2] | Should -Match "\b30\s+2\b"
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'shows the run name and status whole at 120 columns' {
        $text = $failedRun | Out-String -Width 120
        $text | Should -Match 'upstream-createupdate'
        $text | Should -Match 'PartiallyFailed'
    }
}

Describe 'The example scripts under their own $ErrorActionPreference = ''Stop''' {
    BeforeEach { Connect-Pool }

    It 'the upstream example syncs past bad rows and failed objects and exits 2' {
        Set-UserCreateFault
        $run = Invoke-ChildPwsh (Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) 'Examples/Invoke-UpstreamSync.example.ps1') @{
            WECOMSYNC_MODULE_PATH = $env:WECOMSYNC_MODULE_PATH; WECOMSYNC_AUTHING_AK = 'emulator-ak'; WECOMSYNC_AUTHING_SK = 'emulator-sk'
            WECOMSYNC_AUTHING_HOST = $emulator.BaseUrl; WECOMSYNC_AUTHING_ORG = 'emulator-org'
            WECOMSYNC_EXPORT_PATH = $bad; WECOMSYNC_LOG_PATH = (Join-Path $work 'example-logs')
        }
        $run.ExitCode | Should -Be 2
        $run.Output | Should -Match 'row \d+'
        $run.Output | Should -Not -Match "`e\[" -Because 'output that is not a terminal has no escape codes'
        $run.Output | Should -Match 'PartiallyFailed'
        $run.Output | Should -Not -Match 'Upstream sync failed'
        @(Get-AuthingDepartment).Count | Should -BeGreaterThan 1
    }

    It 'under cron (pwsh -NonInteractive -File, stdout and stderr to a file) a bad row is one plain error line: no script position, no escape codes, exit 2' -Skip:($IsWindows) {
        $oneBad = New-TestExport one-bad.csv --users 8 --seed 5 --bad-rows 1 --no-instructions
        $log = Join-Path $work 'cron.log'
        $run = Invoke-ChildPwsh (Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) 'Examples/Invoke-UpstreamSync.example.ps1') @{
            WECOMSYNC_MODULE_PATH = $env:WECOMSYNC_MODULE_PATH; WECOMSYNC_AUTHING_AK = 'emulator-ak'; WECOMSYNC_AUTHING_SK = 'emulator-sk'
            WECOMSYNC_AUTHING_HOST = $emulator.BaseUrl; WECOMSYNC_AUTHING_ORG = 'emulator-org'
            WECOMSYNC_EXPORT_PATH = $oneBad; WECOMSYNC_LOG_PATH = (Join-Path $work 'cron-logs')
        } -LogFile $log
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $text = $run.Output
        $text | Should -Not -Match "`e" -Because 'a file is not a terminal: no escape codes'
        $text | Should -Not -Match 'At line|Line \||\.ps1:\d+' -Because 'a bad row is about the file, not the script line that ran the sync'
        # The row's error once, on one line that names the command, the file, the row and the problem; its advice once.
        $rowErrors = @([regex]::Matches($text, '(?m)^Invoke-WeComUpstreamSync: one-bad\.csv, sheet \S+, row \d+: 姓名 \(name\) is empty\. The row is skipped\.\r?$'))
        $rowErrors.Count | Should -Be 1 -Because $text
        @([regex]::Matches($text, 'is empty')).Count | Should -Be 1
        @([regex]::Matches($text, '(?m)^\s*Recommendation: Fix the row')).Count | Should -Be 1
        $text | Should -Match 'PartiallyFailed'
    }

    It 'the downstream example syncs past failed objects and exits 2' {
        Invoke-WeComUpstreamSync -Path $bad -IgnoreRootDepartment -ErrorAction SilentlyContinue 3>$null | Out-Null
        Set-WeComSyncEmulatorFault -BaseUrl $emulator.BaseUrl -Api wecom -Path /cgi-bin/user/create -Kind errcode -Errcode 60104
        $run = Invoke-ChildPwsh (Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) 'Examples/Invoke-DownstreamSync.example.ps1') @{
            WECOMSYNC_MODULE_PATH = $env:WECOMSYNC_MODULE_PATH; WECOMSYNC_AUTHING_AK = 'emulator-ak'; WECOMSYNC_AUTHING_SK = 'emulator-sk'
            WECOMSYNC_AUTHING_HOST = $emulator.BaseUrl; WECOMSYNC_AUTHING_ORG = 'emulator-org'
            WECOMSYNC_WECOM_CORPID = 'ww-emulator'; WECOMSYNC_WECOM_SECRET = 'emulator-secret'; WECOMSYNC_WECOM_HOST = $emulator.BaseUrl
            WECOMSYNC_WECOM_APPMODE = 'AddressBookSync'; WECOMSYNC_LOG_PATH = (Join-Path $work 'example-logs')
        }
        $run.ExitCode | Should -Be 2
        $run.Output | Should -Match '60104'
        $run.Output | Should -Not -Match 'Downstream sync failed'
    }
}

Describe 'Leavers through the example scripts: suspend, re-hire, a later delete run' {
    BeforeAll {
        Connect-Pool
        $script:rows = @(Import-Csv -LiteralPath (New-TestExport leavers.csv --users 12 --seed 11 --no-instructions) -Encoding utf8)
        $script:state = { (Get-WeComSyncEmulatorState -BaseUrl $emulator.BaseUrl) }
        $script:examples = Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) 'Examples'
        $script:environment = @{
            WECOMSYNC_MODULE_PATH = $env:WECOMSYNC_MODULE_PATH; WECOMSYNC_AUTHING_AK = 'emulator-ak'; WECOMSYNC_AUTHING_SK = 'emulator-sk'
            WECOMSYNC_AUTHING_HOST = $emulator.BaseUrl; WECOMSYNC_AUTHING_ORG = 'emulator-org'; WECOMSYNC_LOG_PATH = (Join-Path $work 'leaver-logs')
            WECOMSYNC_WECOM_CORPID = 'ww-emulator'; WECOMSYNC_WECOM_SECRET = 'emulator-secret'; WECOMSYNC_WECOM_HOST = $emulator.BaseUrl
            WECOMSYNC_WECOM_APPMODE = 'AddressBookSync'
        }
        # A scheduled run: no console to answer a prompt (stdin is not a terminal); exit code 0 is a run that went through.
        function Invoke-Example([string] $Name, [object[]] $Rows, [string[]] $Arguments = @()) {
            $variables = $environment.Clone()
            if ($Rows) { $variables.WECOMSYNC_EXPORT_PATH = Save-TestCsv $Rows "$([guid]::NewGuid().ToString('N')).csv" }
            $run = Invoke-ChildPwsh (Join-Path $examples "Invoke-$Name.example.ps1") $variables -Arguments $Arguments -Width 80
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output
        }
        function Get-AuthingUserState([string] $Username) { @((& $state).authing.users | Where-Object username -EQ $Username) }
    }

    It 'upstream: a leaver is suspended without a prompt, the re-hire reactivated and renamed (never created twice), the rest deleted by a later delete run' {
        $x = $rows[0].账号; $y = $rows[1].账号
        Invoke-Example UpstreamSync $rows | Out-Null
        Invoke-Example UpstreamSync @($rows | Select-Object -Skip 1) -Arguments '-Mode', 'DeleteOnly', '-DeleteAction', 'Suspend' | Out-Null
        (Get-AuthingUserState $x).status | Should -Be 'Suspended'
        @((& $state).authing.users).Count | Should -Be $rows.Count

        $back = @($rows | ForEach-Object { $_.PSObject.Copy() })
        $back[0].姓名 = '回来了'
        Invoke-Example UpstreamSync $back | Out-Null
        $again = Get-AuthingUserState $x
        $again.Count | Should -Be 1
        $again[0].status | Should -Be 'Activated'
        $again[0].name | Should -Be '回来了'

        $without = @($back | Where-Object 账号 -NE $y)
        Invoke-Example UpstreamSync $without -Arguments '-Mode', 'DeleteOnly', '-DeleteAction', 'Suspend' | Out-Null
        (Get-AuthingUserState $y).status | Should -Be 'Suspended'
        Invoke-Example UpstreamSync $without -Arguments '-Mode', 'DeleteOnly' | Out-Null
        Get-AuthingUserState $y | Should -BeNullOrEmpty
        @((& $state).authing.users).Count | Should -Be ($rows.Count - 1)
        (Get-AuthingUserState $x).status | Should -Be 'Activated'
    }

    It 'downstream (after the upstream runs): -Delete -DeleteAction Suspend disables the member (enable 0); -Delete alone later deletes it' {
        Invoke-Example DownstreamSync | Out-Null
        $leaver = (& $state).authing.users | Where-Object username -EQ $rows[2].账号
        Invoke-WeComSyncEmulatorAuthingRequest -BaseUrl $emulator.BaseUrl -Path /api/v3/delete-users-batch -Body @{ userIds = @($leaver.userId) } | Out-Null
        Invoke-Example DownstreamSync -Arguments '-Delete', '-DeleteAction', 'Suspend' | Out-Null
        ((& $state).wecom.users | Where-Object userid -EQ $leaver.username).enable | Should -Be 0
        Invoke-Example DownstreamSync -Arguments '-Delete' | Out-Null
        @((& $state).wecom.users | Where-Object userid -EQ $leaver.username).Count | Should -Be 0
    }
}

Describe 'An interrupted run' {
    It 'a stopped pipeline is recorded as Interrupted, exit code 130, with the counts of what was written' {
        Connect-Pool
        # Slow department creates, so that the stop lands in the middle of the departments step.
        Set-WeComSyncEmulatorFault -BaseUrl $emulator.BaseUrl -Api authing -Path /api/v3/create-department -Kind latency -LatencyMs 400
        $logs = Join-Path $work 'interrupted-logs'
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($Module, $Url, $File, $Logs)
                Import-Module $Module
                Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force) -ApiHost $Url -OrganizationCode emulator-org
                Invoke-WeComUpstreamSync -Path $File -LogPath $Logs -ThrottleLimit 1 -ErrorAction SilentlyContinue
            }).AddArgument($env:WECOMSYNC_MODULE_PATH).AddArgument($emulator.BaseUrl).AddArgument($bad).AddArgument($logs)
        try {
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do { Start-Sleep -Milliseconds 200; $created = @(Get-AuthingDepartment -ErrorAction Ignore).Count }
            until ($created -ge 3 -or [DateTime]::UtcNow -gt $deadline)
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
        }
        finally { $ps.Dispose() }
        $run = Get-WeComSyncLog -Path $logs
        $run.Status | Should -Be 'Interrupted'
        $run.ExitCode | Should -Be 130
        $step = Get-WeComSyncLog -Path $logs -Run $run.ShortId | Where-Object Name -EQ 'departments'
        $step.Status | Should -Be 'Interrupted'
        # Every department written is counted (the root is the organization's own).
        $step.Created | Should -Be (@(Get-AuthingDepartment -IgnoreRootDepartment).Count)
        $step.Created | Should -BeLessThan 11
    }

    It 'Ctrl+C in a scheduled example script exits 130, as the run log records it' -Skip:($IsWindows) {
        Connect-Pool
        Set-WeComSyncEmulatorFault -BaseUrl $emulator.BaseUrl -Api authing -Path /api/v3/create-department -Kind latency -LatencyMs 400
        $logs = Join-Path $work 'interrupted-example-logs'
        $pwsh = Get-PwshCommandLine
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh.FilePath)
        foreach ($a in @($pwsh.Arguments) + @('-File', (Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) 'Examples/Invoke-UpstreamSync.example.ps1'))) { $start.ArgumentList.Add($a) }
        $start.Environment['WECOMSYNC_MODULE_PATH'] = $env:WECOMSYNC_MODULE_PATH
        $start.Environment['WECOMSYNC_AUTHING_AK'] = 'emulator-ak'; $start.Environment['WECOMSYNC_AUTHING_SK'] = 'emulator-sk'
        $start.Environment['WECOMSYNC_AUTHING_HOST'] = $emulator.BaseUrl; $start.Environment['WECOMSYNC_AUTHING_ORG'] = 'emulator-org'
        $start.Environment['WECOMSYNC_EXPORT_PATH'] = $bad; $start.Environment['WECOMSYNC_LOG_PATH'] = $logs
        $start.RedirectStandardOutput = $true; $start.RedirectStandardError = $true; $start.UseShellExecute = $false
        $child = [Diagnostics.Process]::Start($start)
        try {
            $output = $child.StandardOutput.ReadToEndAsync(); $null = $child.StandardError.ReadToEndAsync()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do { Start-Sleep -Milliseconds 200; $created = @(Get-AuthingDepartment -ErrorAction Ignore).Count }
            until ($created -ge 3 -or $child.HasExited -or [DateTime]::UtcNow -gt $deadline)
            $child.HasExited | Should -BeFalse -Because 'the departments step is slow enough to be cut short'
            & (Get-Command kill -CommandType Application | Select-Object -First 1).Source -INT $child.Id   # what Ctrl+C sends
            $child.WaitForExit(30000) | Should -BeTrue
            $child.ExitCode | Should -Be 130 -Because $output.Result
        }
        finally { if (-not $child.HasExited) { $child.Kill($true) }; $child.Dispose() }
        (Get-WeComSyncLog -Path $logs).ExitCode | Should -Be 130
    }
}

Describe 'Start-WeComSyncEmulator' {
    It 'runs the emulator in its own process group, so Ctrl+C in the console stops the sync, not the emulator' -Skip:($IsWindows) {
        $group = { param($id) ((Get-Content -LiteralPath "/proc/$id/stat" -Raw) -replace '^.*\) ', '' -split ' ')[2] }
        & $group $emulator.Process.Id | Should -Not -Be (& $group $PID)
        & $group $emulator.Process.Id | Should -Be $emulator.Process.Id
    }
}
