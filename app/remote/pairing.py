"""Pairing by session code: codes, the SPAKE2 exchange with key confirmation, and sealed records.

The user reads a short code to the technician.  Both ends run SPAKE2 (``spake2`` package) on it, so an
eavesdropper learns nothing and an active attacker gets exactly one guess per attempt.  Each side then
proves it holds the same key (HMAC over the transcript) before any content flows, so a wrong code is
detected at once.  HKDF turns the shared key into two directional ChaCha20-Poly1305 keys and a resume
secret.  Record nonces are counters that both ends keep and never send: a replayed, dropped or reordered
record fails to open.

Nothing here reads a clock: the current time (``time.monotonic()`` in the drivers) is passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import struct
from dataclasses import dataclass, field
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from spake2 import SPAKE2_A, SPAKE2_B
from spake2.ed25519_basic import NotOnCurve
from spake2.spake2 import SPAKEError

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP
from app.remote.protocol import CONFIRMATION_BYTES, RESUME_NONCE_BYTES, PairConfirm, PairReply, PairStart

log = logging.getLogger(__name__)

#: Three groups of three digits: 10^9 codes (~30 bits).  With 3 attempts per code and SPAKE2 allowing one
#: guess per attempt, a guesser succeeds with probability 3·10⁻⁹ per code shown.
CODE_GROUPS: Final = 3
CODE_GROUP_DIGITS: Final = 3
CODE_LIFETIME_SECONDS: Final = 600.0
MAX_WRONG_ATTEMPTS_PER_CODE: Final = 3
#: Across all codes: after this many failed attempts within the window, pairing locks until the window passes.
MAX_FAILED_ATTEMPTS_PER_WINDOW: Final = 12
FAILED_ATTEMPT_WINDOW_SECONDS: Final = 600.0

#: An attempt still open after this long was abandoned by a connection that never reported back.
STALE_ATTEMPT_SECONDS: Final = 30.0

_ID_TECHNICIAN: Final = b"podpora technician"
_ID_AGENT: Final = b"podpora agent"
_NONCE_PREFIX: Final = b"\x00\x00\x00\x00"
_COUNTER: Final = struct.Struct(">Q")
_TAG_BYTES: Final = 16
_RESUME_LABEL: Final = b"podpora resume v1"


class PairingError(PodporaError):
    """Pairing failed or is not possible now; ``reason`` is the technical reason for the log and ``Bye``."""

    def __init__(self, reason: str, *, user_text: str | None = None) -> None:
        super().__init__(
            f"pairing failed: {reason}",
            user_text=user_text
            or QT_TRANSLATE_NOOP("podpora", "The session code was not accepted. Check the code and try again."),
        )
        self.reason = reason


class RecordError(PodporaError):
    """A sealed record did not open: tampered, replayed, reordered or from someone without the keys."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"record rejected: {reason}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "The connection was tampered with or broken; the session was closed for safety."
            ),
        )
        self.reason = reason


def normalise_code(text: str) -> str:
    """Keep only the digits of a typed code (people add spaces and dashes as they like)."""
    return "".join(ch for ch in text if ch.isdigit())


def format_code(digits: str) -> str:
    """Show a code as dash-separated groups: ``123-456-789``."""
    return "-".join(digits[i : i + CODE_GROUP_DIGITS] for i in range(0, len(digits), CODE_GROUP_DIGITS))


def _new_code() -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(CODE_GROUPS * CODE_GROUP_DIGITS))


