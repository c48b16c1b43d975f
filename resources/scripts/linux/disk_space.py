"""Podpora library: free space per mounted file system (statvfs, like df)."""
import json
import os
import sys

P = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def emit(kind, **fields):
    fields["type"] = kind
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def check(cid, status, finding, explain=None, args=None, evidence=None, repair=None, na=False):
    emit("check", id=cid, status=status, finding=finding, explain=explain, args=args or {},
         evidence=evidence or {}, repair=repair, not_applicable=na)


PSEUDO = {"proc", "sysfs", "devpts", "cgroup", "cgroup2", "mqueue", "debugfs", "tracefs", "securityfs",
          "pstore", "bpf", "configfs", "fusectl", "hugetlbfs", "autofs", "binfmt_misc", "nsfs", "rpc_pipefs",
          "devtmpfs", "efivarfs", "squashfs", "ramfs", "fuse.gvfsd-fuse", "fuse.portal", "overlay", "nfsd"}


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return "%.1f %s" % (n, unit) if unit != "B" else "%d B" % n
        n /= 1024.0


def mounts():
    found = []
    with open("/proc/mounts") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) < 3:
                continue
            point = parts[1].replace("\\040", " ")
            if parts[2] in PSEUDO and point != "/":
                continue
            if parts[2] == "tmpfs" and point not in ("/tmp", "/dev/shm", "/run"):
                continue
            if point not in found:
                found.append(point)
    return found


targets = P.get("mounts") or mounts()
warn, fail = P.get("warn_percent", 90), P.get("fail_percent", 98)
for index, mount in enumerate(targets):
    emit("progress", percent=int(100 * index / max(1, len(targets))), message="checking " + mount)
    try:
        st = os.statvfs(mount)
    except OSError as error:
        check("disk_space:" + mount, "error", "statvfs(%s) failed: %s" % (mount, error), "unreadable",
              {"mount": mount})
        continue
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    avail = st.f_bavail * st.f_frsize
    usable = used + avail
    if st.f_blocks == 0 or usable == 0:
        continue
    percent = int(-(-100 * used // usable))  # rounded up, as df does
    args = {"mount": mount, "percent": percent, "free": human(avail)}
    evidence = {"mount": mount, "size_bytes": st.f_blocks * st.f_frsize, "used_bytes": used,
                "available_bytes": avail, "used_percent": percent}
    if percent >= fail:
        check("disk_space:" + mount, "fail", "%s is %d%% full (%s available)" % (mount, percent, human(avail)),
              "full", args, evidence, repair="clean_temp")
    elif percent >= warn:
        check("disk_space:" + mount, "warning", "%s is %d%% full (%s available)" % (mount, percent, human(avail)),
              "low", args, evidence, repair="clean_temp")
    else:
        check("disk_space:" + mount, "ok", "%s is %d%% full (%s available)" % (mount, percent, human(avail)),
              "ok", args, evidence)
emit("done")
