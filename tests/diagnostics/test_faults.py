"""Real faults on this machine, found through a real sshd: a full tmpfs, expired certificates, a CPU hog, an
unexpected listening port, an interrupted dpkg, a dead DNS server, proxy and account problems; and repairs
that fix them, verified before and after."""

from __future__ import annotations

import datetime
import os
import socket
import struct
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.diagnostics.catalog import Catalog
from app.diagnostics.runner import ApprovalDecision, ApprovalRequest, RefuseAll, Runner
from tests.diagnostics.conftest import SshTarget, checks_by_id

pytestmark = pytest.mark.sshd


class Approve:
    """The end user says yes."""

    def request_approval(self, request: ApprovalRequest) -> ApprovalDecision:
        return ApprovalDecision.answer(request, True, "end user")


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2M", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the disk-full test: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_warns_and_clean_temp_fixes_it(library: Catalog, ssh_target: SshTarget, small_tmpfs: Path) -> None:
    stats = os.statvfs(small_tmpfs)
    filler = small_tmpfs / "old-download.tmp"
    filler.write_bytes(b"\0" * (int(stats.f_blocks * 0.97) * stats.f_frsize))
    runner = Runner(ssh_target.executor)
    result = runner.run(library.get("disk_space"), {"mounts": [str(small_tmpfs)]})
    check = checks_by_id(result)[f"disk_space:{small_tmpfs}"]
    assert check.status == "warning", check.finding
    assert 90 <= check.evidence["used_percent"] < 98
    assert check.repair == "clean_temp"
    assert "full" in check.explanation["en"] and "plný" not in check.explanation["en"]

    values = {"paths": [str(small_tmpfs)], "older_than_days": 0, "apt_cache": False}
    refused = runner.run_change(library.get("clean_temp"), values, library, RefuseAll())
    assert refused.repair.run_status == "refused"
    assert filler.exists()

    outcome = runner.run_change(library.get("clean_temp"), values, library, Approve())
    assert outcome.repair.run_status == "completed", outcome.repair.error
    assert not filler.exists()
    [(check_id, before, after)] = outcome.comparison()
    assert check_id == f"disk_space:{small_tmpfs}"
    assert before is not None and before.status == "warning"
    assert after is not None and after.status == "ok"
    assert outcome.verified


