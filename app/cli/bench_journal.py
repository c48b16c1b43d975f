"""``podpora bench journal``: how fast the case journal appends (with fsync) and verifies.

Figures (JSON):

* ``append``: events per second through :meth:`Journal.append` — redaction, hash chain, forward seal (an
  Ed25519 signature with an evolving key, T31), AEAD seal, one write and one ``fsync`` per event, then the
  sealing key overwritten in place and ``fsync``'d, plus a signed checkpoint every 64 events — in a scratch
  folder on the disk given by ``--dir`` (default: the system temp folder).
* ``verify``: for a journal of ``--verify-events`` (default 100,000) records: reading it back (decrypt and
  chain-check every record), checking the chain and every checkpoint signature, exporting the bundle, and
  ``verify_bundle`` as a recipient runs it.  The 100,000-event file is built with the same sealing and chain
  code but without an fsync per record (that part is a fixture, not the measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``podpora bench journal``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "journal", help="journal append rate (fsync) and verify time", description=__doc__
    )
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    parser.add_argument("--events", type=int, default=2000, help="events appended with fsync (default 2000)")
    parser.add_argument("--verify-events", type=int, default=100_000, help="journal size to verify (default 100000)")
    parser.add_argument("--dir", type=Path, help="folder on the disk to measure (default: temp folder)")
    parser.set_defaults(func=_run)


def _event(n: int) -> tuple[str, dict[str, Any]]:
    kinds = ("chat", "script_result", "note", "consent_decision")
    kind = kinds[n % len(kinds)]
    return kind, {"n": n, "sender": "technician", "text": f"event {n}: checking the print queue and disk space"}


def build_journal_fast(path: Path, key: bytes, signer: Any, count: int, *, checkpoint_every: int = 64) -> None:
    """Write a valid journal of ``count`` records (events and checkpoints) without per-record fsync (a fixture)."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    from app.cases.journal import (
        CHECKPOINT,
        FORMAT_FORWARD,
        FORWARD_SCHEME,
        NONCE_SIZE,
        ChainState,
        ForwardKey,
        checkpoint_message,
        derive_record_key,
        format_time,
        header_digest,
        header_line,
        key_check,
        public_key_hex,
        seal_frame,
    )

    journal_id = "bench-journal"
    start = datetime(2026, 11, 22, tzinfo=UTC)
    forward = ForwardKey.generate()  # sealed like every journal Podpora writes (format 2, T31)
    header = {
        "case_id": "BENCH",
        "cipher": "ChaCha20-Poly1305",
        "created_at": format_time(start),
        "format": FORMAT_FORWARD,
        "forward_key": forward.public_hex(),
        "forward_scheme": FORWARD_SCHEME,
        "journal_id": journal_id,
        "kdf": "HKDF-SHA256",
        "key_check": key_check(key, journal_id),
        "public_key": public_key_hex(signer),
    }
    aead = ChaCha20Poly1305(derive_record_key(key, journal_id))
    chain = ChainState(journal_id, forward_key=forward.public_hex())
    with path.open("wb") as out:
        line = header_line(header)
        digest = header_digest(line)
        out.write(line)
        since = 0
        for n in range(count):
            at = start + timedelta(milliseconds=n)
            if since == checkpoint_every:
                covered = chain.next_seq - 1
                fields = {
                    "head": chain.head,
                    "seq": covered,
                    "signature": signer.sign(checkpoint_message(journal_id, covered, chain.head)).hex(),
                }
                record = chain.build(CHECKPOINT, fields, at, forward)
                since = 0
            else:
                kind, fields = _event(n)
                record = chain.build(kind, fields, at, forward)
                since += 1
            out.write(seal_frame(aead, digest, record.seq, record.raw, os.urandom(NONCE_SIZE)))
            chain.accept(record)
            forward.advance()
        out.flush()
        os.fsync(out.fileno())


def run_benchmark(events: int, verify_events: int, folder: Path | None) -> dict[str, Any]:
    """Run both measurements and return the figures."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.cases.bundle import export_bundle, verify_bundle
    from app.cases.case import build_case
    from app.cases.journal import Journal, read_journal, verify_chain

    key = os.urandom(32)
    signer = Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="podpora-bench-journal-", dir=folder) as scratch:
        root = Path(scratch)
        journal = Journal.create(
            root / "append.pjournal", key, signer, journal_id="append", case_id="BENCH", created_at=now
        )
        began = time.perf_counter()
        for n in range(events):
            kind, fields = _event(n)
            journal.append(kind, fields, at=now)
        append_seconds = time.perf_counter() - began
        journal.close(at=now)

        big = root / "verify.pjournal"
        began = time.perf_counter()
        build_journal_fast(big, key, signer, verify_events)
        build_seconds = time.perf_counter() - began

        began = time.perf_counter()
        contents = read_journal(big, key)
        read_seconds = time.perf_counter() - began

        began = time.perf_counter()
        result = verify_chain(
            [r.raw for r in contents.records],
            "bench-journal",
            signer.public_key(),
            forward_key=str(contents.header["forward_key"]),
        )
        chain_seconds = time.perf_counter() - began

        began = time.perf_counter()
        case = build_case("BENCH", contents.records, journal_id="bench-journal")
        info = export_bundle(
            root / "bench.zip",
            case=case,
            header=contents.header,
            records=contents.records,
            signer=signer,
            exported_at=now,
        )
        export_seconds = time.perf_counter() - began

        began = time.perf_counter()
        bundle_result = verify_bundle(info.path)
        bundle_seconds = time.perf_counter() - began
        journal_bytes = big.stat().st_size

    return {
        "benchmark": "journal",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "append": {
            "events": events,
            "seconds": round(append_seconds, 3),
            "events_per_second": round(events / append_seconds, 1) if append_seconds else None,
            "fsync_per_event": True,
        },
        "verify": {
            "records": len(contents.records),
            "signed_checkpoints": sum(1 for r in contents.records if r.type == "checkpoint"),
            "journal_bytes": journal_bytes,
            "fixture_build_seconds": round(build_seconds, 3),
            "read_decrypt_chain_seconds": round(read_seconds, 3),
            "verify_chain_and_signatures_seconds": round(chain_seconds, 3),
            "export_bundle_seconds": round(export_seconds, 3),
            "bundle_bytes": info.size,
            "verify_bundle_seconds": round(bundle_seconds, 3),
            "forward_integrity": result.forward_integrity and bundle_result.forward_integrity,
            "ok": result.ok and bundle_result.ok,
        },
    }


def _run(args: argparse.Namespace) -> int:
    figures = run_benchmark(args.events, args.verify_events, args.dir)
    print(json.dumps(figures, indent=2))
    return 0 if figures["verify"]["ok"] else 1
