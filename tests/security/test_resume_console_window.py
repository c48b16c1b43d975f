"""The console app itself reconnects (issue 9): its window, its session factory, a real sshd, a cut link.

The whole console path as a technician uses it: ``ConsoleWindow`` with ``RemoteSessionFactory`` connecting
through a real OpenSSH sshd, with the fault proxy on the SSH connection. The link is cut mid-session; the tab
says "Connection lost, reconnecting…", the factory's reconnect opens a new SSH connection, and the same
session continues in the same tab.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.remote import protocol as p
from app.remote.agent import AgentCallbacks, AssistAgent
from app.remote.ssh import ConnectOptions, SshConnection, connect
from app.ui.console.addressbook import AddressBook
from app.ui.console.dialogs import ConnectRequest, GuiAsker
from app.ui.console.session import SessionTab
from app.ui.console.window import ConsoleWindow
from app.ui.console.wiring import RemoteSessionFactory
from app.ui.settings import UiSettings
from tests.helpers.faultproxy import FaultProxy
from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.remote.agentkit import FakeScreen, ScriptedConsent
from tests.security.test_resume_link_faults import Watch

pytestmark = pytest.mark.sshd


def test_the_console_window_reconnects_and_the_same_session_continues(
    qtbot: QtBot, tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair
) -> None:
    server = sshd_factory.start(authorized_keys=[client_key.public_line])
    watch = Watch()
    agent = AssistAgent(
        screen=FakeScreen(160, 100),
        consent=ScriptedConsent(frozenset({p.Capability.VIEW})),
        callbacks=AgentCallbacks(on_state=watch.on_state, on_journal=watch.on_journal),
    )
    port = agent.listen(0)
    with FaultProxy(server.port) as proxy:
        key = server.known_hosts_line().split(" ", 1)[1]
        known = tmp_path / "known_hosts"
        known.write_text(f"[127.0.0.1]:{proxy.port} {key}\n")
        config = tmp_path / "ssh_config"
        config.write_text(
            f"Host user-pc\n  HostName 127.0.0.1\n  Port {proxy.port}\n  User {server.user}\n"
            f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
        )
        connections: list[SshConnection] = []

        def connector(target: str, asker: GuiAsker) -> SshConnection:
            options = ConnectOptions(config_path=config, known_hosts_paths=[known], use_agent=False, connect_timeout=5)
            connection = connect(target, options)
            connections.append(connection)
            return connection

        over_ssh: list[Any] = []  # what diagnostics over SSH were given to run their scripts on

        def executor_factory(connection: Any, target: str) -> Any:
            over_ssh.append(connection)
            return object()

        console = ConsoleWindow(
            UiSettings(),
            factory=RemoteSessionFactory(connector, agent_port=port, executor_factory=executor_factory),
            book=AddressBook(tmp_path / "none", tmp_path / "book.json"),
        )
        qtbot.addWidget(console)
        console.show()
        try:
            console.connect_to(ConnectRequest("direct", "user-pc", code=agent.code().replace("-", "")))
            qtbot.waitUntil(lambda: console.tabs.count() == 1, timeout=20000)
            tab = console.current_tab()
            assert isinstance(tab, SessionTab)
            qtbot.waitUntil(lambda: tab.screen_view.remote_size().width() == 160, timeout=20000)
            qtbot.waitUntil(lambda: tab.state == "active", timeout=20000)

            proxy.cut()
            qtbot.waitUntil(lambda: tab.state == "reconnecting", timeout=20000)
            assert tab.banner.text() == "Connection lost, reconnecting…"
            qtbot.waitUntil(lambda: tab.state == "active", timeout=40000)
            assert not tab.banner.isVisible()
            assert not tab.ended
            assert console.tabs.count() == 1  # the same tab, the same session
            assert watch.wait(lambda: "technician_reconnected" in watch.kinds())
            assert len(connections) == 2  # a new SSH connection carried the resumed session
            assert not connections[0].is_active()  # and the dead one was closed
            # Diagnostics over SSH follow the session onto the new connection.
            assert over_ssh and over_ssh[0].is_active()
            assert over_ssh[0].transport is connections[1].transport
        finally:
            console.close()
            agent.stop()
            assert agent.wait_stopped(10)
