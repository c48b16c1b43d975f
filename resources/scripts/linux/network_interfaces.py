"""Podpora library: network interfaces, their state and addresses."""
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
interfaces = []
if which("ip"):
    code, out, _ = run(["ip", "-j", "addr", "show"])
    if code == 0:
        try:
            for item in json.loads(out):
                interfaces.append({
                    "name": item.get("ifname"),
                    "state": item.get("operstate", "UNKNOWN"),
                    "mac": item.get("address", ""),
                    "mtu": item.get("mtu"),
                    "addresses": ["%s/%s" % (a.get("local"), a.get("prefixlen")) for a in item.get("addr_info", [])],
                })
        except ValueError:
            interfaces = []
if not interfaces and os.path.isdir("/sys/class/net"):
    for name in sorted(os.listdir("/sys/class/net")):
        base = "/sys/class/net/" + name
        interfaces.append({"name": name, "state": read(base + "/operstate").strip().upper() or "UNKNOWN",
                           "mac": read(base + "/address").strip(), "mtu": read(base + "/mtu").strip(),
                           "addresses": []})
usable = [i for i in interfaces if i["name"] != "lo" and i["state"] in ("UP", "UNKNOWN")
          and any(not a.startswith(("127.", "::1", "fe80")) for a in i["addresses"])]
for item in interfaces:
    status = "ok"
    check("network_interfaces:" + item["name"], status, "%s is %s, addresses: %s" % (
        item["name"], item["state"], ", ".join(item["addresses"]) or "none"), "interface",
        {"name": item["name"], "state": item["state"].lower(), "addresses": ", ".join(item["addresses"]) or "-"}, item)
if usable:
    check("network_interfaces:connected", "ok", "%d interface(s) with an address" % len(usable), "connected",
          {"names": ", ".join(i["name"] for i in usable)}, {"interfaces": [i["name"] for i in usable]})
else:
    check("network_interfaces:connected", "fail", "no interface besides loopback has an address", "disconnected")
emit("done")
