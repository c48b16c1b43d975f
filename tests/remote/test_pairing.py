"""Pairing: session codes (expiry, single use, 3 wrong tries), SPAKE2 with key confirmation, sealed records."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.remote import pairing as pr
from app.remote.protocol import PairConfirm, PairReply

CONTEXT = b"hello-bytes"


def pair(agent_code: str, technician_code: str) -> tuple[pr.SessionKeys, pr.SessionKeys]:
    """Run a full exchange; raise PairingError where the real drivers would stop."""
    agent = pr.AgentPairing(pr.normalise_code(agent_code), CONTEXT)
    technician = pr.TechnicianPairing(technician_code, CONTEXT)
    reply = agent.on_pair_start(technician.start())
    confirm, technician_keys = technician.on_pair_reply(reply)
    return agent.on_pair_confirm(confirm), technician_keys


def test_same_code_gives_matching_directional_keys() -> None:
    agent_keys, technician_keys = pair("123-456-789", "123 456 789")
    assert agent_keys.send_key == technician_keys.receive_key
    assert agent_keys.receive_key == technician_keys.send_key
    assert agent_keys.send_key != agent_keys.receive_key
    assert agent_keys.resume_secret == technician_keys.resume_secret
    assert agent_keys.session_id == technician_keys.session_id
    assert agent_keys.send_key.hex() not in repr(agent_keys)
    assert repr(agent_keys.send_key) not in repr(agent_keys)


def test_wrong_code_is_detected_by_the_technician_before_any_content() -> None:
    agent = pr.AgentPairing("123456789", CONTEXT)
    technician = pr.TechnicianPairing("123-456-780", CONTEXT)
    reply = agent.on_pair_start(technician.start())
    with pytest.raises(pr.PairingError, match="wrong session code"):
        technician.on_pair_reply(reply)


def test_a_forged_confirmation_is_rejected_by_the_agent() -> None:
    agent = pr.AgentPairing("123456789", CONTEXT)
    technician = pr.TechnicianPairing("123-456-789", CONTEXT)
    agent.on_pair_start(technician.start())
    with pytest.raises(pr.PairingError, match="wrong session code"):
        agent.on_pair_confirm(PairConfirm(b"\x00" * 32))


def test_different_context_fails_confirmation() -> None:
    agent = pr.AgentPairing("123456789", b"one hello")
    technician = pr.TechnicianPairing("123456789", b"another hello")
    with pytest.raises(pr.PairingError):
        technician.on_pair_reply(agent.on_pair_start(technician.start()))


def test_a_tampered_reply_is_rejected() -> None:
    agent = pr.AgentPairing("123456789", CONTEXT)
    technician = pr.TechnicianPairing("123456789", CONTEXT)
    reply = agent.on_pair_start(technician.start())
    bad = PairReply(reply.message, bytes([reply.confirmation[0] ^ 1]) + reply.confirmation[1:])
    with pytest.raises(pr.PairingError):
        technician.on_pair_reply(bad)


def test_malformed_code_is_refused_plainly() -> None:
    with pytest.raises(pr.PairingError) as caught:
        pr.TechnicianPairing("12-34", CONTEXT)
    assert "9 digits" in caught.value.user_message


def test_codes_look_right_and_differ() -> None:
    issuer = pr.CodeIssuer()
    code = issuer.current(0.0)
    assert len(code) == 11 and code[3] == "-" and code[7] == "-"
    assert pr.normalise_code(code).isdigit()
    other = pr.CodeIssuer().current(0.0)
    third = pr.CodeIssuer().current(0.0)
    assert len({code, other, third}) > 1


def test_code_is_stable_until_it_expires_after_ten_minutes() -> None:
    issuer = pr.CodeIssuer()
    code = issuer.current(100.0)
    assert issuer.current(100.0 + pr.CODE_LIFETIME_SECONDS - 1) == code
    assert issuer.expires_at() == 100.0 + pr.CODE_LIFETIME_SECONDS


def test_expired_code_is_refused() -> None:
    issuer = pr.CodeIssuer()
    issuer.current(0.0)
    with pytest.raises(pr.PairingError, match="expired") as caught:
        issuer.begin_attempt(pr.CODE_LIFETIME_SECONDS)
    assert "expired" in caught.value.user_message
    # Just before the limit it is still accepted.
    issuer2 = pr.CodeIssuer()
    issuer2.current(0.0)
    assert issuer2.begin_attempt(pr.CODE_LIFETIME_SECONDS - 0.001)


def test_a_used_code_is_not_accepted_again() -> None:
    issuer = pr.CodeIssuer()
    shown = issuer.current(0.0)
    digits = issuer.begin_attempt(1.0)
    assert digits == pr.normalise_code(shown)
    issuer.attempt_succeeded(2.0)
    assert issuer.begin_attempt(3.0) != digits


def test_three_wrong_attempts_replace_the_code() -> None:
    issuer = pr.CodeIssuer()
    shown = issuer.current(0.0)
    for attempt in range(pr.MAX_WRONG_ATTEMPTS_PER_CODE):
        assert issuer.current(float(attempt)) == shown
        issuer.begin_attempt(float(attempt))
        issuer.attempt_failed(float(attempt))
    new = issuer.current(5.0)
    assert new != shown
    assert issuer.begin_attempt(5.0) == pr.normalise_code(new)


def test_only_one_attempt_at_a_time() -> None:
    issuer = pr.CodeIssuer()
    issuer.current(0.0)
    issuer.begin_attempt(0.0)
    with pytest.raises(pr.PairingError, match="another"):
        issuer.begin_attempt(0.0)


def test_many_failures_lock_pairing_for_a_while() -> None:
    issuer = pr.CodeIssuer()
    for i in range(pr.MAX_FAILED_ATTEMPTS_PER_WINDOW):
        issuer.current(float(i))
        issuer.begin_attempt(float(i))
        issuer.attempt_failed(float(i))
    issuer.current(20.0)
    with pytest.raises(pr.PairingError, match="too many"):
        issuer.begin_attempt(20.0)
    issuer.current(pr.FAILED_ATTEMPT_WINDOW_SECONDS + 20.0)
    assert issuer.begin_attempt(pr.FAILED_ATTEMPT_WINDOW_SECONDS + 20.0)


def test_records_open_in_order_only() -> None:
    agent_keys, technician_keys = pair("111222333", "111222333")
    sealer, opener = agent_keys.sealer(), technician_keys.opener()
    first, second, third = sealer.seal(b"one"), sealer.seal(b"two"), sealer.seal(b"three")
    assert opener.open(first) == b"one"
    # The record number is implicit: a skipped, replayed or reordered record is opened under the wrong
    # number and fails authentication, and a failed record does not advance the count.
    with pytest.raises(pr.RecordError, match="record 1 failed authentication"):
        opener.open(third)
    assert opener.open(second) == b"two"
    with pytest.raises(pr.RecordError, match="record 2 failed authentication"):
        opener.open(first)
    assert opener.open(third) == b"three"


def test_a_record_carries_no_counter_only_the_tag() -> None:
    agent_keys, technician_keys = pair("111222333", "111222333")
    sealer, opener = agent_keys.sealer(), technician_keys.opener()
    records = [sealer.seal(b"same") for _ in range(3)]
    assert {len(record) for record in records} == {len(b"same") + pr.overhead()}
    assert pr.overhead() == 16
    assert len(set(records)) == 3  # a fresh nonce per record: equal plaintexts never repeat on the wire
    assert [opener.open(record) for record in records] == [b"same"] * 3


def test_a_truncated_record_is_rejected() -> None:
    agent_keys, technician_keys = pair("111222333", "111222333")
    record = agent_keys.sealer().seal(b"")
    with pytest.raises(pr.RecordError, match="too short"):
        technician_keys.opener().open(record[:-1])


def test_records_do_not_open_in_the_wrong_direction() -> None:
    agent_keys, _ = pair("111222333", "111222333")
    with pytest.raises(pr.RecordError, match="authentication"):
        agent_keys.opener().open(agent_keys.sealer().seal(b"loop"))


@settings(max_examples=100)
@given(st.binary(max_size=64), st.data())
def test_any_flipped_bit_is_rejected(plaintext: bytes, data: st.DataObject) -> None:
    key = bytes(range(32))
    record = bytearray(pr.RecordSealer(key).seal(plaintext))
    position = data.draw(st.integers(0, len(record) - 1))
    record[position] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(pr.RecordError):
        pr.RecordOpener(key).open(bytes(record))


def test_a_withdrawn_code_pairs_nobody_until_a_new_one_is_shown() -> None:
    issuer = pr.CodeIssuer()
    issuer.current(0.0)
    issuer.withdraw()
    with pytest.raises(pr.PairingError, match="no code"):
        issuer.begin_attempt(1.0)
    issuer.current(2.0)  # showing a code again (a fresh draw) makes pairing possible again
    assert issuer.begin_attempt(2.0)


def test_no_code_shown_yet_is_refused() -> None:
    with pytest.raises(pr.PairingError, match="no code"):
        pr.CodeIssuer().begin_attempt(0.0)


@pytest.mark.parametrize("message", [b"A\x00\x03", b"B" + b"\xff" * 32, b"x", b"A" + bytes(32)])
def test_malformed_spake2_messages_are_pairing_errors(message: bytes) -> None:
    from app.remote.protocol import PairStart

    with pytest.raises(pr.PairingError, match="bad SPAKE2"):
        pr.AgentPairing("123456789", CONTEXT).on_pair_start(PairStart(message))
    technician = pr.TechnicianPairing("123456789", CONTEXT)
    technician.start()
    with pytest.raises(pr.PairingError):
        technician.on_pair_reply(PairReply(message, bytes(32)))


def test_an_abandoned_open_attempt_does_not_block_pairing_for_ever() -> None:
    issuer = pr.CodeIssuer()
    issuer.current(0.0)
    issuer.begin_attempt(0.0)  # a connection started pairing and then vanished without a word
    with pytest.raises(pr.PairingError, match="another"):
        issuer.begin_attempt(1.0)
    assert issuer.begin_attempt(pr.STALE_ATTEMPT_SECONDS)  # counted as a wrong attempt, then a new one runs
