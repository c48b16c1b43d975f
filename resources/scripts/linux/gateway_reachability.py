"""Podpora library: is the default gateway (router) reachable?"""
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
import errno
import socket
import struct


def default_gateway():
    for line in read("/proc/net/route").splitlines()[1:]:
        parts = line.split()
        if len(parts) > 3 and parts[1] == "00000000" and int(parts[3], 16) & 2:
            return socket.inet_ntoa(struct.pack("<L", int(parts[2], 16))), parts[0]
    return None, None


target, device = (P.get("target"), None) if P.get("target") else default_gateway()
if target is None:
    check("gateway_reachability", "fail", "no default route", "no_route", {}, {}, None)
else:
    timeout = P.get("timeout_ms", 1500) / 1000.0
    reachable, how = False, ""
    if which("ping"):
        code, out, err = run(["ping", "-n", "-c", "1", "-W", str(max(1, int(timeout))), target], timeout=timeout + 2)
        if code == 0:
            reachable, how = True, "ping"
    if not reachable:
        for port in P.get("ports") or [53, 80, 443]:
            sock = socket.socket()
            sock.settimeout(timeout)
            try:
                result = sock.connect_ex((target, int(port)))
            finally:
                sock.close()
            if result in (0, errno.ECONNREFUSED):
                reachable, how = True, "tcp/%s %s" % (port, "open" if result == 0 else "refused (host answered)")
                break
    arp = ""
    for line in read("/proc/net/arp").splitlines()[1:]:
        parts = line.split()
        if parts and parts[0] == target and parts[2] == "0x2":
            arp = parts[3]
    if arp and not reachable:
        reachable, how = True, "seen in the ARP table"
    evidence = {"gateway": target, "device": device, "method": how, "mac": arp}
    if reachable:
        check("gateway_reachability", "ok", "gateway %s reachable (%s)" % (target, how), "reachable", {"gateway": target}, evidence)
    else:
        check("gateway_reachability", "fail", "gateway %s does not answer" % target, "unreachable", {"gateway": target}, evidence)
emit("done")
