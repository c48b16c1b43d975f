"""Console settings (identity, gateways, ticket system, language, theme) and the first-run assistant.

Key generation, file copies and keyring writes run off the GUI thread.  Secrets go to the OS keyring only;
when no keyring exists the dialog says so instead of storing them anywhere else.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.config import default_paths
from app.ui.i18n import LANGUAGE_NAMES, LANGUAGES
from app.ui.settings import DEFAULT_SHORTCUTS, THEMES, Gateway, UiSettings
from app.ui.theme import SPACING
from app.ui.worker import run_in_background

CONNECTOR_KINDS = ("folder", "email", "redmine", "rt", "jira", "zendesk", "servicenow", "freshdesk", "zammad", "glpi")
KEYRING_SERVICE = "podpora"


#: File names shared with ``podpora case export`` (which signs bundles with the same key).
TECHNICIAN_KEY_FILE = "technician_ed25519"
TECHNICIAN_CERT_FILE = "technician.cert"


def identity_dir() -> Path:
    """Where the technician's key and the certificate the organisation issued for it live."""
    return default_paths().config_dir


def create_identity_key(directory: Path | None = None) -> Path:
    """Create an Ed25519 key pair (OpenSSH format, private part 0600); blocking, call off the GUI thread."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder = directory or identity_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_path = folder / TECHNICIAN_KEY_FILE
    if private_path.exists():
        return private_path
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private)
    private_path.with_suffix(".pub").write_bytes(public + b" podpora-technician\n")
    return private_path


def import_certificate(source: Path, directory: Path | None = None) -> Path:
    """Copy the organisation's certificate into Podpora's identity folder; blocking."""
    folder = directory or identity_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / TECHNICIAN_CERT_FILE
    shutil.copyfile(source, target)
    return target


def store_secret(account: str, secret: str) -> None:
    """Put a ticket-system credential into the OS keyring (raises when there is none)."""
    import keyring

    keyring.set_password(KEYRING_SERVICE, account, secret)


class SettingsDialog(QDialog):
    """All console settings in tabs."""

    language_chosen = Signal(str)
    theme_chosen = Signal(str)
    shortcuts_chosen = Signal(object)  # dict[str, str]: command id -> keys (portable text)

    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.tabs = QTabWidget()
        # identity
        self.identity_status = QLabel()
        self.identity_status.setWordWrap(True)
        self.create_key_button = QPushButton()
        self.import_cert_button = QPushButton()
        self.name = QLineEdit(settings.technician_name)
        self.name_label = QLabel()
        identity = QWidget()
        identity_layout = QFormLayout(identity)
        identity_layout.addRow(self.name_label, self.name)
        identity_layout.addRow(self.create_key_button)
        identity_layout.addRow(self.import_cert_button)
        identity_layout.addRow(self.identity_status)
        self.public_key = QLineEdit()
        self.public_key.setReadOnly(True)
        self.copy_key_button = QPushButton()
        self.copy_key_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.public_key.text()))
        self.public_key_label = QLabel()
        key_row = QHBoxLayout()
        key_row.addWidget(self.public_key, 1)
        key_row.addWidget(self.copy_key_button)
        identity_layout.addRow(self.public_key_label, key_row)
        # gateways
        self.gateway_list = QListWidget()
        self.gateway_name = QLineEdit()
        self.gateway_alias = QLineEdit()
        self.add_gateway_button = QPushButton()
        self.remove_gateway_button = QPushButton()
        gateways = QWidget()
        gateways_layout = QVBoxLayout(gateways)
        gateways_layout.addWidget(self.gateway_list)
        row = QHBoxLayout()
        row.addWidget(self.gateway_name)
        row.addWidget(self.gateway_alias)
        row.addWidget(self.add_gateway_button)
        row.addWidget(self.remove_gateway_button)
        gateways_layout.addLayout(row)
        # ticket system
        self.connector_kind = QComboBox()
        self.connector_kind.addItems(CONNECTOR_KINDS)
        self.connector_kind.setCurrentText(settings.connector.kind)
        self.connector_url = QLineEdit(settings.connector.url)
        self.connector_user = QLineEdit(settings.connector.username)
        self.connector_secret = QLineEdit()
        self.connector_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.connector_status = QLabel()
        self.connector_status.setWordWrap(True)
        self.kind_label, self.url_label, self.user_label, self.secret_label = (QLabel() for _ in range(4))
        tickets = QWidget()
        tickets_layout = QFormLayout(tickets)
        tickets_layout.addRow(self.kind_label, self.connector_kind)
        tickets_layout.addRow(self.url_label, self.connector_url)
        tickets_layout.addRow(self.user_label, self.connector_user)
        tickets_layout.addRow(self.secret_label, self.connector_secret)
        tickets_layout.addRow(self.connector_status)
        # appearance
        self.language = QComboBox()
        self.language.addItem("", "system")
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.theme = QComboBox()
        for theme in THEMES:
            self.theme.addItem("", theme)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.language_label, self.theme_label = QLabel(), QLabel()
        appearance = QWidget()
        appearance_layout = QFormLayout(appearance)
        appearance_layout.addRow(self.language_label, self.language)
        appearance_layout.addRow(self.theme_label, self.theme)
        shortcuts = QWidget()
        shortcuts_layout = QVBoxLayout(shortcuts)
        shortcuts_form = QFormLayout()
        self.shortcut_edits: dict[str, QKeySequenceEdit] = {}
        self.shortcut_labels: dict[str, QLabel] = {}
        self._shortcut_values = {c: settings.shortcuts.get(c, k) for c, k in DEFAULT_SHORTCUTS.items()}
        for command, keys in self._shortcut_values.items():
            edit = QKeySequenceEdit(QKeySequence(keys))
            edit.setClearButtonEnabled(True)
            edit.setMaximumSequenceLength(1)  # one chord per command: nothing waits for a second key
            edit.editingFinished.connect(lambda c=command: self._shortcut_edited(c))
            label = QLabel()
            shortcuts_form.addRow(label, edit)
            self.shortcut_edits[command] = edit
            self.shortcut_labels[command] = label
        self.reset_shortcuts_button = QPushButton()
        self.reset_shortcuts_button.clicked.connect(self.reset_shortcuts)
        self.shortcut_status = QLabel()
        self.shortcut_status.setWordWrap(True)
        self.shortcuts = QLabel()
        self.shortcuts.setWordWrap(True)
        self.shortcuts.setProperty("role", "subtle")
        shortcuts_layout.addLayout(shortcuts_form)
        shortcuts_layout.addWidget(self.reset_shortcuts_button, 0, Qt.AlignmentFlag.AlignLeft)
        shortcuts_layout.addWidget(self.shortcut_status)
        shortcuts_layout.addWidget(self.shortcuts)
        shortcuts_layout.addStretch(1)
        for page in (identity, gateways, tickets, appearance, shortcuts):
            self.tabs.addTab(page, "")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.setSpacing(SPACING * 2)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.create_key_button.clicked.connect(self.create_key)
        self.import_cert_button.clicked.connect(self._choose_certificate)
        self.add_gateway_button.clicked.connect(self._add_gateway)
        self.remove_gateway_button.clicked.connect(self._remove_gateway)
        self.setMinimumSize(560, 380)
        self.retranslate()
        self._fill_gateways()
        self._show_identity()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Settings"))
        for index, text in enumerate(
            [
                self.tr("Identity"),
                self.tr("Gateways"),
                self.tr("Ticket system"),
                self.tr("Appearance"),
                self.tr("Shortcuts"),
            ]
        ):
            self.tabs.setTabText(index, text)
        self.name_label.setText(self.tr("Your name (shown to users):"))
        self.create_key_button.setText(self.tr("Create my Ed25519 key"))
        self.public_key_label.setText(self.tr("Public key (send it to your organisation to be certified):"))
        self.copy_key_button.setText(self.tr("Copy"))
        self.import_cert_button.setText(self.tr("Import the organisation's certificate…"))
        self.gateway_name.setPlaceholderText(self.tr("Name, e.g. Prague office"))
        self.gateway_alias.setPlaceholderText(self.tr("SSH alias or host"))
        self.add_gateway_button.setText(self.tr("Add"))
        self.remove_gateway_button.setText(self.tr("Remove"))
        self.kind_label.setText(self.tr("System:"))
        self.url_label.setText(self.tr("Address:"))
        self.user_label.setText(self.tr("User or e-mail:"))
        self.secret_label.setText(self.tr("API key or password:"))
        self.connector_secret.setPlaceholderText(self.tr("Stored in the system keyring, never in a file"))
        self.language_label.setText(self.tr("Language:"))
        self.theme_label.setText(self.tr("Theme:"))
        self.language.setItemText(0, self.tr("Same as the system"))
        for command, label in self.shortcut_labels.items():
            label.setText(self.command_name(command) + ":")
        self.reset_shortcuts_button.setText(self.tr("Reset to the defaults"))
        self.shortcuts.setText(
            self.tr(
                "Click a field and press the new keys; the clear button removes a shortcut. While the remote "
                "screen has the keyboard focus, every other key goes to the remote machine; Ctrl+Alt+Del and "
                "other keys your own computer would keep are in the session's Special keys menu."
            )
        )
        for index, text in enumerate([self.tr("Same as the system"), self.tr("Light"), self.tr("Dark")]):
            self.theme.setItemText(index, text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def command_name(self, command: str) -> str:
        """A rebindable command in words."""
        names = {
            "connect": self.tr("Connect to a machine"),
            "end_session": self.tr("End the session in front"),
            "settings": self.tr("Settings"),
            "quit": self.tr("Quit"),
        }
        return names.get(command, command)

    def shortcut_keys(self, command: str) -> str:
        """The keys currently in ``command``'s field (portable text; empty: none)."""
        return self.shortcut_edits[command].keySequence().toString(QKeySequence.SequenceFormat.PortableText)

    def _shortcut_owner(self, command: str, keys: str) -> str | None:
        return next((c for c in self.shortcut_edits if c != command and keys and self.shortcut_keys(c) == keys), None)

    def _refuse_shortcut(self, keys: str, owner: str) -> None:
        self.shortcut_status.setText(
            self.tr("{keys} is already the shortcut for “{command}”. Pick other keys.").format(
                keys=QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText),
                command=self.command_name(owner),
            )
        )

    def _shortcut_edited(self, command: str) -> None:
        """Take a new key for ``command``, or refuse it (and say why) when another command has it."""
        keys = self.shortcut_keys(command)
        owner = self._shortcut_owner(command, keys)
        if owner is not None:
            self.shortcut_edits[command].setKeySequence(QKeySequence(self._shortcut_values[command]))
            self._refuse_shortcut(keys, owner)
            return
        self._shortcut_values[command] = keys
        self.shortcut_status.setText("")

    def reset_shortcuts(self) -> None:
        """Every command back to its default keys."""
        self._shortcut_values = dict(DEFAULT_SHORTCUTS)
        for command, edit in self.shortcut_edits.items():
            edit.setKeySequence(QKeySequence(DEFAULT_SHORTCUTS[command]))
        self.shortcut_status.setText("")

    def _show_identity(self) -> None:
        folder = identity_dir()
        has_key = (folder / TECHNICIAN_KEY_FILE).exists()
        has_cert = (folder / TECHNICIAN_CERT_FILE).exists()
        lines = [
            self.tr("Your key: created.") if has_key else self.tr("Your key: not created yet."),
            self.tr("Organisation certificate: imported.")
            if has_cert
            else self.tr("Organisation certificate: none. Users will see that you are not verified."),
        ]
        self.identity_status.setText("\n".join(lines))
        self.create_key_button.setEnabled(not has_key)
        public = (folder / TECHNICIAN_KEY_FILE).with_suffix(".pub")
        run_in_background(
            lambda: public.read_text(encoding="utf-8").strip() if public.exists() else "",
            self.public_key.setText,
            lambda _: None,
            self,
        )

    def create_key(self) -> None:
        """Generate the technician key in the background."""
        self.create_key_button.setEnabled(False)
        run_in_background(
            create_identity_key,
            lambda _: self._show_identity(),
            lambda error: self.identity_status.setText(
                self.tr("Could not create the key: {reason}").format(reason=error)
            ),
            self,
        )

    def _choose_certificate(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Organisation certificate"))
        if path:
            self.import_certificate_from(Path(path))

    def import_certificate_from(self, source: Path) -> None:
        """Copy a certificate in the background."""
        run_in_background(
            lambda: import_certificate(source),
            lambda _: self._show_identity(),
            lambda error: self.identity_status.setText(
                self.tr("Could not import the certificate: {reason}").format(reason=error)
            ),
            self,
        )

    def _fill_gateways(self) -> None:
        self.gateway_list.clear()
        for gateway in self.settings.gateways:
            self.gateway_list.addItem(f"{gateway.name} — {gateway.alias}")

    def _add_gateway(self) -> None:
        alias = self.gateway_alias.text().strip()
        if not alias:
            return
        self.settings.gateways.append(Gateway(self.gateway_name.text().strip() or alias, alias))
        self.gateway_name.clear()
        self.gateway_alias.clear()
        self._fill_gateways()

    def _remove_gateway(self) -> None:
        row = self.gateway_list.currentRow()
        if 0 <= row < len(self.settings.gateways):
            del self.settings.gateways[row]
            self._fill_gateways()

    def save(self) -> None:
        """Apply and persist; the secret goes to the keyring in the background."""
        settings = self.settings
        settings.technician_name = self.name.text().strip()
        settings.connector.kind = self.connector_kind.currentText()
        settings.connector.url = self.connector_url.text().strip()
        settings.connector.username = self.connector_user.text().strip()
        language = str(self.language.currentData())
        theme = str(self.theme.currentData())
        changed_language = language != settings.language
        changed_theme = theme != settings.theme
        shortcuts = {command: self.shortcut_keys(command) for command in self.shortcut_edits}
        for command, keys in shortcuts.items():  # an edit not yet finished (Save right after typing)
            owner = self._shortcut_owner(command, keys)
            if owner is not None:
                self._refuse_shortcut(keys, owner)
                self.tabs.setCurrentIndex(4)
                return
        settings.language, settings.theme = language, theme
        changed_shortcuts = shortcuts != settings.shortcuts
        settings.shortcuts = shortcuts
        secret = self.connector_secret.text()
        self.connector_secret.clear()
        account = f"{settings.connector.kind}:{settings.connector.url}:{settings.connector.username}"

        def work() -> None:
            settings.save()
            if secret:
                store_secret(account, secret)

        def failed(error: BaseException) -> None:
            self.connector_status.setText(
                self.tr("The secret was not stored: there is no system keyring ({reason}).").format(reason=error)
            )
            self.tabs.setCurrentIndex(2)

        def done(_: object) -> None:
            if changed_language:
                self.language_chosen.emit(language)
            if changed_theme:
                self.theme_chosen.emit(theme)
            if changed_shortcuts:
                self.shortcuts_chosen.emit(dict(settings.shortcuts))
            self.accept()

        run_in_background(work, done, failed, self)


class FirstRunWizard(QWizard):
    """Gets a new technician from install to first session: identity, certificate, ticket system."""

    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.welcome = QWizardPage()
        self.welcome_text = QLabel()
        self.welcome_text.setWordWrap(True)
        QVBoxLayout(self.welcome).addWidget(self.welcome_text)
        self.identity = QWizardPage()
        self.name = QLineEdit(settings.technician_name)
        self.create_key_button = QPushButton()
        self.identity_status = QLabel()
        self.identity_status.setWordWrap(True)
        identity_layout = QVBoxLayout(self.identity)
        identity_layout.addWidget(self.name)
        identity_layout.addWidget(self.create_key_button)
        identity_layout.addWidget(self.identity_status)
        self.certificate = QWizardPage()
        self.import_button = QPushButton()
        self.certificate_status = QLabel()
        self.certificate_status.setWordWrap(True)
        certificate_layout = QVBoxLayout(self.certificate)
        certificate_layout.addWidget(self.import_button)
        certificate_layout.addWidget(self.certificate_status)
        self.tickets = QWizardPage()
        self.connector_kind = QComboBox()
        self.connector_kind.addItems(CONNECTOR_KINDS)
        self.connector_url = QLineEdit()
        tickets_layout = QVBoxLayout(self.tickets)
        tickets_layout.addWidget(self.connector_kind)
        tickets_layout.addWidget(self.connector_url)
        for page in (self.welcome, self.identity, self.certificate, self.tickets):
            self.addPage(page)
        self.create_key_button.clicked.connect(self._create_key)
        self.import_button.clicked.connect(self._import)
        self.accepted.connect(self._save)
        self.resize(620, 440)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Welcome to Podpora"))
        self.welcome.setTitle(self.tr("Welcome"))
        self.welcome_text.setText(
            self.tr(
                "Three short steps and you are ready for your first session: your name and key, your "
                "organisation's certificate, and (optionally) your ticket system. You can change all of it "
                "later in Settings."
            )
        )
        self.identity.setTitle(self.tr("Your identity"))
        self.identity.setSubTitle(self.tr("Users see this name when you ask to connect."))
        self.name.setPlaceholderText(self.tr("Your name, e.g. Jana Nováková"))
        self.create_key_button.setText(self.tr("Create my Ed25519 key"))
        self.certificate.setTitle(self.tr("Organisation certificate"))
        self.certificate.setSubTitle(
            self.tr("With it, users see that your organisation vouches for you. Without it they see a warning.")
        )
        self.import_button.setText(self.tr("Import the organisation's certificate…"))
        self.tickets.setTitle(self.tr("Ticket system (optional)"))
        self.tickets.setSubTitle(self.tr("Cases go to a folder until you connect a ticket system."))
        self.connector_url.setPlaceholderText(self.tr("Address, e.g. https://helpdesk.example.org"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _create_key(self) -> None:
        self.create_key_button.setEnabled(False)
        run_in_background(
            create_identity_key,
            lambda path: self.identity_status.setText(self.tr("Key created: {path}").format(path=path)),
            lambda error: self.identity_status.setText(
                self.tr("Could not create the key: {reason}").format(reason=error)
            ),
            self,
        )

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Organisation certificate"))
        if not path:
            return
        run_in_background(
            lambda: import_certificate(Path(path)),
            lambda _: self.certificate_status.setText(self.tr("Certificate imported.")),
            lambda error: self.certificate_status.setText(
                self.tr("Could not import the certificate: {reason}").format(reason=error)
            ),
            self,
        )

    def _save(self) -> None:
        self.settings.technician_name = self.name.text().strip()
        self.settings.connector.kind = self.connector_kind.currentText()
        self.settings.connector.url = self.connector_url.text().strip()
        self.settings.first_run_done = True
        settings = self.settings
        run_in_background(settings.save, lambda _: None, lambda _: None, self)
