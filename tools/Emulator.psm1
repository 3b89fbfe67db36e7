<#
.SYNOPSIS
    Starts, stops and steers the WeCom + Authing API emulator (tests/WeComSync.Emulator) for Pester tests, the demo
    and the benchmarks.
.DESCRIPTION
    Start-WeComSyncEmulator runs the built emulator dll on 127.0.0.1 with a free port, waits for the base URL line
    and a readiness probe, and returns an object with BaseUrl and Process. Always stop it (try/finally):

        Import-Module ./tools/Emulator.psm1
        $emulator = Start-WeComSyncEmulator -Configuration Release
        try {
            Set-WeComSyncEmulatorSecretMode -BaseUrl $emulator.BaseUrl -Secret 'app-secret' -Mode self-built
            Get-WeComSyncEmulatorCallCount -BaseUrl $emulator.BaseUrl -Path /cgi-bin/user/create
        }
        finally { $emulator | Stop-WeComSyncEmulator }

    The known defaults (no seed): WeCom corp id 'ww-emulator', secret 'emulator-secret' (address-book sync), root
    department 1 '示例科技'; Authing pool 'emulator-pool', organization 'emulator-org', key 'emulator-ak'/'emulator-sk'.
    Every other cmdlet here is a thin wrapper over one control endpoint under /_emulator/ and takes -BaseUrl
    (also from the pipeline, by property name, so `$emulator | Reset-WeComSyncEmulator` works).
#>
Set-StrictMode -Version 3.0

$script:RepoRoot = Split-Path -Parent $PSScriptRoot

function Get-DotnetPath {
    if ($env:DOTNET_HOST_PATH -and (Test-Path $env:DOTNET_HOST_PATH)) { return $env:DOTNET_HOST_PATH }
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { return $process }
    $cmd = Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($cmd) { return $cmd.Source }
    throw 'dotnet was not found: the emulator needs the .NET SDK.'
}

function Invoke-EmulatorControl {
    param(
        [Parameter(Mandatory)] [string] $BaseUrl,
        [Parameter(Mandatory)] [string] $Method,
        [Parameter(Mandatory)] [string] $Path,
        $Body
    )
    $uri = $BaseUrl.TrimEnd('/') + '/_emulator/' + $Path.TrimStart('/')
    $params = @{ Uri = $uri; Method = $Method; ContentType = 'application/json; charset=utf-8' }
    if ($null -ne $Body) {
        $json = if ($Body -is [string]) { $Body } else { $Body | ConvertTo-Json -Depth 32 -Compress }
        $params.Body = [Text.Encoding]::UTF8.GetBytes($json)
    }
    try { Invoke-RestMethod @params }
    catch {
        $detail = $_.ErrorDetails.Message
        throw "Emulator control call $Method /_emulator/$Path failed: $(if ($detail) { $detail } else { $_.Exception.Message })"
    }
}

