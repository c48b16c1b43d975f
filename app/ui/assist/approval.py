"""Approval of one repair, in plain language: what it does, what it changes, how to undo it.

Like the consent prompt: closing, Escape or the timeout is a refusal, and remote input cannot answer it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.assist.guard import RemoteInputGuard
from app.ui.assist.models import RepairRequest
from app.ui.theme import SPACING, large_text_stylesheet


class RepairApprovalDialog(QDialog):
    """Emits :attr:`decided` once: (request_id, approved)."""

    decided = Signal(str, bool)

    def __init__(
        self,
        request: RepairRequest,
        technician_name: str,
        *,
        timeout_seconds: int = 120,
        arm_delay_ms: int = 1500,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.request = request
        self.technician_name = technician_name
        self.remaining = timeout_seconds
        self._answered = False
        self.setModal(True)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.guard = RemoteInputGuard(self)
        self.setStyleSheet(large_text_stylesheet())
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.description = QLabel()
        self.changes_caption = QLabel()
        self.changes = QLabel()
        self.undo_caption = QLabel()
        self.undo = QLabel()
        self.admin_note = QLabel()
        self.countdown = QLabel()
        self.countdown.setProperty("role", "subtle")
        for label in (self.description, self.changes, self.undo, self.admin_note):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
        for caption in (self.changes_caption, self.undo_caption):
            caption.setStyleSheet("font-weight: 600;")
        self.decline_button = QPushButton()
        self.approve_button = QPushButton()
        self.approve_button.setProperty("primary", True)
        self.approve_button.setEnabled(arm_delay_ms <= 0)
        self.approve_button.setAutoDefault(False)
        self.decline_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(SPACING * 2)
        layout.setContentsMargins(SPACING * 3, SPACING * 3, SPACING * 3, SPACING * 3)
        for widget in (
            self.title,
            self.description,
            self.changes_caption,
            self.changes,
            self.undo_caption,
            self.undo,
            self.admin_note,
        ):
            layout.addWidget(widget)
        row = QHBoxLayout()
        row.addWidget(self.countdown, 1)
        row.addWidget(self.decline_button)
        row.addWidget(self.approve_button)
        layout.addLayout(row)
        self.setMinimumWidth(520)
        self.decline_button.clicked.connect(lambda: self._finish(False))
        self.approve_button.clicked.connect(lambda: self._finish(True))
        if arm_delay_ms > 0:
            QTimer.singleShot(arm_delay_ms, lambda: self.approve_button.setEnabled(True))
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Approve a change"))
        self.title.setText(
            self.tr("{name} wants to: {title}").format(name=self.technician_name, title=self.request.title)
        )
        self.description.setText(self.request.description)
        self.changes_caption.setText(self.tr("What this changes"))
        self.changes.setText(self.request.changes)
        self.undo_caption.setText(self.tr("How to undo it"))
        self.undo.setText(self.request.undo)
        self.admin_note.setText(self.tr("This needs administrator rights on your computer."))
        self.admin_note.setVisible(self.request.needs_admin)
        self.decline_button.setText(self.tr("Decline"))
        self.approve_button.setText(self.tr("Approve"))
        self.countdown.setText(self.tr("Closes in %n second(s) (that counts as Decline).", "", self.remaining))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_remote_input_active(self, active: bool) -> None:
        """Slot: ignore all input while the technician's input is being applied."""
        self.guard.set_remote_input_active(active)

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self._finish(False)
        else:
            self.retranslate()

    def _finish(self, approved: bool) -> None:
        if self._answered:
            return
        self._answered = True
        self._timer.stop()
        self.decided.emit(self.request.request_id, approved)
        if approved:
            self.accept()
        else:
            self.reject()

    def reject(self) -> None:
        if not self._answered:
            self._finish(False)
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._answered:
            self._finish(False)
        super().closeEvent(event)
