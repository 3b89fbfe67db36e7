#requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, benchmarks and demonstrates the WeComSync module.
.DESCRIPTION
    Tasks:
      Build    compile the solution and assemble the importable module under out/WeComSync
      Test     Build, then run every xunit project and the Pester suite against the built module;
               prints one closing line 'N passed, N failed, N skipped' and exits non-zero on any failure
      Bench    Build, then run every bench/*.Bench.ps1 (figures are ratios against the alternative)
      Demo     Build, then run demo/Invoke-Demo.ps1 (emulator + generated export + upstream and downstream sync)
      Package  Build, then pack the module into out/WeComSync.<version>.nupkg (the PowerShell Gallery's format:
               Install-PSResource/Install-Module install it from a file repository or a feed)
      Clean    remove out/ and every bin/obj folder
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Bench', 'Demo', 'Package', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester test files to run (name without .Tests.ps1, wildcards allowed); default all.
    [string] $PesterFilter,

    # xunit filter expression passed to 'dotnet test --filter'.
    [string] $TestFilter
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'WeComSync'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

# The pwsh that runs this script, to start clean child sessions (it may be 'dotnet pwsh.dll' as a .NET tool).
function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($process)
}

function Invoke-ChildPwsh {
    param([string] $File, [string[]] $ArgumentList = @())
    $pwsh = Get-PwshCommand
    $exe = $pwsh[0]
    $prefix = @($pwsh | Select-Object -Skip 1)
    & $exe @prefix -NoProfile -NonInteractive -File $File @ArgumentList | Out-Host
    return $LASTEXITCODE
}

function Get-PesterModulePath {
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Get-ChildItem -Path (Join-Path $packages.Trim() 'pester') -Filter 'Pester.psd1' -Recurse -ErrorAction SilentlyContinue |
        Where-Object { $_.Directory.Name -eq 'tools' } | Sort-Object FullName -Descending | Select-Object -First 1
    if (-not $manifest) { throw 'Pester was not restored: run the Build task first (tests/Module/PesterRestore restores it from NuGet).' }
    return $manifest.FullName
}

# The version lives in Directory.Build.props (the assemblies get it from there); the module manifest is stamped from it:
# '1.2.0' -> ModuleVersion '1.2.0'; '1.2.0-beta1' -> ModuleVersion '1.2.0' and PSData Prerelease 'beta1'; the release
# notes are that version's section of module/CHANGELOG.md.
function Get-ProjectVersion {
    [xml] $props = Get-Content -LiteralPath (Join-Path $root 'Directory.Build.props') -Raw
    $version = @($props.Project.PropertyGroup | ForEach-Object { $_['Version'] } | Where-Object { $_ } | ForEach-Object InnerText)[0]
    if ($version -notmatch '^(?<number>\d+\.\d+\.\d+)(-(?<prerelease>[0-9A-Za-z]+))?$') {
        throw "Directory.Build.props: <Version>$version</Version> is not major.minor.patch[-prerelease] (letters and digits only after the dash, as the PowerShell Gallery requires)."
    }
    $number = $Matches['number']; $prerelease = [string] $Matches['prerelease']
    $changelog = Join-Path $root 'module/CHANGELOG.md'
    $section = [regex]::Match((Get-Content -LiteralPath $changelog -Raw), ('(?ms)^## ' + [regex]::Escape($version) + '[ \t]*$(?<notes>.*?)(?=^## |\z)'))
    if (-not $section.Success) { throw "module/CHANGELOG.md has no '## $version' section: add this release's notes there." }
    [pscustomobject]@{ Number = $number; Prerelease = $prerelease; ReleaseNotes = $section.Groups['notes'].Value.Trim() }
}

function Set-ModuleVersion {
    param([string] $Manifest, [pscustomobject] $Version)
    $text = Get-Content -LiteralPath $Manifest -Raw
    $fields = [ordered]@{ ModuleVersion = $Version.Number; Prerelease = $Version.Prerelease; ReleaseNotes = $Version.ReleaseNotes }
    foreach ($field in $fields.GetEnumerator()) {
        $pattern = "(?m)^(\s*$($field.Key)\s*=\s*)'[^']*'"
        if ($text -notmatch $pattern) { throw "$Manifest has no $($field.Key) = '…' line to stamp." }
        $value = $field.Value.Replace("'", "''")
        $text = [regex]::Replace($text, $pattern, { param($m) $m.Groups[1].Value + "'" + $value + "'" })
    }
    [IO.File]::WriteAllText($Manifest, $text, [Text.UTF8Encoding]::new($true))
}

function Invoke-Build {
    Write-Host "==> Build ($Configuration)" -ForegroundColor Cyan
    # Quiet: dotnet's own lines only when the build fails.
    $said = & dotnet build (Join-Path $root 'WeComSync.sln') -c $Configuration -nologo -v q '-clp:ErrorsOnly;NoSummary' 2>&1
    if ($LASTEXITCODE -ne 0) { $said | Out-Host; throw "dotnet build failed with exit code $LASTEXITCODE" }

    # Assemble the module: manifest, root module, templates, formats, types, our two dlls (their types cross into
    # PowerShell) and, under dependencies/, the private ones that DependencyLoader.cs isolates; without PowerShell's
    # own assemblies (the host provides them).
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $moduleOut | Out-Null
    Copy-Item -Path (Join-Path $root 'module/*') -Destination $moduleOut -Recurse
    Set-ModuleVersion -Manifest (Join-Path $moduleOut 'WeComSync.psd1') -Version (Get-ProjectVersion)
    # The scheduling guide ships beside Examples/ (about_WeComSync's SEE ALSO names it there); docs/ keeps the one copy.
    Copy-Item -LiteralPath (Join-Path $root 'docs/Scheduling.md') -Destination $moduleOut
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $moduleOut 'dependencies')
    $bin = Join-Path $root "src/WeComSync.PowerShell/bin/$Configuration/netstandard2.0"
    $excluded = @('System.Management.Automation.dll', 'Microsoft.PowerShell.*.dll', 'Microsoft.Management.Infrastructure.dll')
    foreach ($dll in Get-ChildItem -Path $bin -Filter '*.dll') {
        $name = $dll.Name
        if ($excluded | Where-Object { $name -like $_ }) { continue }
        $destination = if ($name -like 'WeComSync.*') { $moduleOut } else { $dependencies.FullName }
        Copy-Item -LiteralPath $dll.FullName -Destination $destination
    }

    $help = Join-Path $root 'tools/Build-Help.ps1'
    $code = Invoke-ChildPwsh -File $help -ArgumentList @('-ModulePath', (Join-Path $moduleOut 'WeComSync.psd1'), '-DocsPath', (Join-Path $root 'docs/help'))
    if ($code -ne 0) { throw "Building help failed (exit code $code)." }
    Write-Host "Module assembled in $moduleOut"
}

# A failed xunit test's name, message and the first lines of its stack trace, from the trx (the console logger at
# -v q prints no reason).
function Write-TrxFailures {
    param([string] $Path)
    [xml] $trx = Get-Content -LiteralPath $Path -Raw
    foreach ($result in @($trx.TestRun.Results.UnitTestResult | Where-Object { $_ -and $_.outcome -ne 'Passed' -and $_.outcome -ne 'NotExecuted' })) {
        Write-Host "  [-] $($result.testName)" -ForegroundColor Red
        $info = $result.Output.ErrorInfo
        if ($info) {
            foreach ($line in "$($info.Message)" -split "`r?`n" | Where-Object { $_ }) { Write-Host "      $line" }
            foreach ($line in "$($info.StackTrace)" -split "`r?`n" | Where-Object { $_ -match '\bWeComSync\.' } | Select-Object -First 3) { Write-Host "      $($line.Trim())" }
        }
    }
}

function Read-TrxCounts {
    param([string] $Path)
    [xml] $trx = Get-Content -LiteralPath $Path -Raw
    $c = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int] $c.passed
        Failed  = [int] $c.failed + [int] $c.error + [int] $c.timeout + [int] $c.aborted
        Skipped = [int] $c.notExecuted
    }
}

function Invoke-Test {
    $results = Join-Path $out 'TestResults'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory -Path $results | Out-Null
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $add = { param($counts, $label)
        $red = if ($counts.Failed) { @{ ForegroundColor = 'Red' } } else { @{} }
        if ($label) { Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $label, $counts.Passed, $counts.Failed, $counts.Skipped) @red }
        $totals.Passed += $counts.Passed; $totals.Failed += $counts.Failed; $totals.Skipped += $counts.Skipped
    }

    foreach ($project in Get-ChildItem -Path (Join-Path $root 'tests') -Filter '*.Tests.csproj' -Recurse) {
        $name = $project.BaseName
        $trxName = "$name.trx"
        $testArgs = @('test', $project.FullName, '-c', $Configuration, '--no-build', '--nologo',
            '--logger', "trx;LogFileName=$trxName", '--results-directory', $results, '-v', 'q')
        if ($TestFilter) { $testArgs += @('--filter', $TestFilter) }
        # Quiet: the one line per project below; on a failure the failed tests' reasons, or dotnet's own output when
        # it wrote no results (a build or test host failure).
        $said = & dotnet @testArgs 2>&1
        $exit = $LASTEXITCODE
        $trx = Join-Path $results $trxName
        if (Test-Path $trx) {
            $counts = Read-TrxCounts $trx
            & $add $counts $name
            if ($counts.Failed -gt 0) { Write-TrxFailures $trx }
            elseif ($exit -ne 0) { $said | Select-Object -Last 30 | Out-Host }
        }
        else {
            Write-Host "$name produced no results (exit code $exit): counted as one failure" -ForegroundColor Red
            $said | Select-Object -Last 30 | Out-Host
            & $add ([pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }) $name
        }
    }

    # Contract tests in another runtime (e.g. the Authing Node SDK against the emulator): each tests/Contract/*/run.ps1
    # writes a JSON file with Passed/Failed/Skipped, or skips itself with a printed reason.
    foreach ($contract in Get-ChildItem -Path (Join-Path $root 'tests/Contract') -Filter 'run.ps1' -Recurse -ErrorAction SilentlyContinue) {
        $label = "contract $($contract.Directory.Name)"
        $json = Join-Path $results "$($contract.Directory.Name).contract.json"
        $code = Invoke-ChildPwsh -File $contract.FullName -ArgumentList @('-ResultPath', $json, '-Configuration', $Configuration)
        if (Test-Path $json) { & $add (Get-Content $json -Raw | ConvertFrom-Json) $label }
        elseif ($code -ne 0) { & $add ([pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }) $label }
    }

    $pesterJson = Join-Path $results 'pester.json'
    $pesterArgs = @('-ModulePath', (Join-Path $moduleOut 'WeComSync.psd1'), '-PesterPath', (Get-PesterModulePath),
        '-ResultPath', $pesterJson, '-Configuration', $Configuration)
    if ($PesterFilter) { $pesterArgs += @('-Filter', $PesterFilter) }
    $code = Invoke-ChildPwsh -File (Join-Path $root 'tests/Module/Invoke-ModuleTests.ps1') -ArgumentList $pesterArgs
    # Invoke-ModuleTests.ps1 printed a line per file: no other line for Pester.
    if (Test-Path $pesterJson) { & $add (Get-Content $pesterJson -Raw | ConvertFrom-Json) $null }
    else {
        Write-Host "Pester produced no results (exit code $code): counted as one failure" -ForegroundColor Red
        & $add ([pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }) 'Pester'
    }

    # The closing line CI reads: every test of every runner.
    Write-Host ''
    Write-Host ("{0} passed, {1} failed, {2} skipped" -f $totals.Passed, $totals.Failed, $totals.Skipped)
    if ($totals.Failed -gt 0) { exit 1 }
}

