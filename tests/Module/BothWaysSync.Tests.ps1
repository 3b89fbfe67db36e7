# Pester: the second run of each option combination of the two workflow commands plans nothing (the configuration the
# example scripts ship included), and one pool synced both ways converges; against the emulator (127.0.0.1).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $test = Initialize-ModuleTest -Name bothways -Emulator
    $script:work = $test.Work; $script:emulator = $test.Emulator
    # The company is named like the emulator organization's root (示例科技), as in many real pools.
    $script:file = New-TestExport company.xlsx --users 40 --seed 7 --company 示例科技 --multi-dept-rate 0.2
    $script:scope = (Import-WeComAddressBook -LiteralPath $file -Department -WarningAction SilentlyContinue | Where-Object Depth -EQ 1 | Select-Object -First 1).Path

    function Get-Writes([string[]] $Api = @('Authing', 'WeCom')) { (Get-TestWrite $emulator -Api $Api).Values | Measure-Object -Sum | ForEach-Object Sum }
    function Get-Planned($Summary) { ($Summary.Steps | Measure-Object -Property Created, Updated, Deleted, Suspended -Sum | Measure-Object -Property Sum -Sum).Sum }
    # '<scope>' in a test case's options stands for a first-level department of the file (known only once it is written).
    function Resolve-Option([hashtable] $Options) {
        $resolved = @{}
        foreach ($k in $Options.Keys) { $resolved[$k] = if ($Options[$k] -is [string] -and $Options[$k] -eq '<scope>') { $script:scope } else { $Options[$k] } }
        $resolved
    }
    # The export the console gives for WeCom's state now (ExportGenerator --from-dump).
    function Export-WeCom([string] $Name) {
        $dump = Join-Path $script:work "$Name.json"
        Get-WeComSyncEmulatorState -BaseUrl $emulator.BaseUrl | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $dump -Encoding utf8
        New-TestExport "$Name.xlsx" --from-dump $dump
    }
}

AfterAll { Complete-ModuleTest }

Describe 'The second upstream run of an unchanged file plans nothing (Invoke-WeComUpstreamSync)' {
    BeforeEach { Connect-TestAuthing $emulator -Reset }

    It 'with <Name>' -ForEach @(
        @{ Name = 'the example script''s options (no -IgnoreRootDepartment, the root named like the top)'; Options = @{} }
        @{ Name = '-IgnoreRootDepartment'; Options = @{ IgnoreRootDepartment = $true } }
        @{ Name = '-UpdateMode Overwrite'; Options = @{ UpdateMode = 'Overwrite' } }
        @{ Name = '-UpdateMode Overwrite -IgnoreRootDepartment'; Options = @{ UpdateMode = 'Overwrite'; IgnoreRootDepartment = $true } }
        @{ Name = '-UpdateMode None'; Options = @{ UpdateMode = 'None' } }
        @{ Name = '-ExcludeProperty Mobile, Email'; Options = @{ ExcludeProperty = 'Mobile', 'Email' } }
        # A -Department scope: the case below (a member in scope also in a department outside it).
    ) {
        $options = Resolve-Option $Options
        $first = Invoke-WeComUpstreamSync -Path $file @options -Confirm:$false 3>$null 6>$null
        $first.Status | Should -Be 'Succeeded'
        $emulator | Clear-WeComSyncEmulatorCallCount
        $second = Invoke-WeComUpstreamSync -Path $file @options -Confirm:$false 3>$null 6>$null
        Get-Planned $second | Should -Be 0
        Get-Writes Authing | Should -Be 0
        # Delete-only on the same file, deleting or suspending: nobody is missing, so nothing is planned either.
        $deleteOptions = @{}
        foreach ($k in 'Department', 'IgnoreRootDepartment') { if ($options.ContainsKey($k)) { $deleteOptions[$k] = $options[$k] } }
        foreach ($action in 'Delete', 'Suspend') {
            $deletes = Invoke-WeComUpstreamSync -Path $file -Mode DeleteOnly -DeleteAction $action @deleteOptions -Confirm:$false 3>$null 6>$null
            $deletes.Status | Should -Be 'Succeeded'
            Get-Planned $deletes | Should -Be 0
        }
        Get-Writes Authing | Should -Be 0
    }

    It 'with a -Department scope and -IgnoreRootDepartment: a member in scope also in a department outside it is created with its departments in scope, said once' {
        $options = @{ Department = $scope; IgnoreRootDepartment = $true }
        # The edge: a member of the scope who is also in a department outside it (the file has such members).
        $both = @(Import-WeComAddressBook -LiteralPath $file -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Where-Object {
                ($_.Departments -like "$scope*") -and ($_.Departments -notlike "$scope*") })
        $both.Count | Should -BeGreaterThan 0 -Because 'the file has members in and outside the scope'
        $first = Invoke-WeComUpstreamSync -Path $file @options -Confirm:$false -WarningAction SilentlyContinue -WarningVariable said 6>$null
        $first.Status | Should -Be 'Succeeded'
        ($first.Steps | Where-Object Name -EQ 'users').Failed | Should -Be 0
        @($said | Where-Object { "$_" -like '*in scope are also in departments outside it*' }).Count | Should -Be 1
        foreach ($member in $both) {
            $user = @(Get-AuthingUser -UserId $member.UserId 3>$null)
            $user.Count | Should -Be 1 -Because "$($member.UserId) is in scope"
            @($user[0].Departments).Count | Should -Be @($member.Departments -like "$scope*").Count -Because 'only the departments in scope are written'
        }
        # The second run plans nothing and writes nothing.
        $emulator | Clear-WeComSyncEmulatorCallCount
        $second = Invoke-WeComUpstreamSync -Path $file @options -Confirm:$false -WarningAction SilentlyContinue 6>$null
        Get-Planned $second | Should -Be 0
        Get-Writes Authing | Should -Be 0
    }
}

