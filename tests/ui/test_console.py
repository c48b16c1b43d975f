"""The technician console: address book, dialogs, session tab, panels, window, settings."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.errors import PodporaError
from app.remote.ssh import HostKeyDecision, HostKeyInfo
from app.ui.console.addressbook import AddressBook, Entry, parse_ssh_config
from app.ui.console.case_panel import CasePanel, ExportDialog, ExportProgress
from app.ui.console.diagnostics_panel import CheckRow, DiagnosticsPanel, ProgressCallback, RepairView, ScriptEntry
from app.ui.console.dialogs import ConnectDialog, ConnectRequest, GuiAsker, HostKeyDialog
from app.ui.console.session import SessionController, SessionTab
from app.ui.console.settings_dialog import SettingsDialog, create_identity_key
from app.ui.console.window import ConsoleWindow, OpenedSession
from app.ui.i18n import LanguageManager
from app.ui.settings import Gateway, UiSettings

SSH_CONFIG = """
# office machines
Host office-pc reception
    HostName 10.0.0.7
    User jana
Host *.example.org
    User admin
Host !bad pattern? lab-server
  Port 2222
Host = quoted
Match host foo
    User nobody
Host office-pc
    HostName ignored.example
"""


def test_ssh_config_parsing_lists_concrete_hosts_only() -> None:
    entries = parse_ssh_config(SSH_CONFIG)
    assert [e.name for e in entries] == ["office-pc", "reception", "lab-server", "quoted"]
    office = entries[0]
    assert (office.hostname, office.user, office.source) == ("10.0.0.7", "jana", "ssh-config")
    assert entries[2].hostname == "" and entries[2].user == ""


def test_address_book_saved_entries_tags_recent_and_search(tmp_path: Path) -> None:
    config = tmp_path / "ssh_config"
    config.write_text(SSH_CONFIG, encoding="utf-8")
    book = AddressBook(config, tmp_path / "book.json")
    book.load()
    book.add(Entry("Printer room", "jana@10.0.0.9", tags=["printers"]))
    book.set_tags("lab-server", ["lab", "linux"])
    book.remember_use("reception", when=1000.0)
    reloaded = AddressBook(config, tmp_path / "book.json")
    entries = reloaded.load()
    assert entries[0].name == "reception"  # most recent first
    by_name = {e.name: e for e in entries}
    assert by_name["lab-server"].tags == ["lab", "linux"]
    assert by_name["Printer room"].source == "saved"
    assert [e.name for e in entries if e.matches("linux")] == ["lab-server"]
    assert {e.name for e in entries if e.matches("10.0.0 jana")} == {"Printer room", "office-pc", "reception"}


def test_address_book_survives_garbage(tmp_path: Path) -> None:
    store = tmp_path / "book.json"
    store.write_text("[not an object", encoding="utf-8")
    assert AddressBook(tmp_path / "missing", store).load() == []


INFO = HostKeyInfo("office-pc", 2222, "ssh-ed25519", "SHA256:Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg")


@pytest.mark.parametrize(
    ("button", "decision"),
    [
        ("refuse_button", HostKeyDecision.REFUSE.value),
        ("once_button", HostKeyDecision.TRUST_ONCE.value),
        ("remember_button", HostKeyDecision.TRUST_AND_REMEMBER.value),
    ],
)
def test_host_key_dialog_decisions(qtbot: QtBot, button: str, decision: str) -> None:
    dialog = HostKeyDialog(INFO)
    qtbot.addWidget(dialog)
    dialog.show()
    assert INFO.fingerprint in dialog.fingerprint.text()
    assert "[office-pc]:2222" in dialog.title.text()
    assert dialog.refuse_button.isDefault()
    with qtbot.waitSignal(dialog.decided) as blocker:
        qtbot.mouseClick(getattr(dialog, button), Qt.MouseButton.LeftButton)
    assert blocker.args == [decision]


def test_host_key_dialog_close_refuses(qtbot: QtBot) -> None:
    dialog = HostKeyDialog(INFO)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.decided) as blocker:
        dialog.close()
    assert blocker.args == [HostKeyDecision.REFUSE.value]


def test_gui_asker_answers_a_worker_thread(qtbot: QtBot) -> None:
    window = ConsoleWindow(UiSettings(), book=AddressBook(Path("/nonexistent"), Path("/nonexistent/book.json")))
    qtbot.addWidget(window)
    asker = GuiAsker(window, timeout=30)
    answers: list[str] = []
    worker = threading.Thread(target=lambda: answers.append(asker.ask_host_key(INFO)))
    worker.start()
    qtbot.waitUntil(lambda: len(asker.open_dialogs) == 1)
    dialog = asker.open_dialogs[0]
    assert isinstance(dialog, HostKeyDialog)
    qtbot.mouseClick(dialog.once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answers == [HostKeyDecision.TRUST_ONCE.value])
    worker.join(timeout=10)


def test_connect_dialog_validation(qtbot: QtBot) -> None:
    dialog = ConnectDialog(["office-pc", "reception"], ["gw.example.org"])
    qtbot.addWidget(dialog)
    dialog.host.setCurrentText("")
    assert not dialog.connect_button.isEnabled()
    dialog.host.setCurrentText("office-pc")
    assert not dialog.connect_button.isEnabled()
    assert "9-digit" in dialog.hint.text()  # pairing always needs the user's code
    dialog.code.setText("123456789")
    assert dialog.connect_button.isEnabled()
    assert dialog.request() == ConnectRequest("direct", "office-pc", "123456789")
    dialog.via_gateway.setChecked(True)
    assert not dialog.connect_button.isEnabled()
    assert "session number" in dialog.hint.text()
    dialog.session_number.setText("40123")
    dialog.reason.setText("Printer")
    assert dialog.connect_button.isEnabled()
    assert dialog.request() == ConnectRequest("gateway", "gw.example.org", "123456789", "Printer", "", 40123)
    dialog.session_number.setText("99999")
    assert not dialog.connect_button.isEnabled()  # not a port


class FakeSession:
    """A technician driver stand-in that records what the tab sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []
        self.drawn = 0

    def send_pointer(self, x: int, y: int, buttons: int, wheel: int, wheel_horizontal: int) -> None:
        self.sent.append(("pointer", (x, y, buttons)))

    def send_key(self, down: bool, keysym: int | None, text: str | None) -> None:
        self.sent.append(("key", (down, keysym, text)))

    def send_chat(self, text: str) -> None:
        self.sent.append(("chat", text))

    def request_capabilities(self, capabilities: frozenset[str], reason: str) -> None:
        self.sent.append(("request", capabilities))

    def frame_drawn(self) -> None:
        self.drawn += 1

    def stop(self) -> None:
        self.sent.append(("stop", None))


