"""Podpora library: DNS: the system resolver and each DNS server asked directly (UDP, stdlib only)."""
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
import random
import socket
import struct
import threading
import time


def nameservers():
    found = []
    for line in read(P.get("resolv_conf", "/etc/resolv.conf")).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            found.append(parts[1])
    return found


def split_server(text):
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return host, int(port or 53)
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, 53


def query(server, name, timeout):
    host, port = split_server(server)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    qid = random.randint(0, 65535)
    labels = b"".join(bytes([len(part)]) + part for part in (p.encode("idna") for p in name.rstrip(".").split(".")))
    packet = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", 1, 1)
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(timeout)
    start = time.monotonic()
    try:
        sock.connect((host, port))
        sock.send(packet)
        while True:
            data = sock.recv(4096)
            if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
                break
    finally:
        sock.close()
    flags, _, answers = struct.unpack(">HHH", data[2:8])
    return flags & 0xF, answers, int((time.monotonic() - start) * 1000)


def system_lookup(name, timeout):
    box = {}

    def work():
        try:
            box["addresses"] = sorted({item[4][0] for item in socket.getaddrinfo(name, None)})
        except socket.gaierror as error:
            box["error"] = str(error)
    thread = threading.Thread(target=work)
    thread.daemon = True
    thread.start()
    thread.join(timeout)
    return box if box else {"error": "no answer within %.0f s" % timeout}


names = P.get("names") or ["example.com"]
timeout = P.get("timeout_ms", 2000) / 1000.0
servers = P.get("servers") or nameservers()
if not P.get("servers"):
    for name in names:
        answer = system_lookup(name, timeout * 2)
        if "addresses" in answer:
            check("dns_resolution:system:" + name, "ok", "%s resolves to %s" % (name, ", ".join(answer["addresses"][:4])),
                  "resolves", {"name": name}, answer)
        else:
            check("dns_resolution:system:" + name, "fail", "%s does not resolve: %s" % (name, answer["error"]),
                  "no_resolve", {"name": name}, answer, repair="flush_dns_cache")
if not servers:
    check("dns_resolution:servers", "fail", "no DNS server configured", "no_servers", {}, {}, "set_dns_servers")
for server in servers:
    name = names[0]
    try:
        rcode, answers, ms = query(server, name, timeout)
    except (OSError, ValueError) as error:
        reason = "no answer" if isinstance(error, socket.timeout) else str(error)
        check("dns_resolution:server:" + server, "fail", "DNS server %s: %s" % (server, reason), "server_down",
              {"server": server}, {"server": server, "error": reason}, "set_dns_servers")
        continue
    evidence = {"server": server, "name": name, "rcode": rcode, "answers": answers, "ms": ms}
    if rcode == 0 and answers:
        check("dns_resolution:server:" + server, "ok", "%s answered for %s in %d ms" % (server, name, ms), "server_ok",
              {"server": server, "ms": ms}, evidence)
    elif rcode == 3 or rcode == 0:
        check("dns_resolution:server:" + server, "warning", "%s says %s does not exist" % (server, name), "no_such_name",
              {"server": server, "name": name}, evidence)
    else:
        check("dns_resolution:server:" + server, "fail", "%s answered with error code %d" % (server, rcode),
              "server_error", {"server": server}, evidence, "set_dns_servers")
emit("done")
