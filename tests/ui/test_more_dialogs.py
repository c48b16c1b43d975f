"""Remaining dialogs and controller paths: first-run assistant, passphrase and yes/no questions from a
worker thread, repair timeout, a consent prompt the agent withdraws, the gateway session number."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.ui.assist.approval import RepairApprovalDialog
from app.ui.assist.controller import AssistController, ScriptedAssistBackend
from app.ui.assist.models import ConsentRequest, RepairRequest, TechnicianIdentity
from app.ui.assist.window import AssistWindow
from app.ui.console.addressbook import AddressBook
from app.ui.console.dialogs import GuiAsker, PassphraseDialog
from app.ui.console.settings_dialog import FirstRunWizard
from app.ui.console.window import ConsoleWindow
from app.ui.settings import UiSettings


def test_first_run_wizard_creates_key_and_saves(qtbot: QtBot, podpora_home: Path) -> None:
    settings = UiSettings()
    wizard = FirstRunWizard(settings)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.name.setText("Jana Nováková")
    wizard.create_key_button.click()
    qtbot.waitUntil(lambda: "Key created" in wizard.identity_status.text())
    wizard.connector_kind.setCurrentText("redmine")
    wizard.connector_url.setText("https://helpdesk.example.org")
    wizard.accept()
    qtbot.waitUntil(lambda: UiSettings.load().first_run_done)
    saved = UiSettings.load()
    assert saved.technician_name == "Jana Nováková"
    assert (saved.connector.kind, saved.connector.url) == ("redmine", "https://helpdesk.example.org")


def make_console(qtbot: QtBot, tmp_path: Path) -> ConsoleWindow:
    window = ConsoleWindow(UiSettings(), book=AddressBook(tmp_path / "none", tmp_path / "book.json"))
    qtbot.addWidget(window)
    return window


def test_passphrase_asked_from_a_worker_thread(qtbot: QtBot, tmp_path: Path) -> None:
    asker = GuiAsker(make_console(qtbot, tmp_path), timeout=30)
    answers: list[str | None] = []
    worker = threading.Thread(target=lambda: answers.append(asker.ask_passphrase(Path("/keys/id_ed25519"))))
    worker.start()
    qtbot.waitUntil(lambda: len(asker.open_dialogs) == 1)
    dialog = asker.open_dialogs[0]
    assert isinstance(dialog, PassphraseDialog)
    assert "/keys/id_ed25519" in dialog.label.text()
    dialog.passphrase.setText("correct horse")
    dialog.accept()
    qtbot.waitUntil(lambda: answers == ["correct horse"])
    worker.join(10)
    worker = threading.Thread(target=lambda: answers.append(asker.ask_passphrase("/keys/other")))
    worker.start()
    qtbot.waitUntil(lambda: len(asker.open_dialogs) == 1)
    asker.open_dialogs[0].reject()
    qtbot.waitUntil(lambda: answers == ["correct horse", None])  # cancel: no passphrase
    worker.join(10)


def test_yes_no_question_defaults_to_no(qtbot: QtBot, tmp_path: Path) -> None:
    asker = GuiAsker(make_console(qtbot, tmp_path), timeout=30)
    answers: list[bool] = []
    worker = threading.Thread(target=lambda: answers.append(asker.ask_yes_no("Restart CUPS?", "It stops printing.")))
    worker.start()
    qtbot.waitUntil(lambda: len(asker.open_dialogs) == 1)
    box = asker.open_dialogs[0]
    assert isinstance(box, QMessageBox)
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: answers == [True])
    worker.join(10)


def test_repair_approval_times_out_as_decline(qtbot: QtBot) -> None:
    request = RepairRequest("r2", "Restart a service", "Restarts CUPS.", "Printing stops for a moment.", "Nothing")
    dialog = RepairApprovalDialog(request, "Jana", timeout_seconds=1, arm_delay_ms=0)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.decided, timeout=5000) as blocker:
        pass
    assert blocker.args == ["r2", False]
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_agent_withdrawn_prompt_closes_as_refusal_and_gateway_number_shows(qtbot: QtBot) -> None:
    backend = ScriptedAssistBackend()
    controller = AssistController(backend)
    window = AssistWindow(controller, prompt_arm_delay_ms=0)
    qtbot.addWidget(window)
    window.show()
    controller.report_code("123-456-789", 600)
    controller.report_session_number(40123)
    qtbot.waitUntil(lambda: window.code_number.isVisible())
    assert window.code_label.text() == "123-456-789"
    assert "40123" in window.code_number.text()
    controller.report_consent_request(ConsentRequest(TechnicianIdentity("Jana"), ("view",), "", seconds_to_answer=20))
    qtbot.waitUntil(lambda: window.consent_dialog is not None)
    dialog = window.consent_dialog
    assert dialog is not None and dialog.timeout_seconds == 20  # the agent's own deadline wins
    controller.report_consent_dismissed()
    qtbot.waitUntil(lambda: window.consent_dialog is None)
    assert ("answer_consent", frozenset()) in backend.calls
    assert backend.calls[-1] == ("set_prompt_open", False)


def test_report_window_shows_the_html(qtbot: QtBot, tmp_path: Path) -> None:
    from app.ui.report_viewer import ReportWindow

    report = tmp_path / "report.html"
    report.write_text("<html><body><h1>Case RM-7</h1><p>Printer queue cleared.</p></body></html>", encoding="utf-8")
    window = ReportWindow(report)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "Printer queue cleared." in window.browser.toPlainText())
    assert "report.html" in window.windowTitle()
