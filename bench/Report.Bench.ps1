<#
.SYNOPSIS
    Export-WeComSyncReport on a 100 000-change plan: the time to write it and the file's size, against Export-Clixml of
    the same plan (the other way a plan is kept) in the same session; and, where headless Chromium is installed, the
    time to open the report and to open it filtered, against opening a page of the same size with no script.
.DESCRIPTION
    Each operation is warmed up (on a 1 000-change slice), then measured -Repeat times round-robin with a full GC before
    each run (Export-Clixml, tens of seconds here, -ClixmlRepeat times); medians.
    The plan: N users wanted and N held, half of them new (creates with their values), the other half with a new mobile
    and department (updates with two fields old -> new), so every row carries field values as a real plan does.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Configuration = 'Release',
    [int] $Count = 100000,
    [int] $Repeat = 3,
    [int] $ClixmlRepeat = 1
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force

Add-Type -ReferencedAssemblies ([WeComSync.Model.User].Assembly.Location), 'netstandard', 'System.Collections', 'System.Linq', 'System.Runtime' -TypeDefinition @'
using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;
using WeComSync.Model;
public static class ReportBench
{
    public static Change[] Plan(int n)
    {
        var wanted = new List<User>(n); var held = new List<User>(n / 2);
        for (int i = 0; i < n; i++)
        {
            var u = new User { UserId = "user" + i, Name = "用户" + i, Position = "工程师", Mobile = "+86 138" + i.ToString("D8"), Email = "user" + i + "@acme.cn",
                Departments = new List<string> { "公司/研发部/组" + (i % 200) }, Source = DirectorySource.WeComExport, Origin = "contacts.xlsx, sheet 成员, row " + (i + 10) };
            wanted.Add(u);
            if (i % 2 == 1)
                held.Add(new User { UserId = u.UserId, Name = u.Name, Position = u.Position, Mobile = "+86 139" + i.ToString("D8"), Email = u.Email,
                    Departments = new List<string> { "公司/市场部/组" + (i % 50) }, Source = DirectorySource.Authing, SourceId = "a" + i });
        }
        return DirectoryComparer.CompareUsers(wanted, held).Changes.ToArray();
    }
}
'@

$work = Join-Path ([IO.Path]::GetTempPath()) ("wecomsync-report-bench-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $work | Out-Null
try {
    $plan = [ReportBench]::Plan($Count)
    Write-Host ("Plan: {0:N0} changes ({1:N0} creates, {2:N0} updates)" -f $plan.Count, @($plan | Where-Object Operation -eq 'Create').Count, @($plan | Where-Object Operation -eq 'Update').Count)
    $html = Join-Path $work 'plan.html'; $xml = Join-Path $work 'plan.xml'

    # Export-Clixml takes tens of seconds at this size and writes hundreds of MB: warmed up on a slice, measured once.
    $warm = $plan[0..999]
    Export-WeComSyncReport -InputObject $warm -OutFile $html; Export-Clixml -InputObject $warm -Path $xml
    $times = @{ 'Export-WeComSyncReport' = [Collections.Generic.List[double]]::new(); 'Export-Clixml' = [Collections.Generic.List[double]]::new() }
    for ($i = 0; $i -lt $Repeat; $i++) {
        foreach ($k in @('Export-WeComSyncReport', 'Export-Clixml')) {
            if ($k -eq 'Export-Clixml' -and $i -ge $ClixmlRepeat) { continue }
            [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
            $sw = [Diagnostics.Stopwatch]::StartNew()
            if ($k -eq 'Export-Clixml') { Export-Clixml -InputObject $plan -Path $xml } else { Export-WeComSyncReport -InputObject $plan -OutFile $html }
            $sw.Stop()
            $times[$k].Add($sw.Elapsed.TotalSeconds)
        }
    }
    $median = { param($list) $s = @($list | Sort-Object); $s[[int][math]::Floor($s.Count / 2)] }
    $report = & $median $times['Export-WeComSyncReport']; $clixml = & $median $times['Export-Clixml']
    $htmlSize = (Get-Item $html).Length; $xmlSize = (Get-Item $xml).Length
    Write-Host ("Write {0:N0} changes: report {1:N2} s, Export-Clixml {2:N2} s  -> report takes {3:N2}x the time of Export-Clixml" -f $plan.Count, $report, $clixml, ($report / $clixml))
    Write-Host ("Size: report {0:N1} MB, Clixml {1:N1} MB  -> report is {2:N2}x the size of the saved plan ({3:N0} bytes a change)" -f ($htmlSize / 1MB), ($xmlSize / 1MB), ($htmlSize / $xmlSize), ($htmlSize / $plan.Count))

    # Opening it: headless Chromium, the page loaded and the table drawn (the script sets data-ready), plain and filtered,
    # against a page of the same size with no script (the browser's own parsing cost).
    $chromium = (Get-Command chromium -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
    if (-not $chromium) { Write-Host 'Opening: skipped (chromium is not installed; tests/Module/Report.Tests.ps1 installs it).'; return }
    $plain = Join-Path $work 'plain.html'
    $filler = 'x' * 1000
    $writer = [IO.StreamWriter]::new($plain)
    $writer.Write('<!DOCTYPE html><html><body><pre>')
    for ($written = 0L; $written -lt $htmlSize; $written += 1001) { $writer.WriteLine($filler) }
    $writer.Write('</pre></body></html>'); $writer.Dispose()
    function Open([string] $File, [string] $Hash = '') {
        $url = [uri]::new($File).AbsoluteUri + $Hash
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $dom = & $chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "--user-data-dir=$(Join-Path $work 'profile')" --dump-dom $url 2>$null
        $sw.Stop()
        [pscustomobject]@{ Seconds = $sw.Elapsed.TotalSeconds; Ready = [bool]($dom -match 'data-ready="1"'); Matching = [regex]::Match(($dom -join "`n"), 'data-matching="(\d+)"').Groups[1].Value }
    }
    $opens = [ordered]@{ 'report' = @{ File = $html; Hash = '' }; 'report filtered' = @{ File = $html; Hash = '#q=user4242' }; 'same-size page, no script' = @{ File = $plain; Hash = '' } }
    $openTimes = @{}; foreach ($k in $opens.Keys) { $openTimes[$k] = [Collections.Generic.List[double]]::new(); $null = Open $opens[$k].File $opens[$k].Hash }
    for ($i = 0; $i -lt $Repeat; $i++) {
        foreach ($k in $opens.Keys) {
            $r = Open $opens[$k].File $opens[$k].Hash
            if ($k -like 'report*' -and -not $r.Ready) { throw "The report did not finish drawing in Chromium ($k)." }
            if ($k -eq 'report filtered' -and $r.Matching -ne '1') { throw "The filtered report shows $($r.Matching) rows, expected 1." }
            $openTimes[$k].Add($r.Seconds)
        }
    }
    $base = & $median $openTimes['same-size page, no script']
    foreach ($k in $opens.Keys) {
        $t = & $median $openTimes[$k]
        Write-Host ("Open in headless Chromium, {0}: {1:N2} s  -> {2:N2}x a same-size page with no script" -f $k, $t, ($t / $base))
    }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
