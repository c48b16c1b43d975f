"""T06 and T09 run as a second Unix user: ``nobody`` plays eve, another local user on the same machine.

* T06: eve watches the folder with inotify and opens every file the moment it is created (the CVE-2022-24302
  race: a key file created world-readable and chmod-ed afterwards), while the process runs under ``umask 0``.
  Every open must fail with EACCES, because files are created 0600 in one step.  When Podpora creates the
  data folder itself (0700), eve cannot even watch it.
* T09: eve connects to the agent's loopback port and gets nothing but a goodbye: no banner, no version, no
  prompt, no frame, just because she is another user (the agent does not rely on who connects; the pairing
  code is the only key).

The probes run with the system's ``/usr/bin/python3`` and the standard library only, as ``nobody``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.remote import protocol as p
from app.remote.agent import AgentCallbacks, AssistAgent
from app.remote.channel import parse_header
from tests.helpers.faults import FakeClock
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent

SYSTEM_PYTHON = "/usr/bin/python3"
pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid")
    or os.geteuid() != 0
    or shutil.which("runuser") is None
    or not Path(SYSTEM_PYTHON).exists(),
    reason="needs root, runuser and the system python to act as a second user",
)

WATCHER = r"""
import ctypes, errno, json, os, struct, sys
folder, stop = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL("libc.so.6", use_errno=True)
fd = libc.inotify_init()
IN_CREATE, IN_MOVED_TO, IN_CLOSE_WRITE, IN_MODIFY = 0x100, 0x80, 0x8, 0x2
wd = libc.inotify_add_watch(fd, folder.encode(), IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_MODIFY)
if wd < 0:
    print(json.dumps({"watch": errno.errorcode[ctypes.get_errno()]}), flush=True)
    sys.exit(0)
print(json.dumps({"watch": "ok"}), flush=True)
attempts = {}
while stop not in attempts:
    data = os.read(fd, 65536)
    offset = 0
    while offset < len(data):
        _, mask, _, length = struct.unpack_from("iIII", data, offset)
        name = data[offset + 16 : offset + 16 + length].rstrip(b"\0").decode()
        offset += 16 + length
        try:
            opened = os.open(os.path.join(folder, name), os.O_RDONLY | os.O_NONBLOCK)
            os.close(opened)
            result = "OPENED"
        except OSError as error:
            result = errno.errorcode.get(error.errno, str(error.errno))
        attempts.setdefault(name, []).append(result)
print(json.dumps({"attempts": attempts}), flush=True)
"""


def as_nobody(*argv: str) -> list[str]:
    return ["runuser", "-u", "nobody", "--", SYSTEM_PYTHON, "-I", *argv]


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder other users can reach (pytest's tmp_path is root-only, which would hide the race)."""
    folder = Path(tempfile.mkdtemp(prefix="podpora-eve-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def _start_watcher(folder: Path) -> subprocess.Popen[str]:
    watcher = subprocess.Popen(
        as_nobody("-c", WATCHER, str(folder), "eve-stop"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert watcher.stdout is not None
    return watcher


@pytest.mark.expect_log_warnings  # no keyring here: the journal key goes to its 0600 file, with a warning
def test_eve_watching_with_inotify_never_opens_a_key_or_journal(shared_tmp: Path, no_keyring: None) -> None:
    from app.cases.keystore import load_journal_key
    from app.cases.store import CaseStore

    data_dir = shared_tmp / "data"
    data_dir.mkdir()
    data_dir.chmod(0o755)  # the worst case: a folder made by someone else, open to all; Podpora keeps it
    watcher = _start_watcher(data_dir)
    assert watcher.stdout is not None
    try:
        assert json.loads(watcher.stdout.readline()) == {"watch": "ok"}
        old_umask = os.umask(0)
        try:
            key = load_journal_key(data_dir).key
            journal = CaseStore(data_dir, key).create_journal(
                "C-6", Ed25519PrivateKey.generate(), now=datetime.now(UTC)
            )
            journal.append("chat", {"sender": "user", "text": "hello"}, at=datetime.now(UTC))
            journal.close(at=datetime.now(UTC))
        finally:
            os.umask(old_umask)
        (data_dir / "eve-stop").write_text("done")
        (data_dir / "eve-stop").chmod(0o644)
        out, err = watcher.communicate(timeout=30)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    attempts = json.loads(out.splitlines()[-1])["attempts"]
    assert attempts.pop("eve-stop")[-1] == "OPENED"  # eve can open what is hers to open: the probe works
    assert {"journal.key", "C-6"} <= set(attempts), attempts
    for name, results in attempts.items():
        assert set(results) == {"EACCES"}, f"eve opened {name}: {results} ({err})"


def test_eve_cannot_even_watch_a_data_folder_podpora_made(shared_tmp: Path) -> None:
    from app.cases.journal import make_private_dir

    data_dir = shared_tmp / "home" / "data"
    old_umask = os.umask(0)
    try:
        make_private_dir(data_dir)
    finally:
        os.umask(old_umask)
    watcher = _start_watcher(data_dir)
    out, _ = watcher.communicate(timeout=30)
    assert json.loads(out.splitlines()[0]) == {"watch": "EACCES"}


PROBE = r"""
import json, socket, sys
port = int(sys.argv[1])
report = {}
for name, payload in (
    ("http", b"GET / HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
    ("garbage-frame", bytes([12]) + b"\x93\x01\x02\x03hello eve"),
):
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as probe:
        probe.sendall(payload)
        try:
            while chunk := probe.recv(4096):
                received += chunk
            closed = "eof"
        except ConnectionResetError:
            closed = "reset"
        except TimeoutError:
            closed = "still open"
    report[name] = {"received": received.hex(), "closed": closed}
print(json.dumps(report), flush=True)
"""


def test_eve_probing_the_agent_port_gets_nothing_but_a_goodbye() -> None:
    clock = FakeClock()
    consent = ScriptedConsent(frozenset({p.Capability.VIEW}))
    agent = AssistAgent(
        screen=FakeScreen(),
        consent=consent,
        input_sink=RecordingSink(),
        callbacks=AgentCallbacks(),
        clock=clock.monotonic,
        wall_clock=clock.wall,
    )
    try:
        port = agent.listen(0)
        result = subprocess.run(
            as_nobody("-c", PROBE, str(port)), capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        for name, outcome in report.items():
            assert outcome["closed"] in {"eof", "reset"}, (name, outcome)
            received = bytes.fromhex(outcome["received"])
            if received:  # at most one plaintext goodbye: no Hello, version, prompt or frame
                header = 1 if received[0] < 0x80 else 2  # a Bye's length header (LEB128): one or two bytes
                assert parse_header(received[:header]) == len(received) - header, name
                assert isinstance(p.decode(received[header:]), p.Bye), name
        assert consent.prompts == []  # the user was never asked anything on eve's behalf
    finally:
        agent.stop()
        assert agent.wait_stopped(10)