@dataclass
class CodeIssuer:
    """The agent's current session code: single-use, valid 10 minutes, replaced after 3 wrong attempts.

    An attempt counts as wrong from the moment it starts until its key confirmation succeeds, so a peer
    that learns the answer from the agent's confirmation and then hangs up has still used an attempt.
    """

    _code: str = ""
    _issued_at: float = 0.0
    _wrong_attempts: int = 0
    _failures: list[float] = field(default_factory=list)
    _open_attempt: bool = False
    _attempt_started: float = 0.0

    def current(self, now: float) -> str:
        """The code to show now (dash-formatted); a fresh one when the old one expired, was used or burnt."""
        if not self._code or now - self._issued_at >= CODE_LIFETIME_SECONDS:
            self._renew(now)
        return format_code(self._code)

    def expires_at(self) -> float:
        """When the current code stops being accepted (same clock as ``now``)."""
        return self._issued_at + CODE_LIFETIME_SECONDS

    def begin_attempt(self, now: float) -> str:
        """Start a pairing attempt and return the code digits it must prove.

        Raises:
            PairingError: no valid code (expired or never shown) or too many recent failures.
        """
        self._failures = [t for t in self._failures if now - t < FAILED_ATTEMPT_WINDOW_SECONDS]
        if len(self._failures) >= MAX_FAILED_ATTEMPTS_PER_WINDOW:
            raise PairingError(
                "too many failed attempts",
                user_text=QT_TRANSLATE_NOOP("podpora", "Too many wrong codes. Wait a few minutes and try again."),
            )
        if not self._code:
            raise PairingError(
                "no code is being shown",
                user_text=QT_TRANSLATE_NOOP("podpora", "The user is not asking for help right now."),
            )
        if now - self._issued_at >= CODE_LIFETIME_SECONDS:
            raise PairingError(
                "the code expired",
                user_text=QT_TRANSLATE_NOOP("podpora", "The session code expired. Ask for the new code."),
            )
        if self._open_attempt and now - self._attempt_started >= STALE_ATTEMPT_SECONDS:
            # Whoever started it never finished (a crashed or vanished connection): it counts as wrong.
            self.attempt_failed(now)
        if self._open_attempt:
            raise PairingError("another pairing attempt is running")
        self._open_attempt = True
        self._attempt_started = now
        return self._code

    def attempt_failed(self, now: float) -> None:
        """The attempt proved a different code (or was abandoned): count it; burn the code after 3."""
        if not self._open_attempt:
            return
        self._open_attempt = False
        self._wrong_attempts += 1
        self._failures.append(now)
        if self._wrong_attempts >= MAX_WRONG_ATTEMPTS_PER_CODE:
            log.info("session code replaced after %d wrong attempts", self._wrong_attempts)
            self._renew(now)

    def attempt_succeeded(self, now: float) -> None:
        """The attempt proved the code: it is used up, the next session gets a new one."""
        self._open_attempt = False
        self._renew(now)

    def withdraw(self) -> None:
        """No code is valid until :meth:`current` is called again (the user stopped asking for help)."""
        self._code = ""
        self._wrong_attempts = 0

    def _renew(self, now: float) -> None:
        self._code = _new_code()
        self._issued_at = now
        self._wrong_attempts = 0


@dataclass(frozen=True)
class SessionKeys:
    """What a successful pairing yields for one side.  ``repr`` hides the secrets."""

    send_key: bytes = field(repr=False)
    receive_key: bytes = field(repr=False)
    resume_secret: bytes = field(repr=False)
    #: A short, non-secret fingerprint of this session (both sides compute the same one), for the journal.
    session_id: str = ""

    def sealer(self) -> RecordSealer:
        """The sealer for records this side sends."""
        return RecordSealer(self.send_key)

    def opener(self) -> RecordOpener:
        """The opener for records this side receives."""
        return RecordOpener(self.receive_key)


def _derive(shared: bytes, transcript: bytes) -> dict[str, bytes]:
    labels = ("confirm agent", "confirm technician", "agent to technician", "technician to agent", "resume")
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=32 * len(labels),
        salt=hashlib.sha256(transcript).digest(),
        info=b"podpora pairing v1",
    ).derive(shared)
    keys = {label: material[i * 32 : (i + 1) * 32] for i, label in enumerate(labels)}
    keys["session id"] = hashlib.sha256(b"podpora session id" + transcript + shared).digest()[:8]
    return keys


def _confirmation(key: bytes, transcript: bytes) -> bytes:
    # SHA-256 gives exactly CONFIRMATION_BYTES, the fixed size of the protocol field.
    return hmac.new(key, transcript, hashlib.sha256).digest()[:CONFIRMATION_BYTES]


