"""The broker's own consent gate (app.remote.privsep.ConsentGate) as scripted sequences (SECURITY-BAR T26).

The gate is what stands between a compromised protocol process and the user's screen, keyboard and clipboard:
only the user's answers open it, and the protocol process's reports can only narrow it.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.remote import protocol as p
from app.remote.privsep import ConsentGate

VIEW, CONTROL, CLIPBOARD, DIAGNOSTICS = (
    p.Capability.VIEW,
    p.Capability.CONTROL,
    p.Capability.CLIPBOARD,
    p.Capability.DIAGNOSTICS,
)
EVERYTHING = frozenset(p.Capability)


def test_closed_until_the_user_answers() -> None:
    gate = ConsentGate()
    assert not any(gate.may(c) for c in p.Capability)
    assert not gate.may_input() and not gate.may_capture()
    assert (gate.refused_input, gate.refused_captures) == (1, 1)


def test_only_what_was_asked_and_granted_opens() -> None:
    gate = ConsentGate()
    opened = gate.user_granted(asked=frozenset({VIEW, CONTROL}), granted=frozenset({VIEW, CLIPBOARD}))
    assert opened == {VIEW}  # clipboard was not asked for: a granted extra does not open it
    assert gate.may(VIEW) and not gate.may(CONTROL) and not gate.may(CLIPBOARD)


def test_a_report_of_the_protocol_process_narrows_but_never_widens() -> None:
    gate = ConsentGate()
    gate.user_granted(asked=frozenset({VIEW, CONTROL}), granted=frozenset({VIEW, CONTROL}))
    gate.answer_applied()
    gate.session_reported("active", EVERYTHING)  # a lie: "the user granted everything"
    assert not gate.may(CLIPBOARD) and not gate.may(DIAGNOSTICS)
    gate.session_reported("active", frozenset({VIEW}))  # control had to be asked again
    assert gate.may(VIEW) and not gate.may(CONTROL)
    gate.session_reported("active", frozenset({VIEW, CONTROL}))
    assert not gate.may(CONTROL)  # once narrowed, only the user's next answer opens it again


def test_a_report_sent_before_the_answer_arrived_does_not_close_what_the_user_just_granted() -> None:
    gate = ConsentGate()
    gate.user_granted(asked=frozenset({VIEW}), granted=frozenset({VIEW}))
    gate.answer_applied()
    gate.session_reported("active", frozenset({VIEW}))
    # Mid-session the technician asks for control; the user grants it while a report of the old grants travels.
    gate.user_granted(asked=frozenset({CONTROL}), granted=frozenset({CONTROL}))
    gate.session_reported("active", frozenset({VIEW}))  # sent before the answer reached the process
    assert gate.may(CONTROL)
    gate.answer_applied()
    gate.session_reported("active", frozenset({VIEW, CONTROL}))
    assert gate.may(CONTROL)
    gate.session_reported("active", frozenset({VIEW}))  # now current: the session dropped control
    assert not gate.may(CONTROL)


def test_a_report_that_is_not_active_does_not_close_view_under_a_starting_session() -> None:
    # "asking the user" may arrive after the answer (the reports and the answer cross): it narrows nothing.
    gate = ConsentGate()
    gate.user_granted(asked=frozenset({VIEW}), granted=frozenset({VIEW}))
    gate.session_reported("asking the user", frozenset())
    assert gate.may(VIEW)


@pytest.mark.parametrize(
    ("action", "still_view", "still_control"),
    [
        (lambda g: g.user_paused(True), False, False),
        (lambda g: g.user_revoked(frozenset({CONTROL})), True, False),
        (lambda g: g.prompt_changed(True), True, False),
        (lambda g: g.session_ended(), False, False),
    ],
    ids=["pause", "revoke-control", "prompt-open", "ended"],
)
def test_the_users_actions_close_at_once(action: object, still_view: bool, still_control: bool) -> None:
    gate = ConsentGate()
    gate.user_granted(asked=EVERYTHING, granted=frozenset({VIEW, CONTROL}))
    action(gate)  # type: ignore[operator]
    assert (gate.may(VIEW), gate.may(CONTROL)) == (still_view, still_control)


def test_resume_and_a_closed_prompt_give_back_what_the_user_granted() -> None:
    gate = ConsentGate()
    gate.user_granted(asked=EVERYTHING, granted=frozenset({VIEW, CONTROL}))
    gate.user_paused(True)
    gate.prompt_changed(True)
    gate.user_paused(False)
    assert gate.may(VIEW) and not gate.may(CONTROL)
    gate.prompt_changed(False)
    assert gate.may(CONTROL)


def test_after_the_end_a_new_session_needs_a_new_answer() -> None:
    gate = ConsentGate()
    gate.user_granted(asked=EVERYTHING, granted=EVERYTHING)
    gate.session_ended()
    gate.session_reported("active", EVERYTHING)
    assert not any(gate.may(c) for c in p.Capability)


_STEPS = st.one_of(
    st.tuples(
        st.just("report"),
        st.sampled_from(["active", "asking the user", "paired"]),
        st.sets(st.sampled_from(list(p.Capability))),
    ),
    st.tuples(st.just("applied")),
    st.tuples(st.just("revoke"), st.sets(st.sampled_from(list(p.Capability)))),
    st.tuples(st.just("pause"), st.booleans()),
    st.tuples(st.just("prompt"), st.booleans()),
    st.tuples(st.just("end")),
)


@given(
    granted=st.sets(st.sampled_from(list(p.Capability))),
    steps=st.lists(_STEPS, max_size=12),
)
def test_property_nothing_the_protocol_process_reports_opens_more_than_the_user_granted(
    granted: set[p.Capability], steps: list[tuple[object, ...]]
) -> None:
    gate = ConsentGate()
    gate.user_granted(asked=EVERYTHING, granted=frozenset(granted))
    revoked: set[p.Capability] = set()
    ended = False
    for step in steps:
        if step[0] == "report":
            gate.session_reported(str(step[1]), frozenset(step[2]))  # type: ignore[arg-type]
        elif step[0] == "applied":
            gate.answer_applied()
        elif step[0] == "revoke":
            gate.user_revoked(frozenset(step[1]))  # type: ignore[arg-type]
            revoked |= step[1]  # type: ignore[arg-type]
        elif step[0] == "pause":
            gate.user_paused(bool(step[1]))
        elif step[0] == "prompt":
            gate.prompt_changed(bool(step[1]))
        else:
            gate.session_ended()
            ended = True
    for capability in p.Capability:
        if gate.may(capability):
            assert capability in granted and capability not in revoked and not ended
