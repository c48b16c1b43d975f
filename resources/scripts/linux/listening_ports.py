"""Podpora library: listening TCP ports and bound UDP ports, with the owning programs."""
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
import struct


def hex_address(text, v6):
    address, port = text.split(":")
    raw = bytes.fromhex(address)
    if v6:
        raw = b"".join(struct.pack("<I", word) for word in struct.unpack(">4I", raw))
        return socket.inet_ntop(socket.AF_INET6, raw), int(port, 16)
    return socket.inet_ntoa(struct.pack("<I", int(address, 16))), int(port, 16)


owners = {}
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        fds = os.listdir("/proc/%s/fd" % pid)
    except OSError:
        continue
    for fd in fds:
        try:
            link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            owners[link[8:-1]] = (int(pid), read("/proc/%s/comm" % pid).strip())
ports = []
for proto, path, wanted in (("tcp", "/proc/net/tcp", "0A"), ("tcp", "/proc/net/tcp6", "0A"),
                            ("udp", "/proc/net/udp", "07"), ("udp", "/proc/net/udp6", "07")):
    for line in read(path).splitlines()[1:]:
        parts = line.split()
        if len(parts) < 10 or parts[3] != wanted:
            continue
        address, port = hex_address(parts[1], path.endswith("6"))
        if proto == "udp" and parts[2].split(":")[0].strip("0"):
            continue  # connected UDP sockets are clients
        pid, program = owners.get(parts[9], (None, ""))
        ports.append({"proto": proto, "address": address, "port": port, "pid": pid, "program": program})
unique = []
for item in sorted(ports, key=lambda i: (i["proto"], i["port"], i["address"])):
    if item not in unique:
        unique.append(item)
expected = set(str(e) for e in P.get("expected") or [])
summary = ", ".join("%s/%d" % (i["proto"], i["port"]) for i in unique if i["address"] not in ("127.0.0.1", "::1") or P.get("include_loopback", True))
check("listening_ports", "ok", "%d listening sockets: %s" % (len(unique), summary[:1500]), "summary",
      {"count": len(unique)}, {"ports": unique})
if expected:
    for item in unique:
        if not P.get("include_loopback", True) and item["address"].startswith(("127.", "::1")):
            continue
        key = "%s/%d" % (item["proto"], item["port"])
        if key in expected or str(item["port"]) in expected:
            continue
        check("listening_ports:%s" % key, "warning", "unexpected %s port %d on %s (%s, pid %s)" % (
            item["proto"], item["port"], item["address"], item["program"] or "unknown program", item["pid"]),
            "unexpected", {"port": item["port"], "proto": item["proto"], "program": item["program"] or "?"}, item)
emit("done")
