# The binary cmdlets come from the nested WeComSync.PowerShell.dll; this root module adds the two
# workflow templates, written in PowerShell from those cmdlets.
foreach ($script in Get-ChildItem -Path (Join-Path $PSScriptRoot 'Templates') -Filter '*.ps1' -ErrorAction SilentlyContinue) {
    . $script.FullName
}
