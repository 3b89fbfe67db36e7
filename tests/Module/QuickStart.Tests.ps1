# Pester: README's Quick start against the emulator, the block as README has it (from the repository's root, in a
# fresh pwsh), so a Quick start that no longer works when followed literally fails here.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name quickstart
    $script:repo = Split-Path (Split-Path $PSScriptRoot)
    $readme = Get-Content -LiteralPath (Join-Path $repo 'README.md') -Raw
    $script:block = [regex]::Match($readme, '(?s)<!-- quick-start-emulator -->\s*```powershell\r?\n(?<code>.*?)```').Groups['code'].Value
}

AfterAll {
    # The block's scratch folder (its export and logs).
    Remove-Item -LiteralPath (Join-Path ([IO.Path]::GetTempPath()) 'wecomsync-quickstart') -Recurse -Force -ErrorAction Ignore
    Complete-ModuleTest
}

Describe 'README Quick start (the emulator block, run as it stands)' {
    It 'imports, connects, creates the link fields, syncs upstream (dry run, then for real) and downstream, and lists the runs: exit 0, no error' {
        $block | Should -Not -BeNullOrEmpty -Because 'README has the block'
        $built = Join-Path $repo 'out/WeComSync/WeComSync.psd1'
        # The block imports ./out/WeComSync: the module under test stands there (build.ps1 -Task Test builds it there).
        Test-Path -LiteralPath $built | Should -BeTrue
        $script = Join-Path $test.Work 'quickstart.ps1'
        # Every error stops it (the block has no error of its own to tolerate); the emulator is stopped by its last line.
        Set-Content -LiteralPath $script -Encoding utf8 -Value ("`$ErrorActionPreference = 'Stop'`nSet-Location -LiteralPath '$repo'`n" + $block + "`n'quick start done'")
        $run = Invoke-ChildPwsh $script -Width 200
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'quick start done'
        $run.Output | Should -Match 'upstream-createupdate'
        $run.Output | Should -Match 'downstream'
        $run.Output | Should -Not -Match '(?m)^(Invoke-WeCom\w+|Connect-\w+|Initialize-\w+|Get-WeComSyncLog): ' -Because 'no error was written'
    }
}