def make_tab(qtbot: QtBot) -> tuple[SessionTab, SessionController, FakeSession]:
    backend = FakeSession()
    controller = SessionController("office-pc", backend)
    tab = SessionTab(controller)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    return tab, controller, backend


def test_session_tab_frames_consent_and_input_gating(qtbot: QtBot) -> None:
    tab, controller, backend = make_tab(qtbot)
    assert "consent" in tab.consent_text()
    frame = np.zeros((60, 80, 4), dtype=np.uint8)
    frame[:, :, 2] = 255  # BGRA: red
    worker = threading.Thread(target=controller.report_framebuffer, args=(frame,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: backend.drawn == 1)
    assert tab.screen_view.remote_size().width() == 80
    frame[10:20, 30:40, :3] = (0, 255, 0)  # a small change travels as a region
    worker = threading.Thread(target=controller.report_framebuffer, args=(frame, [(30, 10, 10, 10)]))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: backend.drawn == 2)
    picture = tab.screen_view._pixmap.toImage()
    assert picture.pixelColor(35, 15).green() == 255 and picture.pixelColor(35, 15).red() == 0
    assert picture.pixelColor(5, 5).red() == 255  # the rest of the picture is untouched
    controller.report_granted(frozenset({"view"}))
    qtbot.waitUntil(lambda: tab.consent_text() == "Allowed: view")
    tab.screen_view.pointer_event.emit(1, 2, 1, 0, 0)
    assert backend.sent == []  # no control granted: nothing goes out
    controller.report_granted(frozenset({"view", "control"}))
    qtbot.waitUntil(lambda: "control" in tab.granted)
    tab.screen_view.pointer_event.emit(1, 2, 1, 0, 0)
    assert backend.sent == [("pointer", (1, 2, 1))]
    controller.report_link(12.0, 30.0, 850.0)
    qtbot.waitUntil(lambda: tab.link_text == "12 ms · 30 fps · 850 KB/s")
    assert tab.screen_view.overlay_text == tab.link_text
    controller.report_granted(frozenset({"view"}))
    qtbot.waitUntil(lambda: "took back control" in tab.chat.transcript.toPlainText())
    tab.chat.input.setText("Hello")
    qtbot.mouseClick(tab.chat.send_button, Qt.MouseButton.LeftButton)
    assert ("chat", "Hello") in backend.sent
    tab.request_control_action.trigger()
    assert ("request", frozenset({"view", "control"})) in backend.sent
    tab.key_actions["ctrl_alt_del"].trigger()
    assert not any(kind == "key" for kind, _ in backend.sent)  # control was taken back
    tab.end_action.trigger()
    assert backend.sent[-1] == ("stop", None)
    controller.report_ended("stopped by the user")
    qtbot.waitUntil(lambda: tab.ended)
    assert tab.banner.text() == "The user ended the session."
    assert tab.consent_text() == "Session ended"
    timeline = [tab.case.timeline.item(i).text() for i in range(tab.case.timeline.count())]
    assert any("Allowed: view" in line for line in timeline)
    assert any("You: Hello" in line for line in timeline)
    assert any("Session ended" in line for line in timeline)


