"""The console's GUI thread never blocks: a hostile SSH server that dribbles or stalls (SECURITY-BAR T08).

Responsiveness is proven structurally, not by the clock: the hostile server sends its next byte only after the
console's GUI thread has run a slot posted to it (:class:`GuiProbe`).  A connect that ran on the GUI thread
would block that slot, the server would send nothing more, and the test would fail by timeout.  The QTimer
jitter during the stall is measured and reported as a figure (``record_property`` and the ``-s`` output),
never asserted.
"""

from __future__ import annotations

import itertools
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.remote.ssh import ConnectOptions, SshConnection, connect
from app.ui.console.addressbook import AddressBook, Entry
from app.ui.console.dialogs import ConnectRequest, GuiAsker
from app.ui.console.window import ConsoleWindow
from app.ui.console.wiring import CallQueue, RemoteSessionFactory
from app.ui.gui_bench import EventLoopLag
from app.ui.settings import UiSettings

#: How long a probe waits for the GUI thread before the test calls it blocked (far above any healthy lag).
PROBE_TIMEOUT_SECONDS = 10.0
#: The dribble's pace: one byte (or one probe during a silent stall) this often.
PACE_SECONDS = 0.1


class GuiProbe(QObject):
    """Lets another thread ask "has the GUI thread run its event loop since I asked?" and wait for the answer."""

    _asked = Signal(object)

    def __init__(self) -> None:
        super().__init__()  # created on the GUI thread, so the queued slot runs there
        self._asked.connect(self._answer, Qt.ConnectionType.QueuedConnection)
        self.answered = 0

    def _answer(self, event: threading.Event) -> None:
        self.answered += 1
        event.set()

    def gui_answers(self, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
        """Post a call to the GUI thread and wait until it ran (call from any thread but the GUI's)."""
        event = threading.Event()
        self._asked.emit(event)
        return event.wait(timeout)


#: The console bench's event-loop meter (a precise 10 ms QTimer; how late each tick came), reused by the tests.
JitterMeter = EventLoopLag


def report_figures(record_property: pytest.RecordProperty, name: str, figures: dict[str, float]) -> None:
    """Put a measured figure into the test report (junit property) and the ``-s`` output."""
    record_property(name, figures)
    print(f"\n{name}: {figures}")


class HostileSshServer:
    """An "SSH server" on 127.0.0.1 that never completes a handshake, gated on the console's GUI thread.

    ``dribble``: the banner comes one byte at a time and never ends its line.  ``stall``: a whole banner line,
    then silence (the client's KEXINIT is never answered).  Before each byte, and every pace while silent, the
    server waits for :class:`GuiProbe`; an unanswered probe is recorded and ends the connection.
    """

    def __init__(self, probe: GuiProbe, mode: str) -> None:
        self.probe = probe
        self.mode = mode
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port: int = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.gated_bytes: list[int] = []  # per connection: bytes sent, each after an answered probe
        self.stall_probes: list[int] = []  # per connection: probes answered while silent
        self.unanswered = 0  # probes the GUI thread never answered
        self.closed_by_client = 0  # connections the client ended (gave up or was cancelled)
        self.threads = [threading.Thread(target=self._accept, name="hostile-sshd", daemon=True)]
        self.threads[0].start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                index = len(self.gated_bytes)
                self.gated_bytes.append(0)
                self.stall_probes.append(0)
            thread = threading.Thread(target=self._serve, args=(conn, index), name="hostile-conn", daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, index: int) -> None:
        with conn:
            banner: Iterator[int] = (
                itertools.chain(b"SSH-2.0-", itertools.repeat(ord("x")))
                if self.mode == "dribble"
                else iter(b"SSH-2.0-OpenSSH_9.9\r\n")
            )
            while not self.stop.wait(PACE_SECONDS):
                if self._client_left(conn):
                    with self.lock:
                        self.closed_by_client += 1
                    return
                if not self.probe.gui_answers():
                    with self.lock:
                        self.unanswered += 1
                    return
                byte = next(banner, None)
                if byte is None:  # the banner is out: now silence, still checking on the GUI
                    with self.lock:
                        self.stall_probes[index] += 1
                    continue
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    continue  # the client left: noticed at the next turn
                with self.lock:
                    self.gated_bytes[index] += 1

    @staticmethod
    def _client_left(conn: socket.socket) -> bool:
        """True once the client closed its end (what it sent, its banner and KEXINIT, is read and dropped)."""
        while select.select([conn], [], [], 0)[0]:
            try:
                if not conn.recv(65536):
                    return True
            except OSError:
                return True
        return False

    def close(self, qtbot: QtBot) -> None:
        """Stop serving; waits with the GUI's event loop running, as a connection may be waiting on a probe."""
        self.stop.set()
        self.listener.close()
        wait_threads_done(qtbot, self.threads[1:])


def wait_threads_done(qtbot: QtBot, threads: list[threading.Thread]) -> None:
    """Wait for ``threads`` to end while the GUI thread keeps answering probes (a blocking join would not)."""
    qtbot.waitUntil(lambda: not any(thread.is_alive() for thread in threads), timeout=30000)


@pytest.fixture
def probe(qapp: object) -> GuiProbe:
    return GuiProbe()


def console_for(
    qtbot: QtBot, tmp_path: Path, port: int, timeout: int, book: AddressBook | None = None
) -> ConsoleWindow:
    """The real console window, its sessions over the real SSH layer to ``hostile`` (127.0.0.1:``port``)."""
    config = tmp_path / "ssh_config"
    config.write_text(f"Host hostile\n  HostName 127.0.0.1\n  Port {port}\n  ConnectTimeout {timeout}\n")
    empty = tmp_path / "known_hosts"
    empty.write_text("")

    def connector(target: str, asker: GuiAsker) -> SshConnection:
        options = ConnectOptions(
            config_path=config,
            known_hosts_paths=[empty],
            own_known_hosts=tmp_path / "own",
            use_agent=False,
            cancel=getattr(asker, "cancelled", None),  # as the console's own connector does
        )
        return connect(target, options)

    console = ConsoleWindow(
        UiSettings(),
        factory=RemoteSessionFactory(connector),
        book=book or AddressBook(tmp_path / "none", tmp_path / "book.json"),
    )
    qtbot.addWidget(console)
    console.show()
    return console


def visible_boxes(console: ConsoleWindow) -> list[QMessageBox]:
    return [box for box in console.findChildren(QMessageBox) if box.isVisible()]


def test_t08_a_dribbled_banner_fails_in_plain_words_while_the_gui_keeps_answering(
    qtbot: QtBot, tmp_path: Path, probe: GuiProbe, record_property: pytest.RecordProperty
) -> None:
    server = HostileSshServer(probe, "dribble")
    console = console_for(qtbot, tmp_path, server.port, timeout=2)
    meter = JitterMeter()
    try:
        meter.start()
        started = time.monotonic()
        task = console.connect_to(ConnectRequest("direct", "hostile", code="123456789"))
        assert task is not None
        assert console.cancel_connect_button.isVisible() and console.connect_progress.isVisible()
        qtbot.waitUntil(lambda: bool(visible_boxes(console)), timeout=30000)
        failed_after = time.monotonic() - started
        meter.stop()
        box = visible_boxes(console)[0]
        assert "in time" in box.text()  # "… did not answer in time", with the next step
        assert box.informativeText()
        assert not console.connect_progress.isVisible()
        qtbot.waitUntil(lambda: server.closed_by_client >= 1, timeout=10000)  # the client gave up by itself
        # Every byte went out only after the GUI thread answered; a blocked GUI thread would have let none out.
        assert server.unanswered == 0
        assert server.gated_bytes[0] >= 3, server.gated_bytes
    finally:
        meter.stop()
        server.close(qtbot)
    report_figures(
        record_property,
        "t08_dribble",
        {"connect_failed_after_s": round(failed_after, 2), "gated_bytes": server.gated_bytes[0], **meter.figures()},
    )


def test_t08_a_connect_stalled_after_the_banner_can_be_cancelled_and_a_late_failure_stays_quiet(
    qtbot: QtBot, tmp_path: Path, probe: GuiProbe, record_property: pytest.RecordProperty
) -> None:
    server = HostileSshServer(probe, "stall")
    console = console_for(qtbot, tmp_path, server.port, timeout=4)
    meter = JitterMeter()
    try:
        meter.start()
        first = console.connect_to(ConnectRequest("direct", "hostile", code="123456789"))
        assert first is not None
        # The banner is out and the link is silent; the server keeps checking that the GUI thread answers.
        qtbot.waitUntil(lambda: bool(server.stall_probes) and server.stall_probes[0] >= 3, timeout=30000)
        qtbot.mouseClick(console.cancel_connect_button, Qt.MouseButton.LeftButton)
        assert not console.connect_progress.isVisible()
        said = console.statusBar().currentMessage()
        assert said == "Connecting to hostile was cancelled."
        assert console.connecting_label.text() == said

        # Connecting again to the same machine, then the cancelled attempt fails late: its failure is not
        # shown, and it must not be taken for the new attempt (which is still connecting).
        second = console.connect_to(ConnectRequest("direct", "hostile", code="123456789"))
        assert second is not None
        with qtbot.waitSignal(first.finished, timeout=30000):
            pass
        qtbot.waitUntil(lambda: server.closed_by_client >= 1, timeout=10000)
        with qtbot.waitSignal(meter.timer.timeout, timeout=5000):
            pass  # the late failure's queued slots have run by now
        assert visible_boxes(console) == []
        assert console.connect_progress.isVisible() and console.cancel_connect_button.isVisible()
        assert server.unanswered == 0
        qtbot.mouseClick(console.cancel_connect_button, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(second.finished, timeout=30000):
            pass
        meter.stop()
        assert visible_boxes(console) == []
        assert console.tabs.count() == 0
    finally:
        meter.stop()
        server.close(qtbot)
    report_figures(
        record_property,
        "t08_stall_after_banner",
        {"stall_probes": server.stall_probes[0], **meter.figures()},
    )


def test_cancel_ends_a_stalled_ssh_attempt_at_once_instead_of_at_its_timeout(
    qtbot: QtBot, tmp_path: Path, probe: GuiProbe
) -> None:
    """*Cancel* closes the attempt's socket: the stalled server sees the client go long before a 600 s timeout."""
    server = HostileSshServer(probe, "stall")
    console = console_for(qtbot, tmp_path, server.port, timeout=600)
    try:
        attempt = console.connect_to(ConnectRequest("direct", "hostile", code="123456789"))
        assert attempt is not None
        ended: list[bool] = []
        attempt.finished.connect(lambda: ended.append(True))
        qtbot.waitUntil(lambda: bool(server.stall_probes) and server.stall_probes[0] >= 1, timeout=30000)
        qtbot.mouseClick(console.cancel_connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: server.closed_by_client >= 1 and bool(ended), timeout=30000)
        assert visible_boxes(console) == []  # a cancelled attempt's end is not an error to show
    finally:
        server.close(qtbot)


def test_the_probe_fails_when_the_gui_thread_is_blocked(probe: GuiProbe) -> None:
    """The structural proof has teeth: with the GUI thread busy (here: waiting), no probe is answered."""
    answered = threading.Event()
    result: list[bool] = []

    def ask() -> None:
        result.append(probe.gui_answers(timeout=0.5))
        answered.set()

    asker = threading.Thread(target=ask)
    asker.start()
    assert answered.wait(10)  # the GUI thread (this one) blocks here and runs no event loop
    asker.join(10)
    assert result == [False]
    QCoreApplication.processEvents()  # the late answer runs now and harms nothing


class RecordingBook(AddressBook):
    """An address book that notes which thread writes its file."""

    def __init__(self, root: Path) -> None:
        super().__init__(root / "none", root / "book.json")
        self.saved_on: list[threading.Thread] = []

    def save(self) -> None:
        self.saved_on.append(threading.current_thread())
        super().save()


def test_tagging_a_machine_writes_the_address_book_off_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = RecordingBook(tmp_path)
    book.add(Entry(name="Reception PC", target="reception@10.0.0.12"))
    book.saved_on.clear()
    window = ConsoleWindow(UiSettings(), book=book)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.address_book.list.count() == 1)
    window.address_book.list.setCurrentRow(0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("#front-desk windows", True))
    window.address_book._edit_tags()
    assert "#front-desk" in window.address_book.list.item(0).text()  # shown at once
    qtbot.waitUntil(lambda: bool(book.saved_on))
    assert threading.current_thread() not in book.saved_on
    reread = AddressBook(tmp_path / "none", tmp_path / "book.json").load()
    assert [(e.name, e.tags) for e in reread] == [("Reception PC", ["front-desk", "windows"])]


def test_the_session_call_queue_runs_calls_in_order_off_the_calling_thread_and_flushes() -> None:
    calls = CallQueue("test-calls")
    assert calls.flush(1)  # nothing posted yet: nothing to wait for, no thread started
    ran: list[tuple[int, threading.Thread]] = []
    gate = threading.Event()
    calls.post(lambda: gate.wait(10))
    for number in range(50):
        calls.post(lambda number=number: ran.append((number, threading.current_thread())))
    assert ran == []  # the caller did not wait for any of them
    gate.set()
    assert calls.flush(10)
    assert [number for number, _ in ran] == list(range(50))
    assert {thread for _, thread in ran} != {threading.current_thread()}
    calls.close()
    calls.post(lambda: ran.append((-1, threading.current_thread())))  # the session is over: dropped
    assert calls.flush(10)
    assert len(ran) == 50


@pytest.mark.expect_log_warnings
def test_a_failing_call_does_not_stop_the_queue(caplog: pytest.LogCaptureFixture) -> None:
    calls = CallQueue("test-calls")
    done = threading.Event()

    def fail() -> None:
        raise RuntimeError("boom")

    calls.post(fail)
    calls.post(done.set)
    assert done.wait(10)
    calls.close()
    assert "a session call failed" in caplog.text


def test_stalled_connects_do_not_hold_up_each_other_or_other_background_work(
    qtbot: QtBot, tmp_path: Path, probe: GuiProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three connects stall at once (more than this machine has cores); saving the address book happens meanwhile."""
    server = HostileSshServer(probe, "stall")
    book = RecordingBook(tmp_path)
    book.add(Entry(name="Reception PC", target="reception@10.0.0.12"))
    console = console_for(qtbot, tmp_path, server.port, timeout=60, book=book)
    finished: list[object] = []
    try:
        qtbot.waitUntil(lambda: console.address_book.list.count() == 1)
        for _ in range(3):
            task = console.connect_to(ConnectRequest("direct", "hostile", code="123456789"))
            assert task is not None
            task.finished.connect(lambda: finished.append(None))
        # All three reach the server and stall there at the same time.
        qtbot.waitUntil(lambda: len(server.stall_probes) == 3 and min(server.stall_probes) >= 1, timeout=20000)
        book.saved_on.clear()
        console.address_book.list.setCurrentRow(0)
        monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("front-desk", True))
        console.address_book._edit_tags()
        qtbot.waitUntil(lambda: bool(book.saved_on), timeout=20000)
        assert server.closed_by_client == 0  # saved while all three connects were still stalled
        assert finished == []
        console.cancel_connecting()
    finally:
        server.close(qtbot)  # the stalled connects now read an end of stream and give up
    qtbot.waitUntil(lambda: len(finished) == 3, timeout=20000)
    assert visible_boxes(console) == []  # cancelled: their failures are not shown


def test_sessions_that_connect_together_get_their_tabs_one_per_turn_and_closing_ends_the_rest(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from tests.ui.test_console import FakeFactory

    factory = FakeFactory()
    window = ConsoleWindow(UiSettings(), factory=factory, book=AddressBook(tmp_path / "none", tmp_path / "b.json"))
    qtbot.addWidget(window)
    requests = [ConnectRequest("direct", f"pc-{number}") for number in range(3)]
    opened = [factory.open(request, window.asker) for request in requests]
    for number, (request, session) in enumerate(zip(requests, opened, strict=True)):
        window._connected(f"{request.target}#{number}", request, session)  # as when three results arrive at once
    assert window.tabs.count() == 0 and len(window.arrivals) == 3  # nothing built yet, inside one event
    with qtbot.waitSignal(window.tabs.currentChanged):
        pass  # the first tab comes at the next turn of the event loop
    assert window.tabs.count() == 1 and len(window.arrivals) == 2
    qtbot.waitUntil(lambda: window.tabs.count() == 3)
    assert len(factory.attached) == 3

    late = factory.open(ConnectRequest("direct", "pc-late"), window.asker)
    window._connected("pc-late#9", ConnectRequest("direct", "pc-late"), late)
    window.close()  # before its tab was built: the session is ended all the same
    assert factory.sessions[-1].sent[-1] == ("stop", None)
    assert all(session.sent[-1] == ("stop", None) for session in factory.sessions)
