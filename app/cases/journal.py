"""The case journal: append-only, hash-chained, signed, encrypted at rest, fsync'd, recoverable after a crash.

Record (what is hashed and what a bundle carries, one canonical JSON object per line)::

    {"at": "2026-11-22T16:40:00.000000Z", "fields": {...}, "prev": "<sha256 hex of the previous record>",
     "seq": 1, "type": "session_start"}

* ``seq`` counts from 1; ``prev`` of record 1 is the *genesis hash* derived from the journal id, so a record
  spliced in from another journal breaks the chain.  A record's hash is SHA-256 over its canonical bytes.
* A ``checkpoint`` record (every ``checkpoint_every`` records and at close) carries an Ed25519 signature by the
  technician's key over ``(journal id, covered seq, head hash)``.
* Keystrokes are never recorded: the event types in :data:`FORBIDDEN_EVENT_TYPES` are refused.  Every record is
  redacted (:mod:`app.cases.redact`) before it is hashed, so what is signed is what may be shown.

On disk (``*.pjournal``): a plain header line (``PODPORA-JOURNAL/1`` + JSON with the journal id, case id and the
technician's public key), then one frame per record::

    0xA7 0x1E | u32 length | nonce (12) + ChaCha20-Poly1305 ciphertext | u32 CRC-32 of everything before it

The AEAD key is derived per journal (HKDF-SHA256 over the master key from :mod:`app.cases.keystore`, salted with
the journal id); the associated data is the SHA-256 of the header line and the record's ``seq``, so a changed
header or a moved sealed record is detected.  Nonces are random 96-bit per record (far below the 2^32 records
where collisions would matter).
The CRC exists only to tell a *torn* final frame (a crash mid-write) from *tampering* (a frame whose framing is
intact but whose seal does not open): the first is reported as a torn tail, the second raises
:class:`JournalTamperError`.  Nothing is silently dropped or accepted.

Every append is written with one ``os.write`` and ``os.fsync``'d before it returns, so an event the console has
shown is on disk.  A failing write or fsync raises :class:`JournalWriteError` and the journal refuses further
appends (the failed fsync is never retried: after a failed fsync the kernel may have dropped the pages); the
caller stops remote control (fail closed).

The chain logic (:class:`ChainState`, :func:`verify_chain`) is pure: no clock, no I/O.  Time is passed in.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import re
import struct
import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.cases.redact import redact_value
from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

HEADER_MAGIC = b"PODPORA-JOURNAL/1"
FRAME_MARKER = b"\xa7\x1e"
_FRAME_HEAD = struct.Struct(">2sI")
_CRC = struct.Struct(">I")
NONCE_SIZE = 12
# A single record is small (a screenshot is the largest); a bigger length field means a damaged frame.
MAX_RECORD_BYTES = 32 * 1024 * 1024
JOURNAL_SUFFIX = ".pjournal"

# Keystrokes are never journalled, whatever a caller tries (DESIGN.md §5, SECURITY-BAR T29).
FORBIDDEN_EVENT_TYPES = frozenset({"key", "keys", "keystroke", "keystrokes", "key_event", "keypress", "typed"})
_EVENT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
CHECKPOINT = "checkpoint"
RECOVERED = "recovered"
_RECORD_KEYS = frozenset({"at", "fields", "prev", "seq", "type"})
_SEALED_RECORD_KEYS = _RECORD_KEYS | {"next_key", "seal"}
FORMAT_PLAIN = 1  # hash chain + signed checkpoints (journals written before forward integrity)
FORMAT_FORWARD = 2  # + a forward-evolving seal on every record (SECURITY-BAR T31)
FORWARD_SCHEME = "ed25519-sha256-evolve-v1"
FORWARD_KEY_SUFFIX = ".fkey"
_FORWARD_STATE = struct.Struct(">Q32s")


class JournalError(PodporaError):
    """Base class of journal errors."""


class JournalWriteError(JournalError):
    """A record could not be written durably (disk full, I/O error). The caller must fail closed."""

    exit_code = 74  # EX_IOERR

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(
            message,
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "The case log could not be saved ({reason}). Remote control is stopped so that nothing "
                "happens without a record.",
            ),
            reason=reason,
        )


class JournalTamperError(JournalError):
    """A record on disk fails its seal or its chain: the journal was changed outside Podpora."""

    exit_code = 65  # EX_DATAERR

    def __init__(self, message: str, *, seq: int) -> None:
        super().__init__(
            message,
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "The case log was changed outside Podpora: record {seq} does not verify."
            ),
            seq=seq,
        )
        self.seq = seq


class JournalFormatError(JournalError):
    """A file is not a Podpora journal, or was written with a different key."""

    exit_code = 65


class ForbiddenEventError(JournalError):
    """A caller tried to journal something that must never be recorded (keystrokes) or a malformed type."""


# ---------------------------------------------------------------------------------------------- pure chain logic


def canonical_json(value: Any) -> bytes:
    """Return the one canonical encoding: sorted keys, no spaces, ASCII only (control characters escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def genesis_hash(journal_id: str) -> str:
    """The ``prev`` of record 1: bound to the journal id so records cannot be spliced between journals."""
    return hashlib.sha256(b"podpora-journal-genesis\0" + journal_id.encode("utf-8")).hexdigest()


def record_hash(raw: bytes) -> str:
    """SHA-256 (hex) of a record's canonical bytes."""
    return hashlib.sha256(raw).hexdigest()


def format_time(at: datetime) -> str:
    """Render a timezone-aware time as UTC ISO 8601 with microseconds and ``Z``."""
    if at.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkpoint_message(journal_id: str, covered_seq: int, head: str) -> bytes:
    """The bytes a checkpoint signature covers."""
    return b"podpora-journal-checkpoint-v1\0" + canonical_json(
        {"head": head, "journal_id": journal_id, "seq": covered_seq}
    )


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Raw 32-byte Ed25519 public key as hex."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


@dataclass(frozen=True)
class JournalRecord:
    """One verified record: its canonical bytes and the parsed parts."""

    seq: int
    at: str
    type: str
    fields: Mapping[str, Any]
    prev: str
    raw: bytes
    # Format 2 (forward integrity): the next record's forward public key, and this record's forward seal.
    next_key: str = ""
    seal: str = ""

    @property
    def sealed(self) -> bool:
        """True for a format-2 record, which carries a forward-integrity seal."""
        return bool(self.seal)

    @property
    def sealed_body(self) -> bytes:
        """The bytes the forward seal covers: the record's canonical form without ``seal``."""
        value = json.loads(self.raw.decode("ascii"))
        del value["seal"]
        return canonical_json(value)

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of :attr:`raw`."""
        return record_hash(self.raw)

    @classmethod
    def parse(cls, raw: bytes) -> JournalRecord:
        """Parse canonical bytes; raise ``ValueError`` if they are not a well-formed record."""
        try:
            value = json.loads(raw.decode("ascii"))
        except RecursionError as error:
            # json recurses once per nesting level: a record nested thousands deep is malformed, not a crash.
            raise ValueError("not a journal record (nested too deeply)") from error
        if not isinstance(value, dict) or set(value) not in (_RECORD_KEYS, _SEALED_RECORD_KEYS):
            raise ValueError("not a journal record")
        seq, at, type_, fields, prev = (value[k] for k in ("seq", "at", "type", "fields", "prev"))
        if not (isinstance(seq, int) and not isinstance(seq, bool) and seq >= 1):
            raise ValueError("bad seq")
        if not (isinstance(at, str) and isinstance(type_, str) and isinstance(fields, dict)):
            raise ValueError("bad field types")
        if not (isinstance(prev, str) and re.fullmatch(r"[0-9a-f]{64}", prev)):
            raise ValueError("bad prev hash")
        if "seal" not in value:
            return cls(seq=seq, at=at, type=type_, fields=fields, prev=prev, raw=raw)
        next_key, seal = value["next_key"], value["seal"]
        if not (isinstance(next_key, str) and re.fullmatch(r"[0-9a-f]{64}", next_key)):
            raise ValueError("bad next key")
        if not (isinstance(seal, str) and re.fullmatch(r"[0-9a-f]{128}", seal)):
            raise ValueError("bad seal")
        # The seal covers the canonical form; a sealed record must *be* that form, or two byte strings would
        # carry one seal.
        if canonical_json(value) != raw:
            raise ValueError("not in canonical form")
        return cls(seq=seq, at=at, type=type_, fields=fields, prev=prev, raw=raw, next_key=next_key, seal=seal)


def check_event_type(event_type: str) -> None:
    """Refuse keystroke events and malformed type names."""
    if event_type.lower() in FORBIDDEN_EVENT_TYPES or event_type.lower().startswith("key"):
        raise ForbiddenEventError(
            f"refusing to journal event type {event_type!r}: keystrokes are never recorded",
            user_text=QT_TRANSLATE_NOOP("podpora", "Keystrokes are never recorded in the case log."),
        )
    if not _EVENT_TYPE_RE.match(event_type):
        raise ForbiddenEventError(f"malformed event type {event_type!r}")


# ------------------------------------------------------------------------------------ forward integrity (T31)


def _wipe_bytes(data: bytes) -> None:
    """Overwrite the buffer of a transient ``bytes`` object that held key material (CPython only).

    ``hashlib`` and ``cryptography`` hand results back as immutable ``bytes``; once their value is copied into
    the key's ``bytearray`` the copy is wiped, so freed heap memory does not keep a key after it evolved.
    """
    if sys.implementation.name == "cpython" and data:
        ctypes.memset(id(data) + bytes.__basicsize__ - 1, 0, len(data))


def evolve_seed(seed: bytearray) -> None:
    """K_{i+1} = SHA-256(label || K_i), in place: the old value is gone from this buffer."""
    digest = hashlib.sha256(b"podpora-journal-forward-evolve-v1\0")
    digest.update(seed)
    new = digest.digest()
    seed[:] = new
    _wipe_bytes(new)


def forward_message(journal_id: str, body: bytes) -> bytes:
    """What a record's forward seal signs: the record (without its seal), bound to the journal."""
    return b"podpora-journal-seal-v1\0" + journal_id.encode("utf-8") + b"\0" + body


class ForwardKey:
    """The forward-evolving key of one journal: the secret seed of the key that seals record :attr:`seq`.

    Each record is sealed (Ed25519) with the key derived from its own seed K_seq and names the public key of
    K_{seq+1} = SHA-256(label || K_seq).  After the record is durable the seed evolves *in place* (one
    ``bytearray``, overwritten), so whoever obtains the key later holds K_i but can derive no K_j for j < i:
    earlier records cannot be re-sealed.  The verifier needs no secret: the first public key is in the
    journal's header and each record names the next one.
    """

    def __init__(self, seed: bytearray, seq: int) -> None:
        if len(seed) != 32 or seq < 1:
            raise ValueError("a forward key is a 32-byte seed for a record number >= 1")
        self._seed = seed
        self.seq = seq

    @classmethod
    def generate(cls) -> ForwardKey:
        """A fresh random K_1 for a new journal."""
        seed = bytearray(32)
        fresh = os.urandom(32)
        seed[:] = fresh
        _wipe_bytes(fresh)
        return cls(seed, 1)

    def __repr__(self) -> str:  # never show the seed
        return f"ForwardKey(seq={self.seq})"

    @staticmethod
    def _public_of(seed: bytearray) -> str:
        private = Ed25519PrivateKey.from_private_bytes(seed)
        # OpenSSL clears the private key's memory when the object is freed (OPENSSL_secure_clear_free).
        return public_key_hex(private)

    def public_hex(self) -> str:
        """The public key that verifies the seal of record :attr:`seq`."""
        return self._public_of(self._seed)

    def next_public_hex(self) -> str:
        """The public key of K_{seq+1}, which record :attr:`seq` names (the next seed is wiped at once)."""
        upcoming = bytearray(self._seed)
        try:
            evolve_seed(upcoming)
            return self._public_of(upcoming)
        finally:
            upcoming[:] = bytes(32)

    def sign(self, message: bytes) -> bytes:
        """Seal ``message`` with the key of record :attr:`seq`."""
        return Ed25519PrivateKey.from_private_bytes(self._seed).sign(message)

    def advance(self) -> None:
        """Move to the next record's key, overwriting this one (call once the sealed record is durable)."""
        evolve_seed(self._seed)
        self.seq += 1

    def advance_to(self, seq: int) -> None:
        """Evolve forward until the key is the one for record ``seq`` (never backwards: that is impossible)."""
        if seq < self.seq:
            raise ValueError("a forward key cannot go back")
        while self.seq < seq:
            self.advance()

    def state_bytes(self) -> bytearray:
        """``seq`` and the seed as one buffer (for the sealed state file); the caller wipes it."""
        state = bytearray(_FORWARD_STATE.size)
        state[:8] = self.seq.to_bytes(8, "big")
        state[8:] = self._seed
        return state

    @classmethod
    def from_state(cls, state: bytearray) -> ForwardKey:
        """Rebuild from :meth:`state_bytes` (the buffer becomes the key's own: it is not copied)."""
        if len(state) != _FORWARD_STATE.size:
            raise ValueError("a forward key state is 40 bytes")
        seq = int.from_bytes(state[:8], "big")
        seed = state[8:]
        state[:] = bytes(len(state))
        return cls(seed, seq)

    def wipe(self) -> None:
        """Zero the seed (the journal is closed, or the key is no longer needed)."""
        self._seed[:] = bytes(len(self._seed))

    @property
    def wiped(self) -> bool:
        """True once :meth:`wipe` ran."""
        return not any(self._seed)


def check_seal(record: JournalRecord, journal_id: str, public_hex: str) -> bool:
    """True when ``record`` carries a forward seal that verifies under ``public_hex``."""
    if not record.sealed:
        return False
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        public.verify(bytes.fromhex(record.seal), forward_message(journal_id, record.sealed_body))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass
class ChainState:
    """The head of a hash chain: builds the next record and checks records read back (pure).

    ``forward_key`` is the public key expected to seal the next record (format 2), or None for a format-1
    journal whose records carry no seal.
    """

    journal_id: str
    next_seq: int = 1
    head: str = ""
    forward_key: str | None = None

    def __post_init__(self) -> None:
        if not self.head:
            self.head = genesis_hash(self.journal_id)

    def build(
        self, event_type: str, fields: Mapping[str, Any], at: datetime, forward: ForwardKey | None = None
    ) -> JournalRecord:
        """Return the next record (not yet accepted: call :meth:`accept` once it is durable).

        With ``forward`` (which must be the key for :attr:`next_seq`), the record is sealed with it and names
        the next key's public half.
        """
        body: dict[str, Any] = {
            "at": format_time(at),
            "fields": dict(fields),
            "prev": self.head,
            "seq": self.next_seq,
            "type": event_type,
        }
        if forward is None:
            return JournalRecord.parse(canonical_json(body))
        if forward.seq != self.next_seq:
            raise JournalError(f"the forward key is for record {forward.seq}, not {self.next_seq}")
        body["next_key"] = forward.next_public_hex()
        seal = forward.sign(forward_message(self.journal_id, canonical_json(body)))
        return JournalRecord.parse(canonical_json({**body, "seal": seal.hex()}))

    def accept(self, record: JournalRecord) -> None:
        """Advance the head past ``record``; raise :class:`JournalTamperError` if it does not chain or seal."""
        if record.seq != self.next_seq or record.prev != self.head:
            raise JournalTamperError(
                f"record {record.seq} does not follow record {self.next_seq - 1}", seq=self.next_seq
            )
        if self.forward_key is None:
            if record.sealed:
                raise JournalTamperError(f"record {record.seq} is sealed in an unsealed journal", seq=record.seq)
        elif not check_seal(record, self.journal_id, self.forward_key):
            raise JournalTamperError(f"record {record.seq} fails its forward seal", seq=record.seq)
        else:
            self.forward_key = record.next_key
        self.next_seq += 1
        self.head = record.hash


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :func:`verify_chain`: ``ok``, or the first problem's kind, record number and message.

    ``kind`` is one of ``changed``, ``removed``, ``reordered``, ``added``, ``truncated``, ``bad_signature``,
    ``bad_seal`` (a record's forward-integrity seal does not verify: it was rewritten after its key was gone).
    """

    ok: bool
    records: int
    kind: str = ""
    seq: int = 0
    message: str = ""
    unanchored_tail: int = 0  # records after the last signed checkpoint (no external anchor)
    forward_integrity: bool = False  # every record carries a forward seal that verifies (format 2)


def verify_chain(
    lines: Sequence[bytes],
    journal_id: str,
    public_key: Ed25519PublicKey,
    *,
    signed_count: int | None = None,
    signed_head: str | None = None,
    forward_key: str | None = None,
) -> VerifyResult:
    """Verify a journal's records (canonical bytes, in file order) and name the first problem.

    ``signed_count``/``signed_head`` come from a separately signed statement (the bundle's final signature);
    with them, records removed from or added to the end are detected too.  ``forward_key`` is the journal
    header's first forward public key (format 2): then every record must carry a forward seal by the key that
    the record before it named (record 1: ``forward_key``).  Without it (format 1) no record may carry a seal.
    """
    count = len(lines)
    parsed: list[JournalRecord | None] = []
    for line in lines:
        try:
            parsed.append(JournalRecord.parse(line))
        except (ValueError, UnicodeDecodeError):
            parsed.append(None)
    hashes = [record_hash(line) for line in lines]

    def fail(kind: str, seq: int, message: str) -> VerifyResult:
        return VerifyResult(ok=False, records=count, kind=kind, seq=seq, message=message)

    def prev_of(i: int) -> str:
        return genesis_hash(journal_id) if i == 0 else hashes[i - 1]

    def links_in(i: int) -> bool:
        rec = parsed[i]
        return rec is not None and rec.prev == prev_of(i)

    def links_out(i: int) -> bool:
        if i + 1 < count:
            return links_in(i + 1)
        return signed_head is None or hashes[i] == signed_head

    seqs = [rec.seq if rec is not None else -1 for rec in parsed]
    last_checkpoint = 0
    for i, rec in enumerate(parsed):
        expected = i + 1
        if signed_count is not None and i >= signed_count:
            return fail("added", expected, f"record {expected} was added after the signed end")
        if rec is None:
            return fail("changed", expected, f"record {expected} was changed (it is no longer readable)")
        if rec.seq != expected:
            if links_in(i):
                return fail("changed", expected, f"record {expected} was changed (its number was altered)")
            if rec.seq < expected:
                return fail("added", expected, f"a record was added at position {expected}")
            if expected in seqs[i + 1 :]:
                return fail("reordered", expected, f"record {expected} was moved (records are out of order)")
            return fail("removed", expected, f"record {expected} was removed")
        if not links_in(i):
            if i == 0 or not links_out(i):
                return fail("changed", expected, f"record {expected} was changed")
            return fail("changed", expected - 1, f"record {expected - 1} was changed")
        if forward_key is None:
            if rec.sealed:
                return fail("changed", expected, f"record {expected} carries a seal the journal header does not expect")
        else:
            previous = parsed[i - 1] if i else None
            expected_key = forward_key if previous is None else previous.next_key
            if not check_seal(rec, journal_id, expected_key):
                if not links_out(i):
                    # The next hash no longer matches either: a plain edit, not a re-sealed rewrite.
                    return fail("changed", expected, f"record {expected} was changed")
                return fail(
                    "bad_seal",
                    expected,
                    f"record {expected} was rewritten: its forward-integrity seal does not verify",
                )
        if rec.type == CHECKPOINT:
            signature = rec.fields.get("signature")
            covered = rec.fields.get("seq")
            try:
                if covered != expected - 1 or rec.fields.get("head") != rec.prev:
                    raise InvalidSignature
                public_key.verify(bytes.fromhex(str(signature)), checkpoint_message(journal_id, expected - 1, rec.prev))
            except (InvalidSignature, ValueError):
                return fail("bad_signature", expected, f"the signature in record {expected} does not verify")
            last_checkpoint = expected
    if signed_count is not None:
        if count < signed_count:
            return fail(
                "truncated", count + 1, f"records {count + 1} to {signed_count} were removed (the log is cut short)"
            )
        if count > signed_count:
            return fail("added", signed_count + 1, f"record {signed_count + 1} was added after the signed end")
    if signed_head is not None and count and hashes[-1] != signed_head:
        return fail("changed", count, f"record {count} was changed")
    if signed_head is not None and not count:
        return fail("truncated", 1, "every record was removed")
    return VerifyResult(
        ok=True, records=count, unanchored_tail=count - last_checkpoint, forward_integrity=forward_key is not None
    )


# ---------------------------------------------------------------------------------------------- on-disk journal


def derive_record_key(master_key: bytes, journal_id: str) -> bytes:
    """The per-journal AEAD key: HKDF-SHA256(master, salt=journal id)."""
    if len(master_key) < 32:
        raise JournalFormatError("journal master key too short")
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=journal_id.encode("utf-8"), info=b"podpora journal v1"
    ).derive(master_key)


def key_check(master_key: bytes, journal_id: str) -> str:
    """A value stored in the header that tells "wrong key" apart from "tampered record" (reveals nothing)."""
    return (
        HKDF(algorithm=hashes.SHA256(), length=16, salt=journal_id.encode("utf-8"), info=b"podpora journal key check")
        .derive(master_key)
        .hex()
    )


def header_line(header: Mapping[str, Any]) -> bytes:
    """The journal's first line, exactly as written."""
    return HEADER_MAGIC + b" " + canonical_json(dict(header)) + b"\n"


def header_digest(line: bytes) -> bytes:
    """SHA-256 of the header line: part of every record's associated data, so the header cannot change."""
    return hashlib.sha256(line).digest()


def _aad(digest: bytes, seq: int) -> bytes:
    return b"podpora-journal-v1\0" + digest + seq.to_bytes(8, "big")


def seal_frame(aead: ChaCha20Poly1305, digest: bytes, seq: int, raw: bytes, nonce: bytes) -> bytes:
    """Encrypt one record into its on-disk frame (``digest``: :func:`header_digest` of the journal)."""
    body = nonce + aead.encrypt(nonce, raw, _aad(digest, seq))
    head = _FRAME_HEAD.pack(FRAME_MARKER, len(body))
    return head + body + _CRC.pack(zlib.crc32(head + body))


def forward_state_path(journal_path: Path) -> Path:
    """Where a journal keeps its current forward key (sealed with the master key): ``<journal>.fkey``."""
    return journal_path.with_name(journal_path.name + FORWARD_KEY_SUFFIX)


def _forward_state_aead(master_key: bytes, journal_id: str) -> ChaCha20Poly1305:
    if len(master_key) < 32:
        raise JournalFormatError("journal master key too short")
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=journal_id.encode("utf-8"), info=b"podpora journal forward state"
    ).derive(master_key)
    return ChaCha20Poly1305(key)


def _forward_state_aad(journal_id: str) -> bytes:
    return b"podpora-journal-forward-state-v1\0" + journal_id.encode("utf-8")


def _write_forward_state(fd: int, aead: ChaCha20Poly1305, journal_id: str, forward: ForwardKey) -> None:
    """Overwrite the state file in place with the current key (one write of a fixed size, then fsync).

    In place rather than by rename: the earlier key's bytes are overwritten in the same file block instead of
    being left behind in a freed one (on copy-on-write file systems and flash this is best effort).
    """
    state = forward.state_bytes()
    try:
        nonce = os.urandom(NONCE_SIZE)
        sealed = nonce + aead.encrypt(nonce, state, _forward_state_aad(journal_id))
    finally:
        state[:] = bytes(len(state))
    written = os.pwrite(fd, sealed, 0)
    if written != len(sealed):
        raise OSError(5, "short write of the forward key")
    os.fsync(fd)


def _read_forward_state(path: Path, aead: ChaCha20Poly1305, journal_id: str) -> ForwardKey:
    try:
        data = path.read_bytes()
        plain = aead.decrypt(data[:NONCE_SIZE], data[NONCE_SIZE:], _forward_state_aad(journal_id))
        state = bytearray(plain)
        _wipe_bytes(plain)
        return ForwardKey.from_state(state)
    except (OSError, InvalidTag, ValueError) as error:
        raise JournalFormatError(
            f"the journal's forward key {path} is missing or damaged ({type(error).__name__})",
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "This case log can still be read and exported, but no more events can be added to it: its "
                "sealing key is missing or damaged. Start a new case.",
            ),
        ) from error


@dataclass(frozen=True)
class TornTail:
    """Bytes after the last complete record that do not form a complete frame (a crash mid-write)."""

    offset: int
    length: int
    after_seq: int
    reason: str

    def describe(self) -> str:
        """Plain-language account for the technician."""
        return (
            f"the last write was interrupted: {self.length} bytes after record {self.after_seq} "
            f"were incomplete ({self.reason}) and were set aside"
        )


@dataclass
class JournalContents:
    """What :func:`read_journal` found: the header, every complete record, and a torn tail if any."""

    header: dict[str, Any]
    records: list[JournalRecord]
    torn: TornTail | None
    good_length: int  # bytes up to the end of the last complete frame


def _read_header(data: bytes) -> tuple[dict[str, Any], int]:
    newline = data.find(b"\n")
    first = data[:newline] if newline >= 0 else b""
    if not first.startswith(HEADER_MAGIC + b" "):
        raise JournalFormatError("not a Podpora journal (bad header)")
    try:
        header = json.loads(first[len(HEADER_MAGIC) + 1 :])
    except (ValueError, RecursionError) as error:  # RecursionError: a header nested thousands deep
        raise JournalFormatError("not a Podpora journal (unreadable header)") from error
    if not isinstance(header, dict) or not isinstance(header.get("journal_id"), str):
        raise JournalFormatError("not a Podpora journal (header without id)")
    return header, newline + 1


def header_forward_key(header: Mapping[str, Any]) -> str | None:
    """The first forward public key of a format-2 journal header; None for format 1 (no forward integrity)."""
    if header.get("format", FORMAT_PLAIN) == FORMAT_PLAIN and "forward_key" not in header:
        return None
    key = header.get("forward_key")
    if (
        header.get("format") != FORMAT_FORWARD
        or header.get("forward_scheme") != FORWARD_SCHEME
        or not isinstance(key, str)
        or not re.fullmatch(r"[0-9a-f]{64}", key)
    ):
        raise JournalFormatError("not a Podpora journal (unknown format or forward key)")
    return key


def read_journal(path: Path, master_key: bytes) -> JournalContents:
    """Read, decrypt and chain-check every record; report (never hide) a torn tail.

    Raises :class:`JournalTamperError` for a complete frame that fails its seal or its chain.
    """
    data = path.read_bytes()
    header, offset = _read_header(data)
    journal_id = str(header["journal_id"])
    if header.get("key_check") != key_check(master_key, journal_id):
        raise JournalFormatError(
            "the journal cannot be opened with this key",
            user_text=QT_TRANSLATE_NOOP("podpora", "The case log cannot be opened with this computer's key."),
        )
    aead = ChaCha20Poly1305(derive_record_key(master_key, journal_id))
    digest = header_digest(data[:offset])
    chain = ChainState(journal_id, forward_key=header_forward_key(header))
    records: list[JournalRecord] = []
    torn: TornTail | None = None
    while offset < len(data):
        remaining = len(data) - offset
        if remaining < _FRAME_HEAD.size:
            torn = TornTail(offset, remaining, chain.next_seq - 1, "frame header incomplete")
            break
        marker, length = _FRAME_HEAD.unpack_from(data, offset)
        if marker != FRAME_MARKER or length > MAX_RECORD_BYTES or length < NONCE_SIZE + 16:
            torn = TornTail(offset, remaining, chain.next_seq - 1, "frame header damaged")
            break
        end = offset + _FRAME_HEAD.size + length + _CRC.size
        if end > len(data):
            torn = TornTail(offset, remaining, chain.next_seq - 1, "frame incomplete")
            break
        (crc,) = _CRC.unpack_from(data, end - _CRC.size)
        if zlib.crc32(data[offset : end - _CRC.size]) != crc:
            if end == len(data):
                torn = TornTail(offset, remaining, chain.next_seq - 1, "last frame damaged")
                break
            raise JournalTamperError(f"frame of record {chain.next_seq} is damaged", seq=chain.next_seq)
        body = data[offset + _FRAME_HEAD.size : end - _CRC.size]
        seq = chain.next_seq
        try:
            raw = aead.decrypt(body[:NONCE_SIZE], body[NONCE_SIZE:], _aad(digest, seq))
            record = JournalRecord.parse(raw)
        except InvalidTag as error:
            raise JournalTamperError(f"record {seq} fails its seal (changed or moved)", seq=seq) from error
        except ValueError as error:
            raise JournalTamperError(f"record {seq} is malformed", seq=seq) from error
        chain.accept(record)
        records.append(record)
        offset = end
    if torn is not None and _complete_frame_after(data, torn.offset + 1):
        # Not a torn *tail*: intact records follow the damage, so it is damage in the middle, never cut away.
        raise JournalTamperError(
            f"the journal is damaged after record {torn.after_seq} ({torn.reason}) with records after it",
            seq=torn.after_seq + 1,
        )
    good = offset if torn is None else torn.offset
    return JournalContents(header=header, records=records, torn=torn, good_length=good)


def _complete_frame_after(data: bytes, start: int) -> bool:
    """True when a complete frame with a valid CRC starts anywhere at or after ``start``."""
    position = data.find(FRAME_MARKER, start)
    while position >= 0:
        if position + _FRAME_HEAD.size <= len(data):
            _, length = _FRAME_HEAD.unpack_from(data, position)
            end = position + _FRAME_HEAD.size + length + _CRC.size
            if NONCE_SIZE + 16 <= length <= MAX_RECORD_BYTES and end <= len(data):
                (crc,) = _CRC.unpack_from(data, end - _CRC.size)
                if zlib.crc32(data[position : end - _CRC.size]) == crc:
                    return True
        position = data.find(FRAME_MARKER, position + 1)
    return False


@dataclass
class RecoveryReport:
    """What reopening a journal found: how many records, and the torn tail that was set aside, if any."""

    records: int
    torn: TornTail | None = None
    saved_torn_bytes_to: Path | None = None
    notes: list[str] = field(default_factory=list)


class Journal:
    """An open journal for appending.  Create with :meth:`create`, reopen with :meth:`open`."""

    def __init__(
        self,
        path: Path,
        fd: int,
        *,
        header: dict[str, Any],
        master_key: bytes,
        signer: Ed25519PrivateKey | None,
        records: list[JournalRecord],
        checkpoint_every: int,
        forward: ForwardKey | None = None,
        forward_fd: int = -1,
    ) -> None:
        self.path = path
        self._fd = fd
        self.header = header
        self.journal_id = str(header["journal_id"])
        self._aead = ChaCha20Poly1305(derive_record_key(master_key, self.journal_id))
        self._digest = header_digest(header_line(header))
        self._signer = signer
        self._records = records
        self._forward = forward
        self._forward_fd = forward_fd
        self._forward_aead = _forward_state_aead(master_key, self.journal_id) if forward is not None else None
        self._chain = ChainState(self.journal_id, forward_key=header_forward_key(header))
        for record in records:
            self._chain.accept(record)
        self._checkpoint_every = checkpoint_every
        self._since_checkpoint = 0
        for record in reversed(records):
            if record.type == CHECKPOINT:
                break
            self._since_checkpoint += 1
        self._failed: JournalWriteError | None = None
        self.closed = bool(records) and records[-1].type == CHECKPOINT and bool(records[-1].fields.get("final"))
        self._size = os.fstat(fd).st_size

    # -- construction

    @classmethod
    def create(
        cls,
        path: Path,
        master_key: bytes,
        signer: Ed25519PrivateKey,
        *,
        journal_id: str,
        case_id: str,
        created_at: datetime,
        checkpoint_every: int = 64,
    ) -> Journal:
        """Create a new journal file (refuses to overwrite one) with its header durable on disk."""
        forward = ForwardKey.generate()
        header = {
            "case_id": case_id,
            "cipher": "ChaCha20-Poly1305",
            "created_at": format_time(created_at),
            "format": FORMAT_FORWARD,
            "forward_key": forward.public_hex(),
            "forward_scheme": FORWARD_SCHEME,
            "journal_id": journal_id,
            "kdf": "HKDF-SHA256",
            "key_check": key_check(master_key, journal_id),
            "public_key": public_key_hex(signer),
        }
        make_private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
        forward_fd = -1
        try:
            forward_fd = os.open(
                forward_state_path(path), os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600
            )
            _write_forward_state(forward_fd, _forward_state_aead(master_key, journal_id), journal_id, forward)
            _write_all(fd, header_line(header))
            os.fsync(fd)
            _fsync_dir(path.parent)
        except OSError as error:
            forward.wipe()
            os.close(fd)
            if forward_fd >= 0:
                os.close(forward_fd)
            raise JournalWriteError(f"cannot create journal {path}: {error}", reason=_reason(error)) from error
        return cls(
            path,
            fd,
            header=header,
            master_key=master_key,
            signer=signer,
            records=[],
            checkpoint_every=checkpoint_every,
            forward=forward,
            forward_fd=forward_fd,
        )

    @classmethod
    def open(
        cls,
        path: Path,
        master_key: bytes,
        signer: Ed25519PrivateKey,
        *,
        at: datetime,
        checkpoint_every: int = 64,
    ) -> tuple[Journal, RecoveryReport]:
        """Reopen a journal for appending after a restart or a crash (read-only access: :func:`read_journal`).

        A torn tail is copied to ``<journal>.torn-<offset>`` (kept for forensics), cut from the journal, and a
        ``recovered`` record saying so is appended — it is reported, never silently dropped or accepted.
        """
        contents = read_journal(path, master_key)
        report = RecoveryReport(records=len(contents.records), torn=contents.torn)
        if contents.header.get("public_key") != public_key_hex(signer):
            raise JournalFormatError("this journal was signed by a different technician key")
        journal_id = str(contents.header["journal_id"])
        forward: ForwardKey | None = None
        behind = False
        forward_fd = -1
        expected_key = header_forward_key(contents.header)
        if expected_key is not None:
            forward, behind = _reopen_forward_key(path, master_key, journal_id, contents.records, expected_key)
            try:
                forward_fd = os.open(forward_state_path(path), os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
            except OSError as error:
                forward.wipe()
                raise JournalWriteError(f"cannot reopen {path}: {error}", reason=_reason(error)) from error
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        except OSError as error:
            if forward is not None:
                forward.wipe()
                os.close(forward_fd)
            raise JournalWriteError(f"cannot reopen {path}: {error}", reason=_reason(error)) from error
        try:
            if contents.torn is not None:
                torn = contents.torn
                saved = path.with_name(f"{path.name}.torn-{torn.offset}")
                with path.open("rb") as source:
                    source.seek(torn.offset)
                    _write_file_durably(saved, source.read())
                os.ftruncate(fd, contents.good_length)
                os.fsync(fd)
                report.saved_torn_bytes_to = saved
                report.notes.append(torn.describe())
        except OSError as error:
            os.close(fd)
            if forward is not None:
                forward.wipe()
                os.close(forward_fd)
            raise JournalWriteError(f"cannot recover journal {path}: {error}", reason=_reason(error)) from error
        journal = cls(
            path,
            fd,
            header=contents.header,
            master_key=master_key,
            signer=signer,
            records=contents.records,
            checkpoint_every=checkpoint_every,
            forward=forward,
            forward_fd=forward_fd,
        )
        if behind:
            # The crash came between a record and the key's update: overwrite the stored key with today's.
            journal._store_forward_key()
        if contents.torn is not None and not journal.closed:
            journal.append(
                RECOVERED,
                {
                    "torn_bytes": contents.torn.length,
                    "after_seq": contents.torn.after_seq,
                    "reason": contents.torn.reason,
                    "saved_as": report.saved_torn_bytes_to.name if report.saved_torn_bytes_to else "",
                },
                at=at,
            )
        return journal, report

    # -- appending

    @property
    def records(self) -> list[JournalRecord]:
        """Every record written so far (a copy)."""
        return list(self._records)

    @property
    def head(self) -> str:
        """Hash of the last record (the genesis hash when empty)."""
        return self._chain.head

    @property
    def failed(self) -> JournalWriteError | None:
        """The write error that stopped this journal, if any."""
        return self._failed

    def append(
        self,
        event_type: str,
        fields: Mapping[str, Any],
        *,
        at: datetime,
        secret_fields: Iterable[str] = (),
        known_secrets: Iterable[str] = (),
    ) -> JournalRecord:
        """Redact, chain, seal, write and fsync one event; return the record once it is durable.

        Raises :class:`ForbiddenEventError` for keystroke events and :class:`JournalWriteError` when the record
        cannot be made durable (then and for every later call).
        """
        check_event_type(event_type)
        if event_type == CHECKPOINT:
            raise ForbiddenEventError("checkpoints are written by the journal itself")
        record = self._write(event_type, redact_value(fields, secret_fields, known_secrets), at)
        self._since_checkpoint += 1
        if self._since_checkpoint >= self._checkpoint_every:
            self.checkpoint(at=at)
        return record

    def checkpoint(self, *, at: datetime, final: bool = False) -> JournalRecord:
        """Append a signed checkpoint over the current head."""
        if self._signer is None:
            raise JournalError("this journal was opened read-only (no signing key)")
        covered = self._chain.next_seq - 1
        signature = self._signer.sign(checkpoint_message(self.journal_id, covered, self._chain.head))
        fields: dict[str, Any] = {"head": self._chain.head, "seq": covered, "signature": signature.hex()}
        if final:
            fields["final"] = True
        record = self._write(CHECKPOINT, fields, at)
        self._since_checkpoint = 0
        return record

    def close(self, *, at: datetime) -> None:
        """Write the final signed checkpoint and close the file."""
        if not self.closed and self._failed is None and self._signer is not None:
            self.checkpoint(at=at, final=True)
            self.closed = True
        self.release()

    def release(self) -> None:
        """Close the files without writing anything (e.g. after a write error); wipe the forward key."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._forward_fd >= 0:
            os.close(self._forward_fd)
            self._forward_fd = -1
        if self._forward is not None:
            self._forward.wipe()

    def _store_forward_key(self) -> None:
        """Make the current forward key durable, overwriting the previous one (fail closed on an error)."""
        if self._forward is None or self._forward_aead is None:
            return
        try:
            _write_forward_state(self._forward_fd, self._forward_aead, self.journal_id, self._forward)
        except OSError as error:
            self._failed = JournalWriteError(
                f"journal {self.path}: storing the sealing key failed: {error}", reason=_reason(error)
            )
            raise self._failed from error

    def _write(self, event_type: str, fields: Mapping[str, Any], at: datetime) -> JournalRecord:
        if self._failed is not None:
            raise self._failed
        if self.closed:
            raise JournalError("the journal is closed")
        if self._fd < 0:
            raise JournalError("the journal file is not open")
        if self._signer is None:
            raise JournalError("this journal was opened read-only (no signing key)")
        if self._forward is not None and self._forward.wiped:
            raise JournalError("the journal's sealing key was wiped (the journal was released)")
        record = self._chain.build(event_type, fields, at, self._forward)
        frame = seal_frame(self._aead, self._digest, record.seq, record.raw, os.urandom(NONCE_SIZE))
        try:
            _write_all(self._fd, frame)
            os.fsync(self._fd)
        except OSError as error:
            self._failed = JournalWriteError(
                f"journal {self.path}: writing record {record.seq} failed: {error}", reason=_reason(error)
            )
            # Best effort to leave a valid prefix on disk; never retry the fsync (fsyncgate).
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)
            raise self._failed from error
        self._size += len(frame)
        self._chain.accept(record)
        self._records.append(record)
        if self._forward is not None:
            # The record is durable: its key is no longer needed and must not survive (T31).
            self._forward.advance()
            self._store_forward_key()
        return record

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _reopen_forward_key(
    path: Path, master_key: bytes, journal_id: str, records: Sequence[JournalRecord], expected_first: str
) -> tuple[ForwardKey, bool]:
    """Load the stored forward key and check it is the one the journal's last record named.

    Returns the key and whether it had to be evolved (then the caller stores it again).

        The key is stored after each record is durable, so after a crash it may be one record behind; it is then
        evolved forward.  A key ahead of the records, or one that matches nothing, refuses appending.
    """
    forward = _read_forward_state(forward_state_path(path), _forward_state_aead(master_key, journal_id), journal_id)
    stored_seq = forward.seq
    next_seq = len(records) + 1
    expected = records[-1].next_key if records else expected_first
    try:
        forward.advance_to(next_seq)
    except ValueError:
        forward.wipe()
        raise JournalFormatError(f"the forward key of {path} is ahead of its records") from None
    if forward.public_hex() != expected:
        forward.wipe()
        raise JournalFormatError(f"the forward key of {path} does not match its records")
    return forward, stored_seq != next_seq


def _reason(error: OSError) -> str:
    import errno

    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EDQUOT:
        return "the disk quota is exceeded"
    if error.errno == errno.EIO:
        return "the disk reported an input/output error"
    return error.strerror or str(error)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(5, "short write")
        view = view[written:]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync, rename, and fsync of the folder."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    _fsync_dir(path.parent)


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` and every missing parent with mode 0700 (owner only), whatever the umask.

    ``Path.mkdir(parents=True, mode=0o700)`` applies the mode to the last folder only: the parents it creates
    get the umask's default (0755, or 0777 under ``umask 0``), which would let other users list the cases.
    """
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for part in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            os.mkdir(part, 0o700)


def write_file_durably(path: Path, data: bytes) -> None:
    """Public helper: atomic, durable replacement of a small file (temp + fsync + rename + dir fsync)."""
    _write_file_durably(path, data)
