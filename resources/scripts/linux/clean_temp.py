"""Podpora library (repair): free space by deleting old temporary files (never following links or leaving the disk)."""
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
import stat
import time

cutoff = time.time() - P.get("older_than_days", 7) * 86400
freed, removed, errors = 0, 0, 0
for root in P.get("paths") or ["/tmp", "/var/tmp"]:
    try:
        device = os.lstat(root).st_dev
    except OSError:
        continue
    for folder, dirs, files in os.walk(root, topdown=False):
        for name in files:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
                if info.st_dev != device or not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
                    continue
                if max(info.st_mtime, info.st_ctime) > cutoff:
                    continue
                os.unlink(path)
                freed += info.st_blocks * 512
                removed += 1
            except OSError:
                errors += 1
        for name in dirs:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
                if info.st_dev == device and stat.S_ISDIR(info.st_mode) and info.st_mtime <= cutoff:
                    os.rmdir(path)  # only empty folders go
            except OSError:
                pass
cache_freed = 0
if P.get("apt_cache", True) and which("apt-get") and os.path.isdir("/var/cache/apt/archives"):
    before = sum(os.path.getsize(os.path.join("/var/cache/apt/archives", f)) for f in os.listdir("/var/cache/apt/archives") if f.endswith(".deb"))
    if run(["apt-get", "clean"], timeout=60)[0] == 0:
        cache_freed = before
mib = (freed + cache_freed) // 1048576
evidence = {"files_removed": removed, "bytes_freed": freed, "apt_cache_bytes_freed": cache_freed, "errors": errors}
check("clean_temp", "ok" if not errors else "warning", "removed %d files, freed %d MiB (%d not removable)" % (removed, mib, errors),
      "cleaned" if not errors else "partly", {"files": removed, "mib": mib, "errors": errors}, evidence)
emit("done")
