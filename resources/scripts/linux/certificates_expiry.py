"""Podpora library: X.509 certificates near expiry in common folders (PEM/DER parsed with the stdlib only)."""
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
import base64
import binascii
import calendar
import hashlib
import re
import time

PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def tlv(data, pos):
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    return tag, data[pos:pos + length], pos + length


def children(data):
    pos, out = 0, []
    while pos < len(data):
        tag, value, pos = tlv(data, pos)
        out.append((tag, value))
    return out


def parse_time(tag, value):
    text = value.decode("ascii").rstrip("Z")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSS
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    return calendar.timegm(time.strptime(text[:14], "%Y%m%d%H%M%S"))


def common_name(name):
    found = {}
    for _, rdn in children(name):
        for _, attribute in children(rdn):
            parts = children(attribute)
            if len(parts) == 2 and parts[0][1][:2] == b"\x55\x04":
                found[parts[0][1][2:]] = parts[1][1].decode("utf-8", "replace")
    return found.get(b"\x03") or found.get(b"\x0b") or found.get(b"\x0a") or ""


def certificate(der):
    _, cert, _ = tlv(der, 0)
    _, tbs, _ = tlv(cert, 0)
    fields = children(tbs)
    if fields[0][0] == 0xA0:
        fields = fields[1:]
    validity = children(fields[3][1])
    return {"subject": common_name(fields[4][1]), "self_signed": fields[2][1] == fields[4][1], "not_before": parse_time(*validity[0]),
            "not_after": parse_time(*validity[1]), "sha256": hashlib.sha256(der).hexdigest()}


def certificates(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read(4 * 1024 * 1024)
    except OSError:
        return []
    blobs = [base64.b64decode(b"".join(m.group(1).split())) for m in PEM.finditer(data)] if b"-----BEGIN" in data else (
        [data] if data[:1] == b"\x30" and path.endswith((".der", ".cer", ".crt")) else [])
    found = []
    for blob in blobs:
        try:
            found.append(certificate(blob))
        except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
            continue
    return found


roots = P.get("paths") or ["/etc/ssl/certs", "/etc/pki/tls/certs", "/etc/letsencrypt/live", "/usr/local/share/ca-certificates"]
files = []
for root in roots:
    if os.path.isfile(root):
        files.append(root)
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs.sort()
        for name in sorted(names):
            if name.endswith((".pem", ".crt", ".cer", ".der")) or "." not in name:
                files.append(os.path.join(folder, name))
        if len(files) > P.get("max_files", 5000):
            break
now = time.time()
warn_seconds = P.get("warn_days", 30) * 86400
seen, expired, soon, total = set(), [], [], 0
for path in files:
    for item in certificates(path):
        if item["sha256"] in seen or (item["self_signed"] and not P.get("include_roots", False)):
            continue
        seen.add(item["sha256"])
        total += 1
        days = int((item["not_after"] - now) // 86400)
        entry = {"path": path, "subject": item["subject"], "days_left": days,
                 "not_after": time.strftime("%Y-%m-%d", time.gmtime(item["not_after"]))}
        if item["not_after"] < now:
            expired.append(entry)
        elif item["not_after"] - now < warn_seconds:
            soon.append(entry)
for entry in expired:
    check("certificates_expiry:" + entry["path"] + "#" + entry["subject"][:60], "fail",
          "certificate %s in %s expired on %s" % (entry["subject"], entry["path"], entry["not_after"]), "expired",
          {"subject": entry["subject"] or "?", "path": entry["path"], "date": entry["not_after"]}, entry)
for entry in soon:
    check("certificates_expiry:" + entry["path"] + "#" + entry["subject"][:60], "warning",
          "certificate %s in %s expires in %d days" % (entry["subject"], entry["path"], entry["days_left"]), "expiring",
          {"subject": entry["subject"] or "?", "path": entry["path"], "days": entry["days_left"]}, entry)
check("certificates_expiry", "ok", "%d certificates checked in %s" % (total, ", ".join(roots)), "summary",
      {"count": total, "expired": len(expired), "soon": len(soon)}, {"paths": roots, "count": total})
emit("done")
