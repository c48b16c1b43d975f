"""An idle screen costs nothing: no bytes, no grabs (X DAMAGE), and stopping a waiting capture never crashes.

The Xvfb tests run the real agent (MssScreenSource, FrameEncoder) against the real technician client over a
socket pair. "Nothing happens during a window" is checked by waiting for the unwanted event (a grab, an
update) with a timeout and expecting the wait to fail; the change after it is awaited as an event.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.capture import DamageWatch, MssScreenSource
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.encode import FrameEncoder
from tests.helpers.xvfb import VirtualDisplay
from tests.remote.agentkit import FakeScreen, ScriptedConsent
from tests.remote.test_agent_client import RawDecoder
from tests.remote.test_capture import XWindowPainter, known_image

VIEW = p.Capability.VIEW
IDLE_WINDOW_SECONDS = 1.0


class Viewer:
    """The real technician client; records what arrives and always asks for the next update."""

    def __init__(self, agent: AssistAgent, sock: socket.socket, decoder: Any = None) -> None:
        self.updates = 0
        self.latest: NDArray[np.uint8] | None = None
        self.exact = False
        self._changed = threading.Condition()
        self.client = TechnicianClient(
            sock,
            code=agent.code(),
            capabilities=frozenset({VIEW}),
            callbacks=TechnicianCallbacks(on_frame=self._on_frame),
            decoder=decoder,
        )

    def _on_frame(self, framebuffer: NDArray[np.uint8], drawn: list[tuple[int, int, int, int]]) -> None:
        with self._changed:
            self.updates += 1
            self.latest = framebuffer.copy()
            self.exact = not self.client.last_update_pending
            self._changed.notify_all()
        self.client.frame_drawn()

    def wait(self, predicate: Callable[[Viewer], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)


class CountingScreen:
    """The real screen source, counting grabs (tests wait on the count instead of sleeping)."""

    def __init__(self, inner: MssScreenSource) -> None:
        self.inner = inner
        self.grabs = 0
        self.changed = threading.Condition()

    def monitors(self) -> Any:
        return self.inner.monitors()

    def grab(self, monitor: Any) -> NDArray[np.uint8]:
        frame = self.inner.grab(monitor)
        with self.changed:
            self.grabs += 1
            self.changed.notify_all()
        return frame

    def grab_area(self, monitor: Any, x: int, y: int, width: int, height: int) -> NDArray[np.uint8]:
        area = self.inner.grab_area(monitor, x, y, width, height)
        with self.changed:
            self.grabs += 1
            self.changed.notify_all()
        return area

    def cursor(self) -> Any:
        return self.inner.cursor()

    def open_change_watch(self) -> DamageWatch | None:
        # The watch grabs through this wrapper, so its grabs are counted too.
        return DamageWatch.open(self.inner.display, self)


@pytest.fixture
def on_xvfb(xvfb: VirtualDisplay, monkeypatch: pytest.MonkeyPatch) -> VirtualDisplay:
    monkeypatch.setenv("DISPLAY", xvfb.name)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    return xvfb


def _settle(watch: DamageWatch) -> None:
    """Drain what earlier tests drew: an idle screen then reports nothing."""
    for _ in range(50):
        if not watch.wait(0.1):
            return
        watch.take_damage()
    raise AssertionError("the display never went quiet")


@pytest.mark.xvfb
def test_an_idle_screen_costs_no_bytes_and_no_grabs_and_a_change_arrives_after_it(on_xvfb: VirtualDisplay) -> None:
    source = MssScreenSource()
    watch = source.open_change_watch()
    assert watch is not None, "Xvfb is started with DAMAGE"
    try:
        _settle(watch)
    finally:
        watch.close()
    screen = CountingScreen(source)
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})), encoder_factory=FrameEncoder)
    left, right = socket.socketpair()
    viewer = Viewer(agent, right, decoder=None)
    agent.serve_stream(left)
    viewer.client.start()
    painter: XWindowPainter | None = None
    try:
        assert viewer.wait(lambda v: v.exact and v.latest is not None, 20), "no exact first picture"
        with screen.changed:
            grabs = -1
            for _attempt in range(40):  # what was drawn before the stream started may still be looked at
                if grabs == screen.grabs:
                    break
                grabs = screen.grabs
                screen.changed.wait(0.25)
            updates, payload = viewer.updates, viewer.client.frame_bytes
            # The console's next request is held; nothing is drawn, so nothing is grabbed (the agent's rare
            # safety look aside) and nothing is sent.
            assert not screen.changed.wait_for(lambda: screen.grabs > grabs + 1, IDLE_WINDOW_SECONDS)
        assert (viewer.updates, viewer.client.frame_bytes) == (updates, payload)

        image = known_image(40, 60)
        painter = XWindowPainter(on_xvfb.name, 300, 200, image)
        assert viewer.wait(
            lambda v: v.latest is not None and np.array_equal(v.latest[200:240, 300:360, :3], image[:, :, :3]), 20
        ), "the change after the idle window never arrived"
    finally:
        viewer.client.stop()
        agent.stop()
        assert agent.wait_stopped(5)
        source.close()
        if painter is not None:
            painter.close()
        left.close()
        right.close()


@pytest.mark.xvfb
def test_stopping_the_agent_while_its_capture_waits_for_a_change_never_crashes(on_xvfb: VirtualDisplay) -> None:
    for _round in range(8):
        source = MssScreenSource()
        screen = CountingScreen(source)
        agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})), encoder_factory=FrameEncoder)
        left, right = socket.socketpair()
        viewer = Viewer(agent, right)
        agent.serve_stream(left)
        viewer.client.start()
        try:
            assert viewer.wait(lambda v: v.updates >= 1, 20)
        finally:
            # The capture thread now holds the next request, blocked in its change watch: the stop wakes it,
            # and the source is closed only after the agent's threads are joined.
            agent.stop()
            assert agent.wait_stopped(5)
            viewer.client.stop()
            source.close()
            left.close()
            right.close()


class WatchOwner(threading.Thread):
    """Opens a change watch, waits on it until told to stop, then closes it: all on its own thread."""

    def __init__(self, source: MssScreenSource) -> None:
        super().__init__(name="watch-owner")
        self.source = source
        self.opened = threading.Event()
        self.stopping = threading.Event()
        self.watch: DamageWatch | None = None

    def run(self) -> None:
        watch = self.source.open_change_watch()
        self.watch = watch
        self.opened.set()
        if watch is None:
            return
        try:
            while not self.stopping.is_set():
                if watch.wait(30.0):  # drawing by earlier tests may end a wait; the wake ends the last one
                    watch.take_damage()
        finally:
            watch.close()


@pytest.mark.xvfb
def test_a_change_watch_is_woken_from_another_thread_and_closed_by_its_owner(on_xvfb: VirtualDisplay) -> None:
    source = MssScreenSource()
    try:
        for _round in range(30):
            owner = WatchOwner(source)
            owner.start()
            assert owner.opened.wait(10)
            assert owner.watch is not None
            owner.stopping.set()
            owner.watch.wake()
            owner.join(10)
            assert not owner.is_alive(), "wake() did not end the wait"
            owner.watch.wake()  # after close: harmless
    finally:
        source.close()


# --- held requests (fake screen and encoder: exact counts) -------------------------------------------


@dataclass
class Scripted:
    """An update the scripted encoder returns."""

    width: int
    height: int
    rects: list[p.Rect] = field(default_factory=list)
    pending: bool = False


class ScriptedEncoder:
    """Returns a scripted sequence of updates, then empty exact ones; counts encodes."""

    def __init__(self, script: list[Scripted]) -> None:
        self.script = script
        self.encodes = 0
        self.changed = threading.Condition()

    def reset(self) -> None:
        pass

    def encode(self, frame: NDArray[np.uint8], *, max_bytes: int | None = None) -> Scripted:
        with self.changed:
            self.encodes += 1
            self.changed.notify_all()
            height, width = frame.shape[:2]
            if self.script:
                return self.script.pop(0)
            return Scripted(width, height)


def _raw(width: int, height: int) -> list[p.Rect]:
    return [p.Rect(0, 0, width, height, 0, bytes(width * height * 4))]


def test_an_owed_refresh_is_looked_at_locally_never_as_empty_updates_on_the_wire() -> None:
    screen = FakeScreen(32, 16)
    owed = [Scripted(32, 16, pending=True) for _ in range(5)]
    encoder = ScriptedEncoder(
        [Scripted(32, 16, _raw(32, 16), pending=True), *owed, Scripted(32, 16, _raw(32, 16), pending=False)]
    )
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})), encoder_factory=lambda: encoder)
    left, right = socket.socketpair()
    viewer = Viewer(agent, right, decoder=RawDecoder())
    agent.serve_stream(left)
    viewer.client.start()
    try:
        assert viewer.wait(lambda v: v.updates >= 2 and v.exact, 10)
        # Five encodes found nothing to send while a refresh was owed: none of them reached the wire.
        assert viewer.updates == 2
        with encoder.changed:
            assert encoder.changed.wait_for(lambda: encoder.encodes >= 8, 10)  # the held request is still polled
        assert viewer.updates == 2
    finally:
        viewer.client.stop()
        agent.stop()
        assert agent.wait_stopped(5)
        left.close()
        right.close()


def test_a_picture_that_became_exact_without_new_pixels_is_said_once() -> None:
    screen = FakeScreen(32, 16)
    encoder = ScriptedEncoder([Scripted(32, 16, _raw(32, 16), pending=True), Scripted(32, 16, pending=False)])
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})), encoder_factory=lambda: encoder)
    left, right = socket.socketpair()
    viewer = Viewer(agent, right, decoder=RawDecoder())
    agent.serve_stream(left)
    viewer.client.start()
    try:
        assert viewer.wait(lambda v: v.exact and v.updates == 2, 10), "the viewer never learnt its picture is exact"
        with encoder.changed:
            assert encoder.changed.wait_for(lambda: encoder.encodes >= 5, 10)
        assert viewer.updates == 2  # the later empty, exact encodes stay local
    finally:
        viewer.client.stop()
        agent.stop()
        assert agent.wait_stopped(5)
        left.close()
        right.close()


@pytest.mark.xvfb
def test_small_drawings_travel_in_the_running_stream_through_the_real_agent_and_client(
    on_xvfb: VirtualDisplay,
) -> None:
    from app.remote.encode import CODEC_PACKED_STREAM

    source = MssScreenSource()
    encoder = FrameEncoder()
    agent = AssistAgent(screen=source, consent=ScriptedConsent(frozenset({VIEW})), encoder_factory=lambda: encoder)
    left, right = socket.socketpair()
    viewer = Viewer(agent, right)
    agent.serve_stream(left)
    viewer.client.start()
    painters: list[XWindowPainter] = []
    try:
        assert viewer.wait(lambda v: v.exact and v.latest is not None, 20)
        glyph = np.zeros((13, 6, 4), np.uint8)
        glyph[..., 3] = 255
        glyph[2:11, 1:5, :3] = (230, 230, 230)  # two colours, a glyph's size
        for index in range(6):
            x = 500 + 8 * index
            painters.append(XWindowPainter(on_xvfb.name, x, 400, glyph))
            assert viewer.wait(
                lambda v, x=x: (
                    v.latest is not None and np.array_equal(v.latest[400:413, x : x + 6, :3], glyph[..., :3])
                ),
                20,
            ), f"glyph {index} never arrived"
        assert encoder.stats.rects_by_codec.get(CODEC_PACKED_STREAM, 0) >= 3, encoder.stats.rects_by_codec
    finally:
        viewer.client.stop()
        agent.stop()
        assert agent.wait_stopped(5)
        source.close()
        for painter in painters:
            painter.close()
        left.close()
        right.close()