class AgentPairing:
    """The agent's half of one pairing attempt (SPAKE2 side B).

    ``context`` binds the exchange to what came before it (the technician's encoded Hello).
    """

    def __init__(self, code_digits: str, context: bytes) -> None:
        self._spake = SPAKE2_B(code_digits.encode(), idA=_ID_TECHNICIAN, idB=_ID_AGENT)
        self._context = context
        self._keys: dict[str, bytes] | None = None
        self._transcript = b""

    def on_pair_start(self, start: PairStart) -> PairReply:
        """Answer the technician's SPAKE2 message with ours and our key confirmation."""
        own = self._spake.start()
        try:
            shared = self._spake.finish(start.message)
        except (SPAKEError, NotOnCurve, ValueError) as error:
            raise PairingError(f"bad SPAKE2 message ({type(error).__name__})") from None
        self._transcript = self._context + b"|" + start.message + b"|" + own
        self._keys = _derive(shared, self._transcript)
        return PairReply(own, _confirmation(self._keys["confirm agent"], self._transcript))

    def on_pair_confirm(self, confirm: PairConfirm) -> SessionKeys:
        """Check the technician's confirmation; on success return this side's keys.

        Raises:
            PairingError: the technician proved a different code.
        """
        if self._keys is None:
            raise PairingError("confirmation before the exchange")
        expected = _confirmation(self._keys["confirm technician"], self._transcript)
        if not hmac.compare_digest(expected, confirm.confirmation):
            raise PairingError("wrong session code")
        return SessionKeys(
            send_key=self._keys["agent to technician"],
            receive_key=self._keys["technician to agent"],
            resume_secret=self._keys["resume"],
            session_id=self._keys["session id"].hex(),
        )


class TechnicianPairing:
    """The technician's half of one pairing attempt (SPAKE2 side A)."""

    def __init__(self, code: str, context: bytes) -> None:
        digits = normalise_code(code)
        if len(digits) != CODE_GROUPS * CODE_GROUP_DIGITS:
            raise PairingError(
                "malformed code",
                user_text=QT_TRANSLATE_NOOP("podpora", "A session code has 9 digits, like 123-456-789."),
            )
        self._spake = SPAKE2_A(digits.encode(), idA=_ID_TECHNICIAN, idB=_ID_AGENT)
        self._context = context
        self._own = b""

    def start(self) -> PairStart:
        """Our SPAKE2 message."""
        self._own = self._spake.start()
        return PairStart(self._own)

    def on_pair_reply(self, reply: PairReply) -> tuple[PairConfirm, SessionKeys]:
        """Check the agent's confirmation; on success return our confirmation and our keys.

        Raises:
            PairingError: the agent holds a different code (or is not the agent we think).
        """
        try:
            shared = self._spake.finish(reply.message)
        except (SPAKEError, NotOnCurve, ValueError) as error:
            raise PairingError(f"bad SPAKE2 message ({type(error).__name__})") from None
        transcript = self._context + b"|" + self._own + b"|" + reply.message
        keys = _derive(shared, transcript)
        if not hmac.compare_digest(_confirmation(keys["confirm agent"], transcript), reply.confirmation):
            raise PairingError("wrong session code")
        confirm = PairConfirm(_confirmation(keys["confirm technician"], transcript))
        return confirm, SessionKeys(
            send_key=keys["technician to agent"],
            receive_key=keys["agent to technician"],
            resume_secret=keys["resume"],
            session_id=keys["session id"].hex(),
        )


def new_resume_nonce() -> bytes:
    """A fresh random nonce for one side of a resume handshake."""
    return secrets.token_bytes(RESUME_NONCE_BYTES)


