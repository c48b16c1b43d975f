"""Podpora library: proxy settings (environment, /etc/environment, profile scripts, apt) and whether the proxy answers."""
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
import glob
import re
import socket

ROOT = P.get("root", "/")
NAMES = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy")
CRED = re.compile(r"(://)[^/@\s]+@")


def clean(value):
    return CRED.sub(r"\1***@", value.strip().strip("'\""))


def under(path):
    return os.path.join(ROOT, path.lstrip("/"))


found = []
for name in NAMES:
    for key in (name, name.upper()):
        if os.environ.get(key):
            found.append({"source": "environment", "name": key, "value": clean(os.environ[key])})
assign = re.compile(r"^\s*(?:export\s+)?([A-Za-z_]+)=(.*)$")
files = [under("/etc/environment")] + sorted(glob.glob(under("/etc/profile.d/*.sh")))
for path in files:
    for line in read(path).splitlines():
        match = assign.match(line)
        if match and match.group(1).lower() in NAMES:
            found.append({"source": path, "name": match.group(1), "value": clean(match.group(2))})
apt = re.compile(r'Acquire::(\w+)::Proxy\s+"([^"]*)"', re.I)
for path in sorted(glob.glob(under("/etc/apt/apt.conf.d/*"))) + [under("/etc/apt/apt.conf")]:
    for match in apt.finditer(read(path)):
        found.append({"source": path, "name": "apt " + match.group(1), "value": clean(match.group(2))})
proxies = sorted({item["value"] for item in found if "proxy" in item["name"].lower() and not item["name"].lower().startswith("no_")
                  and item["value"] and item["value"].upper() != "DIRECT" and item["value"] != "false"})
if not proxies:
    check("proxy_settings", "ok", "no proxy configured", "none", {}, {"settings": found})
else:
    check("proxy_settings", "ok", "proxy configured: %s" % ", ".join(proxies), "configured",
          {"proxies": proxies}, {"settings": found})
    if P.get("test_connect", True):
        for proxy in proxies:
            match = re.match(r"^(?:[a-z0-9+]+://)?(?:\*\*\*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?", proxy)
            if not match:
                continue
            host, port = match.group(1).strip("[]"), int(match.group(2) or 8080)
            try:
                socket.create_connection((host, port), timeout=P.get("timeout_ms", 2000) / 1000.0).close()
                check("proxy_settings:" + proxy, "ok", "proxy %s:%d accepts connections" % (host, port), "proxy_up", {"proxy": proxy})
            except (OSError, ValueError) as error:
                check("proxy_settings:" + proxy, "fail", "proxy %s:%d: %s" % (host, port, error), "proxy_down",
                      {"proxy": proxy}, {"error": str(error)}, "set_proxy")
emit("done")
