"""Unattended mode: an organisation-signed policy that pre-grants named technicians named capabilities.

For managed machines without anyone at the screen (servers, kiosks).  The policy lists technicians by the
fingerprint of their certified key, with the capabilities each may have without asking, and an expiry.
It only ever applies to a technician whose claim verifies (:mod:`app.remote.identity`) for the session at
hand.  The session is still journaled, and where a display exists the indicator is still shown.

File format (JSON, so an administrator can read it)::

    {"policy": "<base64 of the JSON body>", "signature": "<base64 Ed25519 signature>"}

The body: ``{"version": 1, "org": "...", "expires_at": <unix s>,
"grants": [{"fingerprint": "SHA256:...", "name": "...", "capabilities": ["view", "control"]}]}``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Final

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP
from app.remote.identity import Verification
from app.remote.protocol import Capability

POLICY_VERSION: Final = 1
MAX_POLICY_BYTES: Final = 256 * 1024
_DOMAIN: Final = b"podpora unattended policy v1\x00"


class PolicyError(PodporaError):
    """The unattended policy file cannot be used (malformed, wrongly signed or expired)."""

    exit_code = 78  # EX_CONFIG

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"unattended policy rejected: {reason}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The unattended-access policy cannot be used: {reason}."),
            reason=reason,
        )
        self.reason = reason


class PolicyGrant(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One technician (by key fingerprint) and what they may do without asking."""

    fingerprint: Annotated[str, msgspec.Meta(min_length=8, max_length=100)]
    capabilities: Annotated[list[Capability], msgspec.Meta(max_length=len(Capability))]
    name: Annotated[str, msgspec.Meta(max_length=120)] = ""


class PolicyBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The signed content of an unattended policy."""

    version: int
    org: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    expires_at: int
    grants: Annotated[list[PolicyGrant], msgspec.Meta(max_length=1000)]


class _Envelope(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    policy: str
    signature: str


def sign_policy(org_key: Ed25519PrivateKey, body: PolicyBody) -> bytes:
    """Produce a policy file's bytes (the organisation's signing step)."""
    raw = msgspec.json.encode(body)
    envelope = _Envelope(base64.b64encode(raw).decode(), base64.b64encode(org_key.sign(_DOMAIN + raw)).decode())
    return msgspec.json.encode(envelope) + b"\n"


@dataclass(frozen=True)
class UnattendedPolicy:
    """A verified policy: who may do what without a prompt, until when."""

    body: PolicyBody

    def capabilities_for(self, verification: Verification, now: float) -> frozenset[Capability]:
        """What this (verified) technician may do without asking; nothing if unverified or expired."""
        if not verification.verified or now >= self.body.expires_at:
            return frozenset()
        for grant in self.body.grants:
            if grant.fingerprint == verification.fingerprint:
                return frozenset(grant.capabilities)
        return frozenset()

    def decide(self, requested: Sequence[Capability], verification: Verification, now: float) -> frozenset[Capability]:
        """The capabilities to grant for a request: the requested ones this technician is pre-granted."""
        return frozenset(requested) & self.capabilities_for(verification, now)


def load_policy(data: bytes, org_keys: Sequence[Ed25519PublicKey], now: float) -> UnattendedPolicy:
    """Verify and parse a policy file.

    Raises:
        PolicyError: malformed, not signed by one of ``org_keys``, unknown version or already expired.
    """
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError("the file is too large")
    try:
        envelope = msgspec.json.decode(data, type=_Envelope)
        raw = base64.b64decode(envelope.policy, validate=True)
        signature = base64.b64decode(envelope.signature, validate=True)
    except (msgspec.DecodeError, binascii.Error, ValueError, json.JSONDecodeError):
        raise PolicyError("the file is malformed") from None
    if not any(_verifies(key, signature, _DOMAIN + raw) for key in org_keys):
        raise PolicyError("it is not signed by your organisation")
    try:
        body = msgspec.json.decode(raw, type=PolicyBody)
    except msgspec.DecodeError as error:
        raise PolicyError(f"the content is invalid ({error})") from None
    if body.version != POLICY_VERSION:
        raise PolicyError(f"unknown policy version {body.version}")
    if now >= body.expires_at:
        raise PolicyError("it has expired")
    return UnattendedPolicy(body)


def _verifies(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
