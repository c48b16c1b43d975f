"""Podpora library: interrupted or broken package installations (dpkg status and journal)."""
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
ADMIN = P.get("admin_dir", "/var/lib/dpkg")
BROKEN = ("half-installed", "unpacked", "half-configured", "triggers-awaited", "triggers-pending")
status_path = os.path.join(ADMIN, "status")
if not os.path.exists(status_path):
    check("package_state", "ok", "no dpkg database at %s" % ADMIN, "no_manager", {}, {}, None, na=True)
else:
    broken = []
    for stanza in read(status_path).split("\n\n"):
        name, state = None, None
        for line in stanza.splitlines():
            if line.startswith("Package:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("Status:"):
                state = line.split(":", 1)[1].split()
        if name and state and len(state) == 3 and (state[2] in BROKEN or state[1] == "reinstreq"):
            broken.append({"package": name, "state": state[2], "flag": state[1]})
    journal = os.path.join(ADMIN, "updates")
    pending = sorted(f for f in os.listdir(journal) if f.isdigit()) if os.path.isdir(journal) else []
    evidence = {"admin_dir": ADMIN, "broken": broken, "journal_entries": pending}
    if pending:
        check("package_state:interrupted", "fail", "dpkg was interrupted (%d journal entries in %s)" % (len(pending), journal),
              "interrupted", {}, evidence, "dpkg_configure")
    if broken:
        names = ", ".join(item["package"] for item in broken[:10])
        check("package_state:broken", "fail", "%d packages not fully installed: %s" % (len(broken), names), "broken",
              {"count": len(broken), "names": names}, evidence, "dpkg_configure")
    if not pending and not broken:
        check("package_state", "ok", "all packages fully installed", "clean", {}, evidence)
emit("done")
