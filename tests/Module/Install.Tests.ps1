# Installing the module the way admins do: build.ps1 -Task Package's .nupkg (tools/Build-Package.ps1), a local file
# repository registered with Register-PSResourceRepository, Install-PSResource, Import-Module by name in a fresh pwsh,
# Uninstall-PSResource. Every pwsh here runs with HOME and XDG_DATA_HOME/XDG_CONFIG_HOME/XDG_CACHE_HOME in a scratch
# folder: on Linux and macOS PSResourceGet keeps its repository list under .NET's local data folder (XDG_DATA_HOME) and
# installs for the current user below HOME/.local/share/powershell, which is also pwsh's user module path. The user's
# own repositories and modules are never touched. Windows keeps those folders elsewhere, so there the test is skipped.
BeforeDiscovery { $script:skipInstall = [bool] $IsWindows }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name install -NoModule
    $work = $test.Work; $repo = $test.Repo
    $script:feed = New-Item -ItemType Directory -Path (Join-Path $work 'feed')
    $home_ = Join-Path $work 'home'
    $script:scratchModules = Join-Path $home_ '.local/share/powershell/Modules'   # pwsh's and PSResourceGet's CurrentUser path there
    $script:export = New-TestExport contacts.csv --users 3 --seed 11 --no-instructions
    [xml] $props = Get-Content -LiteralPath (Join-Path $repo 'Directory.Build.props') -Raw
    $script:version = @($props.Project.PropertyGroup | ForEach-Object { $_['Version'] } | Where-Object { $_ } | ForEach-Object InnerText)[0]

    # Runs a script in a fresh pwsh whose user folders are the scratch ones; returns its output (JSON lines parsed).
    function Invoke-Scratch([string] $Script, [hashtable] $Parameters = @{}, [string] $File) {
        if (-not $File) {
            $File = Join-Path $work "step-$([guid]::NewGuid().ToString('N').Substring(0, 6)).ps1"
            Set-Content -LiteralPath $File -Value $Script -Encoding utf8
        }
        $arguments = @('-File', $File)
        foreach ($p in $Parameters.GetEnumerator()) { $arguments += @("-$($p.Key)", $p.Value) }
        $saved = @{}
        $scratch = @{
            HOME = $home_; XDG_DATA_HOME = Join-Path $home_ '.local/share'; XDG_CONFIG_HOME = Join-Path $home_ '.config'
            XDG_CACHE_HOME = Join-Path $home_ '.cache'; PSModulePath = $scratchModules
        }
        # They must exist: .NET reports a missing data folder as '', and PSResourceGet would then write below the current folder.
        foreach ($name in 'HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME') { New-Item -ItemType Directory -Path $scratch[$name] -Force | Out-Null }
        foreach ($name in $scratch.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $scratch[$name]) }
        try { $output = & { $pwsh = Get-PwshCommandLine; & $pwsh.FilePath @($pwsh.Arguments) @arguments 2>&1 } }
        finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
        if ($LASTEXITCODE -ne 0) { throw "the step failed (exit code $LASTEXITCODE): $($output -join [Environment]::NewLine)" }
        foreach ($line in $output) { if ("$line" -like '{*') { "$line" | ConvertFrom-Json } else { "$line" } }
    }
}

AfterAll { Complete-ModuleTest }

