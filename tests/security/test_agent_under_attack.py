"""The assist agent against hostile or broken peers on its loopback port (T09, T16, T43, T44, T49).

Any local process can reach the agent's port (loopback is not a boundary), so whatever connects first may
be an attacker: it must be cut off within the pairing deadline, it must not keep the real technician out,
and nothing it sends may cost unbounded memory or threads. The user's Stop must work while the network is
hung. The agent runs with fakes at its seams (tests/remote/agentkit.py) and a :class:`FakeClock`, so the
deadlines are reached by moving the clock, not by waiting.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.remote import protocol as p
from app.remote import session as s
from app.remote.agent import CLOSE_GRACE_SECONDS, AgentCallbacks, AssistAgent
from app.remote.channel import Channel, ChannelError, parse_header
from app.remote.client import TechnicianCallbacks, TechnicianClient
from tests.helpers.faultproxy import FaultProxy
from tests.helpers.faults import FakeClock
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent, SyncTechnician

VIEW, CONTROL, CLIPBOARD = p.Capability.VIEW, p.Capability.CONTROL, p.Capability.CLIPBOARD


class RawViewer:
    """A codec-0 viewer that only counts what it drew (the codec has its own tests)."""

    def __init__(self) -> None:
        self.updates = 0
        self.framebuffer = np.zeros((1, 1, 4), dtype=np.uint8)

    def apply(self, width: int, height: int, rects: list[p.Rect]) -> list[tuple[int, int, int, int]]:
        self.updates += 1
        return [(r.x, r.y, r.width, r.height) for r in rects]


class Recorder:
    """Collects callback calls and lets the test wait for one."""

    def __init__(self) -> None:
        self.calls: list[object] = []
        self._changed = threading.Condition()

    def __call__(self, *args: object) -> None:
        with self._changed:
            self.calls.append(args[0] if len(args) == 1 else args)
            self._changed.notify_all()

    def wait(self, count: int = 1, timeout: float = 10) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: len(self.calls) >= count, timeout)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def screen() -> FakeScreen:
    return FakeScreen()


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def agent_factory(clock: FakeClock, screen: FakeScreen, sink: RecordingSink) -> Iterator[object]:
    agents: list[AssistAgent] = []

    def make(consent: ScriptedConsent, **callbacks: object) -> AssistAgent:
        agent = AssistAgent(
            screen=screen,
            consent=consent,
            input_sink=sink,
            callbacks=AgentCallbacks(**callbacks),  # type: ignore[arg-type]
            clock=clock.monotonic,
            wall_clock=clock.wall,
        )
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        agent.stop()
        assert agent.wait_stopped(10)


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """True when the peer closes (EOF or RST) within ``timeout``; payload bytes from the peer are drained."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def agent_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("podpora-agent") and t.is_alive())


# --- slowloris and the pairing deadline ---------------------------------------------------------------------


