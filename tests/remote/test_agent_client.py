"""The agent and technician drivers end to end over real sockets: consent, input gating, revoke, stop."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.remote import protocol as p
from app.remote.agent import AgentCallbacks, AssistAgent
from app.remote.channel import Channel, ChannelError
from app.remote.client import TechnicianCallbacks, TechnicianClient
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent, SyncTechnician

VIEW, CONTROL = p.Capability.VIEW, p.Capability.CONTROL


class RawDecoder:
    """A viewer framebuffer for codec 0 only (the real codecs are tested by the codec's own suite)."""

    def __init__(self) -> None:
        self.framebuffer = np.zeros((0, 0, 4), dtype=np.uint8)

    def apply(self, width: int, height: int, rects: list[p.Rect]) -> list[tuple[int, int, int, int]]:
        if self.framebuffer.shape[:2] != (height, width):
            self.framebuffer = np.zeros((height, width, 4), dtype=np.uint8)
        for r in rects:
            assert r.codec == 0
            self.framebuffer[r.y : r.y + r.height, r.x : r.x + r.width] = np.frombuffer(r.data, np.uint8).reshape(
                r.height, r.width, 4
            )
        return [(r.x, r.y, r.width, r.height) for r in rects]


class Ended:
    """Collects an on_ended callback."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reason = ""

    def __call__(self, reason: str) -> None:
        self.reason = reason
        self.event.set()


class Chats:
    """Collects chat lines shown to the user; tests wait for one instead of sleeping."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, text: str) -> None:
        with self._changed:
            self.lines.append(text)
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 5) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: text in self.lines, timeout)


@pytest.fixture
def screen() -> FakeScreen:
    return FakeScreen()


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


def make_agent(screen: FakeScreen, sink: RecordingSink, consent: ScriptedConsent, **callbacks: object) -> AssistAgent:
    return AssistAgent(screen=screen, consent=consent, input_sink=sink, callbacks=AgentCallbacks(**callbacks))  # type: ignore[arg-type]


@pytest.fixture
def pair_of_sockets() -> Iterator[tuple[socket.socket, socket.socket]]:
    left, right = socket.socketpair()
    yield left, right
    left.close()
    right.close()


def test_view_consent_delivers_the_exact_screen(
    screen: FakeScreen, sink: RecordingSink, pair_of_sockets: tuple[socket.socket, socket.socket]
) -> None:
    consent = ScriptedConsent(frozenset({VIEW}))
    agent = make_agent(screen, sink, consent)
    agent.serve_stream(pair_of_sockets[0])
    got_frame = threading.Event()
    frames: list[np.ndarray] = []

    def on_frame(framebuffer: np.ndarray, drawn: list[tuple[int, int, int, int]]) -> None:
        frames.append(framebuffer.copy())
        got_frame.set()

    client = TechnicianClient(
        pair_of_sockets[1],
        code=agent.code(),
        capabilities=frozenset({VIEW, CONTROL}),
        reason="printer",
        callbacks=TechnicianCallbacks(on_frame=on_frame),
        decoder=RawDecoder(),
    )
    client.start()
    try:
        assert got_frame.wait(10)
        assert np.array_equal(frames[0], screen.image)
        assert client.granted == {VIEW}
        prompt = consent.prompts[0]
        assert prompt.capabilities == {VIEW, CONTROL}
        assert prompt.reason == "printer"
        assert not prompt.verification.verified  # no certificate presented: the prompt warns
    finally:
        client.stop()
        assert client.wait_closed(5)
        agent.stop()
        assert agent.wait_stopped(5)


def test_refused_consent_means_no_frame_is_ever_captured_or_sent(
    screen: FakeScreen, sink: RecordingSink, pair_of_sockets: tuple[socket.socket, socket.socket]
) -> None:
    agent = make_agent(screen, sink, ScriptedConsent(frozenset()))
    agent.serve_stream(pair_of_sockets[0])
    technician = SyncTechnician(Channel(pair_of_sockets[1]))
    decision = technician.pair_and_ask(agent.code(), [VIEW, CONTROL])
    assert decision.granted == []
    # Whatever it asks for now, nothing comes back but the goodbye.
    with contextlib.suppress(ChannelError):
        technician.send(p.FrameRequest(False))
    with pytest.raises(ChannelError):
        technician.receive_until(p.FrameUpdate, timeout=5)
    assert p.Bye("consent refused") in technician.received
    assert not any(isinstance(m, p.FrameUpdate | p.ScreenInfo) for m in technician.received)
    assert screen.grabs == 0
    agent.stop()
    assert agent.wait_stopped(5)


