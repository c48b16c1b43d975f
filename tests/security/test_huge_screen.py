"""T45: huge and odd screens on real Xvfb servers, streamed by a real agent in a process of its own.

A 16384×16384 screen is 1 GiB of BGRA; the console's decoder takes at most 8192 px per side and 8K UHD in
total. The agent must send a downscaled picture within those limits, grab it in strips so that its memory
stays within a stated budget, show the screen's corners as they are (averaged), and map a click on the
picture back to the right place on the real screen. The agent runs in its own process so that its peak
memory (``VmHWM``) is its own, not the test's, which holds the console's framebuffer.

Run as a module (``python -m tests.security.test_huge_screen DISPLAY``) this file is that agent process: it
prints ``PORT CODE`` and serves until its stdin closes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.remote import protocol as p
from app.remote.capture import MAX_PICTURE_PIXELS, MAX_PICTURE_SIDE
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.encode import DEFAULT_MAX_HEIGHT, DEFAULT_MAX_PIXELS, DEFAULT_MAX_WIDTH
from tests.helpers.xvfb import VirtualDisplay, start_xvfb

pytestmark = pytest.mark.xvfb

REPO = Path(__file__).resolve().parents[2]
HUGE_SIDE = 16384
#: The agent's peak resident memory while it streams a 16384×16384 screen. One full-size BGRA frame is
#: 1 GiB; the picture it sends is 5462×5462 (114 MiB), of which the agent holds the last capture and the
#: encoder its copy, plus one 16 MiB strip at a time and the interpreter (about 100 MiB with numpy, pynput).
HUGE_RSS_BUDGET_BYTES = 640 * 1024 * 1024


# --- The agent process ------------------------------------------------------------------------------------


def serve_agent(display: str) -> None:
    """Real capture (mss), the real encoder and real input (XTEST) on ``display``; view and control granted."""
    from app.remote.agent import AssistAgent
    from app.remote.capture import MssScreenSource
    from app.remote.encode import FrameEncoder
    from app.remote.inject import PynputInputSink, ScreenMapping
    from tests.remote.agentkit import ScriptedConsent

    screen = MssScreenSource(display)
    sink = PynputInputSink()
    agent = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({p.Capability.VIEW, p.Capability.CONTROL})),
        input_sink=sink,
        encoder_factory=FrameEncoder,
        on_mapping=lambda left, top, width, height: sink.set_mapping(ScreenMapping(left, top, width, height)),
    )
    port = agent.listen(0)
    print(port, agent.code(), flush=True)
    sys.stdin.read()
    agent.stop()
    agent.wait_stopped(10)
    sink.close()
    screen.close()


class AgentProcess:
    """The agent of :func:`serve_agent` in a child process; ``peak_rss()`` reads its ``VmHWM``."""

    def __init__(self, display: VirtualDisplay) -> None:
        env = {**display.env(), "XDG_SESSION_TYPE": "x11", "PYTHONPATH": str(REPO)}
        env.pop("WAYLAND_DISPLAY", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.security.test_huge_screen", display.name],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        assert len(line) == 2, "the agent process did not start"
        self.port, self.code = int(line[0]), line[1]

    def peak_rss(self) -> int:
        """The most resident memory the agent process had at any moment so far, in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM for the agent process")

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.process.stdout:
            self.process.stdout.close()


# --- The console side -----------------------------------------------------------------------------------