def test_a_silent_connection_is_cut_at_the_pairing_deadline(agent_factory, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    ended = Recorder()
    agent = agent_factory(ScriptedConsent(frozenset({VIEW})), on_ended=ended)
    port = agent.listen(0)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as attacker:
        assert not closed_by_peer(attacker, 0.3)  # still inside the deadline: the agent waits
        clock.advance(s.PAIRING_DEADLINE_SECONDS + 1)
        assert closed_by_peer(attacker, 5)
    assert ended.wait()


def test_a_trickled_header_does_not_stretch_the_pairing_deadline(agent_factory, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    """A half-sent frame must not hold the agent past the pairing deadline (was 30 s; fixed in 2b86f0f)."""
    agent = agent_factory(ScriptedConsent(frozenset({VIEW})))
    port = agent.listen(0)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as attacker:
        attacker.sendall(b"\x80")  # the first byte of a length prefix, then (as far as the agent knows) more to come
        assert not closed_by_peer(attacker, 0.3)
        clock.advance(s.PAIRING_DEADLINE_SECONDS + 1)
        assert closed_by_peer(attacker, 5)


@pytest.mark.parametrize("squat", ["silent", "half-header", "hello"])
def test_an_unauthenticated_connection_does_not_lock_out_the_technician(  # type: ignore[no-untyped-def]
    agent_factory, squat: str
) -> None:
    """A squatter that has not started pairing gives way to the technician (was refused; fixed in 8dead3e)."""
    agent = agent_factory(ScriptedConsent(frozenset({VIEW})))
    port = agent.listen(0)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as attacker:
        if squat == "half-header":
            attacker.sendall(b"\x80")  # a length header with more bytes to come
        elif squat == "hello":
            Channel(attacker).send(p.Hello(p.PROTOCOL_VERSION, p.Role.TECHNICIAN, []))
        technician = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=5)))
        try:
            decision = technician.pair_and_ask(agent.code(), [VIEW])
        except Exception as error:  # whatever the refusal looks like, it is the bug
            raise AssertionError(f"the technician was refused while the attacker held the port: {error}") from None
        finally:
            technician.channel.close()
        assert decision.granted == [VIEW]


# --- oversized frames and floods ---------------------------------------------------------------------------------


def test_an_oversized_length_prefix_is_cut_and_the_next_technician_is_served(  # type: ignore[no-untyped-def]
    agent_factory,
) -> None:
    ended = Recorder()
    agent = agent_factory(ScriptedConsent(frozenset({VIEW})), on_ended=ended)
    port = agent.listen(0)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as attacker:
        attacker.sendall(b"\xff\xff\xff\x7f")  # 256 MiB announced (the largest length header), nothing follows
        assert closed_by_peer(attacker, 5)
    assert ended.wait()
    # The slot is free again only after the agent noticed; then a real technician pairs normally.
    technician = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=5)))
    try:
        assert technician.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
    finally:
        technician.channel.close()


def test_an_http_request_gets_nothing_but_a_goodbye(agent_factory) -> None:  # type: ignore[no-untyped-def]
    """T11: a browser (CSWSH, DNS rebinding) speaking HTTP to the port is closed with no state change.

    DESIGN.md §4 has the agent say ``Bye(reason)`` before closing on bad input; that one plaintext frame is
    all a prober gets (no Hello, no version, no prompt).
    """
    prompts = ScriptedConsent(frozenset({VIEW}))
    agent = agent_factory(prompts)
    port = agent.listen(0)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as browser:
        browser.sendall(
            b"GET / HTTP/1.1\r\nHost: evil.example\r\nOrigin: https://evil.example\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        )
        browser.settimeout(5)
        received = b""
        try:
            while chunk := browser.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
    assert prompts.prompts == []
    if received:
        header = 1 if received[0] < 0x80 else 2  # a Bye's length header (LEB128): one or two bytes
        assert parse_header(received[:header]) == len(received) - header
        assert isinstance(p.decode(received[header:]), p.Bye)


def test_a_flood_of_connections_costs_bounded_threads(agent_factory) -> None:  # type: ignore[no-untyped-def]
    """T44/T46: 16 connections at once with wrong codes: refused or failed, and no thread is left behind."""
    ended = Recorder()
    agent = agent_factory(ScriptedConsent(frozenset({VIEW})), on_ended=ended)
    port = agent.listen(0)
    baseline = agent_threads()
    attackers = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(16)]
    try:
        for attacker in attackers:
            Channel(attacker).send(p.Hello(p.PROTOCOL_VERSION, p.Role.TECHNICIAN, []))
        # At most one connection is being served; all the others are closed without a byte.
        closed = sum(closed_by_peer(attacker, 0.5) for attacker in attackers)
        assert closed >= len(attackers) - 1
        assert agent_threads() <= baseline + 3
    finally:
        for attacker in attackers:
            attacker.close()
    agent.stop()
    assert agent.wait_stopped(10)
    # wait_stopped() joins only the current connection; threads of connections that already ended or were
    # displaced finish on their own, and must: none may be left behind.
    for thread in [t for t in threading.enumerate() if t.name.startswith("podpora-agent")]:
        thread.join(10)
    assert agent_threads() == 0


