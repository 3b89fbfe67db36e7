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
# Invoke-Recorded's runspace (its host records what commands show), made on first use and closed by Complete-ModuleTest.
$script:Recorder = $null

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
    if ($script:Recorder) { $script:Recorder.Runspace.Dispose(); $script:Recorder = $null }
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
    .PARAMETER LogFile As cron runs it: stdout and stderr redirected to this file by the shell ('> file 2>&1', not
    through a PowerShell pipe); Output is then the file's text as written, escape codes included. Not on Windows.
    #>
    [CmdletBinding(DefaultParameterSetName = 'File')]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'File')] [string] $File,
        [Parameter(Mandatory, ParameterSetName = 'Command')] [string] $Command,
        [Parameter(Position = 1)] [hashtable] $Environment = @{},
        [string[]] $Arguments = @(),
        [int] $Width = 120,
        [string] $LogFile
    )
    $pwsh = Get-PwshCommandLine
    $run = if ($File) { @('-File', $File) + $Arguments } else { @('-Command', $Command) }
    $saved = @{}
    foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    try {
        if ($LogFile) {
            # The shell opens the file, as a crontab line does; the arguments go through "$@", unquoted by nobody.
            & (Get-TestProgram sh) -c 'log=$1; shift; exec "$@" > "$log" 2>&1' sh $LogFile $pwsh.FilePath @($pwsh.Arguments) @run
            $code = $LASTEXITCODE
            $output = [IO.File]::ReadAllText($LogFile)
        }
        else { $output = & $pwsh.FilePath @($pwsh.Arguments) @run 2>&1 | Out-String -Width $Width; $code = $LASTEXITCODE }
    }
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
    $reason = Install-TestDebianPackage -Package $DebianPackage -Missing $missing -What $Name[0] -LogFolder $LogFolder
    if ($reason) { return & $result $null $reason }
    $path = Get-TestProgram $Name
    if ($path) { return & $result $path $null }
    $install = if ($DebianPackage) { "install the package $($DebianPackage -join ', ')" } else { "install $($Name[0])" }
    & $result $null "$missing even after 'apt-get install -y $($DebianPackage -join ' ')' (see $(Join-Path $LogFolder "wecomsync-apt-$($DebianPackage[0]).log")): $install to run these tests."
}

function Resolve-TestFont {
    <#
    .SYNOPSIS A font family a test needs (the report's Chinese text): present when fontconfig lists it; else the Debian
    package installed as Resolve-TestProgram installs a program (quietly, as root); else a reason to skip.
    .DESCRIPTION Returns { Family; SkipReason }: one of them is set. Never throws.
    .EXAMPLE $cjk = Resolve-TestFont 'WenQuanYi Micro Hei' -DebianPackage fonts-wqy-microhei
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Family,
        [string[]] $DebianPackage = @(),
        [string] $LogFolder = [IO.Path]::GetTempPath()
    )
    $result = { param($family, $reason) [pscustomobject]@{ Family = $family; SkipReason = $reason } }
    $fcList = Get-TestProgram fc-list
    if (-not $fcList) { return & $result $null "the font '$Family' cannot be looked for: fc-list (fontconfig) is not on PATH; install fontconfig and $($DebianPackage -join ', ') to run these tests." }
    $listed = { [bool] (& $fcList ":family=$Family" family 2>$null | Where-Object { $_ }) }
    if (& $listed) { return & $result $Family $null }
    $missing = "the font '$Family' is not installed"
    $reason = Install-TestDebianPackage -Package $DebianPackage -Missing $missing -What "the font '$Family'" -LogFolder $LogFolder
    if ($reason) { return & $result $null $reason }
    if (& $listed) { return & $result $Family $null }
    & $result $null "$missing even after 'apt-get install -y $($DebianPackage -join ' ')': install the package $($DebianPackage -join ', ') to run these tests."
}

