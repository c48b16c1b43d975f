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


@pytest.mark.expect_log_warnings  # no system keyring here: the journal key falls back to a 0600 file, warned
def test_writes_from_many_threads_keep_the_journal_verifiable(podpora_home: Path) -> None:
    # The driver's threads, the panels' workers and the diagnostics all write into the same case at once.
    import threading

    from app.cases.bundle import verify_bundle

    create_identity_key()
    case = JournalCase.open("office-pc", "RM-8", lambda: "en")
    start = threading.Barrier(4)

    def write(name: str) -> None:
        start.wait()
        for index in range(25):
            case.add_note(f"{name} {index}")

    threads = [threading.Thread(target=write, args=(f"writer{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    case.export("folder", "RM-8", lambda *_: None)
    bundle = next((podpora_home / "data").rglob("*.zip"))
    result = verify_bundle(bundle)
    assert result.ok, result.message
    with zipfile.ZipFile(bundle) as opened:
        notes = opened.read("case.json").decode()
    assert all(f"writer{n} 24" in notes for n in range(4))


def test_driver_events_become_the_case_vocabulary() -> None:
    # The report's consent record, chat and times come from these kinds (app.cases.case).
    from app.ui.console.wiring import ClientSessionBackend

    class Client:
        callbacks = None

    backend = ClientSessionBackend(object(), Client())  # type: ignore[arg-type]
    backend.reason = "The printer stops"
    assert backend.case_events("consent_asked", {"capabilities": "clipboard,control,view"}) == [
        ("consent_request", {"capabilities": ["clipboard", "control", "view"], "reason": "The printer stops"})
    ]
    assert backend.case_events("consent_decided", {"granted": "control,view"}) == [
        ("consent_decision", {"granted": ["control", "view"], "refused": ["clipboard"]}),
        ("connected", {}),
    ]
    assert backend.case_events("consent_decided", {"granted": "view"})[1:] == []  # connected once
    assert backend.case_events("chat_from_user", {"text": "hi"}) == [("chat", {"sender": "user", "text": "hi"})]
    assert backend.case_events("paused_by_user", {}) == [("pause", {})]
    assert backend.case_events("frames", {"n": 3}) == [("frames", {"n": 3})]
