"""The consent prompt: who asks, why, and for what — each capability separately — answered only locally.

Closing the prompt, pressing Escape or leaving it unanswered for :attr:`ConsentDialog.timeout_seconds` is a
refusal.  Accept becomes available only after a short pause so that a click already on its way (or a
scammer's "just click OK quickly") does not answer it, and a :class:`RemoteInputGuard` drops any input
while the agent reports remote input as active.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.assist.guard import RemoteInputGuard
from app.ui.assist.models import CAPABILITIES, ConsentRequest
from app.ui.theme import SPACING, large_text_stylesheet


class ConsentDialog(QDialog):
    """Asks the user; emits :attr:`decided` exactly once with the granted capabilities (empty = deny)."""

    decided = Signal(object)  # frozenset[str]

    def __init__(
        self,
        request: ConsentRequest,
        *,
        timeout_seconds: int = 60,
        arm_delay_ms: int = 1500,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.request = request
        self.timeout_seconds = timeout_seconds
        self.remaining = timeout_seconds
        self._answered = False
        self.setModal(True)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.guard = RemoteInputGuard(self)
        self.setStyleSheet(large_text_stylesheet())

        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.identity = QLabel()
        self.identity.setWordWrap(True)
        self.identity.setTextFormat(Qt.TextFormat.PlainText)
        self.verification = QLabel()
        self.verification.setWordWrap(True)
        self.verification.setProperty("role", "verified" if request.technician.verified else "warning")
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.asks = QLabel()
        self.checkboxes: dict[str, QCheckBox] = {}
        for capability in CAPABILITIES:
            if capability in request.capabilities:
                box = QCheckBox()
                box.setChecked(capability != "control" or request.technician.verified)
                self.checkboxes[capability] = box
        self.scam_warning = QLabel()
        self.scam_warning.setWordWrap(True)
        self.how_to_stop = QLabel()
        self.how_to_stop.setWordWrap(True)
        self.how_to_stop.setProperty("role", "subtle")
        self.countdown = QLabel()
        self.countdown.setProperty("role", "subtle")
        self.deny_button = QPushButton()
        self.accept_button = QPushButton()
        self.accept_button.setProperty("primary", True)
        self.accept_button.setEnabled(False)
        self.deny_button.setDefault(True)  # Enter on an unread prompt must never mean "yes"
        self.deny_button.setAutoDefault(True)
        self.accept_button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.setSpacing(SPACING * 2)
        layout.setContentsMargins(SPACING * 3, SPACING * 3, SPACING * 3, SPACING * 3)
        layout.addWidget(self.title)
        layout.addWidget(self.identity)
        layout.addWidget(self.verification)
        layout.addWidget(self.reason)
        layout.addWidget(self.asks)
        for box in self.checkboxes.values():
            layout.addWidget(box)
        layout.addWidget(self.scam_warning)
        layout.addWidget(self.how_to_stop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.countdown, 1)
        buttons.addWidget(self.deny_button)
        buttons.addWidget(self.accept_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)

        self.deny_button.clicked.connect(self.deny)
        self.accept_button.clicked.connect(self._accept_checked)
        for box in self.checkboxes.values():
            box.toggled.connect(self._update_accept)
        self._armed = arm_delay_ms <= 0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        if self._armed:
            self._arm()
        else:
            QTimer.singleShot(arm_delay_ms, self._arm)
        self.retranslate()

    # ----- texts -----
    def capability_text(self, capability: str) -> str:
        """The plain-language line for one capability."""
        texts = {
            "view": self.tr("See your screen"),
            "control": self.tr("Use your mouse and keyboard"),
            "clipboard": self.tr("Copy and paste text between your computer and theirs"),
            "diagnostics": self.tr("Run checks on your computer (each repair asks you again)"),
        }
        return texts.get(capability, capability)

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        technician = self.request.technician
        self.setWindowTitle(self.tr("Someone asks to help you"))
        self.title.setText(self.tr("{name} asks to connect to your computer").format(name=technician.name))
        parts = [p for p in (technician.team, technician.organisation) if p]
        details = ", ".join(parts)
        if technician.fingerprint:
            details += ("\n" if details else "") + self.tr("Key fingerprint: {fingerprint}").format(
                fingerprint=technician.fingerprint
            )
        self.identity.setText(details)
        if technician.verified:
            self.verification.setText(
                self.tr("Verified by your organisation: {organisation}").format(
                    organisation=technician.organisation or technician.name
                )
            )
        else:
            self.verification.setText(
                self.tr(
                    "Warning: this person is NOT verified by your organisation. "
                    "Only accept if you are sure who they are."
                )
            )
        if self.request.reason:
            self.reason.setText(self.tr("Reason: {reason}").format(reason=self.request.reason))
        self.reason.setVisible(bool(self.request.reason))
        self.asks.setText(self.tr("They ask to:"))
        for capability, box in self.checkboxes.items():
            box.setText(self.capability_text(capability))
        self.scam_warning.setText(
            self.tr(
                "Only accept if you contacted your IT support yourself. "
                "Nobody from IT will call you out of the blue and ask for this."
            )
        )
        self.how_to_stop.setText(
            self.tr("You can pause or end the session at any time with the buttons that stay on your screen.")
        )
        self.deny_button.setText(self.tr("Deny"))
        self.accept_button.setText(self.tr("Accept"))
        self._show_countdown()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ----- behaviour -----
    def granted(self) -> frozenset[str]:
        """The capabilities currently ticked."""
        return frozenset(c for c, box in self.checkboxes.items() if box.isChecked())

    def set_remote_input_active(self, active: bool) -> None:
        """Slot: while the technician's input is being applied, the prompt ignores all input."""
        self.guard.set_remote_input_active(active)

    def deny(self) -> None:
        """Refuse everything and close."""
        self._finish(frozenset())

    def _accept_checked(self) -> None:
        if self._armed and self.granted():
            self._finish(self.granted())

    def _arm(self) -> None:
        self._armed = True
        self._update_accept()

    def _update_accept(self) -> None:
        self.accept_button.setEnabled(self._armed and bool(self.granted()))

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.deny()
            return
        self._show_countdown()

    def _show_countdown(self) -> None:
        self.countdown.setText(self.tr("Closes in %n second(s) (that counts as Deny).", "", max(self.remaining, 0)))

    def _finish(self, granted: frozenset[str]) -> None:
        if self._answered:
            return
        self._answered = True
        self._timer.stop()
        self.decided.emit(granted)
        if granted:
            self.accept()
        else:
            self.reject()

    def reject(self) -> None:
        # Escape and the window's close button arrive here: both are a refusal.
        if not self._answered:
            self._finish(frozenset())
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._answered:
            self._finish(frozenset())
        super().closeEvent(event)
