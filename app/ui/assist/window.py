"""The end user's window: get help, read out a code, see what happens, chat, and the summary at the end.

Large calm text, one clear primary button per screen, and every step said in words.  The window is a view:
it shows what :class:`AssistController` reports and hands every user action back to it.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.assist.approval import RepairApprovalDialog
from app.ui.assist.consent import ConsentDialog
from app.ui.assist.controller import AssistController
from app.ui.assist.indicator import SessionIndicator
from app.ui.assist.models import ConsentRequest, RepairRequest, SelfCheckFinding, SessionSummary
from app.ui.i18n import LanguageManager
from app.ui.settings import UiSettings
from app.ui.theme import SPACING, large_text_stylesheet
from app.ui.widgets.chat import ChatWidget
from app.ui.widgets.common import LanguagePicker, RatingRow
from app.ui.worker import run_in_background


def _page() -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(SPACING * 5, SPACING * 4, SPACING * 5, SPACING * 4)
    layout.setSpacing(SPACING * 2)
    return page, layout


def _text(role: str | None = None) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    if role:
        label.setProperty("role", role)
    return label


def _status_icon(colour: str, size: int = 18) -> QIcon:
    """A traffic-light dot (colour is never the only signal: the status is also written out)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(2, 2, size - 4, size - 4)
    painter.end()
    return QIcon(pixmap)


