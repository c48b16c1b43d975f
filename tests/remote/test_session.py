"""The sans-IO session machines as scripted sequences: event in, expected commands out."""

from __future__ import annotations

import pytest

from app.remote import protocol as p
from app.remote import session as s
from app.remote.pairing import MAX_WRONG_ATTEMPTS_PER_CODE, CodeIssuer
from tests.remote.sessionkit import REQUEST_ALL, Link, consented, kinds, sent

VIEW, CONTROL, CLIPBOARD, DIAG = (
    p.Capability.VIEW,
    p.Capability.CONTROL,
    p.Capability.CLIPBOARD,
    p.Capability.DIAGNOSTICS,
)
UPDATE = p.FrameUpdate(0, 4, 4, [p.Rect(0, 0, 4, 4, 0, b"\x00" * 64)])


def test_pairing_then_consent_prompt() -> None:
    link = Link()
    link.start()
    assert link.agent.state is s.AgentState.PROMPTING
    assert link.technician.state is s.TechnicianState.AWAITING_CONSENT
    assert link.agent.session_id == link.technician.session_id != ""
    assert kinds(link.agent_log) == [
        "Send:PairReply",
        "InstallKeys",
        "Send:Hello",
        "Journal:paired",
        "AskConsent",
        "Journal:consent_asked",
    ]
    ask = next(c for c in link.agent_log if isinstance(c, s.AskConsent))
    assert ask.request == REQUEST_ALL
    assert ask.deadline == s.CONSENT_TIMEOUT_SECONDS


def test_view_granted_starts_capture_and_the_technician_pulls_a_full_frame() -> None:
    link = Link()
    link.start()
    commands = link.agent_event(s.ConsentDecided(frozenset({VIEW})))
    assert kinds(commands) == ["Journal:consent_decided", "Send:ConsentDecision", "StartCapture"]
    assert sent(commands) == [p.ConsentDecision([VIEW])]
    assert sent(link.technician_log)[-1] == p.FrameRequest(False)
    assert kinds(link.agent_log)[-1] == "CaptureFrame"
    assert link.technician.granted == {VIEW}


