"""Hypothesis state machine: whatever the technician sends and the user does, consent holds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from app.remote import protocol as p
from app.remote import session as s
from app.remote.pairing import CodeIssuer
from tests.remote.sessionkit import Link

capability_sets = st.frozensets(st.sampled_from(list(p.Capability)))
capability_lists = capability_sets.map(lambda caps: sorted(caps, key=list(p.Capability).index))
technician_input = st.one_of(
    st.builds(p.Pointer, st.integers(0, 100), st.integers(0, 100), st.integers(0, 7), st.integers(-2, 2)),
    st.builds(lambda down, sym: p.Key(down, keysym=sym), st.booleans(), st.sampled_from([65, 66, 0xFFE1, 0xFFE3])),
    st.builds(lambda down, text: p.Key(down, text=text), st.booleans(), st.sampled_from(["ž", "a"])),
)
technician_requests = st.one_of(
    st.builds(p.FrameRequest, st.booleans()),
    st.builds(p.SelectMonitor, st.integers(0, 2)),
    st.builds(p.Clipboard, st.text(max_size=5)),
    st.builds(p.Chat, st.text(min_size=1, max_size=5)),
    st.builds(p.RunScript, st.just("r1"), st.binary(max_size=4)),
    st.builds(p.Revoke, capability_lists),
    capability_lists.filter(bool).map(lambda caps: p.ConsentRequest(b"", caps, "why", "")),
)
# Messages a technician must never send once paired (or that end the session):
technician_illegal = st.sampled_from(
    [
        p.Hello(p.PROTOCOL_VERSION, p.Role.TECHNICIAN, []),
        p.FrameUpdate(0, 1, 1, []),
        p.ConsentDecision([p.Capability.CONTROL]),
        p.PairStart(b"x" * 33),
        p.Bye("bye"),
    ]
)
technician_messages = st.one_of(technician_input, technician_requests, technician_illegal)
local_messages = st.sampled_from(
    [
        p.ScreenInfo([p.Monitor(0, 0, 0, 10, 10)]),
        p.CursorUpdate(1, 1),
        p.Clipboard("local secret"),
        p.ScriptProgress("r1", b"1"),
        p.Notice("wayland", "no capture"),
    ]
)
CONTENT = (p.FrameUpdate, p.ScreenInfo, p.CursorUpdate)


class ConsentInvariants(RuleBasedStateMachine):
    """Random events against a paired agent; every emitted command is checked against the state before it."""

    def __init__(self) -> None:
        super().__init__()
        self.link = Link()
        self.link.start()
        self.agent = self.link.agent
        self.now = 0.0
        self.closed_seen = False
        # A model of the driver and the console, for liveness: is a capture running, is the console waiting?
        self.capture_in_flight = False
        self.console_waiting = False
        self.last_commands: list[s.Command] = []

    def feed(self, event: s.AgentEvent) -> None:
        agent = self.agent
        view_ok = p.Capability.VIEW in agent.granted and not agent.paused
        control_ok = p.Capability.CONTROL in agent.granted and not agent.paused and not agent.prompt_open
        clipboard_granted = p.Capability.CLIPBOARD in agent.granted
        held_before = set(agent.held_keys)
        remote_input = isinstance(event, s.MessageReceived) and isinstance(event.message, p.Pointer | p.Key)
        if isinstance(event, s.MessageReceived) and isinstance(event.message, p.FrameRequest):
            self.console_waiting = self.console_waiting or p.Capability.VIEW in agent.granted
        if isinstance(event, s.FrameEncoded):
            self.capture_in_flight = False
        commands = agent.handle(event)
        self.last_commands = commands
        if self.closed_seen:
            assert commands == [], "commands after Close"
        for command in commands:
            match command:
                case s.Send(message=message) if isinstance(message, CONTENT):
                    assert view_ok, f"{type(message).__name__} sent without view"
                case s.Send(message=p.Clipboard()):
                    assert clipboard_granted
                case s.StartCapture() | s.CaptureFrame() | s.SwitchMonitor():
                    assert p.Capability.VIEW in agent.granted and not agent.paused
                case s.ApplyKey(key=key):
                    if not control_ok:
                        # Only releases of keys that were held may happen without control.
                        assert not key.down and p.Key(True, key.keysym, key.text) in held_before
                        assert not remote_input, "remote key input applied without control"
                case s.ApplyPointer(pointer=pointer):
                    if not control_ok:
                        # Only the release of held buttons, never anything the technician just sent.
                        assert pointer.buttons == 0 and pointer.wheel == 0
                        assert not remote_input, "remote pointer input applied without control"
                case s.SetClipboard():
                    assert clipboard_granted and control_ok is not None and not agent.prompt_open
                case s.RunDiagnostic():
                    assert p.Capability.DIAGNOSTICS in agent.granted
                case s.Close():
                    self.closed_seen = True
                case _:
                    pass
            # The model: what the driver and the console do with these commands.
            match command:
                case s.CaptureFrame():
                    self.capture_in_flight = True
                case s.StopCapture():
                    self.capture_in_flight = False  # the driver cancels a capture in flight
                case s.Send(message=p.FrameUpdate()):
                    self.console_waiting = False
                case s.Send(message=p.Revoke(capabilities=revoked)) if p.Capability.VIEW in revoked:
                    self.console_waiting = False  # the console stops waiting when view goes
                case _:
                    pass
        if p.Capability.CONTROL not in agent.granted or agent.paused or agent.prompt_open:
            assert agent.held_keys == [], "keys stay held without control"

    @initialize(granted=capability_sets.filter(bool))
    def user_grants_first(self, granted: frozenset[p.Capability]) -> None:
        # Start from an answered prompt: refusal and pre-consent paths are covered by scripted tests.
        self.link.agent_event(s.ConsentDecided(granted))  # the console answers a view grant with a request
        assert self.agent.state is s.AgentState.ACTIVE
        self.capture_in_flight = self.console_waiting = p.Capability.VIEW in granted

    @rule(message=technician_input)
    def technician_inputs(self, message: p.Message) -> None:
        self.feed(s.MessageReceived(message, self.now))

    @rule(message=technician_requests)
    def technician_requests(self, message: p.Message) -> None:
        self.feed(s.MessageReceived(message, self.now))

    # Rules that end the session act only on some draws, so that runs live long enough to explore.
    @rule(message=technician_illegal, act=st.integers(0, 5))
    def technician_misbehaves(self, message: p.Message, act: int) -> None:
        if act == 0:
            self.feed(s.MessageReceived(message, self.now))

    @precondition(lambda self: self.agent.prompt_open)
    @rule(granted=capability_sets)
    def user_decides(self, granted: frozenset[p.Capability]) -> None:
        self.feed(s.ConsentDecided(granted))

    @rule(capabilities=capability_sets)
    def user_revokes(self, capabilities: frozenset[p.Capability]) -> None:
        self.feed(s.UserRevoked(capabilities))

    @rule()
    def user_pauses(self) -> None:
        self.feed(s.UserPaused())

    @rule()
    def user_resumes(self) -> None:
        self.feed(s.UserResumed())

    @rule(lost=st.booleans(), act=st.integers(0, 5))
    def session_ends(self, lost: bool, act: int) -> None:
        if act == 0:
            self.feed(s.ConnectionLost("gone") if lost else s.UserStopped())

    @rule(seconds=st.floats(0, 25))
    def time_passes(self, seconds: float) -> None:
        self.now += seconds
        self.feed(s.Ticked(self.now))

    @precondition(lambda self: self.capture_in_flight)
    @rule()
    def frame_encoded(self) -> None:
        self.feed(s.FrameEncoded(p.FrameUpdate(0, 1, 1, [])))

    @rule(message=local_messages)
    def local_message(self, message: p.Message) -> None:
        self.feed(s.LocalMessageReady(message))

    @invariant()
    def a_waiting_console_is_served(self) -> None:
        agent = self.agent
        live = agent.state in (s.AgentState.ACTIVE, s.AgentState.PROMPTING)
        if live and p.Capability.VIEW in agent.granted and not agent.paused and self.console_waiting:
            assert self.capture_in_flight, "the console waits for a frame and nothing is being captured"

    @invariant()
    def closed_means_nothing_granted(self) -> None:
        if self.agent.state is s.AgentState.CLOSED:
            assert self.agent.granted == frozenset()


ConsentInvariants.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestConsentInvariants = ConsentInvariants.TestCase


@settings(max_examples=200, deadline=None)
@given(st.lists(technician_messages, min_size=1, max_size=5))
def test_before_pairing_nothing_but_a_close_comes_out(messages: list[p.Message]) -> None:
    agent = s.AgentSession(CodeIssuer(), 0.0)
    out: list[s.Command] = []
    for message in messages:
        out.extend(agent.handle(s.MessageReceived(message, 0.0)))
    allowed = (s.Journal, s.Close, s.StateChanged)
    assert all(isinstance(c, allowed) or (isinstance(c, s.Send) and isinstance(c.message, p.Bye)) for c in out)
    if not all(isinstance(m, p.Hello) for m in messages):
        assert agent.state is s.AgentState.CLOSED
