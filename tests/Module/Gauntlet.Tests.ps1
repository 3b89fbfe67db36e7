# The fault gauntlet (issue 7): both templates end to end against the emulator (127.0.0.1) with faults injected, a
# process killed mid-sync, throttling, a failing page and the delete guard. Every run's streams (-Verbose -Debug
# included), run folders and error records are kept and, at the end, searched for the secrets and every token the
# emulator issued. Sizes and windows are scaled down so the whole file runs in a couple of minutes.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name gauntlet -Emulator
    $script:work = $test.Work; $script:emulator = $test.Emulator
    $script:logs = Join-Path $work 'logs'
    New-Item -ItemType Directory -Path $logs -Force | Out-Null
    $script:url = $emulator.BaseUrl
    $script:wecomSecret = ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force
    # Everything any run wrote anywhere, and every token the emulator issued (saved before each reset clears them).
    $script:captured = [System.Collections.Generic.List[string]]::new()
    $script:tokens = [System.Collections.Generic.HashSet[string]]::new()
    $script:fast = @{ MaxRetry = 3; AttemptTimeout = [TimeSpan]::FromSeconds(10) }

    $script:export = New-TestExport export.csv --users 2000 --seed 7 --no-instructions --multi-dept-rate 0.1
    $script:rows = @(Import-Csv -LiteralPath $export -Encoding utf8)

    function Save-Tokens { foreach ($t in @(Get-WeComSyncEmulatorToken -BaseUrl $url)) { $null = $tokens.Add($t) } }

    function Reset-Scenario {
        Save-Tokens
        Connect-TestAuthing $emulator -Reset -Parameters $fast
    }

    # Runs a template with -Verbose -Debug, keeps every stream's text for the secret search, returns the summary.
    function Invoke-Captured([scriptblock] $Run) {
        $summary = $null
        $all = [System.Collections.Generic.List[object]]::new()
        try { & $Run *>&1 | ForEach-Object { $all.Add($_) } }
        catch { $all.Add($_) }   # a run that stops (delete guard, blocked API) ends with a terminating error
        foreach ($item in $all) {
            $captured.Add(($item | Out-String -Width 400))
            if ($item -is [System.Management.Automation.ErrorRecord]) { $captured.Add("$($item.Exception) $($item.ErrorDetails) $($item.ScriptStackTrace)") }
            if ($item -is [WeComSync.RunLog.RunRecord]) { $summary = $item }
        }
        # A run that ended with an error may not have emitted its summary: its run log has it.
        if ((-not $summary -or $summary.Status -eq 'Running') -and (Test-Path $logs)) { $summary = Get-WeComSyncLog -Path $logs -Last 1 }
        $summary
    }

    function Get-Calls([string] $Pattern) {
        $counts = Get-WeComSyncEmulatorCallCount -BaseUrl $url
        [long] ($counts.GetEnumerator() | Where-Object Key -Like $Pattern | Measure-Object Value -Sum).Sum
    }

    function Assert-UpstreamUnique([int] $Users) {
        $state = Get-WeComSyncEmulatorState -BaseUrl $url
        @($state.authing.users).Count | Should -Be $Users
        @($state.authing.users.username | Sort-Object -Unique).Count | Should -Be $Users
        @($state.authing.users | ForEach-Object { $_.customData.wechatwork_user_id } | Sort-Object -Unique).Count | Should -Be $Users
        $departments = @($state.authing.departments | Where-Object organizationCode -EQ 'emulator-org')
        @($departments | ForEach-Object { "$($_.parentDepartmentId)/$($_.name)" } | Sort-Object -Unique).Count | Should -Be $departments.Count
    }

    # A child pwsh (the same one running these tests) for the killed-process scenario.
    function Start-ChildPwsh([string] $Script, [string] $Name) {
        $path = Join-Path $work "$Name.ps1"
        Set-Content -LiteralPath $path -Value $Script -Encoding utf8
        $pwsh = Get-PwshCommandLine
        Start-Process -FilePath $pwsh.FilePath -ArgumentList ($pwsh.Arguments + @('-File', $path)) -PassThru -RedirectStandardOutput (Join-Path $work "$Name.out") -RedirectStandardError (Join-Path $work "$Name.err")
    }

    # Invalidates every token once, as soon as the emulator has served -After calls matching -Pattern (a runspace that polls).
    function Start-TokenRevoker([string] $Pattern, [int] $After) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($Url, $Pattern, $After)
                $deadline = [DateTime]::UtcNow.AddSeconds(120)
                while ([DateTime]::UtcNow -lt $deadline) {
                    $calls = Invoke-RestMethod "$Url/_emulator/calls"
                    $n = ($calls.PSObject.Properties | Where-Object Name -Like $Pattern | Measure-Object Value -Sum).Sum
                    if ($n -ge $After) { Invoke-RestMethod -Method Post "$Url/_emulator/tokens/invalidate" -ContentType 'application/json' -Body '{}' | Out-Null; return $n }
                    Start-Sleep -Milliseconds 20
                }
            }).AddArgument($url).AddArgument($Pattern).AddArgument($After)
        [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
    }
}