def _certificate(folder: Path, name: str, *, days_left: int, self_signed: bool = False) -> None:
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    key = issuer_key if self_signed else ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer = subject if self_signed else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=400))
        .not_valid_after(now + datetime.timedelta(days=days_left))
        .sign(issuer_key, hashes.SHA256())
    )
    (folder / f"{name}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def test_expired_and_expiring_certificates(library: Catalog, ssh_target: SshTarget, tmp_path: Path) -> None:
    folder = tmp_path / "certs"
    (folder / "sub").mkdir(parents=True)
    _certificate(folder, "expired.example", days_left=-3)
    _certificate(folder / "sub", "soon.example", days_left=10)
    _certificate(folder, "fine.example", days_left=300)
    _certificate(folder, "old-root", days_left=-30, self_signed=True)
    runner = Runner(ssh_target.executor)
    result = runner.run(library.get("certificates_expiry"), {"paths": [str(folder)]})
    statuses = {c.evidence.get("subject"): c.status for c in result.checks if c.id != "certificates_expiry"}
    assert statuses == {"expired.example": "fail", "soon.example": "warning"}
    assert result.status == "fail"
    expired = next(c for c in result.checks if c.evidence.get("subject") == "expired.example")
    assert "expired" in expired.explanation["en"] and "vypršel" in expired.explanation["cs"]
    with_roots = runner.run(library.get("certificates_expiry"), {"paths": [str(folder)], "include_roots": True})
    assert "old-root" in {c.evidence.get("subject") for c in with_roots.checks}


def test_cpu_hog_is_named(library: Catalog, ssh_target: SshTarget) -> None:
    token = uuid.uuid4().hex
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass", token])
    try:
        result = Runner(ssh_target.executor).run(
            library.get("cpu_load"), {"hog_percent": 10, "sample_ms": 1500, "top": 50}
        )
        check = checks_by_id(result)["cpu_load:hog"]
        assert check.status == "warning", check.finding
        assert hog.pid in {p["pid"] for p in check.evidence["processes"]}
    finally:
        hog.kill()
        hog.wait()


def test_unexpected_listening_port_is_reported(library: Catalog, ssh_target: SshTarget) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = Runner(ssh_target.executor).run(library.get("listening_ports"), {"expected": ["22"]})
    check = checks_by_id(result)[f"listening_ports:tcp/{port}"]
    assert check.status == "warning"
    assert check.evidence["pid"] == os.getpid()
    assert str(port) in check.explanation["en"]


def _fake_dpkg(root: Path) -> Path:
    admin = root / "dpkg"
    for folder in ("info", "updates", "triggers"):
        (admin / folder).mkdir(parents=True)
    admin.joinpath("status").write_text(
        "Package: podpora-ok\nStatus: install ok installed\nArchitecture: all\nVersion: 2.0\n"
        "Maintainer: tests <t@example.invalid>\nDescription: fine\n\n"
        "Package: podpora-half\nStatus: install ok half-configured\nArchitecture: all\nVersion: 1.0\n"
        "Maintainer: tests <t@example.invalid>\nDescription: interrupted\n\n"
    )
    (admin / "info" / "podpora-ok.list").write_text("")
    (admin / "info" / "podpora-half.list").write_text("")
    (admin / "available").write_text("")
    (admin / "updates" / "0001").write_text("\n")  # dpkg's journal: an interrupted run
    return admin


def test_interrupted_dpkg_is_found_and_finished(library: Catalog, ssh_target: SshTarget, tmp_path: Path) -> None:
    admin = _fake_dpkg(tmp_path)
    runner = Runner(ssh_target.executor)
    result = runner.run(library.get("package_state"), {"admin_dir": str(admin)})
    checks = checks_by_id(result)
    assert checks["package_state:interrupted"].status == "fail"
    assert checks["package_state:broken"].evidence["broken"] == [
        {"package": "podpora-half", "state": "half-configured", "flag": "ok"}
    ]
    assert checks["package_state:broken"].repair == "dpkg_configure"
    installed = runner.run(library.get("packages_installed"), {"admin_dir": str(admin), "packages": ["podpora-ok"]})
    assert checks_by_id(installed)["packages_installed:podpora-ok"].evidence["version"] == "2.0"

    outcome = runner.run_change(library.get("dpkg_configure"), {"admin_dir": str(admin)}, library, Approve())
    assert outcome.repair.run_status == "completed", outcome.repair.error
    assert {c.id: c.status for c in outcome.before} == {
        "package_state:interrupted": "fail",
        "package_state:broken": "fail",
    }
    assert {c.id: c.status for c in outcome.after} == {"package_state": "ok"}
    assert "install ok installed" in (admin / "status").read_text().split("podpora-half")[1]


def _dns_server(sock: socket.socket, stop: threading.Event) -> None:
    """Answer every A query with 192.0.2.7 (a tiny, real UDP DNS responder)."""
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(512)
        except TimeoutError:
            continue
        question_end = data.index(b"\0", 12) + 5
        header = data[:2] + struct.pack(">HHHHH", 0x8180, 1, 1, 0, 0)
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.7")
        sock.sendto(header + data[12:question_end] + answer, peer)


def test_dns_servers_answering_and_dead(library: Catalog, ssh_target: SshTarget) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    dead = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    dead.close()  # nothing listens there any more: the kernel answers "port unreachable"
    stop = threading.Event()
    thread = threading.Thread(target=_dns_server, args=(server, stop))
    thread.start()
    try:
        live = f"127.0.0.1:{server.getsockname()[1]}"
        gone = f"127.0.0.1:{dead_port}"
        result = Runner(ssh_target.executor).run(
            library.get("dns_resolution"), {"servers": [live, gone], "names": ["host.example"], "timeout_ms": 1500}
        )
    finally:
        stop.set()
        thread.join()
        server.close()
    checks = checks_by_id(result)
    assert checks[f"dns_resolution:server:{live}"].status == "ok"
    assert checks[f"dns_resolution:server:{gone}"].status == "fail"
    assert checks[f"dns_resolution:server:{gone}"].repair == "set_dns_servers"


def test_proxy_set_verified_and_undone(library: Catalog, ssh_target: SshTarget, tmp_path: Path) -> None:
    root = tmp_path / "system"
    (root / "etc" / "apt" / "apt.conf.d").mkdir(parents=True)
    runner = Runner(ssh_target.executor)
    with socket.socket() as proxy:
        proxy.bind(("127.0.0.1", 0))
        proxy.listen()
        url = f"http://127.0.0.1:{proxy.getsockname()[1]}"
        outcome = runner.run_change(library.get("set_proxy"), {"url": url, "root": str(root)}, library, Approve())
    assert outcome.repair.run_status == "completed", outcome.repair.error
    assert [c.explain_key for c in outcome.before] == ["none"]
    assert {c.explain_key for c in outcome.after} == {"configured", "proxy_up"}
    assert f'Acquire::http::Proxy "{url}"' in (root / "etc/apt/apt.conf.d/95podpora-proxy").read_text()
    undo = library.get("set_proxy").manifest.undo
    assert undo is not None and undo.script == "remove_proxy"
    undone = runner.run_change(library.get("remove_proxy"), {"root": str(root)}, library, Approve())
    assert [c.explain_key for c in undone.after] == ["none"]


def test_user_account_state(library: Catalog, ssh_target: SshTarget, tmp_path: Path) -> None:
    root = tmp_path / "system"
    (root / "etc").mkdir(parents=True)
    (root / "home" / "alice").mkdir(parents=True)
    (root / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\n"
        "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
        "bob:x:1001:1001:Bob:/home/bob:/bin/bash\n"
        "carol:x:1002:1002:Carol:/home/alice:/bin/bash\n"
    )
    today = int(datetime.datetime.now(datetime.UTC).timestamp() // 86400)
    (root / "etc" / "shadow").write_text(
        f"alice:$y$j9T$salt$hash:{today - 1}:0:90:7:::\n"
        f"bob:!$y$j9T$salt$hash:{today - 1}:0:90:7:::\n"
        f"carol:$y$j9T$salt$hash:{today - 100}:0:90:7:::\n"
    )
    result = Runner(ssh_target.executor).run(library.get("user_accounts"), {"root": str(root)})
    checks = checks_by_id(result)
    assert checks["user_accounts:alice:password"].status == "ok"
    assert checks["user_accounts:alice:home"].status == "ok"
    assert checks["user_accounts:bob:locked"].status == "fail"
    assert checks["user_accounts:bob:home"].status == "fail"
    assert checks["user_accounts:carol:password"].status == "fail"
    assert "expired" in checks["user_accounts:carol:password"].explanation["en"]


def test_gateway_reachable(library: Catalog, ssh_target: SshTarget) -> None:
    result = Runner(ssh_target.executor).run(library.get("gateway_reachability"), {"target": "127.0.0.1"})
    assert result.checks[0].status == "ok"
