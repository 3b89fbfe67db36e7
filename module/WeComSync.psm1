# Every command is a compiled cmdlet from the nested WeComSync.PowerShell.dll (the two sync workflows included:
# Core/Workflow); this root module only does what a manifest cannot.

# On PowerShell 7 the module's private dependencies load in their own context (DependencyLoader.cs), except a copy
# that another module loaded first with an assembly version .NET accepts for ours: then that copy is used. Say so,
# because a different build of a dependency is the first suspect when something odd happens.
foreach ($shared in [WeComSync.PowerShell.Loading.DependencyLoader]::GetSharedDependencies()) {
    Write-Warning "WeComSync uses $shared, loaded before WeComSync by another module. To use its own copy, import WeComSync first in a new session."
}

# Saved plans (Import-Clixml, remoting) come back as live changes: WeComSync.Types.ps1xml makes Change the target type
# of a deserialized change, and this converter rebuilds it. Registered here because the types file is loaded before
# the nested cmdlets' dll that holds the converter.
Update-TypeData -TypeName WeComSync.Model.Change -TypeConverter ([WeComSync.PowerShell.Conversion.ChangeTypeConverter]) -Force
