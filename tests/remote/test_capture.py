"""Screen capture on a real X server (Xvfb): pixel-exact frames, monitors, cursor, unsupported sessions."""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.remote.capture import (
    MAX_PICTURE_PIXELS,
    MAX_PICTURE_SIDE,
    REASON_DISPLAY_UNREACHABLE,
    REASON_MONITOR_GONE,
    REASON_NO_DISPLAY,
    REASON_WAYLAND,
    DamageWatch,
    Monitor,
    MssScreenSource,
    ScreenUnavailable,
    check_screen_available,
    downsample,
    downscale_factor,
    picture_area,
)
from app.remote.encode import FrameDecoder, FrameEncoder
from tests.helpers.xvfb import VirtualDisplay
from tests.remote.test_encode import still_clock

pytestmark = pytest.mark.xvfb


class XWindowPainter:
    """A plain X window (python-xlib, pynput's own dependency) that shows an exact BGRA image."""

    def __init__(self, display_name: str, x: int, y: int, image: np.ndarray) -> None:
        from Xlib import X, display

        self.display = display.Display(display_name)
        screen = self.display.screen()
        height, width = image.shape[:2]
        self.window = screen.root.create_window(
            x,
            y,
            width,
            height,
            0,
            screen.root_depth,
            X.InputOutput,
            X.CopyFromParent,
            override_redirect=True,  # placed exactly where asked, no window manager involved
            event_mask=X.ExposureMask | X.StructureNotifyMask,
        )
        self.gc = self.window.create_gc()
        self.window.map()
        self._wait_for_expose()
        self.window.put_image(self.gc, 0, 0, width, height, X.ZPixmap, screen.root_depth, 0, image.tobytes())
        self.display.sync()

    def _wait_for_expose(self, timeout: float = 10.0) -> None:
        from Xlib import X

        deadline = time.monotonic() + timeout
        self.display.flush()
        while time.monotonic() < deadline:
            while self.display.pending_events():
                if self.display.next_event().type == X.Expose:
                    return
            select.select([self.display.fileno()], [], [], max(0.0, deadline - time.monotonic()))
        raise AssertionError("the test window was never exposed")

    def fill(self, x: int, y: int, width: int, height: int, pixel: int) -> None:
        """Fill a rectangle of the window with one colour, in one request, and wait until the server did it."""
        self.gc.change(foreground=pixel)
        self.window.fill_rectangle(self.gc, x, y, width, height)
        self.display.sync()

    def close(self) -> None:
        self.window.destroy()
        self.display.close()


@pytest.fixture
def on_xvfb(xvfb: VirtualDisplay, monkeypatch: pytest.MonkeyPatch) -> VirtualDisplay:
    monkeypatch.setenv("DISPLAY", xvfb.name)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    return xvfb


@pytest.fixture
def source(on_xvfb: VirtualDisplay) -> Iterator[MssScreenSource]:
    screen = MssScreenSource()
    yield screen
    screen.close()


def known_image(height: int = 150, width: int = 200) -> np.ndarray:
    rng = np.random.default_rng(11)
    image = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    image[:20, :, :3] = (0, 0, 255)  # a red band, easy to see when debugging
    return image


def test_a_known_image_on_the_display_is_captured_pixel_exact(source: MssScreenSource, on_xvfb: VirtualDisplay) -> None:
    image = known_image()
    painter = XWindowPainter(on_xvfb.name, 123, 77, image)
    try:
        monitor = source.monitors()[1]
        frame = source.grab(monitor)
    finally:
        painter.close()
    assert frame.shape == (on_xvfb.height, on_xvfb.width, 4)
    assert frame.dtype == np.uint8
    captured = frame[77 : 77 + 150, 123 : 123 + 200, :3]
    assert np.array_equal(captured, image[..., :3])


