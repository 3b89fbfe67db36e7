BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $null = Initialize-ModuleTest
}

Describe 'The WeComSync module' {
    It 'has a valid manifest for both editions' {
        $manifest = Test-ModuleManifest -Path $env:WECOMSYNC_MODULE_PATH
        $manifest.CompatiblePSEditions | Should -Contain 'Core'
        $manifest.CompatiblePSEditions | Should -Contain 'Desktop'
    }

    It 'exports only commands the manifest lists' {
        $manifest = Import-PowerShellDataFile $env:WECOMSYNC_MODULE_PATH
        $listed = @($manifest.CmdletsToExport) + @($manifest.FunctionsToExport)
        foreach ($command in Get-Command -Module WeComSync) {
            $listed | Should -Contain $command.Name
        }
    }

    It 'does not ship PowerShell''s own assemblies' {
        $dir = Split-Path $env:WECOMSYNC_MODULE_PATH
        Get-ChildItem $dir -Filter 'System.Management.Automation.dll' -Recurse | Should -BeNullOrEmpty
    }

    It 'gives every exported command help with a synopsis and at least one example' {
        foreach ($command in Get-Command -Module WeComSync) {
            $help = Get-Help $command.Name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because "$($command.Name) needs a synopsis"
            @($help.Examples.Example).Count | Should -BeGreaterThan 0 -Because "$($command.Name) needs examples"
        }
    }
}
