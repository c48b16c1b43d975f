"""The two windows together: the assist app with the real agent on a real X display, the console with the
real technician driver, joined over loopback TCP (the SSH hop is the SSH layer's own tests' business).

What a person does is done through the widgets: Get help, read the code, Accept with one capability
unticked, a diagnostic run inside the agent and a repair the user declines in their app, chat, Pause from the
indicator, End session; each side must show the other's actions.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.cli.child_process import python_module_command
from app.ui.assist.controller import AssistController
from app.ui.assist.window import AssistWindow
from app.ui.assist.wiring import AgentAssistBackend
from app.ui.console.addressbook import AddressBook
from app.ui.console.dialogs import ConnectRequest, GuiAsker
from app.ui.console.session import SessionTab
from app.ui.console.window import ConsoleWindow
from app.ui.console.wiring import RemoteSessionFactory
from app.ui.settings import UiSettings
from tests.helpers.xvfb import VirtualDisplay

pytestmark = pytest.mark.xvfb


class RecordedCase:
    """A case backend that keeps what the session records."""

    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any]]] = []

    def record(self, kind: str, fields: dict[str, Any]) -> None:
        self.records.append((kind, fields))

    def set_ticket(self, reference: str) -> None:
        self.record("ticket", {"ref": reference})

    def set_description(self, text: str) -> None:
        self.record("description", {"text": text})

    def add_note(self, text: str) -> None:
        self.record("note", {"text": text})

    def connectors(self) -> list[str]:
        return ["folder"]

    def export(self, connector: str, ticket: str, progress: Any) -> str:
        return ""


class LoopbackConnection:
    """Stands in for the SSH connection: the stream goes straight to the agent's loopback port."""

    def __init__(self) -> None:
        self.closed = False

    def open_stream(self, host: str, port: int) -> Any:
        return socket.create_connection((host, port), timeout=10)

    def round_trip_seconds(self) -> float:
        return 0.001

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("separated", [False, True], ids=["one-process", "privsep"])
def test_whole_session_through_both_windows(
    qtbot: QtBot, xvfb: VirtualDisplay, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, separated: bool
) -> None:
    """``privsep``: as ``podpora assist`` runs it, with the network parsed in the confined protocol process."""
    monkeypatch.setenv("DISPLAY", xvfb.name)
    backend = AgentAssistBackend(
        listen=0, protocol_process=python_module_command("app.remote.privsep") if separated else None
    )
    controller = AssistController(backend)
    backend.bind(controller)
    assist = AssistWindow(controller, prompt_arm_delay_ms=0)
    qtbot.addWidget(assist)
    assist.show()
    try:
        qtbot.mouseClick(assist.get_help_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: assist.code_label.text().replace("-", "").isdigit(), timeout=15000)
        code = assist.code_label.text()
        assert backend.agent is not None and code == backend.agent.code()
        port = backend.port  # the port the agent actually listens on

        connection = LoopbackConnection()
        case = RecordedCase()
        opened: list[GuiAsker] = []

        def connector(target: str, asker: GuiAsker) -> LoopbackConnection:
            opened.append(asker)
            return connection

        console = ConsoleWindow(
            UiSettings(),
            factory=RemoteSessionFactory(connector, agent_port=port, case_factory=lambda request: case),
            book=AddressBook(tmp_path / "none", tmp_path / "book.json"),
        )
        qtbot.addWidget(console)
        console.show()
        console.connect_to(
            ConnectRequest("direct", "127.0.0.1", code=code.replace("-", ""), reason="Printer does not print")
        )
        qtbot.waitUntil(lambda: assist.consent_dialog is not None, timeout=15000)
        dialog = assist.consent_dialog
        assert dialog is not None
        assert "Printer does not print" in dialog.reason.text()
        assert "NOT verified" in dialog.verification.text()  # no organisation certificate presented
        dialog.checkboxes["control"].setChecked(False)
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)

        tab = console.current_tab()
        assert isinstance(tab, SessionTab)
        qtbot.waitUntil(lambda: tab.screen_view.remote_size().width() == xvfb.width, timeout=15000)
        assert "control" not in tab.granted and "view" in tab.granted
        assert tab.screen_view.view_only  # no control granted: the view sends nothing
        qtbot.waitUntil(lambda: assist.indicator is not None, timeout=10000)
        assert assist.indicator is not None
        indicator = assist.indicator
        # The agent reports the state and the grant as separate queued signals: wait for both to be shown.
        qtbot.waitUntil(lambda: indicator.status.text().endswith("can see your screen"), timeout=10000)

        # Diagnostics run inside the agent (no SSH executor here): an info script, then a repair the user declines.
        assert "diagnostics" in tab.granted
        tab.diagnostics._run(["system_facts"])
        qtbot.waitUntil(lambda: tab.diagnostics.results.topLevelItemCount() > 0, timeout=30000)
        diagnostics = tab.controller.diagnostics
        assert diagnostics is not None
        outcomes: list[object] = []
        worker = threading.Thread(
            target=lambda: outcomes.append(diagnostics.repair("flush_dns_cache", lambda *a: None))
        )
        worker.start()
        qtbot.waitUntil(lambda: bool(assist.repair_dialogs), timeout=30000)
        approval = assist.repair_dialogs[0]
        assert approval.request.title == "Flush the DNS cache"
        assert approval.undo.text()  # how to undo it is shown
        qtbot.mouseClick(approval.decline_button, Qt.MouseButton.LeftButton)
        worker.join(30)
        assert len(outcomes) == 1
        assert not outcomes[0].approved  # type: ignore[attr-defined]
        kinds = [kind for kind, _ in case.records]
        assert "script_result" in kinds  # results go into the case
        assert ("repair_approval", {"action": "flush_dns_cache", "approved": False, "by": "end user"}) in case.records
        assert "consent_decision" in kinds or any(k.startswith("consent") for k in kinds)  # the driver's events

        tab.chat.input.setText("Hello from IT")
        qtbot.mouseClick(tab.chat.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Hello from IT" in assist.chat.transcript.toPlainText(), timeout=10000)
        assist.chat.input.setText("Hi, thanks")
        qtbot.mouseClick(assist.chat.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Hi, thanks" in tab.chat.transcript.toPlainText(), timeout=10000)

        qtbot.mouseClick(assist.indicator.pause_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tab.state == "paused", timeout=10000)
        assert console.consent_label.text() == "Paused by the user"

        qtbot.mouseClick(assist.indicator.end_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tab.ended, timeout=10000)
        qtbot.waitUntil(lambda: assist.pages.currentWidget() is assist.summary_page, timeout=10000)
        assert assist.indicator is None
        assert "Nothing on your computer was changed." in assist.summary_text.toPlainText()  # the repair was declined
        qtbot.waitUntil(lambda: connection.closed, timeout=10000)
    finally:
        backend.shutdown()
        assert backend.agent is None or backend.agent.wait_stopped(0)