function Start-WeComSyncEmulator {
    <#
    .SYNOPSIS Starts the emulator (the built dll) on 127.0.0.1 and returns { BaseUrl, Process }.
    .PARAMETER Configuration Build configuration whose output to run (bin/<Configuration>/net10.0).
    .PARAMETER Seed A path to a seed JSON file, or an object/hashtable with wecom/authing parts.
    .PARAMETER Port The port; 0 (default) picks a free one.
    .PARAMETER TimeoutSeconds How long to wait for the emulator to be ready.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
        $Seed,
        [ValidateRange(0, 65535)] [int] $Port = 0,
        [int] $TimeoutSeconds = 60
    )
    $dll = Join-Path $script:RepoRoot "tests/WeComSync.Emulator/bin/$Configuration/net10.0/WeComSync.Emulator.dll"
    if (-not (Test-Path $dll)) { throw "The emulator is not built ($dll is missing): run 'dotnet build tests/WeComSync.Emulator -c $Configuration' or build.ps1 first." }

    # Its own process group, so that Ctrl+C in the console stops the sync under test, not the emulator: setsid starts
    # it in a new session (it execs in place: the process id stays the emulator's); on Windows a process without a
    # window gets a console of its own, which the console's Ctrl+C does not reach.
    $setsid = if (-not $IsWindows) { Get-Command setsid -CommandType Application -ErrorAction Ignore | Select-Object -First 1 }
    $psi = [Diagnostics.ProcessStartInfo]::new($(if ($setsid) { $setsid.Source } else { Get-DotnetPath }))
    foreach ($a in @(if ($setsid) { Get-DotnetPath }) + @($dll, '--port', "$Port")) { $psi.ArgumentList.Add($a) }
    $psi.CreateNoWindow = $true
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.Environment['DOTNET_CLI_TELEMETRY_OPTOUT'] = '1'
    $process = [Diagnostics.Process]::Start($psi)
    $ready = $false
    try {
        # Drain stderr so a chatty emulator can never block on a full pipe.
        $null = $process.StandardError.ReadToEndAsync()
        $lineTask = $process.StandardOutput.ReadLineAsync()
        if (-not $lineTask.Wait([TimeSpan]::FromSeconds($TimeoutSeconds)) -or -not $lineTask.Result) {
            throw "The emulator did not print its URL within $TimeoutSeconds s (exited: $($process.HasExited))."
        }
        $baseUrl = $lineTask.Result.Trim()
        if ($baseUrl -notmatch '^http://127\.0\.0\.1:\d+$') { throw "Unexpected first line from the emulator: '$baseUrl'" }
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not $ready) {
            try {
                $ready = (Invoke-RestMethod -Uri "$baseUrl/_emulator/health" -TimeoutSec 5) -eq 'ok'
            }
            catch {
                if ([DateTime]::UtcNow -gt $deadline) { throw "The emulator at $baseUrl did not answer its health probe within $TimeoutSeconds s." }
                Start-Sleep -Milliseconds 100
            }
        }
        $emulator = [pscustomobject]@{ PSTypeName = 'WeComSync.Emulator'; BaseUrl = $baseUrl; Process = $process }
        if ($null -ne $Seed) { $emulator | Set-WeComSyncEmulatorState -Seed $Seed }
        return $emulator
    }
    finally {
        if (-not $ready -and -not $process.HasExited) { $process.Kill($true); $null = $process.WaitForExit(5000) }
    }
}

function Stop-WeComSyncEmulator {
    <#
    .SYNOPSIS Stops an emulator started by Start-WeComSyncEmulator (idempotent).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [Diagnostics.Process] $Process)
    process {
        if (-not $Process.HasExited -and $PSCmdlet.ShouldProcess("emulator process $($Process.Id)", 'Stop')) {
            $Process.Kill($true)
            $null = $Process.WaitForExit(10000)
        }
    }
}

function Reset-WeComSyncEmulator {
    <# .SYNOPSIS Back to the known defaults: empty corp and pool, no limits, faults or counts. #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl)
    process { if ($PSCmdlet.ShouldProcess($BaseUrl, 'Reset')) { $null = Invoke-EmulatorControl $BaseUrl POST reset } }
}

function Set-WeComSyncEmulatorState {
    <# .SYNOPSIS Seeds the emulator: a JSON file path, JSON text, or an object with wecom/authing parts. #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [Parameter(Mandatory)] $Seed
    )
    process {
        $body = if ($Seed -is [string] -and $Seed.TrimStart().StartsWith('{')) { $Seed }
        elseif ($Seed -is [string] -or $Seed -is [IO.FileInfo]) { Get-Content -LiteralPath $Seed -Raw -Encoding utf8 }
        else { $Seed | ConvertTo-Json -Depth 32 -Compress }
        if ($PSCmdlet.ShouldProcess($BaseUrl, 'Seed')) { $null = Invoke-EmulatorControl $BaseUrl POST seed $body }
    }
}

