"""The assist app: consent prompt, indicator, repair approval, the main window's flow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.assist.approval import RepairApprovalDialog
from app.ui.assist.consent import ConsentDialog
from app.ui.assist.controller import AssistController, ScriptedAssistBackend
from app.ui.assist.indicator import SessionIndicator
from app.ui.assist.models import (
    ConsentRequest,
    RepairRequest,
    SelfCheckFinding,
    SessionSummary,
    SummaryItem,
    TechnicianIdentity,
)
from app.ui.assist.window import AssistWindow
from app.ui.i18n import LanguageManager


@pytest.fixture(autouse=True)
def no_double_clicks(qapp: QApplication) -> Iterator[None]:
    """Two quick test clicks on one button must stay two clicks, not one double click."""
    hints = qapp.styleHints()
    interval = hints.mouseDoubleClickInterval()
    hints.setMouseDoubleClickInterval(0)
    yield
    hints.setMouseDoubleClickInterval(interval)


JANA = TechnicianIdentity("Jana Nováková", "IT", "Example Org", "SHA256:abc", verified=True)
REQUEST = ConsentRequest(JANA, ("view", "control", "clipboard", "diagnostics"), "Printer does not print")


def make_dialog(qtbot: QtBot, **kwargs: int) -> ConsentDialog:
    dialog = ConsentDialog(
        REQUEST, arm_delay_ms=kwargs.get("arm_delay_ms", 0), **{k: v for k, v in kwargs.items() if k != "arm_delay_ms"}
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_consent_accepts_only_checked_capabilities(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    dialog.checkboxes["control"].setChecked(False)
    dialog.checkboxes["clipboard"].setChecked(False)
    with qtbot.waitSignal(dialog.decided) as blocker:
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [frozenset({"view", "diagnostics"})]


def test_consent_close_is_deny(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    with qtbot.waitSignal(dialog.decided) as blocker:
        dialog.close()
    assert blocker.args == [frozenset()]


def test_consent_escape_is_deny(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    with qtbot.waitSignal(dialog.decided) as blocker:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert blocker.args == [frozenset()]


def test_consent_timeout_is_deny(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, timeout_seconds=1)
    with qtbot.waitSignal(dialog.decided, timeout=5000) as blocker:
        pass
    assert blocker.args == [frozenset()]
    assert not dialog.isVisible()


def test_consent_ignores_clicks_while_remote_input_is_active(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    decisions: list[object] = []
    dialog.decided.connect(decisions.append)
    dialog.set_remote_input_active(True)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.accept_button, Qt.Key.Key_Space)
    assert decisions == []
    assert dialog.guard.dropped >= 2
    dialog.set_remote_input_active(False)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert decisions == [frozenset(REQUEST.capabilities)]


def test_consent_ignores_events_sent_by_application_code(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    decisions: list[object] = []
    dialog.decided.connect(decisions.append)
    centre = QPointF(dialog.accept_button.rect().center())
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        event = QMouseEvent(
            kind,
            centre,
            centre,
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(dialog.accept_button, event)
    assert decisions == []


def test_consent_accept_is_disarmed_at_first(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, arm_delay_ms=60_000)
    assert not dialog.accept_button.isEnabled()
    assert dialog.deny_button.isDefault()


def test_consent_shows_identity_warning_and_scopes(qtbot: QtBot) -> None:
    unverified = ConsentRequest(TechnicianIdentity("Mallory"), ("view", "control"), "")
    dialog = ConsentDialog(unverified, arm_delay_ms=0)
    qtbot.addWidget(dialog)
    assert "NOT verified" in dialog.verification.text()
    assert dialog.verification.property("role") == "warning"
    assert not dialog.checkboxes["control"].isChecked()  # never pre-ticked for an unverified person
    assert set(dialog.checkboxes) == {"view", "control"}
    verified = make_dialog(qtbot)
    assert "Example Org" in verified.verification.text()
    assert "SHA256:abc" in verified.identity.text()
    assert "Printer does not print" in verified.reason.text()
    assert "contacted your IT support yourself" in verified.scam_warning.text()
    assert "end the session" in verified.how_to_stop.text()


@pytest.mark.parametrize(
    ("button", "signal"),
    [
        ("pause_button", "pause_requested"),
        ("control_button", "take_back_control_requested"),
        ("end_button", "end_requested"),
    ],
)
def test_indicator_buttons_emit_intents(qtbot: QtBot, button: str, signal: str) -> None:
    indicator = SessionIndicator("Jana")
    qtbot.addWidget(indicator)
    indicator.set_granted(frozenset({"view", "control"}))
    indicator.show()
    with qtbot.waitSignal(getattr(indicator, signal)):
        qtbot.mouseClick(getattr(indicator, button), Qt.MouseButton.LeftButton)


def test_indicator_states(qtbot: QtBot) -> None:
    indicator = SessionIndicator("Jana")
    qtbot.addWidget(indicator)
    assert indicator.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert indicator.windowFlags() & Qt.WindowType.FramelessWindowHint
    indicator.set_granted(frozenset({"view"}))
    assert indicator.status.text() == "Jana can see your screen"
    assert not indicator.control_button.isEnabled()
    indicator.set_paused(True)
    assert indicator.pause_button.text() == "Resume"
    with qtbot.waitSignal(indicator.resume_requested):
        qtbot.mouseClick(indicator.pause_button, Qt.MouseButton.LeftButton)


def test_repair_dialog_approve_decline_and_guard(qtbot: QtBot) -> None:
    request = RepairRequest("r1", "Clear the print queue", "Removes stuck jobs.", "2 jobs deleted", "Print again")
    dialog = RepairApprovalDialog(request, "Jana", arm_delay_ms=0)
    qtbot.addWidget(dialog)
    dialog.show()
    decisions: list[tuple[str, bool]] = []
    dialog.decided.connect(lambda rid, ok: decisions.append((rid, ok)))
    dialog.set_remote_input_active(True)
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    assert decisions == []
    dialog.set_remote_input_active(False)
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    assert decisions == [("r1", True)]
    second = RepairApprovalDialog(request, "Jana", arm_delay_ms=0)
    qtbot.addWidget(second)
    second.show()
    with qtbot.waitSignal(second.decided) as blocker:
        second.close()
    assert blocker.args == ["r1", False]


@pytest.fixture
def assist(qtbot: QtBot, languages: LanguageManager) -> tuple[AssistWindow, AssistController, ScriptedAssistBackend]:
    backend = ScriptedAssistBackend()
    controller = AssistController(
        backend, self_check=lambda: [SelfCheckFinding("Disk space", "warning", "Your disk is 95% full.")]
    )
    window = AssistWindow(controller, languages, prompt_arm_delay_ms=0)
    qtbot.addWidget(window)
    window.show()
    return window, controller, backend


def test_assist_full_flow(
    qtbot: QtBot, assist: tuple[AssistWindow, AssistController, ScriptedAssistBackend], tmp_path: Path
) -> None:
    window, controller, backend = assist
    qtbot.mouseClick(window.get_help_button, Qt.MouseButton.LeftButton)
    assert ("start_help", None) in backend.calls
    controller.report_code("482913", 600)
    qtbot.waitUntil(lambda: window.code_label.text() == "482 913")
    assert "10:00" in window.code_validity.text() or "9:59" in window.code_validity.text()
    controller.report_consent_request(REQUEST)
    qtbot.waitUntil(lambda: window.consent_dialog is not None)
    assert ("set_prompt_open", True) in backend.calls
    dialog = window.consent_dialog
    assert dialog is not None
    dialog.checkboxes["clipboard"].setChecked(False)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert ("answer_consent", frozenset({"view", "control", "diagnostics"})) in backend.calls
    assert backend.calls[-1] == ("set_prompt_open", False)
    controller.report_granted(frozenset({"view", "control"}))
    controller.report_state("active")
    qtbot.waitUntil(lambda: window.indicator is not None)
    assert window.indicator is not None
    assert window.indicator.status.text() == "Jana Nováková can see and control your screen"
    qtbot.mouseClick(window.indicator.control_button, Qt.MouseButton.LeftButton)
    assert ("revoke_control", None) in backend.calls
    controller.report_chat("Jana", "Hello!")
    qtbot.waitUntil(lambda: "Hello!" in window.chat.transcript.toPlainText())
    window.chat.input.setText("Hi Jana")
    qtbot.mouseClick(window.chat.send_button, Qt.MouseButton.LeftButton)
    assert ("send_chat", "Hi Jana") in backend.calls
    # The rating is on the session page: only while connected can it reach the technician's case.
    assert window.rating_box.isVisibleTo(window.session_page)
    assert not window.send_feedback_button.isEnabled()
    qtbot.mouseClick(window.rating.buttons[3], Qt.MouseButton.LeftButton)
    window.comment.setPlainText("Quick and kind")
    qtbot.mouseClick(window.send_feedback_button, Qt.MouseButton.LeftButton)
    assert ("send_feedback", (4, "Quick and kind")) in backend.calls
    assert not window.send_feedback_button.isEnabled() and not window.rating.buttons[0].isEnabled()
    controller.report_ended(
        SessionSummary(JANA, 12, (SummaryItem("Cleared the print queue", "Print the document again"),), "RM-42")
    )
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.summary_page)
    assert window.indicator is None
    text = window.summary_text.toPlainText()
    assert "12 minutes" in text and "Cleared the print queue" in text and "RM-42" in text
    assert "You rated this session 4 out of 5." in text
    target = tmp_path / "copy.txt"
    window.save_copy_to(target)
    qtbot.waitUntil(target.exists)
    qtbot.waitUntil(lambda: "Cleared the print queue" in target.read_text(encoding="utf-8"))


def test_assist_denial_and_self_check(
    qtbot: QtBot, assist: tuple[AssistWindow, AssistController, ScriptedAssistBackend]
) -> None:
    window, controller, backend = assist
    controller.report_consent_request(REQUEST)
    qtbot.waitUntil(lambda: window.consent_dialog is not None)
    assert window.consent_dialog is not None
    window.consent_dialog.close()
    assert ("answer_consent", frozenset()) in backend.calls
    assert "Nothing was shared" in window.code_status.text()
    window.pages.setCurrentWidget(window.start_page)
    qtbot.mouseClick(window.self_check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findings_list.count() == 1)
    assert "Disk space" in window.findings_list.item(0).text()
    assert "1 thing" in window.self_check_status.text()
