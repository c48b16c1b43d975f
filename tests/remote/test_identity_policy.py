"""Technician certificates and claims, and the signed unattended policy."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from app.remote import identity as idn
from app.remote import policy as pol
from app.remote.protocol import Capability

ORG = Ed25519PrivateKey.generate()
OTHER_ORG = Ed25519PrivateKey.generate()
TECH = Ed25519PrivateKey.generate()
NOW = 1_800_000_000


def certificate(org: Ed25519PrivateKey = ORG, not_before: int = NOW - 100, not_after: int = NOW + 86400) -> bytes:
    return idn.issue_certificate(
        org,
        name="Jana Nováková",
        team="Helpdesk",
        org="ACME",
        public_key=idn.public_key_bytes(TECH.public_key()),
        not_before=not_before,
        not_after=not_after,
    )


def test_a_valid_claim_verifies_with_name_team_and_org() -> None:
    claim = idn.make_claim(certificate(), TECH, "session-1")
    result = idn.verify_claim(claim, [OTHER_ORG.public_key(), ORG.public_key()], "session-1", NOW)
    assert result.verified
    assert result.summary == "Verified: Jana Nováková, Helpdesk, ACME"
    assert result.fingerprint == idn.fingerprint(idn.public_key_bytes(TECH.public_key()))
    assert result.fingerprint.startswith("SHA256:")


@pytest.mark.parametrize(
    ("claim", "session", "reason"),
    [
        (lambda: idn.make_claim(certificate(OTHER_ORG), TECH, "s"), "s", "not signed by your organisation"),
        (lambda: idn.make_claim(certificate(not_after=NOW - 1000), TECH, "s"), "s", "expired"),
        (lambda: idn.make_claim(certificate(not_before=NOW + 1000), TECH, "s"), "s", "not valid yet"),
        (lambda: idn.make_claim(certificate(), TECH, "other session"), "s", "did not prove"),
        (lambda: idn.make_claim(certificate(), Ed25519PrivateKey.generate(), "s"), "s", "did not prove"),
        (lambda: b"", "s", "no identity"),
        (lambda: b"\x93garbage", "s", "malformed"),
    ],
)
def test_claims_that_do_not_verify_say_why(claim, session: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    result = idn.verify_claim(claim(), [ORG.public_key()], session, NOW)
    assert not result.verified
    assert reason in result.reason
    assert result.summary.startswith("Not verified by your organisation")


def test_clock_skew_is_tolerated_within_bounds() -> None:
    claim = idn.make_claim(certificate(not_before=NOW + 10), TECH, "s")
    assert idn.verify_claim(claim, [ORG.public_key()], "s", NOW).verified


@settings(max_examples=150)
@given(st.data())
def test_any_mutation_of_a_claim_fails_verification(data: st.DataObject) -> None:
    claim = bytearray(idn.make_claim(certificate(), TECH, "s"))
    position = data.draw(st.integers(0, len(claim) - 1))
    claim[position] ^= 1 << data.draw(st.integers(0, 7))
    appended = data.draw(st.binary(max_size=3))
    result = idn.verify_claim(bytes(claim) + appended, [ORG.public_key()], "s", NOW)
    assert not result.verified


def policy_body(expires_at: int = NOW + 3600) -> pol.PolicyBody:
    fp = idn.fingerprint(idn.public_key_bytes(TECH.public_key()))
    grant = pol.PolicyGrant(fp, [Capability.VIEW, Capability.CONTROL], "Jana")
    return pol.PolicyBody(pol.POLICY_VERSION, "ACME", expires_at, [grant])


def verified() -> idn.Verification:
    return idn.verify_claim(idn.make_claim(certificate(), TECH, "s"), [ORG.public_key()], "s", NOW)


def test_policy_pre_grants_the_named_technician_only_what_it_lists() -> None:
    policy = pol.load_policy(pol.sign_policy(ORG, policy_body()), [ORG.public_key()], NOW)
    requested = [Capability.VIEW, Capability.CONTROL, Capability.DIAGNOSTICS]
    assert policy.decide(requested, verified(), NOW) == {Capability.VIEW, Capability.CONTROL}
    assert policy.decide(requested, idn.Verification(False, reason="x"), NOW) == frozenset()
    stranger = idn.Verification(True, "Eve", "", "ACME", fingerprint="SHA256:someone-else")
    assert policy.decide(requested, stranger, NOW) == frozenset()
    assert policy.decide(requested, verified(), NOW + 3600) == frozenset()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (lambda: pol.sign_policy(OTHER_ORG, policy_body()), "not signed"),
        (lambda: pol.sign_policy(ORG, policy_body(expires_at=NOW - 1)), "expired"),
        (lambda: b"{not json", "malformed"),
        (lambda: pol.sign_policy(ORG, policy_body()).replace(b'"signature":"', b'"signature":"AAAA'), "not signed"),
        (lambda: b" " * (pol.MAX_POLICY_BYTES + 1), "too large"),
    ],
)
def test_bad_policies_are_rejected_plainly(data, reason: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(pol.PolicyError) as caught:
        pol.load_policy(data(), [ORG.public_key()], NOW)
    assert reason in caught.value.user_message


def test_a_tampered_policy_body_is_rejected() -> None:
    import base64
    import json

    envelope = json.loads(pol.sign_policy(ORG, policy_body()))
    body = json.loads(base64.b64decode(envelope["policy"]))
    body["grants"][0]["capabilities"].append("diagnostics")
    envelope["policy"] = base64.b64encode(json.dumps(body).encode()).decode()
    with pytest.raises(pol.PolicyError, match="not signed"):
        pol.load_policy(json.dumps(envelope).encode(), [ORG.public_key()], NOW)
