"""Keeping the technician's injected input away from the user's own prompts.

The agent already applies no remote input while a prompt is open (the controller tells it).  This guard is
the second, independent layer: while the agent reports that remote input is active, every mouse, key and
wheel event addressed to a guarded window is dropped, so a click injected into the user's desktop can never
answer a consent or repair prompt.  Events that application code sends itself (not spontaneous, i.e. not
from the window system) are dropped too: only the person at the machine answers.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
    }
)


class RemoteInputGuard(QObject):
    """An application-wide event filter protecting one window while it is open."""

    def __init__(self, window: QWidget, *, allow_synthetic: bool = False) -> None:
        super().__init__(window)
        self._window = window
        self.remote_input_active = False
        #: Tests drive dialogs with QTest, whose events are spontaneous on some platforms and not on others;
        #: they may allow synthetic events to test the remote-input rule alone.
        self.allow_synthetic = allow_synthetic
        self.dropped = 0
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        window.destroyed.connect(self._uninstall)

    def set_remote_input_active(self, active: bool) -> None:
        """Slot for the controller's ``remote_input_active_changed``."""
        self.remote_input_active = active

    def _uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() not in _INPUT_EVENTS or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self._window:
            return False
        if self.remote_input_active or not (event.spontaneous() or self.allow_synthetic):
            self.dropped += 1
            return True
        return False
