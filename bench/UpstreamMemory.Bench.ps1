<#
.SYNOPSIS
    Benchmark: peak memory (peak working set) of the whole upstream run, 100 000 members into an empty emulated
    Authing and the no-change re-run, as a ratio to Import-WeComAddressBook alone on the same file.
.DESCRIPTION
    Every figure is the peak working set of a fresh PowerShell (PeakWorkingSet64: VmHWM on Linux), so nothing another
    step allocated counts:
      - the module loaded, nothing read;
      - Import-WeComAddressBook streamed (| Out-Null), and with every member held ($users = Import-WeComAddressBook …),
        which is what any sync needs;
      - Invoke-WeComUpstreamSync on the file into an empty Authing (the first run), then the same again (no change);
    and the two runs' ratios to the import with the members held (target <= 3) and to the streamed import.
    The command is called by its name, whatever implements it (template or compiled cmdlet). The emulator runs in a
    process of its own, so its memory is not counted. Figures, not assertions: machines are noisy.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [int] $Users = 100000
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
$repo = Split-Path $PSScriptRoot
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
Import-Module $ModulePath -Force
Import-Module (Join-Path $repo 'tools/Emulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'Support/BenchExport.psm1') -Force

$work = Join-Path ([IO.Path]::GetTempPath()) "wecomsync-bench-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
New-Item -ItemType Directory -Path $work | Out-Null
$emulator = $null
try {
    # The upstream benchmark's export: 20 x 10 x 9 departments, mobiles and emails unique as Authing requires.
    $export = New-BenchUpstreamExport -Users $Users -Folder $work -Configuration $Configuration -Groups 20 -Units 10 -Teams 9

    $emulator = Start-WeComSyncEmulator -Configuration $Configuration
    $secret = ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force
    Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $emulator.BaseUrl -OrganizationCode emulator-org
    Initialize-AuthingLinkField -Confirm:$false | Out-Null

    # One fresh PowerShell per figure; its last line is its peak working set in bytes.
    $pwsh = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $connect = "Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force) -ApiHost '$($emulator.BaseUrl)' -OrganizationCode emulator-org"
    $probe = {
        param([string] $Body)
        $command = "`$ErrorActionPreference = 'Stop'; Import-Module '$ModulePath'; $Body; " +
            '$p = [Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); $p.PeakWorkingSet64'
        $lines = @(& $pwsh @prefix -NoProfile -NonInteractive -Command $command 2>&1)
        if ($LASTEXITCODE -ne 0) { throw "The probe failed (exit code $LASTEXITCODE): $($lines | Select-Object -Last 3)" }
        [double] ($lines | Select-Object -Last 1) / 1MB
    }
    $sync = "$connect; `$s = Invoke-WeComUpstreamSync -Path '$export' -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Select-Object -Last 1; " +
        "if (`$s.Status -ne 'Succeeded') { throw `"the run ended `$(`$s.Status): `$(`$s.Message)`" }"

    $baseline = & $probe '$null = 1'
    $streamed = & $probe "Import-WeComAddressBook -LiteralPath '$export' | Out-Null"
    $held = & $probe "`$users = Import-WeComAddressBook -LiteralPath '$export'"
    $first = [Diagnostics.Stopwatch]::StartNew()
    $firstRun = & $probe $sync
    $first.Stop()
    $created = @(Get-AuthingUser).Count
    $second = [Diagnostics.Stopwatch]::StartNew()
    $reRun = & $probe $sync
    $second.Stop()

    Write-Host ''
    Write-Host ("Upstream run, peak memory: {0:N0} members ({1:N1} MB CSV), {2:N0} users in Authing after the first run" -f $Users, ((Get-Item $export).Length / 1MB), $created)
    '{0,-52} {1,8:N0} MB' -f 'module loaded, nothing read', $baseline
    '{0,-52} {1,8:N0} MB' -f 'Import-WeComAddressBook, streamed', $streamed
    '{0,-52} {1,8:N0} MB' -f 'Import-WeComAddressBook, every member held', $held
    '{0,-52} {1,8:N0} MB  ratio {2:N2} of the import held (target <= 3), {3:N2} of streamed; {4:N0} s' -f 'Invoke-WeComUpstreamSync, first run (empty Authing)', $firstRun, ($firstRun / $held), ($firstRun / $streamed), $first.Elapsed.TotalSeconds
    '{0,-52} {1,8:N0} MB  ratio {2:N2} of the import held (target <= 3), {3:N2} of streamed; {4:N0} s' -f 'Invoke-WeComUpstreamSync, no-change re-run', $reRun, ($reRun / $held), ($reRun / $streamed), $second.Elapsed.TotalSeconds
    if ($created -ne $Users) { Write-Warning "the first run left $created users in Authing, not $Users" }
    if ($firstRun / $held -gt 3 -or $reRun / $held -gt 3) { Write-Warning 'a run took more than 3 times the memory of reading the file' }
}
finally {
    Disconnect-Authing
    if ($emulator) { $emulator | Stop-WeComSyncEmulator }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