Describe 'Install-PSResource from the package' -Skip:$skipInstall {
    BeforeAll {
        # Pack with the build's own step (in a pwsh of its own, as build.ps1 runs it), register a file repository,
        # install for the current (scratch) user.
        $script:package = Invoke-Scratch -File (Join-Path $repo 'tools/Build-Package.ps1') -Parameters @{ ModulePath = (Split-Path $env:WECOMSYNC_MODULE_PATH); DestinationPath = $feed.FullName }
        $script:installed = Invoke-Scratch -Parameters @{ Feed = $feed.FullName; Scratch = $work } -Script @'
param($Feed, $Scratch)
$ErrorActionPreference = 'Stop'
if (-not $HOME.StartsWith($Scratch)) { throw "HOME is $HOME, not the scratch folder: refusing to install" }
Register-PSResourceRepository -Name WeComSyncTest -Uri $Feed -Trusted
Install-PSResource -Name WeComSync -Repository WeComSyncTest -Scope CurrentUser -TrustRepository -Quiet
$found = Find-PSResource -Name WeComSync -Repository WeComSyncTest
$item = Get-InstalledPSResource -Name WeComSync
[pscustomobject]@{
    Version = "$($item.Version)"; Location = $item.InstalledLocation
    Store = (Get-ChildItem -Path $env:XDG_DATA_HOME -Recurse -Filter PSResourceRepository.xml).FullName
    Repositories = @(Get-PSResourceRepository | ForEach-Object Name)
    ReleaseNotes = $found.ReleaseNotes
} | ConvertTo-Json -Compress
'@
    }

    It 'packs WeComSync.<version>.nupkg with the version from Directory.Build.props and installs it into the scratch user path' {
        Split-Path @($package)[-1] -Leaf | Should -Be "WeComSync.$version.nupkg"
        $installed.Version | Should -Be $version
        $installed.Location | Should -BeLike "$scratchModules*"
        Test-Path (Join-Path $scratchModules "WeComSync/$version/WeComSync.psd1") | Should -BeTrue
        Test-Path (Join-Path $scratchModules "WeComSync/$version/dependencies/Polly.Core.dll") | Should -BeTrue
        $installed.ReleaseNotes | Should -Not -BeNullOrEmpty
        # PSResourceGet kept its repository list in the scratch folder.
        $installed.Store | Should -BeLike "$work*"
        $installed.Repositories | Should -Contain 'WeComSyncTest'
    }

    It 'carries the gallery''s metadata: a manifest stamped with the version, help, templates, formats, license, release notes' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead((Join-Path $feed "WeComSync.$version.nupkg"))
        try {
            $entries = @($zip.Entries.FullName)
            foreach ($file in 'WeComSync.psd1', 'WeComSync.psm1', 'WeComSync.Core.dll', 'WeComSync.PowerShell.dll', 'LICENSE.txt', 'CHANGELOG.md', 'Scheduling.md', 'en-US/about_WeComSync.help.txt',
                'en-US/WeComSync.PowerShell.dll-Help.xml', 'Examples/Invoke-UpstreamSync.example.ps1', 'Formats/Plan.Format.ps1xml', 'dependencies/Polly.Core.dll') {
                $entries | Should -Contain $file
            }
            $entries | Should -Not -Contain 'System.Management.Automation.dll'
            $reader = [IO.StreamReader]::new($zip.GetEntry('WeComSync.nuspec').Open())
            [xml] $nuspec = $reader.ReadToEnd(); $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $m = $nuspec.package.metadata
        $m.id | Should -Be 'WeComSync'
        $m.version | Should -Be $version
        $m.authors | Should -Not -BeNullOrEmpty
        $m.description | Should -Not -BeNullOrEmpty
        $m.releaseNotes | Should -Not -BeNullOrEmpty
        $m.tags -split ' ' | Should -Contain 'PSModule'
        $m.tags -split ' ' | Should -Contain 'PSEdition_Core'
    }

    It 'imports by name in a fresh pwsh, from the installed folder, and its commands run' {
        $session = Invoke-Scratch -Parameters @{ Export = $export } -Script @'
param($Export)
$ErrorActionPreference = 'Stop'
Import-Module WeComSync
$module = Get-Module WeComSync
$users = @(Import-WeComAddressBook -Path $Export)
[pscustomobject]@{
    Base = $module.ModuleBase; Version = "$($module.Version)"; Commands = @(Get-Command -Module WeComSync).Count
    Users = $users.Count; Type = $users[0].GetType().FullName
    Help = (Get-Help Compare-Directory).Synopsis
} | ConvertTo-Json -Compress
'@
        $session.Base | Should -BeLike "$scratchModules*"
        $session.Version | Should -Be $version
        $exported = Import-PowerShellDataFile $env:WECOMSYNC_MODULE_PATH
        $session.Commands | Should -Be (@($exported.CmdletsToExport) + @($exported.FunctionsToExport)).Count   # every command the manifest exports
        $session.Users | Should -Be 3
        $session.Type | Should -Be 'WeComSync.Model.User'
        $session.Help | Should -Not -BeNullOrEmpty
    }

    It 'uninstalls, and the repository it registered is unregistered' {
        $after = Invoke-Scratch -Script @'
$ErrorActionPreference = 'Stop'
Uninstall-PSResource -Name WeComSync -Scope CurrentUser
Unregister-PSResourceRepository -Name WeComSyncTest
[pscustomobject]@{
    Installed = @(Get-InstalledPSResource -Name WeComSync -ErrorAction SilentlyContinue).Count
    Available = @(Get-Module -ListAvailable WeComSync).Count
    Repositories = @(Get-PSResourceRepository | ForEach-Object Name)
} | ConvertTo-Json -Compress
'@
        $after.Installed | Should -Be 0
        $after.Available | Should -Be 0
        $after.Repositories | Should -Not -Contain 'WeComSyncTest'
        Test-Path (Join-Path $scratchModules 'WeComSync') | Should -BeFalse
    }
}
