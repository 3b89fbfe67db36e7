<#
.SYNOPSIS
    Compare-Directory on N vs N users with 1 % differences, against Compare-Object -Property on the same objects and a
    plain C# hash join (the lower bound), in the same session; plus growth from 10 000 to N users, and the same comparison
    with five mapped fields (custom export columns compared through -FieldMap) against the one without (target <= 1.2x),
    from back-to-back pairs of runs.
.DESCRIPTION
    Built for a noisy, shared 2-core machine: every operation is warmed up first (so all run jitted code), then measured
    several times with a full GC before each run, round-robin (a burst of load from elsewhere hits every operation alike
    instead of one), and reported by its median. Each ratio is computed from medians measured in this session.
    Per run: elapsed time, bytes allocated (every thread), and the peak working set reached during the run above the
    working set before it (on Linux the kernel's peak is reset before each run; elsewhere it is the session's peak).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Configuration = 'Release',
    [int] $Count = 100000,
    # Measured runs per fast operation (median reported).
    [int] $Repeat = 7,
    # Compare-Object takes seconds per run: fewer runs, still a median.
    [int] $CompareObjectRepeat = 3,
    # Pairs of runs (without and with five mapped fields, back to back) behind the mapped-field ratio.
    [int] $PairRepeat = 15
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force
$fields = 'Name', 'Alias', 'Position', 'Mobile', 'Telephone', 'Email', 'Address', 'Gender', 'Enabled'

Add-Type -ReferencedAssemblies ([WeComSync.Model.User].Assembly.Location), 'netstandard', 'System.Collections', 'System.Linq', 'System.Runtime', 'System.Diagnostics.Process', 'System.ComponentModel.Primitives' -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using WeComSync.Model;
public static class CompareBench
{
    public static User[][] Make(int n, int seed)
    {
        var r = new Random(seed);
        var source = new User[n]; var target = new User[n];
        for (int i = 0; i < n; i++)
        {
            var s = new User { UserId = "user" + i, Name = "用户" + i, Alias = "u" + i, Position = "工程师", Mobile = "+86 138" + i.ToString("D8"),
                Telephone = "010-" + i, Email = "user" + i + "@acme.cn", Address = "北京", Gender = (Gender)(i % 3), Enabled = true,
                Departments = new List<string> { "公司/研发部/组" + (i % 50) } };
            var t = new User { UserId = s.UserId, Name = s.Name, Alias = s.Alias, Position = s.Position, Mobile = s.Mobile, Telephone = s.Telephone,
                Email = s.Email, Address = s.Address, Gender = s.Gender, Enabled = s.Enabled, Departments = new List<string>(s.Departments) };
            // Five custom columns, as the export and a mapped Authing read carry them (compared only with -FieldMap).
            foreach (var u in new[] { s, t })
            {
                u.Extra["工号"] = "A" + i; u.Extra["入职日期"] = "2024-01-" + (1 + i % 28).ToString("D2"); u.Extra["职级"] = "P" + (i % 9);
                u.Extra["成本中心"] = "CC" + (i % 40); u.Extra["工作地点"] = "北京";
            }
            if (r.Next(100) == 0) t.Mobile = "+86 139" + i.ToString("D8");   // 1 % differ
            source[i] = s; target[i] = t;
        }
        return new[] { source, target };
    }

    // The lower bound: one dictionary, ordinal string compares, no normalisation, no plan objects beyond a count.
    public static int HashJoin(User[] source, User[] target)
    {
        var byId = new Dictionary<string, User>(target.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var t in target) byId[t.UserId] = t;
        int changed = 0;
        foreach (var s in source)
        {
            if (!byId.TryGetValue(s.UserId, out var t)) { changed++; continue; }
            if (s.Name != t.Name || s.Alias != t.Alias || s.Position != t.Position || s.Mobile != t.Mobile || s.Telephone != t.Telephone ||
                s.Email != t.Email || s.Address != t.Address || s.Gender != t.Gender || s.Enabled != t.Enabled) changed++;
        }
        return changed;
    }

    // Linux keeps the peak resident set (VmHWM) per process and resets it when "5" is written to clear_refs.
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception) { return false; }
    }

    public static long WorkingSet() { using (var p = Process.GetCurrentProcess()) return p.WorkingSet64; }
    public static long PeakWorkingSet() { using (var p = Process.GetCurrentProcess()) return p.PeakWorkingSet64; }
}
'@

