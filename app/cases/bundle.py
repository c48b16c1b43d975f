"""The exported case bundle (a zip) and its verification, which any recipient can run.

Contents::

    case.json            the case, machine-readable (schema: docs/cases.md, version in "schema_version")
    report.html          readable report (summary, timeline, diagnostics, screenshots, chat, consent)
    report.md            the same as Markdown
    report.pdf           the same as PDF (when a renderer was passed in: app.cases never imports Qt)
    journal.jsonl        the raw journal: every record's canonical bytes, one per line (already redacted)
    journal-header.json  journal id, case id, creation time, the technician's public key
    technician.cert      the technician's certificate as issued by the organisation (when available)
    signatures.json      {"journal_id", "public_key", "records", "head", "files": {name: sha256 of the content},
                          "stored": {name: sha256 of the stored bytes}, "signature"} (stored uncompressed)

The journal inside the bundle is decrypted on purpose: the recipient (the organisation's own ticket system)
must be able to read and verify it; encryption at rest protects the technician's disk.  ``signatures.json`` is
signed with the technician's Ed25519 key and anchors the journal's record count and last hash, so records
removed from or added to the end are detected, as well as any change to any other file.  The zip is written
canonically (:mod:`app.cases.ziputil`), so a changed byte anywhere in the file is detected, even one that does
not alter any file's content.

:func:`verify_bundle` names the first record that was changed, removed, reordered or added.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.cases.case import Case
from app.cases.journal import (
    JournalError,
    JournalRecord,
    canonical_json,
    header_forward_key,
    make_private_dir,
    public_key_hex,
    verify_chain,
    write_file_durably,
)
from app.cases.report import render_html, render_markdown
from app.cases.ziputil import ZipEntry, ZipFormatError, build_zip, read_zip
from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

BUNDLE_FORMAT = 1
SIGNATURES = "signatures.json"
JOURNAL = "journal.jsonl"
HEADER = "journal-header.json"
HtmlToPdf = Callable[[str], bytes]

# Limits for verification, which may face a hostile file: every size in a zip is a claim by its author, and a
# few hundred kilobytes of deflated zeros expand to gigabytes.  Declared sizes and ratios are checked before
# anything is decompressed; decompression itself stops at the declared size (ZipEntry.content).
MiB = 1024 * 1024
MAX_JOURNAL_BYTES = 256 * MiB
MAX_SMALL_FILE_BYTES = 1 * MiB  # signatures.json, journal-header.json, technician.cert
MAX_OTHER_FILE_BYTES = 256 * MiB  # case.json and the reports carry screenshots
MAX_TOTAL_BYTES = 1024 * MiB  # all contents together, and the bundle file itself
MAX_EXPANSION_RATIO = 100  # JSON, HTML and base64 screenshots compress far less than this
RATIO_CHECKED_ABOVE = 1 * MiB  # a small file may compress well; it cannot cost much memory either way
SMALL_FILES = frozenset({SIGNATURES, HEADER, "technician.cert"})


class BundleError(PodporaError):
    """A bundle cannot be written or read."""


@dataclass(frozen=True)
class BundleInfo:
    """An exported bundle: where it is, its SHA-256 and size."""

    path: Path
    sha256: str
    size: int


def bundle_file_name(case_id: str, sha256: str) -> str:
    """The attachment name: carries the case id and the start of the bundle's hash (used to find duplicates)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in case_id)[:64]
    return f"podpora-case-{safe}-{sha256[:16]}.zip"


def signatures_bytes(signed: dict[str, Any]) -> bytes:
    """The one accepted form of ``signatures.json`` (so that not even whitespace can change unnoticed)."""
    return json.dumps(signed, indent=2, sort_keys=True, ensure_ascii=True).encode("ascii") + b"\n"


def statement_bytes(statement: dict[str, Any]) -> bytes:
    """What the bundle signature covers."""
    return b"podpora-bundle-v1\0" + canonical_json(statement)


