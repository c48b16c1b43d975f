"""A realistic recorded session used by several case tests."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cases.journal import Journal
from tests.cases.conftest import FakeClock

HOSTILE = "<script>alert(1)</script>\x1b[31m\u202eevil"


def tiny_png() -> str:
    """A valid 1×1 PNG, base64."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    raw += chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    return base64.b64encode(raw).decode()


def record_session(
    path: Path, key: bytes, signer: Ed25519PrivateKey, clock: FakeClock, *, case_id: str = "C-2026-0042"
) -> Journal:
    """Record a whole support session and close it; return the (closed) journal."""
    journal = Journal.create(
        path, key, signer, journal_id=f"J-{case_id}", case_id=case_id, created_at=clock(), checkpoint_every=8
    )
    add = journal.append
    add(
        "case_opened",
        {
            "case_id": case_id,
            "ticket": "42",
            "technician": {"name": "Eva Nováková", "team": "Helpdesk", "org": "Example s.r.o."},
            "end_user": {"name": "Jan Novák"},
        },
        at=clock(),
    )
    add("description", {"text": "Printer does not print since Monday " + HOSTILE}, at=clock.advance(10))
    add("machine", {"facts": {"hostname": "pc-" + HOSTILE, "os": "Debian 12"}}, at=clock())
    add("session_start", {"route": "gateway gw.example.com", "host_key": "SHA256:abc"}, at=clock.advance(5))
    add("connected", {}, at=clock.advance(25))
    add("consent_request", {"capabilities": ["view", "control", "diagnostics"], "reason": "case 42"}, at=clock())
    add("consent_decision", {"granted": ["view", "diagnostics"], "refused": ["control"]}, at=clock.advance(3))
    add("chat", {"sender": "user", "text": "my password=hunter2 is not the problem"}, at=clock.advance(10))
    add("chat", {"sender": "technician", "text": "Let me look " + HOSTILE}, at=clock.advance(5))
    add(
        "diagnostics",
        {
            "phase": "before",
            "checks": [
                {"id": "cups.queue", "title": "Print queue", "status": "fail", "finding": "3 jobs stuck"},
                {"id": "disk.root", "title": "Disk space", "status": "ok", "finding": "40% used"},
            ],
        },
        at=clock.advance(20),
    )
    add("screenshot", {"name": "queue.png", "caption": "Stuck queue", "png_b64": tiny_png()}, at=clock())
    add("repair_approval", {"action": "cups.clear_queue", "approved": True, "description": "Clear queue"}, at=clock())
    add("repair", {"action": "cups.clear_queue", "status": "done", "undo": "nothing to undo"}, at=clock.advance(4))
    add(
        "diagnostics",
        {"phase": "after", "checks": [{"id": "cups.queue", "title": "Print queue", "status": "ok", "finding": ""}]},
        at=clock.advance(5),
    )
    add("note", {"text": "Driver is fine; queue was stuck. API token ghp_" + "Z" * 36}, at=clock())
    add("feedback", {"rating": 5, "comment": "Quick, thanks!"}, at=clock.advance(30))
    add("session_end", {"reason": "technician ended the session"}, at=clock.advance(2))
    add("resolved", {"summary": "Cleared the stuck print queue"}, at=clock.advance(60))
    journal.close(at=clock())
    return journal


def export_sample_bundle(
    tmp_path: Path, key: bytes, signer: Ed25519PrivateKey, clock: FakeClock, *, case_id: str = "C-2026-0042"
):
    """Record a session, export its bundle; return (BundleInfo, Case)."""
    from app.cases.bundle import bundle_file_name, export_bundle
    from app.cases.case import build_case
    from app.cases.journal import read_journal

    path = tmp_path / f"{case_id}.pjournal"
    record_session(path, key, signer, clock, case_id=case_id)
    contents = read_journal(path, key)
    case = build_case(case_id, contents.records, journal_id=contents.header["journal_id"])
    temp = export_bundle(
        tmp_path / "export.zip",
        case=case,
        header=contents.header,
        records=contents.records,
        signer=signer,
        exported_at=clock(),
    )
    final = temp.path.with_name(bundle_file_name(case_id, temp.sha256))
    temp.path.rename(final)
    from app.cases.bundle import BundleInfo

    return BundleInfo(final, temp.sha256, temp.size), case