$script:peakResets = $false
function Invoke-Measured([scriptblock] $Op) {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $script:peakResets = [CompareBench]::ResetPeak()
    $ws = [CompareBench]::WorkingSet()
    $before = [GC]::GetTotalAllocatedBytes($true)
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $result = & $Op
    $sw.Stop()
    $alloc = [GC]::GetTotalAllocatedBytes($true) - $before
    [pscustomobject]@{ Ms = $sw.Elapsed.TotalMilliseconds; Bytes = $alloc; Peak = [Math]::Max(0, [CompareBench]::PeakWorkingSet() - $ws); Result = $result }
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $mid = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$mid] }
    ($sorted[$mid - 1] + $sorted[$mid]) / 2
}

Write-Host "Compare-Directory benchmark: $Count vs $Count users, 1 % differing, fields: $($fields -join ', ')"
$big = [CompareBench]::Make($Count, 42)
$smallCount = [Math]::Min(10000, $Count)
$small = [CompareBench]::Make($smallCount, 7)
$options = [WeComSync.Comparison.CompareOptions]@{ Property = [string[]]$fields }
$fieldMap = @{ '工号' = 'externalId'; '入职日期' = 'customData.hired_on'; '职级' = 'customData.level'; '成本中心' = 'customData.cost_center'; '工作地点' = 'customData.site' }
$mappedFields = $fields + $fieldMap.Keys

# Name, users, runs, operation. Compare-Object runs on the same objects with the same fields plus the key.
$ops = @(
    @{ Name = 'Compare-Directory'; Users = $Count; Runs = $Repeat; Op = { @(Compare-Directory -ReferenceObject $big[0] -DifferenceObject $big[1] -Property $fields).Count } }
    @{ Name = 'Compare-Directory +5'; Users = $Count; Runs = $Repeat; Op = { @(Compare-Directory -ReferenceObject $big[0] -DifferenceObject $big[1] -Property $mappedFields -FieldMap $fieldMap).Count } }
    @{ Name = 'core engine alone'; Users = $Count; Runs = $Repeat; Op = { [WeComSync.Comparison.DirectoryComparer]::CompareUsers($big[0], $big[1], $options).Changes.Count } }
    @{ Name = 'C# hash join'; Users = $Count; Runs = $Repeat; Op = { [CompareBench]::HashJoin($big[0], $big[1]) } }
    @{ Name = 'Compare-Directory 10k'; Users = $smallCount; Runs = $Repeat; Op = { @(Compare-Directory -ReferenceObject $small[0] -DifferenceObject $small[1] -Property $fields).Count } }
    @{ Name = 'C# hash join 10k'; Users = $smallCount; Runs = $Repeat; Op = { [CompareBench]::HashJoin($small[0], $small[1]) } }
    @{ Name = 'Compare-Object'; Users = $Count; Runs = $CompareObjectRepeat; Op = { @(Compare-Object -ReferenceObject $big[0] -DifferenceObject $big[1] -Property ($fields + 'UserId')).Count } }
)

# Warm-up: enough calls on small inputs for the JIT to promote the hot methods, then one full-size run of each fast op.
$tiny = [CompareBench]::Make(500, 3)
for ($i = 0; $i -lt 40; $i++) {
    $null = [CompareBench]::HashJoin($tiny[0], $tiny[1])
    $null = [WeComSync.Comparison.DirectoryComparer]::CompareUsers($tiny[0], $tiny[1], $options)
    $null = Compare-Directory -ReferenceObject $tiny[0] -DifferenceObject $tiny[1] -Property $fields
    $null = Compare-Directory -ReferenceObject $tiny[0] -DifferenceObject $tiny[1] -Property $mappedFields -FieldMap $fieldMap
}
$null = Compare-Object -ReferenceObject $tiny[0] -DifferenceObject $tiny[1] -Property ($fields + 'UserId')
Start-Sleep -Milliseconds 300   # let background tier-1 compilation finish
foreach ($op in $ops) { if ($op.Name -ne 'Compare-Object') { $null = & $op.Op } }

# Round-robin: run k of every operation before run k+1 of any.
$runs = @{}; foreach ($op in $ops) { $runs[$op.Name] = [System.Collections.Generic.List[object]]::new() }
$rounds = ($ops | ForEach-Object { $_.Runs } | Measure-Object -Maximum).Maximum
for ($k = 0; $k -lt $rounds; $k++) {
    foreach ($op in $ops) { if ($k -lt $op.Runs) { $runs[$op.Name].Add((Invoke-Measured $op.Op)) } }
}

