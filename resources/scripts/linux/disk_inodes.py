"""Podpora library: free inodes (file slots) per mounted file system."""
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
SKIP = {"proc", "sysfs", "devpts", "cgroup", "cgroup2", "mqueue", "debugfs", "tracefs", "securityfs", "pstore",
        "bpf", "configfs", "fusectl", "hugetlbfs", "autofs", "binfmt_misc", "nsfs", "devtmpfs", "squashfs",
        "efivarfs", "ramfs", "overlay"}
targets = P.get("mounts") or []
if not targets:
    for line in read("/proc/mounts").splitlines():
        parts = line.split()
        if len(parts) >= 3 and (parts[2] not in SKIP or parts[1] == "/") and parts[1] not in targets:
            if parts[2] == "tmpfs" and parts[1] not in ("/tmp", "/dev/shm"):
                continue
            targets.append(parts[1].replace("\\040", " "))
warn, fail = P.get("warn_percent", 90), P.get("fail_percent", 98)
for mount in targets:
    try:
        st = os.statvfs(mount)
    except OSError as error:
        check("disk_inodes:" + mount, "error", "statvfs(%s) failed: %s" % (mount, error), "unreadable", {"mount": mount})
        continue
    if st.f_files == 0:
        continue  # file systems without an inode limit (btrfs, vfat)
    used = st.f_files - st.f_ffree
    percent = int(-(-100 * used // st.f_files))
    args = {"mount": mount, "percent": percent, "free": st.f_favail}
    evidence = {"mount": mount, "inodes": st.f_files, "used": used, "free": st.f_favail, "used_percent": percent}
    finding = "%s: %d%% of inodes used (%d free)" % (mount, percent, st.f_favail)
    if percent >= fail:
        check("disk_inodes:" + mount, "fail", finding, "full", args, evidence, "clean_temp")
    elif percent >= warn:
        check("disk_inodes:" + mount, "warning", finding, "low", args, evidence, "clean_temp")
    else:
        check("disk_inodes:" + mount, "ok", finding, "ok", args, evidence)
emit("done")