def export_bundle(
    out_path: Path,
    *,
    case: Case,
    header: dict[str, Any],
    records: Sequence[JournalRecord],
    signer: Ed25519PrivateKey,
    exported_at: datetime,
    lang: str = "en",
    certificate: bytes | None = None,
    html_to_pdf: HtmlToPdf | None = None,
) -> BundleInfo:
    """Write the bundle zip atomically and return its hash."""
    if header.get("public_key") != public_key_hex(signer):
        raise BundleError(
            "the journal was signed by a different key than the one exporting it",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "This case was recorded with another technician key; export it with that key."
            ),
        )
    report_html = render_html(case, lang)
    files: dict[str, bytes] = {
        "case.json": json.dumps(
            {**case.to_json(), "exported_at": exported_at.isoformat()}, ensure_ascii=False, indent=2
        ).encode("utf-8"),
        "report.html": report_html.encode("utf-8"),
        "report.md": render_markdown(case, lang).encode("utf-8"),
        JOURNAL: b"".join(record.raw + b"\n" for record in records),
        HEADER: canonical_json(header),
    }
    if html_to_pdf is not None:
        files["report.pdf"] = html_to_pdf(report_html)
    if certificate is not None:
        files["technician.cert"] = certificate
    entries = [ZipEntry.make(name, files[name]) for name in sorted(files)]
    statement = {
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
        "format": BUNDLE_FORMAT,
        "head": records[-1].hash if records else "",
        "journal_id": str(header.get("journal_id", "")),
        "public_key": public_key_hex(signer),
        "records": len(records),
        "stored": {entry.name: hashlib.sha256(entry.payload).hexdigest() for entry in entries},
    }
    signed = {**statement, "signature": signer.sign(statement_bytes(statement)).hex()}
    entries.append(ZipEntry.make(SIGNATURES, signatures_bytes(signed), compress=False))
    data = build_zip(entries)
    make_private_dir(out_path.parent)
    write_file_durably(out_path, data)
    return BundleInfo(out_path, hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True)
class BundleVerifyResult:
    """Outcome of :func:`verify_bundle`.  ``kind``/``seq`` name the first problem (``seq`` 0 = not a record)."""

    ok: bool
    message: str
    kind: str = ""
    seq: int = 0
    records: int = 0
    public_key: str = ""
    case_id: str = ""
    forward_integrity: bool = False  # every record carries a forward seal that verifies (journal format 2)
    journal_key: str = ""  # the journal's first forward public key: what an external anchor pins


def _problem(message: str, kind: str, seq: int = 0, **extra: Any) -> BundleVerifyResult:
    return BundleVerifyResult(ok=False, message=message, kind=kind, seq=seq, **extra)


def _member_limit(name: str) -> int:
    if name == JOURNAL:
        return MAX_JOURNAL_BYTES
    return MAX_SMALL_FILE_BYTES if name in SMALL_FILES else MAX_OTHER_FILE_BYTES


def _oversized(entries: Sequence[ZipEntry]) -> str | None:
    """Why the declared sizes are refused (before any decompression), or None when they are within limits."""
    total = 0
    for entry in entries:
        limit = _member_limit(entry.name)
        if entry.size > limit:
            return f"{entry.name} claims {entry.size:,} bytes, more than the {limit // MiB} MiB allowed"
        if entry.size > RATIO_CHECKED_ABOVE and entry.size > MAX_EXPANSION_RATIO * max(len(entry.payload), 1):
            return f"{entry.name} expands more than {MAX_EXPANSION_RATIO} times (a compression bomb?)"
        total += entry.size
    if total > MAX_TOTAL_BYTES:
        return f"the contents claim {total:,} bytes, more than the {MAX_TOTAL_BYTES // MiB} MiB allowed"
    return None


def _read_capped(path: Path) -> bytes:
    with path.open("rb") as stream:
        # The size first: read(n) sizes its buffer from n, so a read capped at the limit would cost the limit.
        size = os.fstat(stream.fileno()).st_size
        if size > MAX_TOTAL_BYTES:
            raise ZipFormatError(f"the file is larger than {MAX_TOTAL_BYTES // MiB} MiB")
        data = stream.read(size + 1)
    if len(data) > size:
        raise ZipFormatError("the file changed while it was being read")
    return data


