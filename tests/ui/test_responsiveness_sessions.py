"""One console, eight streaming sessions (SECURITY-BAR T46, the load item of issue #9): the GUI thread keeps
processing events, every view keeps updating, closing one session leaves the others alone, and nothing that
waits on a disk (the case journal's fsync) runs on the GUI thread.

Real parts: the console window, the real SSH layer through one real OpenSSH sshd (eight connections, one per
session, each with its direct-tcpip stream), eight real assist agents with changing fake screens in a process of
their own (as on the users' machines, so the console process carries only the console's work).  The GUI thread's
responsiveness is proven structurally with :class:`GuiProbe` (a background thread that keeps asking the GUI
thread to run a slot); the QTimer jitter, threads and file descriptors are reported as figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
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
from app.ui.worker import BACKGROUND_THREADS
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


def serve_agents(count: int) -> None:
    """The agents' process: ``count`` agents with ticking screens; prints their ports and codes as one JSON line,
    freezes the screens on a ``freeze`` line, stops them all when standard input closes."""
    screens = [TickingScreen(seed) for seed in range(count)]
    agents = [
        AssistAgent(
            screen=screen, consent=ScriptedConsent(frozenset({p.Capability.VIEW})), encoder_factory=FrameEncoder
        )
        for screen in screens
    ]
    ports = [agent.listen(0) for agent in agents]
    print(json.dumps([{"port": port, "code": agent.code()} for port, agent in zip(ports, agents, strict=True)]))
    sys.stdout.flush()
    for line in sys.stdin:
        if line.strip() == "freeze":
            for screen in screens:
                screen.freeze()
            print("frozen", flush=True)
    for agent in agents:
        agent.stop()
    for agent in agents:
        agent.wait_stopped(10)


class AgentsProcess:
    """Eight assist agents in a child process (see :func:`serve_agents`)."""

    def __init__(self, count: int) -> None:
        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from tests.ui.test_responsiveness_sessions import serve_agents; serve_agents({count})",
            ],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        line = self.stdout.readline()  # blocks only until the child is up (before the console exists)
        assert line, "the agents' process did not start"
        self.agents: list[dict[str, Any]] = json.loads(line)

    def freeze(self) -> None:
        self.stdin.write("freeze\n")
        self.stdin.flush()
        assert self.stdout.readline().strip() == "frozen"

    def close(self) -> None:
        self.stdin.close()
        try:
            assert self.process.wait(30) == 0
        finally:
            self.stdout.close()


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def link_descriptors() -> int:
    """Sockets and pipes: what a session or the agents' process would leave open if it leaked."""
    kinds = []
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            kinds.append(os.readlink(f"/proc/self/fd/{name}").partition(":")[0])
    return sum(1 for kind in kinds if kind in {"socket", "pipe"})


def python_threads() -> int:
    """Threads this process started (Qt's pool threads that once ran Python stay listed as dummies: left out)."""
    return sum(1 for thread in threading.enumerate() if not isinstance(thread, threading._DummyThread))


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

    agents = AgentsProcess(SESSIONS)
    ports = [int(agent["port"]) for agent in agents.agents]
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
    threads_before, descriptors_before, links_before = python_threads(), open_descriptors(), link_descriptors()
    try:
        connect_meter.start()
        for agent in agents.agents:
            code = str(agent["code"]).replace("-", "")
            console.connect_to(ConnectRequest("gateway", "user-pc", code=code, port=int(agent["port"])))
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
        # A measuring window of its own for the jitter figure: 300 ticks of the 10 ms timer while all eight stream.
        qtbot.waitUntil(lambda: len(stream_meter.lateness_ms) >= 300, timeout=60000)
        # Bounded per session: the driver's reader and writer, the link monitor, the call queue, paramiko's
        # transport, plus the odd short-lived worker.  Descriptors: per session the SSH socket and the pipe pair
        # paramiko makes so a channel can be select()ed, the agents' process's two pipes; Qt's pool threads that
        # ran the connects keep an eventfd each until they expire (at most BACKGROUND_THREADS).
        threads_streaming = python_threads() - threads_before
        descriptors_streaming = open_descriptors() - descriptors_before
        assert threads_streaming <= SESSIONS * 6, threads_streaming
        assert descriptors_streaming <= SESSIONS * 3 + 2 + BACKGROUND_THREADS, descriptors_streaming

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
        agents.freeze()
        expected = {port: TickingScreen(seed).freeze() for seed, port in enumerate(ports)}  # same seeds, same pixels
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
        agents.close()
    # Every session's threads and sockets end once the window closed (the journals close on threads of their own).
    qtbot.waitUntil(lambda: python_threads() < threads_before, timeout=30000)  # the prober is gone too
    links_after_close = link_descriptors() - links_before
    assert links_after_close <= 0, links_after_close  # no socket or pipe left behind

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
            "threads_while_streaming": threads_streaming,
            "descriptors_while_streaming": descriptors_streaming,
            "sockets_and_pipes_left_after_close": links_after_close,
            "connecting": connect_meter.figures(),
            "streaming": stream_meter.figures(),
        },
    )
