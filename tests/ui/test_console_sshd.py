"""The console through a real OpenSSH sshd: the host-key question in the GUI, the session, live figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.encode import FrameEncoder
from app.remote.ssh import ConnectOptions, HostKeyDecision, HostKeyInfo, SshConnection, connect
from app.ui.console.addressbook import AddressBook
from app.ui.console.dialogs import ConnectRequest, GuiAsker, HostKeyDialog
from app.ui.console.metrics import SAMPLE_COMMAND, figures_between, parse_sample
from app.ui.console.session import SessionTab
from app.ui.console.window import ConsoleWindow
from app.ui.console.wiring import RemoteSessionFactory
from app.ui.settings import UiSettings
from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.remote.agentkit import FakeScreen, ScriptedConsent

pytestmark = pytest.mark.sshd


def test_session_through_sshd_with_host_key_question_and_live_figures(
    qtbot: QtBot, tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair
) -> None:
    server = sshd_factory.start(authorized_keys=[client_key.public_line])
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host user-pc\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
    )
    own_known_hosts = tmp_path / "own_known_hosts"
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    asked: list[HostKeyInfo] = []

    def connector(target: str, asker: GuiAsker) -> SshConnection:
        def decide(info: HostKeyInfo) -> HostKeyDecision:
            asked.append(info)
            return HostKeyDecision(asker.ask_host_key(info))

        options = ConnectOptions(
            config_path=config,
            known_hosts_paths=[empty],
            own_known_hosts=own_known_hosts,
            host_key_decider=decide,
            use_agent=False,
        )
        return connect(target, options)

    screen = FakeScreen(320, 200)
    agent = AssistAgent(
        screen=screen, consent=ScriptedConsent(frozenset({p.Capability.VIEW})), encoder_factory=FrameEncoder
    )
    port = agent.listen(0)
    console = ConsoleWindow(
        UiSettings(),
        factory=RemoteSessionFactory(connector, agent_port=port),
        book=AddressBook(tmp_path / "none", tmp_path / "book.json"),
    )
    qtbot.addWidget(console)
    console.show()
    try:
        console.connect_to(ConnectRequest("direct", "user-pc", code=agent.code().replace("-", "")))
        qtbot.waitUntil(lambda: bool(console.asker.open_dialogs), timeout=20000)
        dialog = console.asker.open_dialogs[0]
        assert isinstance(dialog, HostKeyDialog)
        assert dialog.fingerprint.text() == asked[0].fingerprint
        assert asked[0].fingerprint.startswith("SHA256:")
        qtbot.mouseClick(dialog.remember_button, Qt.MouseButton.LeftButton)

        qtbot.waitUntil(lambda: console.tabs.count() == 1, timeout=20000)
        tab = console.current_tab()
        assert isinstance(tab, SessionTab)
        qtbot.waitUntil(lambda: tab.screen_view.remote_size().width() == 320, timeout=20000)
        assert tab.granted == frozenset({"view"})
        qtbot.waitUntil(lambda: tab.monitor_choice.count() == 2, timeout=10000)  # the user's two monitors
        assert tab.monitor_choice_action.isVisible()
        tab.monitor_choice.activated.emit(1)  # as when the technician picks the second monitor
        qtbot.waitUntil(lambda: tab.monitor_choice.currentIndex() == 1, timeout=10000)  # the agent confirms
        assert own_known_hosts.read_text().strip()  # "Trust and remember" wrote Podpora's own file
        qtbot.waitUntil(lambda: tab.charts.latest is not None, timeout=20000)  # two samples over SSH
        assert tab.charts.latest is not None
        cpu, memory, disk, _ = tab.charts.latest
        assert 0 <= cpu <= 100 and 0 < memory <= 100 and 0 < disk <= 100
        assert tab.link_text.endswith("KB/s")
        tab.end_session()
        qtbot.waitUntil(lambda: tab.ended, timeout=10000)
    finally:
        agent.stop()
        assert agent.wait_stopped(5)


def test_metrics_parse_this_machine() -> None:
    import subprocess
    import time

    first = subprocess.run(["sh", "-c", SAMPLE_COMMAND], capture_output=True, text=True, check=True, timeout=10)
    later = time.monotonic()
    second = subprocess.run(["sh", "-c", SAMPLE_COMMAND], capture_output=True, text=True, check=True, timeout=10)
    before, after = parse_sample(first.stdout), parse_sample(second.stdout)
    figures = figures_between(before, after, max(time.monotonic() - later, 0.01))
    assert 0 <= figures.cpu_percent <= 100
    assert 0 < figures.memory_percent < 100
    assert 0 < figures.disk_percent <= 100
    assert figures.network_kbps >= 0


def test_metrics_parse_known_output() -> None:
    text = (
        "cpu  100 0 100 700 100 0 0 0 0 0\n"
        "MemTotal:       1000 kB\nMemAvailable:    250 kB\n"
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs\n"
        "    lo: 9999 1 0 0 0 0 0 0 9999 1 0 0 0 0 0 0\n"
        "  eth0: 1000 5 0 0 0 0 0 0 2000 5 0 0 0 0 0 0\n"
        "Filesystem     1024-blocks    Used Available Capacity Mounted on\n"
        "/dev/vda1         100000   42000     58000      42% /\n"
    )
    sample = parse_sample(text)
    assert (sample.cpu_busy, sample.cpu_total) == (200, 1000)
    assert sample.memory_used_percent == 75.0
    assert sample.network_bytes == 3000  # loopback left out
    assert sample.disk_used_percent == 42.0
    later = parse_sample(text.replace("cpu  100 0 100 700", "cpu  150 0 150 800").replace("eth0: 1000", "eth0: 11240"))
    figures = figures_between(sample, later, 2.0)
    assert figures.cpu_percent == pytest.approx(50.0)
    assert figures.network_kbps == pytest.approx(5.0)
    with pytest.raises(ValueError, match="unexpected"):
        parse_sample("nothing useful")