function Set-WeComSyncEmulatorAuthingOrganization {
    <#
    .SYNOPSIS Seeds the default Authing organization with a generated tree and users (keeps the pool's custom fields), for downstream tests and benchmarks.
    .DESCRIPTION -DepartmentCount departments d0…dN: the first ones under the root, the others ten per parent, so the tree
    has three or more levels; -UserCount users u0…uN (username userN, a unique mobile with -PhonePrefix, an email), spread
    over the departments round robin.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [Parameter(Mandatory)] [int] $UserCount,
        [int] $DepartmentCount = 200,
        [int] $TopCount = [Math]::Max(1, [int][Math]::Sqrt($DepartmentCount) / 2),
        [ValidatePattern('^1\d\d$')] [string] $PhonePrefix = '139'
    )
    process {
        $state = Get-WeComSyncEmulatorState -BaseUrl $BaseUrl
        $root = ($state.authing.organizations | Where-Object organizationCode -EQ 'emulator-org').departmentId
        $departments = [System.Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt $DepartmentCount; $i++) {
            $parent = if ($i -lt $TopCount) { $root } else { "d$([int][Math]::Floor(($i - $TopCount) / 10))" }
            $departments.Add(@{ organizationCode = 'emulator-org'; departmentId = "d$i"; name = "部门$i"; parentDepartmentId = $parent })
        }
        $users = [System.Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt $UserCount; $i++) {
            $users.Add(@{ userId = "u$i"; username = "user$i"; name = "用户$i"; phone = ("$PhonePrefix{0:00000000}" -f $i); phoneCountryCode = '+86'; email = "user$i@example.com"; departmentIds = @("d$($i % $DepartmentCount)") })
        }
        $seed = @{ authing = @{
                organizations = @(@{ organizationCode = 'emulator-org'; organizationName = '示例科技'; departmentId = $root })
                customFields = @($state.authing.customFields); departments = $departments; users = $users } }
        if ($PSCmdlet.ShouldProcess($BaseUrl, "Seed $DepartmentCount departments and $UserCount users")) { Set-WeComSyncEmulatorState -BaseUrl $BaseUrl -Seed $seed }
    }
}

function Get-WeComSyncEmulatorState {
    <# .SYNOPSIS Dumps the emulator's state in the seed shape (wecom: departments, users; authing: organizations, departments, users, customFields). #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl)
    process { Invoke-EmulatorControl $BaseUrl GET state }
}

function Set-WeComSyncEmulatorSecretMode {
    <#
    .SYNOPSIS Sets what a WeCom secret may do.
    .PARAMETER Mode sync (full), sync-new-ip (48009 on detail reads), self-built / agent (sensitive fields withheld,
    writes 48002), untrusted-ip (60020), none (the secret is wrong: 40001).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [Parameter(Mandatory)] [string] $Secret,
        [Parameter(Mandatory)] [ValidateSet('sync', 'sync-new-ip', 'self-built', 'agent', 'untrusted-ip', 'none')] [string] $Mode
    )
    process {
        if ($PSCmdlet.ShouldProcess($BaseUrl, "Set a secret's mode to $Mode")) {
            $null = Invoke-EmulatorControl $BaseUrl POST wecom/secrets @{ secret = $Secret; mode = $Mode }
        }
    }
}

function Set-WeComSyncEmulatorSetting {
    <# .SYNOPSIS Sets emulator settings of one API: wecom {tokenExpiresIn, seatLimit, listLimit, corpId, creator}; authing {tokenExpiresIn, clockSkewSeconds, accessKeys}. #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [Parameter(Mandatory)] [ValidateSet('wecom', 'authing')] [string] $Api,
        [Parameter(Mandatory)] [hashtable] $Setting
    )
    process { if ($PSCmdlet.ShouldProcess($BaseUrl, "Set $Api settings")) { $null = Invoke-EmulatorControl $BaseUrl POST "$Api/settings" $Setting } }
}

function Set-WeComSyncEmulatorRateLimit {
    <#
    .SYNOPSIS Sets a per-API fixed-window rate limit (WeCom 45009 and blocked to the window's end; Authing 429) and/or a concurrency cap (WeCom 45033; Authing 429).
    .PARAMETER Path One API path (e.g. /cgi-bin/user/get); omitted: every path of the API, each counted on its own.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [Parameter(Mandatory)] [ValidateSet('wecom', 'authing')] [string] $Api,
        [string] $Path,
        [int] $Limit = -1,
        [double] $WindowSeconds = 60,
        [int] $Concurrency = -1
    )
    process {
        $body = @{ api = $Api }
        if ($Path) { $body.path = $Path }
        if ($Limit -ge 0) { $body.limit = $Limit; $body.windowSeconds = $WindowSeconds }
        if ($Concurrency -ge 0) { $body.concurrency = $Concurrency }
        if ($PSCmdlet.ShouldProcess($BaseUrl, "Set $Api rate limit")) { $null = Invoke-EmulatorControl $BaseUrl POST limits $body }
    }
}