# (granted, event, expected commands) for an agent that is ACTIVE after the first consent.
ACTIVE_TABLE = [
    ({VIEW}, s.MessageReceived(p.Pointer(5, 5, 1), 1), ["Journal:input_rejected"]),
    ({VIEW}, s.MessageReceived(p.Key(True, keysym=65), 1), ["Journal:input_rejected"]),
    ({VIEW}, s.MessageReceived(p.Clipboard("x"), 1), ["Journal:clipboard_rejected"]),
    ({VIEW}, s.MessageReceived(p.RunScript("r", b""), 1), ["Journal:diagnostics_rejected"]),
    ({VIEW}, s.FrameEncoded(UPDATE), ["Send:FrameUpdate"]),
    ({VIEW}, s.MessageReceived(p.SelectMonitor(1), 1), ["SwitchMonitor"]),
    ({VIEW}, s.LocalMessageReady(p.ScreenInfo([p.Monitor(0, 0, 0, 4, 4)])), ["Send:ScreenInfo"]),
    ({VIEW}, s.LocalMessageReady(p.Clipboard("secret")), []),
    ({CONTROL}, s.LocalMessageReady(p.CursorUpdate(1, 1)), []),
    ({CONTROL}, s.MessageReceived(p.SelectMonitor(1), 1), []),
    ({CONTROL}, s.MessageReceived(p.FrameRequest(True), 1), []),
    ({VIEW, CONTROL}, s.MessageReceived(p.Pointer(5, 5, 1), 1), ["ApplyPointer"]),
    ({VIEW, CONTROL}, s.MessageReceived(p.Key(True, text="ž"), 1), ["ApplyKey"]),
    ({CLIPBOARD}, s.MessageReceived(p.Clipboard("hi"), 1), ["SetClipboard", "Journal:clipboard_to_user"]),
    ({CLIPBOARD}, s.LocalMessageReady(p.Clipboard("hi")), ["Send:Clipboard", "Journal:clipboard_to_technician"]),
    ({DIAG}, s.MessageReceived(p.RunScript("r", b"{}"), 1), ["RunDiagnostic", "Journal:diagnostic_requested"]),
    ({DIAG}, s.LocalMessageReady(p.ScriptResult("r", b"ok")), ["Send:ScriptResult"]),
    ({VIEW}, s.MessageReceived(p.Chat("hello"), 1), ["ShowChat", "Journal:chat_from_technician"]),
    ({VIEW}, s.UserChatted("hi"), ["Send:Chat", "Journal:chat_from_user"]),
    ({VIEW}, s.LocalMessageReady(p.Notice("wayland", "cannot capture")), ["Send:Notice", "Journal:notice"]),
    ({VIEW}, s.MessageReceived(p.Bye("done"), 1), ["StopCapture", "Journal:technician_left", "Close"]),
    (
        {VIEW},
        s.MessageReceived(p.PairStart(b"x" * 33), 1),
        ["Journal:protocol_violation", "StopCapture", "Send:Bye", "Close"],
    ),
    (
        {VIEW},
        s.MessageReceived(p.Hello(1, p.Role.TECHNICIAN, []), 1),
        ["Journal:protocol_violation", "StopCapture", "Send:Bye", "Close"],
    ),
    (
        {VIEW},
        s.MessageReceived(p.FrameUpdate(0, 1, 1, []), 1),
        ["Journal:protocol_violation", "StopCapture", "Send:Bye", "Close"],
    ),
    (
        {VIEW},
        s.MessageReceived(p.ConsentDecision([VIEW, CONTROL]), 1),
        ["Journal:protocol_violation", "StopCapture", "Send:Bye", "Close"],
    ),
    (
        {VIEW},
        s.PeerMisbehaved("record failed authentication"),
        ["Journal:protocol_violation", "StopCapture", "Send:Bye", "Close"],
    ),
    ({VIEW}, s.ConnectionLost("reset"), ["StopCapture", "Journal:connection_lost", "Close"]),
    ({VIEW}, s.UserStopped(), ["StopCapture", "Journal:stopped_by_user", "Send:Bye", "Close"]),
    ({VIEW}, s.UserPaused(), ["StopCapture", "Journal:paused_by_user", "Send:Pause"]),
    ({VIEW}, s.UserResumed(), []),
    ({VIEW}, s.UserRevoked(frozenset({CONTROL})), []),
    ({VIEW, CONTROL}, s.UserRevoked(frozenset({VIEW})), ["StopCapture", "Journal:revoked", "Send:Revoke"]),
    ({VIEW, CONTROL}, s.MessageReceived(p.Revoke([CONTROL]), 1), ["Journal:revoked", "Send:Revoke"]),
    (
        {VIEW},
        s.MessageReceived(p.ConsentRequest(b"", [CONTROL], "need to click", ""), 1),
        ["AskConsent", "Journal:consent_asked"],
    ),
]


@pytest.mark.parametrize(("granted", "event", "expected"), ACTIVE_TABLE)
def test_active_agent_table(granted: set[p.Capability], event: s.AgentEvent, expected: list[str]) -> None:
    link = consented(granted)
    if isinstance(event, s.FrameEncoded):
        assert kinds(link.agent_log)[-1] == "CaptureFrame"  # the update answers an outstanding request
    assert kinds(link.agent.handle(event)) == expected


def test_only_the_first_drop_per_reason_is_journaled_but_all_are_counted() -> None:
    link = consented({VIEW})
    commands = [c for i in range(100) for c in link.agent.handle(s.MessageReceived(p.Pointer(i, i), 1))]
    assert kinds(commands) == ["Journal:input_rejected"]
    assert link.agent.dropped_inputs == 100
    assert not any(isinstance(c, s.ApplyPointer) for c in commands)


def test_refusal_sends_an_empty_decision_and_closes_without_any_capture() -> None:
    link = Link()
    link.start()
    commands = link.agent_event(s.ConsentDecided(frozenset()))
    assert kinds(commands) == ["Journal:consent_decided", "Send:ConsentDecision", "Send:Bye", "Close"]
    assert sent(commands)[0] == p.ConsentDecision([])
    assert link.agent.state is s.AgentState.CLOSED
    assert link.technician.state is s.TechnicianState.CLOSED
    assert "consent refused" in link.technician.close_reason
    assert not any(isinstance(c, s.StartCapture | s.CaptureFrame) for c in link.agent_log)


