# Podpora library (Windows, PowerShell 5.1+): Operating system, version, hardware, time since the last restart and who is logged in.
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
$os = Get-CimInstance Win32_OperatingSystem
$cs = Get-CimInstance Win32_ComputerSystem
$uptime = (Get-Date) - $os.LastBootUpTime
$days = [int][math]::Floor($uptime.TotalDays)
$hours = [int]$uptime.Hours
$users = if ($cs.UserName) { [string]$cs.UserName } else { 'nobody' }
$evidence = [ordered]@{ os = [string]$os.Caption; version = [string]$os.Version; build = [string]$os.BuildNumber;
    manufacturer = [string]$cs.Manufacturer; model = [string]$cs.Model;
    memory_bytes = [int64]$cs.TotalPhysicalMemory; uptime_seconds = [int64]$uptime.TotalSeconds; users = $users }
$factArgs = [ordered]@{ os = [string]$os.Caption; kernel = [string]$os.Version; days = $days; hours = $hours; users = $users }
Emit-Check -Id 'system_facts' -Status 'ok' -Finding ("{0} {1}, up {2} days" -f $os.Caption, $os.Version, $days) `
    -Explain 'facts' -ArgsMap $factArgs -Evidence $evidence
if ($days -ge [int](Get-Param 'uptime_warn_days' 60)) {
    Emit-Check -Id 'system_facts:uptime' -Status 'warning' -Finding ("up {0} days without restart" -f $days) `
        -Explain 'long_uptime' -ArgsMap ([ordered]@{ days = $days }) -Evidence ([ordered]@{ days = $days })
}
Emit-Done
