"""Reconnect and resume through a real OpenSSH sshd with the fault proxy in the console's path (T35, issue 9).

The console (a :class:`TechnicianClient` with a ``reconnect`` callable that opens a new SSH connection) reaches
the agent as in direct mode: SSH to sshd through the fault proxy, then direct-tcpip to the agent's port. The
proxy stalls, cuts (FIN) or resets (RST) the SSH connection mid-session. The console must say "reconnecting",
the agent must say "technician disconnected", give held keys back and stop the picture, and when the path
works again the same session continues without a new code, on fresh keys, with both journals complete and
free of duplicates. A stranger's resume attempt with a wrong proof changes nothing, and a technician who does
not come back within the grace period finds the session ended.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from app.remote import protocol as p
from app.remote.agent import AgentCallbacks, AssistAgent
from app.remote.channel import ByteStream, Channel, ChannelError
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.pairing import new_resume_nonce
from app.remote.ssh import ConnectOptions, SshConnection, connect
from tests.helpers.faultproxy import FaultProxy
from tests.helpers.faults import kill9
from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent

VIEW, CONTROL = p.Capability.VIEW, p.Capability.CONTROL
ROOT = Path(__file__).resolve().parents[2]
SHIFT = 0xFFE1


class Watch:
    """Collects a side's states, journal and end, and lets the test wait for any condition on them."""

    def __init__(self) -> None:
        self.states: list[str] = []
        self.journal: list[tuple[str, dict[str, str | int]]] = []
        self.ended: str | None = None
        self.frames = 0
        self.latest: np.ndarray | None = None
        self._changed = threading.Condition()

    def on_state(self, state: str, granted: frozenset[str], paused: bool) -> None:
        with self._changed:
            self.states.append(state)
            self._changed.notify_all()

    def on_journal(self, kind: str, details: Mapping[str, str | int]) -> None:
        with self._changed:
            self.journal.append((kind, dict(details)))
            self._changed.notify_all()

    def on_ended(self, reason: str) -> None:
        with self._changed:
            self.ended = reason
            self._changed.notify_all()

    def on_frame(self, framebuffer: np.ndarray, drawn: list[tuple[int, int, int, int]]) -> None:
        with self._changed:
            self.frames += 1
            self.latest = framebuffer.copy()
            self._changed.notify_all()

    def wait(self, predicate: Callable[[], bool], timeout: float = 20) -> bool:
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    def kinds(self) -> list[str]:
        with self._changed:
            return [kind for kind, _ in self.journal]

    def chats(self) -> list[str]:
        with self._changed:
            return [str(d["text"]) for k, d in self.journal if k.startswith("chat_")]


@dataclass
class SshPath:
    """The console's way to the user's machine: SSH (through the proxy) to sshd, then direct-tcpip."""

    config: Path
    known_hosts: Path
    agent_port: int
    connections: list[SshConnection] = field(default_factory=list)
    opened: int = 0
    #: Set whenever an attempt to open the path fails (nothing listening, a refused SSH login, ...).
    failed: threading.Event = field(default_factory=threading.Event)

    def open(self) -> ByteStream:
        # The old connection is dead or stuck: close it (the composition root does the same).
        for old in self.connections:
            old.close()
        self.connections.clear()
        options = ConnectOptions(
            config_path=self.config, known_hosts_paths=[self.known_hosts], use_agent=False, connect_timeout=5
        )
        try:
            connection = connect("user-pc", options)
        except BaseException:
            self.failed.set()
            raise
        self.connections.append(connection)
        try:
            stream = connection.open_stream("127.0.0.1", self.agent_port, timeout=5)
        except BaseException:
            connection.close()
            raise
        self.opened += 1
        return stream

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


@pytest.fixture
def screen() -> FakeScreen:
    return FakeScreen(width=160, height=100)


@pytest.fixture
def agent_watch() -> Watch:
    return Watch()


@pytest.fixture
def agent(screen: FakeScreen, agent_watch: Watch) -> Iterator[tuple[AssistAgent, RecordingSink]]:
    sink = RecordingSink()
    running = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW, CONTROL})),
        input_sink=sink,
        callbacks=AgentCallbacks(
            on_state=agent_watch.on_state, on_journal=agent_watch.on_journal, on_ended=agent_watch.on_ended
        ),
    )
    yield running, sink
    running.stop()
    assert running.wait_stopped(10)


