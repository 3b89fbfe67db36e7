# Start-WeComSyncListener as an admin runs it: started in a background runspace, reached over HTTP on 127.0.0.1,
# stopped by its stop file (the test stops what it started).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name listener
    $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
    $prefix = "http://127.0.0.1:$port/"
    $stopFile = Join-Path $test.Work 'stop'
    $logPath = Join-Path $test.Work 'logs'
    $runspace = [runspacefactory]::CreateRunspace(); $runspace.Open()
    $listener = [powershell]::Create(); $listener.Runspace = $runspace
    $null = $listener.AddScript({
        param($ModulePath, $Prefix, $StopFile, $LogPath)
        Import-Module $ModulePath -Force
        Start-WeComSyncListener -Prefix $Prefix -AuthingWebhookSecret (ConvertTo-SecureString 'pester-webhook-secret' -AsPlainText -Force) `
            -StopFile $StopFile -LogPath $LogPath -WarningVariable +warnings -WarningAction SilentlyContinue
        $warnings
    }).AddArgument($env:WECOMSYNC_MODULE_PATH).AddArgument($prefix).AddArgument($stopFile).AddArgument($logPath)
    $async = $listener.BeginInvoke()
    $until = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        try { $null = Invoke-RestMethod ($prefix + 'health'); break }
        catch { if ($async.IsCompleted -or [DateTime]::UtcNow -gt $until) { throw "The listener did not start: $($listener.Streams.Error | Select-Object -First 1)" }; Start-Sleep -Milliseconds 100 }
    }
}

AfterAll {
    if (-not $async.IsCompleted) { New-Item -ItemType File -Path $stopFile -Force | Out-Null; $null = $async.AsyncWaitHandle.WaitOne(30000) }
    $listener.Dispose(); $runspace.Dispose()
    Complete-ModuleTest
}

Describe 'Start-WeComSyncListener' {
    It 'serves health as JSON with the queue and the delete guard' {
        $health = Invoke-RestMethod ($prefix + 'health')
        $health.QueueDepth | Should -Be 0
        $health.DeleteGuard.Tripped | Should -BeFalse
        $health.DeleteGuard.DeleteAction | Should -Be 'Suspend'
    }

    It 'refuses a webhook with the wrong secret (401) and takes a right one' {
        $body = '{"eventName":"user:created","data":{"userId":"u1","username":"zhangsan"}}'
        $wrong = Invoke-WebRequest ($prefix + 'authing') -Method Post -Body $body -ContentType 'application/json' -Headers @{ 'X-Authing-Token' = 'guess' } -SkipHttpErrorCheck
        $wrong.StatusCode | Should -Be 401
        $right = Invoke-WebRequest ($prefix + 'authing') -Method Post -Body $body -ContentType 'application/json' -Headers @{ 'X-Authing-Token' = 'pester-webhook-secret' } -SkipHttpErrorCheck
        $right.StatusCode | Should -Be 200
        $health = Invoke-RestMethod ($prefix + 'health')
        $health.Refused | Should -Be 1
        $health.Received | Should -Be 1
    }

    It 'has no WeCom endpoint without the WeCom token and key' {
        (Invoke-WebRequest ($prefix + 'wecom') -Method Post -Body '<xml/>' -SkipHttpErrorCheck).StatusCode | Should -Be 404
    }

    It 'stops on its stop file, says it could not sync without connections, and logs without the secret' {
        New-Item -ItemType File -Path $stopFile -Force | Out-Null
        $async.AsyncWaitHandle.WaitOne(30000) | Should -BeTrue
        $out = $listener.EndInvoke($async)
        $health = $out | Where-Object { $_ -is [WeComSync.Listener.ListenerHealth] }
        $health.Status | Should -Be 'stopped'
        ($out | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Message -join ' ' | Should -Match 'No direction can sync'
        $log = Get-ChildItem $logPath -Filter 'listener-*.jsonl' | Get-Content -Raw
        $log | Should -Match '"what":"refused"'
        $log | Should -Not -Match 'pester-webhook-secret'
    }
}
