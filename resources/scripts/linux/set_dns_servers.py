"""Podpora library (config): set the DNS servers (systemd-resolved drop-in, or /etc/resolv.conf with a backup)."""
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
resolv = os.path.join(ROOT, "etc/resolv.conf")
dropin = os.path.join(ROOT, "etc/systemd/resolved.conf.d/podpora-dns.conf")
try:
    if ROOT == "/" and os.path.exists("/run/systemd/resolve/stub-resolv.conf") and os.path.realpath(resolv).startswith("/run/systemd/resolve"):
        os.makedirs(os.path.dirname(dropin), exist_ok=True)
        with open(dropin, "w") as handle:
            handle.write("# Written by Podpora (set_dns_servers)\n[Resolve]\nDNS=%s\n" % " ".join(servers))
        code, _, err = run(["systemctl", "restart", "systemd-resolved"], timeout=60)
        where = dropin
    else:
        backup = resolv + ".podpora-backup"
        old = read(resolv)
        if not os.path.exists(backup):
            with open(backup, "w") as handle:
                handle.write(old)
        keep = [l for l in old.splitlines() if l.split()[:1] and l.split()[0] in ("search", "domain", "options")]
        tmp = resolv + ".podpora-new"
        with open(tmp, "w") as handle:
            handle.write("# Written by Podpora (set_dns_servers); the previous file is %s\n" % backup)
            handle.write("".join("nameserver %s\n" % s for s in servers) + "".join(l + "\n" for l in keep))
        os.replace(tmp, resolv)
        where = resolv
    check("set_dns_servers", "ok", "DNS servers %s written to %s" % (", ".join(servers), where), "set",
          {"servers": ", ".join(servers)}, {"file": where})
except OSError as error:
    check("set_dns_servers", "fail", "writing DNS settings failed: %s" % error, "failed", {}, {})
emit("done")