@pytest.fixture
def ssh_path(
    tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair, agent: tuple[AssistAgent, RecordingSink]
) -> Iterator[tuple[SshPath, FaultProxy]]:
    server = sshd_factory.start(authorized_keys=[client_key.public_line])
    known = tmp_path / "known_hosts"
    # The proxy forwards to sshd; the host key is sshd's, under the name the console dials.
    with FaultProxy(server.port) as proxy:
        known.write_text(server.known_hosts_line().replace(f"[127.0.0.1]:{server.port}", f"[127.0.0.1]:{proxy.port}"))
        config = tmp_path / "ssh_config"
        config.write_text(
            f"Host user-pc\n  HostName 127.0.0.1\n  Port {proxy.port}\n  User {server.user}\n"
            f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
        )
        path = SshPath(config, known, agent[0].listen(0))
        yield path, proxy
        path.close()


def start_console(path: SshPath, code: str, watch: Watch) -> TechnicianClient:
    client = TechnicianClient(
        path.open(),
        code=code,
        capabilities=frozenset({VIEW, CONTROL}),
        callbacks=TechnicianCallbacks(
            on_frame=watch.on_frame, on_state=watch.on_state, on_journal=watch.on_journal, on_ended=watch.on_ended
        ),
        reconnect=path.open,
    )
    client.start()
    return client


@pytest.mark.sshd
@pytest.mark.parametrize("fault", ["stall", "cut", "reset"])
def test_the_session_survives_a_broken_link_and_resumes_without_a_new_code(
    ssh_path: tuple[SshPath, FaultProxy],
    agent: tuple[AssistAgent, RecordingSink],
    agent_watch: Watch,
    screen: FakeScreen,
    fault: str,
) -> None:
    path, proxy = ssh_path
    running, sink = agent
    console = Watch()
    client = start_console(path, running.code(), console)
    try:
        assert console.wait(lambda: console.frames >= 1)
        session_id = client._session.session_id
        client.send_key(True, keysym=SHIFT)
        assert sink.wait_for(lambda events: ("key", True, SHIFT, None) in events)
        running.send_chat("before")
        client.send_chat("hello")
        assert console.wait(lambda: "before" in console.chats())
        assert agent_watch.wait(lambda: "hello" in agent_watch.chats())
        frames_before = console.frames

        {"stall": proxy.stall, "cut": proxy.cut, "reset": proxy.reset}[fault]()
        running.send_chat("during the outage")  # into a dead or stuck connection
        # The console says so (within 2 s by its rules; the test only waits generously).
        assert console.wait(lambda: "reconnecting" in console.states)
        client.send_chat("typed while reconnecting")
        # The user's side: the indicator says the technician is disconnected, the held key is given back.
        assert agent_watch.wait(lambda: "technician disconnected" in agent_watch.states)
        assert ("key", False, SHIFT, None) in sink.events
        grabs_suspended = screen.grabs
        running.send_chat("while you were away")
        if fault == "stall":
            proxy.resume()

        # The same session comes back by itself: new SSH connection, resume, fresh keys, a new picture.
        assert console.wait(lambda: console.states[-1] == "active" and console.frames > frames_before, timeout=40)
        assert agent_watch.wait(lambda: "technician_reconnected" in agent_watch.kinds())
        assert agent_watch.states[-1] == "active"
        assert screen.grabs >= grabs_suspended
        assert console.latest is not None and np.array_equal(console.latest, screen.image)
        assert client._session.session_id == session_id
        assert path.opened >= 2 and client.reconnects >= 1
        # Control continues on the resumed link.
        client.send_key(True, keysym=0x61)
        assert sink.wait_for(lambda events: ("key", True, 0x61, None) in events)
        running.send_chat("after")
        client.send_chat("after too")
        assert console.wait(lambda: "after" in console.chats())
        assert agent_watch.wait(lambda: "after too" in agent_watch.chats())

        # Both journals: everything once, nothing missing.
        said = ["before", "hello", "during the outage", "typed while reconnecting", "while you were away", "after"]
        for text in [*said, "after too"]:
            assert console.chats().count(text) == 1, (text, console.chats())
            assert agent_watch.chats().count(text) == 1, (text, agent_watch.chats())
        assert console.kinds().count("link_lost") >= 1
        assert console.kinds().count("reconnected") >= 1
        assert console.kinds().count("paired") == 1  # no second pairing, no new code
        assert console.ended is None and agent_watch.ended is None
    finally:
        client.stop()
        assert client.wait_closed(10)


