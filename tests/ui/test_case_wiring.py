"""The console's case backend over the real journal, bundle and folder delivery (``app.cases``)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.cli.console import JournalCase
from app.ui.console.settings_dialog import create_identity_key


@pytest.mark.expect_log_warnings  # no system keyring here: the journal key falls back to a 0600 file, warned
def test_notes_events_and_export_to_the_folder_connector(podpora_home: Path) -> None:
    create_identity_key()
    case = JournalCase.open("office pc/1", "RM-7", lambda: "en")
    assert all(c.isalnum() or c in "._-" for c in case.case_id)
    case.record("session_start", {"route": "office-pc"})
    case.set_description("The printer stops in the middle of a page")
    case.add_note("Cable replaced")
    steps: list[int] = []
    where = case.export("folder", "RM-7", lambda percent, message: steps.append(percent))
    assert steps and steps == sorted(steps)
    bundles = list((podpora_home / "data").rglob("*.zip"))
    assert bundles, where
    with zipfile.ZipFile(bundles[0]) as bundle:
        names = bundle.namelist()
        assert "case.json" in names
        assert "Cable replaced" in bundle.read("case.json").decode()
