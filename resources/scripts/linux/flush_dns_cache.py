"""Podpora library (repair): empty the local DNS cache (systemd-resolved, nscd, dnsmasq), whichever runs."""
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
done_with = []
failures = []
if which("resolvectl") and os.path.exists("/run/systemd/resolve"):
    code, _, err = run(["resolvectl", "flush-caches"])
    (done_with if code == 0 else failures).append("systemd-resolved" if code == 0 else "systemd-resolved: " + err.strip())
if which("nscd"):
    code, _, err = run(["nscd", "-i", "hosts"])
    (done_with if code == 0 else failures).append("nscd" if code == 0 else "nscd: " + err.strip())
for pid in os.listdir("/proc"):
    if pid.isdigit() and read("/proc/%s/comm" % pid).strip() == "dnsmasq":
        try:
            os.kill(int(pid), 1)  # SIGHUP makes dnsmasq drop its cache
            done_with.append("dnsmasq")
        except OSError as error:
            failures.append("dnsmasq: %s" % error)
evidence = {"flushed": done_with, "failures": failures}
if failures:
    check("flush_dns_cache", "fail", "; ".join(failures)[:300], "failed", {}, evidence)
elif done_with:
    check("flush_dns_cache", "ok", "flushed: %s" % ", ".join(done_with), "flushed", {"caches": ", ".join(done_with)}, evidence)
else:
    check("flush_dns_cache", "ok", "no local DNS cache runs; nothing to flush", "no_cache", {}, evidence, None, na=True)
emit("done")
