"""T26: the agent refuses to run as root unless in the explicit administrator mode, and the data folder is private.

These tests run as root (as the whole suite does here), which is exactly the case ``podpora assist`` must
refuse.  The refused run uses a valid organisation-signed unattended policy, so the only reason left to refuse
it is root.  The allowed run must say so on stderr and in the system log: the test listens on ``/dev/log``
itself when no syslog daemon owns it.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from app.cli.assist import EXIT_REFUSED_AS_ROOT, refuse_root
from app.remote import protocol as p
from app.remote.identity import fingerprint, public_key_bytes
from app.remote.policy import PolicyBody, PolicyGrant, sign_policy
from tests.helpers.xvfb import VirtualDisplay

REPO = Path(__file__).resolve().parents[2]
as_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the refusal needs euid 0")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def headless_setup(tmp_path: Path, xvfb: VirtualDisplay) -> tuple[list[str], dict[str, str], int]:
    """A valid signed unattended policy and organisation settings: everything but the user is right."""
    org = Ed25519PrivateKey.generate()
    technician = Ed25519PrivateKey.generate()
    body = PolicyBody(
        1,
        "Example",
        int(time.time()) + 3600,
        [PolicyGrant(fingerprint(public_key_bytes(technician.public_key())), [p.Capability.VIEW], "Jana")],
    )
    policy = tmp_path / "kiosk.policy"
    policy.write_bytes(sign_policy(org, body))
    org_line = org.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    config = tmp_path / "assist.toml"
    config.write_text(f'[organisation]\nname = "Example"\npublic_keys = ["{org_line.decode()}"]\n', encoding="utf-8")
    config.chmod(0o644)
    port = _free_port()
    env = {
        **os.environ,
        "DISPLAY": xvfb.name,
        "PODPORA_ORG_CONFIG": str(config),
        "PODPORA_HOME": str(tmp_path / "home"),
    }
    argv = [sys.executable, "-m", "app", "assist", "--headless", "--policy", str(policy), "--listen", str(port)]
    return argv, env, port


@as_root
def test_assist_as_root_is_refused_before_it_listens(headless_setup: tuple[list[str], dict[str, str], int]) -> None:
    argv, env, port = headless_setup
    result = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == EXIT_REFUSED_AS_ROOT, result.stderr
    assert "refusing to run as root" in result.stderr
    assert "--allow-root" in result.stderr
    assert "session code" not in result.stdout  # no agent, no code
    assert not _listening(port)
    assert "Traceback" not in result.stderr


@as_root
def test_the_gui_app_as_root_is_refused_too(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "DISPLAY": xvfb.name, "PODPORA_HOME": str(tmp_path / "home")}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [sys.executable, "-m", "app", "assist", "--listen", str(port)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == EXIT_REFUSED_AS_ROOT, result.stderr
    assert "refusing to run as root" in result.stderr
    assert not _listening(port)


def _someone_listens(path: str) -> bool:
    """Whether a syslog daemon (or anything) receives on the datagram socket at ``path``."""
    if not os.path.exists(path):
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.connect(path)
    except ConnectionRefusedError:
        return False
    except OSError:
        return True  # not ours to judge (e.g. not a socket): leave it alone
    finally:
        probe.close()
    return True


@pytest.fixture
def system_log() -> Iterator[socket.socket | None]:
    """A datagram socket on /dev/log (what syslog(3) writes to), when no syslog daemon has one already."""
    path = "/dev/log"
    if not os.access("/dev", os.W_OK) or _someone_listens(path):
        yield None
        return
    if os.path.exists(path):
        os.unlink(path)  # left by a test run that was killed: nobody listens on it, so take it over
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        listener.bind(path)
    except OSError:
        listener.close()
        yield None
        return
    listener.settimeout(30)
    try:
        yield listener
    finally:
        listener.close()
        os.unlink(path)


@as_root
def test_allow_root_runs_and_says_so_on_stderr_and_in_the_system_log(
    headless_setup: tuple[list[str], dict[str, str], int], system_log: socket.socket | None
) -> None:
    argv, env, port = headless_setup
    with subprocess.Popen(
        [*argv, "--allow-root"], env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as agent:
        assert agent.stdout is not None and agent.stderr is not None
        try:
            line = agent.stdout.readline()  # printed once the agent listens
            assert f"127.0.0.1:{port}; session code" in line, line
            assert _listening(port)
            if system_log is not None:
                messages = []
                while not any("--allow-root" in m for m in messages):
                    messages.append(system_log.recv(4096).decode("utf-8", "replace"))
                logged = next(m for m in messages if "--allow-root" in m)
                assert "podpora-assist" in logged
                assert f"pid {agent.pid}" in logged
        finally:
            agent.send_signal(signal.SIGINT)
            _, err = agent.communicate(timeout=30)
    assert "WARNING: running as root because --allow-root was given" in err
    if system_log is None:
        pytest.skip("a syslog daemon owns /dev/log here: the system-log line was not checked")


def test_an_ordinary_user_is_not_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert refuse_root(False, euid=1000) is None
    assert refuse_root(True, euid=1000) is None
    assert capsys.readouterr().err == ""  # nothing to say: only root is announced
    assert refuse_root(False, euid=0) == EXIT_REFUSED_AS_ROOT


# --------------------------------------------------------------------------- the data folder is private (T26)


@pytest.mark.expect_log_warnings  # no keyring in the test: the journal key falls back to the 0600 file, with a warning
def test_every_folder_is_0700_and_every_file_0600_even_with_umask_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_keyring: None
) -> None:
    """A whole case, from the first record to the delivered bundle, under the laxest umask there is."""
    from datetime import UTC, datetime

    from app.cases.keystore import load_journal_key
    from app.cases.store import CaseStore
    from app.cli import main
    from app.config import default_paths

    old_umask = os.umask(0)
    try:
        paths = default_paths().ensure()
        key = load_journal_key(paths.data_dir).key
        signer = Ed25519PrivateKey.generate()
        journal = CaseStore(paths.cases_dir, key).create_journal("C-26", signer, now=datetime.now(UTC))
        journal.append("case_opened", {"case_id": "C-26", "ticket": "T-26"}, at=datetime.now(UTC))
        journal.append("chat", {"sender": "user", "text": "hello"}, at=datetime.now(UTC))
        journal.close(at=datetime.now(UTC))
        key_file = paths.config_dir / "technician_ed25519"
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(signer.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
        assert main(["case", "export", "C-26", "--to", "folder", "--no-pdf"]) == 0
    finally:
        os.umask(old_umask)
    assert "delivered" in capsys.readouterr().out
    seen = []
    for folder in (paths.data_dir, paths.config_dir, paths.cache_dir):
        for item in [folder, *folder.rglob("*")]:
            mode = stat.S_IMODE(item.lstat().st_mode)
            seen.append(item)
            if item.is_dir():
                assert mode == 0o700, f"{item} is a folder with mode {mode:o}"
            else:
                assert mode == 0o600, f"{item} is a file with mode {mode:o}"
    names = {item.name for item in seen}
    assert {"journal.pjournal", "journal.pjournal.fkey", "journal.key"} <= names, names
    assert any(name.endswith(".zip") for name in names), names


def test_the_console_settings_and_address_book_are_private_files() -> None:
    """T26 for the files the console writes itself: the address book names the machines a technician serves."""
    from app.config import default_paths
    from app.ui.console.addressbook import AddressBook
    from app.ui.settings import UiSettings

    paths = default_paths().ensure()
    old_umask = os.umask(0o022)  # the usual umask: a plain open() gives 0644
    try:
        UiSettings().save()
        book = AddressBook(ssh_config=paths.config_dir / "no-ssh-config", store=paths.config_dir / "addressbook.json")
        book.remember_use("jana@pc-42.example")
    finally:
        os.umask(old_umask)
    for name in ("ui.json", "addressbook.json"):
        mode = stat.S_IMODE((paths.config_dir / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {mode:o}"