@dataclass(frozen=True)
class ResumeTranscript:
    """Everything both proofs of one resume cover: the session, which resume this is, both nonces and counts.

    ``epoch`` counts the resumes of the session so far: each one ratchets the resume secret (see
    :func:`resume_keys`), so a proof made for one epoch is worthless in the next, and a resume is single use.
    """

    session_id: str
    epoch: int
    technician_nonce: bytes
    agent_nonce: bytes
    technician_received: int
    agent_received: int

    def encode(self) -> bytes:
        """The bytes that are MACed and that salt the new keys."""
        return b"|".join(
            (
                _RESUME_LABEL,
                bytes.fromhex(self.session_id),
                _COUNTER.pack(self.epoch),
                self.technician_nonce,
                self.agent_nonce,
                _COUNTER.pack(self.technician_received),
                _COUNTER.pack(self.agent_received),
            )
        )


def resume_proof(resume_secret: bytes, role: str, transcript: ResumeTranscript) -> bytes:
    """The MAC that proves ``role`` ("agent" or "technician") holds the session's resume secret."""
    key = hmac.new(resume_secret, b"podpora resume proof " + role.encode(), hashlib.sha256).digest()
    return hmac.new(key, transcript.encode(), hashlib.sha256).digest()[:CONFIRMATION_BYTES]


def check_resume_proof(resume_secret: bytes, role: str, transcript: ResumeTranscript, proof: bytes) -> bool:
    """Whether ``proof`` is ``role``'s proof for this transcript (constant-time comparison)."""
    return hmac.compare_digest(resume_proof(resume_secret, role, transcript), proof)


def resume_keys(resume_secret: bytes, transcript: ResumeTranscript, *, agent: bool) -> SessionKeys:
    """Fresh traffic keys and the next resume secret for the resumed link, for one side.

    The salt is the transcript, which holds both sides' fresh nonces: the new keys never equal earlier ones,
    so record counters that start again at zero never reuse a ChaCha20-Poly1305 nonce under one key.
    """
    labels = ("agent to technician", "technician to agent", "resume")
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=32 * len(labels),
        salt=hashlib.sha256(transcript.encode()).digest(),
        info=b"podpora resume v1",
    ).derive(resume_secret)
    a2t, t2a, following = material[:32], material[32:64], material[64:96]
    return SessionKeys(
        send_key=a2t if agent else t2a,
        receive_key=t2a if agent else a2t,
        resume_secret=following,
        session_id=transcript.session_id,
    )


class RecordSealer:
    """Seals outgoing records: ``ChaCha20-Poly1305(plaintext)`` with the record's number as nonce and AAD.

    The number is implicit, as in TLS 1.3 and SSH: both ends count the records of one direction, and the
    byte stream (TCP inside SSH) keeps them in order, so the counter is never sent.  A record that was dropped,
    replayed or reordered is opened under the wrong number and fails authentication.
    """

    def __init__(self, key: bytes) -> None:
        self._aead = ChaCha20Poly1305(key)
        self._counter = 0

    def seal(self, plaintext: bytes) -> bytes:
        """Seal one record; the counter advances so no nonce is ever reused."""
        if self._counter >= 2**64 - 1:
            raise RecordError("record counter exhausted")
        number = _COUNTER.pack(self._counter)
        self._counter += 1
        return self._aead.encrypt(_NONCE_PREFIX + number, plaintext, number)


class RecordOpener:
    """Opens incoming records in order; any replayed, skipped, reordered or altered record is rejected."""

    def __init__(self, key: bytes) -> None:
        self._aead = ChaCha20Poly1305(key)
        self._expected = 0

    def open(self, record: bytes) -> bytes:
        """Open the next record (its number is the count of records opened so far).

        Raises:
            RecordError: the record is truncated, not the next one, or does not authenticate.
        """
        if len(record) < _TAG_BYTES:
            raise RecordError("record too short")
        if self._expected >= 2**64 - 1:
            raise RecordError("record counter exhausted")
        number = _COUNTER.pack(self._expected)
        try:
            plaintext = self._aead.decrypt(_NONCE_PREFIX + number, record, number)
        except InvalidTag:
            # Without a counter on the wire a replayed or reordered record looks like a forged one.
            raise RecordError(f"record {self._expected} failed authentication") from None
        self._expected += 1
        return plaintext


def overhead() -> int:
    """Bytes a sealed record adds to its plaintext (the tag; the record number is implicit)."""
    return _TAG_BYTES
