"""Issue 9: a console killed with SIGKILL leaves its case open; the next console offers to finish it.

A real console process records a case through the console's own case backend (``JournalCase``) and is killed
with SIGKILL. A real :class:`ConsoleWindow` (offscreen Qt), wired to the real store as ``podpora console`` wires
it, then says the case was interrupted; finishing it closes the journal with a ``recovered`` record and the
final signed checkpoint (the chain verifies) and opens the export dialog; "Later" changes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pytestqt.qtbot import QtBot

from app.cases.journal import header_forward_key, verify_chain
from app.cases.store import is_closed
from app.cli.case import _store
from app.cli.console import JournalRecovery
from app.ui.console.addressbook import AddressBook
from app.ui.console.case_panel import ExportDialog
from app.ui.console.recovery import RecoveryDialog, local_time
from app.ui.console.settings_dialog import create_identity_key
from app.ui.console.window import ConsoleWindow
from app.ui.settings import UiSettings
from tests.helpers.faults import kill9

ROOT = Path(__file__).resolve().parents[2]
# Both the killed console and this test keep the journal key in its 0600 file: the headless situation, chosen
# explicitly (otherwise a keyring backend that an earlier test defined in this process would hold another key).
FAIL_KEYRING = "keyring.backends.fail.Keyring"


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


# The console's case backend, as a session uses it; it prints once each event is on disk, then waits to be killed.
RECORDING_CONSOLE = """
import sys
from app.cli.console import JournalCase

