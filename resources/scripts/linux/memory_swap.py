"""Podpora library: memory and swap use from /proc/meminfo."""
import json
import os
import subprocess
import sys

P = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
ENV = dict(os.environ, LC_ALL="C", LANG="C")


def emit(kind, **fields):
    fields["type"] = kind
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def check(cid, status, finding, explain=None, args=None, evidence=None, repair=None, na=False):
    emit("check", id=cid, status=status, finding=finding, explain=explain, args=args or {},
         evidence=evidence or {}, repair=repair, not_applicable=na)


def progress(percent, message):
    emit("progress", percent=percent, message=message)


def which(name):
    for folder in os.environ.get("PATH", "/usr/bin:/bin").split(":") + ["/usr/sbin", "/sbin"]:
        path = os.path.join(folder, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def run(argv, timeout=20, stdin=None):
    """Run a program (argv list, no shell); returns (exit status, stdout, stderr) as text."""
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL if stdin is None else None, input=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=ENV)
    except (OSError, subprocess.TimeoutExpired) as error:
        return 127, "", str(error)
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


def read(path, default=""):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return default
info = {}
for line in read("/proc/meminfo").splitlines():
    name, _, rest = line.partition(":")
    parts = rest.split()
    if parts:
        info[name] = int(parts[0]) * 1024
total = info.get("MemTotal", 0)
available = info.get("MemAvailable", info.get("MemFree", 0) + info.get("Cached", 0))
if not total:
    check("memory_swap:memory", "error", "/proc/meminfo is not readable", "unreadable")
else:
    used_percent = int(round(100.0 * (total - available) / total))
    args = {"percent": used_percent, "available_mib": available // 1048576, "total_mib": total // 1048576}
    evidence = {"total_bytes": total, "available_bytes": available, "used_percent": used_percent}
    finding = "memory %d%% used (%d MiB of %d MiB available)" % (used_percent, available // 1048576, total // 1048576)
    if used_percent >= P.get("fail_percent", 97):
        check("memory_swap:memory", "fail", finding, "memory_full", args, evidence)
    elif used_percent >= P.get("warn_percent", 90):
        check("memory_swap:memory", "warning", finding, "memory_low", args, evidence)
    else:
        check("memory_swap:memory", "ok", finding, "memory_ok", args, evidence)
swap_total, swap_free = info.get("SwapTotal", 0), info.get("SwapFree", 0)
if swap_total == 0:
    check("memory_swap:swap", "ok", "no swap configured", "no_swap", {}, {"swap_total_bytes": 0})
else:
    swap_percent = int(round(100.0 * (swap_total - swap_free) / swap_total))
    evidence = {"swap_total_bytes": swap_total, "swap_free_bytes": swap_free, "used_percent": swap_percent}
    status = "warning" if swap_percent >= P.get("swap_warn_percent", 80) else "ok"
    check("memory_swap:swap", status, "swap %d%% used" % swap_percent,
          "swap_busy" if status == "warning" else "swap_ok", {"percent": swap_percent}, evidence)
emit("done")