# --- Stop while the network is hung ------------------------------------------------------------------------------


def test_stop_acts_locally_while_the_network_is_hung(  # type: ignore[no-untyped-def]
    agent_factory, screen: FakeScreen, sink: RecordingSink
) -> None:
    """T16: the link is blackholed (no FIN, no RST); Stop still stops capture and input on the user's side."""
    ended = Recorder()
    agent = agent_factory(ScriptedConsent(frozenset({VIEW, CONTROL})), on_ended=ended)
    port = agent.listen(0)
    viewer = RawViewer()
    drawn = Recorder()
    with FaultProxy(port) as proxy:
        client = TechnicianClient(
            socket.create_connection(("127.0.0.1", proxy.port), timeout=5),
            code=agent.code(),
            capabilities=frozenset({VIEW, CONTROL}),
            callbacks=TechnicianCallbacks(on_frame=lambda fb, d: drawn(d)),
            decoder=viewer,
        )
        client.start()
        assert drawn.wait()
        client.send_key(True, keysym=0xFFE1)  # Shift held by the technician
        assert sink.wait_for(lambda events: ("key", True, 0xFFE1, None) in events)
        proxy.stall()
        client.send_pointer(3, 4, 1)  # held in the blackhole: must never be applied
        agent.stop()
        # Before stop() returned: the technician's held key is released on the user's machine.
        assert ("key", False, 0xFFE1, None) in sink.events
        grabs_at_stop = screen.grabs
        assert ended.wait(timeout=5 + CLOSE_GRACE_SECONDS)
        assert agent.wait_stopped(5)
        proxy.resume()  # the link comes back: the held pointer event now arrives at a closed session
        assert client.wait_closed(10)
    assert screen.grabs == grabs_at_stop
    assert ("pointer", 3, 4, 1) not in sink.events


# --- Clipboard never before consent (T49) ------------------------------------------------------------------------


def test_clipboard_never_crosses_before_consent(agent_factory) -> None:  # type: ignore[no-untyped-def]
    to_user = Recorder()
    chat = Recorder()
    consent = ScriptedConsent(grant=None)  # the prompt stays open: nothing is granted yet
    agent = agent_factory(consent, on_clipboard=to_user, on_chat=chat)
    left, right = socket.socketpair()
    with left, right:
        agent.serve_stream(left)
        technician = SyncTechnician(Channel(right))
        request = p.ConsentRequest(b"", [VIEW, CLIPBOARD], "test", "CASE-1")
        technician.run(technician.session.handle(s.Started(agent.code(), request, 0.0)))
        for _ in range(40):  # pairing takes a few round trips; the consent request follows by itself
            if consent.asked.is_set():
                break
            message = technician.channel.receive(0.25)
            if message is not None:
                technician.received.append(message)
                technician.run(technician.session.handle(s.MessageReceived(message, 0.0)))
        assert consent.asked.is_set()
        # The user's side holds a secret in its clipboard before anything is granted:
        agent.send_local(p.Clipboard("user secret before consent"))
        technician.send(p.Clipboard("technician text before consent"))
        technician.send(p.Chat("marker"))
        assert chat.wait()  # the agent handled everything sent before the marker
        assert to_user.calls == []
        # Now the user grants view only: clipboard still does not cross, either way.
        assert consent.answer is not None
        consent.answer(frozenset({VIEW}))
        technician.receive_until(p.ConsentDecision)
        agent.send_local(p.Clipboard("user secret after a view-only grant"))
        technician.send(p.Clipboard("technician text after a view-only grant"))
        technician.send(p.Chat("marker 2"))
        assert chat.wait(2)
        agent.send_chat("end marker")
        technician.receive_until(p.Chat)
        assert to_user.calls == []
        assert not any(isinstance(m, p.Clipboard) for m in technician.received)