function Clear-WeComSyncEmulatorRateLimit {
    <# .SYNOPSIS Removes every rate limit and concurrency cap. #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl)
    process { if ($PSCmdlet.ShouldProcess($BaseUrl, 'Clear rate limits')) { $null = Invoke-EmulatorControl $BaseUrl DELETE limits } }
}

function Set-WeComSyncEmulatorFault {
    <#
    .SYNOPSIS Injects a fault into matching calls.
    .PARAMETER Kind busy (WeCom -1 / Authing 500), http (bare HTTP -Status, default 503), throttle (45009 / 429),
    errcode (WeCom -Errcode / Authing -Status), drop (connection aborted), latency (-LatencyMs, then normal).
    .PARAMETER Page Only listing calls for that page (1-based).
    .PARAMETER Count Fire at most this many times (default: forever). -Skip lets that many matching calls pass first.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [ValidateSet('wecom', 'authing', '*')] [string] $Api = '*',
        [string] $Path,
        [Parameter(Mandatory)] [ValidateSet('busy', 'http', 'throttle', 'errcode', 'drop', 'latency')] [string] $Kind,
        [ValidateRange(0.0, 1.0)] [double] $Rate = 1.0,
        [int] $Count = -1,
        [int] $Skip = 0,
        [int] $Page = -1,
        [int] $LatencyMs = 0,
        [int] $Status = -1,
        [int] $Errcode = 0
    )
    process {
        $body = @{ api = $Api; kind = $Kind; rate = $Rate; skip = $Skip; latencyMs = $LatencyMs }
        if ($Path) { $body.path = $Path }
        if ($Count -ge 0) { $body.count = $Count }
        if ($Page -ge 1) { $body.page = $Page }
        if ($Status -ge 0) { $body.status = $Status }
        if ($Errcode -ne 0) { $body.errcode = $Errcode }
        if ($PSCmdlet.ShouldProcess($BaseUrl, "Inject $Kind fault")) { $null = Invoke-EmulatorControl $BaseUrl POST faults $body }
    }
}

function Clear-WeComSyncEmulatorFault {
    <# .SYNOPSIS Removes every injected fault. #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl)
    process { if ($PSCmdlet.ShouldProcess($BaseUrl, 'Clear faults')) { $null = Invoke-EmulatorControl $BaseUrl DELETE faults } }
}

function Revoke-WeComSyncEmulatorToken {
    <# .SYNOPSIS Invalidates every issued token (WeCom answers -Errcode 40014 or 42001 on next use; Authing 401). #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [ValidateSet('wecom', 'authing', 'both')] [string] $Api = 'both',
        [ValidateSet(40014, 42001)] [int] $Errcode = 40014
    )
    process {
        $body = @{ errcode = $Errcode }
        if ($Api -ne 'both') { $body.api = $Api }
        if ($PSCmdlet.ShouldProcess($BaseUrl, 'Invalidate tokens')) { $null = Invoke-EmulatorControl $BaseUrl POST tokens/invalidate $body }
    }
}

function Get-WeComSyncEmulatorCallCount {
    <# .SYNOPSIS Calls received per endpoint path: a hashtable, or with -Path one number (0 if none). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [string] $Path
    )
    process {
        $counts = @{}
        $raw = Invoke-EmulatorControl $BaseUrl GET calls
        foreach ($p in $raw.PSObject.Properties) { $counts[$p.Name] = [long] $p.Value }
        if ($Path) { if ($counts.ContainsKey($Path)) { $counts[$Path] } else { [long] 0 } }
        else { $counts }
    }
}

function Get-WeComSyncEmulatorToken {
    <# .SYNOPSIS Every token the emulator issued since its last reset (WeCom access tokens and Authing management tokens), as strings. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl)
    process {
        $raw = Invoke-EmulatorControl $BaseUrl GET tokens
        @($raw.wecom) + @($raw.authing) | Where-Object { $_ }
    }
}

function Clear-WeComSyncEmulatorCallCount {
    <# .SYNOPSIS Sets every call counter back to zero. #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl)
    process { if ($PSCmdlet.ShouldProcess($BaseUrl, 'Clear call counts')) { $null = Invoke-EmulatorControl $BaseUrl DELETE calls } }
}

