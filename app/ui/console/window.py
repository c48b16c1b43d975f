"""The technician console's main window: address book, one tab per session, status bar, menus.

Connecting runs through a :class:`SessionFactory` (wired in ``app.cli.console`` to the SSH layer and the
technician driver) on a worker thread; host-key and passphrase questions come back to the GUI thread
through :class:`GuiAsker`.  The window never waits on the network itself.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.cases.store import InterruptedCase
from app.ui.console.addressbook import AddressBook, Entry
from app.ui.console.case_panel import CaseBackend
from app.ui.console.diagnostics_panel import DiagnosticsBackend
from app.ui.console.dialogs import AttemptAsker, ConnectDialog, ConnectRequest, GuiAsker, show_error
from app.ui.console.recovery import CaseRecovery, RecoveryDialog
from app.ui.console.session import SessionBackend, SessionController, SessionTab
from app.ui.console.settings_dialog import FirstRunWizard, SettingsDialog
from app.ui.i18n import LANGUAGE_NAMES, LANGUAGES, LanguageManager
from app.ui.settings import DEFAULT_SHORTCUTS, UiSettings
from app.ui.theme import SPACING, apply_theme
from app.ui.worker import Task

log = logging.getLogger(__name__)

#: How long closing a case waits for the session's last calls (a chat line, the goodbye) to be recorded.
CLOSE_FLUSH_SECONDS = 5.0


@dataclass
class OpenedSession:
    """A connected session, handed from the worker to the GUI thread."""

    title: str
    backend: SessionBackend
    attach: Callable[[SessionController], None]
    diagnostics: DiagnosticsBackend | None = None
    case: CaseBackend | None = None


class SessionFactory(Protocol):
    """Opens sessions; :meth:`open` blocks (the window calls it on a worker thread)."""

    def open(self, request: ConnectRequest, asker: GuiAsker | AttemptAsker) -> OpenedSession:
        """Connect, pair and start the session described by ``request``."""


class AddressBookPanel(QWidget):
    """Search, list and connect."""

    connect_requested = Signal(str)

    def __init__(self, book: AddressBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.entries: list[Entry] = []
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.search = QLineEdit()
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.connect_button = QPushButton()
        self.connect_button.setProperty("primary", True)
        self.tags_button = QPushButton()
        self.add_button = QPushButton()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 2, SPACING * 2, SPACING, SPACING * 2)
        layout.setSpacing(SPACING)
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.tags_button)
        row.addStretch(1)
        row.addWidget(self.connect_button)
        layout.addLayout(row)
        self.search.textChanged.connect(self._fill)
        self.list.itemActivated.connect(lambda item: self.connect_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.connect_button.clicked.connect(lambda: self.connect_requested.emit(self.current_target()))
        self.tags_button.clicked.connect(self._edit_tags)
        self.add_button.clicked.connect(self.open_add_dialog)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.title.setText(self.tr("Machines"))
        self.search.setPlaceholderText(self.tr("Search by name, host or tag"))
        self.connect_button.setText(self.tr("Connect…"))
        self.tags_button.setText(self.tr("Tags…"))
        self.add_button.setText(self.tr("Add…"))
        self._fill()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_entries(self, entries: list[Entry]) -> None:
        """Show entries (slot for the background load)."""
        self.entries = entries
        self._fill()

    def current_target(self) -> str:
        """The selected entry's target, or empty."""
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def _fill(self) -> None:
        query = self.search.text()
        self.list.clear()
        for entry in self.entries:
            if not entry.matches(query):
                continue
            details = entry.hostname or entry.target
            if entry.user:
                details = f"{entry.user}@{details}"
            extra = []
            if entry.last_used:
                extra.append(self.tr("recent"))
            extra.extend(f"#{tag}" for tag in entry.tags)
            text = f"{entry.name}\n{details}" + (f"   {' '.join(extra)}" if extra else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, entry.target)
            item.setToolTip(entry.note or entry.target)
            self.list.addItem(item)

    def open_add_dialog(self) -> SaveEntryDialog:
        """Save a machine that is not in the SSH configuration."""
        dialog = SaveEntryDialog(self)
        dialog.accepted.connect(lambda: self.save_entry(dialog.entry()))
        dialog.open()
        return dialog

    def save_entry(self, entry: Entry) -> None:
        """Add ``entry`` to the saved machines (written off the GUI thread) and show it."""
        from app.ui.worker import run_in_background

        def work() -> list[Entry]:
            self.book.add(entry)
            return self.book.entries()

        run_in_background(work, self.set_entries, lambda _: None, self)

    def _edit_tags(self) -> None:
        selected = self.list.selectedItems()
        if not selected:
            return
        item = selected[0]
        target = str(item.data(Qt.ItemDataRole.UserRole))
        entry = next((e for e in self.entries if e.target == target), None)
        if entry is None:
            return
        text, ok = QInputDialog.getText(
            self,
            self.tr("Tags"),
            self.tr("Tags for {name}, separated by spaces:").format(name=entry.name),
            text=" ".join(entry.tags),
        )
        if ok:
            entry.tags = [t.lstrip("#") for t in text.split() if t.strip("#")]
            self._fill()
            from app.ui.worker import run_in_background

            name, tags = entry.name, list(entry.tags)
            # Saving writes the address book file (and may wait for another save): never on the GUI thread.
            run_in_background(lambda: self.book.set_tags(name, tags), lambda _: None, self._tags_not_saved, self)

    def _tags_not_saved(self, error: BaseException) -> None:
        log.info("could not save the tags: %s", error)


