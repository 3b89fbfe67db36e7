@{
    RootModule           = 'WeComSync.psm1'
    # Loaded up front so admins' scripts can name core types such as [WeComSync.Model.Change] before any cmdlet ran.
    RequiredAssemblies   = @('WeComSync.Core.dll')
    NestedModules        = @('WeComSync.PowerShell.dll')
    # Stamped by build.ps1 from <Version> in Directory.Build.props (with PSData.Prerelease and ReleaseNotes below).
    ModuleVersion        = '0.0.0'
    GUID                 = '5b0d3c4e-8a51-4f0b-9c55-2f1d6f3b7a10'
    Author               = 'WeComSync contributors'
    CompanyName          = 'WeComSync'
    Copyright            = '(c) WeComSync contributors. MIT License.'
    Description          = 'Keeps WeCom (Enterprise WeChat, 企业微信) and Authing identity data in step: upstream from the WeCom console export, downstream through the WeCom API. Every change is a reviewable plan; -WhatIf changes nothing.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    TypesToProcess       = @('WeComSync.Types.ps1xml')
    FormatsToProcess     = @(
        'Formats/AddressBook.Format.ps1xml',
        'Formats/Plan.Format.ps1xml',
        'Formats/Authing.Format.ps1xml',
        'Formats/WeCom.Format.ps1xml',
        'Formats/SyncResult.Format.ps1xml',
        'Formats/RunLog.Format.ps1xml',
        'Formats/FieldMap.Format.ps1xml'
    )
    CmdletsToExport      = @(
        'Import-WeComAddressBook',
        'Compare-Directory',
        'Connect-Authing', 'Disconnect-Authing', 'Test-AuthingConnection', 'Initialize-AuthingLinkField',
        'Get-AuthingUser', 'Get-AuthingDepartment', 'Sync-AuthingDepartment', 'Sync-AuthingUser',
        'Connect-WeCom', 'Disconnect-WeCom', 'Test-WeComConnection',
        'Get-WeComUser', 'Get-WeComDepartment', 'Sync-WeComDepartment', 'Sync-WeComUser',
        'Get-WeComSyncLog', 'Get-WeComSyncFieldMap', 'Export-WeComSyncReport',
        'Invoke-WeComUpstreamSync', 'Invoke-WeComDownstreamSync', 'Undo-WeComSyncRun',
        'Start-WeComSyncListener', 'Register-AuthingWebhook'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('WeCom', 'WeChatWork', 'Authing', 'Identity', 'Sync', 'IAM', 'PSEdition_Core', 'PSEdition_Desktop')
            # ProjectUri and LicenseUri are left out on purpose (the packer refuses them empty): the project has no
            # public home page yet, and the license text ships in the package as LICENSE.txt.
            # Stamped by build.ps1: the version's part of the package's version, and its section of CHANGELOG.md.
            Prerelease   = ''
            ReleaseNotes = ''
        }
    }
}
