<#
.SYNOPSIS
    Packs the assembled module (out/WeComSync) into WeComSync.<version>.nupkg, the PowerShell Gallery's format, with
    PSResourceGet's own packer (Compress-PSResource, PowerShell 7.4+), and prints the package's path.
.DESCRIPTION
    Used by build.ps1 -Task Package and by tests/Module/Install.Tests.ps1, so the test installs what the build ships.
    The nuspec comes from the manifest: version, description, author, tags, release notes, and the license and
    project addresses (deliberately empty, see the manifest).
#>
param(
    # The assembled module folder (its name is the module's name).
    [Parameter(Mandatory)] [string] $ModulePath,
    # Where the .nupkg goes.
    [Parameter(Mandatory)] [string] $DestinationPath
)
$ErrorActionPreference = 'Stop'

$module = Resolve-Path -LiteralPath $ModulePath
$manifest = Import-PowerShellDataFile (Join-Path $module 'WeComSync.psd1')
$version = $manifest.ModuleVersion + $(if ($manifest.PrivateData.PSData.Prerelease) { '-' + $manifest.PrivateData.PSData.Prerelease })
New-Item -ItemType Directory -Path $DestinationPath -Force | Out-Null
$package = Join-Path (Resolve-Path -LiteralPath $DestinationPath) "WeComSync.$version.nupkg"
if (Test-Path -LiteralPath $package) { Remove-Item -LiteralPath $package -Force }

# PSResourceGet creates its repository list under the user's data folder on first use. Packing needs no repository, so
# on Linux and macOS (where .NET takes that folder from XDG_DATA_HOME) it gets a scratch one and the user's is untouched.
$scratch = $null
$dataHome = $env:XDG_DATA_HOME
if (-not $IsWindows) {
    # It must exist: .NET reports a missing data folder as '', and PSResourceGet would then write below the current folder.
    $scratch = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "wecomsync-pack-$([guid]::NewGuid().ToString('N'))")).FullName
    $env:XDG_DATA_HOME = $scratch
}
try {
    Import-Module Microsoft.PowerShell.PSResourceGet -MinimumVersion 1.1.0
    Compress-PSResource -Path $module -DestinationPath (Split-Path $package)
}
finally {
    $env:XDG_DATA_HOME = $dataHome
    if ($scratch -and (Test-Path -LiteralPath $scratch)) { Remove-Item -LiteralPath $scratch -Recurse -Force }
}
if (-not (Test-Path -LiteralPath $package)) { throw "Compress-PSResource did not write $package." }
Write-Host "Packaged $package"
$package
