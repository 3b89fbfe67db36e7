# Get-WeComSyncLog and its views, on log folders written through the
# core writer exactly as a sync writes them.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name runlog
    $module = Get-Module WeComSync

    function New-Result([string] $Key, [string] $Outcome = 'Succeeded', [string] $Operation = 'Create', [string] $Kind = 'User', [string] $Error, [string] $Code) {
        $change = [WeComSync.Model.Change]::new()
        $change.Operation = $Operation; $change.Kind = $Kind; $change.Key = $Key
        if ($Kind -eq 'User') { $change.Desired = [WeComSync.Model.User]@{ UserId = $Key; Name = "name-$Key"; Mobile = '+86 13800001234' } }
        $result = [WeComSync.Model.Result]::new()
        $result.Change = $change; $result.Outcome = $Outcome; $result.Error = $Error; $result.ErrorCode = $Code
        if ($Outcome -eq 'Succeeded' -and $Operation -eq 'Create') { $result.NewId = "id-$Key" }
        $result
    }

    # One run as a template writes it: a read step and an apply step.
    function Write-Run([string] $Root, [string] $Name, [object[]] $Results, [int] $Read = 10, [switch] $NoEnd) {
        $run = [WeComSync.RunLog.RunLogWriter]::Start($Root, $Name)
        $step = $run.BeginStep('read Authing users'); $step.Count('Read', $Read); $step.Complete()
        $step = $run.BeginStep('users')
        foreach ($r in $Results) { $step.Record($r) }
        if (-not $NoEnd) { $null = $run.Complete(); $run.Dispose() }
        Start-Sleep -Milliseconds 20   # distinct start times
        $run
    }

    $root = Join-Path $test.Work 'logs'
    $r1 = Write-Run $root 'upstream' @((New-Result 'zhangsan'), (New-Result 'lisi'))
    $r2 = Write-Run $root 'downstream' @((New-Result 'ZhangSan' -Operation Update), (New-Result 'wangwu' -Outcome Failed -Error 'mobile +86 13800001234 already used' -Code '60104'))
    $r3 = Write-Run $root 'upstream' @((New-Result 'zhangsan' -Operation Delete -Outcome Failed -Error 'user not found' -Code '404'), (New-Result 'zhangsan' -Kind Department))
}

AfterAll { Complete-ModuleTest }

Describe 'Get-WeComSyncLog' {
    It 'lists the runs newest first with status and counts' {
        $runs = @(Get-WeComSyncLog -Path $root)
        $runs.RunId | Should -Be @($r3.RunId, $r2.RunId, $r1.RunId)
        $runs[2].Status | Should -Be 'Succeeded'
        $runs[2].Created | Should -Be 2
        $runs[2].Read | Should -Be 10
        $runs[1].Status | Should -Be 'PartiallyFailed'
        $runs[1].Updated | Should -Be 1
        $runs[1].Failed | Should -Be 1
        $runs[1].ExitCode | Should -Be 2
        $runs[0].Duration | Should -BeOfType [timespan]
    }

    It '-Last N keeps the N newest runs, and -Name filters by run name with wildcards' {
        (Get-WeComSyncLog -Path $root -Last 1).RunId | Should -Be $r3.RunId
        @(Get-WeComSyncLog -Path $root -Name 'up*').RunId | Should -Be @($r3.RunId, $r1.RunId)
        @(Get-WeComSyncLog -Path $root -Name downstream -Last 5).Count | Should -Be 1
    }

    It '-Run by short id shows the steps in order with their counts' {
        $steps = @(Get-WeComSyncLog -Path $root -Run $r2.ShortId)
        $steps.Name | Should -Be @('read Authing users', 'users')
        $steps[0].Read | Should -Be 10
        $steps[1].Status | Should -Be 'PartiallyFailed'
        $steps[1].Failed | Should -Be 1
        $steps | ForEach-Object { $_ | Should -BeOfType ([WeComSync.RunLog.StepRecord]) }
    }

    It 'a run piped from the list shows its steps, and with -Failed its failed objects' {
        @(Get-WeComSyncLog -Path $root -Name downstream | Get-WeComSyncLog).Count | Should -Be 2
        $failed = @(Get-WeComSyncLog -Path $root -Name downstream | Get-WeComSyncLog -Failed)
        $failed.Key | Should -Be 'wangwu'
        $failed[0].ErrorCode | Should -Be '60104'
        $failed[0].RunName | Should -Be 'downstream'
    }

    It '-Failed lists the failed objects of every run, newest run first, or of one -Run' {
        @(Get-WeComSyncLog -Path $root -Failed).Key | Should -Be @('zhangsan', 'wangwu')
        @(Get-WeComSyncLog -Path $root -Failed -Run $r2.RunId).Key | Should -Be 'wangwu'
        @(Get-WeComSyncLog -Path $root -Failed -Run $r1.ShortId) | Should -BeNullOrEmpty
    }

    It '-UserId gives one user''s history across runs, newest first, ignoring case and departments with the same key' {
        $history = @(Get-WeComSyncLog -Path $root -UserId 'ZHANGSAN')
        $history.RunId | Should -Be @($r3.RunId, $r2.RunId, $r1.RunId)
        $history.Operation | Should -Be @('Delete', 'Update', 'Create')
        $history.Outcome | Should -Be @('Failed', 'Succeeded', 'Succeeded')
        $history[2].NewId | Should -Be 'id-zhangsan'
    }

    It 'reads the log folder from WECOMSYNC_LOG_PATH when -Path is not given' {
        $env:WECOMSYNC_LOG_PATH = $root
        try { @(Get-WeComSyncLog).Count | Should -Be 3 }
        finally { Remove-Item Env:WECOMSYNC_LOG_PATH }
    }

    It 'accepts a run folder itself as -Path' {
        (Get-WeComSyncLog -Path $r1.Path).RunId | Should -Be $r1.RunId
    }

    It 'shows a run whose process died as Interrupted, with the counts it had written' {
        $dead = Join-Path $root 'dead'
        $run = Write-Run $dead 'downstream' @((New-Result 'a'), (New-Result 'b' -Outcome Failed)) -NoEnd
        $summaryFile = Join-Path $run.Path 'summary.json'
        (Get-WeComSyncLog -Path $dead).Status | Should -Be 'Running'
        $json = Get-Content $summaryFile -Raw | ConvertFrom-Json
        $json.host = 'another-machine'
        $json | ConvertTo-Json -Depth 5 | Set-Content $summaryFile
        Add-Content -Path (Join-Path $run.Path 'results.jsonl') -Value '{"step":"users","key":"c","outc' -NoNewline
        $back = Get-WeComSyncLog -Path $dead
        $back.Status | Should -Be 'Interrupted'
        $back.Created | Should -Be 1
        $back.Failed | Should -Be 1
        $back.UnreadableLines | Should -Be 1
        $back.ExitCode | Should -Be 130
        $run.Dispose()
    }

    It 'reports a missing log folder, an unknown run and an ambiguous run id as errors that say what to do' {
        Get-WeComSyncLog -Path (Join-Path $root 'missing') -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'LogFolderNotFound*'
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'LogPath'

        Get-WeComSyncLog -Path $root -Run 'nope' -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'RunNotFound*'
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'

        $prefix = $r1.RunId.Substring(0, 4)   # the year: every run matches
        Get-WeComSyncLog -Path $root -Run $prefix -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'AmbiguousRunId*'
    }
}

