# Podpora library (Windows, PowerShell 5.1+): Name lookups through the system resolver and each configured DNS server.
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
$names = @(Get-Param 'names' @('example.com'))
$servers = @(Get-Param 'servers' @())
if ($servers.Count -eq 0) {
    $servers = @(Get-DnsClientServerAddress | ForEach-Object { $_.ServerAddresses } | Where-Object { $_ } | Select-Object -Unique)
}
foreach ($name in $names) {
    try {
        $answer = @(Resolve-DnsName -Name $name -ErrorAction Stop | Where-Object { $_.IPAddress } | ForEach-Object { $_.IPAddress })
        Emit-Check -Id ("dns_resolution:system:" + $name) -Status 'ok' -Finding ("{0} resolves to {1}" -f $name, ($answer -join ', ')) `
            -Explain 'resolves' -ArgsMap ([ordered]@{ name = $name }) -Evidence ([ordered]@{ addresses = $answer })
    } catch {
        Emit-Check -Id ("dns_resolution:system:" + $name) -Status 'fail' -Finding ("{0} does not resolve: {1}" -f $name, $_.Exception.Message) `
            -Explain 'no_resolve' -ArgsMap ([ordered]@{ name = $name }) -Evidence ([ordered]@{ error = $_.Exception.Message })
    }
}
if ($servers.Count -eq 0) {
    Emit-Check -Id 'dns_resolution:servers' -Status 'fail' -Finding 'no DNS server configured' -Explain 'no_servers'
}
foreach ($server in $servers) {
    $name = $names[0]
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try {
        # -QuickTimeout: one short try per server instead of Windows' retries over several seconds.
        $null = Resolve-DnsName -Name $name -Server $server -DnsOnly -QuickTimeout -ErrorAction Stop
        $ms = [int]$clock.ElapsedMilliseconds
        Emit-Check -Id ("dns_resolution:server:" + $server) -Status 'ok' -Finding ("{0} answered for {1} in {2} ms" -f $server, $name, $ms) `
            -Explain 'server_ok' -ArgsMap ([ordered]@{ server = $server; ms = $ms }) -Evidence ([ordered]@{ ms = $ms })
    } catch {
        $reason = [string]$_.Exception.Message
        if ($reason -match 'does not exist|DNS name does not exist') {
            Emit-Check -Id ("dns_resolution:server:" + $server) -Status 'warning' -Finding ("{0} says {1} does not exist" -f $server, $name) `
                -Explain 'no_such_name' -ArgsMap ([ordered]@{ server = $server; name = $name }) -Evidence ([ordered]@{ error = $reason })
        } else {
            Emit-Check -Id ("dns_resolution:server:" + $server) -Status 'fail' -Finding ("DNS server {0}: {1}" -f $server, $reason) `
                -Explain 'server_down' -ArgsMap ([ordered]@{ server = $server }) -Evidence ([ordered]@{ error = $reason })
        }
    }
}
Emit-Done
