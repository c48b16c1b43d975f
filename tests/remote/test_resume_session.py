"""Reconnect and resume in the pure session machines, as scripted sequences (no sockets, no threads, no clock).

Two sessions wired back to back through a link that the test can break: messages sent while it is down are
lost (like bytes stuck in a dead TCP connection).  A resume then runs the real handshake on a "new
connection", and the checks are the ones the issue asks for: the console notices within 2 s, the agent keeps
consent but applies and sends nothing while suspended, a wrong or replayed proof changes nothing, fresh
keys, and each side's journal has every event exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.remote import protocol as p
from app.remote import session as s
from app.remote.pairing import CodeIssuer, SessionKeys, new_resume_nonce
from tests.remote.sessionkit import REQUEST_ALL, kinds, sent

VIEW, CONTROL = p.Capability.VIEW, p.Capability.CONTROL


@dataclass
class BreakableLink:
    """An agent and a resumable technician; ``up`` False loses every message in both directions."""

    grace: float = 60.0
    now: float = 0.0
    up: bool = True
    codes: CodeIssuer = field(default_factory=CodeIssuer)
    agent: s.AgentSession = field(init=False)
    technician: s.TechnicianSession = field(default_factory=s.TechnicianSession)
    agent_log: list[s.Command] = field(default_factory=list)
    technician_log: list[s.Command] = field(default_factory=list)
    lost: list[p.Message] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.agent = s.AgentSession(self.codes, self.now, resume_grace=self.grace)

    def start(self, granted: set[p.Capability]) -> None:
        code = self.codes.current(self.now)
        self.to_agent(self.technician.handle(s.Started(code, REQUEST_ALL, self.now, resumable=True)))
        assert self.agent.state is s.AgentState.PROMPTING
        self.to_technician(self.agent.handle(s.ConsentDecided(frozenset(granted))))

    def agent_event(self, event: s.AgentEvent) -> list[s.Command]:
        commands = self.agent.handle(event)
        self.to_technician(commands)
        return commands

    def technician_event(self, event: s.TechnicianEvent) -> list[s.Command]:
        commands = self.technician.handle(event)
        self.to_agent(commands)
        return commands

    def to_agent(self, commands: list[s.Command]) -> None:
        self.technician_log.extend(commands)
        for message in sent(commands):
            if not self.up:
                self.lost.append(message)
                continue
            self.to_technician(self.agent.handle(s.MessageReceived(message, self.now)))

    def to_technician(self, commands: list[s.Command]) -> None:
        self.agent_log.extend(commands)
        for message in sent(commands):
            if not self.up:
                self.lost.append(message)
                continue
            self.to_agent(self.technician.handle(s.MessageReceived(message, self.now)))

    def tick(self, now: float) -> None:
        self.now = now
        self.agent_event(s.Ticked(now))
        self.technician_event(s.Ticked(now))

    def handshake(self) -> tuple[p.ResumeStart, p.ResumeChallenge, p.ResumeConfirm, list[s.Command]]:
        """The technician opens a new connection and proves the session; returns what crossed it."""
        opened = self.technician.handle(s.LinkOpened(new_resume_nonce(), self.now))
        self.technician_log.extend(opened)
        (start,) = sent(opened)
        assert isinstance(start, p.ResumeStart)
        challenge = self.agent.resume_challenge(start, new_resume_nonce())
        assert isinstance(challenge, p.ResumeChallenge), challenge
        answered = self.technician.handle(s.MessageReceived(challenge, self.now))
        self.technician_log.extend(answered)
        confirm = sent(answered)[0]
        assert isinstance(confirm, p.ResumeConfirm)
        self.up = True
        # The agent checks the proof, then reads what the technician sent after it (its resent messages).
        resumed = self.agent_event(s.LinkResumed(start, challenge, confirm, self.now))
        for message in sent(answered)[1:]:
            self.to_technician(self.agent.handle(s.MessageReceived(message, self.now)))
        return start, challenge, confirm, resumed


def journal(log: list[s.Command]) -> list[tuple[str, dict[str, str | int]]]:
    return [(c.kind, dict(c.details)) for c in log if isinstance(c, s.Journal)]


def chats(log: list[s.Command]) -> list[str]:
    return [str(c.details["text"]) for c in log if isinstance(c, s.Journal) and c.kind.startswith("chat_")]


def keys_of(commands: list[s.Command]) -> SessionKeys:
    return next(c.keys for c in commands if isinstance(c, s.InstallKeys | s.AdoptLink))


def test_both_sides_announce_resume_and_beat_faster() -> None:
    link = BreakableLink()
    link.start({VIEW})
    assert link.agent.resumable and link.technician.resumable
    assert sent(link.agent.handle(s.Ticked(s.RESUME_HEARTBEAT_SECONDS))) == [p.Heartbeat()]


def test_a_console_that_cannot_reconnect_keeps_the_old_rules() -> None:
    agent = s.AgentSession(CodeIssuer(), 0.0)
    technician = s.TechnicianSession()
    assert not agent.resumable and not technician.resumable
    # (the tables in test_session.py cover that session: a lost link ends it)


def test_the_console_notices_a_silent_link_within_two_seconds_and_reconnects() -> None:
    link = BreakableLink()
    link.start({VIEW, CONTROL})
    link.up = False
    link.technician_event(s.Ticked(s.RESUME_SUSPECT_SECONDS - 0.01))
    assert link.technician.state is s.TechnicianState.ACTIVE
    commands = link.technician_event(s.Ticked(s.RESUME_SUSPECT_SECONDS))
    assert s.RESUME_SUSPECT_SECONDS + 0.25 < 2.0  # plus one driver tick: still within 2 s
    assert link.technician.state is s.TechnicianState.RECONNECTING
    assert kinds(commands) == ["Journal:link_lost", "DropLink"]
    assert commands[-1] == s.StateChanged(s.TechnicianState.RECONNECTING, frozenset({VIEW, CONTROL}), False)


def test_bytes_of_a_long_frame_count_as_a_live_link() -> None:
    link = BreakableLink()
    link.start({VIEW})
    for step in range(1, 20):
        link.technician_event(s.Ticked(step * 0.5, heard=True))
    assert link.technician.state is s.TechnicianState.ACTIVE


def test_the_agent_suspends_a_lost_session_releasing_input_and_sending_nothing() -> None:
    link = BreakableLink()
    link.start({VIEW, CONTROL, p.Capability.CLIPBOARD})
    link.technician_event(s.LocalInputReady(p.Key(True, keysym=0xFFE1)))
    link.up = False
    commands = link.agent_event(s.ConnectionLost("connection reset"))
    assert kinds(commands) == ["StopCapture", "ApplyKey", "Journal:technician_disconnected", "DropLink"]
    assert commands[1] == s.ApplyKey(p.Key(False, keysym=0xFFE1))
    assert link.agent.state is s.AgentState.SUSPENDED
    assert link.agent.granted == frozenset({VIEW, CONTROL, p.Capability.CLIPBOARD})  # consent is kept
    assert commands[-1] == s.StateChanged(s.AgentState.SUSPENDED, link.agent.granted, False)
    # While suspended: no capture, no picture, no clipboard, no heartbeat leaves; the user's actions still count.
    quiet = [
        *link.agent.handle(s.LocalMessageReady(p.Clipboard("secret"))),
        *link.agent.handle(s.LocalMessageReady(p.ScreenInfo([p.Monitor(0, 0, 0, 10, 10)], 0))),
        *link.agent.handle(s.UserPaused()),
        *link.agent.handle(s.UserResumed()),
        *link.agent.handle(s.Ticked(30.0)),
        *link.agent.handle(s.MessageReceived(p.Key(True, keysym=0x61), 30.0)),
    ]
    assert not [c for c in quiet if isinstance(c, s.Send | s.StartCapture | s.CaptureFrame | s.ApplyKey)]


def test_the_agent_ends_the_session_when_the_technician_does_not_return_in_time() -> None:
    link = BreakableLink(grace=60.0)
    link.start({VIEW})
    link.up = False
    link.agent_event(s.ConnectionLost("eof"))
    assert link.agent.suspended_until == 60.0
    assert kinds(link.agent.handle(s.Ticked(59.9))) == []
    commands = link.agent.handle(s.Ticked(60.0))
    assert kinds(commands) == ["StopCapture", "Journal:resume_timed_out", "Close"]
    assert link.agent.state is s.AgentState.CLOSED


def test_the_user_can_stop_a_suspended_session() -> None:
    link = BreakableLink()
    link.start({VIEW})
    link.up = False
    link.agent_event(s.ConnectionLost("eof"))
    commands = link.agent.handle(s.UserStopped())
    assert kinds(commands) == ["StopCapture", "Journal:stopped_by_user", "Close"]
    assert link.agent.resume_challenge(p.ResumeStart(b"\0" * 8, 0, b"\1" * 32, 0), new_resume_nonce()) == (
        "no session to resume"
    )


def test_a_resume_brings_back_the_session_with_fresh_keys_and_a_full_picture() -> None:
    link = BreakableLink()
    link.start({VIEW, CONTROL})
    first_keys = keys_of(link.technician_log)
    link.up = False
    link.now = 2.0
    link.technician_event(s.Ticked(2.0))
    link.agent_event(s.ConnectionLost("eof"))
    start, challenge, _, resumed = link.handshake()
    assert start.session_id == bytes.fromhex(link.agent.session_id)
    agent_keys = keys_of(resumed)
    technician_keys = keys_of(link.technician_log[-10:])
    assert agent_keys.send_key == technician_keys.receive_key
    assert agent_keys.receive_key == technician_keys.send_key
    assert agent_keys.resume_secret == technician_keys.resume_secret
    old = {first_keys.send_key, first_keys.receive_key, first_keys.resume_secret}
    assert old.isdisjoint({agent_keys.send_key, agent_keys.receive_key, agent_keys.resume_secret})
    assert kinds(resumed)[:3] == ["AdoptLink", "Send:Resumed", "Journal:technician_reconnected"]
    assert "StartCapture" in kinds(resumed)
    assert link.agent.state is s.AgentState.ACTIVE and link.technician.state is s.TechnicianState.ACTIVE
    assert link.agent.granted == link.technician.granted == frozenset({VIEW, CONTROL})
    # The console asked for a whole new picture, and the agent is capturing it.
    assert isinstance(link.agent_log[-1], s.CaptureFrame) or any(
        c == s.CaptureFrame(False, p.MAX_MESSAGE_BYTES) for c in link.agent_log[-6:]
    )
    # A second outage resumes with the next epoch (the secret ratcheted on both sides).
    link.up = False
    link.agent_event(s.ConnectionLost("eof"))
    link.technician_event(s.ConnectionLost("eof"))
    start2, _, _, resumed2 = link.handshake()
    assert start2.epoch == start.epoch + 1 == 1
    assert "AdoptLink" in kinds(resumed2)
    assert challenge.nonce != start.nonce


def test_a_wrong_proof_is_refused_and_does_not_disturb_the_session() -> None:
    link = BreakableLink()
    link.start({VIEW, CONTROL})
    link.technician_event(s.LocalInputReady(p.Key(True, keysym=0xFFE1)))
    start = p.ResumeStart(bytes.fromhex(link.agent.session_id), 0, new_resume_nonce(), 0)
    challenge = link.agent.resume_challenge(start, new_resume_nonce())
    assert isinstance(challenge, p.ResumeChallenge)
    commands = link.agent.handle(s.LinkResumed(start, challenge, p.ResumeConfirm(b"\x00" * 32), 1.0))
    assert kinds(commands) == ["Journal:resume_refused", "RefuseLink"]
    assert link.agent.state is s.AgentState.ACTIVE
    assert link.agent.held_keys == [p.Key(True, keysym=0xFFE1)]  # nothing was released, nothing changed
    # An attempt for another session gets no challenge at all.
    other = p.ResumeStart(b"\x01" * 8, 0, new_resume_nonce(), 0)
    assert link.agent.resume_challenge(other, new_resume_nonce()) == "no session to resume"


def test_a_replayed_proof_is_refused() -> None:
    link = BreakableLink()
    link.start({VIEW})
    link.up = False
    link.agent_event(s.ConnectionLost("eof"))
    link.technician_event(s.ConnectionLost("eof"))
    start, challenge, confirm, _ = link.handshake()
    # The same three messages again (an eavesdropper on the gateway replays them): the challenge was used.
    replayed = link.agent.handle(s.LinkResumed(start, challenge, confirm, link.now))
    assert kinds(replayed) == ["Journal:resume_refused", "RefuseLink"]
    # The console has been heard on the new keys, so that epoch is over: the replayed start gets no challenge.
    assert link.agent.resume_challenge(start, new_resume_nonce()) == "no session to resume"
    assert link.agent.state is s.AgentState.ACTIVE


def test_a_replayed_proof_is_refused_even_while_its_epoch_is_still_open() -> None:
    link = BreakableLink()
    link.start({VIEW})
    link.up = False
    link.agent_event(s.ConnectionLost("eof"))
    link.technician_event(s.ConnectionLost("eof"))
    opened = link.technician.handle(s.LinkOpened(new_resume_nonce(), 1.0))
    start = sent(opened)[0]
    assert isinstance(start, p.ResumeStart)
    challenge = link.agent.resume_challenge(start, new_resume_nonce())
    assert isinstance(challenge, p.ResumeChallenge)
    confirm = sent(link.technician.handle(s.MessageReceived(challenge, 1.0)))[0]
    assert isinstance(confirm, p.ResumeConfirm)
    assert "AdoptLink" in kinds(link.agent.handle(s.LinkResumed(start, challenge, confirm, 1.0)))
    # Before the console is heard on the new keys, its epoch may still be retried, but only with a fresh
    # challenge, which a recorded proof does not answer.
    fresh = link.agent.resume_challenge(start, new_resume_nonce())
    assert isinstance(fresh, p.ResumeChallenge)
    assert kinds(link.agent.handle(s.LinkResumed(start, fresh, confirm, 1.0))) == [
        "Journal:resume_refused",
        "RefuseLink",
    ]
    assert link.agent.state is s.AgentState.ACTIVE


def test_an_agent_that_cannot_prove_the_session_ends_it_on_the_console() -> None:
    link = BreakableLink()
    link.start({VIEW})
    link.technician_event(s.ConnectionLost("eof"))
    opened = link.technician.handle(s.LinkOpened(new_resume_nonce(), 1.0))
    assert isinstance(sent(opened)[0], p.ResumeStart)
    forged = p.ResumeChallenge(new_resume_nonce(), 0, b"\x00" * 32)
    commands = link.technician.handle(s.MessageReceived(forged, 1.0))
    assert kinds(commands) == ["Journal:resume_refused", "Journal:session_ended", "Close"]
    assert link.technician.state is s.TechnicianState.CLOSED


def test_no_gap_and_no_duplicate_in_either_journal_across_a_resume() -> None:
    link = BreakableLink()
    link.start({VIEW})
    link.agent_event(s.UserChatted("before"))
    link.technician_event(s.UserChatted("hello"))
    link.up = False
    # Sent into the dead connection: lost on the way.
    link.agent_event(s.UserChatted("lost on the way"))
    link.technician_event(s.UserChatted("also lost"))
    link.agent_event(s.UserRevoked(frozenset({VIEW})))  # the user takes view back during the outage
    link.agent_event(s.ConnectionLost("eof"))
    link.technician_event(s.ConnectionLost("eof"))
    # Written while the link is down: kept for the technician's return.
    link.agent_event(s.UserChatted("while you were away"))
    link.technician_event(s.UserChatted("typed while reconnecting"))
    link.handshake()
    link.agent_event(s.UserChatted("after"))
    link.technician_event(s.UserChatted("after too"))
    expected = ["before", "hello", "lost on the way", "also lost", "while you were away", "typed while reconnecting"]
    # Each side journals what it said when it said it, and what it heard when it arrived: once each.
    console = chats(link.technician_log)
    agent = chats(link.agent_log)
    for text in [*expected, "after", "after too"]:
        assert console.count(text) == 1, (text, console)
        assert agent.count(text) == 1, (text, agent)
    assert [k for k, _ in journal(link.technician_log)].count("revoked") == 1
    assert link.technician.granted == frozenset()
    assert link.agent.state is s.AgentState.ACTIVE and link.technician.state is s.TechnicianState.ACTIVE


def test_a_resume_whose_answer_was_lost_can_be_tried_again() -> None:
    link = BreakableLink()
    link.start({VIEW})
    link.up = False
    link.agent_event(s.ConnectionLost("eof"))
    link.technician_event(s.ConnectionLost("eof"))
    opened = link.technician.handle(s.LinkOpened(new_resume_nonce(), 1.0))
    start = sent(opened)[0]
    assert isinstance(start, p.ResumeStart)
    challenge = link.agent.resume_challenge(start, new_resume_nonce())
    assert isinstance(challenge, p.ResumeChallenge)
    confirm = sent(link.technician.handle(s.MessageReceived(challenge, 1.0)))[0]
    assert isinstance(confirm, p.ResumeConfirm)
    # The agent accepts, but its Resumed never arrives: that link breaks too.
    assert "AdoptLink" in kinds(link.agent.handle(s.LinkResumed(start, challenge, confirm, 1.0)))
    link.agent.handle(s.ConnectionLost("eof"))
    link.technician.handle(s.ConnectionLost("eof"))
    start_again, _, _, resumed = link.handshake()
    assert start_again.epoch == start.epoch  # the console never learnt that the first one took
    assert "AdoptLink" in kinds(resumed)
    assert link.technician.state is s.TechnicianState.ACTIVE


def test_the_console_gives_up_after_its_reconnect_deadline() -> None:
    link = BreakableLink()
    link.start({VIEW})
    link.technician_event(s.ConnectionLost("eof"))
    assert kinds(link.technician.handle(s.Ticked(s.RECONNECT_GIVE_UP_SECONDS - 1))) == []
    commands = link.technician.handle(s.Ticked(s.RECONNECT_GIVE_UP_SECONDS))
    assert kinds(commands) == ["Journal:session_ended", "Close"]
    assert link.technician.close_reason == "could not reconnect to the user's computer"


def test_an_agent_that_lost_the_session_says_so_and_the_console_ends() -> None:
    fresh = s.AgentSession(CodeIssuer(), 0.0)
    commands = fresh.handle(s.MessageReceived(p.ResumeStart(b"\x01" * 8, 0, new_resume_nonce(), 0), 0.0))
    assert kinds(commands) == ["Journal:resume_refused", "Send:Bye", "Close"]
    link = BreakableLink()
    link.start({VIEW})
    link.technician_event(s.ConnectionLost("eof"))
    link.technician.handle(s.LinkOpened(new_resume_nonce(), 1.0))
    ended = link.technician.handle(s.MessageReceived(p.Bye("no session to resume"), 1.0))
    assert kinds(ended) == ["Journal:session_ended", "Close"]


def test_the_first_consent_prompt_is_not_kept_across_a_lost_link() -> None:
    link = BreakableLink()
    code = link.codes.current(0.0)
    link.to_agent(link.technician.handle(s.Started(code, REQUEST_ALL, 0.0, resumable=True)))
    assert link.agent.state is s.AgentState.PROMPTING
    commands = link.agent.handle(s.ConnectionLost("eof"))
    assert kinds(commands) == ["DismissPrompt", "Journal:link_lost", "Close"]


def test_a_resume_while_the_agent_still_thinks_the_old_link_is_up_releases_input() -> None:
    link = BreakableLink()
    link.start({VIEW, CONTROL})
    link.technician_event(s.LocalInputReady(p.Key(True, keysym=0xFFE1)))
    link.up = False
    link.technician_event(s.Ticked(5.0))  # only the console noticed
    assert link.agent.state is s.AgentState.ACTIVE
    *_, resumed = link.handshake()
    assert kinds(resumed)[:3] == ["StopCapture", "ApplyKey", "AdoptLink"]
    assert link.agent.held_keys == []


@pytest.mark.parametrize("lost", [0, 3])
def test_the_replay_buffer_gives_exactly_what_is_missing(lost: int) -> None:
    buffer = s.ReplayBuffer()
    messages = [p.Chat(str(i)) for i in range(10)]
    for message in messages:
        buffer.add(message)
    assert buffer.since(10 - lost) == messages[10 - lost :]
    buffer.acknowledge(8)
    assert buffer.since(8) == messages[8:]
    assert buffer.since(7) is None  # already forgotten: such a peer cannot resume without a gap
    assert buffer.since(11) is None  # claims more than was ever sent


def test_the_replay_buffer_is_bounded() -> None:
    buffer = s.ReplayBuffer()
    for i in range(s.REPLAY_MAX_MESSAGES + 5):
        buffer.add(p.Chat(str(i)))
    assert buffer.since(0) is None
    assert buffer.since(5) is not None


@pytest.mark.parametrize(("away", "control_kept"), [(s.RESUME_CONTROL_SECONDS - 1, True), (20.0, False)])
def test_after_a_long_gap_view_comes_back_but_control_needs_a_new_yes(away: float, control_kept: bool) -> None:
    link = BreakableLink()
    link.start({VIEW, CONTROL})
    link.up = False
    link.agent_event(s.ConnectionLost("eof"))
    link.technician_event(s.ConnectionLost("eof"))
    link.now = away
    *_, resumed = link.handshake()
    expected = frozenset({VIEW, CONTROL}) if control_kept else frozenset({VIEW})
    assert link.agent.granted == link.technician.granted == expected
    assert link.technician.state is s.TechnicianState.ACTIVE
    revokes = [d for k, d in journal(link.technician_log) if k == "revoked"]
    assert len(revokes) == (0 if control_kept else 1)
    if not control_kept:
        assert "Journal:revoked" in kinds(resumed)
        # Input the technician sends now is not applied; asking again opens a prompt for the user.
        assert link.technician.handle(s.LocalInputReady(p.Key(True, keysym=0x61))) == []
        link.technician_event(s.LocalInputReady(p.ConsentRequest(b"", [CONTROL], "again", "")))
        assert link.agent.state is s.AgentState.PROMPTING


def test_clipboard_content_the_console_missed_is_not_replayed_after_the_user_turned_sharing_off() -> None:
    """Copied while shared, lost with the link, then the user turns clipboard sharing off: it never crosses.

    The replay keeps its numbering (the console counts what it got), so a notice takes the content's place.
    """
    clipboard = p.Capability.CLIPBOARD
    link = BreakableLink()
    link.start({VIEW, clipboard})
    link.up = False
    link.agent_event(s.LocalMessageReady(p.Clipboard("copied while shared")))  # lost on the way
    link.agent_event(s.ConnectionLost("eof"))
    link.technician_event(s.ConnectionLost("eof"))
    link.agent_event(s.UserRevoked(frozenset({clipboard})))  # while the technician is away
    _, _, _, resumed = link.handshake()
    replayed = [c.message for c in resumed if isinstance(c, s.Resend)]
    assert not any(isinstance(message, p.Clipboard) for message in replayed)
    assert any(isinstance(message, p.Notice) and message.code == "clipboard-withheld" for message in replayed)
    assert all(
        not isinstance(c, s.Send) or not isinstance(c.message, p.Clipboard)
        for c in link.agent_log[link.agent_log.index(resumed[0]) :]
    )
    assert link.agent.state is s.AgentState.ACTIVE and clipboard not in link.technician.granted


def test_clipboard_content_the_console_missed_is_replayed_while_sharing_is_still_on() -> None:
    link = BreakableLink()
    link.start({VIEW, p.Capability.CLIPBOARD})
    link.up = False
    link.agent_event(s.LocalMessageReady(p.Clipboard("copied while shared")))
    link.agent_event(s.ConnectionLost("eof"))
    link.technician_event(s.ConnectionLost("eof"))
    _, _, _, resumed = link.handshake()
    assert p.Clipboard("copied while shared") in [c.message for c in resumed if isinstance(c, s.Resend)]