function Invoke-Bench {
    $scripts = Get-ChildItem -Path (Join-Path $root 'bench') -Filter '*.Bench.ps1' | Sort-Object Name
    foreach ($script in $scripts) {
        Write-Host "==> Bench: $($script.BaseName)" -ForegroundColor Cyan
        $code = Invoke-ChildPwsh -File $script.FullName -ArgumentList @('-ModulePath', (Join-Path $moduleOut 'WeComSync.psd1'), '-Configuration', $Configuration)
        if ($code -ne 0) { Write-Warning "$($script.Name) exited with $code" }
    }
}

function Invoke-Demo {
    $code = Invoke-ChildPwsh -File (Join-Path $root 'demo/Invoke-Demo.ps1') -ArgumentList @('-ModulePath', (Join-Path $moduleOut 'WeComSync.psd1'), '-Configuration', $Configuration)
    if ($code -ne 0) { exit $code }
}

function Invoke-Package {
    $code = Invoke-ChildPwsh -File (Join-Path $root 'tools/Build-Package.ps1') -ArgumentList @('-ModulePath', $moduleOut, '-DestinationPath', $out)
    if ($code -ne 0) { throw "Packaging failed (exit code $code)." }
}

function Invoke-Clean {
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    Get-ChildItem -Path $root -Include 'bin', 'obj' -Directory -Recurse | Remove-Item -Recurse -Force
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Test' { Invoke-Build; Invoke-Test }
        'Bench' { Invoke-Build; Invoke-Bench }
        'Demo' { Invoke-Build; Invoke-Demo }
        'Package' { Invoke-Build; Invoke-Package }
    }
}
