"""Podpora library: pending package updates (apt's candidate versions, or dnf from its cache), security ones apart."""
import json
import os
import stat
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
def policy_blocks(text):
    """``apt-cache policy`` output -> {package: (installed, candidate, [(version, [source lines])])}."""
    blocks, name, table = {}, None, None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" ") and line.endswith(":"):
            name = line[:-1]
            table = []
            blocks[name] = {"installed": None, "candidate": None, "versions": table}
        elif name is None:
            continue
        elif line.startswith("  Installed: "):
            blocks[name]["installed"] = line.split(": ", 1)[1].strip()
        elif line.startswith("  Candidate: "):
            blocks[name]["candidate"] = line.split(": ", 1)[1].strip()
        elif line.startswith((" *** ", "     ")) and not line.startswith("      "):
            parts = line[5:].split()
            if parts:
                table.append((parts[0], " ".join(parts[1:]), []))
        elif line.startswith("      ") and table:
            table[-1][2].append(line.strip())
    return blocks


def is_security(source):
    """A version-table source line ``PRIORITY URI SUITE/COMPONENT ARCH Packages`` from a security archive.

    Only the suite (``bookworm-security``, ``jammy-security``, Debian 10's ``buster/updates``) and the
    server's host name count: a folder that merely contains the word is not a security archive.
    """
    parts = source.split()
    if len(parts) < 3:
        return False
    host = parts[1].split("://", 1)[1].split("/", 1)[0] if "://" in parts[1] else ""
    suite = parts[2].lower()
    return "security" in suite or "/updates" in suite or "security" in host.lower()


def private_cache(options, root):
    """apt options for a binary cache of this user's own, when the system's cache is switched off.

    Docker-style images set Dir::Cache::pkgcache to "", so every apt-cache run parses all package lists
    again (most of this script's time).  apt checks its cache against every list and the dpkg status on each
    use and rebuilds it when anything changed, so a cached answer is never stale.  The folder is the user's
    own (0700, not a symlink); when it cannot be made, apt works in memory as before.
    """
    code, out, _ = run(["apt-config"] + options + ["shell", "PKGCACHE", "Dir::Cache::pkgcache/f"])
    if code != 0 or out.strip() not in ("PKGCACHE=''", ""):
        return []  # the system keeps a cache (the usual case): apt uses it
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.environ.get("HOME") or "/nonexistent", ".cache")
    if not os.path.isabs(base):
        return []
    folder = os.path.join(base, "podpora", "apt-%08x" % (zlib_crc(root) & 0xFFFFFFFF))
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return []
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        return []
    cache = os.path.join(folder, "pkgcache.bin")
    # apt validates by size and whole-second mtime; a change within the same second and of the same size would
    # slip through, so the cache is also dropped whenever any input's nanosecond stamp, size or inode moved.
    stamp, stamp_file = inputs_fingerprint(root), os.path.join(folder, "inputs")
    if read(stamp_file) != stamp:
        for path in (cache, stamp_file):
            try:
                os.unlink(path)
            except OSError:
                pass
        STAMPS.append((stamp_file, stamp))
    return ["-o", "Dir::Cache::pkgcache=" + cache, "-o", "Dir::Cache::srcpkgcache="]


STAMPS = []


def inputs_fingerprint(root):
    """Size, mtime (ns) and inode of everything apt reads to build its cache."""
    names = [os.path.join(root, "var/lib/dpkg/status"), os.path.join(root, "etc/apt/sources.list"),
             os.path.join(root, "etc/apt/preferences")]
    for folder in ("var/lib/apt/lists", "etc/apt/sources.list.d", "etc/apt/preferences.d", "etc/apt/apt.conf.d"):
        try:
            names += sorted(entry.path for entry in os.scandir(os.path.join(root, folder)))
        except OSError:
            continue
    parts = []
    for name in names:
        try:
            info = os.stat(name)
        except OSError:
            continue
        parts.append("%s %d %d %d" % (name, info.st_size, info.st_mtime_ns, info.st_ino))
    return "\n".join(parts)


def save_stamps():
    for path, stamp in STAMPS:
        try:
            with open(path + ".new", "w") as handle:
                handle.write(stamp)
            os.replace(path + ".new", path)
        except OSError:
            pass