Describe 'One pool synced both ways converges (Invoke-WeComDownstreamSync, then Invoke-WeComUpstreamSync from the export of WeCom)' {
    BeforeEach {
        Connect-TestAuthing $emulator -Reset
        Connect-TestWeCom $emulator
        # Authing filled from the file, the company onto the organization's root: downstream, that root is WeCom's (id 1).
        $null = Invoke-WeComUpstreamSync -Path $file -IgnoreRootDepartment -Confirm:$false 3>$null 6>$null
    }

    It 'downstream in <Mode> mode, upstream from WeCom''s export, downstream again: the second and third runs plan nothing and write nothing' -ForEach @(
        @{ Mode = 'None' }, @{ Mode = 'Changed' }, @{ Mode = 'Overwrite' }
    ) {
        $down = Invoke-WeComDownstreamSync -UpdateMode $Mode -Confirm:$false 3>$null 6>$null
        $down.Status | Should -Be 'Succeeded'
        ($down.Steps | Where-Object Name -EQ 'users').Created | Should -Be 40

        $export = Export-WeCom "wecom-$Mode"
        $emulator | Clear-WeComSyncEmulatorCallCount
        $up = Invoke-WeComUpstreamSync -Path $export -IgnoreRootDepartment -Confirm:$false 3>$null 6>$null
        $up.Status | Should -Be 'Succeeded'
        Get-Planned $up | Should -Be 0
        $again = Invoke-WeComDownstreamSync -UpdateMode $Mode -Confirm:$false 3>$null 6>$null
        $again.Status | Should -Be 'Succeeded'
        Get-Planned $again | Should -Be 0
        Get-Writes | Should -Be 0

        # The department links hold WeCom's ids, not the export's paths.
        # (read as downstream reads them, the root standing for WeCom's 1; upstream names them by path through the tree)
        foreach ($d in Get-AuthingDepartment -IgnoreRootDepartment -RootLinkId 1) { $d.LinkId | Should -Match '^\d+$' }
    }

    It 'upstream without -IgnoreRootDepartment (as the example script runs it) after downstream: the root is found linked to WeCom''s root, said once, nothing planned' {
        $null = Invoke-WeComDownstreamSync -UpdateMode Changed -Confirm:$false 3>$null 6>$null
        $export = Export-WeCom 'wecom-no-ignore-root'
        $emulator | Clear-WeComSyncEmulatorCallCount
        $all = @(Invoke-WeComUpstreamSync -Path $export -Confirm:$false -Verbose 4>&1 3>$null 6>$null)
        $up = @($all | Where-Object { $_ -is [WeComSync.RunLog.RunRecord] })
        $verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -like '*linked to WeCom''s root department*' })
        $verbose.Count | Should -Be 1
        "$($verbose[0])" | Should -Match 'mapped onto it, as -IgnoreRootDepartment does'
        $up[0].Status | Should -Be 'Succeeded'
        Get-Planned $up[0] | Should -Be 0
        Get-Writes | Should -Be 0
        # No second company under the root.
        @(Get-AuthingDepartment 3>$null | Where-Object { $_.Name -eq '示例科技' -and -not $_.IsRoot }).Count | Should -Be 0
    }

    It 'with -Delete -DeleteAction <Action> downstream and delete-only upstream, nobody is deleted or suspended on either side' -ForEach @(
        @{ Action = 'Delete' }, @{ Action = 'Suspend' }
    ) {
        $null = Invoke-WeComDownstreamSync -UpdateMode Changed -Confirm:$false 3>$null 6>$null
        $export = Export-WeCom "wecom-delete-$Action"
        $emulator | Clear-WeComSyncEmulatorCallCount
        $up = Invoke-WeComUpstreamSync -Path $export -IgnoreRootDepartment -Mode DeleteOnly -DeleteAction $Action -Confirm:$false 3>$null 6>$null
        Get-Planned $up | Should -Be 0
        $down = Invoke-WeComDownstreamSync -UpdateMode Changed -Delete -DeleteAction $Action -Confirm:$false 3>$null 6>$null
        $down.Status | Should -Be 'Succeeded'
        Get-Planned $down | Should -Be 0
        Get-Writes | Should -Be 0
    }
}
