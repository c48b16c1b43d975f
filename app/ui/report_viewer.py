"""A window that shows a case report (``report.html``), for ``podpora demo`` and the case panel.

The HTML is read off the GUI thread and shown in a QTextBrowser (no browser engine needed); *Open in
browser* hands the file to the desktop's own browser.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.ui.theme import SPACING
from app.ui.worker import run_in_background


class ReportWindow(QMainWindow):
    """Shows one HTML report."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.open_button = QPushButton()
        self.close_button = QPushButton()
        self.close_button.setProperty("primary", True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addWidget(self.close_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(SPACING * 2, SPACING * 2, SPACING * 2, SPACING * 2)
        layout.addWidget(self.browser, 1)
        layout.addLayout(row)
        self.setCentralWidget(central)
        self.resize(900, 800)
        self.open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))
        self.close_button.clicked.connect(self.close)
        self.retranslate()
        run_in_background(lambda: path.read_text(encoding="utf-8"), self._show, self._failed, self)

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Case report – {name}").format(name=self.path.name))
        self.open_button.setText(self.tr("Open in browser"))
        self.close_button.setText(self.tr("Close"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show(self, html: str) -> None:
        # Relative links and images in the report resolve next to the file.
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(self.path.parent) + "/"))
        self.browser.setHtml(html)

    def _failed(self, error: BaseException) -> None:
        self.browser.setPlainText(self.tr("The report could not be read: {reason}").format(reason=error))


def show_report(path: Path) -> int:
    """Open the report in a window and run until it is closed; 2 when there is no display."""
    from app.ui.application import display_problem, start_qt

    problem = display_problem()
    if problem:
        print(f"podpora: {problem} The report is at {path}.", file=sys.stderr)
        return 2
    context = start_qt("Podpora report")
    window = ReportWindow(path)
    window.show()
    return int(context.app.exec())
