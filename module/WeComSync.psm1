# The binary cmdlets come from the nested WeComSync.PowerShell.dll; this root module adds the two
# workflow templates, written in PowerShell from those cmdlets.
foreach ($script in Get-ChildItem -Path (Join-Path $PSScriptRoot 'Templates') -Filter '*.ps1' -ErrorAction SilentlyContinue) {
    . $script.FullName
}

# Saved plans (Import-Clixml, remoting) come back as live changes: WeComSync.Types.ps1xml makes Change the target type
# of a deserialized change, and this converter rebuilds it. Registered here because the types file is loaded before
# the nested cmdlets' dll that holds the converter.
Update-TypeData -TypeName WeComSync.Model.Change -TypeConverter ([WeComSync.PowerShell.Conversion.ChangeTypeConverter]) -Force
