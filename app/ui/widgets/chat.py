"""A chat panel shared by the console and the assist app: a transcript and a line to type in."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.ui.theme import SPACING


class ChatWidget(QWidget):
    """Shows messages and emits :attr:`message_sent` with what the local person typed."""

    message_sent = Signal(str)

    #: Longest message accepted from the keyboard; the protocol enforces its own limit too.
    MAX_LENGTH = 4000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript = QTextBrowser()
        self.transcript.setOpenExternalLinks(False)
        self.input = QLineEdit()
        self.input.setMaxLength(self.MAX_LENGTH)
        self.send_button = QPushButton()
        self.send_button.setProperty("primary", True)
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        layout.addWidget(self.transcript, 1)
        layout.addLayout(row)
        self.send_button.clicked.connect(self._send)
        self.input.returnPressed.connect(self._send)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.input.setPlaceholderText(self.tr("Type a message"))
        self.send_button.setText(self.tr("Send"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def add_message(self, sender: str, text: str, *, mine: bool = False, when: datetime | None = None) -> None:
        """Append one message; text is shown as plain text, never interpreted as markup."""
        stamp = (when or datetime.now()).strftime("%H:%M")
        colour = "#2563eb" if mine else "#15803d"
        self.transcript.append(
            f'<p><span style="color:#6b7280">{stamp}</span> '
            f'<b style="color:{colour}">{html.escape(sender)}</b><br>{html.escape(text)}</p>'
        )

    def add_notice(self, text: str) -> None:
        """Append a line from Podpora itself (connection, consent changes)."""
        self.transcript.append(f'<p style="color:#6b7280"><i>{html.escape(text)}</i></p>')

    def _send(self) -> None:
        text = self.input.text().strip()
        if not text:
            return
        self.input.clear()
        self.message_sent.emit(text)
