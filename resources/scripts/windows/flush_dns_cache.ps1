# Podpora library (Windows, PowerShell 5.1+): Empties the Windows DNS client cache.
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
    $before = @(Get-DnsClientCache -ErrorAction SilentlyContinue).Count
    Clear-DnsClientCache
    Emit-Check -Id 'flush_dns_cache' -Status 'ok' -Finding ("DNS client cache cleared ({0} entries)" -f $before) `
        -Explain 'flushed' -ArgsMap ([ordered]@{ caches = 'Windows DNS client' }) -Evidence ([ordered]@{ entries_before = $before })
} catch {
    Emit-Check -Id 'flush_dns_cache' -Status 'fail' -Finding ("Clear-DnsClientCache failed: {0}" -f $_.Exception.Message) `
        -Explain 'failed' -Evidence ([ordered]@{ error = [string]$_.Exception.Message })
}
Emit-Done
