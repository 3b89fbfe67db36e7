<#
.SYNOPSIS
    Builds the cmdlets' MAML help (en-US/WeComSync.PowerShell.dll-Help.xml) from docs/help/*.md.
.DESCRIPTION
    platyPS is not reachable on these machines, so this does the part of it we need. Each cmdlet has one
    markdown file in the platyPS layout:

        # Verb-Noun
        ## SYNOPSIS
        ## DESCRIPTION
        ## EXAMPLES
        ### Example 1: title
        ```powershell
        code
        ```
        remarks
        ## PARAMETERS
        ### -Name
        description
        ## INPUTS / ## OUTPUTS / ## NOTES   (optional)

    Syntax, parameter types, positions and pipeline input come from the built cmdlets themselves, so the
    help can never disagree with the code. A cmdlet exported without a markdown file fails the build.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$module = Import-Module $ModulePath -PassThru -Force
$moduleDir = Split-Path $ModulePath
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
# Parameters marked DontShow (the templates' plumbing, e.g. -RunStep) are left out of help, as Get-Command leaves them out of tab completion.
function Test-Hidden($Parameter) { [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }) }

function ConvertFrom-HelpMarkdown {
    param([string] $Path)
    $doc = @{ Synopsis = ''; Description = ''; Examples = @(); Parameters = @{}; Inputs = ''; Outputs = ''; Notes = ''; Links = '' }
    $section = $null; $sub = $null; $buffer = [System.Collections.Generic.List[string]]::new()
    $flush = {
        $text = ($buffer -join "`n").Trim()
        switch ($section) {
            'SYNOPSIS' { $doc.Synopsis = $text }
            'DESCRIPTION' { $doc.Description = $text }
            'INPUTS' { $doc.Inputs = $text }
            'OUTPUTS' { $doc.Outputs = $text }
            'NOTES' { $doc.Notes = $text }
            'RELATED LINKS' { $doc.Links = $text }
            'EXAMPLES' {
                if ($sub) {
                    $m = [regex]::Match($text, '(?s)```[a-zA-Z]*\n(.*?)\n```')
                    $code = if ($m.Success) { $m.Groups[1].Value } else { '' }
                    $remarks = if ($m.Success) { $text.Remove($m.Index, $m.Length).Trim() } else { $text }
                    $doc.Examples += , @{ Title = $sub; Code = $code; Remarks = $remarks }
                }
            }
            'PARAMETERS' { if ($sub) { $doc.Parameters[$sub.TrimStart('-')] = $text } }
        }
        $buffer.Clear()
    }
    $inCode = $false
    foreach ($line in Get-Content -LiteralPath $Path -Encoding utf8) {
        if ($line.StartsWith('```')) { $inCode = -not $inCode }
        if (-not $inCode -and $line -match '^## (.+)$') { & $flush; $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null; continue }
        if (-not $inCode -and $line -match '^### (.+)$') { & $flush; $sub = $Matches[1].Trim(); continue }
        if (-not $inCode -and $line -match '^# ') { continue }
        $buffer.Add($line)
    }
    & $flush
    return $doc
}

function Add-Paras {
    param([System.Xml.XmlWriter] $w, [string] $text)
    foreach ($para in ($text -split "\n\s*\n")) {
        if ($para.Trim()) { $w.WriteElementString('maml', 'para', $ns.maml, $para.Trim()) }
    }
}

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

# A parameter's type as help shows it: Int32, String[], UpdateMode — never Nullable`1 (an optional value is just its type).
function Get-HelpTypeName([type] $Type) {
    if ($Type -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    $inner = [Nullable]::GetUnderlyingType($Type)
    if ($inner) { return $inner.Name }
    $Type.Name
}

# A parameter's default, read from a new instance of the cmdlet (so help cannot disagree with the code); '' when none.
function Get-HelpDefault($Instance, [string] $Name) {
    if (-not $Instance) { return '' }
    $value = $Instance.GetType().GetProperty($Name).GetValue($Instance)
    if ($null -eq $value) { return '' }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return $(if ($value.IsPresent) { 'True' } else { 'False' }) }
    if ($value -is [array]) { return ($value -join ', ') }
    if ($value -is [TimeSpan]) { return $value.ToString() }
    if ($value -is [int] -and $value -eq 0) { return '' }
    "$value"
}

