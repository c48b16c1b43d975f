"""The frame window: the console keeps FRAME_WINDOW requests out, counting updates it has not drawn yet.

The real agent (session, capture loop, FrameEncoder) serves the real technician client over a loopback
socket. A viewer that holds on to its updates is never sent more than the window, the window is used (the
agent encodes the next update while earlier ones are still undrawn), and the window survives a pause and a
broken link: afterwards the stream runs on, with the window full again and no request lost.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.encode import EncodedFrame, FrameEncoder
from app.remote.link import FRAME_WINDOW, LinkEstimator
from tests.remote.agentkit import FakeMonitor, Links, ScriptedConsent

VIEW = p.Capability.VIEW
WIDTH, HEIGHT = 96, 64


class MovingScreen:
    """Every grab shows a different picture until ``moving`` is cleared; tests wait on the grab count."""

    def __init__(self) -> None:
        self.grabs = 0
        self.moving = True
        self._changed = threading.Condition()
        self._rng = np.random.default_rng(3)
        self.image = self._rng.integers(0, 256, (HEIGHT, WIDTH, 4), dtype=np.uint8)

    def monitors(self) -> list[FakeMonitor]:
        return [FakeMonitor(0, 0, 0, WIDTH, HEIGHT), FakeMonitor(1, 0, 0, WIDTH, HEIGHT)]

    def grab(self, monitor: FakeMonitor) -> NDArray[np.uint8]:
        with self._changed:
            if self.moving:
                self.image[self.grabs % HEIGHT, :, :3] = self._rng.integers(0, 256, (WIDTH, 3), dtype=np.uint8)
            self.grabs += 1
            self._changed.notify_all()
            return self.image.copy()

    def wait_grabs(self, count: int, timeout: float = 30) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.grabs >= count, timeout)


class HoldingViewer:
    """Keeps every update undrawn until it holds a full window, then draws the oldest: the most a viewer
    can fall behind. Each "draw" hands the window's place back with ``frame_drawn``."""

    def __init__(self) -> None:
        self.client: TechnicianClient | None = None
        self.received = 0
        self.drawn = 0
        self.paused = False
        self.exact: NDArray[np.uint8] | None = None
        self._held: list[NDArray[np.uint8]] = []
        self._changed = threading.Condition()
        self._stop = False
        self._drawer = threading.Thread(target=self._draw_loop, name="test-drawer", daemon=True)
        self._drawer.start()

    def on_frame(self, framebuffer: NDArray[np.uint8], drawn: list[tuple[int, int, int, int]]) -> None:
        with self._changed:
            self.received += 1
            self._held.append(framebuffer.copy())
            self._changed.notify_all()

    def on_state(self, state: str, granted: frozenset[str], paused: bool) -> None:
        with self._changed:
            self.paused = paused
            self._changed.notify_all()

    def _draw_loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._stop or len(self._held) >= FRAME_WINDOW)
                if self._stop:
                    return
                self.exact = self._held.pop(0)
                self.drawn += 1
            assert self.client is not None
            self.client.frame_drawn()

    def wait(self, predicate: Any, timeout: float = 30) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)

    def draw_everything(self) -> None:
        """Let go: draw what is held and every later update at once."""
        with self._changed:
            self._stop = True
            held, self._held = self._held, []
            self._changed.notify_all()
        self._drawer.join(5)
        assert self.client is not None
        self.client.callbacks.on_frame = self.draw_now
        for _ in held:
            self.client.frame_drawn()

    def draw_now(self, framebuffer: NDArray[np.uint8], drawn: list[tuple[int, int, int, int]]) -> None:
        with self._changed:
            self.received += 1
            self.drawn += 1
            self.exact = framebuffer.copy()
            self._changed.notify_all()
        assert self.client is not None
        self.client.frame_drawn()