function Invoke-WeComSyncEmulatorAuthingRequest {
    <#
    .SYNOPSIS Sends one Authing management call signed with AK/SK (HMAC-SHA1, as the Node and C# SDKs do) and returns the envelope.
    .PARAMETER Path e.g. /api/v3/list-users.
    .PARAMETER Body For POST: a hashtable/object sent as compact JSON. For GET: a hashtable of query parameters.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $BaseUrl,
        [ValidateSet('GET', 'POST')] [string] $Method = 'POST',
        [Parameter(Mandatory)] [string] $Path,
        [hashtable] $Body = @{},
        [string] $AccessKeyId = 'emulator-ak',
        [string] $AccessKeySecret = 'emulator-sk'
    )
    process {
        $headers = [ordered]@{
            'date'                        = [DateTime]::UtcNow.ToString('r')
            'x-authing-lang'              = 'en-US'
            'x-authing-sdk-version'       = 'wecomsync-emulator-tools:1'
            'x-authing-signature-method'  = 'HMAC-SHA1'
            'x-authing-signature-nonce'   = [Guid]::NewGuid().ToString('N')
            'x-authing-signature-version' = '1.0'
        }
        $pairs = [Collections.Generic.List[string]]::new()
        $json = $null
        $query = ''
        if ($Method -eq 'POST') {
            $json = $Body | ConvertTo-Json -Depth 32 -Compress
            $parsed = [Text.Json.JsonDocument]::Parse($json)
            foreach ($p in $parsed.RootElement.EnumerateObject()) {
                $value = if ($p.Value.ValueKind -eq 'String') { $p.Value.GetString() } else { $p.Value.GetRawText() }
                $pairs.Add("$($p.Name)=$value")
            }
            $parsed.Dispose()
        }
        else {
            foreach ($k in $Body.Keys) { $pairs.Add("$k=$($Body[$k])") }
            $query = '?' + (($Body.Keys | ForEach-Object { "$([Uri]::EscapeDataString($_))=$([Uri]::EscapeDataString([string]$Body[$_]))" }) -join '&')
        }
        # The signer sorts ordinally (as JavaScript's sort does), never by culture.
        $sorted = [string[]] $pairs.ToArray()
        $sortKeys = [string[]] @($sorted | ForEach-Object { $_.Substring(0, $_.IndexOf('=')) })
        [Array]::Sort($sortKeys, $sorted, [StringComparer]::Ordinal)
        $sb = [Text.StringBuilder]::new()
        $null = $sb.Append("$Method`n")
        $names = [string[]] @($headers.Keys)
        [Array]::Sort($names, [StringComparer]::Ordinal)
        foreach ($name in $names) { $null = $sb.Append("${name}:$($headers[$name])`n") }
        $null = $sb.Append($Path)
        if ($pairs.Count -gt 0) { $null = $sb.Append('?' + ($sorted -join '&')) }
        $hmac = [Security.Cryptography.HMACSHA1]::new([Text.Encoding]::UTF8.GetBytes($AccessKeySecret))
        try { $signature = [Convert]::ToBase64String($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($sb.ToString()))) }
        finally { $hmac.Dispose() }
        $headers['authorization'] = "authing ${AccessKeyId}:$signature"
        $params = @{ Uri = $BaseUrl.TrimEnd('/') + $Path + $query; Method = $Method; Headers = $headers; SkipHeaderValidation = $true; SkipHttpErrorCheck = $true }
        if ($json) { $params.Body = [Text.Encoding]::UTF8.GetBytes($json); $params.ContentType = 'application/json; charset=utf-8' }
        Invoke-RestMethod @params
    }
}

Export-ModuleMember -Function Start-WeComSyncEmulator, Stop-WeComSyncEmulator, Reset-WeComSyncEmulator, Set-WeComSyncEmulatorState, Set-WeComSyncEmulatorAuthingOrganization,
    Get-WeComSyncEmulatorState, Set-WeComSyncEmulatorSecretMode, Set-WeComSyncEmulatorSetting, Set-WeComSyncEmulatorRateLimit,
    Clear-WeComSyncEmulatorRateLimit, Set-WeComSyncEmulatorFault, Clear-WeComSyncEmulatorFault, Revoke-WeComSyncEmulatorToken,
    Get-WeComSyncEmulatorCallCount, Get-WeComSyncEmulatorToken, Clear-WeComSyncEmulatorCallCount, Invoke-WeComSyncEmulatorAuthingRequest
