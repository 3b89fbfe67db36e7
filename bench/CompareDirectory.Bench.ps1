<#
.SYNOPSIS
    Compare-Directory on N vs N users with 1 % differences, against Compare-Object -Property on the same objects and a
    plain C# hash join (the lower bound), in the same session; plus growth from 10 000 to 100 000 users.
    Every figure is printed as a ratio against the alternative measured in this run.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Configuration = 'Release',
    [int] $Count = 100000,
    # Compare-Object is slow: it is measured on this many users and reported per user (the ratio is per user too).
    [int] $CompareObjectCount = 100000
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force
$fields = 'Name', 'Alias', 'Position', 'Mobile', 'Telephone', 'Email', 'Address', 'Gender', 'Enabled'

Add-Type -ReferencedAssemblies ([WeComSync.Model.User].Assembly.Location), 'netstandard', 'System.Collections', 'System.Linq', 'System.Runtime' -TypeDefinition @'
using System;
using System.Collections.Generic;
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
}
'@

function Measure-Op([scriptblock] $Op, [int] $Repeat = 3) {
    $best = [double]::MaxValue; $alloc = 0; $result = $null
    for ($i = 0; $i -lt $Repeat; $i++) {
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        $before = [GC]::GetTotalAllocatedBytes($true)
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $result = & $Op
        $sw.Stop()
        $alloc = [GC]::GetTotalAllocatedBytes($true) - $before
        $best = [Math]::Min($best, $sw.Elapsed.TotalMilliseconds)
    }
    [pscustomobject]@{ Ms = $best; AllocatedMB = $alloc / 1MB; Result = $result }
}

Write-Host "Compare-Directory benchmark: $Count vs $Count users, 1 % differing, fields: $($fields -join ', ')"
$data = [CompareBench]::Make($Count, 42)
$src = $data[0]; $tgt = $data[1]

$cd = Measure-Op { @(Compare-Directory -ReferenceObject $src -DifferenceObject $tgt -Property $fields).Count } -Repeat 5
$hj = Measure-Op { [CompareBench]::HashJoin($src, $tgt) } -Repeat 5
Write-Host ("Compare-Directory : {0,9:N0} ms, {1,7:N1} MB allocated, {2} changes" -f $cd.Ms, $cd.AllocatedMB, $cd.Result)
Write-Host ("C# hash join      : {0,9:N1} ms, {1,7:N1} MB allocated, {2} differing (lower bound)" -f $hj.Ms, $hj.AllocatedMB, $hj.Result)

$coSrc = $src | Select-Object -First $CompareObjectCount
$coTgt = $tgt | Select-Object -First $CompareObjectCount
$co = Measure-Op { @(Compare-Object -ReferenceObject $coSrc -DifferenceObject $coTgt -Property ($fields + 'UserId')).Count } -Repeat 1
$coPerUser = $co.Ms / $CompareObjectCount
$cdPerUser = $cd.Ms / $Count
Write-Host ("Compare-Object    : {0,9:N0} ms, {1,7:N1} MB allocated on {2} users ({3} side indicators)" -f $co.Ms, $co.AllocatedMB, $CompareObjectCount, $co.Result)

Write-Host ''
Write-Host ("Compare-Directory is {0:N1}x faster than Compare-Object per user (target >= 50x), allocating {1:N2}x its memory per user" -f ($coPerUser / $cdPerUser), (($cd.AllocatedMB / $Count) / ($co.AllocatedMB / $CompareObjectCount)))
Write-Host ("Compare-Directory takes {0:N2}x the C# hash-join lower bound (target <= 3x), allocating {1:N1}x its memory" -f ($cd.Ms / $hj.Ms), ($cd.AllocatedMB / [Math]::Max($hj.AllocatedMB, 0.001)))
$coreOnly = Measure-Op { [WeComSync.Comparison.DirectoryComparer]::CompareUsers($src, $tgt, [WeComSync.Comparison.CompareOptions]@{ Property = [string[]]$fields }).Changes.Count }
Write-Host ("Core engine alone (no cmdlet binding) takes {0:N2}x the hash-join bound" -f ($coreOnly.Ms / $hj.Ms))

# Growth: time per user at 10 000 and at $Count.
$small = [CompareBench]::Make([Math]::Min(10000, $Count), 7)
$s10 = Measure-Op { @(Compare-Directory -ReferenceObject $small[0] -DifferenceObject $small[1] -Property $fields).Count }
$ratio = ($cd.Ms / $Count) / ($s10.Ms / $small[0].Length)
Write-Host ("Growth 10 000 -> {0:N0}: time per user x{1:N2} (1.0 = linear; {2:N0} ms for 10 000)" -f $Count, $ratio, $s10.Ms)
Write-Host ("Peak working set of this session: {0:N0} MB" -f ([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB))
