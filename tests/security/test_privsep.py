"""Privilege separation of the assist agent (SECURITY-BAR T26): a broker and a confined protocol process.

Each test starts the real protocol process (``python -I -m app.remote.privsep``) from a :class:`BrokeredAgent` and
talks to it as a technician over a real sealed channel on 127.0.0.1.  The broker side has the seams' fakes
(tests/remote/agentkit.py) or the real X server; ``ps`` and ``/proc`` show what the two processes are and hold.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.child_process import python_module_command
from app.remote import protocol as p
from app.remote.agent import AgentCallbacks
from app.remote.channel import Channel
from app.remote.privsep import BrokeredAgent
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent, SyncTechnician

VIEW, CONTROL, CLIPBOARD = p.Capability.VIEW, p.Capability.CONTROL, p.Capability.CLIPBOARD
PROTOCOL_PROCESS = python_module_command("app.remote.privsep")


class Chats:
    """Chat lines the broker's callbacks received; a test waits for one instead of sleeping."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, text: str) -> None:
        with self._changed:
            self.lines.append(text)
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 10) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: text in self.lines, timeout)


_technicians: list[SyncTechnician] = []


@pytest.fixture
def brokered() -> Iterator[list[BrokeredAgent]]:
    """Brokered agents made by a test; each is stopped (and its protocol process gone) at the end."""
    agents: list[BrokeredAgent] = []
    yield agents
    for technician in _technicians:
        technician.channel.close()
    _technicians.clear()
    for agent in agents:
        agent.stop()
        assert agent.wait_stopped(10)


def start(
    brokered: list[BrokeredAgent],
    consent: ScriptedConsent,
    *,
    screen: object | None = None,
    sink: RecordingSink | None = None,
    command: list[str] | None = None,
    **callbacks: object,
) -> tuple[BrokeredAgent, int]:
    agent = BrokeredAgent(
        command=command or PROTOCOL_PROCESS,
        screen=screen or FakeScreen(),  # type: ignore[arg-type]
        consent=consent,
        input_sink=sink,
        callbacks=AgentCallbacks(**callbacks),  # type: ignore[arg-type]
    )
    brokered.append(agent)
    return agent, agent.listen(0)


def technician_on(port: int) -> SyncTechnician:
    """A raw technician on the agent's port (closed by the ``brokered`` fixture)."""
    technician = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=10)))
    _technicians.append(technician)
    return technician


def ps_rows(*pids: int) -> dict[int, tuple[str, int]]:
    """``ps -o user,pid,ppid`` for ``pids``: pid → (user, ppid)."""
    output = subprocess.run(
        ["ps", "-o", "user=,pid=,ppid=", "-p", ",".join(map(str, pids))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = {}
    for line in output.splitlines():
        user, pid, ppid = line.split()
        rows[int(pid)] = (user, int(ppid))
    return rows


def test_a_session_streams_and_takes_input_through_the_protocol_process(brokered: list[BrokeredAgent]) -> None:
    screen, sink, chats = FakeScreen(), RecordingSink(), Chats()
    agent, port = start(brokered, ScriptedConsent(frozenset({VIEW, CONTROL})), screen=screen, sink=sink, on_chat=chats)
    technician = technician_on(port)
    assert technician.pair_and_ask(agent.code(), [VIEW, CONTROL]).granted == [VIEW, CONTROL]
    technician.send(p.FrameRequest(False))
    update = technician.receive_until(p.FrameUpdate)
    assert isinstance(update, p.FrameUpdate)
    assert (update.width, update.height) == (64, 48)
    assert screen.grabs >= 1
    technician.send(p.Pointer(5, 6, 1))
    technician.send(p.Key(True, keysym=0x61))
    assert sink.wait_for(lambda events: ("pointer", 5, 6, 1) in events and ("key", True, 0x61, None) in events)
    technician.send(p.Chat("hello from the technician"))
    assert chats.wait_for("hello from the technician")


def test_ps_shows_the_broker_and_its_protocol_process(brokered: list[BrokeredAgent]) -> None:
    agent, _port = start(brokered, ScriptedConsent(frozenset({VIEW})))
    rows = ps_rows(os.getpid(), agent.child_pid)
    assert rows[agent.child_pid][1] == os.getpid()  # the protocol process is the broker's child
    environment = Path(f"/proc/{agent.child_pid}/environ").read_bytes().split(b"\0")
    assert not [v for v in environment if v.split(b"=")[0] in {b"DISPLAY", b"XAUTHORITY", b"SSH_AUTH_SOCK"}]
    assert "namespaces" in agent.confinement


def test_the_protocol_process_is_killed_when_it_does_not_leave(brokered: list[BrokeredAgent]) -> None:
    agent, _port = start(brokered, ScriptedConsent(frozenset({VIEW})))
    pid = agent.child_pid
    os.kill(pid, 19)  # SIGSTOP: it cannot answer the stop
    agent.stop()
    assert agent.wait_stopped(10)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_killed_protocol_process_is_replaced_and_the_port_stays(brokered: list[BrokeredAgent]) -> None:
    agent, port = start(brokered, ScriptedConsent(frozenset({VIEW})))
    first = agent.child_pid
    os.kill(first, 9)
    # The next code comes from a new protocol process on the same port.
    code = ""
    for _ in range(100):
        with contextlib.suppress(Exception):
            code = agent.code()
            break
    assert code and agent.child_pid != first
    technician = technician_on(port)
    assert technician.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
    technician.send(p.FrameRequest(False))
    assert isinstance(technician.receive_until(p.FrameUpdate), p.FrameUpdate)