AfterAll { Complete-ModuleTest }

Describe 'Gauntlet, upstream (Invoke-WeComUpstreamSync)' {
    BeforeEach { Reset-Scenario }

    It '10 % of calls failing (busy 500 / 503 / 429) with latency: every change applied or reported, the re-run converges, nothing created twice' {
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api authing -Kind busy -Rate 0.04
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api authing -Kind http -Status 503 -Rate 0.03
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api authing -Kind throttle -Rate 0.03
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api authing -Kind latency -LatencyMs 2

        $first = Invoke-Captured { Invoke-WeComUpstreamSync -Path $export -LogPath $logs -ErrorAction Continue -Verbose -Debug }
        $users = $first.Steps | Where-Object Name -EQ 'users'
        ($users.Created + $users.Failed) | Should -Be $rows.Count          # every planned create applied or reported
        @(Get-WeComSyncLog -Path $logs -Run $first.ShortId -Failed).Count | Should -Be $first.Failed
        (Get-WeComSyncEmulatorCallCount -BaseUrl $url).Values | Measure-Object -Sum | ForEach-Object Sum |
            Should -BeGreaterThan ((Get-Calls '*create-users-batch') + 40)  # the faults fired and were retried

        $second = Invoke-Captured { Invoke-WeComUpstreamSync -Path $export -LogPath $logs -ErrorAction Continue -Verbose -Debug }
        $second.Status | Should -Be 'Succeeded'
        Clear-WeComSyncEmulatorFault -BaseUrl $url
        $third = Invoke-Captured { Invoke-WeComUpstreamSync -Path $export -WhatIf }
        ($third.Steps | Where-Object Name -In 'departments', 'users').Message | Should -Be @('No changes.', 'No changes.')
        Assert-UpstreamUnique $rows.Count
    }

    It 'a token revoked mid-run is fetched again and the run completes' {
        $revoker = Start-TokenRevoker '*create-users-batch' 5
        try { $summary = Invoke-Captured { Invoke-WeComUpstreamSync -Path $export -ThrottleLimit 2 -ErrorAction Continue } }
        finally { $revoked = $revoker.PowerShell.EndInvoke($revoker.Handle); $revoker.PowerShell.Dispose() }
        $revoked | Should -BeGreaterOrEqual 5
        $summary.Status | Should -Be 'Succeeded'
        @(Get-WeComSyncEmulatorToken -BaseUrl $url).Count | Should -BeGreaterOrEqual 2   # the first, and the one fetched after the revocation
        Assert-UpstreamUnique $rows.Count
    }

    It 'the process killed mid-sync leaves a run log that reads Interrupted; the re-run converges without duplicates' {
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api authing -Path /api/v3/create-users-batch -Kind latency -LatencyMs 150
        $child = Start-ChildPwsh -Name killed -Script @"
Import-Module '$env:WECOMSYNC_MODULE_PATH'
Connect-Authing -Credential ([pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))) -ApiHost '$url' -OrganizationCode emulator-org
Invoke-WeComUpstreamSync -Path '$export' -LogPath '$logs' -ThrottleLimit 1 -Verbose -Debug *>&1 | Out-String -Width 400
"@
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while ((Get-Calls '*create-users-batch') -lt 6 -and -not $child.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $child.HasExited | Should -BeFalse -Because 'the sync must still be running when it is killed'
        }
        finally {
            if (-not $child.HasExited) { $child.Kill($true) }
            $null = $child.WaitForExit(10000)
        }
        $captured.Add((Get-Content -LiteralPath (Join-Path $work 'killed.out') -Raw -ErrorAction Ignore) + (Get-Content -LiteralPath (Join-Path $work 'killed.err') -Raw -ErrorAction Ignore))
        $before = @((Get-WeComSyncEmulatorState -BaseUrl $url).authing.users).Count
        $before | Should -BeGreaterThan 0
        $before | Should -BeLessThan $rows.Count
        $killed = Get-WeComSyncLog -Path $logs -Last 1
        $killed.Status | Should -Be 'Interrupted'
        $killed.ExitCode | Should -Not -Be 0

        Clear-WeComSyncEmulatorFault -BaseUrl $url
        $again = Invoke-Captured { Invoke-WeComUpstreamSync -Path $export -LogPath $logs -ErrorAction Continue -Verbose -Debug }
        $again.Status | Should -Be 'Succeeded'
        ($again.Steps | Where-Object Name -EQ 'users').Created | Should -Be ($rows.Count - $before)
        Assert-UpstreamUnique $rows.Count
        $last = Invoke-Captured { Invoke-WeComUpstreamSync -Path $export -WhatIf }
        ($last.Steps | Where-Object Name -EQ 'users').Message | Should -Be 'No changes.'
    }

    It 'a listing page that fails for good: no delete happens and the error says why' {
        Invoke-Captured { Invoke-WeComUpstreamSync -Path $export } | Out-Null
        $half = Join-Path $work 'half.csv'
        $rows | Select-Object -First 1900 | Export-Csv -LiteralPath $half -Encoding utf8BOM -NoTypeInformation
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api authing -Path /api/v3/list-users -Page 4 -Kind busy
        Clear-WeComSyncEmulatorCallCount -BaseUrl $url
        $Error.Clear()
        $summary = Invoke-Captured { Invoke-WeComUpstreamSync -Path $half -Mode DeleteOnly -Force -Confirm:$false -LogPath $logs -ErrorAction Continue }
        Get-Calls '*delete-users-batch' | Should -Be 0
        $why = @($Error | Where-Object { "$_" -match 'not read completely' })
        $why.Count | Should -BeGreaterThan 0
        "$($why[0])" | Should -Match 'list-users page 4'
        $summary.Status | Should -Not -Be 'Succeeded'
        @((Get-WeComSyncEmulatorState -BaseUrl $url).authing.users).Count | Should -Be $rows.Count
    }

    It 'a deletion count above the guard stops before any delete' {
        Invoke-Captured { Invoke-WeComUpstreamSync -Path $export } | Out-Null
        $most = Join-Path $work 'most.csv'
        $rows | Select-Object -First 1500 | Export-Csv -LiteralPath $most -Encoding utf8BOM -NoTypeInformation
        Clear-WeComSyncEmulatorCallCount -BaseUrl $url
        $summary = Invoke-Captured { Invoke-WeComUpstreamSync -Path $most -Mode DeleteOnly -Confirm:$false -LogPath $logs -ErrorAction SilentlyContinue }
        Get-Calls '*delete-users-batch' | Should -Be 0
        $summary.Status | Should -Be 'Stopped'
        $summary.Message | Should -Match 'Nothing was deleted'
        @((Get-WeComSyncEmulatorState -BaseUrl $url).authing.users).Count | Should -Be $rows.Count
    }
}

