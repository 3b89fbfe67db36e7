<#
.SYNOPSIS
    What the Pester files (tests/Module/*.Tests.ps1) share: the built module and the emulator helper, a scratch folder,
    the emulator and the connections to it, the export generator, a child pwsh, and the emulator's write counts.
.DESCRIPTION
    Each file imports it in its BeforeAll and cleans up in its AfterAll:

        BeforeAll {
            Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
            $script:test = Initialize-ModuleTest -Name console -Emulator    # .Repo .Configuration .Work .Emulator
        }
        AfterAll { Complete-ModuleTest }

    Everything Initialize-ModuleTest and Start-TestEmulator start is remembered here, so Complete-ModuleTest stops it
    even when the BeforeAll failed half-way.
#>
Set-StrictMode -Version 3.0

$script:Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
# Invoke-ModuleTests.ps1 sets it; a file run on its own tests the Release build.
$script:Configuration = if ($env:WECOMSYNC_CONFIGURATION) { $env:WECOMSYNC_CONFIGURATION } else { 'Release' }
$script:Emulators = [System.Collections.Generic.List[object]]::new()
$script:Work = $null

function Initialize-ModuleTest {
    <#
    .SYNOPSIS Imports the built module (unless -NoModule) and tools/Emulator.psm1, makes a scratch folder
    (wecomsync-<Name>-xxxxxxxx under the temp folder) and starts the emulator with -Emulator.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [string] $Name,
        [switch] $Emulator,
        [switch] $NoModule
    )
    # -Global: the test files call both modules' commands; imported from here they would be this module's own.
    if (-not $NoModule) { Import-Module $env:WECOMSYNC_MODULE_PATH -Force -Global }
    Import-Module (Join-Path $script:Repo 'tools/Emulator.psm1') -Force -Global
    if ($Name) {
        $script:Work = Join-Path ([IO.Path]::GetTempPath()) "wecomsync-$Name-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        New-Item -ItemType Directory -Path $script:Work | Out-Null
    }
    [pscustomobject]@{
        Repo          = $script:Repo
        Configuration = $script:Configuration
        Work          = $script:Work
        Emulator      = if ($Emulator) { Start-TestEmulator }
    }
}

function Start-TestEmulator {
    <# .SYNOPSIS Starts the emulator of the build under test; Complete-ModuleTest stops it. #>
    [CmdletBinding()]
    param()
    $emulator = Start-WeComSyncEmulator -Configuration $script:Configuration
    $script:Emulators.Add($emulator)
    $emulator
}

function Complete-ModuleTest {
    <# .SYNOPSIS Disconnects, stops the emulators started here and removes the scratch folder. #>
    [CmdletBinding()]
    param()
    if (Get-Command Disconnect-Authing -ErrorAction Ignore) { Disconnect-Authing -ErrorAction Ignore; Disconnect-WeCom -ErrorAction Ignore }
    foreach ($emulator in $script:Emulators) { $emulator | Stop-WeComSyncEmulator }
    $script:Emulators.Clear()
    if ($script:Work -and (Test-Path -LiteralPath $script:Work)) { Remove-Item -LiteralPath $script:Work -Recurse -Force -ErrorAction Ignore }
    $script:Work = $null
}

function New-TestExport {
    <#
    .SYNOPSIS Writes an export with tests/WeComSync.ExportGenerator and returns its path.
    .PARAMETER Path The file to write; a bare name goes into the scratch folder.
    .PARAMETER Arguments The generator's options (--users 30 --seed 42 --bad-rows 2 ...).
    .EXAMPLE New-TestExport bad.xlsx --users 30 --seed 42 --bad-rows 2
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Path,
        [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments = @()
    )
    if (-not [IO.Path]::IsPathRooted($Path)) { $Path = Join-Path $script:Work $Path }
    $generator = Join-Path $script:Repo "tests/WeComSync.ExportGenerator/bin/$script:Configuration/net10.0/WeComSync.ExportGenerator.dll"
    if (-not (Test-Path -LiteralPath $generator)) { throw "The export generator is not built: $generator" }
    $null = & (Get-TestProgram dotnet) $generator --out $Path @Arguments
    if ($LASTEXITCODE -ne 0) { throw "The export generator failed for $Path (exit code $LASTEXITCODE)." }
    $Path
}

function Save-TestCsv {
    <# .SYNOPSIS Saves rows as a CSV (UTF-8 with BOM, as Excel saves it) and returns its path; a bare name goes into the scratch folder. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] [AllowEmptyCollection()] [object[]] $Rows, [Parameter(Mandatory, Position = 1)] [string] $Path)
    if (-not [IO.Path]::IsPathRooted($Path)) { $Path = Join-Path $script:Work $Path }
    $Rows | Export-Csv -LiteralPath $Path -Encoding utf8BOM -NoTypeInformation
    $Path
}

function Connect-TestAuthing {
    <#
    .SYNOPSIS Connects to the emulator's Authing organization (emulator-org) and creates the link fields.
    .PARAMETER Reset Resets the emulator first.
    .PARAMETER NoLinkField Leaves the pool without the link fields.
    .PARAMETER Parameters More parameters for Connect-Authing (MaxRetry, FieldMap ...).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator, [switch] $Reset, [switch] $NoLinkField, [hashtable] $Parameters = @{})
    if ($Reset) { $Emulator | Reset-WeComSyncEmulator }
    $key = [pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))
    Connect-Authing -Credential $key -ApiHost $Emulator.BaseUrl -OrganizationCode emulator-org @Parameters
    if (-not $NoLinkField) { Initialize-AuthingLinkField -Confirm:$false | Out-Null }
    $Emulator | Clear-WeComSyncEmulatorCallCount
}

function Connect-TestWeCom {
    <# .SYNOPSIS Connects to the emulator's WeCom corp (ww-emulator) with its default secret. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator, [string] $AppMode = 'AddressBookSync')
    Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force) -AppMode $AppMode -ApiHost $Emulator.BaseUrl
}

function Get-TestWrite {
    <#
    .SYNOPSIS The write calls the emulator served since its call counts were cleared, by call
    ('create-users-batch' for Authing, 'user/create' for WeCom), as a hashtable of counts.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)] $Emulator, [ValidateSet('Authing', 'WeCom')] [string[]] $Api = @('Authing', 'WeCom'))
    $calls = Get-WeComSyncEmulatorCallCount -BaseUrl $Emulator.BaseUrl
    $writes = @{}
    foreach ($name in $calls.Keys) {
        if ('Authing' -in $Api -and $name -match '^/api/v3/((create|update|delete|set|add|remove)-.*)$') { $writes[$Matches[1]] = [int] $calls[$name] }
        if ('WeCom' -in $Api -and $name -match '^/cgi-bin/((department|user)/(create|update|delete|batchdelete))$') { $writes[$Matches[1]] = [int] $calls[$name] }
    }
    $writes
}

function Get-PwshCommandLine {
    <# .SYNOPSIS The pwsh running these tests, as { FilePath; Arguments } to start another one (under dotnet: pwsh.dll first). #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param()
    $exe = [Environment]::ProcessPath
    [pscustomobject]@{
        FilePath  = $exe
        Arguments = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' }) + @('-NoProfile', '-NonInteractive')
    }
}

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS Runs a script file or a command in a fresh pwsh (as a scheduler does) with extra environment variables;
    returns { ExitCode; Output } (every stream, as the console prints it at -Width columns).
    #>
    [CmdletBinding(DefaultParameterSetName = 'File')]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'File')] [string] $File,
        [Parameter(Mandatory, ParameterSetName = 'Command')] [string] $Command,
        [Parameter(Position = 1)] [hashtable] $Environment = @{},
        [string[]] $Arguments = @(),
        [int] $Width = 120
    )
    $pwsh = Get-PwshCommandLine
    $run = if ($File) { @('-File', $File) + $Arguments } else { @('-Command', $Command) }
    $saved = @{}
    foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    try { $output = & $pwsh.FilePath @($pwsh.Arguments) @run 2>&1 | Out-String -Width $Width; $code = $LASTEXITCODE }
    finally { foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
    [pscustomobject]@{ ExitCode = $code; Output = $output }
}

function Get-TestProgram {
    <#
    .SYNOPSIS The full path of the first program on PATH by one of these names, or $null.
    .DESCRIPTION Get-Command -CommandType Application lists every match: on a merged-usr machine whose PATH names
    /usr/bin and /bin, one program twice. A test calls the first, never .Source of the whole list (two paths joined).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] [string[]] $Name)
    foreach ($n in $Name) {
        $found = Get-Command $n -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if ($found) { return $found.Source }
    }
    $null
}

function Resolve-TestProgram {
    <#
    .SYNOPSIS An outside program a test needs: the first on PATH; else the Debian package installed quietly where
    apt-get exists and this is root (apt-get update once per process, then apt-get install -y); else a reason to skip.
    .DESCRIPTION Returns { Path; SkipReason }: one of them is set. Never throws because a package could not be had: the
    caller skips its tests with SkipReason, one line that names the program, why, and what would make the tests run.
    apt-get's own output goes to a log under -LogFolder (the temp folder by default), named in the reason on failure.
    .PARAMETER Name The program's names, first preferred (chromium, chromium-browser).
    .PARAMETER DebianPackage The packages that provide it (chromium; nodejs, npm).
    .EXAMPLE $browser = Resolve-TestProgram chromium, chromium-browser -DebianPackage chromium
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] [string[]] $Name,
        [string[]] $DebianPackage = @(),
        [string] $LogFolder = [IO.Path]::GetTempPath()
    )
    $result = { param($path, $reason) [pscustomobject]@{ Path = $path; SkipReason = $reason } }
    $path = Get-TestProgram $Name
    if ($path) { return & $result $path $null }
    $missing = "$($Name[0]) is not on PATH"
    $install = if ($DebianPackage) { "install the package $($DebianPackage -join ', ')" } else { "install $($Name[0])" }
    $aptGet = Get-TestProgram apt-get
    if (-not $DebianPackage -or -not $aptGet) { return & $result $null "$missing and there is no apt-get to install it: $install to run these tests." }
    if (-not [Environment]::IsPrivilegedProcess) { return & $result $null "$missing and installing it needs root: $install to run these tests." }

    $log = Join-Path $LogFolder "wecomsync-apt-$($DebianPackage[0]).log"
    $saved = $env:DEBIAN_FRONTEND
    $env:DEBIAN_FRONTEND = 'noninteractive'
    try {
        # Once per process: the package lists do not change between two tests' installs.
        Write-Host "Installing the Debian package $($DebianPackage -join ', ') for the tests that need $($Name[0]) (apt-get update, apt-get install -y) …"
        if ($env:WECOMSYNC_TEST_APT_UPDATED -ne '1') {
            & $aptGet update -qq *> $log
            if ($LASTEXITCODE -ne 0) { return & $result $null "$missing and 'apt-get update' failed (exit code $LASTEXITCODE, see $log): $install to run these tests." }
            $env:WECOMSYNC_TEST_APT_UPDATED = '1'
        }
        & $aptGet install -y -qq @DebianPackage *>> $log
        if ($LASTEXITCODE -ne 0) { return & $result $null "$missing and 'apt-get install -y $($DebianPackage -join ' ')' failed (exit code $LASTEXITCODE, see $log): $install to run these tests." }
    }
    catch { return & $result $null "$missing and apt-get could not run ($($_.Exception.Message)): $install to run these tests." }
    finally { $env:DEBIAN_FRONTEND = $saved }
    $path = Get-TestProgram $Name
    if ($path) { return & $result $path $null }
    & $result $null "$missing even after 'apt-get install -y $($DebianPackage -join ' ')' (see $log): $install to run these tests."
}

Export-ModuleMember -Function Initialize-ModuleTest, Start-TestEmulator, Complete-ModuleTest, New-TestExport, Save-TestCsv,
    Connect-TestAuthing, Connect-TestWeCom, Get-TestWrite, Get-PwshCommandLine, Invoke-ChildPwsh,
    Get-TestProgram, Resolve-TestProgram
