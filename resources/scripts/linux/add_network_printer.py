"""Podpora library (config): add a network printer to CUPS (lpadmin)."""
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
import socket

DEFAULT_PORTS = {"ipp": 631, "ipps": 631, "socket": 9100, "lpd": 515}


def reachable(uri):
    """Whether the printer's address accepts a TCP connection (lpadmin adds a queue without asking it)."""
    scheme, rest = uri.split("://", 1)
    hostport = rest.split("/", 1)[0]
    if hostport.startswith("["):
        host, _, port = hostport[1:].partition("]")
        port = port.lstrip(":")
    else:
        host, _, port = hostport.partition(":")
    try:
        with socket.create_connection((host, int(port) if port else DEFAULT_PORTS[scheme]), timeout=5):
            return True, ""
    except (OSError, ValueError) as error:
        return False, str(error)


name, uri = P["name"], P["uri"]
if not which("lpadmin"):
    check("add_network_printer", "error", "CUPS is not installed", "no_cups", {"name": name}, {}, "install_allowed_app", na=True)
else:
    argv = ["lpadmin", "-p", name, "-E", "-v", uri, "-m", P.get("model", "everywhere")]
    if P.get("location"):
        argv += ["-L", P["location"]]
    code, out, err = run(argv, timeout=90)
    if code == 0 and P.get("make_default", False):
        run(["lpadmin", "-d", name])
    evidence = {"command": argv, "exit_status": code, "stderr": err[-1000:]}
    answers, problem = reachable(uri) if code == 0 else (False, "")
    evidence["reachable"] = answers
    if code == 0 and not answers:
        evidence["connect_error"] = problem
        check("add_network_printer", "warning", "printer %s added, but %s does not answer: %s" % (name, uri, problem),
              "unreachable", {"name": name}, evidence)
    elif code == 0:
        check("add_network_printer", "ok", "printer %s added (%s)" % (name, uri), "added", {"name": name}, evidence)
    else:
        check("add_network_printer", "fail", "lpadmin failed: %s" % err.strip()[-300:], "failed", {"name": name}, evidence)
emit("done")
