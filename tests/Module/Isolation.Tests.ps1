# The module's private dependencies beside another module's copy of one of them (src/WeComSync.PowerShell/Loading):
# each case runs in a fresh pwsh (Isolation/Invoke-SyncBesideOther.ps1), where "another module" loads Polly.Core 8.1.0
# from the NuGet cache (restored by tests/Module/PesterRestore) and WeComSync, which ships 8.4.2, runs an upstream
# sync against the emulator over HTTP. Both Polly builds carry assembly version 8.0.0.0.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:emulator = (Initialize-ModuleTest -Name isolation -NoModule -Emulator).Emulator
    $dotnet = Get-TestProgram dotnet
    $script:export = New-TestExport contacts.csv --users 5 --seed 7 --no-instructions

    $packages = ((& $dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $script:otherPolly = Join-Path $packages 'polly.core/8.1.0/lib/net6.0/Polly.Core.dll'
    if (-not (Test-Path $otherPolly)) { throw "$otherPolly is missing: tests/Module/PesterRestore downloads it (build.ps1 -Task Build)." }

    function Invoke-FreshSession([string] $Order) {
        $pwsh = Get-PwshCommandLine
        $output = & $pwsh.FilePath @($pwsh.Arguments) -File (Join-Path $PSScriptRoot 'Isolation/Invoke-SyncBesideOther.ps1') `
            -ModulePath $env:WECOMSYNC_MODULE_PATH -OtherAssembly $otherPolly -Order $Order -BaseUrl $emulator.BaseUrl -ExportPath $export
        @($output)[-1] | ConvertFrom-Json
    }
}

AfterAll { Complete-ModuleTest }

Describe 'Private dependencies beside another module''s copy (PowerShell 7)' {
    BeforeEach { $emulator | Reset-WeComSyncEmulator }

    It 'WeComSync imported first: the other module then loads and uses its older Polly.Core, and each runs on its own' {
        $r = Invoke-FreshSession WeComSyncFirst
        $r.Error | Should -BeNullOrEmpty
        $r.SyncStatus | Should -Be 'Succeeded'
        $r.Created | Should -Be 5
        $r.OtherLoaded | Should -BeTrue
        $r.OtherUsed | Should -BeTrue
        $r.Warnings | Should -BeNullOrEmpty
        $ours = @($r.Copies | Where-Object Context -eq 'WeComSync')
        $ours.Count | Should -Be 1
        $ours[0].Version | Should -Be '8.4.2'
        $ours[0].Location | Should -BeLike '*dependencies*Polly.Core.dll'
        $theirs = @($r.Copies | Where-Object Context -eq 'Default')
        $theirs.Count | Should -Be 1
        $theirs[0].Version | Should -Be '8.1.0'
    }

    It 'only the two assemblies whose types cross into PowerShell are in the default context; every dependency we loaded is in ours' {
        $r = Invoke-FreshSession WeComSyncFirst
        $r.Error | Should -BeNullOrEmpty
        @($r.Ours | Where-Object Context -ne 'WeComSync' | ForEach-Object Name | Sort-Object) | Should -Be @('WeComSync.Core', 'WeComSync.PowerShell')
        $dependencies = @($r.Ours | Where-Object Context -eq 'WeComSync')
        @($dependencies.Name) | Should -Contain 'Polly.Core'
        @($dependencies.Name) | Should -Contain 'ExcelDataReader'
        foreach ($d in $dependencies) { $d.Location | Should -BeLike 'dependencies*' }
    }

    It 'the other module''s older Polly.Core loaded first: the upstream sync still works, and the import says which copy it shares' {
        # .NET hands a request for Polly.Core 8.0.0.0 the copy already in the default context; no load context can
        # change that, so the module warns instead (DependencyLoader.GetSharedDependencies).
        $r = Invoke-FreshSession OtherFirst
        $r.Error | Should -BeNullOrEmpty
        $r.OtherUsed | Should -BeTrue
        $r.SyncStatus | Should -Be 'Succeeded'
        $r.Created | Should -Be 5
        @($r.Warnings).Count | Should -Be 1
        $r.Warnings[0] | Should -BeLike '*Polly.Core 8.1.0 (WeComSync ships 8.4.2)*import WeComSync first*'
        @($r.Copies).Count | Should -Be 1
    }
}
