# The admin's run on issue 20's hand-edited files: the shipped example script, in a fresh pwsh as a scheduler runs it,
# in -Mode DeleteOnly against the emulator over HTTP on 127.0.0.1. Authing is seeded from the clean export; each odd
# copy holds the same members. Nobody is deleted, and the exit code and the message say what to fix.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name oddexports -Emulator
    $script:emulator = $test.Emulator
    Connect-TestAuthing $emulator
    $common = @('--users', '30', '--seed', '20', '--company', '示例科技', '--padded-ids', '3', '--multi-dept-rate', '0.3')
    $script:common = $common
    $seed = Invoke-WeComUpstreamSync -Path (New-TestExport clean.xlsx @common) -Confirm:$false -WarningAction SilentlyContinue 6>$null
    $seed.Status | Should -Be 'Succeeded'
    $script:before = @((Get-AuthingUser).UserId | Sort-Object)
    $script:examples = Join-Path (Split-Path $env:WECOMSYNC_MODULE_PATH) 'Examples'

    function Invoke-ExampleDeleteOnly([string] $File) {
        $environment = @{
            WECOMSYNC_MODULE_PATH = $env:WECOMSYNC_MODULE_PATH; WECOMSYNC_AUTHING_AK = 'emulator-ak'; WECOMSYNC_AUTHING_SK = 'emulator-sk'
            WECOMSYNC_AUTHING_HOST = $emulator.BaseUrl; WECOMSYNC_AUTHING_ORG = 'emulator-org'; WECOMSYNC_LOG_PATH = (Join-Path $TestDrive 'logs')
            WECOMSYNC_EXPORT_PATH = $File
        }
        Invoke-ChildPwsh (Join-Path $examples 'Invoke-UpstreamSync.example.ps1') $environment -Arguments '-Mode', 'DeleteOnly'
    }
}

AfterAll { Complete-ModuleTest }

Describe 'The example script in -Mode DeleteOnly on hand-edited exports' {
    It 'a CSV that lost the leading zeros of three 账号 deletes nobody, exits 2 and says to format the column as text' {
        $run = Invoke-ExampleDeleteOnly (New-TestExport zeros-lost.csv @common --zeros-lost)
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Output | Should -Match "账号 '10' looks like '00010' with its leading zeros lost"
        $run.Output | Should -Match 'Format the 账号 column as text'
        @((Get-AuthingUser).UserId | Sort-Object) | Should -Be $before
    }

    It 'departments joined with ， delete nobody, exit 2 and say to separate them with ；' {
        $run = Invoke-ExampleDeleteOnly (New-TestExport joined.xlsx @common --wrong-separator '，')
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Output | Should -Match "joins two departments with '，'"
        @((Get-AuthingUser).UserId | Sort-Object) | Should -Be $before
    }

    It 'a full-width ／ in 部门 deletes nobody, exits 2 and says to retype it as /' {
        $run = Invoke-ExampleDeleteOnly (New-TestExport slash.xlsx @common --fullwidth-slash 3)
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Output | Should -Match "retype it as '/'"
        @((Get-AuthingUser).UserId | Sort-Object) | Should -Be $before
    }

    It 'rows under two top departments are refused (exit 1): the file is not one company''s export' {
        $run = Invoke-ExampleDeleteOnly (New-TestExport two-tops.xlsx @common --other-top 2)
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Output | Should -Match "not one company's export"
        @((Get-AuthingUser).UserId | Sort-Object) | Should -Be $before
    }

    It 'a hidden sheet holding five members is refused (exit 1), naming the sheet and its rows' {
        $run = Invoke-ExampleDeleteOnly (New-TestExport hidden.xlsx @common --hidden-spill 5)
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Output | Should -Match 'sheet 成员列表2 is hidden'
        $run.Output | Should -Match '5 non-blank row'
        @((Get-AuthingUser).UserId | Sort-Object) | Should -Be $before
    }
}
