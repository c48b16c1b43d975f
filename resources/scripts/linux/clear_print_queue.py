"""Podpora library (repair): cancel the waiting print jobs and re-enable the printer (CUPS)."""
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
printer = P.get("printer", "")
if not which("cancel") or not which("lpstat"):
    check("clear_print_queue", "error", "CUPS is not installed", "no_cups", {}, {}, None, na=True)
else:
    jobs = [l.split()[0] for l in run(["lpstat", "-o"] + ([printer] if printer else []))[1].splitlines() if l.strip()]
    code, out, err = run(["cancel", "-a"] + ([printer] if printer else []), timeout=60)
    if printer and which("cupsenable"):
        run(["cupsenable", printer])
        run(["cupsaccept", printer])
    evidence = {"printer": printer or "all", "cancelled": jobs, "exit_status": code, "stderr": err[-500:]}
    if code == 0:
        check("clear_print_queue", "ok", "cancelled %d jobs on %s" % (len(jobs), printer or "all printers"), "cleared",
              {"jobs": len(jobs), "printer": printer or "all printers"}, evidence)
    else:
        check("clear_print_queue", "fail", "cancel failed: %s" % err.strip()[-300:], "failed", {}, evidence)
emit("done")
