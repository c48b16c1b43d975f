# Podpora library (Windows, PowerShell 5.1+): How full each local disk is.
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
function Format-Size([double]$Bytes) {
    $units = 'B', 'KiB', 'MiB', 'GiB', 'TiB'
    $i = 0
    while ($Bytes -ge 1024 -and $i -lt 4) { $Bytes /= 1024; $i++ }
    return ('{0:N1} {1}' -f $Bytes, $units[$i])
}
$warn = [int](Get-Param 'warn_percent' 90)
$fail = [int](Get-Param 'fail_percent' 98)
$wanted = @(Get-Param 'drives' @())
$disks = @(Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3')
foreach ($disk in $disks) {
    $mount = [string]$disk.DeviceID
    if ($wanted.Count -gt 0 -and $wanted -notcontains $mount) { continue }
    if (-not $disk.Size) {
        Emit-Check -Id ("disk_space:" + $mount) -Status 'error' -Finding ("{0} reports no size" -f $mount) `
            -Explain 'unreadable' -ArgsMap ([ordered]@{ mount = $mount })
        continue
    }
    $percent = [int][math]::Round(100 * ($disk.Size - $disk.FreeSpace) / $disk.Size)
    $free = Format-Size $disk.FreeSpace
    $diskArgs = [ordered]@{ mount = $mount; percent = $percent; free = $free }
    $evidence = [ordered]@{ used_percent = $percent; free_bytes = [int64]$disk.FreeSpace; size_bytes = [int64]$disk.Size;
        filesystem = [string]$disk.FileSystem }
    $finding = "{0} is {1}% full ({2} available)" -f $mount, $percent, $free
    if ($percent -ge $fail) {
        Emit-Check -Id ("disk_space:" + $mount) -Status 'fail' -Finding $finding -Explain 'full' -ArgsMap $diskArgs -Evidence $evidence
    } elseif ($percent -ge $warn) {
        Emit-Check -Id ("disk_space:" + $mount) -Status 'warning' -Finding $finding -Explain 'low' -ArgsMap $diskArgs -Evidence $evidence
    } else {
        Emit-Check -Id ("disk_space:" + $mount) -Status 'ok' -Finding $finding -Explain 'ok' -ArgsMap $diskArgs -Evidence $evidence
    }
}
Emit-Done