def test_an_unanswered_prompt_is_a_refusal_after_sixty_seconds() -> None:
    link = Link()
    link.start()
    # The console keeps the link alive meanwhile (its heartbeats), but nobody answers the prompt.
    link.agent.handle(s.MessageReceived(p.Heartbeat(), 25.0))
    link.agent.handle(s.MessageReceived(p.Heartbeat(), 50.0))
    assert kinds(link.agent.handle(s.Ticked(s.CONSENT_TIMEOUT_SECONDS - 0.01))) == []
    commands = link.agent.handle(s.Ticked(s.CONSENT_TIMEOUT_SECONDS))
    assert kinds(commands) == [
        "DismissPrompt",
        "Journal:consent_timed_out",
        "Send:ConsentDecision",
        "Send:Bye",
        "Close",
    ]
    # A late click on the closed prompt changes nothing.
    assert link.agent.handle(s.ConsentDecided(frozenset({VIEW}))) == []


def test_a_later_request_refused_keeps_earlier_grants() -> None:
    link = consented({VIEW})
    link.technician_event(s.LocalInputReady(p.ConsentRequest(b"", [CONTROL], "click", "")))
    assert link.agent.prompt_open
    commands = link.agent.handle(s.Ticked(s.CONSENT_TIMEOUT_SECONDS + 1))
    assert sent(commands) == [p.ConsentDecision([VIEW])]
    assert link.agent.state is s.AgentState.ACTIVE and link.agent.granted == {VIEW}


def test_input_is_suspended_while_a_prompt_is_open_even_with_control() -> None:
    link = consented({VIEW, CONTROL})
    link.agent.handle(s.MessageReceived(p.Key(True, keysym=0xFFE1), 1))  # Shift held
    commands = link.agent.handle(s.MessageReceived(p.ConsentRequest(b"", [CLIPBOARD], "copy", ""), 1))
    assert kinds(commands)[:1] == ["ApplyKey"]  # Shift released as the prompt opens
    assert commands[0] == s.ApplyKey(p.Key(False, keysym=0xFFE1))
    dropped = link.agent.handle(s.MessageReceived(p.Pointer(10, 10, 1), 1))
    assert kinds(dropped) == ["Journal:input_rejected"]
    assert dropped[0] == s.Journal("input_rejected", {"reason": "a prompt is open"})
    link.agent.handle(s.ConsentDecided(frozenset({CLIPBOARD})))
    assert kinds(link.agent.handle(s.MessageReceived(p.Pointer(10, 10, 1), 1))) == ["ApplyPointer"]


def test_revoking_control_releases_held_keys_and_buttons_and_drops_later_input() -> None:
    link = consented({VIEW, CONTROL})
    for message in [p.Key(True, keysym=0xFFE3), p.Key(True, text="a"), p.Key(False, text="a"), p.Pointer(7, 8, 1)]:
        link.agent.handle(s.MessageReceived(message, 1))
    assert link.agent.held_keys == [p.Key(True, keysym=0xFFE3)]
    commands = link.agent.handle(s.UserRevoked(frozenset({CONTROL})))
    assert commands[:2] == [s.ApplyKey(p.Key(False, keysym=0xFFE3)), s.ApplyPointer(p.Pointer(7, 8, 0))]
    assert kinds(commands)[2:] == ["Journal:revoked", "Send:Revoke"]
    assert sent(commands) == [p.Revoke([CONTROL])]
    assert link.agent.held_keys == []
    assert kinds(link.agent.handle(s.MessageReceived(p.Key(True, text="x"), 2))) == ["Journal:input_rejected"]


def test_stop_acts_locally_first_and_ends_everything() -> None:
    link = consented({VIEW, CONTROL})
    link.agent.handle(s.MessageReceived(p.Key(True, keysym=0xFFE9), 1))
    commands = link.agent.handle(s.UserStopped())
    assert kinds(commands) == ["StopCapture", "ApplyKey", "Journal:stopped_by_user", "Send:Bye", "Close"]
    assert link.agent.state is s.AgentState.CLOSED and link.agent.granted == frozenset()
    for event in [s.MessageReceived(p.Pointer(1, 1), 2), s.FrameEncoded(UPDATE), s.UserResumed(), s.Ticked(99)]:
        assert link.agent.handle(event) == []


