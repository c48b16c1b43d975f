"""Podpora library: CPU load and the processes using the most CPU (two /proc samples)."""
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
import time

CLK = os.sysconf("SC_CLK_TCK")


def sample():
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        stat = read("/proc/%s/stat" % name)
        if not stat:
            continue
        try:
            head, tail = stat.rsplit(")", 1)
            fields = tail.split()
            found[int(name)] = (int(fields[11]) + int(fields[12]), head.split("(", 1)[1])
        except (ValueError, IndexError):
            continue
    return found


cpus = os.cpu_count() or 1
interval = P.get("sample_ms", 500) / 1000.0
progress(10, "sampling processes")
first = sample()
start = time.monotonic()
time.sleep(interval)  # measuring CPU use needs two samples some time apart
second = sample()
elapsed = time.monotonic() - start
top = []
for pid, (ticks, name) in second.items():
    if pid in first and pid != os.getpid():
        percent = 100.0 * (ticks - first[pid][0]) / CLK / elapsed
        if percent > 0:
            cmdline = read("/proc/%d/cmdline" % pid).replace("\0", " ").strip()[:200]
            top.append({"pid": pid, "name": name, "cpu_percent": round(percent, 1), "command": cmdline})
top.sort(key=lambda item: -item["cpu_percent"])
top = top[: P.get("top", 10)]
load1, load5, load15 = os.getloadavg()
per_cpu = load5 / cpus
evidence = {"load": [load1, load5, load15], "cpus": cpus, "top": top}
args = {"load": "%.2f" % load5, "cpus": cpus}
if per_cpu >= P.get("fail_load_per_cpu", 4):
    check("cpu_load:load", "fail", "5-minute load %.2f on %d CPUs" % (load5, cpus), "load_high", args, evidence)
elif per_cpu >= P.get("warn_load_per_cpu", 1.5):
    check("cpu_load:load", "warning", "5-minute load %.2f on %d CPUs" % (load5, cpus), "load_busy", args, evidence)
else:
    check("cpu_load:load", "ok", "5-minute load %.2f on %d CPUs" % (load5, cpus), "load_ok", args, evidence)
hogs = [p for p in top if p["cpu_percent"] >= P.get("hog_percent", 80)]
if hogs:
    worst = hogs[0]
    check("cpu_load:hog", "warning", "%s (pid %d) uses %.0f%% CPU" % (worst["name"], worst["pid"], worst["cpu_percent"]),
          "hog", {"name": worst["name"], "pid": worst["pid"], "percent": int(worst["cpu_percent"])}, {"processes": hogs})
else:
    check("cpu_load:hog", "ok", "no process uses more than %d%% CPU" % P.get("hog_percent", 80), "no_hog", {},
          {"processes": top[:3]})
emit("done")
