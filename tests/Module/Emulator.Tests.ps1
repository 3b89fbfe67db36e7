# Proves tools/Emulator.psm1: it starts the built emulator, a WeCom token and a signed Authing call round-trip,
# the control wrappers steer it, and it always stops.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:emulator = (Initialize-ModuleTest -NoModule -Emulator).Emulator
}

AfterAll { Complete-ModuleTest }

Describe 'The emulator helper (tools/Emulator.psm1)' {
    BeforeEach { $script:emulator | Reset-WeComSyncEmulator }

    It 'starts on 127.0.0.1 with a free port and a live process' {
        $script:emulator.BaseUrl | Should -Match '^http://127\.0\.0\.1:\d+$'
        $script:emulator.Process.HasExited | Should -BeFalse
    }

    It 'serves a WeCom gettoken with the default corp id and secret' {
        $r = Invoke-RestMethod "$($script:emulator.BaseUrl)/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret"
        $r.errcode | Should -Be 0
        $r.access_token | Should -Not -BeNullOrEmpty
        $r.expires_in | Should -Be 7200
        $d = Invoke-RestMethod "$($script:emulator.BaseUrl)/cgi-bin/department/get?access_token=$($r.access_token)&id=1"
        $d.department.name | Should -Be '示例科技'
    }

    It 'answers a wrong WeCom secret with 40001' {
        (Invoke-RestMethod "$($script:emulator.BaseUrl)/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=wrong").errcode | Should -Be 40001
    }

    It 'round-trips signed Authing calls: create-user then list-users' {
        $created = $script:emulator | Invoke-WeComSyncEmulatorAuthingRequest -Path /api/v3/create-user -Body @{ username = 'zhangsan'; name = '张三' }
        $created.statusCode | Should -Be 200
        $list = $script:emulator | Invoke-WeComSyncEmulatorAuthingRequest -Path /api/v3/list-users -Body @{ options = @{ pagination = @{ page = 1; limit = 50 } } }
        $list.statusCode | Should -Be 200
        $list.data.totalCount | Should -Be 1
        $list.data.list[0].name | Should -Be '张三'
        $orgs = $script:emulator | Invoke-WeComSyncEmulatorAuthingRequest -Method GET -Path /api/v3/list-organizations -Body @{ page = 1; limit = 10 }
        $orgs.data.list[0].organizationCode | Should -Be 'emulator-org'
    }

    It 'rejects an Authing call signed with the wrong secret (401, apiCode 1300)' {
        $r = $script:emulator | Invoke-WeComSyncEmulatorAuthingRequest -Path /api/v3/list-users -Body @{} -AccessKeySecret 'wrong'
        $r.statusCode | Should -Be 401
        $r.apiCode | Should -Be 1300
    }

    It 'seeds from an object and dumps the same shape' {
        $script:emulator | Set-WeComSyncEmulatorState -Seed @{
            wecom   = @{ departments = @(@{ id = 2; name = '研发部'; parentid = 1 }); users = @(@{ userid = 'lisi'; name = '李四'; department = @(2); mobile = '13900000000' }) }
            authing = @{ customFields = @(@{ targetType = 'USER'; key = 'wechatwork_user_id'; dataType = 'STRING'; label = 'WeCom userid' }) }
        }
        $state = $script:emulator | Get-WeComSyncEmulatorState
        $state.wecom.users.userid | Should -Be 'lisi'
        $state.wecom.departments.name | Should -Contain '研发部'
        $state.authing.customFields.key | Should -Be 'wechatwork_user_id'
    }

    It 'counts calls per endpoint and clears the counts' {
        $null = Invoke-RestMethod "$($script:emulator.BaseUrl)/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret"
        $script:emulator | Get-WeComSyncEmulatorCallCount -Path /cgi-bin/gettoken | Should -Be 1
        $script:emulator | Get-WeComSyncEmulatorCallCount -Path /cgi-bin/user/create | Should -Be 0
        $script:emulator | Clear-WeComSyncEmulatorCallCount
        ($script:emulator | Get-WeComSyncEmulatorCallCount).Count | Should -Be 0
    }

    It 'sets a secret mode, a rate limit and a fault through the wrappers' {
        $script:emulator | Set-WeComSyncEmulatorSecretMode -Secret 'app-secret' -Mode untrusted-ip
        $token = (Invoke-RestMethod "$($script:emulator.BaseUrl)/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=app-secret").access_token
        (Invoke-RestMethod "$($script:emulator.BaseUrl)/cgi-bin/department/simplelist?access_token=$token").errcode | Should -Be 60020

        $script:emulator | Set-WeComSyncEmulatorRateLimit -Api wecom -Path /cgi-bin/gettoken -Limit 1 -WindowSeconds 30
        $url = "$($script:emulator.BaseUrl)/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret"
        (Invoke-RestMethod $url).errcode | Should -Be 0
        (Invoke-RestMethod $url).errcode | Should -Be 45009
        $script:emulator | Clear-WeComSyncEmulatorRateLimit

        $script:emulator | Set-WeComSyncEmulatorFault -Api wecom -Path /cgi-bin/gettoken -Kind busy -Count 1
        (Invoke-RestMethod $url).errcode | Should -Be -1
        (Invoke-RestMethod $url).errcode | Should -Be 0
    }

    It 'stops the process and a second stop is harmless' {
        $other = Start-TestEmulator
        $process = $other.Process
        $other | Stop-WeComSyncEmulator
        $process.HasExited | Should -BeTrue
        { $other | Stop-WeComSyncEmulator } | Should -Not -Throw
        { Invoke-RestMethod "$($other.BaseUrl)/_emulator/health" -TimeoutSec 2 } | Should -Throw
    }
}
