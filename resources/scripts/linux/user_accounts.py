"""Podpora library: user account state: locked, password and account expiry, home folder and its free space."""
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
import time

ROOT = P.get("root", "/")
passwd = read(os.path.join(ROOT, "etc/passwd"))
shadow_text = read(os.path.join(ROOT, "etc/shadow"), None)
shadow = {}
for line in (shadow_text or "").splitlines():
    parts = line.split(":")
    if len(parts) >= 8:
        shadow[parts[0]] = parts
wanted = P.get("users") or []
today = int(time.time() // 86400)
count = 0
for line in passwd.splitlines():
    parts = line.split(":")
    if len(parts) < 7:
        continue
    name, uid, home, shell = parts[0], int(parts[2]), parts[5], parts[6]
    human = 1000 <= uid < 60000 and not shell.endswith(("nologin", "false"))
    if (wanted and name not in wanted) or (not wanted and not human):
        continue
    count += 1
    evidence = {"user": name, "uid": uid, "home": home, "shell": shell}
    entry = shadow.get(name)
    if entry is None:
        check("user_accounts:%s:password" % name, "ok", "password state unknown (shadow not readable)", "unknown",
              {"user": name}, evidence)
    else:
        hashed = entry[1]
        locked = hashed.startswith("!") or hashed.startswith("*")
        evidence["locked"] = locked
        try:
            last, maximum = int(entry[2] or 0), int(entry[4] or 99999)
        except ValueError:
            last, maximum = 0, 99999
        account_expires = int(entry[7]) if entry[7].isdigit() else None
        evidence["password_expires_day"] = last + maximum if maximum < 99999 and last else None
        if locked:
            check("user_accounts:%s:locked" % name, "fail", "account %s is locked" % name, "locked", {"user": name}, evidence)
        elif account_expires is not None and account_expires <= today:
            check("user_accounts:%s:expired" % name, "fail", "account %s expired" % name, "account_expired", {"user": name}, evidence)
        elif last == 0 and maximum < 99999:
            check("user_accounts:%s:password" % name, "warning", "password of %s must be changed" % name, "must_change", {"user": name}, evidence)
        elif maximum < 99999 and last + maximum <= today:
            check("user_accounts:%s:password" % name, "fail", "password of %s expired" % name, "password_expired", {"user": name}, evidence)
        elif maximum < 99999 and last + maximum - today <= P.get("warn_days", 14):
            check("user_accounts:%s:password" % name, "warning", "password of %s expires in %d days" % (name, last + maximum - today),
                  "password_expiring", {"user": name, "days": last + maximum - today}, evidence)
        else:
            check("user_accounts:%s:password" % name, "ok", "account %s usable" % name, "usable", {"user": name}, evidence)
    home_path = os.path.join(ROOT, home.lstrip("/"))
    if not os.path.isdir(home_path):
        check("user_accounts:%s:home" % name, "fail", "home folder %s missing" % home, "no_home", {"user": name, "home": home}, evidence)
        continue
    st = os.statvfs(home_path)
    free_mib = st.f_bavail * st.f_frsize // 1048576
    used = st.f_blocks - st.f_bfree
    percent = int(-(-100 * used // max(1, used + st.f_bavail)))
    evidence.update({"home_free_mib": free_mib, "home_fs_used_percent": percent})
    status = "warning" if percent >= P.get("warn_percent", 90) else "ok"
    check("user_accounts:%s:home" % name, status, "home %s: %d MiB free (%d%% used)" % (home, free_mib, percent),
          "home_full" if status == "warning" else "home_ok", {"user": name, "home": home, "free": free_mib}, evidence,
          "clean_temp" if status == "warning" else None)
if count == 0:
    check("user_accounts", "ok", "no matching user accounts", "no_users", {}, {})
emit("done")