def test_captured_frames_survive_the_codec_round_trip_exactly(source: MssScreenSource, on_xvfb: VirtualDisplay) -> None:
    image = known_image(96, 160)
    painter = XWindowPainter(on_xvfb.name, 400, 300, image)
    try:
        monitor = source.monitors()[0]
        encoder, decoder = FrameEncoder(clock=still_clock, refresh_after=1), FrameDecoder()
        for _ in range(5):
            update = encoder.encode(source.grab(monitor))
            decoder.apply(update.width, update.height, update.rects)
            if not update.pending:
                break
        frame = source.grab(monitor)
    finally:
        painter.close()
    assert not update.pending
    assert np.array_equal(decoder.framebuffer[..., :3], frame[..., :3])
    assert np.array_equal(decoder.framebuffer[300:396, 400:560, :3], image[..., :3])


def test_monitors_list_the_whole_screen_and_each_monitor(source: MssScreenSource, on_xvfb: VirtualDisplay) -> None:
    monitors = source.monitors()
    assert len(monitors) >= 2
    everything, first = monitors[0], monitors[1]
    assert (everything.index, everything.left, everything.top) == (0, 0, 0)
    assert (everything.width, everything.height) == (on_xvfb.width, on_xvfb.height)
    assert (first.index, first.width, first.height) == (1, on_xvfb.width, on_xvfb.height)
    assert source.uses_xshm  # Xvfb offers MIT-SHM to local clients


def test_cursor_position_and_shape_come_from_xfixes(source: MssScreenSource, on_xvfb: VirtualDisplay) -> None:
    from Xlib import display

    connection = display.Display(on_xvfb.name)
    try:
        connection.screen().root.warp_pointer(321, 234)
        connection.sync()
    finally:
        connection.close()
    cursor = source.cursor()
    assert cursor is not None
    assert (cursor.x, cursor.y) == (321, 234)
    assert cursor.shape is not None
    assert len(cursor.shape.pixels) == cursor.shape.width * cursor.shape.height * 4
    assert 0 <= cursor.shape.hot_x < cursor.shape.width


