"""Podpora library: pending package updates (apt simulation, or dnf from its cache), security ones counted separately."""
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
updates, security, manager, note = [], [], None, ""
if which("apt-get") and os.path.isdir("/var/lib/apt/lists"):
    manager = "apt"
    code, out, err = run(["apt-get", "-s", "-o", "Debug::NoLocking=1", "dist-upgrade"], timeout=60)
    if code != 0:
        note = err.strip()[-300:]
    for line in out.splitlines():
        if line.startswith("Inst "):
            parts = line.split()
            updates.append(parts[1])
            if "security" in line.lower():
                security.append(parts[1])
    lists = [f for f in os.listdir("/var/lib/apt/lists") if f.endswith("Packages") or f.endswith("Packages.lz4")]
    if not lists:
        note = note or "package lists were never downloaded (apt-get update)"
elif which("dnf") or which("yum"):
    manager = "dnf" if which("dnf") else "yum"
    code, out, err = run([manager, "-q", "--cacheonly", "check-update"], timeout=60)
    if code not in (0, 100):
        note = err.strip()[-300:]
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and "." in parts[0]:
            updates.append(parts[0])
if manager is None:
    check("pending_updates", "ok", "no apt or dnf here", "no_manager", {}, {}, None, na=True)
elif note and not updates:
    check("pending_updates", "warning", "cannot tell which updates are pending: %s" % note, "unknown", {}, {"detail": note})
else:
    evidence = {"manager": manager, "updates": updates[:200], "count": len(updates), "security": security[:200]}
    if security:
        check("pending_updates", "warning", "%d updates pending, %d security" % (len(updates), len(security)), "security",
              {"count": len(updates), "security": len(security)}, evidence)
    elif len(updates) >= P.get("warn_count", 50):
        check("pending_updates", "warning", "%d updates pending" % len(updates), "many", {"count": len(updates)}, evidence)
    else:
        check("pending_updates", "ok", "%d updates pending" % len(updates), "few", {"count": len(updates)}, evidence)
emit("done")
