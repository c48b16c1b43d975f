"""Podpora library (repair): restart one systemd service and confirm it runs."""
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
unit = P["unit"]
if not os.path.isdir("/run/systemd/system") or not which("systemctl"):
    check("restart_service", "error", "systemd is not running here", "no_systemd", {"unit": unit}, {}, None, na=True)
else:
    code, out, err = run(["systemctl", "restart", unit], timeout=90)
    state = run(["systemctl", "is-active", unit])[1].strip()
    evidence = {"unit": unit, "exit_status": code, "stderr": err[-1000:], "state": state}
    if code == 0 and state == "active":
        run(["systemctl", "reset-failed", unit])
        check("restart_service", "ok", "%s restarted and active" % unit, "restarted", {"unit": unit}, evidence)
    else:
        check("restart_service", "fail", "%s did not start: %s (%s)" % (unit, state, err.strip()[-200:]), "failed", {"unit": unit}, evidence)
emit("done")