def test_pause_holds_the_frame_request_until_resume() -> None:
    link = consented({VIEW, CONTROL})
    assert kinds(link.agent.handle(s.UserPaused()))[-1] == "Send:Pause"
    # The capture that was in flight when the user paused is not sent.
    assert link.agent.handle(s.FrameEncoded(UPDATE)) == []
    assert kinds(link.agent.handle(s.MessageReceived(p.Pointer(1, 1), 1))) == ["Journal:input_rejected"]
    assert kinds(link.agent.handle(s.UserResumed())) == [
        "Journal:resumed_by_user",
        "Send:Resume",
        "StartCapture",
        "CaptureFrame",
    ]


def test_the_technician_does_not_re_request_when_the_agent_kept_its_request() -> None:
    link = consented({VIEW})
    link.agent_event(s.UserPaused())
    link.agent_event(s.FrameEncoded(UPDATE))
    before = len(sent(link.technician_log))
    link.agent_event(s.UserResumed())
    assert len(sent(link.technician_log)) == before  # no second FrameRequest: one in flight at a time
    link.agent_event(s.FrameEncoded(UPDATE))
    delivered = [c for c in link.technician_log if isinstance(c, s.Deliver)]
    assert delivered[-1].message == UPDATE
    link.technician_event(s.FrameDrawn())
    assert sent(link.technician_log)[-1] == p.FrameRequest(True)


def test_second_frame_request_waits_for_the_first() -> None:
    link = consented({VIEW})
    assert link.agent.handle(s.MessageReceived(p.FrameRequest(True), 1)) == []
    commands = link.agent.handle(s.FrameEncoded(UPDATE))
    assert kinds(commands) == ["Send:FrameUpdate", "CaptureFrame"]


@pytest.mark.parametrize(
    "first",
    [
        p.FrameRequest(False),
        p.Pointer(1, 1),
        p.ConsentRequest(b"", [VIEW], "", ""),
        p.Chat("hi"),
        p.PairConfirm(b"\x00" * 32),
        p.Hello(1, p.Role.AGENT, []),
    ],
    ids=lambda m: type(m).__name__,
)
def test_nothing_but_pairing_before_pairing(first: p.Message) -> None:
    agent = s.AgentSession(CodeIssuer(), 0.0)
    commands = agent.handle(s.MessageReceived(first, 0.0))
    assert kinds(commands) == ["Journal:protocol_violation", "Send:Bye", "Close"]
    assert agent.state is s.AgentState.CLOSED


def test_content_after_hello_but_before_pairing_is_refused() -> None:
    agent = s.AgentSession(CodeIssuer(), 0.0)
    agent.handle(s.MessageReceived(p.Hello(p.PROTOCOL_VERSION, p.Role.TECHNICIAN, []), 0.0))
    assert kinds(agent.handle(s.MessageReceived(p.ConsentRequest(b"", [VIEW], "", ""), 0.0)))[-1] == "Close"


def test_wrong_version_is_refused() -> None:
    agent = s.AgentSession(CodeIssuer(), 0.0)
    commands = agent.handle(s.MessageReceived(p.Hello(99, p.Role.TECHNICIAN, []), 0.0))
    assert sent(commands) == [p.Bye("unsupported protocol version 99")]


def test_wrong_code_closes_both_sides_and_three_wrong_codes_renew_the_code() -> None:
    codes = CodeIssuer()
    shown = codes.current(0.0)
    wrong = "000-000-000" if shown != "000-000-000" else "111-111-111"
    for _ in range(MAX_WRONG_ATTEMPTS_PER_CODE):
        link = Link(codes=codes)
        link.start(wrong)
        assert link.technician.state is s.TechnicianState.CLOSED
        assert link.technician.close_reason == "wrong session code"
        assert link.agent.state is s.AgentState.CLOSED
        assert not any(isinstance(c, s.InstallKeys) for c in link.agent_log)
    assert codes.current(1.0) != shown
    late = Link(codes=codes)
    late.start(shown)
    assert late.technician.close_reason == "wrong session code"


def test_a_used_code_cannot_pair_a_second_technician() -> None:
    first = Link()
    code = first.codes.current(0.0)
    first.start(code)
    assert first.agent.state is s.AgentState.PROMPTING
    second = Link(codes=first.codes)
    second.start(code)
    assert second.technician.close_reason == "wrong session code"
    assert first.agent.state is s.AgentState.PROMPTING  # the paired session is untouched


