"""The agent's screen side: monitor selection, resolution change, cursor, and unsupported screens."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.errors import PodporaError
from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.client import TechnicianCallbacks, TechnicianClient
from tests.remote.agentkit import DesktopScreen, FakeMonitor, RecordingSink, ScriptedConsent
from tests.remote.test_agent_client import RawDecoder

VIEW = p.Capability.VIEW


class Viewer:
    """A technician that records frames and agent messages and always asks for the next frame."""

    def __init__(self, agent: AssistAgent, sock: socket.socket) -> None:
        self.frames: list[np.ndarray] = []
        self.messages: list[p.Message] = []
        self._changed = threading.Condition()
        self.client = TechnicianClient(
            sock,
            code=agent.code(),
            capabilities=frozenset({VIEW}),
            callbacks=TechnicianCallbacks(on_frame=self._on_frame, on_message=self._on_message),
            decoder=RawDecoder(),
        )

    def _on_frame(self, framebuffer: np.ndarray, drawn: list[tuple[int, int, int, int]]) -> None:
        with self._changed:
            self.frames.append(framebuffer.copy())
            self._changed.notify_all()
        self.client.frame_drawn()

    def _on_message(self, message: p.Message) -> None:
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    def wait_frame(self, predicate, timeout: float = 10) -> np.ndarray:  # type: ignore[no-untyped-def]
        with self._changed:
            assert self._changed.wait_for(lambda: any(predicate(f) for f in self.frames), timeout)
            return next(f for f in self.frames if predicate(f))

    def wait_message(self, predicate, timeout: float = 10) -> p.Message:  # type: ignore[no-untyped-def]
        with self._changed:
            assert self._changed.wait_for(lambda: any(predicate(m) for m in self.messages), timeout)
            return next(m for m in self.messages if predicate(m))


@pytest.fixture
def desktop() -> DesktopScreen:
    return DesktopScreen()


@pytest.fixture
def viewer(desktop: DesktopScreen) -> Iterator[tuple[AssistAgent, Viewer]]:
    agent = AssistAgent(screen=desktop, consent=ScriptedConsent(frozenset({VIEW})), input_sink=RecordingSink())
    left, right = socket.socketpair()
    agent.serve_stream(left)
    viewer = Viewer(agent, right)
    viewer.client.start()
    yield agent, viewer
    viewer.client.stop()
    agent.stop()
    assert agent.wait_stopped(5)
    left.close()
    right.close()


def test_first_monitor_is_streamed_and_announced(desktop: DesktopScreen, viewer: tuple[AssistAgent, Viewer]) -> None:
    _, view = viewer
    info = view.wait_message(lambda m: isinstance(m, p.ScreenInfo))
    assert isinstance(info, p.ScreenInfo)
    assert info.selected == 1
    assert [(m.index, m.x, m.y, m.width, m.height) for m in info.monitors] == [
        (0, 0, 0, 120, 60),
        (1, 0, 0, 80, 60),
        (2, 80, 10, 40, 30),
    ]
    assert np.array_equal(view.frames[0] if view.frames else view.wait_frame(lambda f: True), desktop.expected(1))


def test_selecting_another_monitor_streams_it(desktop: DesktopScreen, viewer: tuple[AssistAgent, Viewer]) -> None:
    _, view = viewer
    view.wait_frame(lambda f: f.shape[:2] == (60, 80))
    view.client.select_monitor(2)
    view.wait_message(lambda m: isinstance(m, p.ScreenInfo) and m.selected == 2)
    frame = view.wait_frame(lambda f: f.shape[:2] == (30, 40))
    assert np.array_equal(frame, desktop.expected(2))


def test_resolution_change_mid_stream(desktop: DesktopScreen, viewer: tuple[AssistAgent, Viewer]) -> None:
    _, view = viewer
    view.wait_frame(lambda f: f.shape[:2] == (60, 80))
    desktop.layout = [FakeMonitor(1, 0, 0, 100, 50), FakeMonitor(2, 100, 0, 20, 20)]
    frame = view.wait_frame(lambda f: f.shape[:2] == (50, 100))
    assert np.array_equal(frame, desktop.expected(1))


def test_cursor_position_is_relative_to_the_streamed_monitor(
    desktop: DesktopScreen, viewer: tuple[AssistAgent, Viewer]
) -> None:
    _, view = viewer
    first = view.wait_message(lambda m: isinstance(m, p.CursorUpdate))
    assert isinstance(first, p.CursorUpdate)
    assert (first.x, first.y) == (90, 20)
    assert first.shape is not None and first.shape.width == 2
    view.client.select_monitor(2)
    moved = view.wait_message(lambda m: isinstance(m, p.CursorUpdate) and (m.x, m.y) == (10, 10))
    assert isinstance(moved, p.CursorUpdate)


class Unavailable(PodporaError):
    """Stands in for capture.ScreenUnavailable (reason + plain-language text)."""

    def __init__(self) -> None:
        super().__init__("wayland session", user_text="The screen cannot be shared on a Wayland session.")
        self.reason = "wayland"


def test_an_unsupported_screen_is_said_never_streamed_as_black() -> None:
    desktop = DesktopScreen()
    desktop.unavailable = Unavailable()
    agent = AssistAgent(screen=desktop, consent=ScriptedConsent(frozenset({VIEW})))
    left, right = socket.socketpair()
    with left, right:
        agent.serve_stream(left)
        view = Viewer(agent, right)
        view.client.start()
        notice = view.wait_message(lambda m: isinstance(m, p.Notice))
        assert notice == p.Notice("wayland", "The screen cannot be shared on a Wayland session.")
        assert view.frames == []
        view.client.stop()
        agent.stop()
        assert agent.wait_stopped(5)


def test_the_stream_continues_after_pause_and_resume(
    desktop: DesktopScreen, viewer: tuple[AssistAgent, Viewer]
) -> None:
    agent, view = viewer
    view.wait_frame(lambda f: f.shape[:2] == (60, 80))
    # The screen is static: the agent holds the console's next request and polls for a change...
    assert desktop.wait_grabs(desktop.grabs + 3)
    # ...when the user pauses (which cancels that capture).
    agent.pause()
    view.wait_message(lambda m: isinstance(m, p.Pause))
    desktop.desktop = 255 - desktop.desktop  # the picture changes while paused
    agent.resume()
    frame = view.wait_frame(lambda f: np.array_equal(f, desktop.expected(1)))
    assert frame.shape[:2] == (60, 80)
