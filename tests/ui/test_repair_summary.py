"""The user's end-of-session summary lists every change that ran, and who approved it — including a change the
technician ran over their own SSH link (no diagnostics consent), which the console reports to the assist app with a
``ChangeReport`` protocol message (a script id; the title and undo come from the user's own library)."""

from __future__ import annotations

from collections.abc import Sequence

from pytestqt.qtbot import QtBot

from app.ui.assist.controller import AssistController
from app.ui.assist.window import AssistWindow
from app.ui.assist.wiring import AgentAssistBackend
from app.ui.console.diagnostics_panel import CheckRow, ProgressCallback, RepairView, ScriptEntry
from app.ui.diagnostics_wiring import AgentDiagnostics, SessionDiagnostics


class OverSsh:
    """A technician-side runner whose repair the technician approved and which ran."""

    def __init__(self, approved: bool) -> None:
        self.approved = approved

    def list_scripts(self) -> Sequence[ScriptEntry]:
        return [ScriptEntry("clear_print_queue", "Clear the print queue", "repair")]

    def run(self, script_ids: Sequence[str], progress: ProgressCallback) -> Sequence[CheckRow]:
        return []

    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        return RepairView(repair_id, approved=self.approved, ran=self.approved)


class InAgent:
    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        raise AssertionError("without diagnostics consent nothing runs inside the agent")


def test_the_console_reports_a_change_it_ran_over_ssh_and_only_then() -> None:
    reported: list[str] = []
    approved = SessionDiagnostics(OverSsh(True), InAgent(), lambda: False, report_change=reported.append)  # type: ignore[arg-type]
    approved.repair("clear_print_queue", lambda *_: None)
    assert reported == ["clear_print_queue"]
    declined = SessionDiagnostics(OverSsh(False), InAgent(), lambda: False, report_change=reported.append)  # type: ignore[arg-type]
    declined.repair("clear_print_queue", lambda *_: None)
    assert reported == ["clear_print_queue"]  # a declined change is not reported


def test_a_chat_line_that_looks_like_a_report_stays_a_chat_line(qtbot: QtBot) -> None:
    """Only the protocol message adds to the summary: a technician cannot type a change into it."""
    backend = AgentAssistBackend(listen=0)
    controller = AssistController(backend)
    backend.bind(controller)
    window = AssistWindow(controller, prompt_arm_delay_ms=0)
    qtbot.addWidget(window)
    diagnostics = AgentDiagnostics(send=lambda _message: None, approve=lambda _request: True, language=lambda: "en")
    backend.diagnostics = diagnostics
    backend._on_state("active", frozenset({"view"}), False)
    backend._on_chat("[podpora-change clear_print_queue] Your technician ran a change on your computer.")
    qtbot.waitUntil(lambda: "podpora-change" in window.chat.transcript.toPlainText())
    assert diagnostics.changes == []


def test_the_summary_lists_each_change_with_who_approved_it(qtbot: QtBot) -> None:
    backend = AgentAssistBackend(listen=0)
    controller = AssistController(backend)
    backend.bind(controller)
    window = AssistWindow(controller, prompt_arm_delay_ms=0)
    qtbot.addWidget(window)
    diagnostics = AgentDiagnostics(send=lambda _message: None, approve=lambda _request: True, language=lambda: "en")
    backend.diagnostics = diagnostics
    backend.consent.technician = backend.consent.technician.__class__("Petr Svoboda", verified=True)
    backend._on_state("active", frozenset({"view", "diagnostics"}), False)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.session_page)
    # The user approved one change in this app (AgentDiagnostics lists it so), the technician ran another.
    diagnostics.changes.append(("Free space: delete old temporary files", "Programs recreate them.", "user"))
    backend._on_change_report("clear_print_queue")
    qtbot.waitUntil(lambda: "approved it themselves" in window.chat.transcript.toPlainText())
    backend._on_ended("stopped by the technician")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.summary_page)
    text = window.summary_text.toPlainText()
    assert "• Free space: delete old temporary files (approved by you)" in text
    # The title and undo come from the user's own verified library, not from the technician.
    title = diagnostics.catalog().get("clear_print_queue").manifest.title.get("en")
    assert f"• {title} (approved by Petr Svoboda, not by you)" in text