def test_view_without_control_drops_input(
    screen: FakeScreen, sink: RecordingSink, pair_of_sockets: tuple[socket.socket, socket.socket]
) -> None:
    journal: list[str] = []
    chat = Chats()
    agent = make_agent(
        screen, sink, ScriptedConsent(frozenset({VIEW})), on_journal=lambda k, d: journal.append(k), on_chat=chat
    )
    agent.serve_stream(pair_of_sockets[0])
    technician = SyncTechnician(Channel(pair_of_sockets[1]))
    assert technician.pair_and_ask(agent.code(), [VIEW, CONTROL]).granted == [VIEW]
    for i in range(20):
        technician.send(p.Pointer(i, i, 1))
        technician.send(p.Key(True, keysym=0x61))
    # The agent handles messages in order: once it shows the chat, it has handled all input before it.
    technician.send(p.Chat("ping"))
    assert chat.wait_for("ping")
    assert sink.events == []
    assert "input_rejected" in journal
    agent.stop()
    assert agent.wait_stopped(5)


def test_revoke_releases_held_keys_and_drops_later_input(
    screen: FakeScreen, sink: RecordingSink, pair_of_sockets: tuple[socket.socket, socket.socket]
) -> None:
    chat = Chats()
    agent = make_agent(screen, sink, ScriptedConsent(frozenset({VIEW, CONTROL})), on_chat=chat)
    agent.serve_stream(pair_of_sockets[0])
    technician = SyncTechnician(Channel(pair_of_sockets[1]))
    technician.pair_and_ask(agent.code(), [VIEW, CONTROL])
    technician.send(p.Key(True, keysym=0xFFE1))  # Shift down
    technician.send(p.Pointer(5, 6, 1))  # button 1 down
    assert sink.wait_for(lambda events: ("pointer", 5, 6, 1) in events)
    agent.revoke_control()
    revoke = technician.receive_until(p.Revoke)
    assert revoke == p.Revoke([CONTROL])
    assert ("key", False, 0xFFE1, None) in sink.events
    assert ("pointer", 5, 6, 0) in sink.events
    applied = len(sink.events)
    technician.send(p.Key(True, keysym=0x62))
    technician.send(p.Chat("ping"))
    assert chat.wait_for("ping")
    assert len(sink.events) == applied
    agent.stop()
    assert agent.wait_stopped(5)


def test_stop_ends_the_stream_and_closes_the_port(screen: FakeScreen, sink: RecordingSink) -> None:
    ended = Ended()
    agent = make_agent(screen, sink, ScriptedConsent(frozenset({VIEW})), on_ended=ended)
    port = agent.listen(0)
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    client_ended = Ended()
    drawn = threading.Event()
    client = TechnicianClient(
        connection,
        code=agent.code(),
        capabilities=frozenset({VIEW}),
        callbacks=TechnicianCallbacks(on_frame=lambda fb, d: drawn.set(), on_ended=client_ended),
        decoder=RawDecoder(),
    )
    client.start()
    assert drawn.wait(10)
    agent.stop()
    assert client_ended.event.wait(5)
    assert "stopped by the user" in client_ended.reason
    assert ended.event.wait(5)
    assert agent.wait_stopped(5)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    connection.close()


def test_stop_obeys_locally_even_when_the_peer_never_reads(sink: RecordingSink) -> None:
    big = FakeScreen(width=1600, height=1000)  # one raw frame (6.4 MB) overfills every socket buffer
    ended = Ended()
    agent = make_agent(big, sink, ScriptedConsent(frozenset({VIEW, CONTROL})), on_ended=ended)
    left, right = socket.socketpair()
    with left, right:
        agent.serve_stream(left)
        technician = SyncTechnician(Channel(right))
        technician.pair_and_ask(agent.code(), [VIEW, CONTROL])
        technician.send(p.Key(True, keysym=0xFFE3))  # Control held
        assert sink.wait_for(lambda events: ("key", True, 0xFFE3, None) in events)
        technician.send(p.FrameRequest(False))
        # The agent is now blocked sending a frame nobody reads.  The user presses Stop:
        agent.stop()
        # Locally, at once: the held key is released before stop() returned.
        assert ("key", False, 0xFFE3, None) in sink.events
        assert ended.event.wait(5)
        assert agent.wait_stopped(5)
        grabs = big.grabs
        # The socket was closed under the blocked writer: the technician's side sees the end.
        right.settimeout(5)
        with pytest.raises(ChannelError):
            while True:
                technician.channel.receive(5)
        assert big.grabs == grabs


