<#
.SYNOPSIS
    Benchmarks Import-WeComAddressBook on a generated 100 000-row export.
.DESCRIPTION
    Prints, measured in this one session on the same rows:
      - Import-WeComAddressBook rows/s, and its time as a ratio of Import-Csv on the same rows saved as a plain CSV
        (target <= 0.5: at least twice as fast as what an admin would otherwise use);
      - the cmdlet on the same members exported as CSV (the console's layout) against Import-Csv: same format;
      - its time as a ratio of ExcelDataReader's bare row loop over the same .xlsx (every cell read, nothing else done;
        target <= 2);
      - the core reader alone (no PowerShell pipeline) against the same bare loop;
      - peak memory (peak working set) of a fresh PowerShell that streams the file through the cmdlet, next to a fresh
        PowerShell that only imports the module (target: under 300 MB for 100 000 rows);
      - the look for error cells in an .xls (XlsInspection) against the bare loop over the same .xls;
      - a zip bomb (the real template whose sheet expands to 1 GB from about 1 MB): the time until it is refused and
        the peak memory of a fresh PowerShell that tries it (target: refused within seconds, memory near the baseline).
    Each timing is the best of -Repeat runs after one warm-up run. Figures, not assertions: machines are noisy.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Configuration = 'Release',
    [int] $Users = 100000,
    [int] $Repeat = 3
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$root = Split-Path $PSScriptRoot
$generator = Join-Path $root "tests/WeComSync.ExportGenerator/bin/$Configuration/net10.0/WeComSync.ExportGenerator.dll"
if (-not (Test-Path $generator)) { throw "Build first: $generator is missing." }
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
Import-Module $ModulePath -Force
$moduleDir = Split-Path (Resolve-Path $ModulePath)

