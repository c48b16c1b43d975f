"""Podpora library (config): set the time servers for chrony or systemd-timesyncd (a file Podpora owns)."""
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
ROOT = P.get("root", "/")
servers = P["servers"]
chrony_dir = os.path.join(ROOT, "etc/chrony")
timesyncd = os.path.join(ROOT, "etc/systemd")
try:
    if os.path.isdir(chrony_dir):
        path = os.path.join(chrony_dir, "sources.d/podpora.sources")
        content = "# Written by Podpora (set_time_servers)\n" + "".join("server %s iburst\n" % s for s in servers)
        service, reload_argv = "chrony", ["chronyc", "reload", "sources"]
    elif os.path.isdir(timesyncd):
        path = os.path.join(timesyncd, "timesyncd.conf.d/podpora.conf")
        content = "# Written by Podpora (set_time_servers)\n[Time]\nNTP=%s\n" % " ".join(servers)
        service, reload_argv = "systemd-timesyncd", ["systemctl", "try-restart", "systemd-timesyncd"]
    else:
        path = None
    if path is None:
        check("set_time_servers", "fail", "neither chrony nor systemd-timesyncd is set up", "no_service", {}, {}, "install_allowed_app")
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(content)
        reload_status = None
        if ROOT == "/" and which(reload_argv[0]):
            reload_status = run(reload_argv, timeout=60)[0]
        check("set_time_servers", "ok", "time servers %s written to %s (%s)" % (", ".join(servers), path, service), "set",
              {"servers": ", ".join(servers)}, {"file": path, "service": service, "reload_status": reload_status})
except OSError as error:
    check("set_time_servers", "fail", "writing the time servers failed: %s" % error, "failed", {}, {})
emit("done")
