"""Shortcuts in Settings: a key already used by another command is refused, a new key is saved and works at once."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.ui.console.addressbook import AddressBook
from app.ui.console.settings_dialog import SettingsDialog
from app.ui.console.window import ConsoleWindow
from app.ui.settings import DEFAULT_SHORTCUTS, UiSettings


def press(qtbot: QtBot, dialog: SettingsDialog, command: str, keys: str) -> None:
    """Type a key chord into the command's field as the technician would, then leave the field."""
    edit = dialog.shortcut_edits[command]
    edit.setFocus()
    sequence = QKeySequence(keys)[0]
    qtbot.keyClick(edit, sequence.key(), sequence.keyboardModifiers())  # one chord finishes the edit


def test_a_taken_key_is_refused_and_a_new_key_is_saved_and_applied_at_once(qtbot: QtBot, tmp_path: Path) -> None:
    settings = UiSettings()
    window = ConsoleWindow(settings, book=AddressBook(tmp_path / "none", tmp_path / "book.json"))
    qtbot.addWidget(window)
    assert window.connect_action.shortcut() == QKeySequence("Ctrl+N")
    dialog = window.open_settings()
    dialog.tabs.setCurrentIndex(4)

    edit = dialog.shortcut_edits["connect"]
    edit.clear()
    press(qtbot, dialog, "connect", "Ctrl+Q")  # Quit has it
    assert edit.keySequence() == QKeySequence("Ctrl+N")
    assert "already the shortcut for “Quit”" in dialog.shortcut_status.text()

    edit.clear()
    press(qtbot, dialog, "connect", "Ctrl+K")
    assert edit.keySequence() == QKeySequence("Ctrl+K") and dialog.shortcut_status.text() == ""
    dialog.shortcut_edits["end_session"].clear()  # the clear button: no shortcut for that command
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    assert window.connect_action.shortcut() == QKeySequence("Ctrl+K")  # at once, no restart
    assert window.end_action.shortcut().isEmpty()
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    saved = UiSettings.load()
    assert saved.shortcuts["connect"] == "Ctrl+K" and saved.shortcuts["end_session"] == ""

    # The new key works in the window; the old one no longer connects.
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    opened: list[str] = []
    window.open_connect_dialog = lambda target="": opened.append(target)  # type: ignore[method-assign]
    focus = window.address_book.list
    focus.setFocus()
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # via the shortcut map
    qtbot.waitUntil(lambda: opened == [""])
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [""]


def test_reset_and_a_hand_edited_file_with_a_conflict(qtbot: QtBot, podpora_home: Path) -> None:
    UiSettings.path().parent.mkdir(parents=True, exist_ok=True)
    UiSettings.path().write_text(json.dumps({"shortcuts": {"connect": "Ctrl+Q", "quit": "Ctrl+Q", "bogus": "F1"}}))
    assert UiSettings.load().shortcuts == DEFAULT_SHORTCUTS  # one key for two commands: the defaults
    UiSettings.path().write_text(json.dumps({"shortcuts": {"connect": "F5", "bogus": "F1"}}))
    loaded = UiSettings.load()
    assert loaded.shortcuts == DEFAULT_SHORTCUTS | {"connect": "F5"}
    dialog = SettingsDialog(loaded)
    qtbot.addWidget(dialog)
    assert dialog.shortcut_edits["connect"].keySequence() == QKeySequence("F5")
    dialog.reset_shortcuts()
    assert dialog.shortcut_edits["connect"].keySequence() == QKeySequence("Ctrl+N")
