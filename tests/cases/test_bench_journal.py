"""``podpora bench journal`` runs and prints well-formed JSON (figures are never asserted)."""

from __future__ import annotations

import json

import pytest

from app.cli import main


def test_bench_journal_small(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "journal", "--json", "--events", "20", "--verify-events", "300"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["append"]["events"] == 20
    assert figures["append"]["fsync_per_event"] is True
    assert figures["verify"]["records"] == 300
    assert figures["verify"]["signed_checkpoints"] == 300 // 65
    assert figures["verify"]["ok"] is True