class AssistWindow(QMainWindow):
    """The assist app's main window."""

    def __init__(
        self,
        controller: AssistController,
        languages: LanguageManager | None = None,
        *,
        consent_timeout_seconds: int = 60,
        prompt_arm_delay_ms: int = 1500,
        brand_name: str = "Podpora",
    ) -> None:
        super().__init__()
        self.controller = controller
        self.languages = languages
        self.consent_timeout_seconds = consent_timeout_seconds
        self.prompt_arm_delay_ms = prompt_arm_delay_ms
        self.indicator: SessionIndicator | None = None
        self.consent_dialog: ConsentDialog | None = None
        self.repair_dialogs: list[RepairApprovalDialog] = []
        self.summary: SessionSummary | None = None
        self.technician_name = ""
        self.granted: frozenset[str] = frozenset()
        self.code_expires_at = 0.0
        self.state = "idle"
        self.feedback_sent = False
        self.findings: list[SelfCheckFinding] = []

        self.setStyleSheet(large_text_stylesheet())  # end users: larger, calmer text than the console

        self.language_picker = LanguagePicker(languages.language if languages else "en")
        self.language_picker.language_picked.connect(self._switch_language)
        self.notice = _text("warning")
        self.notice.hide()
        header = QHBoxLayout()
        header.setContentsMargins(SPACING * 2, SPACING, SPACING * 2, 0)
        self.brand = QLabel(brand_name)  # the organisation's own name for the app, when it rolled one out
        self.brand.setStyleSheet("font-weight: 700;")
        header.addWidget(self.brand)
        header.addStretch(1)
        header.addWidget(self.language_picker)

        self.pages = QStackedWidget()
        self._build_start_page()
        self._build_code_page()
        self._build_session_page()
        self._build_summary_page()
        self._build_self_check_page()

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, SPACING)
        outer.addLayout(header)
        outer.addWidget(self.notice)
        outer.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.resize(720, 560)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._show_code_validity)

        controller.code_issued.connect(self.show_code)
        controller.state_changed.connect(self.show_state)
        controller.consent_requested.connect(self.ask_consent)
        controller.consent_dismissed.connect(self._consent_dismissed)
        controller.session_number.connect(self._show_session_number)
        controller.granted_changed.connect(self.show_granted)
        controller.remote_input_active_changed.connect(self._remote_input_changed)
        controller.chat_received.connect(self._chat_received)
        controller.repair_requested.connect(self.ask_repair)
        controller.changed_by_technician.connect(self._changed_by_technician)
        controller.session_ended.connect(self.show_summary)
        controller.problem.connect(self.show_problem)
        controller.self_check_done.connect(self._self_check_done)
        controller.self_check_failed.connect(self._self_check_failed)
        self.retranslate()

    # ----- pages -----
    def _build_start_page(self) -> None:
        page, layout = _page()
        self.start_title = _text("title")
        self.start_text = _text()
        self.get_help_button = QPushButton()
        self.get_help_button.setProperty("primary", True)
        self.get_help_button.setMinimumHeight(56)
        self.self_check_button = QPushButton()
        self.self_check_button.setMinimumHeight(44)
        self.self_check_text = _text("subtle")
        layout.addWidget(self.start_title)
        layout.addWidget(self.start_text)
        layout.addSpacing(SPACING * 2)
        layout.addWidget(self.get_help_button)
        layout.addSpacing(SPACING * 2)
        layout.addWidget(self.self_check_button)
        layout.addWidget(self.self_check_text)
        layout.addStretch(1)
        self.get_help_button.clicked.connect(self._get_help)
        self.self_check_button.clicked.connect(self._self_check)
        self.start_page = page
        self.pages.addWidget(page)

    def _build_code_page(self) -> None:
        page, layout = _page()
        self.code_title = _text("title")
        self.code_label = QLabel()
        self.code_label.setProperty("role", "code")
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_number = _text()
        self.code_number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_number.hide()
        self.session_number_value = 0
        self.code_validity = _text("subtle")
        self.code_validity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_status = _text()
        self.code_next = _text()
        self.cancel_button = QPushButton()
        layout.addWidget(self.code_title)
        layout.addWidget(self.code_label)
        layout.addWidget(self.code_number)
        layout.addWidget(self.code_validity)
        layout.addWidget(self.code_status)
        layout.addWidget(self.code_next)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.cancel_button.clicked.connect(self._cancel)
        self.code_page = page
        self.pages.addWidget(page)

    def _build_session_page(self) -> None:
        page, layout = _page()
        self.session_title = _text("title")
        self.session_text = _text()
        self.chat = ChatWidget()
        self.chat.message_sent.connect(self._send_chat)
        layout.addWidget(self.session_title)
        layout.addWidget(self.session_text)
        layout.addWidget(self.chat, 1)
        layout.addWidget(self._build_rating_box())
        self.session_page = page
        self.pages.addWidget(page)

    def _build_rating_box(self) -> QWidget:
        """The rating, on the session page: it can reach the technician's case only while connected."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rating_question = _text()
        self.rating = RatingRow()
        self.comment = QTextEdit()
        self.comment.setMaximumHeight(70)
        self.send_feedback_button = QPushButton()
        self.send_feedback_button.setProperty("primary", True)
        self.send_feedback_button.setEnabled(False)
        layout.addWidget(self.rating_question)
        layout.addWidget(self.rating)
        row = QHBoxLayout()
        row.addWidget(self.comment, 1)
        row.addWidget(self.send_feedback_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(row)
        self.rating.rating_changed.connect(lambda _: self.send_feedback_button.setEnabled(not self.feedback_sent))
        self.send_feedback_button.clicked.connect(self._send_feedback)
        self.rating_box = box
        return box

    def _build_summary_page(self) -> None:
        page, layout = _page()
        self.summary_title = _text("title")
        self.summary_text = QTextEdit()
        self.summary_text.setReadOnly(True)
        self.save_copy_button = QPushButton()
        self.summary_status = _text("subtle")
        layout.addWidget(self.summary_title)
        layout.addWidget(self.summary_text, 1)
        row = QHBoxLayout()
        row.addWidget(self.summary_status, 1)
        row.addWidget(self.save_copy_button)
        layout.addLayout(row)
        self.save_copy_button.clicked.connect(self._save_copy)
        self.summary_page = page
        self.pages.addWidget(page)

    def _build_self_check_page(self) -> None:
        page, layout = _page()
        self.self_check_title = _text("title")
        self.self_check_status = _text()
        self.findings_list = QListWidget()
        self.findings_list.setWordWrap(True)
        self.findings_list.setIconSize(QSize(18, 18))
        self.back_button = QPushButton()
        layout.addWidget(self.self_check_title)
        layout.addWidget(self.self_check_status)
        layout.addWidget(self.findings_list, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.back_button)
        layout.addLayout(row)
        self.back_button.clicked.connect(lambda: self.pages.setCurrentWidget(self.start_page))
        self.self_check_page = page
        self.pages.addWidget(page)

    # ----- texts -----
    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Podpora – Get help"))
        self.start_title.setText(self.tr("Get help from your IT support"))
        self.start_text.setText(
            self.tr(
                "Press the button below. You will get a short code to read out to your technician. "
                "Nothing is shared until you agree."
            )
        )
        self.get_help_button.setText(self.tr("Get help"))
        self.self_check_button.setText(self.tr("Check my computer"))
        self.self_check_text.setText(
            self.tr("Runs a few quick checks here on your computer and explains what it finds. Nothing is sent.")
        )
        self.self_check_button.setEnabled(self.controller.self_check is not None)
        self.code_title.setText(self.tr("Read this code to your technician"))
        self.code_next.setText(
            self.tr(
                "What happens next: your technician types the code. Then you see who they are and what they "
                "ask for, and you decide. You can end the session at any time."
            )
        )
        self.cancel_button.setText(self.tr("Cancel"))
        self.code_number.setText(self.tr("Session number: {number}").format(number=self.session_number_value))
        self._show_code_validity()
        self._show_code_status()
        self.session_title.setText(self.tr("You are being helped"))
        self._show_session_text()
        self.summary_title.setText(self.tr("The session has ended"))
        self.rating_question.setText(
            self.tr("Thank you! Your rating was sent.")
            if self.feedback_sent
            else self.tr("When your technician is done: how helpful was this session? Your rating goes into the case.")
        )
        self.comment.setPlaceholderText(self.tr("Anything you want to add (optional)"))
        self.save_copy_button.setText(self.tr("Save a copy…"))
        self.send_feedback_button.setText(self.tr("Send rating"))
        if self.summary is not None:
            self.summary_text.setPlainText(self.summary_as_text())
        self.self_check_title.setText(self.tr("Check my computer"))
        self.back_button.setText(self.tr("Back"))
        self._show_findings()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _switch_language(self, language: str) -> None:
        if self.languages is not None:
            self.languages.apply(language)

        def remember() -> None:
            settings = UiSettings.load()
            settings.language = language
            settings.save()

        run_in_background(remember, lambda _: None, lambda _: None, self)

    # ----- controller reports -----
    def show_code(self, code: str, seconds_valid: int) -> None:
        """Show a (new) session code and its validity."""
        self.state = "waiting"
        self.show_problem("")  # an earlier problem (e.g. the port was busy) is over
        grouped = " ".join(code[i : i + 3] for i in range(0, len(code), 3)) if "-" not in code else code
        self.code_label.setText(grouped)
        self.code_expires_at = time.monotonic() + seconds_valid
        self._countdown.start()
        self._show_code_validity()
        self._show_code_status()
        self.pages.setCurrentWidget(self.code_page)

    def show_state(self, state: str) -> None:
        """Say in words what is happening now."""
        self.state = state
        if self.indicator is not None and state in ("active", "paused", "resumed", "disconnected"):
            self.indicator.set_disconnected(state == "disconnected")
        if state == "active":
            self._countdown.stop()
            self.pages.setCurrentWidget(self.session_page)
            self._ensure_indicator()
        elif state == "paused" and self.indicator is not None:
            self.indicator.set_paused(True)
        elif state == "resumed":
            self.state = "active"
            if self.indicator is not None:
                self.indicator.set_paused(False)
        elif state == "idle":
            self._countdown.stop()
            self.pages.setCurrentWidget(self.start_page)
        self._show_code_status()
        self._show_session_text()

    def ask_consent(self, request: ConsentRequest) -> None:
        """Open the consent prompt (it never blocks the event loop)."""
        self.technician_name = request.technician.name
        self.state = "consent"
        self._show_code_status()
        dialog = ConsentDialog(
            request,
            timeout_seconds=min(self.consent_timeout_seconds, max(1, request.seconds_to_answer)),
            arm_delay_ms=self.prompt_arm_delay_ms,
            parent=self,
        )
        dialog.set_remote_input_active(self.controller.remote_input_active)
        dialog.decided.connect(self._consent_decided)
        self.consent_dialog = dialog
        self.controller.prompt_opened()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _show_session_number(self, number: int) -> None:
        self.session_number_value = number
        self.code_number.setText(self.tr("Session number: {number}").format(number=number))
        self.code_number.setVisible(number > 0)

    def _consent_dismissed(self) -> None:
        if self.consent_dialog is not None:
            self.consent_dialog.deny()

    def _consent_decided(self, granted: frozenset[str]) -> None:
        self.controller.answer_consent(granted)
        self.controller.prompt_closed()
        self.consent_dialog = None
        if not granted:
            self.state = "denied"
            self._show_code_status()

    def show_granted(self, granted: frozenset[str]) -> None:
        """The capabilities in force changed."""
        self.granted = frozenset(granted)
        if self.indicator is not None:
            self.indicator.set_granted(self.granted)
        self._show_session_text()

    def ask_repair(self, request: RepairRequest) -> None:
        """Open an approval prompt for one repair."""
        dialog = RepairApprovalDialog(request, self.technician_name, arm_delay_ms=self.prompt_arm_delay_ms, parent=self)
        dialog.set_remote_input_active(self.controller.remote_input_active)
        dialog.decided.connect(self._repair_decided)
        self.repair_dialogs.append(dialog)
        self.controller.prompt_opened()
        dialog.show()
        dialog.raise_()

    def _repair_decided(self, request_id: str, approved: bool) -> None:
        self.controller.answer_repair(request_id, approved)
        self.controller.prompt_closed()
        self.repair_dialogs = [d for d in self.repair_dialogs if d.request.request_id != request_id]
        if approved:
            self.chat.add_notice(self.tr("You approved a change."))
        else:
            self.chat.add_notice(self.tr("You declined a change."))

    def _changed_by_technician(self, title: str) -> None:
        name = self.technician_name or self.tr("Your technician")
        self.chat.add_notice(
            self.tr("{name} made a change on your computer and approved it themselves: {title}").format(
                name=name, title=title
            )
        )

    def show_summary(self, summary: SessionSummary) -> None:
        """The session ended: show what was done and ask for a rating."""
        self.summary = summary
        self.state = "ended"
        self._countdown.stop()
        if self.indicator is not None:
            self.indicator.hide()
            self.indicator.deleteLater()
            self.indicator = None
        if self.consent_dialog is not None:
            self.consent_dialog.deny()
        self.summary_text.setPlainText(self.summary_as_text())
        self.pages.setCurrentWidget(self.summary_page)
        self.show()
        self.raise_()

    def show_problem(self, text: str) -> None:
        """Show a plain-language problem above the current page."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # ----- derived texts -----
    def summary_as_text(self) -> str:
        """The summary in plain language, as the user sees and saves it."""
        summary = self.summary
        if summary is None:
            return ""
        lines = [
            self.tr("{name} helped you for %n minute(s).", "", summary.minutes).format(name=summary.technician.name)
        ]
        if summary.case_reference:
            lines.append(self.tr("Case: {reference}").format(reference=summary.case_reference))
        lines.append("")
        if summary.items:
            lines.append(self.tr("What was done:"))
            approvers = {
                "user": self.tr("approved by you"),
                "technician": self.tr("approved by {name}, not by you").format(name=summary.technician.name),
            }
            for item in summary.items:
                who = approvers.get(item.approved_by)
                lines.append(f"• {item.text}" + (f" ({who})" if who else ""))
                if item.undo:
                    lines.append("  " + self.tr("To undo: {undo}").format(undo=item.undo))
        else:
            lines.append(self.tr("Nothing on your computer was changed."))
        if self.feedback_sent:
            lines.append("")
            lines.append(self.tr("You rated this session {rating} out of 5.").format(rating=self.rating.rating))
        return "\n".join(lines)

    def _show_code_validity(self) -> None:
        if not self.code_expires_at:
            self.code_validity.setText("")
            return
        remaining = max(0, int(self.code_expires_at - time.monotonic()))
        if remaining == 0:
            self.code_validity.setText(self.tr("This code has expired. Press Cancel and ask for a new one."))
            self._countdown.stop()
            return
        minutes, seconds = divmod(remaining, 60)
        self.code_validity.setText(
            self.tr("The code is valid for {minutes}:{seconds:02d} more.").format(minutes=minutes, seconds=seconds)
        )

    def _show_code_status(self) -> None:
        texts = {
            "waiting": self.tr("Waiting for your technician to enter the code…"),
            "connecting": self.tr("Your technician is connecting…"),
            "consent": self.tr("Your technician is connected. Please answer the question on your screen."),
            "denied": self.tr("You refused. Nothing was shared. You can close this window."),
        }
        self.code_status.setText(texts.get(self.state, ""))

    def _show_session_text(self) -> None:
        name = self.technician_name or self.tr("Your technician")
        if self.state == "disconnected":
            # Truthful while the technician's link is down: nothing is shared and no input is applied.
            text = self.tr(
                "{name} is disconnected and cannot see or control anything. Waiting for them to return…"
            ).format(name=name)
        elif self.state == "paused":
            text = self.tr("The session is paused. {name} cannot see your screen.").format(name=name)
        elif "control" in self.granted:
            text = self.tr("{name} can see your screen and use your mouse and keyboard.").format(name=name)
        elif "view" in self.granted:
            text = self.tr("{name} can see your screen.").format(name=name)
        else:
            text = self.tr("{name} is connected. You can chat here.").format(name=name)
        self.session_text.setText(text)

    def _show_findings(self) -> None:
        self.findings_list.clear()
        labels = {
            "ok": self.tr("OK"),
            "warning": self.tr("Worth a look"),
            "fail": self.tr("Problem"),
            "error": self.tr("Could not check"),
        }
        colours = {"ok": "#15803d", "warning": "#b45309", "fail": "#b91c1c", "error": "#6b7280"}
        for finding in self.findings:
            item = QListWidgetItem(
                _status_icon(colours.get(finding.status, "#6b7280")),
                f"{labels.get(finding.status, finding.status)} – {finding.title}\n{finding.explanation}",
            )
            item.setData(Qt.ItemDataRole.UserRole, finding.status)
            item.setToolTip(finding.explanation)
            self.findings_list.addItem(item)

    # ----- user actions -----
    def _get_help(self) -> None:
        self.state = "waiting"
        self.code_label.setText("…")
        self.pages.setCurrentWidget(self.code_page)
        self._show_code_status()
        self.controller.request_help()

    def _cancel(self) -> None:
        self.controller.cancel_help()
        self.code_expires_at = 0.0
        self._countdown.stop()
        self.state = "idle"
        self.pages.setCurrentWidget(self.start_page)

    def _self_check(self) -> None:
        if self.controller.run_self_check():
            self.findings = []
            self._show_findings()
            self.self_check_status.setText(self.tr("Checking your computer… this takes a few seconds."))
            self.pages.setCurrentWidget(self.self_check_page)

    def _self_check_done(self, findings: list[SelfCheckFinding]) -> None:
        self.findings = list(findings)
        problems = sum(1 for f in self.findings if f.status in {"warning", "fail"})
        if problems:
            self.self_check_status.setText(self.tr("Found %n thing(s) worth a look.", "", problems))
        else:
            self.self_check_status.setText(self.tr("Everything we checked looks fine."))
        self._show_findings()

    def _self_check_failed(self, detail: str) -> None:
        self.self_check_status.setText(self.tr("The check could not run: {detail}").format(detail=detail))

    def _send_chat(self, text: str) -> None:
        self.controller.send_chat(text)
        self.chat.add_message(self.tr("You"), text, mine=True)

    def _chat_received(self, sender: str, text: str) -> None:
        self.chat.add_message(sender, text)

    def _remote_input_changed(self, active: bool) -> None:
        self.controller.remote_input_active = active
        if self.consent_dialog is not None:
            self.consent_dialog.set_remote_input_active(active)
        for dialog in self.repair_dialogs:
            dialog.set_remote_input_active(active)

    def _ensure_indicator(self) -> None:
        if self.indicator is not None:
            self.indicator.show()
            return
        indicator = SessionIndicator(self.technician_name or self.tr("Your technician"))
        indicator.set_granted(self.granted)
        indicator.pause_requested.connect(self.controller.pause)
        indicator.resume_requested.connect(self.controller.resume)
        indicator.take_back_control_requested.connect(self.controller.take_back_control)
        indicator.end_requested.connect(self.controller.end_session)
        screen = self.screen().availableGeometry()
        indicator.adjustSize()
        indicator.move(screen.right() - indicator.width() - SPACING * 3, screen.top() + SPACING * 3)
        indicator.show()
        self.indicator = indicator

    def _send_feedback(self) -> None:
        if self.rating.rating == 0 or self.feedback_sent:
            return
        self.feedback_sent = True
        self.controller.send_feedback(self.rating.rating, self.comment.toPlainText().strip())
        self.send_feedback_button.setEnabled(False)
        for button in self.rating.buttons:
            button.setEnabled(False)
        self.comment.setReadOnly(True)
        self.rating_question.setText(self.tr("Thank you! Your rating was sent."))

    def _save_copy(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save a copy"), str(Path.home() / "podpora-summary.txt"), self.tr("Text (*.txt)")
        )
        if path:
            self.save_copy_to(Path(path))

    def save_copy_to(self, path: Path) -> None:
        """Write the summary as a text file, off the GUI thread."""
        text = self.summary_as_text() + "\n"
        run_in_background(
            lambda: path.write_text(text, encoding="utf-8"),
            lambda _: self.summary_status.setText(self.tr("Saved to {path}").format(path=path)),
            lambda error: self.summary_status.setText(
                self.tr("Could not save the copy: {detail}").format(detail=error)
            ),
            self,
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        # Closing the window during a session ends it: nothing keeps running unseen.
        if self.state in {"active", "paused", "consent", "connecting"}:
            self.controller.end_session()
        elif self.state == "waiting":
            self.controller.cancel_help()
        if self.indicator is not None:
            self.indicator.hide()
        super().closeEvent(event)