def zlib_crc(text):
    import zlib
    return zlib.crc32(text.encode("utf-8", "replace"))


def apt_pending(root):
    """Upgradable packages by apt's own policy (pins, priorities, NotAutomatic), without running the solver.

    ``apt-cache policy`` for the installed packages gives apt's candidate version and where it comes from;
    building that costs a fraction of ``apt-get -s dist-upgrade``, which also runs the dependency solver.
    Held packages (dpkg selection "hold") and phased updates are not upgraded by apt and are counted apart.
    """
    options = [] if root in ("", "/") else ["-o", "Dir=" + root]
    admin = os.path.join(root, "var/lib/dpkg")
    native = run(["dpkg", "--print-architecture"])[1].strip()
    code, out, err = run(["dpkg-query", "--admindir=" + admin, "-W",
                          "-f=${Package}\t${Architecture}\t${Status}\t${Version}\n"])
    if code != 0:
        return None, "dpkg-query failed: " + err.strip()[-300:]
    installed, held = {}, set()
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or not parts[2].endswith(" installed"):
            continue
        # apt names native and "all" packages without an architecture, foreign ones as name:arch.
        name = parts[0] if parts[1] in (native, "all") else parts[0] + ":" + parts[1]
        installed[name] = parts[3]
        if parts[2].startswith("hold "):
            held.add(name)
    if not installed:
        return {"updates": [], "security": [], "held": [], "phased": []}, ""
    options = options + private_cache(options, root)
    code, out, err = run(["apt-cache"] + options + ["policy"] + sorted(installed), timeout=60)
    if code != 0:
        return None, "apt-cache policy failed: " + err.strip()[-300:]
    save_stamps()
    found = {"updates": [], "security": [], "held": [], "phased": []}
    for name, block in sorted(policy_blocks(out).items()):
        current, candidate = block["installed"], block["candidate"]
        if not candidate or candidate == "(none)" or not current or current == "(none)" or candidate == current:
            continue
        sources, note = [], ""
        for version, extra, lines in block["versions"]:
            if version == candidate:
                sources, note = lines, extra
                break
        if name in held:
            found["held"].append(name)
        elif "phased" in note:
            found["phased"].append(name)
        else:
            found["updates"].append(name)
            if any(is_security(source) for source in sources):
                found["security"].append(name)
    return found, ""


updates, security, held, phased, manager, note = [], [], [], [], None, ""
ROOT = P.get("root", "/")
LISTS = os.path.join(ROOT, "var/lib/apt/lists")
if which("apt-cache") and which("dpkg-query") and os.path.isdir(LISTS):
    manager = "apt"
    found, note = apt_pending(ROOT)
    if found is not None:
        updates, security, held, phased = found["updates"], found["security"], found["held"], found["phased"]
    if not [f for f in os.listdir(LISTS) if "_Packages" in f]:
        note = note or "package lists were never downloaded (apt-get update)"
elif which("dnf") or which("yum"):
    manager = "dnf" if which("dnf") else "yum"
    code, out, err = run([manager, "-q", "--cacheonly", "check-update"], timeout=60)
    if code not in (0, 100):
        note = err.strip()[-300:]
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and "." in parts[0]:
            updates.append(parts[0])
if manager is None:
    check("pending_updates", "ok", "no apt or dnf here", "no_manager", {}, {}, None, na=True)
elif note and not updates:
    check("pending_updates", "warning", "cannot tell which updates are pending: %s" % note, "unknown", {}, {"detail": note})
else:
    evidence = {"manager": manager, "updates": updates[:200], "count": len(updates), "security": security[:200]}
    if manager == "apt":
        evidence.update(held=held[:200], phased=phased[:200])
    if security:
        check("pending_updates", "warning", "%d updates pending, %d security" % (len(updates), len(security)), "security",
              {"count": len(updates), "security": len(security)}, evidence)
    elif len(updates) >= P.get("warn_count", 50):
        check("pending_updates", "warning", "%d updates pending" % len(updates), "many", {"count": len(updates)}, evidence)
    else:
        check("pending_updates", "ok", "%d updates pending" % len(updates), "few", {"count": len(updates)}, evidence)
emit("done")