@pytest.mark.sshd
def test_a_wrong_resume_proof_is_refused_and_the_session_goes_on(
    ssh_path: tuple[SshPath, FaultProxy], agent: tuple[AssistAgent, RecordingSink], agent_watch: Watch
) -> None:
    path, _ = ssh_path
    running, sink = agent
    console = Watch()
    client = start_console(path, running.code(), console)
    try:
        assert console.wait(lambda: console.frames >= 1)
        client.send_key(True, keysym=SHIFT)
        assert sink.wait_for(lambda events: ("key", True, SHIFT, None) in events)
        # A stranger who learnt the (non-secret) session id reaches the agent's port through the same sshd.
        stranger = Channel(path.connections[0].open_stream("127.0.0.1", path.agent_port, timeout=5))
        stranger.send(p.ResumeStart(bytes.fromhex(client._session.session_id), 0, new_resume_nonce(), 0))
        challenge = stranger.receive(10)
        assert isinstance(challenge, p.ResumeChallenge)
        stranger.send(p.ResumeConfirm(b"\x5a" * 32))
        with pytest.raises(ChannelError):
            while True:  # closed on it, and only on it
                stranger.receive(10)
        assert agent_watch.wait(lambda: "resume_refused" in agent_watch.kinds())
        # The session did not notice: no suspension, the held key is still held, chat and pictures flow.
        assert "technician disconnected" not in agent_watch.states
        assert ("key", False, SHIFT, None) not in sink.events
        running.send_chat("still here")
        assert console.wait(lambda: "still here" in console.chats())
        assert console.states[-1] == "active"
    finally:
        client.stop()
        assert client.wait_closed(10)


def test_the_agent_ends_the_session_when_the_technician_does_not_return_in_time(screen: FakeScreen) -> None:
    """Direct sockets (no sshd needed): the console can never reconnect; the agent's grace is short."""
    watch, console = Watch(), Watch()
    sink = RecordingSink()
    running = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW, CONTROL})),
        input_sink=sink,
        callbacks=AgentCallbacks(on_state=watch.on_state, on_journal=watch.on_journal, on_ended=watch.on_ended),
        resume_grace=1.0,
    )
    port = running.listen(0)
    attempts: list[int] = []

    def unreachable() -> ByteStream:
        attempts.append(1)
        raise OSError("network is unreachable")

    try:
        with FaultProxy(port) as proxy:
            client = TechnicianClient(
                socket.create_connection(("127.0.0.1", proxy.port), timeout=5),
                code=running.code(),
                capabilities=frozenset({VIEW, CONTROL}),
                callbacks=TechnicianCallbacks(
                    on_frame=console.on_frame, on_state=console.on_state, on_ended=console.on_ended
                ),
                reconnect=unreachable,
            )
            client.start()
            assert console.wait(lambda: console.frames >= 1)
            client.send_key(True, keysym=SHIFT)
            assert sink.wait_for(lambda events: ("key", True, SHIFT, None) in events)
            proxy.cut()
            assert watch.wait(lambda: "technician disconnected" in watch.states)
            assert ("key", False, SHIFT, None) in sink.events
            assert watch.wait(lambda: watch.ended is not None)
            assert watch.ended == "the technician did not come back"
            assert "resume_timed_out" in watch.kinds()
            assert console.wait(lambda: len(attempts) >= 1)
            assert "reconnecting" in console.states
            # The slot is free: the agent serves the next request for help with a new code.
            assert running.wait_idle(5)
            client.stop()
            assert client.wait_closed(10)
            assert console.ended is not None
    finally:
        running.stop()
        assert running.wait_stopped(10)


