"""Live figures of the remote machine (CPU, memory, disk, network) for the console's charts.

One small read-only command over the session's SSH connection every couple of seconds reads ``/proc`` and
``df``; parsing is pure and tested on its own.  CPU and network are rates, so they need two samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The command: fixed text, no user input is ever interpolated into it.
SAMPLE_COMMAND = "head -n 1 /proc/stat; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo; cat /proc/net/dev; df -P /"

SECTION_DF = "Filesystem"


@dataclass(frozen=True)
class RawSample:
    """Counters read at one moment."""

    cpu_busy: int
    cpu_total: int
    memory_used_percent: float
    disk_used_percent: float
    network_bytes: int


@dataclass(frozen=True)
class Figures:
    """What the charts show for one interval."""

    cpu_percent: float
    memory_percent: float
    disk_percent: float
    network_kbps: float


def parse_sample(text: str) -> RawSample:
    """Parse the output of :data:`SAMPLE_COMMAND` (raises ValueError on anything unexpected)."""
    cpu_busy = cpu_total = 0
    memory: dict[str, int] = {}
    network = 0
    disk = 0.0
    lines = text.splitlines()
    in_df = False
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "cpu":
            values = [int(v) for v in fields[1:]]
            idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
            cpu_total = sum(values[:8])
            cpu_busy = cpu_total - idle
        elif fields[0] in {"MemTotal:", "MemAvailable:"}:
            memory[fields[0]] = int(fields[1])
        elif ":" in line and not in_df:
            # /proc/net/dev: "  eth0: rx_bytes ... (8 receive fields) tx_bytes ..." (loopback is not the network)
            name, _, rest = line.partition(":")
            counters = rest.split()
            if len(counters) >= 16 and counters[0].isdigit() and name.strip() != "lo":
                network += int(counters[0]) + int(counters[8])
        elif fields[0] == SECTION_DF:
            in_df = True
        elif in_df and len(fields) >= 5 and fields[4].endswith("%"):
            disk = float(fields[4].rstrip("%"))
    if not cpu_total or "MemTotal:" not in memory:
        raise ValueError("unexpected sample output")
    total = memory["MemTotal:"]
    available = memory.get("MemAvailable:", 0)
    return RawSample(cpu_busy, cpu_total, 100.0 * (total - available) / total, disk, network)


def figures_between(before: RawSample, after: RawSample, seconds: float) -> Figures:
    """Rates over the interval between two samples."""
    total = max(1, after.cpu_total - before.cpu_total)
    busy = max(0, after.cpu_busy - before.cpu_busy)
    network = max(0, after.network_bytes - before.network_bytes)
    return Figures(
        cpu_percent=min(100.0, 100.0 * busy / total),
        memory_percent=after.memory_used_percent,
        disk_percent=after.disk_used_percent,
        network_kbps=network / 1024 / max(seconds, 1e-3),
    )


def read_sample(connection: Any) -> RawSample:
    """Run :data:`SAMPLE_COMMAND` over an SSH connection (``exec`` returning a process) and parse it."""
    process = connection.exec(SAMPLE_COMMAND)
    try:
        process.close_stdin()
        output = process.stdout.read()
        process.wait(10)
    finally:
        process.close()
    return parse_sample(output.decode("utf-8", errors="replace"))
