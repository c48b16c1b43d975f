"""The console's connection dialogs: connect, host-key decision, passphrase, and plain-language errors."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.i18n import error_text
from app.ui.theme import SPACING


class HostKeyView(Protocol):
    """What the host-key dialog shows (``app.remote.ssh.HostKeyInfo`` fits; app.ui may not import the SSH
    layer, so app.cli passes it in and maps the decision back)."""

    @property
    def key_type(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def known_hosts_name(self) -> str: ...


#: The technician's answers, with the same values as ``app.remote.ssh.HostKeyDecision``.
REFUSE = "refuse"
TRUST_ONCE = "trust-once"
TRUST_AND_REMEMBER = "trust-and-remember"


@dataclass(frozen=True)
class ConnectRequest:
    """What the technician asked to connect to: a host directly, or a gateway plus a session code."""

    mode: str  # "direct" or "gateway"
    target: str  # ssh alias or [user@]host[:port]; in gateway mode the gateway's alias
    code: str = ""
    reason: str = ""
    ticket: str = ""
    port: int = 0  # gateway mode: the session number (the gateway port) the user reads out


class ConnectDialog(QDialog):
    """Host or alias, or gateway + session code; plus the case reason and ticket reference."""

    def __init__(
        self,
        hosts: list[str],
        gateways: list[str],
        *,
        initial_target: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.direct = QRadioButton()
        self.via_gateway = QRadioButton()
        self.direct.setChecked(True)
        self.host = QComboBox()
        self.host.setEditable(True)
        self.host.addItems(hosts)
        self.host.setCurrentText(initial_target)
        self.gateway = QComboBox()
        self.gateway.addItems(gateways)
        self.code = QLineEdit()
        self.code.setInputMask("999-999-999;_")
        self.session_number = QLineEdit()
        self.session_number.setInputMask("00000;_")
        self.session_number_label = QLabel()
        self.reason = QLineEdit()
        self.ticket = QLineEdit()
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setProperty("role", "subtle")
        self.host_label = QLabel()
        self.gateway_label = QLabel()
        self.code_label = QLabel()
        self.reason_label = QLabel()
        self.ticket_label = QLabel()
        form = QFormLayout()
        form.setSpacing(SPACING)
        form.addRow(self.host_label, self.host)
        form.addRow(self.gateway_label, self.gateway)
        form.addRow(self.session_number_label, self.session_number)
        form.addRow(self.code_label, self.code)
        form.addRow(self.reason_label, self.reason)
        form.addRow(self.ticket_label, self.ticket)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = QPushButton()
        self.connect_button.setProperty("primary", True)
        self.connect_button.setDefault(True)
        self.buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.AcceptRole)
        modes = QHBoxLayout()
        modes.addWidget(self.direct)
        modes.addWidget(self.via_gateway)
        modes.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setSpacing(SPACING * 2)
        layout.addLayout(modes)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        self.direct.toggled.connect(self._mode_changed)
        self.host.currentTextChanged.connect(self._validate)
        self.code.textChanged.connect(self._validate)
        self.session_number.textChanged.connect(self._validate)
        self.setMinimumWidth(460)
        self.retranslate()
        self._mode_changed()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Connect"))
        self.direct.setText(self.tr("Directly (SSH to the machine)"))
        self.via_gateway.setText(self.tr("Through a gateway (session code)"))
        self.host_label.setText(self.tr("Host or alias:"))
        self.gateway_label.setText(self.tr("Gateway:"))
        self.code_label.setText(self.tr("Session code:"))
        self.session_number_label.setText(self.tr("Session number:"))
        self.reason_label.setText(self.tr("Reason (shown to the user):"))
        self.ticket_label.setText(self.tr("Ticket (optional):"))
        line = self.host.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("e.g. office-pc or jana@10.0.0.7"))
        self.connect_button.setText(self.tr("Connect"))
        self._validate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _mode_changed(self) -> None:
        gateway = self.via_gateway.isChecked()
        for widget in (self.gateway, self.gateway_label, self.session_number, self.session_number_label):
            widget.setVisible(gateway)
        for widget in (self.host, self.host_label):
            widget.setVisible(not gateway)
        self._validate()

    def code_digits(self) -> str:
        """The session code as typed, digits only."""
        return "".join(c for c in self.code.text() if c.isdigit())

    def _validate(self) -> None:
        problem = ""
        if self.via_gateway.isChecked():
            if not self.gateway.currentText():
                problem = self.tr("Add a gateway in Settings first.")
            elif not self.session_port():
                problem = self.tr("Ask the user for the session number shown under their code.")
        elif not self.host.currentText().strip():
            problem = self.tr("Type a host name or pick one from your SSH configuration.")
        if not problem and len(self.code_digits()) != 9:
            problem = self.tr("Ask the user for the 9-digit code shown in their Podpora window.")
        self.hint.setText(problem)
        self.connect_button.setEnabled(not problem)

    def session_port(self) -> int:
        """The gateway session number (a port), or 0 when not given or out of range."""
        digits = "".join(c for c in self.session_number.text() if c.isdigit())
        port = int(digits) if digits else 0
        return port if 0 < port < 65536 else 0

    def _try_accept(self) -> None:
        self._validate()
        if self.connect_button.isEnabled():
            self.accept()

    def request(self) -> ConnectRequest:
        """What to connect to."""
        gateway = self.via_gateway.isChecked()
        return ConnectRequest(
            mode="gateway" if gateway else "direct",
            target=self.gateway.currentText() if gateway else self.host.currentText().strip(),
            code=self.code_digits(),
            reason=self.reason.text().strip(),
            ticket=self.ticket.text().strip(),
            port=self.session_port() if gateway else 0,
        )


class HostKeyDialog(QDialog):
    """An unknown host key: show the SHA256 fingerprint and let the technician decide."""

    decided = Signal(str)  # REFUSE, TRUST_ONCE or TRUST_AND_REMEMBER

    def __init__(self, info: HostKeyView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.decision = REFUSE
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.fingerprint = QLabel(info.fingerprint)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setStyleSheet("font-family: monospace; font-size: 12pt;")
        self.key_type = QLabel()
        self.key_type.setProperty("role", "subtle")
        self.refuse_button = QPushButton()
        self.once_button = QPushButton()
        self.remember_button = QPushButton()
        self.remember_button.setProperty("primary", True)
        self.refuse_button.setDefault(True)  # Enter without reading must not trust a key
        row = QHBoxLayout()
        row.addWidget(self.refuse_button)
        row.addStretch(1)
        row.addWidget(self.once_button)
        row.addWidget(self.remember_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(SPACING * 2)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.key_type)
        layout.addLayout(row)
        self.refuse_button.clicked.connect(lambda: self._finish(REFUSE))
        self.once_button.clicked.connect(lambda: self._finish(TRUST_ONCE))
        self.remember_button.clicked.connect(lambda: self._finish(TRUST_AND_REMEMBER))
        self._answered = False
        self.setMinimumWidth(520)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Unknown host key"))
        self.title.setText(self.tr("First connection to {host}").format(host=self.info.known_hosts_name))
        self.explanation.setText(
            self.tr(
                "Podpora has not seen this machine before. Compare this fingerprint with the one your "
                "administrator gave you (or run 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub' on the "
                "machine). Trust it only if they match."
            )
        )
        self.key_type.setText(self.tr("Key type: {type}").format(type=self.info.key_type))
        self.refuse_button.setText(self.tr("Refuse"))
        self.once_button.setText(self.tr("Trust once"))
        self.remember_button.setText(self.tr("Trust and remember"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _finish(self, decision: str) -> None:
        if self._answered:
            return
        self._answered = True
        self.decision = decision
        self.decided.emit(decision)
        if decision == REFUSE:
            super().reject()
        else:
            self.accept()

    def reject(self) -> None:
        self._finish(REFUSE)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._finish(REFUSE)
        super().closeEvent(event)


class _Reply:
    """A one-shot answer handed from the GUI thread back to a waiting worker thread."""

    def __init__(self, default: object) -> None:
        self.value = default
        self.done = threading.Event()


class AttemptAsker:
    """The window's :class:`GuiAsker` for one connection attempt, carrying that attempt's cancel event.

    The connector hands ``cancelled`` to the SSH layer (``ConnectOptions.cancel``); every question goes to the
    shared asker.
    """

    def __init__(self, asker: GuiAsker, cancelled: threading.Event) -> None:
        self._asker = asker
        self.cancelled = cancelled

    def __getattr__(self, name: str) -> Any:
        return getattr(self._asker, name)


class GuiAsker(QObject):
    """Lets a worker thread ask the technician a question and wait for the answer.

    The worker calls :meth:`ask_host_key` (blocking *the worker*, never the GUI); a queued signal opens the
    dialog on the GUI thread, and the answer comes back through a threading.Event.  Unanswered within
    ``timeout`` seconds means refuse.
    """

    _host_key_needed = Signal(object, object)
    _passphrase_needed = Signal(str, object)
    _question_needed = Signal(str, str, object)

    def __init__(self, parent_widget: QWidget, timeout: float = 600.0) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self.timeout = timeout
        self._host_key_needed.connect(self._show_host_key, Qt.ConnectionType.QueuedConnection)
        self._passphrase_needed.connect(self._show_passphrase, Qt.ConnectionType.QueuedConnection)
        self._question_needed.connect(self._show_question, Qt.ConnectionType.QueuedConnection)
        self.open_dialogs: list[QDialog] = []

    def ask_host_key(self, info: HostKeyView) -> str:
        """Called from the SSH worker thread; app.cli maps the answer onto ``HostKeyDecision``."""
        reply = _Reply(REFUSE)
        self._host_key_needed.emit(info, reply)
        reply.done.wait(self.timeout)
        value = reply.value
        return str(value) if value in {TRUST_ONCE, TRUST_AND_REMEMBER} else REFUSE

    def ask_passphrase(self, path: object) -> str | None:
        """Called from the SSH worker thread (``ConnectOptions.passphrase_provider``)."""
        reply = _Reply(None)
        self._passphrase_needed.emit(str(path), reply)
        reply.done.wait(self.timeout)
        return reply.value if isinstance(reply.value, str) else None

    def ask_yes_no(self, title: str, text: str) -> bool:
        """Called from a worker thread: a yes/no question to the technician (unanswered = no)."""
        reply = _Reply(False)
        self._question_needed.emit(title, text, reply)
        reply.done.wait(self.timeout)
        return reply.value is True

    def _show_question(self, title: str, text: str, reply: _Reply) -> None:
        box = QMessageBox(self._parent_widget)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self.open_dialogs.append(box)

        def finished(result: int) -> None:
            reply.value = result == QMessageBox.StandardButton.Yes
            reply.done.set()
            self.open_dialogs.remove(box)

        box.finished.connect(finished)
        box.open()

    def _show_host_key(self, info: HostKeyView, reply: _Reply) -> None:
        dialog = HostKeyDialog(info, self._parent_widget)
        self.open_dialogs.append(dialog)

        def answered(decision: str) -> None:
            reply.value = decision
            reply.done.set()
            self.open_dialogs.remove(dialog)

        dialog.decided.connect(answered)
        dialog.show()

    def _show_passphrase(self, path: str, reply: _Reply) -> None:
        dialog = PassphraseDialog(path, self._parent_widget)
        self.open_dialogs.append(dialog)

        def finished(result: int) -> None:
            reply.value = dialog.passphrase.text() if result == QDialog.DialogCode.Accepted else None
            reply.done.set()
            self.open_dialogs.remove(dialog)

        dialog.finished.connect(finished)
        dialog.show()


#: What the session factory gets to ask the technician with: the shared asker, or one attempt's (with its cancel).
Asker = GuiAsker | AttemptAsker


class PassphraseDialog(QDialog):
    """Asks for the passphrase of an encrypted private key (never stored, never logged)."""

    def __init__(self, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.passphrase)
        layout.addWidget(buttons)
        self.setWindowTitle(self.tr("Key passphrase"))
        self.label.setText(self.tr("Passphrase for the key {path}:").format(path=path))


def next_step_for(error: BaseException) -> str:
    """A plain-language next step for common failures (the error text itself says what happened)."""
    name = type(error).__name__
    steps = {
        "HostKeyChanged": QCoreApplication.translate(
            "ConnectErrors", "Do not connect. Call the machine's administrator and compare the fingerprint."
        ),
        "HostKeyRefused": QCoreApplication.translate(
            "ConnectErrors", "Connect again when you have the fingerprint to compare."
        ),
        "AuthFailed": QCoreApplication.translate(
            "ConnectErrors", "Check your key in Settings → Identity, or load it into ssh-agent."
        ),
        "HostUnreachable": QCoreApplication.translate(
            "ConnectErrors", "Check that the machine is on and connected, then try again."
        ),
        "ConnectTimeout": QCoreApplication.translate(
            "ConnectErrors", "Check that the machine is on and connected, then try again."
        ),
        "PairingFailed": QCoreApplication.translate(
            "ConnectErrors", "Ask the user to read the code again; they can get a new one."
        ),
    }
    return steps.get(
        name, QCoreApplication.translate("ConnectErrors", "Try again. If it keeps failing, run 'podpora check HOST'.")
    )


def show_error(parent: QWidget, title: str, error: BaseException) -> QMessageBox:
    """Show what went wrong in plain language, with the next step; technical detail on demand."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(error_text(error))
    box.setInformativeText(next_step_for(error))
    box.setDetailedText(f"{type(error).__name__}: {error}")
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box
