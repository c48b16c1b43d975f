"""Starting the Qt side of Podpora: display check, QApplication, theme and language.

``app.cli.console`` and ``app.cli.assist`` call these; nothing here runs at import time of ``app.cli``.
"""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app import __version__
from app.ui.i18n import LanguageManager, resolve_language
from app.ui.settings import UiSettings
from app.ui.theme import apply_theme


def display_problem() -> str | None:
    """Why no window can open here (plain English for the terminal), or None when one can."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return None
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "there is no graphical display here (DISPLAY and WAYLAND_DISPLAY are not set). "
            "Start Podpora inside your desktop session, or use the command-line tools "
            "('podpora check', 'podpora diag', 'podpora view')."
        )
    return None


@dataclass
class UiContext:
    """What a window needs: the application, its settings and the language manager."""

    app: QApplication
    settings: UiSettings
    languages: LanguageManager


class GuiThreadGarbageCollector(QObject):
    """Runs Python's cyclic garbage collector on the GUI thread only, from a timer.

    Left automatic, the collector runs in whichever thread happens to allocate when a threshold is crossed: an
    agent, network or capture thread.  Cyclic garbage that holds Qt objects is then destroyed on that thread,
    which Qt does not allow and which can crash the process.  Reference counting still frees everything else at
    once; only cycles wait for the next tick.
    """

    INTERVAL_MS = 500

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()
        self.destroyed.connect(lambda *_: gc.enable())

    def collect(self) -> None:
        """Collect the generations whose counts crossed the usual thresholds (as automatic collection would)."""
        count0, count1, count2 = gc.get_count()
        if count0 > self._thresholds[0]:
            gc.collect(0)
            if count1 > self._thresholds[1]:
                gc.collect(1)
                if count2 > self._thresholds[2]:
                    gc.collect(2)


def start_qt(app_name: str, *, base_point_size: int = 10, language: str | None = None) -> UiContext:
    """Create (or reuse) the QApplication with Podpora's theme and the chosen language."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0] if sys.argv else app_name])
    QCoreApplication.setOrganizationName("Podpora")
    QCoreApplication.setApplicationName(app_name)
    QCoreApplication.setApplicationVersion(__version__)
    settings = UiSettings.load()
    apply_theme(app, settings.theme, base_point_size=base_point_size)

    def follow_system(_: object) -> None:
        # "Same as the system": follow a light/dark switch of the desktop while running.
        if settings.theme == "system":  # the same object the settings dialog updates
            apply_theme(app, "system", base_point_size=base_point_size)

    app.styleHints().colorSchemeChanged.connect(follow_system)
    languages = LanguageManager(parent=app)
    languages.apply(resolve_language(language or settings.language))
    if app.findChild(GuiThreadGarbageCollector) is None:
        GuiThreadGarbageCollector(app)
    return UiContext(app, settings, languages)


#: How long the process waits at exit for background tasks still running (a connect stalled on a dead server
#: gives up by itself within its timeout; the process does not wait for that).
EXIT_WAIT_MS = 5000


def run_event_loop(app: QApplication) -> int:
    """Run the event loop; at its end, give background tasks a bounded time to finish before Python shuts down.

    A pool thread still running Python while the interpreter finalizes (and Qt's global pool is destroyed with
    the application) can abort the process at exit.  Case journals are closed on threads of their own that the
    process waits for anyway; this covers the shorter tasks (saving the address book, a connect that ends).
    """
    from app.ui.worker import background_pool

    code = int(app.exec())
    background_pool().waitForDone(EXIT_WAIT_MS)
    return code


def smoke(app: QApplication, window: QWidget) -> int:
    """Show ``window``, let the event loop run briefly, close it, and report success (for packaging)."""
    window.show()
    QTimer.singleShot(200, window.close)
    QTimer.singleShot(300, app.quit)
    app.exec()
    return 0 if window.windowTitle() else 1
