""" "Check my computer": the verified info scripts of the real library, run locally, shown in plain language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.assist.controller import AssistController, ScriptedAssistBackend
from app.ui.assist.window import AssistWindow
from app.ui.assist.wiring import make_self_check
from app.ui.i18n import LanguageManager


@pytest.mark.slow
def test_self_check_runs_the_library_locally_in_czech(qtbot: QtBot, languages: LanguageManager) -> None:
    languages.apply("cs")
    controller = AssistController(ScriptedAssistBackend(), self_check=make_self_check(lambda: languages.language))
    window = AssistWindow(controller, languages)
    qtbot.addWidget(window)
    window.show()
    assert window.self_check_button.isEnabled()
    qtbot.mouseClick(window.self_check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findings_list.count() > 0, timeout=60000)
    statuses = {
        window.findings_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.findings_list.count())
    }
    assert statuses <= {"ok", "warning", "fail", "error"}
    assert "ok" in statuses  # some checks pass on this machine
    status = window.self_check_status.text()
    assert "Vše, co jsme zkontrolovali" in status or "Našli jsme" in status
