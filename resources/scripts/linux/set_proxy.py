"""Podpora library (config): set the system-wide proxy in files Podpora owns (profile script and apt setting)."""
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
url, no_proxy = P["url"], P.get("no_proxy", "localhost,127.0.0.1,::1")
profile = os.path.join(ROOT, "etc/profile.d/podpora-proxy.sh")
apt = os.path.join(ROOT, "etc/apt/apt.conf.d/95podpora-proxy")
written = []
try:
    os.makedirs(os.path.dirname(profile), exist_ok=True)
    with open(profile, "w") as handle:
        handle.write("# Written by Podpora (set_proxy); remove_proxy deletes this file.\n")
        for name in ("http_proxy", "https_proxy", "ftp_proxy"):
            handle.write("export %s='%s'\nexport %s='%s'\n" % (name, url, name.upper(), url))
        handle.write("export no_proxy='%s'\nexport NO_PROXY='%s'\n" % (no_proxy, no_proxy))
    written.append(profile)
    if os.path.isdir(os.path.dirname(apt)) or P.get("apt", True) and os.path.isdir(os.path.join(ROOT, "etc/apt")):
        os.makedirs(os.path.dirname(apt), exist_ok=True)
        with open(apt, "w") as handle:
            handle.write('// Written by Podpora (set_proxy)\nAcquire::http::Proxy "%s";\nAcquire::https::Proxy "%s";\n' % (url, url))
        written.append(apt)
    check("set_proxy", "ok", "proxy %s written to %s" % (url, ", ".join(written)), "set", {"url": url}, {"files": written})
except OSError as error:
    check("set_proxy", "fail", "writing the proxy settings failed: %s" % error, "failed", {}, {"files": written})
emit("done")
