"""The window of ``podpora demo``: the user's screen live, the walk-through beside it, then the case report.

The demo's session runs in a worker thread (:func:`app.cli.demo.run_demo` is blocking network and disk
work); pictures and narration reach the window only through queued signals, and the worker builds the
``QImage`` while the GUI thread only paints it.  When the case has been delivered, its report (the same
``report.html`` the ticket system receives) opens in a tab.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.screenview import ScreenView

DemoRunner = Callable[[Callable[[str], None], Callable[[Any], None]], Any]


def image_from_bgra(frame: Any) -> QImage:
    """A deep-copied ``QImage`` of a BGRA frame (RGB32 has that byte order and ignores alpha, which X leaves 0)."""
    height, width = int(frame.shape[0]), int(frame.shape[1])
    image = QImage(frame.data, width, height, int(frame.strides[0]), QImage.Format.Format_RGB32)
    return image.copy()


class _DemoWorker(QObject):
    """Runs the demo off the GUI thread and reports through signals."""

    narrated = Signal(str)
    picture = Signal(QImage)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, runner: DemoRunner) -> None:
        super().__init__()
        self._runner = runner

    @Slot()
    def run(self) -> None:
        from app.errors import PodporaError

        try:
            summary = self._runner(self.narrated.emit, lambda frame: self.picture.emit(image_from_bgra(frame)))
        except PodporaError as error:
            self.failed.emit(error.user_message)
            return
        self.finished.emit(summary)


class DemoWindow(QMainWindow):
    """Shows the demo session as it happens, then the delivered case's report."""

    def __init__(self, runner: DemoRunner) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Podpora demo: a support case from start to finish"))
        self.resize(1400, 820)
        self.screen_view = ScreenView()
        self.screen_view.set_view_only(True)  # the scripted technician drives; a click here must not interfere
        self.screen_view.set_fit_to_window(True)
        self.screen_view.set_placeholder(self.tr("Connecting to the user's computer…"))
        self.narration = QPlainTextEdit()
        self.narration.setReadOnly(True)
        self.status = QLabel(self.tr("The demo is running: a technician helps Jana, whose disk is full."))
        self.status.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel(self.tr("The user's screen (live, through the SSH tunnel)")))
        left_layout.addWidget(self.screen_view, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(QLabel(self.tr("What happens, step by step")))
        right_layout.addWidget(self.narration, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([900, 500])
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, self.tr("Session"))
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.summary: Any = None
        self._thread = QThread(self)
        self._worker = _DemoWorker(runner)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.narrated.connect(self.narration.appendPlainText)
        self._worker.picture.connect(self.screen_view.set_frame)
        self._worker.finished.connect(self._show_report)
        self._worker.failed.connect(self._show_failure)
        self._worker.finished.connect(self._thread.quit)
        self._worker.failed.connect(self._thread.quit)

    def start(self) -> None:
        """Start the session in its worker thread."""
        self._thread.start()

    @Slot(object)
    def _show_report(self, summary: Any) -> None:
        self.summary = summary
        report = QTextBrowser()
        report.setOpenExternalLinks(False)
        report.setHtml(Path(summary.report).read_text(encoding="utf-8"))
        self.tabs.addTab(report, self.tr("Case report"))
        self.tabs.setCurrentWidget(report)
        self.status.setText(
            self.tr("Done: the case was delivered and verified. Bundle: {path}").format(path=summary.delivered_to)
        )

    @Slot(str)
    def _show_failure(self, message: str) -> None:
        self.status.setText(self.tr("The demo stopped: {reason}").format(reason=message))

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Wait for the worker so nothing is left running (the session ends by itself)."""
        self._thread.quit()
        self._thread.wait(5000)
        super().closeEvent(event)


def run_demo_window(runner: DemoRunner, *, smoke: bool = False) -> int:
    """Open the demo window and run the session; return when the window is closed."""
    from app.ui.application import start_qt

    context = start_qt("Podpora demo")
    window = DemoWindow(runner)
    window.show()
    window.start()
    if smoke:
        window._thread.wait()
        context.app.processEvents()
        return 0 if window.summary is not None else 1
    return int(context.app.exec())
