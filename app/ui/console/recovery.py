"""Interrupted cases at console start: a case whose journal was never closed (the console was killed or crashed).

The window asks a :class:`CaseRecovery` (wired in ``app.cli.console`` to ``app.cases``) off the GUI thread for
such cases and shows one :class:`RecoveryDialog` for each.  The technician either finishes the case (its journal
gets a ``recovered`` record and the final signed checkpoint, then the export dialog opens) or leaves it for
later (nothing changes; it is offered again at the next start).  Nothing is discarded either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.cases.store import InterruptedCase
from app.ui.console.case_panel import CaseBackend, ExportDialog
from app.ui.theme import SPACING
from app.ui.worker import run_in_background


class CaseRecovery(Protocol):
    """Blocking case-store operations for recovery; the console calls them off the GUI thread."""

    def interrupted(self) -> Sequence[InterruptedCase]:
        """Cases whose journal was never closed."""

    def finish(self, case_id: str) -> CaseBackend:
        """Close the case's journal as recovered after a crash; return a backend to export it with."""


def local_time(iso: str, today: datetime | None = None) -> str:
    """``14:02`` for a time today, ``2026-11-21 14:02`` otherwise (local time); the raw text if unreadable."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    reference = today or datetime.now().astimezone()
    return when.strftime("%H:%M") if when.date() == reference.date() else when.strftime("%Y-%m-%d %H:%M")


class RecoveryDialog(QDialog):
    """Tells the technician a case was interrupted and offers to finish it now or leave it for later."""

    finished_case = Signal(str)  # case id, once the journal is closed and the export dialog is open

    def __init__(self, case: InterruptedCase, recovery: CaseRecovery, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.recovery = recovery
        self.export_dialog: ExportDialog | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setProperty("role", "subtle")
        self.finish_button = QPushButton()
        self.finish_button.setProperty("primary", True)
        self.later_button = QPushButton()
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.later_button)
        row.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(SPACING * 2)
        layout.addWidget(self.message)
        layout.addWidget(self.status)
        layout.addLayout(row)
        self.finish_button.clicked.connect(self.finish)
        self.later_button.clicked.connect(self.reject)
        self.setMinimumWidth(460)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Interrupted case"))
        name = self.case.ticket_ref or self.case.case_id
        text = self.tr("The case {case} from {time} was interrupted. Its record is intact up to the last event.")
        text = text.format(case=name, time=local_time(self.case.created_at))
        if self.case.torn:
            text += " " + self.tr("An incomplete last write will be set aside and kept next to the record.")
        text += "\n\n" + self.tr(
            "Finish it now: the record is closed with a note that it was recovered after a crash, and you can "
            "export it. Or leave it for later: it is offered again the next time the console starts."
        )
        self.message.setText(text)
        self.finish_button.setText(self.tr("Finish and export…"))
        self.later_button.setText(self.tr("Later"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def finish(self) -> None:
        """Close the journal in the background, then open the export dialog."""
        self.finish_button.setEnabled(False)
        self.later_button.setEnabled(False)
        self.status.setText(self.tr("Finishing the case…"))
        case_id = self.case.case_id
        run_in_background(lambda: self.recovery.finish(case_id), self._finished, self._failed, self)

    def _finished(self, backend: CaseBackend) -> None:
        self.status.setText(self.tr("The case was finished."))
        # The export dialog belongs to the window, not to this dialog, which closes now.
        dialog = ExportDialog(backend, self.case.ticket_ref, self.parentWidget())
        self.export_dialog = dialog
        dialog.open()
        self.finished_case.emit(self.case.case_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        from app.ui.i18n import error_text

        self.finish_button.setEnabled(True)
        self.later_button.setEnabled(True)
        self.status.setText(
            self.tr("The case could not be finished: {reason}. It stays as it is.").format(reason=error_text(error))
        )