Describe 'Gauntlet, downstream (Invoke-WeComDownstreamSync)' {
    BeforeAll {
        $script:downUsers = 1500
        # Authing: 60 departments on three levels and the users; WeCom: only its root.
        function Initialize-Downstream {
            Reset-Scenario
            Set-WeComSyncEmulatorAuthingOrganization -BaseUrl $url -UserCount $downUsers -DepartmentCount 60 -TopCount 6 -PhonePrefix 136
            Clear-WeComSyncEmulatorCallCount -BaseUrl $url
        }
        # The emulator's windows are scaled down to a second; a test may override any resilience setting.
        function Connect-Down([hashtable] $Extra = @{}) {
            $settings = @{ RateWindow = [TimeSpan]::FromSeconds(1) } + $fast
            foreach ($key in $Extra.Keys) { $settings[$key] = $Extra[$key] }
            Connect-WeCom -CorpId ww-emulator -Secret $wecomSecret -ApiHost $url @settings -ErrorAction Stop
        }
        function Assert-DownstreamUnique {
            $state = Get-WeComSyncEmulatorState -BaseUrl $url
            @($state.wecom.users).Count | Should -Be $downUsers
            @($state.wecom.users.userid | Sort-Object -Unique).Count | Should -Be $downUsers
            @($state.wecom.departments).Count | Should -Be 61
            @($state.wecom.departments | ForEach-Object { "$($_.parentid)/$($_.name)" } | Sort-Object -Unique).Count | Should -Be 61
            # Write-back: no two Authing users link the same WeCom member, and every link names a member that exists.
            # (A write-back lost to a fault is repaired by a later run; the faults test checks every user is linked in the end.)
            $links = @($state.authing.users | ForEach-Object { $_.customData.wechatwork_user_id } | Where-Object { $_ })
            $links.Count | Should -BeGreaterThan ($downUsers * 0.9)
            @($links | Sort-Object -Unique).Count | Should -Be $links.Count
            @($links | Where-Object { $_ -notin $state.wecom.users.userid }).Count | Should -Be 0
        }
    }
    BeforeEach { Initialize-Downstream }
    AfterEach { Clear-WeComSyncEmulatorRateLimit -BaseUrl $url; Clear-WeComSyncEmulatorFault -BaseUrl $url }

    It '10 % of calls failing (-1 / 503 / 45033 / 429 / dropped) with latency: every change applied or reported, the re-run converges, nothing created twice' {
        Connect-Down
        Set-WeComSyncEmulatorFault -BaseUrl $url -Kind busy -Rate 0.05
        Set-WeComSyncEmulatorFault -BaseUrl $url -Kind http -Status 503 -Rate 0.03
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api wecom -Kind errcode -Errcode 45033 -Rate 0.02
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api authing -Kind throttle -Rate 0.02
        Set-WeComSyncEmulatorFault -BaseUrl $url -Api wecom -Kind drop -Rate 0.01   # lost creates: looked up, then sent again
        Set-WeComSyncEmulatorFault -BaseUrl $url -Kind latency -LatencyMs 2

        $first = Invoke-Captured { Invoke-WeComDownstreamSync -LogPath $logs -ThrottleLimit 8 -ErrorAction Continue -WarningAction SilentlyContinue -Verbose -Debug }
        $users = $first.Steps | Where-Object Name -EQ 'users'
        ($users.Created + $users.Failed) | Should -Be $downUsers
        @(Get-WeComSyncLog -Path $logs -Run $first.ShortId -Failed).Count | Should -Be $first.Failed

        $second = Invoke-Captured { Invoke-WeComDownstreamSync -LogPath $logs -ThrottleLimit 8 -ErrorAction Continue -WarningAction SilentlyContinue -Verbose -Debug }
        $second.Status | Should -Be 'Succeeded'
        Clear-WeComSyncEmulatorFault -BaseUrl $url
        Clear-WeComSyncEmulatorCallCount -BaseUrl $url
        $third = Invoke-Captured { Invoke-WeComDownstreamSync -WarningAction SilentlyContinue }
        $third.Status | Should -Be 'Succeeded'
        (Get-Calls '*/cgi-bin/*/create') + (Get-Calls '*/cgi-bin/*/update') + (Get-Calls '*/cgi-bin/*/*delete') | Should -Be 0
        Assert-DownstreamUnique
        # A write-back lost to a fault in the faulty runs was repaired by the next one (matched by username, link written
        # back to Authing only): in the end every Authing user carries its WeCom link.
        $state = Get-WeComSyncEmulatorState -BaseUrl $url
        @($state.authing.users | Where-Object { -not $_.customData.wechatwork_user_id }).Count | Should -Be 0
    }

    It 'a WeCom token invalidated mid-run (42001) is fetched again and the run completes' {
        Connect-Down
        $revoker = Start-TokenRevoker '*cgi-bin/user/create' 200
        try { $summary = Invoke-Captured { Invoke-WeComDownstreamSync -ThrottleLimit 4 -ErrorAction Continue -WarningAction SilentlyContinue } }
        finally { $revoked = $revoker.PowerShell.EndInvoke($revoker.Handle); $revoker.PowerShell.Dispose() }
        $revoked | Should -BeGreaterOrEqual 200
        $summary.Status | Should -Be 'Succeeded'
        Get-Calls '*cgi-bin/gettoken' | Should -BeGreaterOrEqual 2
        Assert-DownstreamUnique
    }

    It 'a rate limit low enough to trip 45009: a block within -MaxWait is waited out and the run completes' {
        Set-WeComSyncEmulatorRateLimit -BaseUrl $url -Api wecom -Path /cgi-bin/user/create -Limit 250 -WindowSeconds 1
        Connect-Down @{ MaxWait = [TimeSpan]::FromSeconds(5) }
        $summary = Invoke-Captured { Invoke-WeComDownstreamSync -ThrottleLimit 8 -ErrorAction Continue -WarningAction SilentlyContinue }
        $summary.Status | Should -Be 'Succeeded'
        (Get-Calls '*cgi-bin/user/create') | Should -BeGreaterThan $downUsers   # some were refused with 45009...
        (Get-Calls '*cgi-bin/user/create') | Should -BeLessThan ($downUsers + 200) # ...but the blocked API was not hammered
        Assert-DownstreamUnique
    }

    It 'a 45009 block longer than -MaxWait stops the run cleanly, saying when it can run again, without hammering' {
        Set-WeComSyncEmulatorRateLimit -BaseUrl $url -Api wecom -Path /cgi-bin/user/create -Limit 100 -WindowSeconds 60
        Connect-Down @{ MaxWait = [TimeSpan]::FromSeconds(2); RateWindow = [TimeSpan]::FromSeconds(60) }
        $Error.Clear()
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $summary = Invoke-Captured { Invoke-WeComDownstreamSync -ThrottleLimit 4 -LogPath $logs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue -Verbose -Debug }
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
        $summary.Status | Should -Not -Be 'Succeeded'
        $stop = @($Error | Where-Object FullyQualifiedErrorId -Like 'RunStopped*')
        $stop.Count | Should -BeGreaterThan 0
        "$($stop[0])" | Should -Match 'blocked until .*MaxWait.*Run it again after'
        $stop[0].ErrorDetails.RecommendedAction | Should -Match 'run the sync again'
        Get-Calls '*cgi-bin/user/create' | Should -BeLessOrEqual (100 + 4 * 4)        # the limit, then at most the calls in flight and their retries
        @(Get-WeComSyncLog -Path $logs -Run $summary.ShortId -Failed).Count | Should -BeGreaterThan 0
    }

    It 'a client-side limit under the server''s keeps a large run from ever tripping 45009' {
        Set-WeComSyncEmulatorRateLimit -BaseUrl $url -Api wecom -Limit 300 -WindowSeconds 1
        Connect-Down @{ CallsPerMinute = 285; MaxRetry = 0 }
        $summary = Invoke-Captured { Invoke-WeComDownstreamSync -ThrottleLimit 8 -ErrorAction Continue -WarningAction SilentlyContinue }
        $summary.Status | Should -Be 'Succeeded'
        Get-Calls '*cgi-bin/user/create' | Should -Be $downUsers
        Assert-DownstreamUnique
    }

    It 'a deletion count above the guard stops before any delete' {
        Connect-Down
        Invoke-Captured { Invoke-WeComDownstreamSync -WarningAction SilentlyContinue } | Out-Null
        $state = Get-WeComSyncEmulatorState -BaseUrl $url
        $state.authing.users = @($state.authing.users | Select-Object -First 1000)   # a third of the users gone from Authing
        Set-WeComSyncEmulatorState -BaseUrl $url -Seed @{ authing = $state.authing }
        Clear-WeComSyncEmulatorCallCount -BaseUrl $url
        $summary = Invoke-Captured { Invoke-WeComDownstreamSync -Delete -Confirm:$false -LogPath $logs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue }
        (Get-Calls '*cgi-bin/user/delete') + (Get-Calls '*cgi-bin/user/batchdelete') | Should -Be 0
        $summary.Status | Should -Be 'Stopped'
        $summary.Message | Should -Match 'Nothing was deleted'
        @((Get-WeComSyncEmulatorState -BaseUrl $url).wecom.users).Count | Should -Be $downUsers
    }
}

Describe 'Gauntlet, secrets' {
    It 'no stream, run log or error record of any run above holds a secret or a token the emulator issued' {
        Save-Tokens
        $tokens.Count | Should -BeGreaterThan 4
        $texts = [System.Collections.Generic.List[string]]::new($captured)
        foreach ($file in Get-ChildItem -LiteralPath $logs -Recurse -File) { $texts.Add((Get-Content -LiteralPath $file.FullName -Raw)) }
        foreach ($e in $Error) { $texts.Add("$e $($e.Exception) $($e.ErrorDetails) $($e.TargetObject)") }
        $texts.Count | Should -BeGreaterThan 100
        $all = $texts -join "`n"
        $all | Should -Match 'retry'   # the captured text really holds the runs' verbose/debug lines
        $all.Contains('emulator-sk') | Should -BeFalse
        $all.Contains('emulator-secret') | Should -BeFalse
        $leaked = @($tokens | Where-Object { $all.Contains($_) })
        $leaked.Count | Should -Be 0
    }
}
