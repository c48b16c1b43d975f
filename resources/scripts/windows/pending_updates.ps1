# Podpora library (Windows, PowerShell 5.1+): Updates Windows Update already knows about (its cached search, no download).
# Follows the same manifest and output contract as the Linux scripts; not yet run on Windows by the project.
$ErrorActionPreference = 'Stop'
# --- podpora helpers (the output contract: one JSON object per line, podpora.diagnostics line protocol 1) ---
$P = if ($args.Count -gt 0 -and $args[0]) { $args[0] | ConvertFrom-Json } else { New-Object psobject }
function Get-Param([string]$Name, $Default) {
    if ($P.PSObject.Properties.Name -contains $Name) { return $P.$Name } else { return $Default }
}
function Emit($Fields) {
    [Console]::Out.WriteLine(($Fields | ConvertTo-Json -Compress -Depth 8))
    [Console]::Out.Flush()
}
function Emit-Check([string]$Id, [string]$Status, [string]$Finding, [string]$Explain, $ArgsMap = @{},
                    $Evidence = @{}, $Repair = $null, [bool]$NotApplicable = $false) {
    Emit ([ordered]@{ type = 'check'; id = $Id; status = $Status; finding = $Finding; explain = $Explain;
                      args = $ArgsMap; evidence = $Evidence; repair = $Repair; not_applicable = $NotApplicable })
}
function Emit-Progress([int]$Percent, [string]$Message) {
    Emit ([ordered]@{ type = 'progress'; percent = $Percent; message = $Message })
}
function Emit-Done { Emit ([ordered]@{ type = 'done' }) }
# --- end of podpora helpers ---
try {
    $session = New-Object -ComObject Microsoft.Update.Session
    $searcher = $session.CreateUpdateSearcher()
    # Offline: the result of Windows Update's last scan, like reading apt's lists instead of refreshing them.
    $searcher.Online = $false
    $found = $searcher.Search('IsInstalled=0 and IsHidden=0')
} catch {
    Emit-Check -Id 'pending_updates' -Status 'warning' -Finding ("cannot tell which updates are pending: {0}" -f $_.Exception.Message) `
        -Explain 'unknown' -Evidence ([ordered]@{ detail = [string]$_.Exception.Message })
    Emit-Done
    exit 0
}
$updates = @()
$security = @()
foreach ($update in $found.Updates) {
    $updates += [string]$update.Title
    $isSecurity = $update.MsrcSeverity -or (@($update.Categories | Where-Object { $_.Name -eq 'Security Updates' }).Count -gt 0)
    if ($isSecurity) { $security += [string]$update.Title }
}
$count = $updates.Count
$evidence = [ordered]@{ manager = 'windows_update'; updates = @($updates | Select-Object -First 200); count = $count;
    security = @($security | Select-Object -First 200) }
if ($security.Count -gt 0) {
    Emit-Check -Id 'pending_updates' -Status 'warning' -Finding ("{0} updates pending, {1} security" -f $count, $security.Count) `
        -Explain 'security' -ArgsMap ([ordered]@{ count = $count; security = $security.Count }) -Evidence $evidence
} elseif ($count -ge [int](Get-Param 'warn_count' 50)) {
    Emit-Check -Id 'pending_updates' -Status 'warning' -Finding ("{0} updates pending" -f $count) `
        -Explain 'many' -ArgsMap ([ordered]@{ count = $count }) -Evidence $evidence
} else {
    Emit-Check -Id 'pending_updates' -Status 'ok' -Finding ("{0} updates pending" -f $count) `
        -Explain 'few' -ArgsMap ([ordered]@{ count = $count }) -Evidence $evidence
}
Emit-Done
