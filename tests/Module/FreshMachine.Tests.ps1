# Pester: the suite on a machine that lacks an outside program, the way a newcomer meets it. Tests that need one
# (Chromium for the report's browser tests, node/npm for the SDK contract test) take the first match on PATH, install
# the Debian package as root where apt-get exists, and otherwise skip with one line that says why — the run stays green.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:work = (Initialize-ModuleTest -Name fresh -NoModule).Work

    # A folder of stand-in programs: each a shell script that appends its arguments to calls.txt and exits as told.
    function New-FakeProgram([string] $Folder, [string] $Name, [string] $Body = 'exit 0') {
        New-Item -ItemType Directory -Path $Folder -Force | Out-Null
        $path = Join-Path $Folder $Name
        $calls = Join-Path $Folder 'calls.txt'
        Set-Content -LiteralPath $path -Value "#!/bin/sh`necho ""$Name `$*"" >> '$calls'`n$Body" -NoNewline
        [IO.File]::SetUnixFileMode($path, [IO.UnixFileMode] 'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
        $path
    }

    # Runs the block with PATH set to $Path only (and apt-get's "updated once" mark cleared), then restores both.
    function Invoke-WithPath([string] $Path, [scriptblock] $Block) {
        $saved = $env:PATH, $env:WECOMSYNC_TEST_APT_UPDATED
        $env:PATH = $Path; $env:WECOMSYNC_TEST_APT_UPDATED = $null
        try { & $Block }
        finally { $env:PATH, $env:WECOMSYNC_TEST_APT_UPDATED = $saved }
    }
}

AfterAll { Complete-ModuleTest }

Describe 'Outside programs on a fresh machine' -Skip:($IsWindows) {
    It 'takes the first match when PATH names one folder by two names (merged-usr: /bin is a link to /usr/bin)' {
        $bin = Join-Path $work 'usr-bin'
        $probe = New-FakeProgram $bin 'wecomsync-probe'
        $link = (New-Item -ItemType SymbolicLink -Path (Join-Path $work 'bin') -Target $bin).FullName
        Invoke-WithPath "$bin$([IO.Path]::PathSeparator)$link" {
            # The bug this guards: every match's .Source, two paths joined by a space when called.
            @((Get-Command wecomsync-probe -CommandType Application).Source).Count | Should -Be 2
            Get-TestProgram wecomsync-probe | Should -Be $probe
            (Resolve-TestProgram wecomsync-probe -DebianPackage wecomsync-probe).Path | Should -Be $probe
        }
    }

    It 'runs the report''s browser setup without Chromium or apt-get: the browser tests skip with one line, the run stays green' {
        # The basic tools (Pester reads the OS with uname and id), not chromium, not apt-get.
        $basic = New-Item -ItemType Directory -Path (Join-Path $work 'basic-path') -Force
        foreach ($tool in 'uname', 'id') { $null = New-Item -ItemType SymbolicLink -Path (Join-Path $basic $tool) -Target (Get-TestProgram $tool) }
        $result = Join-Path $work 'report-results.json'
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        # The suite's own runner on Report.Tests.ps1, in a fresh pwsh whose PATH holds neither chromium nor apt-get.
        $run = Invoke-ChildPwsh (Join-Path $PSScriptRoot 'Invoke-ModuleTests.ps1') @{ PATH = $basic.FullName; WECOMSYNC_TEST_APT_UPDATED = $null } -Arguments @(
            '-ModulePath', $env:WECOMSYNC_MODULE_PATH, '-PesterPath', $pester, '-ResultPath', $result, '-Filter', 'Report', '-Configuration', $env:WECOMSYNC_CONFIGURATION)
        $lines = @($run.Output -split "`r?`n" | Where-Object { $_.Trim() })
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $counts = Get-Content -LiteralPath $result -Raw | ConvertFrom-Json
        $counts.Failed | Should -Be 0
        $counts.Skipped | Should -Be 5
        $counts.Passed | Should -BeGreaterThan 0
        # One line for the file, with the reason the five browser tests skipped (the CJK font is not looked for without a browser); nothing else printed.
        $lines.Count | Should -Be 1 -Because $run.Output
        $lines[0] | Should -Be "Pester Report.Tests.ps1: $($counts.Passed) passed, 0 failed, 5 skipped (chromium is not on PATH and there is no apt-get to install it: install the package chromium to run these tests.)"
    }

    It 'installs as root with apt-get update once, then apt-get install -y; a failed install is a skip reason naming its log, not an error' {
        $bin = Join-Path $work 'apt'
        $null = New-FakeProgram $bin 'apt-get' 'case "$1" in update) exit 0;; *) echo "E: Unable to locate package" >&2; exit 100;; esac'
        $logs = Join-Path $work 'apt-logs'
        New-Item -ItemType Directory -Path $logs -Force | Out-Null
        $first, $second = Invoke-WithPath $bin {
            Resolve-TestProgram chromium, chromium-browser -DebianPackage chromium -LogFolder $logs 6>$null
            Resolve-TestProgram chromium, chromium-browser -DebianPackage chromium -LogFolder $logs 6>$null
        }
        $first.Path | Should -BeNullOrEmpty
        $calls = Join-Path $bin 'calls.txt'
        if ([Environment]::IsPrivilegedProcess) {
            $first.SkipReason | Should -Be "chromium is not on PATH and 'apt-get install -y chromium' failed (exit code 100, see $(Join-Path $logs 'wecomsync-apt-chromium.log')): install the package chromium to run these tests."
            Get-Content -LiteralPath (Join-Path $logs 'wecomsync-apt-chromium.log') -Raw | Should -Match 'Unable to locate package'
            # The package lists are read once per process, however many tests install something.
            Get-Content -LiteralPath $calls | Should -Be @('apt-get update -qq', 'apt-get install -y -qq chromium', 'apt-get install -y -qq chromium')
        }
        else {
            $first.SkipReason | Should -Be 'chromium is not on PATH and installing it needs root: install the package chromium to run these tests.'
            Test-Path -LiteralPath $calls | Should -BeFalse
        }
        $second.SkipReason | Should -Be $first.SkipReason
    }
}