$m = @{}
Write-Host ''
Write-Host ('{0,-22} {1,9} {2,12} {3,11} {4,12} {5,11}  {6}' -f 'operation', 'users', 'median ms', 'range ms', 'allocated', 'peak WS +', 'result')
foreach ($op in $ops) {
    $r = $runs[$op.Name]
    $x = [pscustomobject]@{
        Ms = Get-Median ($r | ForEach-Object Ms); Bytes = Get-Median ($r | ForEach-Object Bytes); Peak = Get-Median ($r | ForEach-Object Peak)
        Min = ($r | Measure-Object Ms -Minimum).Minimum; Max = ($r | Measure-Object Ms -Maximum).Maximum; Users = $op.Users; Result = $r[-1].Result
    }
    $m[$op.Name] = $x
    Write-Host ('{0,-22} {1,9:N0} {2,12:N1} {3,11} {4,9:N1} MB {5,8:N1} MB  {6}' -f $op.Name, $x.Users, $x.Ms, ('{0:N0}-{1:N0}' -f $x.Min, $x.Max), ($x.Bytes / 1MB), ($x.Peak / 1MB), $x.Result)
}
if (-not $script:peakResets) { Write-Host '(peak WS: this OS cannot reset the peak, so it is the session''s peak above the run''s start, an upper bound)' }

$cd = $m['Compare-Directory']; $core = $m['core engine alone']; $hj = $m['C# hash join']; $co = $m['Compare-Object']
$cd10 = $m['Compare-Directory 10k']; $hj10 = $m['C# hash join 10k']
Write-Host ''
Write-Host ('Compare-Directory is {0:N1}x faster than Compare-Object (target >= 50x), allocating {1:N3}x its bytes, peak WS {2:N2}x' -f `
    ($co.Ms / $cd.Ms), ($cd.Bytes / $co.Bytes), ($cd.Peak / [Math]::Max($co.Peak, 1)))
Write-Host ('Compare-Directory takes {0:N2}x the C# hash-join lower bound (target <= 3x), allocating {1:N1}x its bytes' -f ($cd.Ms / $hj.Ms), ($cd.Bytes / $hj.Bytes))
Write-Host ('Core engine alone (no cmdlet binding, conversion or output) takes {0:N2}x the hash-join bound, allocating {1:N1}x its bytes' -f ($core.Ms / $hj.Ms), ($core.Bytes / $hj.Bytes))
$growth = ($cd.Ms / $cd.Users) / ($cd10.Ms / $cd10.Users)
$hjGrowth = ($hj.Ms / $hj.Users) / ($hj10.Ms / $hj10.Users)
Write-Host ('Growth {0:N0} -> {1:N0} users: Compare-Directory time per user x{2:N2} (1.0 = linear); the hash join''s own x{3:N2} (caches: the bound is not linear either)' -f `
    $cd10.Users, $cd.Users, $growth, $hjGrowth)
# The mapped-field ratio from pairs: one run without and one with the five mapped fields back to back (order
# alternating), so a burst of load from elsewhere hits both runs of a pair; the ratio is the median of the pairs'.
$plain = ($ops | Where-Object Name -EQ 'Compare-Directory').Op
$withMapped = ($ops | Where-Object Name -EQ 'Compare-Directory +5').Op
$pairRatios = [System.Collections.Generic.List[double]]::new(); $pairBytes = [System.Collections.Generic.List[double]]::new()
for ($k = 0; $k -lt $PairRepeat; $k++) {
    if ($k % 2) { $with = Invoke-Measured $withMapped; $without = Invoke-Measured $plain }
    else { $without = Invoke-Measured $plain; $with = Invoke-Measured $withMapped }
    $pairRatios.Add($with.Ms / $without.Ms); $pairBytes.Add($with.Bytes / $without.Bytes)
}
$mapped = $m['Compare-Directory +5']
$ratio = Get-Median $pairRatios
Write-Host ('Five mapped fields: Compare-Directory takes {0:N2}x its time without them (target <= 1.2x: {1}; median of {2} back-to-back pairs, range {3:N2}-{4:N2}; medians above: {5:N2}x), allocating {6:N2}x its bytes' -f `
    $ratio, ($(if ($ratio -le 1.2) { 'met' } else { 'NOT met' })), $PairRepeat, ($pairRatios | Measure-Object -Minimum).Minimum, ($pairRatios | Measure-Object -Maximum).Maximum,
    ($mapped.Ms / $cd.Ms), (Get-Median $pairBytes))