$work = Join-Path ([IO.Path]::GetTempPath()) ("wecomsync-bench-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $work | Out-Null
try {
    $xlsx = Join-Path $work 'contacts.xlsx'
    $csv = Join-Path $work 'contacts.csv'
    & dotnet $generator --users $Users --seed 42 --multi-dept-rate 0.1 --out $xlsx | Write-Host
    & dotnet $generator --users $Users --seed 42 --multi-dept-rate 0.1 --no-instructions --encoding utf8-bom --out $csv | Write-Host

    # ExcelDataReader's bare row loop, compiled (a PowerShell loop would measure the interpreter, not the reader).
    # The module keeps its ExcelDataReader in its own load context (dependencies/); the loop loads the same file for itself.
    $edr = Join-Path $moduleDir 'dependencies/ExcelDataReader.dll'
    Add-Type -Path $edr
    Add-Type -ReferencedAssemblies $edr, 'netstandard', 'System.Data', 'System.Data.Common', 'System.Text.Encoding.CodePages', 'System.Runtime', 'System.Collections' -TypeDefinition @'
public static class BareExcelLoop
{
    public static int Run(string path)
    {
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        int rows = 0;
        using (var stream = System.IO.File.OpenRead(path))
        using (var reader = ExcelDataReader.ExcelReaderFactory.CreateReader(stream))
        {
            do
            {
                while (reader.Read())
                {
                    for (int i = 0; i < reader.FieldCount; i++) { object v = reader.GetValue(i); }
                    rows++;
                }
            } while (reader.NextResult());
        }
        return rows;
    }
}
'@

    function Measure-Best {
        param([scriptblock] $Script)
        & $Script | Out-Null  # warm-up: JIT, file cache
        $best = [double]::MaxValue
        for ($i = 0; $i -lt $Repeat; $i++) {
            [GC]::Collect(); [GC]::WaitForPendingFinalizers()
            $t = (Measure-Command { & $Script | Out-Null }).TotalSeconds
            if ($t -lt $best) { $best = $t }
        }
        $best
    }

    $count = 0
    $cmdlet = Measure-Best { $script:imported = Import-WeComAddressBook -LiteralPath $xlsx; $script:count = $script:imported.Count; $script:imported = $null }
    $exportCsv = Join-Path $work 'contacts-export.csv'
    & dotnet $generator --users $Users --seed 42 --multi-dept-rate 0.1 --encoding utf8-bom --out $exportCsv | Out-Null
    $cmdletCsv = Measure-Best { $script:imported = Import-WeComAddressBook -LiteralPath $exportCsv; $script:imported = $null }
    $importCsv = Measure-Best { $script:rows = Import-Csv -LiteralPath $csv; $script:rows = $null }
    $bare = Measure-Best { [BareExcelLoop]::Run($xlsx) }
    $core = Measure-Best { [System.Linq.Enumerable]::Count[WeComSync.Model.User]([WeComSync.AddressBook.AddressBookReader]::new().ReadUsers($xlsx)) }
    $departments = Measure-Best { Import-WeComAddressBook -LiteralPath $xlsx -Department }
    # The look at the package before ExcelDataReader opens it (bounds, error cells, formulas): its share of the import.
    $inspection = [WeComSync.AddressBook.AddressBookReader].Assembly.GetType('WeComSync.AddressBook.XlsxInspection').GetMethod('Inspect')
    $inspect = Measure-Best { $fs = [IO.File]::OpenRead($xlsx); try { $null = $inspection.Invoke($null, @($fs, 'contacts.xlsx')) } finally { $fs.Dispose() } }
    # The same look for an .xls (error cells in its BIFF records), against ExcelDataReader's bare loop over that .xls
    # (BIFF8 holds at most 65 536 rows).
    $xls = Join-Path $work 'contacts.xls'
    $xlsUsers = [Math]::Min($Users, 60000)
    & dotnet $generator --users $xlsUsers --seed 42 --multi-dept-rate 0.1 --out $xls | Out-Null
    $xlsInspection = [WeComSync.AddressBook.AddressBookReader].Assembly.GetType('WeComSync.AddressBook.XlsInspection').GetMethod('Inspect')
    $xlsInspect = Measure-Best { $fs = [IO.File]::OpenRead($xls); try { $null = $xlsInspection.Invoke($null, @($fs)) } finally { $fs.Dispose() } }
    $xlsBare = Measure-Best { [BareExcelLoop]::Run($xls) }

    # Peak memory in fresh processes, so nothing else this session allocated counts.
    $pwsh = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $probe = {
        param($body)
        $command = "Import-Module '$ModulePath'; $body; [Diagnostics.Process]::GetCurrentProcess().Refresh(); [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64"
        [double](& $pwsh @prefix -NoProfile -NonInteractive -Command $command | Select-Object -Last 1) / 1MB
    }
    $baseline = & $probe '$null = 1'
    $streamed = & $probe "Import-WeComAddressBook -LiteralPath '$xlsx' | Out-Null"
    $held = & $probe "`$u = Import-WeComAddressBook -LiteralPath '$xlsx'"

    # A zip bomb: refused by the reader's look at the package before anything is expanded into memory.
    $bomb = Join-Path $work 'bomb.xlsx'
    & dotnet $generator --zip-bomb 1000 --out $bomb | Write-Host
    $bombRefused = (Measure-Command { try { Import-WeComAddressBook -LiteralPath $bomb | Out-Null } catch { $script:bombError = $_ } }).TotalSeconds
    if ($script:bombError.FullyQualifiedErrorId -notlike 'AddressBookTooLarge*') { throw "the zip bomb was not refused: $($script:bombError)" }
    $bombPeak = & $probe "try { Import-WeComAddressBook -LiteralPath '$bomb' | Out-Null } catch { }"

    Write-Host ''
    Write-Host ("Import-WeComAddressBook, {0:N0} members from {1:N1} MB xlsx" -f $count, ((Get-Item $xlsx).Length / 1MB))
    Write-Host ("  time                          {0,8:N2} s   {1,10:N0} rows/s" -f $cmdlet, ($count / $cmdlet))
    Write-Host ("  vs Import-Csv (same rows)     {0,8:N2} s   ratio {1:N2}  (target <= 0.50)" -f $importCsv, ($cmdlet / $importCsv))
    Write-Host ("  same cmdlet on the CSV export {0,8:N2} s   ratio {1:N2} of Import-Csv (same format)" -f $cmdletCsv, ($cmdletCsv / $importCsv))
    Write-Host ("  vs ExcelDataReader bare loop  {0,8:N2} s   ratio {1:N2}  (target <= 2.00)" -f $bare, ($cmdlet / $bare))
    Write-Host ("  core reader, no pipeline      {0,8:N2} s   ratio {1:N2} of the bare loop" -f $core, ($core / $bare))
    Write-Host ("  -Department (tree)            {0,8:N2} s   ratio {1:N2} of the bare loop" -f $departments, ($departments / $bare))
    Write-Host ("  package check alone           {0,8:N2} s   {1:P0} of the cmdlet's time (bounds, error cells, formulas)" -f $inspect, ($inspect / $cmdlet))
    Write-Host ("  .xls error-cell look alone    {0,8:N2} s   ratio {1:N2} of the bare loop over the same .xls ({2:N0} members)" -f $xlsInspect, ($xlsInspect / $xlsBare), $xlsUsers)
    Write-Host ("  peak memory, streamed         {0,8:N0} MB  (module loaded, nothing read: {1:N0} MB; target < 300 MB)" -f $streamed, $baseline)
    Write-Host ("  peak memory, all users held   {0,8:N0} MB  (`$u = Import-WeComAddressBook …)" -f $held)
    Write-Host ("  zip bomb, {0:N1} MB -> 1 GB    {1,8:N2} s   refused; peak memory {2:N0} MB ({3:N0} MB above the module alone)" -f ((Get-Item $bomb).Length / 1MB), $bombRefused, $bombPeak, ($bombPeak - $baseline))
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