CONSOLE_PROCESS = """
import socket, sys, threading
from app.remote import protocol as p
from app.remote.client import TechnicianCallbacks, TechnicianClient
port, code = int(sys.argv[1]), sys.argv[2]
drawn = threading.Event()
client = TechnicianClient(
    socket.create_connection(("127.0.0.1", port), timeout=10), code=code,
    capabilities=frozenset({p.Capability.VIEW, p.Capability.CONTROL}),
    callbacks=TechnicianCallbacks(on_frame=lambda fb, rects: drawn.set()),
    reconnect=lambda: socket.create_connection(("127.0.0.1", port), timeout=10),
)
client.start()
drawn.wait(20)
client.send_key(True, keysym=0xFFE1)
client.send_pointer(7, 8, buttons=1)
print("ready", flush=True)
sys.stdin.read()
"""


def test_a_resumable_console_killed_with_sigkill_leaves_the_user_clean_and_the_session_ends(
    tmp_path: Path, screen: FakeScreen
) -> None:
    """T37 with resume on: the agent cannot tell a crash from a broken link, so it suspends at once (input
    given back, picture stopped) and ends the session when the grace period is over."""
    watch, sink = Watch(), RecordingSink()
    running = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW, CONTROL})),
        input_sink=sink,
        callbacks=AgentCallbacks(on_state=watch.on_state, on_journal=watch.on_journal, on_ended=watch.on_ended),
        resume_grace=2.0,
    )
    port = running.listen(0)
    process = subprocess.Popen(
        [sys.executable, "-c", CONSOLE_PROCESS, str(port), running.code()],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PODPORA_HOME": str(tmp_path)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
        assert sink.wait_for(lambda events: ("key", True, SHIFT, None) in events and ("pointer", 7, 8, 1) in events)
        assert kill9(process) == -9
        assert watch.wait(lambda: "technician disconnected" in watch.states)
        assert ("key", False, SHIFT, None) in sink.events  # Shift given back at once, not after the grace
        assert ("pointer", 7, 8, 0) in sink.events or ("release_all",) in sink.events
        assert watch.wait(lambda: watch.ended is not None)
        assert "resume_timed_out" in watch.kinds()
        assert running.wait_idle(5)
    finally:
        if process.poll() is None:
            kill9(process)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        running.stop()
        assert running.wait_stopped(10)


def still_open(connection: socket.socket) -> bool:
    """Whether the agent has not closed ``connection`` (a non-blocking peek)."""
    connection.setblocking(False)
    try:
        return connection.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_connections_that_sit_on_the_resume_places_give_way_to_the_technician(screen: FakeScreen) -> None:
    """Local processes that connect and say nothing cannot keep the technician from coming back."""
    watch, console = Watch(), Watch()
    running = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW})),
        callbacks=AgentCallbacks(on_state=watch.on_state, on_journal=watch.on_journal),
    )
    port = running.listen(0)
    squatters: list[socket.socket] = []
    try:
        with FaultProxy(port) as proxy:

            def connect() -> ByteStream:
                return socket.create_connection(("127.0.0.1", proxy.port), timeout=5)

            client = TechnicianClient(
                connect(),
                code=running.code(),
                capabilities=frozenset({VIEW}),
                callbacks=TechnicianCallbacks(on_frame=console.on_frame, on_state=console.on_state),
                reconnect=connect,
            )
            client.start()
            assert console.wait(lambda: console.frames >= 1)
            for _ in range(6):  # more than there are places; each one sits silent for the 10 s it is allowed
                squatters.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            proxy.wait_for(lambda: sum(still_open(s) for s in squatters) <= 4)  # two already gave way
            proxy.cut()
            assert console.wait(lambda: "reconnecting" in console.states)
            assert console.wait(lambda: console.states[-1] == "active", timeout=30)
            # Back before the squatters' own 10 s ran out: the technician's attempt took the oldest one's place.
            assert any(still_open(s) for s in squatters)
            client.stop()
            assert client.wait_closed(10)
    finally:
        for squatter in squatters:
            squatter.close()
        running.stop()
        assert running.wait_stopped(10)