class SaveEntryDialog(QDialog):
    """Name, host or alias, tags and a note for a saved machine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.target = QLineEdit()
        self.tags = QLineEdit()
        self.note = QLineEdit()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.name_label, self.target_label, self.tags_label, self.note_label = (QLabel() for _ in range(4))
        form = QFormLayout(self)
        form.addRow(self.name_label, self.name)
        form.addRow(self.target_label, self.target)
        form.addRow(self.tags_label, self.tags)
        form.addRow(self.note_label, self.note)
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        self.setWindowTitle(self.tr("Save a machine"))
        self.name_label.setText(self.tr("Name:"))
        self.target_label.setText(self.tr("Host or alias:"))
        self.tags_label.setText(self.tr("Tags (separated by spaces):"))
        self.note_label.setText(self.tr("Note:"))
        self.target.setPlaceholderText(self.tr("e.g. office-pc or jana@10.0.0.7"))

    def _try_accept(self) -> None:
        if self.target.text().strip():
            self.accept()

    def entry(self) -> Entry:
        """The machine as typed."""
        target = self.target.text().strip()
        return Entry(
            name=self.name.text().strip() or target,
            target=target,
            tags=[t.lstrip("#") for t in self.tags.text().split() if t.strip("#")],
            note=self.note.text().strip(),
        )


class ConsoleWindow(QMainWindow):
    """The technician's main window."""

    def __init__(
        self,
        settings: UiSettings,
        languages: LanguageManager | None = None,
        factory: SessionFactory | None = None,
        book: AddressBook | None = None,
        recovery: CaseRecovery | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.recovery = recovery
        self.recovery_dialogs: list[RecoveryDialog] = []  # the question on screen (one at a time)
        self.recovery_queue: list[InterruptedCase] = []  # interrupted cases still to ask about
        self.recovery_checked = False  # True once the look for interrupted cases has come back
        self.languages = languages
        self.factory = factory
        self.book = book or AddressBook()
        self.asker = GuiAsker(self)
        self.pending: dict[str, Task] = {}
        #: Each pending attempt's cancel event: *Cancel* (or closing the window) sets it, and the SSH layer closes
        #: the attempt's sockets at once instead of waiting out a stalled server.
        self._cancels: dict[str, threading.Event] = {}
        self.arrivals: list[OpenedSession] = []  # connected sessions whose tabs are still to be built
        self._attempts = itertools.count()
        self.address_book = AddressBookPanel(self.book)
        self.address_book.connect_requested.connect(self.open_connect_dialog)
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(lambda _: self.update_status())
        self.welcome = QWidget()
        self.welcome_title = QLabel()
        self.welcome_title.setProperty("role", "title")
        self.welcome_text = QLabel()
        self.welcome_text.setWordWrap(True)
        self.welcome_text.setProperty("role", "subtle")
        self.welcome_connect = QPushButton()
        self.welcome_connect.setProperty("primary", True)
        self.welcome_connect.setMinimumHeight(44)
        self.connecting_label = QLabel()
        self.connecting_label.setWordWrap(True)
        welcome_layout = QVBoxLayout(self.welcome)
        welcome_layout.setContentsMargins(SPACING * 6, SPACING * 6, SPACING * 6, SPACING * 6)
        welcome_layout.setSpacing(SPACING * 2)
        welcome_layout.addStretch(1)
        welcome_layout.addWidget(self.welcome_title)
        welcome_layout.addWidget(self.welcome_text)
        row = QHBoxLayout()
        row.addWidget(self.welcome_connect)
        row.addStretch(1)
        welcome_layout.addLayout(row)
        welcome_layout.addWidget(self.connecting_label)
        welcome_layout.addStretch(2)
        self.welcome_connect.clicked.connect(lambda: self.open_connect_dialog(""))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.tabs)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.address_book)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 1000])
        self.setCentralWidget(splitter)
        self.link_label = QLabel()
        self.consent_label = QLabel()
        self.connect_progress = QProgressBar()
        self.connect_progress.setRange(0, 0)  # busy: connecting has no measurable steps
        self.connect_progress.setMaximumWidth(120)
        self.cancel_connect_button = QPushButton()
        self.cancel_connect_button.clicked.connect(self.cancel_connecting)
        self.statusBar().addPermanentWidget(self.connect_progress)
        self.statusBar().addPermanentWidget(self.cancel_connect_button)
        self.connect_progress.hide()
        self.cancel_connect_button.hide()
        self.statusBar().addPermanentWidget(self.consent_label)
        self.statusBar().addPermanentWidget(self.link_label)
        self._build_menus()
        self.resize(1280, 800)
        self.retranslate()
        self.reload_address_book()
        self.check_interrupted_cases()

    # ----- menus -----
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.session_menu = bar.addMenu("")
        self.connect_action = QAction(self)
        self.connect_action.triggered.connect(lambda: self.open_connect_dialog(""))
        self.end_action = QAction(self)
        self.end_action.triggered.connect(self.end_current)
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.close)
        self.session_menu.addAction(self.connect_action)
        self.session_menu.addAction(self.end_action)
        self.session_menu.addSeparator()
        self.session_menu.addAction(self.quit_action)
        self.tools_menu = bar.addMenu("")
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.open_settings)
        self.first_run_action = QAction(self)
        self.first_run_action.triggered.connect(self.open_first_run)
        self.tools_menu.addAction(self.settings_action)
        self.tools_menu.addAction(self.first_run_action)
        self.language_menu = bar.addMenu("")
        group = QActionGroup(self)
        for code in LANGUAGES:
            action = QAction(LANGUAGE_NAMES[code], self)
            action.setCheckable(True)
            action.setChecked(self.languages is not None and self.languages.language == code)
            action.triggered.connect(lambda _=False, c=code: self.switch_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
        self.apply_shortcuts(self.settings.shortcuts)

    def shortcut_actions(self) -> dict[str, QAction]:
        """The rebindable commands (ids as in ``UiSettings.shortcuts``)."""
        return {
            "connect": self.connect_action,
            "end_session": self.end_action,
            "settings": self.settings_action,
            "quit": self.quit_action,
        }

    def apply_shortcuts(self, shortcuts: dict[str, str]) -> None:
        """Give each command its keys (from Settings; applied at once, no restart)."""
        for command, action in self.shortcut_actions().items():
            action.setShortcut(QKeySequence(shortcuts.get(command, DEFAULT_SHORTCUTS[command])))

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.setWindowTitle(self.tr("Podpora – Technician console"))
        self.session_menu.setTitle(self.tr("&Session"))
        self.connect_action.setText(self.tr("&Connect…"))
        self.end_action.setText(self.tr("&End session"))
        self.quit_action.setText(self.tr("&Quit"))
        self.tools_menu.setTitle(self.tr("&Tools"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.first_run_action.setText(self.tr("First-run &assistant…"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.welcome_title.setText(self.tr("No session open"))
        self.welcome_text.setText(
            self.tr(
                "Pick a machine on the left, or connect with a session code the user reads out to you. "
                "The user sees who you are and decides what you may do."
            )
        )
        self.welcome_connect.setText(self.tr("Connect…"))
        self.cancel_connect_button.setText(self.tr("Cancel"))
        self.update_status()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def switch_language(self, language: str) -> None:
        """Switch the UI language and remember it."""
        if self.languages is not None:
            self.languages.apply(language)
        self.settings.language = language
        from app.ui.worker import run_in_background

        run_in_background(self.settings.save, lambda _: None, lambda _: None, self)

    # ----- address book -----
    def reload_address_book(self) -> None:
        """Read the SSH config and saved entries off the GUI thread."""
        from app.ui.worker import run_in_background

        run_in_background(self.book.load, self.address_book.set_entries, lambda _: None, self)

    # ----- interrupted cases -----
    def check_interrupted_cases(self) -> None:
        """Look for cases left open by a killed console (off the GUI thread) and offer to finish each."""
        recovery = self.recovery
        if recovery is None:
            return
        from app.ui.worker import run_in_background

        def failed(error: BaseException) -> None:
            self.recovery_checked = True
            log.info("could not look for interrupted cases: %s", error)

        run_in_background(lambda: list(recovery.interrupted()), self._offer_recovery, failed, self)

    def _offer_recovery(self, cases: list[InterruptedCase]) -> None:
        self.recovery_checked = True
        self.recovery_queue.extend(cases)
        self._offer_next_case()

    def _offer_next_case(self) -> None:
        """One question at a time: the next interrupted case once the previous one is answered."""
        if self.recovery is None or self.recovery_dialogs or not self.recovery_queue:
            return
        dialog = RecoveryDialog(self.recovery_queue.pop(0), self.recovery, self)
        self.recovery_dialogs.append(dialog)
        dialog.finished.connect(lambda _=0, d=dialog: self._recovery_closed(d))
        dialog.open()

    def _recovery_closed(self, dialog: RecoveryDialog) -> None:
        if dialog in self.recovery_dialogs:
            self.recovery_dialogs.remove(dialog)
        self._offer_next_case()

    # ----- connecting -----
    def open_connect_dialog(self, target: str = "") -> ConnectDialog:
        """Ask what to connect to, then connect."""
        hosts = [e.target for e in self.address_book.entries]
        gateways = [g.alias for g in self.settings.gateways]
        dialog = ConnectDialog(hosts, gateways, initial_target=target, parent=self)
        dialog.accepted.connect(lambda: self.connect_to(dialog.request()))
        dialog.open()
        return dialog

    def connect_to(self, request: ConnectRequest) -> Task | None:
        """Open a session in the background; a tab appears when it is connected."""
        factory = self.factory
        if factory is None:
            self.statusBar().showMessage(self.tr("Connecting is not available in this build."), 5000)
            return None
        # A key never reused: a cancelled attempt that fails or succeeds late must not pass for a new one.
        key = f"{request.target}#{next(self._attempts)}"
        self.connecting_label.setText(self.tr("Connecting to {target}…").format(target=request.target))
        self.statusBar().showMessage(self.tr("Connecting to {target}…").format(target=request.target))
        cancel = threading.Event()
        asker = AttemptAsker(self.asker, cancel)
        task = Task(lambda: factory.open(request, asker))  # kept alive by self.pending, not by Qt

        def connected(opened: OpenedSession) -> None:
            if shiboken6.isValid(self) and key in self.pending:
                self._connected(key, request, opened)
            else:  # cancelled, or the console closed while connecting: do not leave the session running
                opened.backend.stop()
                _close_case(opened.case, getattr(opened.backend, "flush", None))

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(self) and key in self.pending:
                self._connect_failed(key, request, error)

        task.succeeded.connect(connected, Qt.ConnectionType.QueuedConnection)
        task.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
        self.pending[key] = task
        self._cancels[key] = cancel
        self._show_progress()
        task.start()
        return task

    def cancel_connecting(self) -> None:
        """Give up on every connection still being set up (a late result is closed at once)."""
        targets = list(dict.fromkeys(key.rpartition("#")[0] for key in self.pending))
        self._cancel_attempts()
        self.pending.clear()
        self._show_progress()
        if not targets:
            self.connecting_label.clear()
            self.statusBar().clearMessage()
            return
        text = self.tr("Connecting to {target} was cancelled.").format(target=", ".join(targets))
        self.connecting_label.setText(text)
        self.statusBar().showMessage(text, 10000)

    def _cancel_attempts(self) -> None:
        """Tell every pending attempt's SSH layer to give up now."""
        for cancel in self._cancels.values():
            cancel.set()
        self._cancels.clear()

    def _show_progress(self) -> None:
        busy = bool(self.pending)
        self.connect_progress.setVisible(busy)
        self.cancel_connect_button.setVisible(busy)

    def _connected(self, key: str, request: ConnectRequest, opened: OpenedSession) -> None:
        self.pending.pop(key, None)
        self._cancels.pop(key, None)
        self._show_progress()
        self.connecting_label.clear()
        self.statusBar().clearMessage()
        # One new tab per turn of the event loop: sessions that connect together (several machines at once)
        # would otherwise build all their tabs in one go, and the window would not repaint meanwhile.
        self.arrivals.append(opened)
        if len(self.arrivals) == 1:
            QTimer.singleShot(0, self, self._add_next_arrival)
        from app.ui.worker import run_in_background

        run_in_background(lambda: self.book.remember_use(request.target), lambda _: None, lambda _: None, self)

    def _add_next_arrival(self) -> None:
        if not self.arrivals:
            return
        self.add_session(self.arrivals.pop(0))
        if self.arrivals:
            QTimer.singleShot(0, self, self._add_next_arrival)

    def _connect_failed(self, key: str, request: ConnectRequest, error: BaseException) -> None:
        self.pending.pop(key, None)
        self._cancels.pop(key, None)
        self._show_progress()
        self.connecting_label.clear()
        self.statusBar().clearMessage()
        show_error(self, self.tr("Could not connect to {target}").format(target=request.target), error)

    def add_session(self, opened: OpenedSession) -> SessionTab:
        """Add a tab for a connected session and start its reports."""
        controller = SessionController(opened.title, opened.backend, opened.diagnostics, opened.case, self)
        tab = SessionTab(controller)
        tab.status_changed.connect(self.update_status)
        index = self.tabs.addTab(tab, opened.title)
        self.tabs.setCurrentIndex(index)
        self.stack.setCurrentWidget(self.tabs)
        opened.attach(controller)
        self.update_status()
        return tab

    def current_tab(self) -> SessionTab | None:
        """The session in front."""
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, SessionTab) else None

    def end_current(self) -> None:
        """End the session in front."""
        tab = self.current_tab()
        if tab is not None:
            tab.end_session()

    def close_tab(self, index: int) -> None:
        """Close a tab, ending its session first and closing its case journal."""
        widget = self.tabs.widget(index)
        if isinstance(widget, SessionTab):
            widget.end_session()
            _close_case(widget.controller.case, getattr(widget.controller.backend, "flush", None))
        self.tabs.removeTab(index)
        if widget is not None:
            widget.deleteLater()
        if self.tabs.count() == 0:
            self.stack.setCurrentWidget(self.welcome)
        self.update_status()

    def update_status(self) -> None:
        """Link quality and consent of the session in front."""
        tab = self.current_tab()
        if tab is None:
            self.link_label.setText("")
            self.consent_label.setText(self.tr("No session"))
            return
        self.link_label.setText(tab.link_text)
        self.consent_label.setText(tab.consent_text())

    # ----- settings -----
    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog."""
        dialog = SettingsDialog(self.settings, self)
        dialog.language_chosen.connect(self._language_from_settings)
        dialog.theme_chosen.connect(self._theme_from_settings)
        dialog.shortcuts_chosen.connect(self.apply_shortcuts)
        dialog.open()
        return dialog

    def _language_from_settings(self, language: str) -> None:
        if self.languages is not None:
            from app.ui.i18n import resolve_language

            self.languages.apply(resolve_language(language))

    def _theme_from_settings(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    def open_first_run(self) -> FirstRunWizard:
        """Open the first-run assistant."""
        wizard = FirstRunWizard(self.settings, self)
        wizard.open()
        return wizard

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, SessionTab):
                widget.end_session()
                _close_case(widget.controller.case, getattr(widget.controller.backend, "flush", None))
        for opened in self.arrivals:  # connected, but the tab never came: end them the same way
            opened.backend.stop()
            _close_case(opened.case, getattr(opened.backend, "flush", None))
        self.arrivals.clear()
        self._cancel_attempts()
        self.pending.clear()  # results still on their way are closed when they arrive
        super().closeEvent(event)


def _close_case(case: object, flush: Callable[[float], bool] | None = None) -> None:
    """Close a case journal (final signed checkpoint) on its own thread.

    ``flush`` first waits for what the tab handed to its session (the last chat line, the goodbye), so those
    records land before the checkpoint.  Not a daemon thread: the process waits for the checkpoint at exit.
    Every record is already on disk, so a crash here loses nothing but the final signature, which recovery
    reports.
    """
    close = getattr(case, "close", None)
    if close is None:
        return

    def work() -> None:
        try:
            if flush is not None and not flush(CLOSE_FLUSH_SECONDS):
                log.info("closing the case journal while the session is still busy")
            close()
        except Exception as error:
            log.info("closing the case journal failed: %s", error)

    threading.Thread(target=work, name="podpora-case-close").start()
