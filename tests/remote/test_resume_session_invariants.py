"""Hypothesis state machine: the consent invariants hold across lost links, suspensions and resumes too.

It extends the consent state machine of ``test_session_invariants.py`` with a resumable technician, links
that break at any moment, the technician coming back (the real handshake) and strangers trying wrong
proofs. After every step: nothing but the resume handshake leaves a suspended session, no capture runs and no
remote input is applied while suspended, and a wrong proof changes nothing at all.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from app.remote import protocol as p
from app.remote import session as s
from tests.remote.sessionkit import REQUEST_ALL, Link, sent
from tests.remote.test_session_invariants import ConsentInvariants


def nonce(self: ResumeInvariants) -> bytes:
    """Distinct nonces, the same in every run of an example (hypothesis replays examples to shrink them)."""
    self.nonces += 1
    return self.nonces.to_bytes(32, "big")


_SUSPENDED_MAY = (
    s.StopCapture,
    s.ApplyKey,
    s.ApplyPointer,
    s.Journal,
    s.StateChanged,
    s.Close,
    s.DismissPrompt,
    s.RefuseLink,
)


class ResumeInvariants(ConsentInvariants):
    """The consent machine with a resumable console whose link breaks and comes back."""

    def __init__(self) -> None:
        super().__init__()
        # Start again with a technician that can reconnect (the base class paired a plain one).
        self.link = Link()
        self.link._to_agent(
            self.link.technician.handle(s.Started(self.link.codes.current(0.0), REQUEST_ALL, 0.0, resumable=True))
        )
        self.agent = self.link.agent
        self.technician = self.link.technician
        self.nonces = 0
        assert self.agent.state is s.AgentState.PROMPTING

    def feed(self, event: s.AgentEvent) -> None:
        suspended_before = self.agent.state is s.AgentState.SUSPENDED
        granted_before = self.agent.granted
        super().feed(event)
        commands = self.last_commands
        if any(isinstance(c, s.DropLink | s.AdoptLink) for c in commands):
            self.console_waiting = False  # the console's request died with the old link; it asks again
        if suspended_before and self.agent.state is s.AgentState.SUSPENDED:
            # Nothing leaves, nothing is captured, no remote input is applied: only local effects.
            assert all(isinstance(c, _SUSPENDED_MAY) for c in commands), commands
            for command in commands:
                if isinstance(command, s.ApplyKey):
                    assert not command.key.down
                if isinstance(command, s.ApplyPointer):
                    assert command.pointer.buttons == 0
            if not isinstance(event, s.UserRevoked):
                assert self.agent.granted == granted_before  # consent is kept while the technician is away
        if self.agent.state is s.AgentState.SUSPENDED:
            assert self.agent.held_keys == []

    @rule(act=st.integers(0, 3))
    def link_breaks(self, act: int) -> None:
        if act == 0 and self.agent.state is not s.AgentState.CLOSED:
            self.feed(s.ConnectionLost("reset"))
            if self.technician.state is not s.TechnicianState.CLOSED:
                self.technician.handle(s.ConnectionLost("reset"))

    @precondition(lambda self: self.agent.state is not s.AgentState.CLOSED)
    @rule()
    def technician_returns(self) -> None:
        technician = self.technician
        if technician.state is not s.TechnicianState.RECONNECTING:
            technician.handle(s.ConnectionLost("the console noticed first"))
        if technician.state is not s.TechnicianState.RECONNECTING:
            return
        start = sent(technician.handle(s.LinkOpened(nonce(self), self.now)))[0]
        assert isinstance(start, p.ResumeStart)
        challenge = self.agent.resume_challenge(start, nonce(self))
        if isinstance(challenge, str):
            return
        answer = sent(technician.handle(s.MessageReceived(challenge, self.now)))
        if not answer:
            return
        confirm = answer[0]
        assert isinstance(confirm, p.ResumeConfirm)
        self.feed(s.LinkResumed(start, challenge, confirm, self.now))
        if not any(isinstance(c, s.AdoptLink) for c in self.last_commands):
            return
        assert self.agent.state in (s.AgentState.PAIRED, s.AgentState.ACTIVE, s.AgentState.PROMPTING)
        # The console reads what the agent sent on the new link and answers (a full picture request).
        for message in answer[1:]:
            self.feed(s.MessageReceived(message, self.now))
        for message in sent(self.last_commands_since_adopt()):
            for reply in sent(technician.handle(s.MessageReceived(message, self.now))):
                self.feed(s.MessageReceived(reply, self.now))

    @rule(junk=st.binary(min_size=32, max_size=32))
    def stranger_tries(self, junk: bytes) -> None:
        if not self.agent.session_id:
            return
        start = p.ResumeStart(bytes.fromhex(self.agent.session_id), 0, nonce(self), 0)
        challenge = self.agent.resume_challenge(start, nonce(self))
        if isinstance(challenge, str):
            return
        state, granted, held = self.agent.state, self.agent.granted, self.agent.held_keys
        self.feed(s.LinkResumed(start, challenge, p.ResumeConfirm(junk), self.now))
        assert [type(c) for c in self.last_commands] == [s.Journal, s.RefuseLink]
        assert (self.agent.state, self.agent.granted, self.agent.held_keys) == (state, granted, held)

    def last_commands_since_adopt(self) -> list[s.Command]:
        commands = self.last_commands
        for index, command in enumerate(commands):
            if isinstance(command, s.AdoptLink):
                return commands[index + 1 :]
        return []


ResumeInvariants.TestCase.settings = settings(
    max_examples=80, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestResumeInvariants = ResumeInvariants.TestCase
