"""Podpora library: installed versions of packages (dpkg status file, or rpm where present)."""
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


def dpkg_packages():
    found = {}
    for stanza in read(os.path.join(ADMIN, "status")).split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if line and not line[0].isspace() and ":" in line:
                key, value = line.split(":", 1)
                fields[key] = value.strip()
        if "Package" in fields:
            found[fields["Package"]] = {"version": fields.get("Version", ""), "status": fields.get("Status", "")}
    return found


packages = {}
manager = None
if os.path.exists(os.path.join(ADMIN, "status")):
    manager = "dpkg"
    packages = dpkg_packages()
elif which("rpm"):
    manager = "rpm"
    code, out, _ = run(["rpm", "-qa", "--qf", "%{NAME}\t%{VERSION}-%{RELEASE}\n"], timeout=60)
    for line in out.splitlines():
        name, _, version = line.partition("\t")
        packages[name] = {"version": version, "status": "install ok installed"}
if manager is None:
    check("packages_installed", "ok", "no dpkg or rpm package database", "no_manager", {}, {}, None, na=True)
else:
    installed = {n: p for n, p in packages.items() if p["status"].endswith(" installed")}
    check("packages_installed", "ok", "%d packages installed (%s)" % (len(installed), manager), "summary",
          {"count": len(installed), "manager": manager}, {"manager": manager, "count": len(installed)})
    for name in P.get("packages") or []:
        item = packages.get(name)
        if item and item["status"].endswith(" installed"):
            check("packages_installed:" + name, "ok", "%s %s installed" % (name, item["version"]), "installed",
                  {"name": name, "version": item["version"]}, dict(item, name=name))
        elif item:
            check("packages_installed:" + name, "fail", "%s is in state '%s'" % (name, item["status"]), "broken",
                  {"name": name}, dict(item, name=name), "reinstall_package")
        else:
            check("packages_installed:" + name, "warning", "%s is not installed" % name, "missing", {"name": name},
                  {"name": name}, "install_allowed_app")
emit("done")