def test_expired_code_is_refused_with_a_reason() -> None:
    codes = CodeIssuer()
    code = codes.current(0.0)
    link = Link(codes=codes, now=601.0)
    link.start(code)
    assert link.agent.state is s.AgentState.CLOSED
    assert link.technician.close_reason.endswith("the code expired")


def test_pairing_must_finish_within_the_deadline() -> None:
    agent = s.AgentSession(CodeIssuer(), 0.0)
    assert agent.handle(s.Ticked(s.PAIRING_DEADLINE_SECONDS - 1)) == []
    commands = agent.handle(s.Ticked(s.PAIRING_DEADLINE_SECONDS))
    assert kinds(commands) == ["Journal:pairing_timed_out", "Send:Bye", "Close"]


def test_an_abandoned_pairing_counts_as_a_wrong_attempt() -> None:
    codes = CodeIssuer()
    shown = codes.current(0.0)
    for _ in range(MAX_WRONG_ATTEMPTS_PER_CODE):
        agent = s.AgentSession(codes, 0.0)
        technician = s.TechnicianSession()
        for message in sent(technician.handle(s.Started(shown, REQUEST_ALL, 0.0))):
            agent.handle(s.MessageReceived(message, 0.0))
        assert agent.state is s.AgentState.AWAITING_PAIR_CONFIRM
        agent.handle(s.ConnectionLost("peer hung up after learning our confirmation"))
    assert codes.current(0.0) != shown


def test_state_changes_are_reported() -> None:
    link = consented({VIEW})
    changes = [c for c in link.agent_log if isinstance(c, s.StateChanged)]
    assert changes[-1] == s.StateChanged(s.AgentState.ACTIVE, frozenset({VIEW}), False)
    paused = link.agent.handle(s.UserPaused())
    assert paused[-1] == s.StateChanged(s.AgentState.ACTIVE, frozenset({VIEW}), True)


def test_technician_refuses_frames_without_view() -> None:
    link = consented({CONTROL})
    commands = link.technician.handle(s.MessageReceived(UPDATE, 1))
    assert kinds(commands) == ["Journal:session_ended", "Send:Bye", "Close"]


def test_technician_only_sends_input_that_is_granted() -> None:
    link = consented({VIEW})
    assert link.technician.handle(s.LocalInputReady(p.Pointer(1, 1))) == []
    link2 = consented({VIEW, CONTROL})
    assert sent(link2.technician.handle(s.LocalInputReady(p.Pointer(1, 1)))) == [p.Pointer(1, 1)]


def test_technician_gives_up_waiting_for_consent() -> None:
    link = Link()
    link.start()
    for t in range(10, int(s.TECHNICIAN_CONSENT_WAIT_SECONDS), 10):  # the agent's heartbeats keep arriving
        link.technician.handle(s.MessageReceived(p.Heartbeat(), float(t)))
    assert kinds(link.technician.handle(s.Ticked(s.TECHNICIAN_CONSENT_WAIT_SECONDS - 1))) == []
    assert kinds(link.technician.handle(s.Ticked(s.TECHNICIAN_CONSENT_WAIT_SECONDS)))[-1] == "Close"


def test_technician_rejects_a_malformed_code_before_sending_anything() -> None:
    technician = s.TechnicianSession()
    commands = technician.handle(s.Started("12", REQUEST_ALL, 0.0))
    assert sent(commands) == []
    assert technician.close_reason == "malformed code"


def test_a_local_prompt_suspends_input_and_releases_held_keys() -> None:
    link = consented({VIEW, CONTROL})
    link.agent.handle(s.MessageReceived(p.Key(True, keysym=0xFFE1), 1))
    assert link.agent.handle(s.LocalPromptChanged(True))[0] == s.ApplyKey(p.Key(False, keysym=0xFFE1))
    assert kinds(link.agent.handle(s.MessageReceived(p.Pointer(3, 3, 1), 1))) == ["Journal:input_rejected"]
    link.agent.handle(s.LocalPromptChanged(False))
    assert kinds(link.agent.handle(s.MessageReceived(p.Pointer(3, 3, 1), 1))) == ["ApplyPointer"]