class FakeDiagnostics:
    def list_scripts(self) -> Sequence[ScriptEntry]:
        return [
            ScriptEntry("disk", "Disk space", "info", "Free space per mount"),
            ScriptEntry("dns", "DNS resolution", "info"),
            ScriptEntry("clear-tmp", "Free temporary space", "repair"),
        ]

    def run(self, script_ids: Sequence[str], progress: ProgressCallback) -> Sequence[CheckRow]:
        for index, script_id in enumerate(script_ids):
            progress(script_id, 100 * (index + 1) // len(script_ids), "done")
        return [
            CheckRow("disk", "disk.root", "warning", "/ is 97% full", "Your disk is almost full.", "clear-tmp"),
            CheckRow("dns", "dns.resolve", "ok", "example.org resolves"),
        ]

    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        before = (CheckRow("disk", "disk.root", "warning", "/ is 97% full"),)
        after = (CheckRow("disk", "disk.root", "ok", "/ is 60% full"),)
        return RepairView(repair_id, approved=True, ran=True, before=before, after=after)


def test_diagnostics_panel_run_and_repair(qtbot: QtBot) -> None:
    panel = DiagnosticsPanel(FakeDiagnostics())
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.library.topLevelItemCount() == 2)
    panel.search.setText("dns")
    info = panel.library.topLevelItem(0)
    assert info is not None and info.child(0) is not None
    assert info.child(0).isHidden() and not info.child(1).isHidden()  # type: ignore[union-attr]
    panel.search.clear()
    panel.run_all()
    qtbot.waitUntil(lambda: panel.results.topLevelItemCount() == 2)
    assert "1 check need" in panel.status.text()
    first = panel.results.topLevelItem(0)
    assert first is not None and "Warning" in first.text(0)
    panel.results.setCurrentItem(first)
    assert panel.repair_button.isEnabled()
    assert "almost full" in panel.details.toPlainText()
    panel.repair_current()
    qtbot.waitUntil(lambda: "After" in panel.details.toHtml())
    assert "OK" in panel.details.toPlainText()


