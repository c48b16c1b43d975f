"""The diagnostics panel of a session: the signed script library by category, runs with progress, traffic
lights, findings in technical and plain language, Repair where one exists, and before/after.

It talks to a :class:`DiagnosticsBackend` (wired in app/cli to ``app.diagnostics`` over the session's SSH
connection or the agent); every backend call runs in a worker, progress arrives through queued signals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.theme import SPACING
from app.ui.worker import run_in_background


class SudoPasswordAsker(QObject):
    """Asks the technician for the sudo password on the target when a script needs administrator rights.

    :meth:`ask` is called from a diagnostics worker thread and blocks only that worker: a queued signal opens a
    password dialog on the GUI thread and the answer comes back through an event.  Cancel, closing the dialog
    or no answer within ``timeout`` seconds is "no password" (the admin scripts of that run are refused).
    The password goes straight back to the runner (sudo's stdin); it is never stored, shown or logged here.
    """

    _needed = Signal(str, bool, object)

    def __init__(self, timeout: float = 600.0) -> None:
        super().__init__()
        self.timeout = timeout
        self.open_dialogs: list[QInputDialog] = []
        application = QCoreApplication.instance()
        if application is not None and self.thread() is not application.thread():
            self.moveToThread(application.thread())  # made on a worker: the dialogs must open on the GUI thread
        self._needed.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def ask(self, host: str, previous_wrong: bool) -> str | None:
        if QThread.currentThread() is self.thread():
            return None  # waiting here would block the GUI thread that must show the dialog
        reply: dict[str, Any] = {"done": threading.Event(), "value": None}
        self._needed.emit(host, previous_wrong, reply)
        reply["done"].wait(self.timeout)
        value = reply["value"]
        return value if isinstance(value, str) else None

    def _show(self, host: str, previous_wrong: bool, reply: dict[str, Any]) -> None:
        dialog = QInputDialog(QApplication.activeWindow())
        dialog.setWindowTitle(self.tr("Administrator password"))
        text = self.tr("A script needs administrator rights on {host}. Enter your sudo password there:").format(
            host=host
        )
        if previous_wrong:
            text = self.tr("That password was not accepted. Try again.") + "\n" + text
        dialog.setLabelText(text)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        self.open_dialogs.append(dialog)

        def finished(result: int) -> None:
            reply["value"] = dialog.textValue() if result == QInputDialog.DialogCode.Accepted else None
            dialog.setTextValue("")
            reply["done"].set()
            self.open_dialogs.remove(dialog)

        dialog.finished.connect(finished)
        dialog.open()


STATUS_COLOURS = {"ok": "#15803d", "warning": "#d97706", "fail": "#b91c1c", "error": "#6b7280"}


@dataclass(frozen=True)
class ScriptEntry:
    """One script of the library, already in the technician's language."""

    script_id: str
    title: str
    category: str
    description: str = ""


@dataclass(frozen=True)
class CheckRow:
    """One check's outcome."""

    script_id: str
    check_id: str
    status: str
    finding: str
    explanation: str = ""
    repair: str | None = None


@dataclass(frozen=True)
class RepairView:
    """A repair's outcome: whether the user approved it and the verifying checks before and after."""

    repair_id: str
    approved: bool
    ran: bool
    before: tuple[CheckRow, ...] = field(default_factory=tuple)
    after: tuple[CheckRow, ...] = field(default_factory=tuple)
    message: str = ""


ProgressCallback = Callable[[str, int, str], None]  # script id, percent (-1 unknown), message


class DiagnosticsBackend(Protocol):
    """Blocking operations; the panel calls them off the GUI thread."""

    def list_scripts(self) -> Sequence[ScriptEntry]:
        """The verified library."""

    def run(self, script_ids: Sequence[str], progress: ProgressCallback) -> Sequence[CheckRow]:
        """Run scripts (in parallel where possible) and return every check."""

    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        """Ask the user's approval, run the repair, then its verifying checks."""


class DiagnosticsPanel(QWidget):
    """Library, run controls, results and before/after of one session."""

    _progress = Signal(str, int, str)

    def __init__(self, backend: DiagnosticsBackend | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.entries: list[ScriptEntry] = []
        self.rows: list[CheckRow] = []
        self.last_repair: RepairView | None = None
        self.busy = False
        self.search = QLineEdit()
        self.library = QTreeWidget()
        self.library.setHeaderHidden(True)
        self.run_selected_button = QPushButton()
        self.run_all_button = QPushButton()
        self.run_all_button.setProperty("primary", True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setProperty("role", "subtle")
        self.results = QTreeWidget()
        self.results.setColumnCount(3)
        self.results.setRootIsDecorated(False)
        self.details = QTextBrowser()
        self.repair_button = QPushButton()
        self.repair_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_selected_button)
        buttons.addWidget(self.run_all_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.search)
        top_layout.addWidget(self.library, 1)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.progress)
        top_layout.addWidget(self.status)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.results, 2)
        bottom_layout.addWidget(self.details, 1)
        bottom_layout.addWidget(self.repair_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        layout.addWidget(splitter)
        self.search.textChanged.connect(self._filter)
        self.run_all_button.clicked.connect(self.run_all)
        self.run_selected_button.clicked.connect(self.run_selected)
        self.results.currentItemChanged.connect(self._show_details)
        self.repair_button.clicked.connect(self.repair_current)
        self._progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.retranslate()
        if backend is not None:
            run_in_background(backend.list_scripts, self.set_library, self._failed, self)

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.search.setPlaceholderText(self.tr("Search scripts"))
        self.run_selected_button.setText(self.tr("Run selected"))
        self.run_all_button.setText(self.tr("Run all checks"))
        self.results.setHeaderLabels([self.tr("Status"), self.tr("Check"), self.tr("Finding")])
        self.repair_button.setText(self.tr("Repair…"))
        if self.backend is None:
            self.status.setText(self.tr("Diagnostics are not available in this session."))
        self._fill_library()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def category_name(self, category: str) -> str:
        """A category in words."""
        names = {
            "info": self.tr("Information"),
            "install": self.tr("Installation"),
            "config": self.tr("Configuration"),
            "repair": self.tr("Repairs"),
        }
        return names.get(category, category)

    def status_name(self, status: str) -> str:
        """A status in words."""
        names = {"ok": self.tr("OK"), "warning": self.tr("Warning"), "fail": self.tr("Fail"), "error": self.tr("Error")}
        return names.get(status, status)

    # ----- library -----
    def set_library(self, entries: Sequence[ScriptEntry]) -> None:
        """Show the library (slot for the background load)."""
        self.entries = list(entries)
        self._fill_library()

    def _fill_library(self) -> None:
        self.library.clear()
        by_category: dict[str, QTreeWidgetItem] = {}
        for entry in self.entries:
            parent = by_category.get(entry.category)
            if parent is None:
                parent = QTreeWidgetItem([self.category_name(entry.category)])
                parent.setFlags(parent.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                self.library.addTopLevelItem(parent)
                by_category[entry.category] = parent
            item = QTreeWidgetItem([entry.title])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.script_id)
            item.setToolTip(0, entry.description)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            parent.addChild(item)
        self.library.expandAll()
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        query = text.strip().lower()
        for index in range(self.library.topLevelItemCount()):
            category = self.library.topLevelItem(index)
            if category is None:
                continue
            visible = 0
            for child_index in range(category.childCount()):
                child = category.child(child_index)
                if child is None:
                    continue
                hidden = bool(query) and query not in (child.text(0) + " " + child.toolTip(0)).lower()
                child.setHidden(hidden)
                visible += not hidden
            category.setHidden(visible == 0)

    def selected_ids(self) -> list[str]:
        """Ticked scripts."""
        ids = []
        for index in range(self.library.topLevelItemCount()):
            category = self.library.topLevelItem(index)
            for child_index in range(category.childCount() if category else 0):
                child = category.child(child_index) if category else None
                if child is not None and child.checkState(0) == Qt.CheckState.Checked:
                    ids.append(str(child.data(0, Qt.ItemDataRole.UserRole)))
        return ids

    # ----- running -----
    def run_all(self) -> None:
        """Run every information script."""
        self._run([e.script_id for e in self.entries if e.category == "info"])

    def run_selected(self) -> None:
        """Run the ticked scripts."""
        self._run(self.selected_ids())

    def _run(self, ids: list[str]) -> None:
        backend = self.backend
        if backend is None or not ids or self.busy:
            return
        self._set_busy(True, self.tr("Running %n script(s)…", "", len(ids)))
        run_in_background(
            lambda: list(backend.run(ids, self._report_progress)), self._results_arrived, self._failed, self
        )

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.run_all_button.setEnabled(not busy)
        self.run_selected_button.setEnabled(not busy)
        self.status.setText(text)

    def _report_progress(self, script_id: str, percent: int, message: str) -> None:
        # Called on the worker thread; the panel may already be closed and deleted.
        if shiboken6.isValid(self):
            self._progress.emit(script_id, percent, message)

    def _show_progress(self, script_id: str, percent: int, message: str) -> None:
        if percent >= 0:
            self.progress.setValue(percent)
        self.status.setText(f"{script_id}: {message}" if message else script_id)

    def _results_arrived(self, rows: list[CheckRow]) -> None:
        self.rows = rows
        problems = sum(1 for r in rows if r.status in {"warning", "fail"})
        self._set_busy(
            False, self.tr("%n check(s) need attention.", "", problems) if problems else self.tr("All checks passed.")
        )
        self.results.clear()
        for row in sorted(
            rows, key=lambda r: ["fail", "error", "warning", "ok"].index(r.status) if r.status in STATUS_COLOURS else 9
        ):
            item = QTreeWidgetItem(["●  " + self.status_name(row.status), row.check_id, row.finding])
            item.setForeground(0, QColor(STATUS_COLOURS.get(row.status, "#6b7280")))
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            self.results.addTopLevelItem(item)
        for column in range(2):
            self.results.resizeColumnToContents(column)

    def _failed(self, error: BaseException) -> None:
        from app.ui.i18n import error_text

        self._set_busy(False, self.tr("Diagnostics failed: {reason}").format(reason=error_text(error)))

    def current_row(self) -> CheckRow | None:
        """The selected result row."""
        item = self.results.currentItem()
        if item is None:
            return None
        row = item.data(0, Qt.ItemDataRole.UserRole)
        return row if isinstance(row, CheckRow) else None

    def _show_details(self) -> None:
        row = self.current_row()
        if row is None:
            self.details.clear()
            self.repair_button.setEnabled(False)
            return
        self.details.setPlainText(
            f"{row.finding}\n\n{self.tr('For the user:')} {row.explanation}" if row.explanation else row.finding
        )
        self.repair_button.setEnabled(bool(row.repair) and not self.busy)

    def repair_current(self) -> None:
        """Run the repair suggested by the selected check (the user approves it on their side)."""
        row = self.current_row()
        backend = self.backend
        if row is None or not row.repair or backend is None:
            return
        repair_id = row.repair
        self._set_busy(True, self.tr("Waiting for the user to approve the repair…"))
        run_in_background(
            lambda: backend.repair(repair_id, self._report_progress), self.show_repair, self._failed, self
        )

    def show_repair(self, outcome: RepairView) -> None:
        """Show the outcome of a repair with before/after side by side."""
        self.last_repair = outcome
        if not outcome.approved:
            self._set_busy(False, self.tr("The user declined the repair. Nothing was changed."))
            return
        self._set_busy(False, self.tr("Repair finished. Before and after:"))
        after = {r.check_id: r for r in outcome.after}
        lines = [f"<tr><th>{self.tr('Check')}</th><th>{self.tr('Before')}</th><th>{self.tr('After')}</th></tr>"]
        for before in outcome.before:
            later = after.get(before.check_id)
            lines.append(
                f"<tr><td>{before.check_id}</td>"
                f"<td style='color:{STATUS_COLOURS.get(before.status, '#000')}'>{self.status_name(before.status)}</td>"
                f"<td style='color:{STATUS_COLOURS.get(later.status if later else '', '#000')}'>"
                f"{self.status_name(later.status) if later else '–'}</td></tr>"
            )
        self.details.setHtml("<table cellpadding=4>" + "".join(lines) + "</table>")


def rows_from_results(results: Sequence[object], language: str) -> list[CheckRow]:
    """Convert ``app.diagnostics.results.ScriptResult`` objects into rows (duck-typed, no import needed)."""
    rows: list[CheckRow] = []
    for result in results:
        script_id = str(getattr(result, "script_id", ""))
        for check in getattr(result, "checks", []):
            explanation = getattr(check, "explanation", {}) or {}
            text = explanation.get(language) or explanation.get("en", "") if isinstance(explanation, dict) else ""
            rows.append(
                CheckRow(
                    script_id=script_id,
                    check_id=str(getattr(check, "id", "")),
                    status=str(getattr(check, "status", "error")),
                    finding=str(getattr(check, "finding", "")),
                    explanation=str(text),
                    repair=getattr(check, "repair", None),
                )
            )
        if getattr(result, "error", None) and not getattr(result, "checks", []):
            rows.append(CheckRow(script_id, script_id, "error", str(getattr(result, "error", ""))))
    return rows