def test_a_second_technician_is_refused_while_a_session_runs(screen: FakeScreen, sink: RecordingSink) -> None:
    agent = make_agent(screen, sink, ScriptedConsent(frozenset({VIEW})))
    port = agent.listen(0)
    first = socket.create_connection(("127.0.0.1", port), timeout=5)
    technician = SyncTechnician(Channel(first))
    technician.pair_and_ask(agent.code(), [VIEW])
    second = socket.create_connection(("127.0.0.1", port), timeout=5)
    second.sendall(b"\x05hello")
    assert second.recv(100) == b""  # closed without a byte
    assert agent.refused_connections == 1
    technician.send(p.Chat("still here?"))
    agent.send_chat("yes")
    assert technician.receive_until(p.Chat) == p.Chat("yes")
    second.close()
    agent.stop()
    assert agent.wait_stopped(5)
    first.close()


def test_wrong_code_is_refused_and_the_agent_waits_for_the_next_attempt(
    screen: FakeScreen, sink: RecordingSink
) -> None:
    # Deadlines, not waits: generous, because SPAKE2 on a loaded 2-core machine once took longer than 5 s.
    agent = make_agent(screen, sink, ScriptedConsent(frozenset({VIEW})))
    port = agent.listen(0)
    code = agent.code()
    wrong = "000-000-001" if code != "000-000-001" else "000-000-002"
    ended = Ended()
    bad = TechnicianClient(
        socket.create_connection(("127.0.0.1", port), timeout=30),
        code=wrong,
        capabilities=frozenset({VIEW}),
        callbacks=TechnicianCallbacks(on_ended=ended),
    )
    bad.start()
    assert ended.event.wait(30)
    assert ended.reason == "wrong session code"
    assert agent.wait_idle(30)
    good = socket.create_connection(("127.0.0.1", port), timeout=30)
    technician = SyncTechnician(Channel(good))
    assert technician.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
    agent.stop()
    assert agent.wait_stopped(30)
    good.close()


def test_the_prompt_shows_a_verified_identity_for_every_request(
    screen: FakeScreen, sink: RecordingSink, pair_of_sockets: tuple[socket.socket, socket.socket]
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.remote import identity as idn

    org, tech = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    certificate = idn.issue_certificate(
        org,
        name="Jana",
        team="Helpdesk",
        org="ACME",
        public_key=idn.public_key_bytes(tech.public_key()),
        not_before=0,
        not_after=4_000_000_000,
    )
    consent = ScriptedConsent(frozenset({VIEW}))
    journal: list[tuple[str, object]] = []
    agent = AssistAgent(
        screen=screen,
        consent=consent,
        input_sink=sink,
        org_keys=[org.public_key()],
        callbacks=AgentCallbacks(on_journal=lambda kind, details: journal.append((kind, dict(details)))),
    )
    agent.serve_stream(pair_of_sockets[0])
    drawn = threading.Event()
    client = TechnicianClient(
        pair_of_sockets[1],
        code=agent.code(),
        capabilities=frozenset({VIEW}),
        identity=lambda session_id: idn.make_claim(certificate, tech, session_id),
        callbacks=TechnicianCallbacks(on_frame=lambda fb, d: drawn.set()),
        decoder=RawDecoder(),
    )
    client.start()
    assert drawn.wait(10)
    assert consent.prompts[0].verification.summary == "Verified: Jana, Helpdesk, ACME"
    identity = next(details for kind, details in journal if kind == "technician_identity")
    assert identity["verified"] == 1 and identity["name"] == "Jana"
    assert identity["fingerprint"] == idn.fingerprint(idn.public_key_bytes(tech.public_key()))
    client.request_capabilities(frozenset({"control"}), "I need to click")
    assert consent.wait_prompts(2)
    assert consent.prompts[1].capabilities == {CONTROL}
    assert consent.prompts[1].reason == "I need to click"
    assert consent.prompts[1].verification.verified
    client.stop()
    agent.stop()
    assert agent.wait_stopped(5)


def test_a_connection_that_never_pairs_does_not_keep_the_technician_out(
    screen: FakeScreen, sink: RecordingSink
) -> None:
    agent = make_agent(screen, sink, ScriptedConsent(frozenset({VIEW})))
    port = agent.listen(0)
    squatter = socket.create_connection(("127.0.0.1", port), timeout=5)
    squatter.sendall(b"\x80")  # half a length prefix, then nothing
    technician = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=5)))
    assert technician.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
    assert squatter.recv(10) == b""  # displaced without a byte
    # Now the session is paired: a newcomer is refused and the session goes on.
    late = socket.create_connection(("127.0.0.1", port), timeout=5)
    late.settimeout(5)
    assert late.recv(10) == b""
    agent.stop()
    assert agent.wait_stopped(5)
    for sock in (squatter, late, technician.channel):
        sock.close()


