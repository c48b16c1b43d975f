"""Podpora library: does the system need a restart to finish updates (Debian flag file, newer kernel installed)?"""
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
import re

flag = P.get("flag_file", "/var/run/reboot-required")
packages = [p for p in read(flag + ".pkgs").splitlines() if p.strip()]
running = os.uname().release
kernels = sorted(f[len("vmlinuz-"):] for f in (os.listdir("/boot") if os.path.isdir("/boot") else []) if f.startswith("vmlinuz-"))


def key(version):
    return [int(x) if x.isdigit() else x for x in re.split(r"[.-]", version)]


newest = max(kernels, key=key) if kernels else None
evidence = {"flag_file": os.path.exists(flag), "packages": packages, "running_kernel": running, "installed_kernels": kernels}
if os.path.exists(flag):
    check("reboot_required", "warning", "restart requested by %s" % (", ".join(packages) or "updates"), "required",
          {"packages": ", ".join(packages) or "-"}, evidence)
elif newest and newest != running and running in kernels:
    check("reboot_required", "warning", "kernel %s installed, %s running" % (newest, running), "new_kernel",
          {"kernel": newest}, evidence)
else:
    check("reboot_required", "ok", "no restart pending", "none", {}, evidence)
emit("done")
