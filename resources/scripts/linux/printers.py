"""Podpora library: printers and their queues (CUPS, where installed)."""
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

if not which("lpstat"):
    check("printers", "ok", "CUPS is not installed; not applicable", "no_cups", {}, {}, None, na=True)
else:
    code, out, err = run(["lpstat", "-p"], timeout=15)
    if code != 0 and "No destinations" not in err + out:
        # CUPS is installed but its scheduler does not answer: nothing prints, a finding (not a broken check).
        down = "not running" in err or "Unable to connect" in err or "Connection refused" in err
        check("printers", "fail" if down else "error", "lpstat failed: %s" % err.strip()[:300], "cups_down", {},
              {"stderr": err[-500:]})
    else:
        printers = []
        for line in out.splitlines():
            if line.startswith("printer "):
                parts = line.split()
                printers.append({"name": parts[1], "enabled": "disabled" not in line, "line": line.strip()})
        code, jobs_out, _ = run(["lpstat", "-o"], timeout=15)
        jobs = [line.split()[0] for line in jobs_out.splitlines() if line.strip()]
        for printer in printers:
            queued = [j for j in jobs if j.rsplit("-", 1)[0] == printer["name"]]
            evidence = dict(printer, jobs=queued)
            if not printer["enabled"]:
                check("printers:" + printer["name"], "fail", "printer %s is disabled" % printer["name"], "disabled",
                      {"name": printer["name"], "jobs": len(queued)}, evidence, "clear_print_queue")
            elif len(queued) >= P.get("stuck_jobs", 5):
                check("printers:" + printer["name"], "warning", "%d jobs waiting on %s" % (len(queued), printer["name"]),
                      "stuck", {"name": printer["name"], "jobs": len(queued)}, evidence, "clear_print_queue")
            else:
                check("printers:" + printer["name"], "ok", "printer %s ready, %d jobs" % (printer["name"], len(queued)),
                      "ready", {"name": printer["name"], "jobs": len(queued)}, evidence)
        if not printers:
            check("printers", "ok", "no printers set up", "none", {}, {})
emit("done")
