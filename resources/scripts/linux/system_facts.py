"""Podpora library: system facts: OS, kernel, hardware, uptime, logged-in users."""
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
import platform
import socket

release = {}
for line in read("/etc/os-release").splitlines():
    key, sep, value = line.partition("=")
    if sep:
        release[key] = value.strip().strip('"')
uname = os.uname()
cpu_model = ""
for line in read("/proc/cpuinfo").splitlines():
    if line.startswith("model name"):
        cpu_model = line.split(":", 1)[1].strip()
        break
mem_kib = 0
for line in read("/proc/meminfo").splitlines():
    if line.startswith("MemTotal:"):
        mem_kib = int(line.split()[1])
try:
    uptime = float(read("/proc/uptime", "0").split()[0])
except (ValueError, IndexError):
    uptime = 0.0
users = []
if which("who"):
    code, out, _ = run(["who"])
    users = sorted({line.split()[0] for line in out.splitlines() if line.strip()})
vendor = read("/sys/class/dmi/id/sys_vendor").strip()
product = read("/sys/class/dmi/id/product_name").strip()
virt = ""
if which("systemd-detect-virt"):
    virt = run(["systemd-detect-virt"])[1].strip()
evidence = {
    "hostname": socket.gethostname(),
    "os": release.get("PRETTY_NAME", uname.sysname),
    "os_id": release.get("ID", ""),
    "os_version": release.get("VERSION_ID", ""),
    "kernel": uname.release,
    "architecture": uname.machine,
    "cpu_model": cpu_model,
    "cpus": os.cpu_count(),
    "memory_mib": mem_kib // 1024,
    "uptime_seconds": int(uptime),
    "users_logged_in": users,
    "vendor": vendor,
    "product": product,
    "virtualization": virt,
    "python": platform.python_version(),
}
days = int(uptime // 86400)
args = {"os": evidence["os"], "kernel": uname.release, "days": days, "hours": int(uptime % 86400 // 3600),
        "users": ", ".join(users) or "-"}
check("system_facts", "ok", "%s, kernel %s, up %d days" % (evidence["os"], uname.release, days), "facts", args,
      evidence)
if days >= P.get("uptime_warn_days", 60):
    check("system_facts:uptime", "warning", "up %d days without restart" % days, "long_uptime", args,
          {"uptime_seconds": int(uptime)})
emit("done")
