"""One console, eight streaming sessions (SECURITY-BAR T46, the load item of issue #9): the GUI thread keeps
processing events, every view keeps updating, closing one session leaves the others alone, and nothing that
waits on a disk (the case journal's fsync) runs on the GUI thread.

Real parts: the console window, the real SSH layer through one real OpenSSH sshd (eight connections, one per
session, each with its direct-tcpip stream), eight real assist agents with changing fake screens.  The GUI thread's
responsiveness is proven structurally with :class:`GuiProbe` (a background thread that keeps asking the GUI
thread to run a slot); the QTimer jitter is reported as a figure.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.encode import FrameEncoder
from app.remote.ssh import ConnectOptions, SshConnection, connect
from app.ui.console.addressbook import AddressBook
from app.ui.console.dialogs import ConnectRequest, GuiAsker
from app.ui.console.session import SessionTab
from app.ui.console.window import ConsoleWindow
from app.ui.console.wiring import ClientSessionBackend, RemoteSessionFactory
from app.ui.settings import UiSettings
from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.remote.agentkit import FakeMonitor, ScriptedConsent
from tests.ui.test_responsiveness import GuiProbe, JitterMeter, report_figures, wait_threads_done

pytestmark = pytest.mark.sshd

SESSIONS = 8
#: Updates each view must receive in each phase: "keeps updating", not "got a first picture".
UPDATES_PER_PHASE = 5


class TickingScreen:
    """A screen whose top band changes at every grab (a clock, a progress bar), until it is frozen."""

    def __init__(self, seed: int, width: int = 160, height: int = 96) -> None:
        rng = np.random.default_rng(seed)
        self.base: NDArray[np.uint8] = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
        self.base[:, :, 3] = 255
        self.grabs = 0
        self.frozen: NDArray[np.uint8] | None = None
        self._lock = threading.Lock()

    def monitors(self) -> list[FakeMonitor]:
        height, width = self.base.shape[:2]
        return [FakeMonitor(0, 0, 0, width, height)]

    def grab(self, monitor: FakeMonitor) -> NDArray[np.uint8]:
        with self._lock:
            if self.frozen is not None:
                return self.frozen.copy()
            self.grabs += 1
            image = self.base.copy()
            image[:8, :, :3] = self.grabs % 251
            return image

    def freeze(self) -> NDArray[np.uint8]:
        """Stop changing; the picture it keeps showing from now on."""
        with self._lock:
            self.frozen = self.base.copy()
            self.frozen[:8, :, :3] = 7
            return self.frozen


class JournalSpy:
    """A case journal that notes which thread writes: the GUI thread must never wait on a disk write."""

    def __init__(self, gui_thread: threading.Thread) -> None:
        self.gui_thread = gui_thread
        self.records: list[str] = []
        self.on_gui_thread: list[str] = []
        self.closed_after: list[str] | None = None
        self._lock = threading.Lock()

    def record(self, kind: str, fields: dict[str, Any]) -> None:
        with self._lock:
            self.records.append(kind)
            if threading.current_thread() is self.gui_thread:
                self.on_gui_thread.append(kind)

    def set_ticket(self, reference: str) -> None:
        self.record("ticket", {"ref": reference})

    def set_description(self, text: str) -> None:
        self.record("description", {"text": text})

    def add_note(self, text: str) -> None:
        self.record("note", {"text": text})

    def connectors(self) -> list[str]:
        return []

    def export(self, connector: str, ticket: str, progress: Any) -> str:
        raise NotImplementedError

    def close(self) -> None:
        with self._lock:
            if threading.current_thread() is self.gui_thread:
                self.on_gui_thread.append("close")
            self.closed_after = list(self.records)


class Prober:
    """A background thread that keeps asking the GUI thread to run a slot, and counts the answers."""

    def __init__(self, probe: GuiProbe) -> None:
        self.probe = probe
        self.answered = 0
        self.unanswered = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="gui-prober", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.02):
            if self.probe.gui_answers():
                self.answered += 1
            else:
                self.unanswered += 1

    def close(self, qtbot: QtBot) -> None:
        self.stop.set()
        wait_threads_done(qtbot, [self.thread])


def picture(image: QImage) -> NDArray[np.uint8]:
    """A QImage (RGB32: BGRA bytes in memory) as a height×width×4 array."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    data = np.frombuffer(bytes(image.constBits()), dtype=np.uint8)  # type: ignore[call-overload]
    return data.reshape(height, image.bytesPerLine() // 4, 4)[:, :width].copy()


def test_eight_streaming_sessions_keep_the_gui_thread_free_and_each_view_updating(
    qtbot: QtBot,
    tmp_path: Path,
    sshd_factory: SshServerFactory,
    client_key: KeyPair,
    record_property: pytest.RecordProperty,
) -> None:
    server = sshd_factory.start(authorized_keys=[client_key.public_line])
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host user-pc\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
    )
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(server.known_hosts_line() + "\n")

    def connector(target: str, asker: GuiAsker) -> SshConnection:
        options = ConnectOptions(
            config_path=config, known_hosts_paths=[known_hosts], own_known_hosts=tmp_path / "own", use_agent=False
        )
        return connect(target, options)

    gui_thread = threading.current_thread()
    journals: list[JournalSpy] = []

    def case_factory(request: ConnectRequest) -> JournalSpy:
        journal = JournalSpy(gui_thread)
        journals.append(journal)
        return journal

    screens = [TickingScreen(seed) for seed in range(SESSIONS)]
    agents = [
        AssistAgent(
            screen=screen, consent=ScriptedConsent(frozenset({p.Capability.VIEW})), encoder_factory=FrameEncoder
        )
        for screen in screens
    ]
    ports = [agent.listen(0) for agent in agents]
    console = ConsoleWindow(
        UiSettings(),
        factory=RemoteSessionFactory(connector, case_factory=case_factory),
        book=AddressBook(tmp_path / "none", tmp_path / "book.json"),
    )
    qtbot.addWidget(console)
    console.show()
    probe = GuiProbe()
    prober = Prober(probe)
    # Two figures: while eight SSH handshakes and eight new tabs arrive, and while the eight sessions stream.
    connect_meter, stream_meter = JitterMeter(), JitterMeter()
    updates: dict[int, int] = {}  # agent port -> pictures and region updates drawn by its tab
    try:
        connect_meter.start()
        for agent, port in zip(agents, ports, strict=True):
            console.connect_to(ConnectRequest("gateway", "user-pc", code=agent.code().replace("-", ""), port=port))
        qtbot.waitUntil(lambda: console.tabs.count() == SESSIONS, timeout=90000)
        connect_meter.stop()
        stream_meter.start()
        tabs: dict[int, SessionTab] = {}
        for index in range(SESSIONS):
            tab = console.tabs.widget(index)
            assert isinstance(tab, SessionTab)
            port = int(tab.controller.title.rpartition(":")[2])
            tabs[port] = tab
            updates[port] = 0

            def count(*_: object, port: int = port) -> None:
                updates[port] += 1

            tab.controller.frame_ready.connect(count)
            tab.controller.regions_ready.connect(count)
        assert sorted(tabs) == sorted(ports)

        def all_updated(since: dict[int, int], which: list[int]) -> bool:
            return all(updates[port] >= since[port] + UPDATES_PER_PHASE for port in which)

        start = dict(updates)
        qtbot.waitUntil(lambda: all_updated(start, ports), timeout=60000)

        # The technician writes in every chat (each line goes into the case journal) ...
        for tab in tabs.values():
            tab.chat.message_sent.emit("hello from the console")
        # ... and closes the first session's tab: its session ends, its journal closes after its last record.
        first = ports[0]
        closing = tabs.pop(first)
        backend, closing_journal = closing.controller.backend, closing.controller.case
        assert isinstance(backend, ClientSessionBackend) and isinstance(closing_journal, JournalSpy)
        console.close_tab(console.tabs.indexOf(closing))
        qtbot.waitUntil(lambda: backend.client.state.value == "closed", timeout=20000)
        qtbot.waitUntil(lambda: closing_journal.closed_after is not None, timeout=20000)
        assert console.tabs.count() == SESSIONS - 1

        # The others keep streaming, unaffected.
        after_close = dict(updates)
        qtbot.waitUntil(lambda: all_updated(after_close, ports[1:]), timeout=60000)
        assert all(not tab.ended for tab in tabs.values())

        # Frozen screens: every remaining view ends on exactly its own machine's picture.
        expected = {port: screen.freeze() for port, screen in zip(ports, screens, strict=True)}
        for port, tab in tabs.items():
            view = tab.screen_view
            qtbot.waitUntil(
                lambda view=view, port=port: (
                    not view._pixmap.isNull() and np.array_equal(picture(view._pixmap.toImage()), expected[port])
                ),
                timeout=30000,
            )
        stream_meter.stop()
    finally:
        connect_meter.stop()
        stream_meter.stop()
        prober.close(qtbot)
        console.close()
        for agent in agents:
            agent.stop()
        for agent in agents:
            assert agent.wait_stopped(10)

    assert prober.unanswered == 0
    assert prober.answered >= 10
    chats = [journal.records.count("chat") for journal in journals]
    assert chats == [1] * SESSIONS, chats  # every line was recorded, once
    assert closing_journal.closed_after is not None and "chat" in closing_journal.closed_after
    assert [journal.on_gui_thread for journal in journals] == [[]] * SESSIONS
    report_figures(
        record_property,
        "eight_sessions",
        {
            "sessions": SESSIONS,
            "updates_per_view": sorted(updates.values()),
            "gui_probes_answered": prober.answered,
            "connecting": connect_meter.figures(),
            "streaming": stream_meter.figures(),
        },
    )
