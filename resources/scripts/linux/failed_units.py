"""Podpora library: failed systemd units (not applicable where systemd does not run)."""
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
if not os.path.isdir("/run/systemd/system") or not which("systemctl"):
    check("failed_units", "ok", "systemd is not running here; not applicable", "not_applicable", {}, {}, None, na=True)
else:
    code, out, err = run(["systemctl", "list-units", "--failed", "--all", "--no-legend", "--plain", "--no-pager"])
    if code != 0:
        check("failed_units", "error", "systemctl failed: %s" % err.strip()[:300], "unreadable")
    else:
        failed = []
        for line in out.splitlines():
            parts = line.split(None, 4)
            if len(parts) >= 4:
                failed.append({"unit": parts[0], "load": parts[1], "active": parts[2], "sub": parts[3],
                               "description": parts[4] if len(parts) > 4 else ""})
        if not failed:
            check("failed_units", "ok", "no failed units", "none")
        for unit in failed:
            check("failed_units:" + unit["unit"], "fail", "%s failed (%s)" % (unit["unit"], unit["description"]),
                  "failed", {"unit": unit["unit"], "description": unit["description"] or unit["unit"]}, unit, "restart_service")
emit("done")
