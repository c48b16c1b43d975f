"""Privilege separation of the assist agent (SECURITY-BAR T26): a broker and a confined protocol process.

Each test starts the real protocol process (``python -I -m app.remote.privsep``) from a :class:`BrokeredAgent` and
talks to it as a technician over a real sealed channel on 127.0.0.1.  The broker side has the seams' fakes
(tests/remote/agentkit.py) or the real X server; ``ps`` and ``/proc`` show what the two processes are and hold.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cli.child_process import python_module_command
from app.remote import protocol as p
from app.remote.agent import AgentCallbacks
from app.remote.channel import Channel, ChannelError
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.gateway import GatewayPublisher, GatewaySettings
from app.remote.identity import issue_certificate, make_claim, public_key_bytes
from app.remote.privsep import BrokeredAgent, PrivsepError
from app.remote.ssh import ConnectOptions, connect
from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent, SyncTechnician
from tests.remote.test_agent_client import Chats
from tests.remote.test_gateway import _setup as gateway_setup

VIEW, CONTROL, CLIPBOARD = p.Capability.VIEW, p.Capability.CONTROL, p.Capability.CLIPBOARD
PROTOCOL_PROCESS = python_module_command("app.remote.privsep")


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
    org_keys: list[Any] = [],  # noqa: B006 - read only
    **callbacks: object,
) -> tuple[BrokeredAgent, int]:
    agent = BrokeredAgent(
        command=command or PROTOCOL_PROCESS,
        screen=screen or FakeScreen(),  # type: ignore[arg-type]
        consent=consent,
        input_sink=sink,
        org_keys=org_keys,
        callbacks=AgentCallbacks(**callbacks),  # type: ignore[arg-type]
    )
    brokered.append(agent)
    return agent, agent.listen(0)


def certified(organisation: Ed25519PrivateKey, technician: Ed25519PrivateKey, name: str = "Jana") -> bytes:
    """A certificate for ``technician`` signed by ``organisation``, valid for the next hour."""
    now = int(time.time())
    return issue_certificate(
        organisation, name=name, team="IT", org="Example",
        public_key=public_key_bytes(technician.public_key()), not_before=now - 60, not_after=now + 3600,
    )  # fmt: skip


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


def test_wrong_codes_are_counted_by_the_broker_which_holds_the_code(brokered: list[BrokeredAgent]) -> None:
    """The protocol process never learns the code: it relays the key exchange, and three wrong codes burn it."""
    agent, port = start(brokered, ScriptedConsent(frozenset({VIEW})))
    shown = agent.code()
    wrong = "".join(str((int(d) + 1) % 10) for d in shown.replace("-", ""))
    for attempt in range(3):
        technician = technician_on(port)
        with contextlib.suppress(ChannelError):  # the technician's side sees the wrong code and gives up
            assert technician.pair_and_ask(wrong, [VIEW]).granted == []
        technician.channel.close()
        if attempt < 2:
            assert agent.code() == shown
    pause = threading.Event()
    for _ in range(100):  # the last abandoned attempt reaches the broker on its reader thread
        if agent.code() != shown:
            break
        pause.wait(0.05)
    assert agent.code() != shown  # burnt after three wrong tries
    assert "code" not in Path(f"/proc/{agent.child_pid}/cmdline").read_text()


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
    # The next code comes with a new protocol process on the same port.
    assert _replaced(agent, first)
    technician = technician_on(port)
    assert technician.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
    technician.send(p.FrameRequest(False))
    assert isinstance(technician.receive_until(p.FrameUpdate), p.FrameUpdate)


# --- A compromised protocol process: the broker enforces consent by itself -----------------------------------

HOSTILE = Path(__file__).with_name("hostile_protocol_process.py")


class Reports:
    """The hostile process's JSON reports, which arrive as chat lines through the broker's callback."""

    def __init__(self) -> None:
        self.reports: list[dict[str, object]] = []
        self._changed = threading.Condition()

    def __call__(self, text: str) -> None:
        with self._changed:
            self.reports.append(json.loads(text))
            self._changed.notify_all()

    def wait(self, count: int = 1, timeout: float = 30) -> list[dict[str, object]]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.reports) >= count, timeout), "no report came"
            return list(self.reports)


def hostile(
    brokered: list[BrokeredAgent], mode: str, consent: ScriptedConsent, **callbacks: object
) -> tuple[BrokeredAgent, RecordingSink, FakeScreen, Reports]:
    sink, screen, reports = RecordingSink(), FakeScreen(), Reports()
    agent, _port = start(
        brokered,
        consent,
        screen=screen,
        sink=sink,
        command=[sys.executable, str(HOSTILE), mode],
        on_chat=reports,
        **callbacks,
    )
    return agent, sink, screen, reports


def test_input_and_capture_without_consent_are_refused_by_the_broker(brokered: list[BrokeredAgent]) -> None:
    clipboard: list[str] = []
    agent, sink, screen, reports = hostile(
        brokered, "no-consent", ScriptedConsent(frozenset({VIEW, CONTROL, CLIPBOARD})), on_clipboard=clipboard.append
    )
    (report,) = reports.wait()
    assert all(str(report[key]).startswith("refused") for key in ("monitors", "grab", "cursor")), report
    assert [e for e in sink.events if e[0] != "release_all"] == []
    assert screen.grabs == 0
    assert clipboard == []
    assert agent.gate.refused_input == 2


def test_a_lie_about_the_grants_does_not_widen_them(brokered: list[BrokeredAgent]) -> None:
    clipboard: list[str] = []
    agent, sink, _screen, reports = hostile(
        brokered, "widen", ScriptedConsent(frozenset({VIEW})), on_clipboard=clipboard.append
    )
    (report,) = reports.wait()
    assert report["answer"] == ["view"]  # the user granted view only
    assert str(report["monitors"]).startswith("answered")  # view works
    assert [e for e in sink.events if e[0] != "release_all"] == []  # "active with control" changed nothing
    assert clipboard == []
    pid = agent.child_pid
    agent.send_chat("go")  # now the process asks for a monitor that was never listed
    assert _wait_gone(pid)
    assert _replaced(agent, pid)  # the next request for help gets a new protocol process


def test_after_the_users_stop_nothing_crosses_whatever_the_process_does(brokered: list[BrokeredAgent]) -> None:
    agent, sink, _screen, reports = hostile(brokered, "after-stop", ScriptedConsent(frozenset({VIEW, CONTROL})))
    reports.wait(1)
    assert sink.wait_for(lambda events: ("pointer", 3, 4, 1) in events)  # control was granted: input applied
    applied = [e for e in sink.events if e[0] != "release_all"]
    agent.end_session()
    assert sink.events[-1] == ("release_all",)  # held keys are let go here, before the process is told
    report = reports.wait(2)[1]
    assert str(report["monitors_before"]).startswith("answered")
    assert str(report["monitors_after"]).startswith("refused")
    assert [e for e in sink.events if e[0] != "release_all"] == applied
    assert agent.gate.refused_input == 2


def test_who_is_asking_is_verified_by_the_broker_not_taken_from_the_protocol_process(
    brokered: list[BrokeredAgent],
) -> None:
    consent = ScriptedConsent(frozenset({VIEW}))
    _agent, _sink, _screen, reports = hostile(brokered, "fake-verified", consent)
    reports.wait()
    (prompt,) = consent.prompts
    assert not prompt.verification.verified  # "verified: IT Department" without a claim shows as NOT verified
    assert prompt.verification.name == ""


def test_a_forged_certificate_is_not_verified_by_the_broker(brokered: list[BrokeredAgent]) -> None:
    organisation, impostor, technician = (Ed25519PrivateKey.generate() for _ in range(3))
    forged = certified(impostor, technician, name="IT Department")
    claim = make_claim(forged, technician, "00" * 8)
    consent = ScriptedConsent(frozenset({VIEW}))
    sink, screen, reports = RecordingSink(), FakeScreen(), Reports()
    start(
        brokered,
        consent,
        screen=screen,
        sink=sink,
        command=[sys.executable, str(HOSTILE), "fake-verified", claim.hex()],
        org_keys=[organisation.public_key()],
        on_chat=reports,
    )
    reports.wait()
    (prompt,) = consent.prompts
    assert not prompt.verification.verified
    assert "not signed by your organisation" in prompt.verification.reason


def test_a_claim_replayed_from_another_session_is_not_verified_by_the_broker(brokered: list[BrokeredAgent]) -> None:
    """A compromised protocol process that captured a real technician's claim cannot show their name: the claim
    must be bound to the session id of the key exchange the broker itself made."""
    organisation, technician = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    certificate = certified(organisation, technician)
    captured = make_claim(certificate, technician, "00" * 8)  # Jana's real claim, for some other session
    consent = ScriptedConsent(frozenset({VIEW}))
    reports = Reports()
    start(
        brokered,
        consent,
        command=[sys.executable, str(HOSTILE), "fake-verified", captured.hex()],
        org_keys=[organisation.public_key()],
        on_chat=reports,
    )
    reports.wait()
    (prompt,) = consent.prompts
    assert not prompt.verification.verified
    assert "for this session" in prompt.verification.reason


def test_a_real_technicians_certificate_is_verified_by_the_broker(brokered: list[BrokeredAgent]) -> None:
    organisation, technician = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    certificate = certified(organisation, technician)
    consent = ScriptedConsent(frozenset({VIEW}))
    agent, port = start(brokered, consent, org_keys=[organisation.public_key()])
    granted = threading.Event()
    client = TechnicianClient(
        socket.create_connection(("127.0.0.1", port), timeout=10),
        code=agent.code(),
        capabilities=frozenset({VIEW}),
        identity=lambda session_id: make_claim(certificate, technician, session_id),
        callbacks=TechnicianCallbacks(on_state=lambda state, caps, paused: granted.set() if "view" in caps else None),
    )
    client.start()
    try:
        assert granted.wait(20)
        (prompt,) = consent.prompts
        assert prompt.verification.verified and (prompt.verification.name, prompt.verification.org) == (
            "Jana",
            "Example",
        )
    finally:
        client.stop()
        client.wait_closed(5)


@pytest.mark.parametrize("mode", ["garbage", "descriptors"])
def test_a_process_that_breaks_the_framing_is_ended(brokered: list[BrokeredAgent], mode: str) -> None:
    agent, _sink, _screen, _reports = hostile(brokered, mode, ScriptedConsent(frozenset({VIEW})))
    pid = agent.child_pid
    agent.send_chat("go")  # the process answers with a broken frame or a descriptor
    assert _wait_gone(pid)
    assert _replaced(agent, pid)


def _replaced(agent: BrokeredAgent, pid: int, timeout: float = 10) -> bool:
    """Whether asking for a code (the user asks for help again) brings a new protocol process within ``timeout``."""
    pause = threading.Event()
    for _ in range(int(timeout * 20)):
        with contextlib.suppress(PrivsepError):
            if agent.code() and agent.child_pid != pid:
                return True
        pause.wait(0.05)  # the broker notices the end of the old process's connection on its own thread
    return False


def _wait_gone(pid: int, timeout: float = 10) -> bool:
    """Whether the broker reaped ``pid`` within ``timeout`` (it kills a rule breaker and waits for it)."""
    done = threading.Event()
    for _ in range(int(timeout * 20)):
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except OSError:  # gone (reaped) between looks
            return True
        done.wait(0.05)  # polling /proc: there is no event for another process's end
    return False


@pytest.mark.sshd
def test_gateway_mode_reaches_the_protocol_process_through_a_real_gateway(
    brokered: list[BrokeredAgent], tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair
) -> None:
    """The broker publishes its listening port on the gateway (its own SSH connection, its own namespace); the
    gateway's forwarded connections are accepted by the protocol process, which has no network of its own."""
    config, known, _ = gateway_setup(tmp_path, sshd_factory, client_key)
    agent, port = start(brokered, ScriptedConsent(frozenset({VIEW})))
    publisher = GatewayPublisher(GatewaySettings(target="gw-agent", known_hosts=known, config_path=config), port)
    try:
        gateway_port = publisher.start()
        options = ConnectOptions(config_path=config, known_hosts_paths=[known], use_agent=False)
        with connect("gw", options) as connection:
            technician = SyncTechnician(Channel(connection.open_stream("127.0.0.1", gateway_port)))
            _technicians.append(technician)
            assert technician.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
            technician.send(p.FrameRequest(False))
            assert isinstance(technician.receive_until(p.FrameUpdate), p.FrameUpdate)
            technician.channel.close()
    finally:
        publisher.stop()
