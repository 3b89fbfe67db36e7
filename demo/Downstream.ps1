<#
.SYNOPSIS
    The downstream part of the demo: WeCom follows Authing, against an emulated WeCom.
.DESCRIPTION
    Called by demo/Invoke-Demo.ps1 after the upstream part (Authing then holds the imported organization), or on its
    own against a running emulator (it then seeds a small organization into Authing first). It connects to WeCom in
    agent-development mode — the sensitive fields are treated as unreadable and users are associated by userid and
    name — and runs Invoke-WeComDownstreamSync three times: -WhatIf (the plan, zero write calls), for real, and
    again (zero changes), printing each run summary and the emulator's WeCom write-call counts.

    The emulator (like WeCom, docs/ARCHITECTURE.md §11) lets only the address-book sync secret write, so the demo uses that
    secret with -AppMode AgentDevelopment; Test-WeComConnection with the emulator's agent-app secret shows the
    48002 that a real agent app without contact-write permission would get.
#>
param(
    [Parameter(Mandatory)] [string] $BaseUrl,
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../tools/Emulator.psm1') -Force

function Write-Section([string] $Text) { Write-Host ''; Write-Host "=== $Text" -ForegroundColor Cyan }
function Get-WriteCalls {
    $counts = Get-WeComSyncEmulatorCallCount -BaseUrl $BaseUrl
    $writes = 'department/create', 'department/update', 'department/delete', 'user/create', 'user/update', 'user/batchdelete', 'user/delete'
    ($counts.GetEnumerator() | Where-Object { $path = $_.Key; $writes | Where-Object { $path -like "*cgi-bin/$_" } } | Measure-Object -Property Value -Sum).Sum + 0
}

$authingKey = [pscredential]::new('emulator-ak', (ConvertTo-SecureString 'emulator-sk' -AsPlainText -Force))
Connect-Authing -Credential $authingKey -ApiHost $BaseUrl -OrganizationCode emulator-org
Initialize-AuthingLinkField -Confirm:$false | Out-Null

if (@(Get-AuthingUser).Count -eq 0) {
    Write-Section 'Seeding a small Authing organization (run on its own)'
    $state = Get-WeComSyncEmulatorState -BaseUrl $BaseUrl
    $org = $state.authing.organizations | Where-Object organizationCode -EQ 'emulator-org'
    $root = $org.departmentId
    $dept = { param($id, $name, $parent) @{ organizationCode = 'emulator-org'; departmentId = $id; name = $name; parentDepartmentId = $parent } }
    $user = { param($id, $username, $name, $phone, $dept) @{ userId = $id; username = $username; name = $name; phone = $phone; phoneCountryCode = '+86'; email = "$username@example.com"; departmentIds = @($dept); gender = 'M' } }
    $seed = @{ authing = @{
            organizations = @(@{ organizationCode = 'emulator-org'; organizationName = '示例科技'; departmentId = $root })
            customFields  = @($state.authing.customFields)
            departments   = @((& $dept 'd-rd' '研发部' $root), (& $dept 'd-wx' '微信事业群' 'd-rd'), (& $dept 'd-gz' '广州研发部' 'd-wx'), (& $dept 'd-sales' '销售部' $root))
            users         = @((& $user 'u1' 'zhangsan' '张三' '13800000001' 'd-gz'), (& $user 'u2' 'lisi' '李四' '13800000002' 'd-wx'),
                (& $user 'u3' 'wangwu' '王五' '13800000003' 'd-sales'), (& $user 'u4' 'zhaoliu' '赵六' '13800000004' 'd-rd'))
        }
    }
    Set-WeComSyncEmulatorState -BaseUrl $BaseUrl -Seed $seed
}

Write-Section 'An agent-development app secret cannot write contacts (48002): what Test-WeComConnection says'
Set-WeComSyncEmulatorSecretMode -BaseUrl $BaseUrl -Secret 'demo-agent-secret' -Mode agent
Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'demo-agent-secret' -AsPlainText -Force) -AppMode AgentDevelopment -ApiHost $BaseUrl
Test-WeComConnection -WarningAction SilentlyContinue | Format-Table -AutoSize | Out-Host

Connect-WeCom -CorpId ww-emulator -Secret (ConvertTo-SecureString 'emulator-secret' -AsPlainText -Force) -AppMode AgentDevelopment -ApiHost $BaseUrl
Clear-WeComSyncEmulatorCallCount -BaseUrl $BaseUrl

Write-Section 'Downstream, -WhatIf: the plan, no write call'
$summary = Invoke-WeComDownstreamSync -WhatIf -WarningAction SilentlyContinue
$summary | Format-List Status, Message | Out-Host
$summary.Steps | Format-Table Name, Status, Read, Created, Updated, Failed, Message -AutoSize | Out-Host
Write-Host "WeCom write calls: $(Get-WriteCalls)"

Write-Section 'Downstream, for real'
$summary = Invoke-WeComDownstreamSync
$summary.Steps | Format-Table Name, Status, Read, Created, Updated, Failed, Message -AutoSize | Out-Host
Write-Host "WeCom write calls: $(Get-WriteCalls); WeCom now holds $(@(Get-WeComUser).Count) users in $(@(Get-WeComDepartment).Count) departments."

Write-Section 'Downstream again: nothing to do (the write-back made every object match)'
Clear-WeComSyncEmulatorCallCount -BaseUrl $BaseUrl
$summary = Invoke-WeComDownstreamSync -UpdateMode Changed
$summary.Steps | Format-Table Name, Status, Read, Created, Updated, Failed, Message -AutoSize | Out-Host
Write-Host "WeCom write calls in the re-run: $(Get-WriteCalls)"
Disconnect-WeCom
