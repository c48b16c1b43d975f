"""``podpora check`` end to end against real sshd servers: report contents and distinct exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.sshd import KeyPair, SshServerFactory, free_port


def _podpora(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PODPORA_HOME": str(home / "podpora")}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=60,
        check=False,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    return home


def _write_config(home: Path, blocks: list[str]) -> None:
    (home / ".ssh" / "config").write_text("\n".join(blocks))


def _block(alias: str, port: int, user: str, key: Path, extra: str = "") -> str:
    return (
        f"Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n  User {user}\n  IdentityFile {key}\n"
        f"  IdentitiesOnly yes\n  ConnectTimeout 2\n{extra}"
    )


@pytest.mark.sshd
def test_check_reports_route_fingerprints_auth_and_round_trip(
    sshd_factory: SshServerFactory, client_key: KeyPair, home: Path
) -> None:
    jump = sshd_factory.start(name="jump", authorized_keys=[client_key.public_line])
    target = sshd_factory.start(name="target", authorized_keys=[client_key.public_line])
    _write_config(
        home,
        [
            _block("jump", jump.port, jump.user, client_key.path),
            _block("pc", target.port, target.user, client_key.path, "  ProxyJump jump\n"),
        ],
    )
    (home / ".ssh" / "known_hosts").write_text(f"{jump.known_hosts_line()}\n{target.known_hosts_line(hashed=True)}\n")
    result = _podpora("check", "pc", "--json", home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [hop["port"] for hop in report["route"]] == [jump.port, target.port]
    assert all(hop["host_key"]["verdict"] == "known" for hop in report["route"])
    assert all(hop["host_key"]["fingerprint"].startswith("SHA256:") for hop in report["route"])
    assert str(client_key.path) in report["route"][-1]["auth"]
    assert report["round_trip_ms"] > 0
    human = _podpora("check", "pc", home=home)
    assert human.returncode == 0 and "target:" in human.stdout and "jump 1:" in human.stdout
    # -F selects another config file, as in ssh: the same route under another alias.
    other = home / "other-config"
    other.write_text((home / ".ssh" / "config").read_text().replace("Host pc", "Host other-pc"))
    assert _podpora("check", "other-pc", "-F", str(other), home=home).returncode == 0
    assert _podpora("check", "other-pc", home=home).returncode != 0


@pytest.mark.sshd
def test_check_exit_codes_for_each_failure(
    sshd_factory: SshServerFactory, client_key: KeyPair, home: Path, tmp_path: Path
) -> None:
    server = sshd_factory.start(authorized_keys=[client_key.public_line])
    stranger = KeyPair.generate(tmp_path / "stranger" / "id_ed25519")
    silent = __import__("socket").socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    _write_config(
        home,
        [
            _block("unknown", server.port, server.user, client_key.path),
            _block("wrongkey", server.port, server.user, stranger.path),
            _block("dead", free_port(), server.user, client_key.path),
            _block("silent", silent.getsockname()[1], server.user, client_key.path),
        ],
    )
    try:
        # Without a terminal nobody can accept the unknown key: refused (3).
        assert _podpora("check", "unknown", home=home).returncode == 3
        (home / ".ssh" / "known_hosts").write_text(server.known_hosts_line() + "\n")
        assert _podpora("check", "wrongkey", home=home).returncode == 5
        assert _podpora("check", "dead", home=home).returncode == 6
        timeout = _podpora("check", "silent", "--json", home=home)
        assert timeout.returncode == 7
        assert json.loads(timeout.stdout)["error"] == "ConnectTimeout"
        # Another server with another key on the same address: changed (4).
        port = server.port
        server.stop()
        sshd_factory.start(name="impostor", authorized_keys=[client_key.public_line], port=port)
        changed = _podpora("check", "unknown", home=home)
        assert changed.returncode == 4
        assert "has changed" in changed.stderr
    finally:
        silent.close()


def test_check_with_alternative_config_file(home: Path, tmp_path: Path) -> None:
    missing = _podpora("check", "x", "-F", str(tmp_path / "no-such-config"), home=home)
    assert missing.returncode == 78
    assert "does not exist" in missing.stderr


def test_help_does_not_load_the_ssh_stack() -> None:
    """`podpora --help` answers at once: paramiko (and Qt) load only when a command needs them."""
    code = (
        "import sys; from app.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'paramiko', 'PySide6'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
