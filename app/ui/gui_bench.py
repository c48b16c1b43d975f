"""The console's event loop under load, measured (the Qt half of ``podpora bench gui``).

The real :class:`~app.ui.console.window.ConsoleWindow` (offscreen) connects to agents that ``app.cli.bench_gui``
started, through the opener it hands in (an SSH tunnel or a loopback socket), and streams from all of them at
once.  A 10 ms ``QTimer`` on the GUI thread records how late each tick comes: that lateness is the lag a
technician would feel.  Two windows are measured: while the sessions connect and their tabs are built, and
while they all stream.  Nothing here is written to the technician's own address book or cases.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.ui.console.addressbook import AddressBook
from app.ui.console.dialogs import Asker, ConnectRequest
from app.ui.console.session import SessionTab
from app.ui.console.window import ConsoleWindow
from app.ui.console.wiring import RemoteSessionFactory
from app.ui.settings import UiSettings

#: The probe timer's period; lateness is measured against it.
TICK_MS = 10


class EventLoopLag(QObject):
    """A precise 10 ms timer on the GUI thread; how late each tick arrives, in milliseconds."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.lateness_ms: list[float] = []
        self._last = 0.0

    def start(self) -> None:
        """Start measuring."""
        self._last = time.monotonic()
        self.timer.start()

    def stop(self) -> None:
        """Stop measuring."""
        self.timer.stop()

    def _tick(self) -> None:
        now = time.monotonic()
        self.lateness_ms.append(max(0.0, (now - self._last) * 1000 - TICK_MS))
        self._last = now

    def figures(self) -> dict[str, float]:
        """Ticks, and the p50, p99 and largest lateness in ms."""
        ordered = sorted(self.lateness_ms)
        if not ordered:
            return {"ticks": 0}

        def percentile(fraction: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 1)

        return {
            "ticks": len(ordered),
            "p50_ms": percentile(0.5),
            "p99_ms": percentile(0.99),
            "max_ms": round(ordered[-1], 1),
        }


class _OpenerConnection:
    """A :class:`~app.ui.console.wiring.SessionConnection` over the benchmark's stream opener."""

    def __init__(self, open_stream: Callable[[int], Any]) -> None:
        self._open_stream = open_stream

    def open_stream(self, host: str, port: int) -> Any:
        return self._open_stream(port)

    def round_trip_seconds(self) -> float:
        return 0.0

    def close(self) -> None:
        """The opener's tunnel is shared by every session and closed by the benchmark."""


def run_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Run the event loop until ``condition()`` holds or ``seconds`` pass; whether it held."""
    loop = QEventLoop()
    deadline = time.monotonic() + seconds
    check = QTimer()
    check.setInterval(20)

    def poll() -> None:
        if condition() or time.monotonic() >= deadline:
            loop.quit()

    check.timeout.connect(poll)
    check.start()
    if not condition():
        loop.exec()
    check.stop()
    return condition()


def _sessions_ended() -> bool:
    """No session thread (driver, link monitor, call queue, closer) is running any more."""
    return not any(thread.name.startswith("podpora-") for thread in threading.enumerate())


def measure_console(
    agents: list[tuple[int, str]],
    open_stream: Callable[[int], Any],
    seconds: float,
    log: Callable[[str], None],
    *,
    connect_timeout: float = 60.0,
) -> dict[str, Any]:
    """Connect the console to every ``(port, code)`` agent, stream for ``seconds``; the figures as a dict."""
    _app = QApplication.instance() or QApplication(["podpora-bench-gui"])  # referenced until the end
    scratch = tempfile.TemporaryDirectory(prefix="podpora-bench-gui-")
    book = AddressBook(Path(scratch.name) / "no_ssh_config", Path(scratch.name) / "addressbook.json")

    def connector(target: str, asker: Asker) -> _OpenerConnection:
        return _OpenerConnection(open_stream)

    window = ConsoleWindow(UiSettings(), factory=RemoteSessionFactory(connector), book=book)
    window.show()
    connecting, streaming = EventLoopLag(), EventLoopLag()
    updates: dict[int, int] = {}
    try:
        connecting.start()
        started = time.monotonic()
        for port, code in agents:
            window.connect_to(ConnectRequest("gateway", "bench", code=code.replace("-", ""), port=port))
        if not run_until(lambda: window.tabs.count() == len(agents), connect_timeout):
            raise RuntimeError(f"only {window.tabs.count()} of {len(agents)} sessions opened")
        connected_after = time.monotonic() - started
        connecting.stop()
        for index in range(window.tabs.count()):
            tab = window.tabs.widget(index)
            if not isinstance(tab, SessionTab):
                continue
            updates[index] = 0

            def count(*_: object, index: int = index) -> None:
                updates[index] += 1

            tab.controller.frame_ready.connect(count)
            tab.controller.regions_ready.connect(count)
        log(f"bench gui: {len(agents)} sessions open after {connected_after:.1f} s; streaming for {seconds:g} s")
        streaming.start()
        run_until(lambda: False, seconds)
        streaming.stop()
    finally:
        connecting.stop()
        streaming.stop()
        window.close()
        # The sessions end on their own threads; the process must not exit while one of them can still report
        # to a window that is gone.
        if not run_until(_sessions_ended, 15):
            log("bench gui: some session threads are still running")
        window.deleteLater()
        run_until(lambda: False, 0.1)
        scratch.cleanup()
    rates = sorted(round(count / seconds, 1) for count in updates.values())
    return {
        "sessions": len(agents),
        "connected_after_s": round(connected_after, 2),
        "event_loop_lag_while_connecting": connecting.figures(),
        "event_loop_lag_while_streaming": streaming.figures(),
        "updates_per_second_per_view": {
            "min": rates[0] if rates else 0.0,
            "median": rates[len(rates) // 2] if rates else 0.0,
            "max": rates[-1] if rates else 0.0,
        },
    }