function Install-TestDebianPackage {
    <# .SYNOPSIS apt-get install -y, quietly, as root (apt-get update once per process); $null when it ran, else the skip reason. #>
    param([string[]] $Package, [string] $Missing, [string] $What, [string] $LogFolder)
    $install = if ($Package) { "install the package $($Package -join ', ')" } else { "install $What" }
    $aptGet = Get-TestProgram apt-get
    if (-not $Package -or -not $aptGet) { return "$Missing and there is no apt-get to install it: $install to run these tests." }
    if (-not [Environment]::IsPrivilegedProcess) { return "$Missing and installing it needs root: $install to run these tests." }

    $log = Join-Path $LogFolder "wecomsync-apt-$($Package[0]).log"
    $saved = $env:DEBIAN_FRONTEND
    $env:DEBIAN_FRONTEND = 'noninteractive'
    try {
        # Once per process: the package lists do not change between two tests' installs.
        Write-Host "Installing the Debian package $($Package -join ', ') for the tests that need $What (apt-get update, apt-get install -y) …"
        if ($env:WECOMSYNC_TEST_APT_UPDATED -ne '1') {
            & $aptGet update -qq *> $log
            if ($LASTEXITCODE -ne 0) { return "$Missing and 'apt-get update' failed (exit code $LASTEXITCODE, see $log): $install to run these tests." }
            $env:WECOMSYNC_TEST_APT_UPDATED = '1'
        }
        & $aptGet install -y -qq @Package *>> $log
        if ($LASTEXITCODE -ne 0) { return "$Missing and 'apt-get install -y $($Package -join ' ')' failed (exit code $LASTEXITCODE, see $log): $install to run these tests." }
    }
    catch { return "$Missing and apt-get could not run ($($_.Exception.Message)): $install to run these tests." }
    finally { $env:DEBIAN_FRONTEND = $saved }
    $null
}

function Invoke-Recorded {
    <#
    .SYNOPSIS Runs a command the way the console would, records what it showed instead of printing it, and returns it:
    { Output; Host; WhatIf; Warning; Information; Error } — for a test to assert on, so a green run prints none of it.
    .DESCRIPTION ShouldProcess writes its "What if:" lines to the host, where no redirection (*>$null) reaches them. So
    the script block runs in a runspace of this process whose host (RecordingHost.cs) records every line at -Width
    columns. The module's connections (Connect-Authing, Connect-WeCom) belong to the process, so the block sees the
    caller's; the variables the block names are copied from the caller's scope (values, not copies of objects). The
    block may not call the test file's own functions. A terminating error is thrown again as the caller's.
      Output       what the block wrote to the pipeline (one object as itself, several as an array)
      Host         every line the host showed: What if lines, Write-Host and Out-Host text, warnings, verbose
      WhatIf       the Host lines that start 'What if:'
      Warning      the warnings' messages; Information the information records' text; Error the error records
    .EXAMPLE $run = Invoke-Recorded { Invoke-WeComUpstreamSync -Path $csv -WhatIf }
             $run.WhatIf | Should -Contain ...
    .EXAMPLE (Invoke-Recorded { Get-WeComSyncLog -Path $logs | Out-Host } -Width 80).Host   # a view at 80 columns
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] [scriptblock] $ScriptBlock,
        [int] $Width = 120
    )
    $recorder = Get-TestRecorder
    $recorder.Host.Width = $Width
    $recorder.Host.Clear()
    $proxy = $recorder.Runspace.SessionStateProxy
    # The caller's folder: relative paths in the block mean what they mean to the caller.
    $here = $PSCmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath
    $null = $proxy.Path.SetLocation([WildcardPattern]::Escape($here))
    foreach ($ast in $ScriptBlock.Ast.FindAll({ $args[0] -is [System.Management.Automation.Language.VariableExpressionAst] }, $true)) {
        $path = $ast.VariablePath
        if ($path.IsDriveQualified -and -not ($path.IsScript -or $path.IsGlobal -or $path.IsLocal -or $path.IsPrivate)) { continue }   # $env:X
        $name = $path.UserPath -replace '^\w+:', ''
        if ($name -in $script:AutomaticVariables) { continue }
        $variable = $PSCmdlet.SessionState.PSVariable.Get($name)
        if ($variable) { $proxy.SetVariable($name, $variable.Value) }
    }
    # The block's own text, its scope qualifiers dropped: the copies live in the runspace's global scope.
    $text = [regex]::Replace($ScriptBlock.ToString(), '(?i)\$(script|global|local|private):', '$')
    $ps = [powershell]::Create()
    $ps.Runspace = $recorder.Runspace
    try {
        $null = $ps.AddScript($text)
        try { $output = @($ps.Invoke()) }
        catch {
            $inner = $_.Exception
            while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
            if ($inner -is [System.Management.Automation.IContainsErrorRecord]) { throw $inner.ErrorRecord }
            throw
        }
        $lines = @($recorder.Host.Lines)
        [pscustomobject]@{
            Output      = if ($output.Count -eq 1) { $output[0] } else { $output }
            Host        = $lines
            WhatIf      = @($lines | Where-Object { $_ -like 'What if:*' })
            Warning     = @($ps.Streams.Warning | ForEach-Object Message)
            Information = @($ps.Streams.Information | ForEach-Object { "$($_.MessageData)" })
            Error       = @($ps.Streams.Error)
        }
    }
    finally { $ps.Dispose() }
}

