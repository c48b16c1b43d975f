"""The always-visible session indicator: a small frameless window that stays on top of everything.

It says in words what the technician can do right now ("Jana from IT can see your screen") and offers Pause,
Take back control and End session.  It cannot be closed other than by ending the session, so a session is
never hidden from the person at the machine.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QCloseEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.theme import SPACING, large_text_stylesheet


class SessionIndicator(QWidget):
    """Shows the session state and emits the user's intents; the controller carries them out."""

    pause_requested = Signal()
    resume_requested = Signal()
    take_back_control_requested = Signal()
    end_requested = Signal()

    def __init__(self, technician_name: str, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.technician_name = technician_name
        self.granted: frozenset[str] = frozenset()
        self.paused = False
        # The technician's connection is lost: nothing is shared and no input is applied until they return.
        self.disconnected = False
        self._drag_origin: QPoint | None = None
        self.setObjectName("podpora-session-indicator")
        self.setStyleSheet(large_text_stylesheet())
        frame = QFrame(self)
        frame.setProperty("role", "card")
        frame.setAutoFillBackground(True)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("font-weight: 600;")
        self.pause_button = QPushButton()
        self.control_button = QPushButton()
        self.end_button = QPushButton()
        self.end_button.setProperty("danger", True)
        buttons = QHBoxLayout()
        buttons.setSpacing(SPACING)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.control_button)
        buttons.addWidget(self.end_button)
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(SPACING * 2, SPACING * 2, SPACING * 2, SPACING * 2)
        inner.setSpacing(SPACING)
        inner.addWidget(self.status)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.control_button.clicked.connect(self.take_back_control_requested.emit)
        self.end_button.clicked.connect(self.end_requested.emit)
        self.retranslate()

    def set_granted(self, granted: frozenset[str]) -> None:
        """Show what the technician may do now."""
        self.granted = frozenset(granted)
        self.retranslate()

    def set_paused(self, paused: bool) -> None:
        """Show the paused state (the agent confirms a pause through the controller)."""
        self.paused = paused
        self.retranslate()

    def set_disconnected(self, disconnected: bool) -> None:
        """Show that the technician's connection is lost (the session waits a short while for them)."""
        self.disconnected = disconnected
        self.retranslate()

    def status_text(self) -> str:
        """The sentence that says what is happening."""
        name = self.technician_name
        if self.disconnected:
            return self.tr(
                "{name} is disconnected and cannot see or control anything. Waiting for them to return…"
            ).format(name=name)
        if self.paused:
            return self.tr("Paused: {name} cannot see your screen right now").format(name=name)
        if "control" in self.granted:
            return self.tr("{name} can see and control your screen").format(name=name)
        if "view" in self.granted:
            return self.tr("{name} can see your screen").format(name=name)
        return self.tr("{name} is connected but cannot see your screen").format(name=name)

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Podpora session"))
        self.status.setText(self.status_text())
        self.pause_button.setText(self.tr("Resume") if self.paused else self.tr("Pause"))
        self.control_button.setText(self.tr("Take back control"))
        # Still offered while the technician is away: taking control back then means they return without it.
        self.control_button.setEnabled("control" in self.granted and not self.paused)
        self.end_button.setText(self.tr("End session"))
        self.adjustSize()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _toggle_pause(self) -> None:
        if self.paused:
            self.resume_requested.emit()
        else:
            self.pause_requested.emit()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        # Closing the indicator (Alt+F4) means "end the session": it must never just disappear.
        if self.isVisible() and event.spontaneous():
            self.end_requested.emit()
        super().closeEvent(event)

    # A frameless window has no title bar; let the user drag it out of the way.
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_origin = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drag_origin is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_origin)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._drag_origin = None
        super().mouseReleaseEvent(event)