# The about_ topics: docs/help/about_*.md becomes en-US/about_*.help.txt (Get-Help about_WeComSync).
$helpDir = Join-Path $moduleDir 'en-US'
New-Item -ItemType Directory -Path $helpDir -Force | Out-Null
foreach ($about in Get-ChildItem -LiteralPath $DocsPath -Filter 'about_*.md') {
    $text = (Get-Content -LiteralPath $about.FullName -Raw -Encoding utf8) -replace '(?m)^```[a-zA-Z]*\r?\n', '' -replace '(?m)^#+ ', ''
    Set-Content -LiteralPath (Join-Path $helpDir ($about.BaseName + '.help.txt')) -Value $text -Encoding utf8
}

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$target = Join-Path $helpDir 'WeComSync.PowerShell.dll-Help.xml'
$w = [System.Xml.XmlWriter]::Create($target, $settings)
$w.WriteStartDocument()
$w.WriteStartElement('helpItems'); $w.WriteAttributeString('schema', 'maml')
$missing = @()
foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $md = Join-Path $DocsPath "$($cmd.Name).md"
    if (-not (Test-Path $md)) { $missing += $cmd.Name; continue }
    $doc = ConvertFrom-HelpMarkdown $md
    $instance = try { [Activator]::CreateInstance($cmd.ImplementingType) } catch { $null }
    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('command', 'name', $ns.command, $cmd.Name)
    $w.WriteStartElement('maml', 'description', $ns.maml); Add-Paras $w $doc.Synopsis; $w.WriteEndElement()
    $w.WriteElementString('command', 'verb', $ns.command, $cmd.Verb)
    $w.WriteElementString('command', 'noun', $ns.command, $cmd.Noun)
    $w.WriteEndElement()
    $w.WriteStartElement('maml', 'description', $ns.maml); Add-Paras $w $doc.Description; $w.WriteEndElement()

    $writeParam = {
        param($p, $set)
        $attr = if ($set) { $set } else { $null }
        $w.WriteStartElement('command', 'parameter', $ns.command)
        $required = if ($attr) { $attr.IsMandatory } else { [bool]($p.ParameterSets.Values | Where-Object IsMandatory) }
        $position = if ($attr -and $attr.Position -ge 0) { [string]($attr.Position + 0) } else { 'named' }
        $pipe = @()
        $sets = if ($attr) { @($attr) } else { @($p.ParameterSets.Values) }
        if ($sets | Where-Object ValueFromPipeline) { $pipe += 'ByValue' }
        if ($sets | Where-Object ValueFromPipelineByPropertyName) { $pipe += 'ByPropertyName' }
        $w.WriteAttributeString('required', $required.ToString().ToLowerInvariant())
        $w.WriteAttributeString('position', $position)
        $w.WriteAttributeString('pipelineInput', $(if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }))
        $w.WriteAttributeString('globbing', 'false')
        $w.WriteAttributeString('variableLength', 'true')
        $w.WriteElementString('maml', 'name', $ns.maml, $p.Name)
        $w.WriteStartElement('maml', 'description', $ns.maml)
        $text = if ($doc.Parameters.ContainsKey($p.Name)) { $doc.Parameters[$p.Name] } else { '' }
        Add-Paras $w $text
        $w.WriteEndElement()
        $typeName = Get-HelpTypeName $p.ParameterType
        $w.WriteElementString('command', 'parameterValue', $ns.command, $typeName)
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, $typeName); $w.WriteEndElement()
        $w.WriteElementString('dev', 'defaultValue', $ns.dev, (Get-HelpDefault $instance $p.Name))
        $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('maml', 'name', $ns.maml, $cmd.Name)
        foreach ($sp in $set.Parameters | Where-Object { $_.Name -notin $common -and -not (Test-Hidden $cmd.Parameters[$_.Name]) }) {
            $p = $cmd.Parameters[$sp.Name]
            & $writeParam $p $p.ParameterSets[$set.Name]
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common -and -not (Test-Hidden $_) } | Sort-Object Name) {
        if (-not $doc.Parameters.ContainsKey($p.Name)) { Write-Warning "$($cmd.Name): parameter -$($p.Name) has no description in $md" }
        & $writeParam $p $null
    }
    $w.WriteEndElement()

    foreach ($pair in @(@('inputTypes', 'inputType', $doc.Inputs), @('returnValues', 'returnValue', $doc.Outputs))) {
        if ($pair[2]) {
            $w.WriteStartElement('command', $pair[0], $ns.command)
            $w.WriteStartElement('command', $pair[1], $ns.command)
            $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, ($pair[2] -split "\n")[0]); $w.WriteEndElement()
            $w.WriteStartElement('maml', 'description', $ns.maml); Add-Paras $w $pair[2]; $w.WriteEndElement()
            $w.WriteEndElement(); $w.WriteEndElement()
        }
    }
    if ($doc.Notes) {
        $w.WriteStartElement('maml', 'alertSet', $ns.maml)
        $w.WriteStartElement('maml', 'alert', $ns.maml); Add-Paras $w $doc.Notes; $w.WriteEndElement()
        $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'examples', $ns.command)
    foreach ($ex in $doc.Examples) {
        $w.WriteStartElement('command', 'example', $ns.command)
        $w.WriteElementString('maml', 'title', $ns.maml, "---------- $($ex.Title) ----------")
        $w.WriteElementString('dev', 'code', $ns.dev, $ex.Code)
        $w.WriteStartElement('dev', 'remarks', $ns.dev); Add-Paras $w $ex.Remarks; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    # Related links: the markdown's, then the model's page.
    $w.WriteStartElement('maml', 'relatedLinks', $ns.maml)
    $links = @($doc.Links -split "\n" | ForEach-Object { $_.Trim().TrimStart('-', '*', ' ').Trim() } | Where-Object { $_ }) + 'about_WeComSync' | Select-Object -Unique
    foreach ($link in $links) {
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $w.WriteElementString('maml', 'linkText', $ns.maml, ($link -replace '^\[([^\]]+)\].*$', '$1'))
        $w.WriteElementString('maml', 'uri', $ns.maml, '')
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement() # command
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Dispose()

if ($missing) {
    Write-Error "These cmdlets have no help file in $($DocsPath): $($missing -join ', '). Add docs/help/<Cmdlet>.md."
    exit 1
}
Write-Host "Help written to $target"