class FakeCase:
    def __init__(self) -> None:
        self.notes: list[str] = []
        self.ticket = ""
        self.description = ""

    def set_ticket(self, reference: str) -> None:
        self.ticket = reference

    def set_description(self, text: str) -> None:
        self.description = text

    def add_note(self, text: str) -> None:
        self.notes.append(text)

    def connectors(self) -> Sequence[str]:
        return ["folder", "redmine"]

    def export(self, connector: str, ticket: str, progress: ExportProgress) -> str:
        progress(50, "bundle built")
        if connector == "redmine":
            raise PodporaError("down", user_text="Redmine is unreachable")
        return "/tmp/case-1.zip"


def test_case_panel_notes_and_export(qtbot: QtBot) -> None:
    backend = FakeCase()
    panel = CasePanel(backend)
    qtbot.addWidget(panel)
    panel.note.setText("Printer cable replaced")
    qtbot.mouseClick(panel.add_note_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: backend.notes == ["Printer cable replaced"])
    assert "Printer cable replaced" in panel.timeline.item(0).text()
    panel.description.setPlainText("Printer stops mid-page")
    qtbot.waitUntil(lambda: backend.description == "Printer stops mid-page", timeout=5000)
    panel.ticket.setText("RM-7")
    panel.ticket.editingFinished.emit()
    qtbot.waitUntil(lambda: backend.ticket == "RM-7")
    dialog = ExportDialog(backend, "RM-7")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.connector.count() == 2)
    dialog.connector.setCurrentText("redmine")
    dialog.start()
    qtbot.waitUntil(lambda: "outbox" in dialog.status.text())
    assert "Redmine is unreachable" in dialog.status.text()
    dialog.connector.setCurrentText("folder")
    dialog.start()
    qtbot.waitUntil(lambda: "case-1.zip" in dialog.result_link.text())
    assert dialog.progress.value() == 100


class FakeFactory:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.sessions: list[FakeSession] = []
        self.attached: list[SessionController] = []

    def open(self, request: ConnectRequest, asker: GuiAsker) -> OpenedSession:
        if self.fail:
            raise PodporaError("boom", user_text="{host} did not answer in time.", host=request.target)
        backend = FakeSession()
        self.sessions.append(backend)
        return OpenedSession(request.target, backend, self.attached.append)


def test_console_window_connects_in_the_background(qtbot: QtBot, tmp_path: Path) -> None:
    factory = FakeFactory()
    settings = UiSettings(gateways=[Gateway("Prague", "gw")])
    window = ConsoleWindow(settings, factory=factory, book=AddressBook(tmp_path / "none", tmp_path / "b.json"))
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.welcome
    window.connect_to(ConnectRequest("direct", "office-pc"))
    qtbot.waitUntil(lambda: window.tabs.count() == 1)
    assert window.stack.currentWidget() is window.tabs
    assert len(factory.attached) == 1
    assert "consent" in window.consent_label.text()
    window.connect_to(ConnectRequest("direct", "reception"))
    qtbot.waitUntil(lambda: window.tabs.count() == 2)
    window.close_tab(0)
    assert factory.sessions[0].sent[-1] == ("stop", None)
    reread = AddressBook(tmp_path / "none", tmp_path / "b.json")
    qtbot.waitUntil(lambda: reread.load() == [] and "office-pc" in reread.recent)


def test_console_window_shows_plain_errors(qtbot: QtBot, tmp_path: Path) -> None:
    window = ConsoleWindow(
        UiSettings(), factory=FakeFactory(fail=True), book=AddressBook(tmp_path / "none", tmp_path / "b.json")
    )
    qtbot.addWidget(window)
    window.show()
    window.connect_to(ConnectRequest("direct", "office-pc"))
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in window.findChildren(QMessageBox)))
    box = next(w for w in window.findChildren(QMessageBox) if w.isVisible())
    assert box.text() == "office-pc did not answer in time."
    assert box.informativeText()  # the next step
    assert window.tabs.count() == 0


