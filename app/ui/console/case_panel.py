"""The case panel of a session: ticket reference, the user's own description, notes, the timeline, and the
export dialog (progress and the resulting ticket link).

It talks to a :class:`CaseBackend` (wired in app/cli to ``app.cases``); writes and exports run off the GUI
thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.theme import SPACING
from app.ui.worker import run_in_background

ExportProgress = Callable[[int, str], None]  # percent, message


class CaseBackend(Protocol):
    """Blocking case operations (journal writes, export); the panel calls them off the GUI thread."""

    def set_ticket(self, reference: str) -> None:
        """Link the case to a ticket."""

    def set_description(self, text: str) -> None:
        """The user's own description of the problem."""

    def add_note(self, text: str) -> None:
        """A technician's note."""

    def connectors(self) -> Sequence[str]:
        """Configured delivery targets (``folder`` always exists)."""

    def export(self, connector: str, ticket: str, progress: ExportProgress) -> str:
        """Build the bundle, deliver it and return a link or path to show."""


class CasePanel(QWidget):
    """Ticket, description, notes and timeline of one case."""

    def __init__(self, backend: CaseBackend | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.ticket = QLineEdit()
        self.description = QPlainTextEdit()
        self.description.setMaximumHeight(90)
        self.note = QLineEdit()
        self.add_note_button = QPushButton()
        self.timeline = QListWidget()
        self.timeline.setWordWrap(True)
        self.export_button = QPushButton()
        self.export_button.setProperty("primary", True)
        self.status = QLabel()
        self.status.setProperty("role", "subtle")
        self.ticket_label = QLabel()
        self.description_label = QLabel()
        self.timeline_label = QLabel()
        form = QFormLayout()
        form.addRow(self.ticket_label, self.ticket)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.add_note_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        layout.setSpacing(SPACING)
        layout.addLayout(form)
        layout.addWidget(self.description_label)
        layout.addWidget(self.description)
        layout.addLayout(note_row)
        layout.addWidget(self.timeline_label)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.export_button)
        self.add_note_button.clicked.connect(self._add_note)
        self.note.returnPressed.connect(self._add_note)
        self.ticket.editingFinished.connect(self._ticket_changed)
        # The description is saved once the technician stops typing for a moment (a journal record per pause).
        self._description_timer = QTimer(self)
        self._description_timer.setSingleShot(True)
        self._description_timer.setInterval(1500)
        self._description_timer.timeout.connect(self._description_changed)
        self.description.textChanged.connect(self._description_timer.start)
        self.export_button.clicked.connect(self.open_export)
        self.export_button.setEnabled(backend is not None)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.ticket_label.setText(self.tr("Ticket:"))
        self.ticket.setPlaceholderText(self.tr("e.g. RM-1234"))
        self.description_label.setText(self.tr("The user's description of the problem:"))
        self.note.setPlaceholderText(self.tr("Add a note to the case"))
        self.add_note_button.setText(self.tr("Add note"))
        self.timeline_label.setText(self.tr("Timeline"))
        self.export_button.setText(self.tr("Export case…"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def add_event(self, text: str, when: datetime | None = None) -> None:
        """Append one line to the timeline (slot for the session's events)."""
        self.timeline.addItem(f"{(when or datetime.now()).strftime('%H:%M:%S')}  {text}")
        self.timeline.scrollToBottom()

    def _call(self, work: Callable[[], object], done_text: str) -> None:
        run_in_background(
            work,
            lambda _: self.status.setText(done_text),
            lambda error: self.status.setText(self.tr("Could not save: {reason}").format(reason=error)),
            self,
        )

    def _add_note(self) -> None:
        text = self.note.text().strip()
        backend = self.backend
        if not text:
            return
        self.note.clear()
        self.add_event(self.tr("Note: {text}").format(text=text))
        if backend is not None:
            self._call(lambda: backend.add_note(text), self.tr("Note saved."))

    def _description_changed(self) -> None:
        text = self.description.toPlainText().strip()
        backend = self.backend
        if backend is not None and text:
            self._call(lambda: backend.set_description(text), self.tr("Description saved."))

    def _ticket_changed(self) -> None:
        reference = self.ticket.text().strip()
        backend = self.backend
        if backend is not None and reference:
            self._call(lambda: backend.set_ticket(reference), self.tr("Ticket saved."))

    def open_export(self) -> ExportDialog | None:
        """Open the export dialog."""
        if self.backend is None:
            return None
        dialog = ExportDialog(self.backend, self.ticket.text().strip(), self)
        dialog.open()
        return dialog


class ExportDialog(QDialog):
    """Pick where the case goes, watch the progress, get the link."""

    exported = Signal(str)

    def __init__(self, backend: CaseBackend, ticket: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.connector = QComboBox()
        self.connector.addItem("folder")
        self.ticket = QLineEdit(ticket)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.result_link = QLabel()
        self.result_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.result_link.setOpenExternalLinks(True)
        self.result_link.setWordWrap(True)
        self.export_button = QPushButton()
        self.export_button.setProperty("primary", True)
        self.close_button = QPushButton()
        self.connector_label = QLabel()
        self.ticket_label = QLabel()
        form = QFormLayout()
        form.addRow(self.connector_label, self.connector)
        form.addRow(self.ticket_label, self.ticket)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.close_button)
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(SPACING * 2)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.result_link)
        layout.addLayout(row)
        self.export_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.close)
        self.setMinimumWidth(440)
        self.retranslate()
        run_in_background(lambda: list(backend.connectors()), self._set_connectors, lambda _: None, self)

    _progress = Signal(int, str)

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Export case"))
        self.connector_label.setText(self.tr("Deliver to:"))
        self.ticket_label.setText(self.tr("Ticket:"))
        self.export_button.setText(self.tr("Export"))
        self.close_button.setText(self.tr("Close"))

    def _set_connectors(self, names: list[str]) -> None:
        current = self.connector.currentText()
        self.connector.clear()
        self.connector.addItems(names or ["folder"])
        index = self.connector.findText(current)
        self.connector.setCurrentIndex(max(0, index))

    def start(self) -> None:
        """Export in the background, showing progress."""
        connector = self.connector.currentText()
        ticket = self.ticket.text().strip()
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Building the case bundle…"))
        self._progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        run_in_background(
            lambda: self.backend.export(connector, ticket, self._report_progress), self._done, self._failed, self
        )

    def _report_progress(self, percent: int, message: str) -> None:
        # Called on the worker thread; the dialog may already be closed and deleted.
        if shiboken6.isValid(self):
            self._progress.emit(percent, message)

    def _show_progress(self, percent: int, message: str) -> None:
        self.progress.setValue(percent)
        self.status.setText(message)

    def _done(self, link: str) -> None:
        self.progress.setValue(100)
        self.status.setText(self.tr("The case was delivered."))
        target = link if "://" in link else f"file://{link}"
        self.result_link.setText(f'<a href="{target}">{link}</a>')
        self.exported.emit(link)

    def _failed(self, error: BaseException) -> None:
        from app.ui.i18n import error_text

        self.export_button.setEnabled(True)
        self.status.setText(
            self.tr("The export failed: {reason}. It stays in the outbox and is retried.").format(
                reason=error_text(error)
            )
        )