def test_the_identity_claim_is_made_for_the_paired_session() -> None:
    link = Link()
    seen: list[str] = []

    def claim(session_id: str) -> bytes:
        seen.append(session_id)
        return b"claim for " + session_id.encode()

    code = link.codes.current(0.0)
    link._to_agent(link.technician.handle(s.Started(code, REQUEST_ALL, 0.0, identity=claim)))
    ask = next(c for c in link.agent_log if isinstance(c, s.AskConsent))
    assert seen == [link.agent.session_id]
    assert ask.request.identity == b"claim for " + link.agent.session_id.encode()


def test_a_quiet_link_gets_heartbeats_and_a_silent_one_is_closed_releasing_input() -> None:
    link = consented({VIEW, CONTROL})
    link.agent.handle(s.MessageReceived(p.Key(True, keysym=0xFFE1), 1.0))
    # The agent last sent at 0 (its consent decision); receiving the key sent nothing.
    assert link.agent.handle(s.Ticked(s.HEARTBEAT_SECONDS - 0.1)) == []
    assert sent(link.agent.handle(s.Ticked(s.HEARTBEAT_SECONDS))) == [p.Heartbeat()]
    assert link.agent.handle(s.MessageReceived(p.Heartbeat(), 20.0)) == []
    assert kinds(link.agent.handle(s.Ticked(20.0 + s.LINK_TIMEOUT_SECONDS - 0.1))) == []
    commands = link.agent.handle(s.Ticked(20.0 + s.LINK_TIMEOUT_SECONDS))
    assert kinds(commands) == ["StopCapture", "ApplyKey", "Journal:link_lost", "Close"]
    assert commands[1] == s.ApplyKey(p.Key(False, keysym=0xFFE1))


def test_the_technician_also_beats_and_gives_up_on_a_silent_agent() -> None:
    link = consented({VIEW})
    assert sent(link.technician.handle(s.Ticked(s.HEARTBEAT_SECONDS))) == [p.Heartbeat()]
    commands = link.technician.handle(s.Ticked(s.LINK_TIMEOUT_SECONDS))
    assert kinds(commands) == ["Journal:session_ended", "Close"]
    assert link.technician.close_reason == "the link went silent"


def test_a_heartbeat_before_pairing_is_a_violation() -> None:
    agent = s.AgentSession(CodeIssuer(), 0.0)
    assert kinds(agent.handle(s.MessageReceived(p.Heartbeat(), 0.0)))[-1] == "Close"


def test_a_capture_cancelled_by_pause_is_owed_after_resume() -> None:
    link = consented({VIEW})
    assert kinds(link.agent_log)[-1] == "CaptureFrame"  # the first request is being captured
    link.agent.handle(s.UserPaused())
    # The driver cancelled that capture (StopCapture): no FrameEncoded ever arrives for it.
    resumed = link.agent.handle(s.UserResumed())
    assert "CaptureFrame" in kinds(resumed)
    assert any(c == s.CaptureFrame(False, p.MAX_MESSAGE_BYTES) for c in resumed)


def test_a_capture_cancelled_by_revoke_is_not_owed_and_a_regrant_starts_fresh() -> None:
    link = consented({VIEW, CONTROL})
    link.agent_event(s.UserRevoked(frozenset({VIEW})))
    link.technician_event(s.LocalInputReady(p.ConsentRequest(b"", [VIEW], "again", "")))
    commands = link.agent_event(s.ConsentDecided(frozenset({VIEW})))
    assert "StartCapture" in kinds(commands)
    assert kinds(link.agent_log)[-1] == "CaptureFrame"  # the console asked afresh and is served at once


def test_a_change_the_technician_ran_over_ssh_reaches_the_users_summary_and_both_journals() -> None:
    """No capability is needed (nothing runs): the agent only lists it; the agent never sends one back."""
    link = consented({VIEW})
    commands = link.technician.handle(s.LocalInputReady(p.ChangeReport("clear_print_queue")))
    assert kinds(commands) == ["Send:ChangeReport", "Journal:change_reported_to_user"]
    received = link.agent.handle(s.MessageReceived(p.ChangeReport("clear_print_queue"), 1))
    assert kinds(received) == ["ShowChangeReport", "Journal:change_reported_by_technician"]
    assert not any(isinstance(c, s.RunDiagnostic) for c in received)
    assert kinds(link.technician.handle(s.MessageReceived(p.ChangeReport("x"), 1))) == [
        "Journal:session_ended",
        "Send:Bye",
        "Close",
    ]