def test_a_blackhole_of_over_twenty_seconds_resumes_with_view_but_control_must_be_asked_again(
    screen: FakeScreen,
) -> None:
    """SECURITY-BAR T35: a blackhole of over 20 s, then recovery. The session resumes by itself with nothing lost;
    after a gap that long the user gets a say again before the technician may touch anything.

    Both sides' session clocks are test clocks (the drivers tick them every 0.25 s of real time), so twenty
    seconds of silence take no twenty seconds; the bytes really are held by the fault proxy meanwhile.
    """
    from tests.helpers.faults import FakeClock

    agent_clock, console_clock = FakeClock(), FakeClock()
    watch, console, sink = Watch(), Watch(), RecordingSink()
    running = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW, CONTROL})),
        input_sink=sink,
        callbacks=AgentCallbacks(on_state=watch.on_state, on_journal=watch.on_journal),
        clock=agent_clock.monotonic,
    )
    port = running.listen(0)
    granted: list[frozenset[str]] = []
    try:
        with FaultProxy(port) as proxy:

            def connect() -> ByteStream:
                return socket.create_connection(("127.0.0.1", proxy.port), timeout=5)

            client = TechnicianClient(
                connect(),
                code=running.code(),
                capabilities=frozenset({VIEW, CONTROL}),
                callbacks=TechnicianCallbacks(
                    on_frame=console.on_frame,
                    on_state=lambda state, now_granted, paused: (
                        granted.append(now_granted),
                        console.on_state(state, now_granted, paused),
                    ),
                    on_journal=console.on_journal,
                ),
                clock=console_clock.monotonic,
                reconnect=connect,
            )
            client.start()
            assert console.wait(lambda: console.frames >= 1)
            client.send_key(True, keysym=SHIFT)
            assert sink.wait_for(lambda events: ("key", True, SHIFT, None) in events)
            frames_before = console.frames

            proxy.stall()
            console_clock.advance(2)
            assert console.wait(lambda: "reconnecting" in console.states)
            agent_clock.advance(5)
            assert watch.wait(lambda: "technician disconnected" in watch.states)
            assert ("key", False, SHIFT, None) in sink.events
            agent_clock.advance(16)  # twenty-one seconds of silence in all
            console_clock.advance(18)
            running.send_chat("are you there?")
            proxy.resume()

            assert console.wait(lambda: console.states[-1] == "active" and console.frames > frames_before)
            assert granted[-1] == frozenset({"view"})  # the picture is back, control is not
            assert console.chats().count("are you there?") == 1
            assert console.kinds().count("revoked") == 1
            assert ("revoked", {"by": "agent", "capabilities": "control", "reason": "away too long"}) in watch.journal
            client.send_key(True, keysym=0x61)  # not applied, and not even sent without control
            client.request_capabilities(frozenset({"control"}), "may I continue?")
            assert watch.wait(lambda: watch.kinds().count("consent_asked") == 2)
            assert ("key", True, 0x61, None) not in sink.events
            client.stop()
            assert client.wait_closed(10)
    finally:
        running.stop()
        assert running.wait_stopped(10)


@pytest.mark.sshd
def test_a_restarted_middlebox_is_reconnected_through_when_it_is_back(
    ssh_path: tuple[SshPath, FaultProxy], agent: tuple[AssistAgent, RecordingSink], agent_watch: Watch
) -> None:
    """The whole path goes away (the proxy stops: every connection and its listener), then a new one comes up.

    Reconnect attempts meanwhile are refused outright; the console keeps trying within the grace period, and
    when a new proxy listens on the same address it resumes the same session through it.
    """
    path, proxy = ssh_path
    running, _ = agent
    console = Watch()
    client = start_console(path, running.code(), console)
    try:
        assert console.wait(lambda: console.frames >= 1)
        frames_before = console.frames
        opened_before = path.opened
        path.failed.clear()
        proxy.stop()  # no listener any more: reconnect attempts are refused
        assert console.wait(lambda: "reconnecting" in console.states)
        assert agent_watch.wait(lambda: "technician disconnected" in agent_watch.states)
        assert path.failed.wait(20)  # the console tried while nothing listened, and kept going
        assert console.ended is None
        with FaultProxy(proxy.target[1], listen_port=proxy.port) as restarted:
            assert console.wait(lambda: console.states[-1] == "active" and console.frames > frames_before, timeout=40)
            assert restarted.accepted >= 1
        assert path.opened == opened_before + 1  # one successful reconnect, through the new proxy
        assert console.kinds().count("paired") == 1  # the same session, no new code
        assert "technician_reconnected" in agent_watch.kinds()
    finally:
        client.stop()
        assert client.wait_closed(10)
