"""Fakes at the agent's seams (screen, input, consent) and a synchronous technician for raw protocol tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from app.remote import protocol as p
from app.remote import session as s
from app.remote.agent import ConsentPrompt
from app.remote.channel import Channel


@dataclass(frozen=True)
class FakeMonitor:
    index: int
    left: int
    top: int
    width: int
    height: int


class FakeScreen:
    """A screen of known pixels; counts grabs."""

    def __init__(self, width: int = 64, height: int = 48, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.image: NDArray[np.uint8] = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
        self.image[:, :, 3] = 255
        self.grabs = 0
        self._lock = threading.Lock()

    def monitors(self) -> list[FakeMonitor]:
        h, w = self.image.shape[:2]
        return [FakeMonitor(0, 0, 0, w, h), FakeMonitor(1, 0, 0, w, h)]

    def grab(self, monitor: FakeMonitor) -> NDArray[np.uint8]:
        with self._lock:
            self.grabs += 1
            return self.image.copy()


class TickingScreen(FakeScreen):
    """A screen of known pixels whose first row counts the grabs: every grab is a change, so updates keep coming."""

    def grab(self, monitor: FakeMonitor) -> NDArray[np.uint8]:
        with self._lock:
            self.grabs += 1
            self.image[0, :8, 0] = np.frombuffer(self.grabs.to_bytes(8, "little"), dtype=np.uint8)
            return self.image.copy()


class RecordingSink:
    """Records applied input; tests wait on it instead of sleeping."""

    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []
        self._changed = threading.Condition()

    def pointer(self, x: int, y: int, buttons: int = 0, wheel: int = 0, wheel_horizontal: int = 0) -> None:
        self._record(("pointer", x, y, buttons))

    def key(self, down: bool, keysym: int | None = None, text: str | None = None) -> None:
        self._record(("key", down, keysym, text))

    def release_all(self) -> None:
        self._record(("release_all",))

    def _record(self, event: tuple[object, ...]) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[list[tuple[object, ...]]], bool], timeout: float = 5) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.events), timeout)


@dataclass
class ScriptedConsent:
    """Answers every prompt with ``grant``, or never (``grant=None``), and records prompts."""

    grant: frozenset[p.Capability] | None
    prompts: list[ConsentPrompt] = field(default_factory=list)
    dismissed: threading.Event = field(default_factory=threading.Event)
    asked: threading.Event = field(default_factory=threading.Event)
    answer: Callable[[frozenset[p.Capability]], None] | None = None

    changed: threading.Condition = field(default_factory=threading.Condition)

    def ask(self, prompt: ConsentPrompt, answer: Callable[[frozenset[p.Capability]], None]) -> None:
        with self.changed:
            self.prompts.append(prompt)
            self.answer = answer
            self.asked.set()
            self.changed.notify_all()
        if self.grant is not None:
            answer(self.grant)

    def wait_prompts(self, count: int, timeout: float = 5) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.prompts) >= count, timeout)

    def dismiss(self) -> None:
        self.dismissed.set()


class SyncTechnician:
    """A technician driven step by step in the test thread, over a real sealed channel.

    It lets tests send what a well-behaved client never would (input without control) and stop reading.
    """

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.session = s.TechnicianSession()
        self.received: list[p.Message] = []

    def run(self, commands: list[s.Command]) -> None:
        for command in commands:
            if isinstance(command, s.Send):
                self.channel.send(command.message)
            elif isinstance(command, s.InstallKeys):
                self.channel.install_keys(command.keys)

    def pair_and_ask(self, code: str, capabilities: list[p.Capability]) -> p.ConsentDecision:
        request = p.ConsentRequest(b"", capabilities, "test", "CASE-1")
        self.run(self.session.handle(s.Started(code, request, 0.0)))
        while True:
            message = self.channel.receive(10)
            assert message is not None, "the agent went silent"
            self.received.append(message)
            self.run(self.session.handle(s.MessageReceived(message, 0.0)))
            if isinstance(message, p.ConsentDecision | p.Bye):
                return message if isinstance(message, p.ConsentDecision) else p.ConsentDecision([])

    def send(self, message: p.Message) -> None:
        self.channel.send(message)

    def receive_until(self, kind: type, timeout: float = 10) -> p.Message:
        while True:
            message = self.channel.receive(timeout)
            assert message is not None, f"no {kind.__name__} within {timeout} s"
            self.received.append(message)
            if isinstance(message, kind):
                return message


@dataclass(frozen=True)
class FakeCursorShape:
    width: int
    height: int
    hot_x: int
    hot_y: int
    serial: int
    pixels: bytes


@dataclass(frozen=True)
class FakeCursor:
    x: int
    y: int
    shape: FakeCursorShape | None


class DesktopScreen:
    """A virtual desktop with two monitors side by side; the layout and the cursor can change mid-stream."""

    def __init__(self) -> None:
        rng = np.random.default_rng(7)
        self.desktop: NDArray[np.uint8] = rng.integers(0, 256, (60, 120, 4), dtype=np.uint8)
        self.desktop[:, :, 3] = 255
        self.layout = [FakeMonitor(1, 0, 0, 80, 60), FakeMonitor(2, 80, 10, 40, 30)]
        self.cursor_state = FakeCursor(90, 20, FakeCursorShape(2, 2, 1, 1, 5, b"\xff" * 16))
        self.unavailable: Exception | None = None
        self.grabs = 0
        self._lock = threading.Lock()
        self._grabbed = threading.Condition(self._lock)

    def wait_grabs(self, count: int, timeout: float = 5) -> bool:
        with self._grabbed:
            return self._grabbed.wait_for(lambda: self.grabs >= count, timeout)

    def monitors(self) -> list[FakeMonitor]:
        with self._lock:
            if self.unavailable is not None:
                raise self.unavailable
            h, w = self.desktop.shape[:2]
            return [FakeMonitor(0, 0, 0, w, h), *self.layout]

    def grab(self, monitor: FakeMonitor) -> NDArray[np.uint8]:
        with self._lock:
            if self.unavailable is not None:
                raise self.unavailable
            self.grabs += 1
            self._grabbed.notify_all()
            current = next((m for m in self.layout if m.index == monitor.index), monitor)
            return self.desktop[
                current.top : current.top + current.height, current.left : current.left + current.width
            ].copy()

    def cursor(self) -> FakeCursor:
        return self.cursor_state

    def expected(self, index: int) -> NDArray[np.uint8]:
        m = next(m for m in self.layout if m.index == index)
        return self.desktop[m.top : m.top + m.height, m.left : m.left + m.width]


class Links:
    """Opens TCP connections to the agent and can break the current one."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.opened: list[socket.socket] = []

    def open(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.settimeout(None)
        self.opened.append(sock)
        return sock

    def break_current(self) -> None:
        self.opened[-1].shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        for sock in self.opened:
            sock.close()