case = JournalCase.open("office-pc", "HELP-4711", lambda: "en")
case.record("session_start", {"route": "office-pc"})
case.add_note("The spooler was restarted")
print(case.case_id, flush=True)
sys.stdin.read()
"""


def start_recording_console(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A console process that has recorded a case and keeps it open; the process and the case id."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PODPORA_HOME": str(home), "PYTHON_KEYRING_BACKEND": FAIL_KEYRING}
    process = subprocess.Popen(
        [sys.executable, "-c", RECORDING_CONSOLE],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    case_id = process.stdout.readline().decode().strip()
    if not case_id:
        kill9(process)
        raise AssertionError("the console exited before recording its case")
    return process, case_id


def kill_console(process: subprocess.Popen[bytes]) -> None:
    assert kill9(process) == -9
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


def killed_console_case(home: Path) -> str:
    """Run a console that records a case, kill it with SIGKILL after its last acknowledged event; the case id."""
    process, case_id = start_recording_console(home)
    kill_console(process)
    return case_id


def window_with_recovery(qtbot: QtBot, tmp_path: Path) -> ConsoleWindow:
    window = ConsoleWindow(
        UiSettings(),
        book=AddressBook(tmp_path / "none", tmp_path / "book.json"),
        recovery=JournalRecovery(lambda: "en"),
    )
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(window.recovery_dialogs), timeout=20000)
    return window


def chain_verifies(case_id: str) -> bool:
    loaded = _store().load(case_id)
    header = loaded.contents.header
    result = verify_chain(
        [record.raw for record in loaded.contents.records],
        str(header["journal_id"]),
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(header["public_key"]))),
        forward_key=header_forward_key(header),
    )
    return result.ok


@pytest.mark.expect_log_warnings  # no system keyring here: the journal key falls back to a 0600 file, warned
def test_a_case_left_open_by_sigkill_is_offered_and_finished(qtbot: QtBot, tmp_path: Path, podpora_home: Path) -> None:
    create_identity_key()
    case_id = killed_console_case(podpora_home)
    before = _store().load(case_id)
    assert not is_closed(before.contents)
    acknowledged = [record.type for record in before.contents.records]
    assert acknowledged[-1] == "note"

    window = window_with_recovery(qtbot, tmp_path)
    [dialog] = window.recovery_dialogs
    assert isinstance(dialog, RecoveryDialog)
    assert dialog.case.case_id == case_id
    text = dialog.message.text()
    assert "The case HELP-4711 from " in text
    assert local_time(before.contents.header["created_at"]) in text
    assert "interrupted" in text and "intact up to the last event" in text

    dialog.finish_button.click()
    qtbot.waitUntil(lambda: dialog.export_dialog is not None, timeout=20000)
    assert isinstance(dialog.export_dialog, ExportDialog)
    assert dialog.export_dialog.ticket.text() == "HELP-4711"
    assert not window.recovery_dialogs  # the question is answered

    after = _store().load(case_id)
    assert is_closed(after.contents)
    kinds = [record.type for record in after.contents.records]
    assert kinds[: len(acknowledged)] == acknowledged  # nothing lost, nothing rewritten
    assert kinds[len(acknowledged) :] == ["recovered", "checkpoint"]
    assert after.case.recovered_after_crash
    assert chain_verifies(case_id)
    assert _store().interrupted_cases() == []  # not offered again
    assert not _store().in_use(case_id)  # finishing let go of the case

    # The export flow works on the finished case: a bundle in the folder connector.
    export = dialog.export_dialog
    export.start()
    qtbot.waitUntil(lambda: export.progress.value() == 100, timeout=30000)
    assert list((podpora_home / "data").rglob("*.zip"))


@pytest.mark.expect_log_warnings  # no system keyring here: the journal key falls back to a 0600 file, warned
def test_later_leaves_the_case_as_it_is_and_it_is_offered_again(
    qtbot: QtBot, tmp_path: Path, podpora_home: Path
) -> None:
    create_identity_key()
    case_id = killed_console_case(podpora_home)
    journal = _store().journal_path(case_id)
    before = journal.read_bytes()

    window = window_with_recovery(qtbot, tmp_path)
    [dialog] = window.recovery_dialogs
    dialog.later_button.click()
    qtbot.waitUntil(lambda: not window.recovery_dialogs, timeout=5000)
    assert journal.read_bytes() == before
    window.close()

    again = window_with_recovery(qtbot, tmp_path)
    assert [d.case.case_id for d in again.recovery_dialogs] == [case_id]


@pytest.mark.expect_log_warnings  # no system keyring here: the journal key falls back to a 0600 file, warned
def test_several_interrupted_cases_are_asked_about_one_at_a_time(
    qtbot: QtBot, tmp_path: Path, podpora_home: Path
) -> None:
    create_identity_key()
    first, second = killed_console_case(podpora_home), killed_console_case(podpora_home)
    window = window_with_recovery(qtbot, tmp_path)
    [dialog] = window.recovery_dialogs
    assert {dialog.case.case_id, *(case.case_id for case in window.recovery_queue)} == {first, second}
    dialog.later_button.click()
    qtbot.waitUntil(lambda: bool(window.recovery_dialogs) and window.recovery_dialogs[0] is not dialog, timeout=5000)
    assert not window.recovery_queue
    assert {dialog.case.case_id, window.recovery_dialogs[0].case.case_id} == {first, second}


@pytest.mark.expect_log_warnings  # no system keyring here: the journal key falls back to a 0600 file, warned
def test_a_torn_last_write_is_set_aside_and_the_case_still_verifies(
    qtbot: QtBot, tmp_path: Path, podpora_home: Path
) -> None:
    create_identity_key()
    case_id = killed_console_case(podpora_home)
    journal = _store().journal_path(case_id)
    good = journal.read_bytes()
    with journal.open("ab") as tail:  # the crash came in the middle of a write: half a frame
        tail.write(b"\xa7\x1e\x00\x00\x01\x00partial")

    window = window_with_recovery(qtbot, tmp_path)
    [dialog] = window.recovery_dialogs
    assert dialog.case.torn
    assert "set aside" in dialog.message.text()
    dialog.finish_button.click()
    qtbot.waitUntil(lambda: dialog.export_dialog is not None, timeout=20000)
    assert journal.read_bytes().startswith(good)
    kept = list(journal.parent.glob("journal.pjournal.torn-*"))
    assert len(kept) == 1 and kept[0].read_bytes().endswith(b"partial")
    after = _store().load(case_id)
    assert [r.type for r in after.contents.records][-2:] == ["recovered", "checkpoint"]
    assert chain_verifies(case_id)


@pytest.mark.expect_log_warnings  # no system keyring here: the journal key falls back to a 0600 file, warned
def test_a_case_open_in_a_running_console_is_not_interrupted(podpora_home: Path) -> None:
    from app.cases.store import CaseInUseError
    from app.cli.case import load_technician_key

    create_identity_key()
    process, case_id = start_recording_console(podpora_home)
    try:
        store = _store()
        assert store.in_use(case_id)
        assert store.interrupted_cases() == []  # still being recorded: nothing to recover
        with pytest.raises(CaseInUseError) as caught:
            store.finish_interrupted(case_id, load_technician_key(None), now=datetime.now(UTC))
        assert case_id in caught.value.user_message
        assert not is_closed(store.load(case_id).contents)  # untouched
    finally:
        kill_console(process)
    # SIGKILL: the kernel let go of the lock with the process, so the case is now interrupted.
    assert [case.case_id for case in _store().interrupted_cases()] == [case_id]


def test_no_dialog_without_interrupted_cases(qtbot: QtBot, tmp_path: Path) -> None:
    class NoCases:
        def interrupted(self) -> list[object]:
            return []

        def finish(self, case_id: str) -> object:
            raise AssertionError(case_id)

    window = ConsoleWindow(
        UiSettings(),
        book=AddressBook(tmp_path / "none", tmp_path / "book.json"),
        recovery=NoCases(),  # type: ignore[arg-type]
    )
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.recovery_checked, timeout=5000)
    assert window.recovery_dialogs == []


def test_without_any_case_the_journal_key_is_not_touched(podpora_home: Path) -> None:
    # No keyring question and no key file at every start of a console that has never recorded a case.
    assert JournalRecovery(lambda: "en").interrupted() == []
    assert not list(podpora_home.rglob("journal.key"))


def test_local_time_is_short_for_today() -> None:
    now = datetime.now(UTC)
    assert local_time(now.isoformat()) == now.astimezone().strftime("%H:%M")
    assert local_time("2020-01-02T03:04:05Z").startswith("2020-01-0")
    assert local_time("not a time") == "not a time"