Describe 'Get-WeComSyncLog views' {
    It 'shows runs as a table with id, name, status and counts' {
        $text = Get-WeComSyncLog -Path $root | Out-String -Width 160
        $text | Should -Match 'Id\s+Started\s+Status\s+Created\s+Updated\s+Deleted\s+Failed\s+Skipped\s+Stale\s+Suspended\s+Name'
        $text | Should -Match ([regex]::Escape($r2.ShortId) + '\s+\S+ \S+\s+\S*PartiallyFailed\S*\s+0\s+1\s+0\s+1\s+0\s+0\s+0\s+downstream')
    }

    It 'fits 80 columns with every count, Stale included (Suspended and the name from 90); the steps keep their message' {
        $stale = Join-Path $test.Work 'stale-logs'
        $run = Write-Run $stale 'upstream' @((New-Result 'zhangsan'), (New-Result 'lisi' -Outcome Stale -Operation Update),
            (New-Result 'wangwu' -Outcome Failed -Error 'mobile +86 13800001234 already used' -Code '60104'))
        $lines = @((Get-WeComSyncLog -Path $stale | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match 'Failed\s+Skipped\s+Stale$'
        $lines[2] | Should -Match '\b1\s+0\s+0\s+1\s+0\s+1$'   # Created Updated Deleted Failed Skipped Stale
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $steps = @((Get-WeComSyncLog -Path $stale -Run $run.ShortId | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $steps | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        ($steps -join "`n") | Should -Match 'Counts and message'
        ($steps -join "`n") | Should -Match '1 read Authing users\s+Succeeded\s+10 read\.'
        ($steps -join "`n") | Should -Match '2 users\s+\S*PartiallyFailed\S*\s+1 created, 1 failed, 1 stale\.'
    }

    It 'groups steps under their run' {
        $text = Get-WeComSyncLog -Path $root -Run $r2.ShortId | Out-String -Width 160
        $text | Should -Match ('Run: ' + [regex]::Escape($r2.RunId))
        $text | Should -Match '1 read Authing users'
    }

    It 'shows failed objects with the API code and message, and field changes as the detail' {
        $text = Get-WeComSyncLog -Path $root -Failed -Run $r2.ShortId | Out-String -Width 200
        $text | Should -Match 'Update User|Create User'
        $text | Should -Match '60104: mobile \+86\s+13800001234 already used'   # the code leads the detail, broken at words
    }
}

Describe 'No script helpers' {
    It 'the template helpers (RunSupport.ps1) are gone: the sync commands are compiled (their summary and exit code: Scripts.Tests.ps1)' {
        Get-Command -Module WeComSync -Name Start-WeComSyncRunLog, Complete-WeComSyncRun -ErrorAction Ignore | Should -BeNullOrEmpty
        @(Get-Command -Module WeComSync -CommandType Function).Count | Should -Be 0
    }
}

Describe 'Example scripts' {
    It 'parse without errors: <_>' -ForEach @('Invoke-UpstreamSync.example.ps1', 'Invoke-DownstreamSync.example.ps1') {
        $file = Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) "Examples/$_"
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref] $null, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        Get-Content $file -Raw | Should -Not -Match '(?i)(secret|password)\s*=\s*[''"][^''"$]'
    }

    It 'exit 1 with a message that says what to set when credentials are missing: <_>' -ForEach @('Invoke-UpstreamSync.example.ps1', 'Invoke-DownstreamSync.example.ps1') {
        $file = Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) "Examples/$_"
        $export = Join-Path $root 'contacts.xlsx'
        Set-Content $export 'not read: the script stops before it'
        $run = Invoke-ChildPwsh $file @{
            WECOMSYNC_AUTHING_AK = $null; WECOMSYNC_AUTHING_SK = $null; WECOMSYNC_AUTHING_ORG = 'acme'
            WECOMSYNC_EXPORT_PATH = $export; WECOMSYNC_LOG_PATH = (Join-Path $root 'example-logs')
        }
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Match 'WECOMSYNC_AUTHING_AK'
    }
}
