"""CaseRecorder: the console's entry point; a write error stops the session before it is raised."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from app.cases import journal as journal_module
from app.cases.journal import JournalWriteError
from app.cases.recorder import CaseRecorder
from app.cases.store import CaseStore


@pytest.mark.expect_log_warnings  # the torn tail is reported as a warning
def test_record_and_recover_after_crash(
    tmp_path: Path, master_key, signer, clock, caplog: pytest.LogCaptureFixture
) -> None:
    store = CaseStore(tmp_path / "cases", master_key)
    stopped: list[JournalWriteError] = []
    recorder = CaseRecorder.start(store, "C-1", signer, clock=clock, on_write_error=stopped.append)
    recorder.record("case_opened", {"ticket": "42"})
    recorder.record("chat", {"sender": "user", "text": "hello"})
    path = store.journal_path("C-1")
    recorder.journal.release()  # the console died without closing
    with path.open("ab") as tail:
        tail.write(b"\xa7\x1e\x00\x00")  # half a frame header: a torn write
    again = CaseRecorder.start(store, "C-1", signer, clock=clock, on_write_error=stopped.append)
    assert again.recovery is not None and again.recovery.torn is not None
    again.record("note", {"text": "continued"})
    again.close()
    loaded = store.load("C-1")
    assert [r.type for r in loaded.contents.records] == ["case_opened", "chat", "recovered", "note", "checkpoint"]
    assert loaded.case.ticket_ref == "42"
    assert stopped == []
    assert any("interrupted" in r.getMessage() for r in caplog.records)


def test_write_error_stops_the_session_first(
    tmp_path: Path, master_key, signer, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CaseStore(tmp_path / "cases", master_key)
    order: list[str] = []
    recorder = CaseRecorder.start(
        store, "C-2", signer, clock=clock, on_write_error=lambda error: order.append("control stopped")
    )
    recorder.record("case_opened", {})

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(journal_module.os, "fsync", full)
    with pytest.raises(JournalWriteError):
        try:
            recorder.record("chat", {"text": "x"})
        finally:
            order.append("error raised")
    assert order == ["control stopped", "error raised"]
    assert recorder.stopped