def verify_bundle(
    path: Path,
    *,
    trusted_public_key: Ed25519PublicKey | None = None,
    journal_key: str | None = None,
    require_forward_integrity: bool = False,
) -> BundleVerifyResult:
    """Check every hash and signature in a bundle; name the first record that was tampered with.

    A bundle that is too large, or whose members claim to expand beyond sane limits, is refused (kind
    ``too_large``) before it is decompressed.  Every record of a format-2 journal must carry its forward seal
    (T31).  ``journal_key`` pins the journal's first forward key (an anchor kept outside the technician's
    machine, e.g. in the ticket at case open): a journal rewritten from its first record with a new chain fails
    it.  ``require_forward_integrity`` refuses a format-1 journal (recorded before forward integrity existed,
    or downgraded by someone who re-signed it).
    """
    try:
        data = _read_capped(path)
        entries = read_zip(data)
        names = [entry.name for entry in entries]
        if len(names) != len(set(names)):
            return _problem("the bundle contains a file twice", "added")
        oversized = _oversized(entries)
        if oversized is not None:
            return _problem(f"the bundle is refused: {oversized}", "too_large")
        contents = {entry.name: entry.content() for entry in entries}
    except (ZipFormatError, OSError) as error:
        return _problem(f"the bundle is damaged or incomplete ({error})", "damaged")
    try:
        signed = json.loads(contents[SIGNATURES])
        statement = {k: v for k, v in signed.items() if k != "signature"}
        public_bytes = bytes.fromhex(str(signed["public_key"]))
        public_key = Ed25519PublicKey.from_public_bytes(public_bytes)
        public_key.verify(bytes.fromhex(str(signed["signature"])), statement_bytes(statement))
        files: dict[str, str] = dict(signed["files"])
        stored: dict[str, str] = dict(signed["stored"])
        signed_count = int(signed["records"])
        signed_head = str(signed["head"])
        journal_id = str(signed["journal_id"])
    except KeyError as error:
        return _problem(f"the bundle has no {error.args[0]}", "removed")
    except (InvalidSignature, ValueError, TypeError, AttributeError, RecursionError):
        # RecursionError: json recurses per nesting level, so a signatures.json nested thousands deep lands here.
        return _problem("the bundle's signature does not verify (signatures.json was changed)", "bad_signature")
    key_hex = public_bytes.hex()
    if trusted_public_key is not None and public_key_hex(trusted_public_key) != key_hex:
        return _problem("the bundle was signed by a different key than the trusted one", "bad_signature")

    journal_data = contents.get(JOURNAL)
    if journal_data is None:
        return _problem("the journal is missing from the bundle", "removed", public_key=key_hex)
    # The header names the forward key the chain starts from, so it must be checked before the chain.
    header_data = contents.get(HEADER)
    if header_data is None or hashlib.sha256(header_data).hexdigest() != files.get(HEADER):
        return _problem(f"{HEADER} was changed or removed", "changed", public_key=key_hex)
    try:
        header = json.loads(header_data)
        forward_key = header_forward_key(header)
        case_id = str(header.get("case_id", ""))
    except (ValueError, AttributeError, RecursionError, JournalError):
        return _problem("the journal header is unreadable", "changed", public_key=key_hex)
    if header.get("public_key") != key_hex or header.get("journal_id") != journal_id:
        return _problem("the journal header does not match the signature", "changed", public_key=key_hex)
    if forward_key is None and (require_forward_integrity or journal_key is not None):
        return _problem(
            "the journal has no forward-integrity seals (format 1), but they were required", "no_forward_integrity"
        )
    if journal_key is not None and forward_key != journal_key.lower():
        return _problem(
            "the journal was rewritten from its start: its first sealing key is not the anchored one",
            "bad_seal",
            1,
            public_key=key_hex,
        )
    lines = journal_data.split(b"\n")
    truncated_mid_record = lines[-1] != b""
    if not truncated_mid_record:
        lines.pop()
    result = verify_chain(
        lines, journal_id, public_key, signed_count=signed_count, signed_head=signed_head, forward_key=forward_key
    )
    if not result.ok:
        kind = result.kind
        message = result.message
        if truncated_mid_record and result.seq >= len(lines):
            kind, message = "truncated", f"the log is cut short inside record {len(lines)}"
        return _problem(message, kind, result.seq, records=len(lines), public_key=key_hex)

    for name, digest in sorted(files.items()):
        if name not in contents:
            return _problem(f"{name} was removed from the bundle", "removed", public_key=key_hex)
        if hashlib.sha256(contents[name]).hexdigest() != digest:
            return _problem(f"{name} was changed", "changed", public_key=key_hex)
    extra = sorted(set(contents) - set(files) - {SIGNATURES})
    if extra:
        return _problem(f"{extra[0]} was added to the bundle", "added", public_key=key_hex)
    # The container itself: the stored (compressed) bytes, the signature file's exact form, and every other byte.
    for entry in entries:
        if entry.name != SIGNATURES and hashlib.sha256(entry.payload).hexdigest() != stored.get(entry.name):
            return _problem(f"the stored bytes of {entry.name} were altered", "changed", public_key=key_hex)
    if contents[SIGNATURES] != signatures_bytes(signed):
        return _problem(f"{SIGNATURES} was altered (not in its signed form)", "changed", public_key=key_hex)
    expected_order = [*sorted(files), SIGNATURES]
    canonical = build_zip(entries) if names == expected_order else b""
    if canonical != data:
        differs = next((i for i, (a, b) in enumerate(zip(canonical, data, strict=False)) if a != b), len(canonical))
        return _problem(
            f"the bundle file was altered outside its contents (at byte {differs})", "damaged", public_key=key_hex
        )
    return BundleVerifyResult(
        ok=True,
        message=f"OK: {len(lines)} records, every hash and signature verifies",
        records=len(lines),
        public_key=key_hex,
        case_id=case_id,
        forward_integrity=result.forward_integrity,
        journal_key=forward_key or "",
    )