# Names the runspace has of its own (or that mean nothing outside the caller): never copied into it.
$script:AutomaticVariables = @('_', 'PSItem', 'args', 'input', 'this', 'true', 'false', 'null', 'PSCmdlet', 'MyInvocation',
    'PSBoundParameters', 'ExecutionContext', 'Host', 'PSScriptRoot', 'PSCommandPath', 'Matches', 'LASTEXITCODE', 'HOME', 'PWD',
    'PSHOME', 'PID', 'IsLinux', 'IsWindows', 'IsMacOS', 'IsCoreCLR', 'PSVersionTable', 'ShellId', 'StackTrace', 'Error',
    'ConfirmPreference', 'WhatIfPreference', 'ErrorActionPreference', 'WarningPreference', 'VerbosePreference',
    'DebugPreference', 'InformationPreference', 'ProgressPreference', 'foreach', 'switch', 'sender', 'EventArgs', 'Event')

function Get-TestRecorder {
    # One runspace per test file: importing the module costs a second, a command run in it a few milliseconds.
    if ($script:Recorder) { return $script:Recorder }
    if (-not ('WeComSyncTests.RecordingHost' -as [type])) { Add-Type -Path (Join-Path $PSScriptRoot 'RecordingHost.cs') }
    $recordingHost = [WeComSyncTests.RecordingHost]::new(120)
    $runspace = [runspacefactory]::CreateRunspace($recordingHost, [initialsessionstate]::CreateDefault2())
    $runspace.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    try {
        $null = $ps.AddScript('param($module, $emulator) $ProgressPreference = "SilentlyContinue"; $PSStyle.OutputRendering = "PlainText"; Import-Module $module; Import-Module $emulator').
            AddArgument($env:WECOMSYNC_MODULE_PATH).AddArgument((Join-Path $script:Repo 'tools/Emulator.psm1'))
        $null = $ps.Invoke()
        if ($ps.HadErrors) { throw "The recording runspace could not import the module: $($ps.Streams.Error -join '; ')" }
    }
    finally { $ps.Dispose() }
    $script:Recorder = [pscustomobject]@{ Runspace = $runspace; Host = $recordingHost }
    $script:Recorder
}

Export-ModuleMember -Function Initialize-ModuleTest, Start-TestEmulator, Complete-ModuleTest, New-TestExport, Save-TestCsv,
    Connect-TestAuthing, Connect-TestWeCom, Get-TestWrite, Get-PwshCommandLine, Invoke-ChildPwsh,
    Get-TestProgram, Resolve-TestProgram, Resolve-TestFont, Invoke-Recorded
