<#
.SYNOPSIS
    Run by Isolation.Tests.ps1 in a fresh pwsh: "another module" loads its own build of one of WeComSync's dependencies
    (before or after WeComSync), WeComSync runs an upstream sync against the emulator, and the other copy is used too.
    Prints one JSON object with what happened; any failure is reported in it rather than thrown.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # The other module's copy of one of our dependencies (a dll from the NuGet cache).
    [Parameter(Mandatory)] [string] $OtherAssembly,
    [Parameter(Mandatory)] [ValidateSet('OtherFirst', 'WeComSyncFirst')] [string] $Order,
    [Parameter(Mandatory)] [string] $BaseUrl,
    [Parameter(Mandatory)] [string] $ExportPath
)
$ErrorActionPreference = 'Stop'
$result = [ordered]@{ OtherLoaded = $false; OtherUsed = $false; SyncStatus = $null; Created = 0; Warnings = @(); Error = $null; Copies = @(); Ours = @() }

function Use-Other {
    # What the other module does with its copy: load it the way a binary module's manifest does, then call into it.
    $assembly = [Reflection.Assembly]::LoadFrom($OtherAssembly)
    $result.OtherLoaded = $assembly.Location -eq (Resolve-Path $OtherAssembly).Path
    switch ($assembly.GetName().Name) {
        'Polly.Core' { $ran = $false; [Polly.ResiliencePipeline]::Empty.Execute([Action] { $ran = $true }); $result.OtherUsed = $true }
        'System.Threading.RateLimiting' {
            $limiter = [System.Threading.RateLimiting.ConcurrencyLimiter]::new([System.Threading.RateLimiting.ConcurrencyLimiterOptions]@{ PermitLimit = 1; QueueLimit = 0 })
            $lease = $limiter.AttemptAcquire(1); $result.OtherUsed = $lease.IsAcquired; $lease.Dispose()
        }
        default { throw "no use defined for $($assembly.GetName().Name)" }
    }
}

function Use-WeComSync {
    $result.Warnings += @(Import-Module $ModulePath 3>&1 | ForEach-Object { "$_" })
    $secret = ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force
    Connect-Authing -AccessKeyId emulator-ak -AccessKeySecret $secret -ApiHost $BaseUrl -OrganizationCode emulator-org
    Initialize-AuthingLinkField -Confirm:$false | Out-Null
    $summary = Invoke-WeComUpstreamSync -Path $ExportPath 6>$null
    $result.SyncStatus = "$($summary.Status)"
    $result.Created = @(Get-AuthingUser).Count
}

try {
    if ($Order -eq 'OtherFirst') { Use-Other; Use-WeComSync } else { Use-WeComSync; Use-Other }
}
catch {
    $result.Error = "$_"
}
# Every copy of the dependency in the process, and the load context it lives in.
$name = [Reflection.AssemblyName]::GetAssemblyName($OtherAssembly).Name
$result.Copies = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.GetName().Name -eq $name } | ForEach-Object {
        [ordered]@{
            Context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
            Version = [Diagnostics.FileVersionInfo]::GetVersionInfo($_.Location).ProductVersion -replace '\+.*$'
            Location = $_.Location
        }
    })
# Every assembly loaded from the module's folder, and its load context.
$moduleDir = Split-Path (Resolve-Path $ModulePath).Path
$result.Ours = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location.StartsWith($moduleDir) } | ForEach-Object {
        [ordered]@{ Name = $_.GetName().Name; Context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name; Location = $_.Location.Substring($moduleDir.Length + 1) }
    })
$result | ConvertTo-Json -Depth 4 -Compress
