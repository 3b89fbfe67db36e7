<#
.SYNOPSIS
    Contract test: the official Authing Node SDK (pinned in package.json / package-lock.json) against the emulator.
.DESCRIPTION
    Called by build.ps1 -Task Test. Installs the SDK with 'npm ci', starts the built emulator through
    tools/Emulator.psm1, runs contract.js with ManagementClient pointed at it, stops the emulator, and writes
    {Passed, Failed, Skipped} to -ResultPath. Without node/npm (and no way to install the Debian packages nodejs
    and npm), or when 'npm ci' fails, it prints one line saying why and records one skipped test.
#>
param(
    [Parameter(Mandatory)] [string] $ResultPath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'

function Write-Result([int] $Passed, [int] $Failed, [int] $Skipped) {
    [pscustomobject]@{ Passed = $Passed; Failed = $Failed; Skipped = $Skipped } | ConvertTo-Json | Set-Content -LiteralPath $ResultPath -Encoding utf8
}

function Skip([string] $Reason) {
    Write-Host "Skipped: the Authing Node SDK contract test did not run: $Reason" -ForegroundColor Yellow
    Write-Result 0 0 1
    exit 0
}

# node and npm: the first on PATH; else the Debian packages installed here (as root with apt-get); else skip with why.
Import-Module (Join-Path $PSScriptRoot '../../Module/TestSupport.psm1') -Force
$node = Resolve-TestProgram node, nodejs -DebianPackage nodejs, npm
if ($node.SkipReason) { Skip $node.SkipReason }
$npm = Resolve-TestProgram npm -DebianPackage nodejs, npm
if ($npm.SkipReason) { Skip $npm.SkipReason }

Push-Location $PSScriptRoot
try {
    $install = & $npm.Path ci --no-audit --no-fund --loglevel=error 2>&1
    if ($LASTEXITCODE -ne 0) { Skip "'npm ci' failed (exit code $LASTEXITCODE): $(($install | Select-Object -Last 3) -join ' ')" }

    Import-Module (Join-Path $PSScriptRoot '../../../tools/Emulator.psm1') -Force
    $emulator = Start-WeComSyncEmulator -Configuration $Configuration
    try {
        if (Test-Path $ResultPath) { Remove-Item $ResultPath }
        # Quiet when green (build.ps1 prints the counts); the failed tests' lines when red.
        $said = & $node.Path (Join-Path $PSScriptRoot 'contract.js') $emulator.BaseUrl $ResultPath 2>&1
        $code = $LASTEXITCODE
        if ($code -ne 0) { $said | Where-Object { "$_" -notmatch '^\s*\[\+\]' } | Out-Host }
    }
    finally {
        $emulator | Stop-WeComSyncEmulator
    }
    if (-not (Test-Path $ResultPath)) {
        Write-Host "contract.js wrote no result (exit code $code): counted as one failure" -ForegroundColor Red
        Write-Result 0 1 0
    }
    exit $code
}
finally {
    Pop-Location
}
