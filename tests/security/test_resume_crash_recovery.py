"""Crashes mid-session (issue 9): the console killed with SIGKILL, the agent killed and restarted.

* The console is a real process that records its session into a case journal, as the console app does. It is
  killed with SIGKILL mid-session. On "restart" (the case reopened from disk) every event the console had
  acknowledged is there, in order, and the journal is usable again. Meanwhile the user's side gave the held
  key back at once and ended the session when its grace period ran out.
* The agent process is killed while a resumable console is connected: the console says the connection is
  lost and tries to reconnect. When a new assist app listens on the same port, it does not know the session:
  the console ends with the reason in words instead of waiting forever.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cases.recorder import CaseRecorder
from app.cases.store import CaseStore
from app.remote import protocol as p
from app.remote.agent import AgentCallbacks, AssistAgent
from app.remote.channel import ByteStream
from app.remote.client import TechnicianCallbacks, TechnicianClient
from tests.helpers.faults import kill9
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent
from tests.security.test_resume_link_faults import Watch

VIEW, CONTROL = p.Capability.VIEW, p.Capability.CONTROL
ROOT = Path(__file__).resolve().parents[2]
SHIFT = 0xFFE1

RECORDING_CONSOLE = """
import socket, sys
from datetime import UTC, datetime
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from app.cases.recorder import CaseRecorder
from app.cases.store import CaseStore
from app.remote import protocol as p
from app.remote.client import TechnicianCallbacks, TechnicianClient

port, code, cases, master_key, signer = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
store = CaseStore(Path(cases), bytes.fromhex(master_key))
recorder = CaseRecorder.start(
    store, "CASE-9", Ed25519PrivateKey.from_private_bytes(bytes.fromhex(signer)),
    clock=lambda: datetime.now(UTC), on_write_error=lambda error: None,
)

def on_journal(kind, details):
    recorder.record(kind, dict(details))  # returns once the record is on disk (fsync'd)
    print("recorded", kind, flush=True)

client = TechnicianClient(
    socket.create_connection(("127.0.0.1", port), timeout=10), code=code,
    capabilities=frozenset({p.Capability.VIEW, p.Capability.CONTROL}),
    callbacks=TechnicianCallbacks(on_journal=on_journal),
    reconnect=lambda: socket.create_connection(("127.0.0.1", port), timeout=10),
)
client.start()
for line in sys.stdin:
    if line.strip() == "press":
        client.send_key(True, keysym=0xFFE1)
    elif line.startswith("chat "):
        client.send_chat(line[5:].strip())
"""


def test_a_console_killed_with_sigkill_keeps_its_case_and_the_user_side_ends_cleanly(tmp_path: Path) -> None:
    master_key, signer = os.urandom(32), Ed25519PrivateKey.generate()
    watch, sink = Watch(), RecordingSink()
    agent = AssistAgent(
        screen=FakeScreen(),
        consent=ScriptedConsent(frozenset({VIEW, CONTROL})),
        input_sink=sink,
        callbacks=AgentCallbacks(on_state=watch.on_state, on_journal=watch.on_journal, on_ended=watch.on_ended),
        resume_grace=1.0,
    )
    port = agent.listen(0)
    cases = tmp_path / "cases"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            RECORDING_CONSOLE,
            str(port),
            agent.code(),
            str(cases),
            master_key.hex(),
            signer.private_bytes_raw().hex(),
        ],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PODPORA_HOME": str(tmp_path)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    acknowledged: list[str] = []

    def read_until(kind: str) -> None:
        assert process.stdout is not None
        while kind not in acknowledged:
            line = process.stdout.readline().decode()
            assert line, f"the console exited before recording {kind}"
            acknowledged.append(line.split()[1])

    try:
        assert process.stdin is not None
        read_until("consent_decided")
        agent.send_chat("the printer says offline")
        read_until("chat_from_user")
        process.stdin.write(b"press\nchat I will restart the spooler\n")
        process.stdin.flush()
        read_until("chat_from_technician")
        assert sink.wait_for(lambda events: ("key", True, SHIFT, None) in events)
        assert kill9(process) == -9
        # The user's side: Shift given back at once, the session ended when the grace period was over.
        assert watch.wait(lambda: "technician disconnected" in watch.states)
        assert ("key", False, SHIFT, None) in sink.events
        assert watch.wait(lambda: watch.ended == "the technician did not come back")
    finally:
        if process.poll() is None:
            kill9(process)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        agent.stop()
        assert agent.wait_stopped(10)

    # Read as it was left (what `podpora case show` does): readable, with everything acknowledged.
    store = CaseStore(cases, master_key)
    as_left = [record.type for record in store.load("CASE-9").contents.records]
    assert [t for t in as_left if t in acknowledged][: len(acknowledged)] == acknowledged
    # The console starts again and opens the same case: everything it acknowledged is there, in order.
    reopened = CaseRecorder.start(
        store, "CASE-9", signer, clock=lambda: datetime.now(UTC), on_write_error=lambda error: None
    )
    reopened.record("note", {"text": "the console was restarted"})
    reopened.close()
    types = [record.type for record in store.load("CASE-9").contents.records]
    on_disk = [t for t in types if t in acknowledged]
    assert on_disk[: len(acknowledged)] == acknowledged
    assert types[-2:] == ["note", "checkpoint"]
    texts = [str(r.fields.get("text", "")) for r in store.load("CASE-9").contents.records]
    assert "the printer says offline" in texts and "I will restart the spooler" in texts


def test_the_console_says_so_when_the_agent_was_killed_and_restarted(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("agent_process.py"))],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PODPORA_HOME": str(tmp_path)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    restarted: AssistAgent | None = None
    console = Watch()
    try:
        assert process.stdout is not None
        port_text, code = process.stdout.readline().decode().split()
        port = int(port_text)

        def reconnect() -> ByteStream:
            return socket.create_connection(("127.0.0.1", port), timeout=5)

        client = TechnicianClient(
            reconnect(),
            code=code,
            capabilities=frozenset({VIEW}),
            callbacks=TechnicianCallbacks(
                on_frame=console.on_frame, on_state=console.on_state, on_ended=console.on_ended
            ),
            reconnect=reconnect,
        )
        client.start()
        assert console.wait(lambda: console.frames >= 1)
        assert kill9(process) == -9
        assert console.wait(lambda: "reconnecting" in console.states)
        # The user starts the assist app again; it listens on the same port but has never seen this session.
        restarted = AssistAgent(screen=FakeScreen(), consent=ScriptedConsent(frozenset({VIEW})))
        restarted.listen(port)
        assert console.wait(lambda: console.ended is not None)
        assert console.ended == "the agent ended the session: no session to resume"
        assert client.wait_closed(10)
    finally:
        if process.poll() is None:
            kill9(process)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        if restarted is not None:
            restarted.stop()
            assert restarted.wait_stopped(10)