def test_settings_dialog_creates_key_and_saves(qtbot: QtBot, podpora_home: Path) -> None:
    settings = UiSettings()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.create_key()
    qtbot.waitUntil(lambda: "created." in dialog.identity_status.text())
    key = podpora_home / "config" / "technician_ed25519"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (key.with_suffix(".pub")).read_text().startswith("ssh-ed25519 ")
    assert create_identity_key() == key  # never overwrites an existing key
    qtbot.waitUntil(lambda: dialog.public_key.text().startswith("ssh-ed25519 "))
    dialog.gateway_alias.setText("gw.example.org")
    dialog.gateway_name.setText("Prague")
    dialog.add_gateway_button.click()
    dialog.name.setText("Jana")
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    with qtbot.waitSignal(dialog.theme_chosen):
        dialog.save()
    loaded = UiSettings.load()
    assert loaded.technician_name == "Jana" and loaded.theme == "dark"
    assert loaded.gateways == [Gateway("Prague", "gw.example.org")]


class SlowFactory(FakeFactory):
    """Connects only when the test lets it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def open(self, request: ConnectRequest, asker: GuiAsker) -> OpenedSession:
        self.release.wait(30)
        return super().open(request, asker)


def test_cancel_connecting_closes_the_late_session(qtbot: QtBot, tmp_path: Path) -> None:
    factory = SlowFactory()
    window = ConsoleWindow(UiSettings(), factory=factory, book=AddressBook(tmp_path / "none", tmp_path / "b.json"))
    qtbot.addWidget(window)
    window.show()
    task = window.connect_to(ConnectRequest("direct", "office-pc", "123456789"))
    assert task is not None
    assert window.cancel_connect_button.isVisible() and window.connect_progress.isVisible()
    qtbot.mouseClick(window.cancel_connect_button, Qt.MouseButton.LeftButton)
    assert not window.cancel_connect_button.isVisible()
    with qtbot.waitSignal(task.finished, timeout=10000):
        factory.release.set()
    qtbot.waitUntil(lambda: bool(factory.sessions) and factory.sessions[0].sent == [("stop", None)])
    assert window.tabs.count() == 0


def test_save_a_machine_from_the_address_book(qtbot: QtBot, tmp_path: Path) -> None:
    book = AddressBook(tmp_path / "none", tmp_path / "book.json")
    window = ConsoleWindow(UiSettings(), book=book)
    qtbot.addWidget(window)
    dialog = window.address_book.open_add_dialog()
    dialog.name.setText("Reception PC")
    dialog.target.setText("reception@10.0.0.12")
    dialog.tags.setText("#front-desk windows")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.address_book.list.count() == 1)
    assert "Reception PC" in window.address_book.list.item(0).text()
    assert "#front-desk" in window.address_book.list.item(0).text()
    saved = AddressBook(tmp_path / "none", tmp_path / "book.json").load()
    assert [(e.name, e.target, e.tags) for e in saved] == [
        ("Reception PC", "reception@10.0.0.12", ["front-desk", "windows"])
    ]


def test_notices_from_the_users_computer_are_shown_in_the_technicians_language(
    qtbot: QtBot, languages: LanguageManager
) -> None:
    tab, controller, _ = make_tab(qtbot)
    controller.report_agent_notice("clipboard-withheld", "Clipboard content ... was not sent.")
    qtbot.waitUntil(lambda: "turned clipboard sharing off" in tab.chat.transcript.toPlainText())
    assert "turned clipboard sharing off" in tab.case.timeline.item(tab.case.timeline.count() - 1).text()
    controller.report_agent_notice("something-new", "A thing the console does not know yet.")
    qtbot.waitUntil(lambda: "The user's computer says: A thing" in tab.chat.transcript.toPlainText())
    english = tab.agent_notice_text("wayland", "")
    languages.apply("cs")
    czech = tab.agent_notice_text("wayland", "")
    assert "Wayland" in czech and czech != english
    assert "schránk" in tab.agent_notice_text("clipboard-withheld", "")  # Czech for the clipboard
