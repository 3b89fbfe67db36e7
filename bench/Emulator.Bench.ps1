<#
.SYNOPSIS
    How fast the emulator serves listings, so it never dominates the module's benchmarks.
.DESCRIPTION
    Seeds 100 000 WeCom members in 10 000 departments and 20 000 Authing users in one POST, then lists them the
    way a client does (WeCom user/list_id, 10 000 rows a page; Authing list-users, 50 a page with a management
    token) and prints users per second, each as a ratio against the alternative measured in the same run: reading
    the same data in one piece from the emulator's state dump, and the call rate WeCom's documented per-API limit
    allows (10 000 calls/min), so a rate-limited client is never held up by the emulator.
#>
param(
    [string] $ModulePath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tools/Emulator.psm1') -Force

$wecomUsers = 100000
$departments = 10000
$authingUsers = 20000

$deptList = [Collections.Generic.List[object]]::new()
for ($i = 2; $i -le $departments + 1; $i++) { $deptList.Add(@{ id = $i; name = "D$i"; parentid = $(if ($i -le 101) { 1 } else { 2 + ($i % 100) }) }) }
$userList = [Collections.Generic.List[object]]::new()
for ($i = 0; $i -lt $wecomUsers; $i++) { $userList.Add(@{ userid = "u$i"; name = "用户$i"; department = @(2 + ($i % $departments)); mobile = [string](13000000000 + $i) }) }
$authingList = [Collections.Generic.List[object]]::new()
for ($i = 0; $i -lt $authingUsers; $i++) { $authingList.Add(@{ username = "u$i"; name = "用户$i" }) }
$seed = @{ wecom = @{ departments = $deptList; users = $userList }; authing = @{ users = $authingList } } | ConvertTo-Json -Depth 6 -Compress

$emulator = Start-WeComSyncEmulator -Configuration $Configuration
$http = [Net.Http.HttpClient]::new()
try {
    $base = $emulator.BaseUrl
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $emulator | Set-WeComSyncEmulatorState -Seed $seed
    $seedSeconds = $watch.Elapsed.TotalSeconds

    $watch.Restart()
    $null = $http.GetStringAsync("$base/_emulator/state").GetAwaiter().GetResult()
    $dumpSeconds = $watch.Elapsed.TotalSeconds

    $token = (Invoke-RestMethod "$base/cgi-bin/gettoken?corpid=ww-emulator&corpsecret=emulator-secret").access_token
    $watch.Restart()
    $rows = 0; $calls = 0; $cursor = ''
    do {
        $body = if ($cursor) { "{`"cursor`":`"$cursor`",`"limit`":10000}" } else { '{"limit":10000}' }
        $content = [Net.Http.StringContent]::new($body, [Text.Encoding]::UTF8, 'application/json')
        $text = $http.PostAsync("$base/cgi-bin/user/list_id?access_token=$token", $content).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult()
        $page = [Text.Json.JsonDocument]::Parse($text)
        $rows += $page.RootElement.GetProperty('dept_user').GetArrayLength()
        $cursor = $page.RootElement.GetProperty('next_cursor').GetString()
        $page.Dispose(); $calls++
    } while ($cursor)
    $listIdSeconds = $watch.Elapsed.TotalSeconds
    if ($rows -ne $wecomUsers) { throw "list_id returned $rows rows, expected $wecomUsers" }

    $mt = Invoke-RestMethod -Method Post -Uri "$base/api/v3/get-management-token" -ContentType 'application/json' -Body '{"accessKeyId":"emulator-ak","accessKeySecret":"emulator-sk"}'
    $watch.Restart()
    $listed = 0; $authingCalls = 0
    for ($p = 1; $listed -lt $authingUsers; $p++) {
        $request = [Net.Http.HttpRequestMessage]::new([Net.Http.HttpMethod]::Post, "$base/api/v3/list-users")
        $request.Headers.TryAddWithoutValidation('authorization', "Bearer $($mt.data.access_token)") | Out-Null
        $request.Headers.TryAddWithoutValidation('x-authing-userpool-id', 'emulator-pool') | Out-Null
        $request.Content = [Net.Http.StringContent]::new("{`"options`":{`"pagination`":{`"page`":$p,`"limit`":50},`"withCustomData`":true}}", [Text.Encoding]::UTF8, 'application/json')
        $text = $http.SendAsync($request).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult()
        $page = [Text.Json.JsonDocument]::Parse($text)
        $n = $page.RootElement.GetProperty('data').GetProperty('list').GetArrayLength()
        $page.Dispose(); $authingCalls++
        if ($n -eq 0) { break }
        $listed += $n
    }
    $authingSeconds = $watch.Elapsed.TotalSeconds

    $wecomLimitPerSecond = 10000 / 60
    Write-Host ('Seed {0:N0} WeCom members, {1:N0} departments and {2:N0} Authing users in one POST: {3:N2} s' -f $wecomUsers, $departments, $authingUsers, $seedSeconds)
    Write-Host ('WeCom user/list_id: {0:N0} users/s ({1} calls of 10 000 rows) = {2:N2}x the time of one state dump of everything ({3:N2} s)' -f ($rows / $listIdSeconds), $calls, ($listIdSeconds / $dumpSeconds), $dumpSeconds)
    Write-Host ('Authing list-users (50 a page): {0:N0} users/s ({1} calls, {2:N0} calls/s) = {3:N1}x the call rate WeCom''s per-API limit allows' -f ($listed / $authingSeconds), $authingCalls, ($authingCalls / $authingSeconds), (($authingCalls / $authingSeconds) / $wecomLimitPerSecond))
}
finally {
    $http.Dispose()
    $emulator | Stop-WeComSyncEmulator
}
