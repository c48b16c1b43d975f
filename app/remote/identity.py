"""Technician identity: an Ed25519 key certified by the organisation's key, proven per session.

A certificate is a short signed statement (name, team, organisation, the technician's public key, validity)
that the organisation's key signs.  Certificates are public, so presenting one proves nothing by itself:
the technician also signs the pairing's session id with their own key (a *claim*), which binds the
identity to this one session and stops anyone from replaying someone else's certificate.

The assist app ships the organisation's public key(s) and shows either "Verified: name, team, org" or why
the identity is not verified.  Verification never raises on bad input; it returns a result.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Final

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.i18n import QT_TRANSLATE_NOOP

CERTIFICATE_VERSION: Final = 1
#: Clock difference between the organisation's signing machine and the user's machine that is tolerated.
CLOCK_SKEW_SECONDS: Final = 300
_CERT_DOMAIN: Final = b"podpora technician certificate v1\x00"
_CLAIM_DOMAIN: Final = b"podpora technician claim v1\x00"

_Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
_Key = Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]
_Signature = Annotated[bytes, msgspec.Meta(min_length=64, max_length=64)]


class CertificateBody(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """What the organisation vouches for.  Times are Unix seconds."""

    version: int
    name: _Name
    team: Annotated[str, msgspec.Meta(max_length=120)]
    org: _Name
    public_key: _Key
    not_before: int
    not_after: int


class _Signed(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    body: Annotated[bytes, msgspec.Meta(max_length=2048)]
    signature: _Signature


class _Claim(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    certificate: Annotated[bytes, msgspec.Meta(max_length=3000)]
    signature: _Signature


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a technician's claim; ``summary`` is what the consent prompt shows."""

    verified: bool
    name: str = ""
    team: str = ""
    org: str = ""
    fingerprint: str = ""
    reason: str = ""

    @property
    def summary(self) -> str:
        """``Verified: name, team, org`` or ``Not verified by your organisation: reason``."""
        if self.verified:
            return f"Verified: {', '.join(x for x in (self.name, self.team, self.org) if x)}"
        return f"Not verified by your organisation: {self.reason}"


#: Plain-language templates the UI translates (the reason strings below are English technical detail).
NOT_VERIFIED_TEXT: Final = QT_TRANSLATE_NOOP(
    "podpora", "This technician is NOT verified by your organisation. Only accept if you contacted IT yourself."
)
VERIFIED_TEXT: Final = QT_TRANSLATE_NOOP("podpora", "Verified: {name}, {team}, {org}")


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(public_key: bytes) -> str:
    """An OpenSSH-style fingerprint of a raw Ed25519 public key: ``SHA256:…``."""
    digest = hashlib.sha256(public_key).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def issue_certificate(
    org_key: Ed25519PrivateKey,
    *,
    name: str,
    team: str,
    org: str,
    public_key: bytes,
    not_before: int,
    not_after: int,
) -> bytes:
    """Sign a certificate for a technician's public key (the organisation's signing step)."""
    body = msgspec.msgpack.encode(
        CertificateBody(CERTIFICATE_VERSION, name, team, org, public_key, not_before, not_after)
    )
    return msgspec.msgpack.encode(_Signed(body, org_key.sign(_CERT_DOMAIN + body)))


def make_claim(certificate: bytes, technician_key: Ed25519PrivateKey, session_id: str) -> bytes:
    """Prove, for this session only, that the technician holds the key their certificate names."""
    signature = technician_key.sign(_CLAIM_DOMAIN + session_id.encode())
    return msgspec.msgpack.encode(_Claim(certificate, signature))


def verify_certificate(certificate: bytes, org_keys: Sequence[Ed25519PublicKey], now: float) -> Verification:
    """Check a certificate against the organisation's keys and validity period (no proof of possession)."""
    try:
        signed = msgspec.msgpack.decode(certificate, type=_Signed)
        body = msgspec.msgpack.decode(signed.body, type=CertificateBody)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return Verification(False, reason="the certificate is malformed")
    if body.version != CERTIFICATE_VERSION:
        return Verification(False, reason=f"unknown certificate version {body.version}")
    if not any(_verifies(key, signed.signature, _CERT_DOMAIN + signed.body) for key in org_keys):
        return Verification(False, reason="the certificate is not signed by your organisation")
    if now + CLOCK_SKEW_SECONDS < body.not_before:
        return Verification(False, reason="the certificate is not valid yet")
    if now - CLOCK_SKEW_SECONDS > body.not_after:
        return Verification(False, reason="the certificate has expired")
    return Verification(True, body.name, body.team, body.org, fingerprint(body.public_key))


def verify_claim(claim: bytes, org_keys: Sequence[Ed25519PublicKey], session_id: str, now: float) -> Verification:
    """Check a technician's claim for ``session_id``: certificate valid and the key proven for this session."""
    if not claim:
        return Verification(False, reason="no identity was presented")
    try:
        parsed = msgspec.msgpack.decode(claim, type=_Claim)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return Verification(False, reason="the identity is malformed")
    result = verify_certificate(parsed.certificate, org_keys, now)
    if not result.verified:
        return result
    body = msgspec.msgpack.decode(msgspec.msgpack.decode(parsed.certificate, type=_Signed).body, type=CertificateBody)
    try:
        technician_key = Ed25519PublicKey.from_public_bytes(body.public_key)
    except ValueError:
        return Verification(False, reason="the certificate names an unusable key")
    if not _verifies(technician_key, parsed.signature, _CLAIM_DOMAIN + session_id.encode()):
        return Verification(False, reason="the technician did not prove this identity for this session")
    return result


def _verifies(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