def test_a_trickling_peer_is_cut_at_the_pairing_deadline(screen: FakeScreen, sink: RecordingSink) -> None:
    from app.remote import session as s

    now = [1000.0]
    ended = Ended()
    agent = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW})),
        input_sink=sink,
        callbacks=AgentCallbacks(on_ended=ended),
        clock=lambda: now[0],
    )
    left, right = socket.socketpair()
    with left, right:
        agent.serve_stream(left)
        right.sendall(b"\x80")  # a frame begins and never ends
        now[0] += s.PAIRING_DEADLINE_SECONDS + 1  # the agent's clock moves past the deadline
        assert ended.event.wait(5)
        assert "pairing took too long" in ended.reason
    agent.stop()
    assert agent.wait_stopped(5)


def test_end_session_ends_the_session_but_keeps_the_agent_ready(screen: FakeScreen, sink: RecordingSink) -> None:
    ended = Ended()
    agent = make_agent(screen, sink, ScriptedConsent(frozenset({VIEW, CONTROL})), on_ended=ended)
    port = agent.listen(0)
    technician = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=5)))
    technician.pair_and_ask(agent.code(), [VIEW, CONTROL])
    technician.send(p.Key(True, keysym=0xFFE1))
    assert sink.wait_for(lambda events: ("key", True, 0xFFE1, None) in events)
    agent.end_session()
    assert ("key", False, 0xFFE1, None) in sink.events  # released before end_session returned
    assert technician.receive_until(p.Bye) == p.Bye("stopped by the user")
    assert ended.event.wait(5)
    assert agent.wait_idle(5)
    # Asking for help again works with the next code.
    again = SyncTechnician(Channel(socket.create_connection(("127.0.0.1", port), timeout=5)))
    assert again.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
    agent.stop()
    assert agent.wait_stopped(5)
    technician.channel.close()
    again.channel.close()


def test_out_of_range_values_from_either_ui_are_dropped_not_fatal(
    screen: FakeScreen, sink: RecordingSink, pair_of_sockets: tuple[socket.socket, socket.socket]
) -> None:
    chat = Chats()
    agent = make_agent(screen, sink, ScriptedConsent(frozenset({VIEW, CONTROL})), on_chat=chat)
    agent.serve_stream(pair_of_sockets[0])
    messages: list[p.Message] = []
    drawn = threading.Event()
    client = TechnicianClient(
        pair_of_sockets[1],
        code=agent.code(),
        capabilities=frozenset({VIEW, CONTROL}),
        callbacks=TechnicianCallbacks(on_frame=lambda fb, d: drawn.set(), on_message=messages.append),
        decoder=RawDecoder(),
    )
    client.start()
    assert drawn.wait(10)
    client.send_key(True, text="x" * 500)  # longer than a key's text may be
    client.send_key(True)  # neither keysym nor text
    client.select_monitor(99)  # no such monitor index on the wire
    agent.send_local(p.Notice("", "empty code"))  # a notice needs a code
    agent.send_feedback(9, "off the scale")  # clamped to 5
    client.send_chat("still talking")
    assert chat.wait_for("still talking")
    assert client.state.value == "active"
    client.stop()
    agent.stop()
    assert agent.wait_stopped(5)


def test_a_change_report_reaches_the_agents_callback_and_runs_nothing(
    screen: FakeScreen, sink: RecordingSink, pair_of_sockets: tuple[socket.socket, socket.socket]
) -> None:
    """The report of a change the technician ran over SSH is listed for the user; no diagnostic is started."""
    reports = Chats()
    diagnostics: list[p.RunScript] = []
    journal: list[str] = []
    agent = make_agent(
        screen,
        sink,
        ScriptedConsent(frozenset({VIEW})),
        on_change_report=reports,
        on_diagnostic=diagnostics.append,
        on_journal=lambda k, d: journal.append(k),
    )
    agent.serve_stream(pair_of_sockets[0])
    technician = SyncTechnician(Channel(pair_of_sockets[1]))
    assert technician.pair_and_ask(agent.code(), [VIEW]).granted == [VIEW]
    technician.send(p.ChangeReport("clear_print_queue"))
    assert reports.wait_for("clear_print_queue")
    assert diagnostics == []
    assert "change_reported_by_technician" in journal
    agent.stop()
    assert agent.wait_stopped(5)