class Console:
    """A real technician client over loopback (the console's own decoder and limits), recording every frame."""

    def __init__(self, agent: AgentProcess) -> None:
        import socket

        self.sizes: list[tuple[int, int]] = []
        self.cursor: list[tuple[int, int]] = []
        self.screen_infos: list[p.ScreenInfo] = []
        self.latest: np.ndarray | None = None
        self.exact = False
        self.ended = ""
        self._changed = threading.Condition()
        self.client = TechnicianClient(
            socket.create_connection(("127.0.0.1", agent.port), timeout=10),
            code=agent.code,
            capabilities=frozenset({p.Capability.VIEW, p.Capability.CONTROL}),
            callbacks=TechnicianCallbacks(on_frame=self._on_frame, on_message=self._on_message, on_ended=self._on_end),
        )
        self.client.start()

    def _on_frame(self, framebuffer: np.ndarray, drawn: list[tuple[int, int, int, int]]) -> None:
        with self._changed:
            self.sizes.append((int(framebuffer.shape[1]), int(framebuffer.shape[0])))
            self.latest, self.exact = framebuffer, not self.client.last_update_pending
            self._changed.notify_all()
        self.client.frame_drawn()

    def _on_message(self, message: p.Message) -> None:
        with self._changed:
            if isinstance(message, p.CursorUpdate):
                self.cursor.append((message.x, message.y))
            elif isinstance(message, p.ScreenInfo):
                self.screen_infos.append(message)
            self._changed.notify_all()

    def _on_end(self, reason: str) -> None:
        with self._changed:
            self.ended = reason or "ended"
            self._changed.notify_all()

    def wait(self, predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
        with self._changed:
            return self._changed.wait_for(lambda: bool(self.ended) or predicate(self), timeout) and not self.ended

    def stop(self) -> None:
        self.client.stop()
        self.client.wait_closed(5)


# --- Expected pictures, computed independently of the agent's scaler ---------------------------------------


def box_mean(pixels: np.ndarray, factor: int) -> np.ndarray:
    """The rounded mean of each ``factor``×``factor`` block (blocks cut short by the edge: what they have)."""
    height, width = pixels.shape[:2]
    rows, columns = np.arange(0, height, factor), np.arange(0, width, factor)
    sums = np.add.reduceat(np.add.reduceat(pixels.astype(np.int64), rows, axis=0), columns, axis=1)
    counts = np.outer(np.diff([*rows, height]), np.diff([*columns, width]))[:, :, None]
    return ((sums + counts // 2) // counts).astype(np.uint8)


def pattern(height: int, width: int, seed: int) -> np.ndarray:
    """Flat blocks of random colours with a one-pixel grid: fine detail that averaging must preserve."""
    rng = np.random.default_rng(seed)
    colours = rng.integers(0, 256, (height // 8 + 1, width // 8 + 1, 4), dtype=np.uint8)
    image = np.repeat(np.repeat(colours, 8, axis=0), 8, axis=1)[:height, :width].copy()
    image[::5, :, :3] = (255, 255, 255)
    image[:, ::7, :3] = (0, 0, 0)
    return image


def corner_expected(
    screen_size: tuple[int, int], images: list[tuple[int, int, np.ndarray]], region: tuple[int, int, int, int]
) -> np.ndarray:
    """What ``region`` (x, y, w, h; on block boundaries) of a black screen showing ``images`` looks like."""
    x, y, w, h = region
    canvas = np.zeros((h, w, 4), dtype=np.uint8)
    for left, top, image in images:
        ih, iw = image.shape[:2]
        x0, y0 = max(left, x), max(top, y)
        x1, y1 = min(left + iw, x + w, screen_size[0]), min(top + ih, y + h, screen_size[1])
        if x1 > x0 and y1 > y0:
            canvas[y0 - y : y1 - y, x0 - x : x1 - x] = image[y0 - top : y1 - top, x0 - left : x1 - left]
    return canvas


# --- Fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge_display() -> Iterator[VirtualDisplay]:
    """A 16384×16384×24 Xvfb (1 GiB of framebuffer in the server) with a black root, stopped afterwards."""
    display = start_xvfb(HUGE_SIDE, HUGE_SIDE, extra=["-br"])
    yield display
    display.stop()


def test_the_agents_picture_limits_are_within_the_consoles_decoder() -> None:
    assert min(DEFAULT_MAX_WIDTH, DEFAULT_MAX_HEIGHT) >= MAX_PICTURE_SIDE
    assert MAX_PICTURE_PIXELS <= DEFAULT_MAX_PIXELS
    assert MAX_PICTURE_SIDE <= p.MAX_SCREEN_SIDE


def test_a_16384_square_screen_streams_downscaled_within_limits_and_memory_and_clicks_land(
    huge_display: VirtualDisplay,
) -> None:
    from tests.remote.test_capture import XWindowPainter
    from tests.remote.test_inject import Probe

    side = HUGE_SIDE
    factor = 3  # the smallest whole factor that fits 8K UHD: 5462 × 5462
    top_left = pattern(180, 240, seed=1)
    bottom_right = pattern(181, 241, seed=2)  # odd sizes, ending exactly at the screen's corner
    images = [(0, 0, top_left), (side - 241, side - 181, bottom_right)]
    painters = [XWindowPainter(huge_display.name, x, y, image) for x, y, image in images]
    probe = Probe(huge_display, 9000, 12000, 300, 200)
    agent = AgentProcess(huge_display)
    console: Console | None = None
    try:
        console = Console(agent)
        picture = -(-side // factor)
        region_top_left = (0, 0, 300, 240)
        start = (side - 300) // factor * factor  # on a block boundary, reaching the cut-short last block
        region_bottom_right = (start, start, side - start, side - start)
        expected = [
            box_mean(corner_expected((side, side), images, region), factor)
            for region in (region_top_left, region_bottom_right)
        ]

        def corners_match(seen: Console) -> bool:
            if seen.latest is None or not seen.exact or seen.latest.shape[:2] != (picture, picture):
                return False
            tl = seen.latest[: expected[0].shape[0], : expected[0].shape[1], :3]
            br = seen.latest[start // factor :, start // factor :, :3]
            return np.array_equal(tl, expected[0][..., :3]) and np.array_equal(br, expected[1][..., :3])

        assert console.wait(corners_match, timeout=90), (
            f"the corners never arrived as expected (sizes {console.sizes[-3:]}, ended {console.ended!r})"
        )

        # A click on the picture lands on the block's centre of the real screen, inside the X client.
        picture_x, picture_y = (9000 + 100) // factor, (12000 + 77) // factor
        console.client.send_pointer(picture_x, picture_y, 1)
        console.client.send_pointer(picture_x, picture_y, 0)
        press = probe.next("press", timeout=20)
        assert (press["gx"], press["gy"]) == (picture_x * factor + 1, picture_y * factor + 1)
        # The cursor comes back in the picture's coordinates. The agent reports it when it looks at the screen,
        # and an idle screen is not looked at: something is drawn so that it looks.
        painters.append(XWindowPainter(huge_display.name, 4000, 4000, pattern(8, 8, seed=6)))
        assert console.wait(lambda seen: (picture_x, picture_y) in seen.cursor, timeout=20), console.cursor[-3:]

        peak = agent.peak_rss()
        print(f"agent peak RSS {peak / 2**20:.0f} MiB for a {side}x{side} screen")
        assert peak < HUGE_RSS_BUDGET_BYTES
        assert console.sizes, "no frame arrived"
        for width, height in console.sizes:
            assert 0 < width <= MAX_PICTURE_SIDE and 0 < height <= MAX_PICTURE_SIDE
            assert width * height <= MAX_PICTURE_PIXELS
        assert set(console.sizes) == {(picture, picture)}
    finally:
        if console is not None:
            console.stop()
        agent.stop()
        probe.close()
        for painter in painters:
            painter.close()


class ScaledDesktop:
    """A fake desktop whose second monitor is downscaled by 4 (as ``MssScreenSource`` would scale it), with a cursor."""

    def __init__(self) -> None:
        from app.remote.capture import Monitor

        rng = np.random.default_rng(9)
        self.desktop = rng.integers(0, 256, (90, 300, 4), dtype=np.uint8)
        self.layout = [Monitor(1, 0, 0, 100, 90), Monitor(2, 100, 0, 199, 90, scale=4)]
        self.pointer = (100 + 4 * 20 + 3, 4 * 10 + 1)  # on the scaled monitor, inside picture pixel (20, 10)

    def monitors(self) -> list[object]:
        from app.remote.capture import Monitor

        return [Monitor(0, 0, 0, 300, 90, scale=1), *self.layout]

    def grab(self, monitor: object) -> np.ndarray:
        from app.remote.capture import Monitor, downsample

        assert isinstance(monitor, Monitor)
        area = self.desktop[monitor.top : monitor.top + monitor.height, monitor.left : monitor.left + monitor.width]
        return downsample(np.ascontiguousarray(area), monitor.scale)

    def cursor(self) -> object:
        from app.remote.capture import CursorState

        return CursorState(*self.pointer, None)


def test_input_and_cursor_map_between_the_downscaled_picture_and_the_monitor() -> None:
    import socket

    from app.remote.agent import AssistAgent
    from app.remote.channel import Channel
    from tests.remote.agentkit import RecordingSink, ScriptedConsent, SyncTechnician

    screen, sink = ScaledDesktop(), RecordingSink()
    view_and_control = [p.Capability.VIEW, p.Capability.CONTROL]
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset(view_and_control)), input_sink=sink)
    left, right = socket.socketpair()
    try:
        agent.serve_stream(left)
        technician = SyncTechnician(Channel(right))
        assert technician.pair_and_ask(agent.code(), view_and_control).granted == view_and_control
        technician.send(p.SelectMonitor(2))
        technician.send(p.FrameRequest(False))
        update = technician.receive_until(p.FrameUpdate)
        while (update.width, update.height) != (50, 23):  # 199×90 by 4, rounded up: the cut-short edge counts
            technician.send(p.FrameRequest(False))
            update = technician.receive_until(p.FrameUpdate)
        cursor = technician.receive_until(p.CursorUpdate)
        while (cursor.x, cursor.y) != (20, 10):
            cursor = technician.receive_until(p.CursorUpdate, timeout=5)
        # Picture pixel (20, 10) is the monitor's block at (80..83, 40..43): the pointer goes to its centre. The
        # sink gets monitor pixels (its mapping adds the monitor's offset and clamps row 90, past the last, to 89).
        technician.send(p.Pointer(20, 10, 1))
        technician.send(p.Pointer(49, 22, 0))
        assert sink.wait_for(lambda events: ("pointer", 82, 42, 1) in events and ("pointer", 198, 90, 0) in events)
    finally:
        agent.stop()
        assert agent.wait_stopped(5)
        left.close()
        right.close()


def set_randr_monitor(display_name: str, name: str, x: int, y: int, width: int, height: int) -> None:
    """Define a RandR 1.5 monitor, as ``xrandr --setmonitor NAME WxH+X+Y none`` does (x and y may be negative).

    python-xlib's own ``xrandr_set_monitor`` cannot pack its request, so the request is spelled out here.
    """
    from Xlib import display
    from Xlib.protocol import rq

    class SetMonitor(rq.Request):  # RRSetMonitor, minor opcode 43, with the MonitorInfo fields inline
        _request = rq.Struct(
            rq.Card8("opcode"),
            rq.Opcode(43),
            rq.RequestLength(),
            rq.Window("window"),
            rq.Card32("name"),
            rq.Bool("primary"),
            rq.Bool("automatic"),
            rq.LengthOf("outputs", 2),
            rq.Int16("x"),
            rq.Int16("y"),
            rq.Card16("width_in_pixels"),
            rq.Card16("height_in_pixels"),
            rq.Card32("width_in_millimeters"),
            rq.Card32("height_in_millimeters"),
            rq.List("outputs", rq.Card32Obj),
        )

    connection = display.Display(display_name)
    try:
        SetMonitor(
            display=connection.display,
            opcode=connection.display.get_extension_major("RANDR"),
            window=connection.screen().root,
            name=connection.intern_atom(name),
            primary=False,
            automatic=False,
            outputs=[],
            x=x,
            y=y,
            width_in_pixels=width,
            height_in_pixels=height,
            width_in_millimeters=0,
            height_in_millimeters=0,
        )
        connection.sync()
    finally:
        connection.close()


@pytest.fixture
def two_monitors() -> Iterator[VirtualDisplay]:
    """A 12289×4097 screen as two monitors: one reaching 100 px past the left edge, one of 8193×4097."""
    display = start_xvfb(12289, 4097, extra=["-br"])
    try:
        set_randr_monitor(display.name, "PODPORA-LEFT", -100, 0, 4196, 4097)
        set_randr_monitor(display.name, "PODPORA-RIGHT", 4096, 0, 8193, 4097)
        yield display
    finally:
        display.stop()


def test_a_monitor_past_the_screens_edge_and_a_wide_odd_one_stream_with_their_geometry(
    two_monitors: VirtualDisplay,
) -> None:
    from tests.remote.test_capture import XWindowPainter
    from tests.remote.test_inject import Probe

    screen = (12289, 4097)
    right_left, right_size = 4096, (8193, 4097)  # over 8192 px wide: streamed at half size, 4097 × 2049
    images = [
        (0, 0, pattern(30, 40, seed=3)),  # the screen's top-left corner, 100 px into the left monitor
        (right_left + 3, 5, pattern(47, 61, seed=4)),  # the right monitor's top-left, off the block grid
        (screen[0] - 71, screen[1] - 53, pattern(53, 71, seed=5)),  # its bottom-right corner
    ]
    painters = [XWindowPainter(two_monitors.name, x, y, image) for x, y, image in images]
    probes = [Probe(two_monitors, 1000, 1500, 300, 200), Probe(two_monitors, 8000, 2000, 300, 200)]
    agent = AgentProcess(two_monitors)
    console: Console | None = None
    try:
        console = Console(agent)
        # The left monitor first (the first real monitor): full size, its 100 px beyond the screen black.
        left = images[0][2]
        assert console.wait(
            lambda seen: (
                seen.exact
                and seen.latest is not None
                and seen.latest.shape[:2] == (4097, 4196)
                and np.array_equal(seen.latest[0:30, 100:140, :3], left[..., :3])
                and not seen.latest[:, :100, :3].any()
            ),
            timeout=60,
        ), f"the left monitor never arrived as expected (sizes {console.sizes[-3:]}, ended {console.ended!r})"
        console.client.send_pointer(1100 + 50, 1500 + 60, 1)
        console.client.send_pointer(1100 + 50, 1500 + 60, 0)
        press = probes[0].next("press", timeout=20)
        assert (press["gx"], press["gy"]) == (1050, 1560)

        # The wide monitor: downscaled by 2, at its offset; both corners averaged from what the screen shows.
        console.client.select_monitor(2)
        local = [(x - right_left, y, image) for x, y, image in images]
        start_x, start_y = (right_size[0] - 120) // 2 * 2, (right_size[1] - 100) // 2 * 2
        top_left = box_mean(corner_expected(right_size, local, (0, 0, 100, 80)), 2)
        bottom_right = box_mean(
            corner_expected(right_size, local, (start_x, start_y, right_size[0] - start_x, right_size[1] - start_y)), 2
        )

        def wide_corners(seen: Console) -> bool:
            if seen.latest is None or not seen.exact or seen.latest.shape[:2] != (2049, 4097):
                return False
            tl = seen.latest[:40, :50, :3]
            br = seen.latest[start_y // 2 :, start_x // 2 :, :3]
            return np.array_equal(tl, top_left[..., :3]) and np.array_equal(br, bottom_right[..., :3])

        assert console.wait(wide_corners, timeout=60), f"the wide monitor never arrived (sizes {console.sizes[-3:]})"
        picture_x, picture_y = (8000 - right_left + 120) // 2, (2000 + 90) // 2
        console.client.send_pointer(picture_x, picture_y, 1)
        console.client.send_pointer(picture_x, picture_y, 0)
        press = probes[1].next("press", timeout=20)
        assert (press["gx"], press["gy"]) == (right_left + picture_x * 2 + 1, picture_y * 2 + 1)

        # The console was told the real geometry, negative offset included.
        listed = {(m.index, m.x, m.y, m.width, m.height) for m in console.screen_infos[-1].monitors}
        assert {(1, -100, 0, 4196, 4097), (2, 4096, 0, 8193, 4097)} <= listed
        for width, height in console.sizes:
            assert 0 < width <= MAX_PICTURE_SIDE and 0 < height <= MAX_PICTURE_SIDE
            assert width * height <= MAX_PICTURE_PIXELS
    finally:
        if console is not None:
            console.stop()
        agent.stop()
        for probe in probes:
            probe.close()
        for painter in painters:
            painter.close()


def test_the_second_x_screen_of_a_multi_screen_server_is_captured_downscaled() -> None:
    """``Xvfb -screen 0 … -screen 1 …``: each X screen is its own display (``:N.1``), with its own size."""
    from app.remote.capture import MssScreenSource
    from tests.remote.test_capture import XWindowPainter

    display = start_xvfb(640, 480, extra=["-screen", "1", "9001x600x24", "-br"])
    try:
        image = pattern(41, 33, seed=7)
        painter = XWindowPainter(f"{display.name}.1", 9001 - 33, 600 - 41, image)  # the far corner
        source = MssScreenSource(f"{display.name}.1")
        try:
            monitor = source.monitors()[1]
            picture = source.grab(monitor)
        finally:
            source.close()
            painter.close()
    finally:
        display.stop()
    assert (monitor.width, monitor.height, monitor.scale) == (9001, 600, 2)
    assert picture.shape == (300, 4501, 4)
    start_x, start_y = 9001 - 61, 600 - 60  # block boundaries before the picture's last 31 × 30 pixels
    expected = box_mean(corner_expected((9001, 600), [(9001 - 33, 600 - 41, image)], (start_x, start_y, 61, 60)), 2)
    assert np.array_equal(picture[start_y // 2 :, start_x // 2 :, :3], expected[..., :3])


if __name__ == "__main__":
    serve_agent(sys.argv[1] if len(sys.argv) > 1 else os.environ["DISPLAY"])
