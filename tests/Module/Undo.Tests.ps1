# Undo-WeComSyncRun against the emulator over HTTP on 127.0.0.1: a dry run, the pipeline from Get-WeComSyncLog, and
# the inverse plan saved with Export-Clixml and applied in a new session.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name undo -Emulator
    $script:work = $test.Work; $script:emulator = $test.Emulator
    $script:csv = New-TestExport base.csv --users 12 --seed 23 --no-instructions
    $script:rows = @(Import-Csv -LiteralPath $csv -Encoding utf8)
    $script:logs = Join-Path $work 'logs'
    function Get-Writes { Get-TestWrite $emulator -Api Authing }
}

AfterAll { Complete-ModuleTest }

Describe 'Undo-WeComSyncRun' {
    BeforeAll {
        Connect-TestAuthing $emulator -Reset
        Invoke-WeComUpstreamSync -Path $csv -ErrorAction SilentlyContinue 3>$null 6>$null | Out-Null
        $script:before = @{}
        Get-AuthingUser | ForEach-Object { $before[$_.UserId] = $_ }
        # The run to undo: three users get another mobile (a field map gone wrong).
        $changed = foreach ($row in $rows) { $copy = $row.PSObject.Copy(); $copy; }
        foreach ($i in 0..2) { $changed[$i].手机 = "1360000000$i" }
        $file = Save-TestCsv $changed 'changed.csv'
        $script:run = Invoke-WeComUpstreamSync -Path $file -LogPath $logs -ErrorAction SilentlyContinue 3>$null 6>$null
        $script:mobiles = @($rows[0..2].账号)
    }

    It 'the forward run changed three mobiles' {
        $run.Updated | Should -Be 3
        foreach ($id in $mobiles) { (Get-AuthingUser | Where-Object UserId -EQ $id).Mobile | Should -Match '^\+86 1360000000' }
    }

    It '-WhatIf shows the inverse plan, writes nothing, and is logged as a dry run of an undo' {
        $emulator | Clear-WeComSyncEmulatorCallCount
        $shown = Invoke-Recorded { Undo-WeComSyncRun -Path $logs -Run $run.ShortId -WhatIf 3>$null }
        $summary = $shown.Output
        $summary.WhatIf | Should -BeTrue
        $summary.Undoes | Should -Be $run.RunId
        "$($shown.Information)" | Should -Match 'users: 3 to update'
        @($shown.WhatIf -like 'What if: Performing the operation *').Count | Should -Be 0
        (Get-Writes).Count | Should -Be 0
    }

    It 'writes the inverse plan from the pipeline; saved with Export-Clixml it is applied in a new session, then a second undo changes nothing' {
        $planFile = Join-Path $work 'undo-plan.xml'
        Get-WeComSyncLog -Path $logs -Run $run.ShortId | Undo-WeComSyncRun -Path $logs -PlanOnly 3>$null | Export-Clixml -LiteralPath $planFile
        $plan = @(Import-Clixml -LiteralPath $planFile)
        $plan.Count | Should -Be 3
        @($plan.Operation | Sort-Object -Unique) | Should -Be 'Update'
        $plan[0].Reason | Should -Match "undo of run $($run.RunId)"

        $child = Join-Path $work 'apply-undo-plan.ps1'
        Set-Content -LiteralPath $child -Encoding utf8 -Value @'
param([string] $ModulePath, [string] $BaseUrl, [string] $PlanFile)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force) -ApiHost $BaseUrl -OrganizationCode emulator-org
$first = @(Import-Clixml -LiteralPath $PlanFile | Sync-AuthingUser -Confirm:$false | ForEach-Object { "$($_.Change.Key) $($_.Outcome)" })
$second = @(Import-Clixml -LiteralPath $PlanFile | Sync-AuthingUser -Confirm:$false | ForEach-Object { "$($_.Change.Key) $($_.Outcome)" })
[ordered]@{ First = $first; Second = $second } | ConvertTo-Json
'@
        $emulator | Clear-WeComSyncEmulatorCallCount
        $applied = Invoke-ChildPwsh $child -Arguments '-ModulePath', $env:WECOMSYNC_MODULE_PATH, '-BaseUrl', $emulator.BaseUrl, '-PlanFile', $planFile
        $applied.ExitCode | Should -Be 0 -Because $applied.Output
        $result = $applied.Output | ConvertFrom-Json
        @($result.First | Where-Object { $_ -like '* Succeeded' }).Count | Should -Be 3
        @($result.Second | Where-Object { $_ -like '* AlreadyApplied' }).Count | Should -Be 3   # re-applied: nothing left to do
        (Get-Writes)['update-user'] | Should -Be 3
        foreach ($id in $mobiles) { (Get-AuthingUser | Where-Object UserId -EQ $id).Mobile | Should -Be $before[$id].Mobile }

        # The run is undone already: undoing it makes no call and counts the three as already applied.
        $emulator | Clear-WeComSyncEmulatorCallCount
        $again = Undo-WeComSyncRun -Path $logs -Run $run.ShortId -Confirm:$false 3>$null
        $again.AlreadyApplied | Should -Be 3
        $again.Updated | Should -Be 0
        $again.Undoes | Should -Be $run.RunId
        (Get-Writes).Count | Should -Be 0
        (Get-WeComSyncLog -Path $logs | Where-Object Name -EQ 'undo' | Select-Object -First 1).Undoes | Should -Be $run.RunId
    }
}