def test_an_input_flood_without_control_is_dropped_and_the_session_keeps_answering(  # type: ignore[no-untyped-def]
    agent_factory, sink: RecordingSink
) -> None:
    """An input flood from a view-only technician: nothing applied, one journal entry, the session still answers."""
    journal = Recorder()
    chat = Recorder()
    agent = agent_factory(ScriptedConsent(frozenset({VIEW})), on_journal=journal, on_chat=chat)
    left, right = socket.socketpair()
    with left, right:
        agent.serve_stream(left)
        technician = SyncTechnician(Channel(right))
        assert technician.pair_and_ask(agent.code(), [VIEW, CONTROL]).granted == [VIEW]
        for i in range(5000):
            technician.send(p.Pointer(i % 64, i % 48, 1))
        technician.send(p.Chat("still there?"))
        assert chat.wait(timeout=30)
        assert sink.events == []
        rejected = [call for call in journal.calls if isinstance(call, tuple) and call[0] == "input_rejected"]
        assert len(rejected) == 1  # the first drop is journaled, the rest only counted


def test_a_flood_of_wrong_codes_is_locked_out_and_costs_nothing_lasting(  # type: ignore[no-untyped-def]
    agent_factory, clock: FakeClock
) -> None:
    """T10/T44: guessing codes over and over: every guess fails, pairing locks, no thread or slot leaks,
    and once the window has passed the real technician pairs with the code then shown."""
    from app.remote.pairing import FAILED_ATTEMPT_WINDOW_SECONDS, MAX_FAILED_ATTEMPTS_PER_WINDOW

    ended = Recorder()
    agent = agent_factory(ScriptedConsent(frozenset({VIEW})), on_ended=ended)
    port = agent.listen(0)
    baseline = agent_threads()
    attempts = MAX_FAILED_ATTEMPTS_PER_WINDOW + 8
    for attempt in range(attempts):
        guess = f"{attempt:09d}"
        if guess == agent.code().replace("-", ""):
            continue
        attacker = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=5)))
        try:
            with contextlib.suppress(ChannelError):  # the channel closing under the attacker is a refusal too
                assert attacker.pair_and_ask(guess, [VIEW]).granted == []
        finally:
            attacker.channel.close()
        assert ended.wait(count=attempt + 1, timeout=10)  # that connection is finished before the next
        assert agent_threads() <= baseline + 3
    clock.advance(FAILED_ATTEMPT_WINDOW_SECONDS + 1)
    technician = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=5)))
    try:
        assert technician.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
    finally:
        technician.channel.close()


# --- Clock jumps (T41) ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jump", [+3600.0, -3600.0])
def test_a_wall_clock_jump_neither_expires_nor_extends_the_code(  # type: ignore[no-untyped-def]
    agent_factory, clock: FakeClock, jump: float
) -> None:
    """Code lifetimes and deadlines run on the monotonic clock: an NTP step or a user changing the time
    changes nothing; real time passing does."""
    from app.remote.pairing import CODE_LIFETIME_SECONDS

    agent = agent_factory(ScriptedConsent(frozenset({VIEW})))
    port = agent.listen(0)
    code = agent.code()
    lifetime = agent.code_expires_in()
    clock.jump_wall(jump)
    assert agent.code() == code
    assert agent.code_expires_in() == lifetime
    technician = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=5)))
    try:
        assert technician.pair_and_ask(code, [VIEW]).granted == [VIEW]
    finally:
        technician.channel.close()
    # The pairing used that code up; the next one expires after its lifetime of real (monotonic) time.
    next_code = agent.code()
    clock.jump_wall(-jump)
    assert agent.code() == next_code
    clock.advance(CODE_LIFETIME_SECONDS + 1)
    assert agent.code() != next_code
