<#
    Builds the upstream benchmarks' WeCom console export: the generator's members, spread over a three-level tree of
    $Groups x $Units x $Teams departments (the generator's own tree is small), with mobiles and emails unique as
    Authing requires.
#>
function New-BenchUpstreamExport {
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [int] $Users,
        [Parameter(Mandatory)] [string] $Folder,
        [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
        [int] $Groups = 20,
        [int] $Units = 10,
        [int] $Teams = 9
    )
    $repo = Split-Path (Split-Path $PSScriptRoot)
    $raw = Join-Path $Folder 'raw.csv'
    $export = Join-Path $Folder 'contacts.csv'
    if (-not $PSCmdlet.ShouldProcess($export, "Write an export of $Users members")) { return }
    $generator = Join-Path $repo "tests/WeComSync.ExportGenerator/bin/$Configuration/net10.0/WeComSync.ExportGenerator.dll"
    & (Get-Command dotnet).Source $generator --users $Users --seed 11 --no-instructions --out $raw | Out-Host
    $rows = Import-Csv -LiteralPath $raw -Encoding utf8
    $company = ($rows[0].部门 -split '/')[0]
    $paths = [System.Collections.Generic.List[string]]::new()
    foreach ($g in 1..$Groups) { foreach ($u in 1..$Units) { foreach ($t in 1..$Teams) { $paths.Add("$company/事业群$g/部门$g-$u/小组$g-$u-$t") } } }
    # Authing keeps mobiles and emails unique per pool; random data repeats a few at this size: keep the first.
    $seenMobile = [System.Collections.Generic.HashSet[string]]::new()
    $seenEmail = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    for ($i = 0; $i -lt $rows.Count; $i++) {
        if ($rows[$i].手机 -and -not $seenMobile.Add($rows[$i].手机)) { $rows[$i].手机 = '' }
        if ($rows[$i].邮箱 -and -not $seenEmail.Add($rows[$i].邮箱)) { $rows[$i].邮箱 = '' }
        if (-not $rows[$i].手机 -and -not $rows[$i].邮箱) { $rows[$i].邮箱 = "bench$i@example.com" }
        $main = $paths[$i % $paths.Count]
        $rows[$i].部门 = if ($rows[$i].部门 -match '；') { $main + '；' + $paths[($i * 7 + 3) % $paths.Count] } else { $main }
    }
    $rows | Export-Csv -LiteralPath $export -Encoding utf8BOM -NoTypeInformation
    Remove-Item -LiteralPath $raw
    $export
}

Export-ModuleMember -Function New-BenchUpstreamExport