def test_a_wayland_session_is_refused_plainly_instead_of_streaming_black() -> None:
    with pytest.raises(ScreenUnavailable) as caught:
        check_screen_available({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"})
    assert caught.value.reason == REASON_WAYLAND
    assert "Wayland" in caught.value.user_message
    with pytest.raises(ScreenUnavailable) as caught:
        check_screen_available({"WAYLAND_DISPLAY": "wayland-0"})
    assert caught.value.reason == REASON_WAYLAND


def test_no_display_is_said_plainly() -> None:
    with pytest.raises(ScreenUnavailable) as caught:
        check_screen_available({})
    assert caught.value.reason == REASON_NO_DISPLAY
    assert "desktop" in caught.value.user_message


def test_an_x11_session_passes_the_check() -> None:
    assert check_screen_available({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":5"}) == ":5"


def test_an_unreachable_display_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":987")
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    with pytest.raises(ScreenUnavailable) as caught:
        MssScreenSource()
    assert caught.value.reason == REASON_DISPLAY_UNREACHABLE
    assert ":987" in caught.value.user_message


def test_damage_events_report_drawing_and_stay_quiet_on_an_idle_screen(
    source: MssScreenSource, on_xvfb: VirtualDisplay
) -> None:
    assert source.damage_events  # Xvfb is started with +extension DAMAGE
    quiet = False
    for _ in range(50):  # drain what earlier tests drew; an idle screen then reports nothing
        if not source.wait_for_change(0.1):
            quiet = True
            break
    assert quiet
    painter = XWindowPainter(on_xvfb.name, 10, 10, known_image(32, 32))
    try:
        assert source.wait_for_change(10.0)
    finally:
        painter.close()


def test_damage_says_where_drawing_happened_and_partial_grabs_keep_the_frame_exact(
    source: MssScreenSource, on_xvfb: VirtualDisplay
) -> None:
    watch = source.open_change_watch()
    assert watch is not None
    try:
        monitor = source.monitors()[0]
        frame, areas = watch.grab_changes(monitor, None)
        assert areas is None  # what was drawn before the watch existed is unknown
        for _ in range(50):  # let what earlier tests drew settle
            if not watch.wait(0.1):
                break
            frame, _ = watch.grab_changes(monitor, frame)
        image = known_image(32, 48)
        painter = XWindowPainter(on_xvfb.name, 30, 40, image)
        try:
            reported: list[tuple[int, int, int, int]] = []
            for _ in range(20):
                if np.array_equal(frame[40:72, 30:78, :3], image[:, :, :3]):
                    break
                assert watch.wait(10.0), "the drawing was never reported"
                frame, areas = watch.grab_changes(monitor, frame)
                assert areas is not None
                reported += areas
            assert np.array_equal(frame[40:72, 30:78, :3], image[:, :, :3])
            # The reported areas cover the window and little else; the frame equals a whole grab.
            covered = np.zeros(frame.shape[:2], dtype=bool)
            for x, y, w, h in reported:
                covered[y : y + h, x : x + w] = True
            assert covered[40:72, 30:78].all()
            assert covered.sum() <= 4 * 32 * 48
            assert np.array_equal(frame[..., :3], source.grab(monitor)[..., :3])
        finally:
            painter.close()
    finally:
        watch.close()


class AreaGrabsFail:
    """A screen source whose area grabs fail, as when the layout changes under them."""

    def __init__(self, inner: MssScreenSource) -> None:
        self.inner = inner
        self.whole_grabs = 0

    def grab(self, monitor: Monitor) -> np.ndarray:
        self.whole_grabs += 1
        return self.inner.grab(monitor)

    def grab_area(self, monitor: Monitor, x: int, y: int, width: int, height: int) -> None:
        return None


def test_a_failed_area_grab_falls_back_to_the_whole_monitor(source: MssScreenSource, on_xvfb: VirtualDisplay) -> None:
    failing = AreaGrabsFail(source)
    watch = DamageWatch.open(on_xvfb.name, failing)
    assert watch is not None
    try:
        monitor = source.monitors()[0]
        frame, _ = watch.grab_changes(monitor, None)
        for _ in range(50):
            if not watch.wait(0.1):
                break
            frame, _ = watch.grab_changes(monitor, frame)
        image = known_image(16, 16)
        painter = XWindowPainter(on_xvfb.name, 50, 60, image)
        try:
            for _ in range(20):
                if np.array_equal(frame[60:76, 50:66, :3], image[:, :, :3]):
                    break
                assert watch.wait(10.0)
                before = failing.whole_grabs
                frame, areas = watch.grab_changes(monitor, frame)
                # The damaged area was small, its grab failed: the whole monitor was grabbed and compared.
                assert areas is None and failing.whole_grabs == before + 1
            assert np.array_equal(frame[60:76, 50:66, :3], image[:, :, :3])
        finally:
            painter.close()
    finally:
        watch.close()


# --- Huge monitors: downscaled pictures (T45) ------------------------------------------------------------


def box_mean(pixels: np.ndarray, factor: int) -> np.ndarray:
    """The rounded mean of each block, written independently of the agent's scaler (``np.add.reduceat``)."""
    height, width = pixels.shape[:2]
    rows, columns = np.arange(0, height, factor), np.arange(0, width, factor)
    sums = np.add.reduceat(np.add.reduceat(pixels.astype(np.int64), rows, axis=0), columns, axis=1)
    counts = np.outer(np.diff([*rows, height]), np.diff([*columns, width]))[:, :, None]
    return ((sums + counts // 2) // counts).astype(np.uint8)


@pytest.mark.parametrize(
    ("width", "height", "factor", "picture"),
    [
        (1920, 1080, 1, (1920, 1080)),
        (8192, 4096, 2, (4096, 2048)),  # 33.5 M pixels: over 8K UHD's 33.2 M
        (7680, 4320, 1, (7680, 4320)),
        (8193, 100, 2, (4097, 50)),  # one pixel too wide
        (8192, 4097, 2, (4096, 2049)),  # one row over the pixel budget
        (16384, 16384, 3, (5462, 5462)),
        (32767, 32767, 6, (5462, 5462)),  # X's largest screen
        (1, 32767, 4, (1, 8192)),
    ],
)
def test_the_downscale_factor_is_the_smallest_whole_factor_within_the_console_limits(
    width: int, height: int, factor: int, picture: tuple[int, int]
) -> None:
    assert downscale_factor(width, height) == factor
    monitor = Monitor(1, 0, 0, width, height, scale=factor)
    assert (monitor.picture_width, monitor.picture_height) == picture
    assert max(picture) <= MAX_PICTURE_SIDE and picture[0] * picture[1] <= MAX_PICTURE_PIXELS


@pytest.mark.parametrize(("width", "height"), [(0, 1080), (1920, 0), (-5, 10)])
def test_an_empty_monitor_has_no_downscale_factor(width: int, height: int) -> None:
    with pytest.raises(ValueError, match="no picture"):
        downscale_factor(width, height)


@given(
    height=st.integers(1, 40),
    width=st.integers(1, 40),
    factor=st.integers(1, 18),  # above 16 the sums no longer fit 16 bits and take the other path
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=150, deadline=None)
def test_downsampling_is_the_rounded_mean_of_each_block_also_at_cut_short_edges(
    height: int, width: int, factor: int, seed: int
) -> None:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 4), dtype=np.uint8)
    result = downsample(pixels, factor)
    assert result.shape == (-(-height // factor), -(-width // factor), 4)
    assert np.array_equal(result, box_mean(pixels, factor))


def test_picture_areas_cover_every_damaged_block() -> None:
    assert picture_area((0, 0, 1, 1), 3, 16384, 16384) == (0, 0, 1, 1)
    assert picture_area((2, 2, 2, 2), 3, 16384, 16384) == (0, 0, 2, 2)  # straddles four blocks
    assert picture_area((16380, 16383, 4, 1), 3, 16384, 16384) == (5460, 5461, 2, 1)  # the cut-short corner


def test_a_downscaled_monitor_is_grabbed_in_strips_and_equals_the_box_filtered_screen(
    source: MssScreenSource, on_xvfb: VirtualDisplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = known_image(90, 130)
    painter = XWindowPainter(on_xvfb.name, 401, 299, image)  # off the block grid
    try:
        full = source.monitors()[1]
        reference = source.grab(full).copy()
        # Strips of a few block rows each: the picture is stitched from many grabs.
        monkeypatch.setattr("app.remote.capture.STRIP_BYTES", full.width * 4 * 7)
        scaled = Monitor(1, full.left, full.top, full.width, full.height, scale=3)
        picture = source.grab(scaled)
        area = source.grab_area(scaled, 133, 99, 45, 31)  # picture pixels, over the window's edge
    finally:
        painter.close()
    expected = box_mean(reference, 3)
    assert picture.shape == (-(-on_xvfb.height // 3), -(-on_xvfb.width // 3), 4)
    assert np.array_equal(picture[..., :3], expected[..., :3])
    assert area is not None
    assert np.array_equal(area[..., :3], expected[99:130, 133:178, :3])


def test_an_area_beyond_a_downscaled_picture_is_no_grab(source: MssScreenSource) -> None:
    full = source.monitors()[1]
    scaled = Monitor(1, full.left, full.top, full.width, full.height, scale=2)
    assert source.grab_area(scaled, scaled.picture_width, 0, 4, 4) is None


def test_an_empty_monitor_is_refused_with_a_reason(source: MssScreenSource) -> None:
    with pytest.raises(ScreenUnavailable) as raised:
        source.grab(Monitor(1, 0, 0, 0, 800))
    assert raised.value.reason == REASON_MONITOR_GONE
    assert "disconnected" in raised.value.user_message


def test_damage_on_a_downscaled_monitor_updates_the_picture_in_picture_coordinates(
    source: MssScreenSource, on_xvfb: VirtualDisplay
) -> None:
    watch = source.open_change_watch()
    assert watch is not None
    try:
        full = source.monitors()[1]
        scaled = Monitor(1, full.left, full.top, full.width, full.height, scale=2)
        frame, _ = watch.grab_changes(scaled, None)
        assert frame.shape[:2] == (scaled.picture_height, scaled.picture_width)
        for _ in range(50):  # let what earlier tests drew settle
            if not watch.wait(0.1):
                break
            frame, _ = watch.grab_changes(scaled, frame)
        image = known_image(30, 50)
        painter = XWindowPainter(on_xvfb.name, 211, 101, image)  # odd position: blocks half covered
        try:
            reported: list[tuple[int, int, int, int]] = []
            for _ in range(20):
                whole = source.grab(full)
                if np.array_equal(whole[101:131, 211:261, :3], image[..., :3]):
                    break
                assert watch.wait(10.0), "the drawing was never reported"
            for _ in range(20):
                if not watch.wait(0.2):
                    break
                frame, areas = watch.grab_changes(scaled, frame)
                assert areas is not None
                reported += areas
            expected = box_mean(source.grab(full), 2)
            assert np.array_equal(frame[..., :3], expected[..., :3])
            covered = np.zeros(frame.shape[:2], dtype=bool)
            for x, y, w, h in reported:
                covered[y : y + h, x : x + w] = True
            assert covered[50:66, 105:131].all()  # picture pixels of the window, partial blocks included
            assert covered.sum() <= 4 * 16 * 26
        finally:
            painter.close()
    finally:
        watch.close()


def test_a_monitor_reaching_past_the_screen_is_black_there_instead_of_failing(
    source: MssScreenSource, on_xvfb: VirtualDisplay
) -> None:
    image = known_image(20, 30)
    painter = XWindowPainter(on_xvfb.name, 0, 0, image)
    try:
        # RandR lets a monitor start left of and above the root window, or end past it: X has no pixels there.
        frame = source.grab(Monitor(1, -50, -10, 400, 300))
        wide = source.grab(Monitor(2, on_xvfb.width - 100, 0, 300, 200, scale=2))
        area = source.grab_area(Monitor(1, -50, -10, 400, 300), 40, 0, 60, 40)
    finally:
        painter.close()
    assert frame.shape == (300, 400, 4)
    assert not frame[:10].any() and not frame[:, :50].any()
    assert np.array_equal(frame[10:30, 50:80, :3], image[..., :3])
    assert wide.shape == (100, 150, 4) and not wide[:, 50:].any()
    assert area is not None and np.array_equal(area[10:30, 10:40, :3], image[..., :3])


def test_drawing_that_follows_within_the_settle_pause_is_grabbed_with_the_first(
    source: MssScreenSource, on_xvfb: VirtualDisplay
) -> None:
    """An application draws one change in several requests (xterm: the character, then the cursor).

    A wait that blocked and was ended by drawing pauses briefly before it returns, so what is drawn during the
    pause is taken together with the first drawing: one update instead of two. A wake ends the pause at once.
    """
    watch = source.open_change_watch()
    assert watch is not None
    painter = XWindowPainter(on_xvfb.name, 200, 120, known_image(20, 40))  # 20 rows, 40 columns
    try:
        monitor = source.monitors()[0]
        frame, _ = watch.grab_changes(monitor, None)
        for _ in range(50):  # let what earlier tests drew settle
            if not watch.wait(0.1):
                break
            frame, _ = watch.grab_changes(monitor, frame)
        watch.settle_seconds = 60.0  # long enough that only the wake below can end the pause
        taken: list[list[tuple[int, int, int, int]] | None] = []

        def waiter() -> None:
            assert watch.wait(30.0)
            taken.append(watch.take_damage())

        thread = threading.Thread(target=waiter, daemon=True)
        thread.start()
        painter.fill(0, 0, 10, 20, 0x102030)  # "the character"
        assert watch.settling.wait(10.0), "drawing did not start a settle pause"
        painter.fill(30, 0, 10, 20, 0x405060)  # "the cursor", drawn during the pause
        watch.wake()
        thread.join(10.0)
        assert not thread.is_alive() and taken and taken[0] is not None
        covered = np.zeros(frame.shape[:2], dtype=bool)
        for x, y, w, h in taken[0]:
            covered[y : y + h, x : x + w] = True
        assert covered[120:140, 200:210].all() and covered[120:140, 230:240].all()  # both in one take
    finally:
        painter.close()
        watch.close()
