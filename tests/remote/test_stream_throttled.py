"""A changing screen streamed through a throttled loopback link (the fault proxy): bounded, then exact.

The real agent (capture loop, FrameEncoder with its link estimator and video mode) serves the real
technician client (FrameDecoder) through ``tests/helpers/faultproxy.py`` limiting the agent→viewer direction.
Latency stays bounded because the stream never has more updates in flight than the viewer's window of
requests (two: the agent encodes the next update while the viewer decodes the last): when the agent encodes
an update, all but one of the earlier ones have already reached the viewer; a character typed next to the
moving picture reaches the viewer within the window's updates. Once the screen stops changing, the viewer's picture
converges to the exact frame. No wall-clock time is asserted.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.encode import EncodedFrame, FrameEncoder
from app.remote.link import FRAME_WINDOW, LinkEstimator
from tests.helpers.faultproxy import Direction, FaultProxy
from tests.remote.agentkit import FakeMonitor, RecordingSink, ScriptedConsent
from tests.remote.test_encode import desktop, photo

VIEW = p.Capability.VIEW
WIDTH, HEIGHT = 384, 256
THROTTLE = 250_000  # bytes per second, agent → viewer
MOVING_GRABS = 30
MARK_STEP = 20  # a "typed character" appears in the title bar while the picture moves (video mode is on)
MARK = (slice(10, 22), slice(200, 207))
PANORAMA = photo(HEIGHT + 64, WIDTH + 256, seed=5)


def panning(step: int) -> NDArray[np.uint8]:
    screen = desktop(HEIGHT, WIDTH)
    screen[64:256, 0:320] = PANORAMA[step % 64 : step % 64 + 192, 4 * step : 4 * step + 320]
    if step >= MARK_STEP:
        screen[MARK] = 255
    return screen


class MovingScreen:
    """Every grab shows the picture panned one step further, for ``MOVING_GRABS`` grabs; then it rests."""

    def __init__(self, viewer: Viewer) -> None:
        self.step = 0
        self.viewer = viewer
        self.mark_grabbed_after: int | None = None  # updates the viewer had when the mark was first grabbed
        self._changed = threading.Condition()

    def monitors(self) -> list[FakeMonitor]:
        return [FakeMonitor(0, 0, 0, WIDTH, HEIGHT), FakeMonitor(1, 0, 0, WIDTH, HEIGHT)]

    def grab(self, monitor: FakeMonitor) -> NDArray[np.uint8]:
        with self._changed:
            self.step = min(self.step + 1, MOVING_GRABS)
            if self.step == MARK_STEP and self.mark_grabbed_after is None:
                self.mark_grabbed_after = self.viewer.received
            self._changed.notify_all()
            return panning(self.step)

    def wait_resting(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.step >= MOVING_GRABS, timeout)


@dataclass
class Viewer:
    """Decodes with the real FrameDecoder and asks for the next update as soon as one is drawn."""

    client: TechnicianClient | None = None
    exact: NDArray[np.uint8] | None = None

    def __post_init__(self) -> None:
        self.converged = threading.Event()
        self.received = 0
        self.mark_seen_at: int | None = None

    def on_frame(self, framebuffer: NDArray[np.uint8], drawn: list[tuple[int, int, int, int]]) -> None:
        assert self.client is not None
        self.received += 1
        if self.mark_seen_at is None and bool((framebuffer[MARK][..., :3] == 255).all()):
            self.mark_seen_at = self.received
        if (
            self.exact is not None
            and not self.client.last_update_pending
            and np.array_equal(framebuffer[..., :3], self.exact[..., :3])
        ):
            self.converged.set()
        self.client.frame_drawn()


class CountingEncoder:
    """The real encoder, counting what the agent sends against what the viewer has received."""

    def __init__(self, viewer: Viewer) -> None:
        self.inner = FrameEncoder()
        self.viewer = viewer
        self.sent = 0
        self.most_in_flight = 0
        self.sent_pending = False

    @property
    def link(self) -> LinkEstimator:
        """The inner encoder's estimator: the agent reports the requests' arrivals to it."""
        return self.inner.link

    def reset(self) -> None:
        self.inner.reset()

    def encode(self, frame: NDArray[np.uint8], *, max_bytes: int | None = None) -> EncodedFrame:
        # The agent encodes only for a request, and the viewer keeps at most FRAME_WINDOW requests out,
        # counting updates it has not drawn yet: all but FRAME_WINDOW - 1 earlier updates are at the viewer.
        self.most_in_flight = max(self.most_in_flight, self.sent - self.viewer.received)
        update = self.inner.encode(frame, max_bytes=max_bytes)
        if update.rects or update.pending != self.sent_pending:
            # The agent sends exactly these: changes, or news that the picture became exact. An empty update
            # with a refresh still owed is held back (it would only make both sides spin at network speed).
            self.sent += 1
            self.sent_pending = update.pending
        return update


@pytest.fixture
def throttled() -> Iterator[tuple[MovingScreen, Viewer, CountingEncoder]]:
    viewer = Viewer(exact=panning(MOVING_GRABS))
    screen = MovingScreen(viewer)
    encoder = CountingEncoder(viewer)
    agent = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW})),
        input_sink=RecordingSink(),
        encoder_factory=lambda: encoder,
    )
    listener = socket.create_server(("127.0.0.1", 0))
    with listener, FaultProxy(listener.getsockname()[1]) as proxy:
        proxy.set(Direction.TO_CLIENT, throttle=THROTTLE, delay=0.005)
        proxy.set(Direction.TO_SERVER, delay=0.005)
        viewer_socket = socket.create_connection(("127.0.0.1", proxy.port))
        agent_socket, _ = listener.accept()
        agent.serve_stream(agent_socket)
        viewer.client = TechnicianClient(
            viewer_socket,
            code=agent.code(),
            capabilities=frozenset({VIEW}),
            callbacks=TechnicianCallbacks(on_frame=viewer.on_frame),
        )
        viewer.client.start()
        try:
            yield screen, viewer, encoder
        finally:
            viewer.client.stop()
            agent.stop()
            assert agent.wait_stopped(10)
            viewer_socket.close()
            agent_socket.close()


def test_throttled_link_keeps_the_window_of_updates_in_flight_then_converges_to_the_exact_frame(
    throttled: tuple[MovingScreen, Viewer, CountingEncoder],
) -> None:
    screen, viewer, encoder = throttled
    assert screen.wait_resting(60), "the stream stalled while the screen was moving"
    assert viewer.converged.wait(60), "the viewer never showed the final frame exactly"

    assert encoder.sent >= MOVING_GRABS // 2, encoder.inner.stats
    # The window is used (the next update is encoded while one travels) and never exceeded.
    assert encoder.most_in_flight == FRAME_WINDOW - 1, "more updates in flight than the viewer's window"
    # Key-to-screen stays bounded in updates: the character typed next to the moving picture is in the very
    # update made from the grab that saw it, at most the window's updates later, not queued behind the motion.
    assert screen.mark_grabbed_after is not None and viewer.mark_seen_at is not None
    assert viewer.mark_seen_at - screen.mark_grabbed_after <= FRAME_WINDOW + 1
    # The link estimate saw the throttle. Only an upper bound (a busy machine can only look slower), with a
    # margin for the proxy's bursts of 1/20 s of bytes. Unthrottled loopback measures hundreds of times faster.
    bandwidth = encoder.inner.link.bandwidth
    assert bandwidth is not None and bandwidth < 2 * THROTTLE, (bandwidth, encoder.inner.link.rtt)
    # ... and the full motion went out as video within it, then the refresh made the picture exact.
    assert encoder.inner.stats.video_frames > 0, encoder.inner.stats
    assert encoder.inner.plan.video_bitrate < 2 * THROTTLE * 8, encoder.inner.plan
    assert encoder.inner.stats.refreshed_tiles > 0, encoder.inner.stats