class WindowEncoder:
    """The real encoder, checking at every encode how far the agent is ahead of what the viewer drew."""

    def __init__(self, viewer: HoldingViewer) -> None:
        self.inner = FrameEncoder(video=False)
        self.viewer = viewer
        self.sent = 0
        self.most_ahead = 0
        self.sent_pending = False
        self.link_broken = False

    @property
    def link(self) -> LinkEstimator:
        return self.inner.link

    def reset(self) -> None:
        if self.link_broken:
            # The updates lost with the broken link never reach the viewer: count only what arrived.
            self.sent = self.viewer.received
            self.link_broken = False
        self.inner.reset()

    def encode(self, frame: NDArray[np.uint8], **kwargs: Any) -> EncodedFrame:
        # The agent encodes only for a request; the viewer asks only while fewer than FRAME_WINDOW requests are
        # out or updates undrawn: all but FRAME_WINDOW - 1 of the earlier updates must have been drawn.
        self.most_ahead = max(self.most_ahead, self.sent - self.viewer.drawn)
        update = self.inner.encode(frame, **kwargs)
        if update.rects or update.pending != self.sent_pending:
            self.sent += 1
            self.sent_pending = update.pending
        return update


@pytest.fixture
def stream() -> Iterator[tuple[AssistAgent, MovingScreen, HoldingViewer, WindowEncoder, Links]]:
    screen = MovingScreen()
    viewer = HoldingViewer()
    encoder = WindowEncoder(viewer)
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})), encoder_factory=lambda: encoder)
    links = Links(agent.listen(0))
    viewer.client = TechnicianClient(
        links.open(),
        code=agent.code(),
        capabilities=frozenset({VIEW}),
        callbacks=TechnicianCallbacks(on_frame=viewer.on_frame, on_state=viewer.on_state),
        reconnect=links.open,
    )
    viewer.client.start()
    try:
        yield agent, screen, viewer, encoder, links
    finally:
        viewer.draw_everything()
        viewer.client.stop()
        agent.stop()
        assert agent.wait_stopped(10)
        links.close()


def finish_exact(screen: MovingScreen, viewer: HoldingViewer) -> None:
    """Stop the motion, let the viewer draw everything, and wait until it shows the screen exactly."""
    screen.moving = False
    viewer.draw_everything()
    assert viewer.wait(
        lambda v: (
            v.exact is not None
            and v.client is not None
            and not v.client.last_update_pending
            and np.array_equal(v.exact[..., :3], screen.image[..., :3])
        )
    ), "the viewer never showed the final picture exactly"


def test_a_viewer_that_falls_behind_is_never_sent_more_than_the_window(
    stream: tuple[AssistAgent, MovingScreen, HoldingViewer, WindowEncoder, Links],
) -> None:
    _, screen, viewer, encoder, _ = stream
    assert screen.wait_grabs(40), "the stream stalled"
    assert viewer.wait(lambda v: v.received >= 30)
    # Used: the agent encoded while FRAME_WINDOW - 1 earlier updates were still undrawn. Never exceeded.
    assert encoder.most_ahead == FRAME_WINDOW - 1
    assert viewer.client is not None and viewer.client.window_probes == 0
    finish_exact(screen, viewer)


def test_the_window_survives_a_pause_and_no_request_is_lost(
    stream: tuple[AssistAgent, MovingScreen, HoldingViewer, WindowEncoder, Links],
) -> None:
    agent, screen, viewer, encoder, _ = stream
    assert viewer.wait(lambda v: v.received >= 10)
    agent.pause()
    assert viewer.wait(lambda v: v.paused)
    grabs = screen.grabs
    encoder.most_ahead = 0
    agent.resume()
    assert viewer.wait(lambda v: not v.paused)
    # The stream runs on after the resume, at the full window, without the client's lost-request probe.
    assert screen.wait_grabs(grabs + 30), "the stream stalled after the resume"
    assert encoder.most_ahead == FRAME_WINDOW - 1
    assert viewer.client is not None and viewer.client.window_probes == 0
    finish_exact(screen, viewer)


def test_the_window_survives_a_broken_link(
    stream: tuple[AssistAgent, MovingScreen, HoldingViewer, WindowEncoder, Links],
) -> None:
    _, screen, viewer, encoder, links = stream
    assert viewer.wait(lambda v: v.received >= 10)
    encoder.link_broken = True
    links.break_current()
    assert viewer.client is not None
    client = viewer.client
    assert viewer.wait(lambda v: client.reconnects >= 1), "the client never reconnected"
    grabs = screen.grabs
    encoder.most_ahead = 0
    assert screen.wait_grabs(grabs + 30), "the stream stalled after the reconnect"
    assert encoder.most_ahead == FRAME_WINDOW - 1
    assert client.window_probes == 0
    finish_exact(screen, viewer)
