"""Podpora library: recent errors in the system logs (journal, or classic log files)."""
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
import re

hours = P.get("since_hours", 24)
limit = P.get("max_lines", 200)
lines, source = [], ""
if which("journalctl") and (os.path.isdir("/run/log/journal") or os.path.isdir("/var/log/journal")) and not P.get("files"):
    source = "journal"
    code, out, err = run(["journalctl", "-p", "err", "-S", "-%dh" % hours, "-q", "--no-pager", "-n", str(limit), "-o", "short-iso"], timeout=30)
    lines = [line for line in out.splitlines() if line.strip()]
else:
    pattern = re.compile(r"\b(error|failed|failure|critical|crit|emerg|panic|segfault|oom-killer)\b", re.I)
    files = P.get("files") or ["/var/log/syslog", "/var/log/messages", "/var/log/kern.log"]
    source = ", ".join(f for f in files if os.path.exists(f)) or "none"
    for path in files:
        try:
            with open(path, "rb") as handle:
                handle.seek(0, 2)
                size = handle.tell()
                handle.seek(max(0, size - 2 * 1024 * 1024))
                tail = handle.read().decode("utf-8", "replace").splitlines()
        except OSError:
            continue
        lines.extend(line for line in tail if pattern.search(line))
    lines = lines[-limit:]
evidence = {"source": source, "count": len(lines), "recent": [l[:300] for l in lines[-20:]]}
if source in ("", "none"):
    check("log_errors", "ok", "no system log found to read", "no_logs", {}, evidence, None, na=True)
elif len(lines) >= P.get("warn_count", 20):
    check("log_errors", "warning", "%d error lines in the last %d hours (%s)" % (len(lines), hours, source), "many",
          {"count": len(lines), "hours": hours}, evidence)
else:
    check("log_errors", "ok", "%d error lines in the last %d hours (%s)" % (len(lines), hours, source), "few",
          {"count": len(lines), "hours": hours}, evidence)
emit("done")
