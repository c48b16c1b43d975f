"""Screen capture on the user's machine: monitors, frames as numpy BGRA arrays, and the mouse cursor.

The agent sees the screen through the small :class:`ScreenSource` protocol so that tests can use a fake and a
later backend (the desktop portal on Wayland, Windows' duplication API) can slot in. :class:`MssScreenSource`
is the X11 implementation on top of ``mss`` (which uses MIT-SHM, "XShm", when the server offers it: a full
1080p grab then costs well under a millisecond).

``mss`` opens the display when it is instantiated and ``pynput`` when it is imported, so both are imported
lazily, inside methods: importing this module never touches a display.

Unsupported states are said, never streamed as black. On a Wayland session ``mss`` (through XWayland)
returns all-black frames without any error, so :func:`check_screen_available` refuses such sessions up front
with :class:`ScreenUnavailable`, whose ``reason`` tells the agent which plain-language text both sides get.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import select
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

# Reasons carried by ScreenUnavailable, stable strings the agent can put on the wire.
REASON_WAYLAND = "wayland"
REASON_NO_DISPLAY = "no-display"
REASON_DISPLAY_UNREACHABLE = "display-unreachable"
REASON_MONITOR_GONE = "monitor-gone"

#: The largest picture the agent sends, per side and in total. The console's decoder
#: (``app.remote.encode.FrameDecoder``) refuses a screen wider or taller than 8192 px or larger than 8K UHD,
#: and the protocol cannot negotiate other limits yet, so these are fixed; a test keeps them within the
#: decoder's. A larger monitor (Xvfb allows 16384×16384 and more) is sent downscaled by a whole factor.
MAX_PICTURE_SIDE: Final = 8192
MAX_PICTURE_PIXELS: Final = 7680 * 4320
#: A downscaled monitor is grabbed and scaled in strips of about this many bytes (at least one block row),
#: so a 16384×16384 screen (1 GiB of BGRA) is never held at full size in the agent: one strip at a time.
STRIP_BYTES: Final = 16 * 1024 * 1024


class ScreenUnavailable(PodporaError):
    """The screen cannot be captured here; ``reason`` is one of the ``REASON_*`` strings of this module."""

    def __init__(self, message: str, *, reason: str, user_text: str, **user_args: Any) -> None:
        super().__init__(message, user_text=user_text, **user_args)
        self.reason = reason


@dataclass(frozen=True)
class Monitor:
    """One monitor in virtual-screen coordinates; ``index`` 0 is the bounding box of all monitors."""

    index: int
    left: int
    top: int
    width: int
    height: int
    primary: bool = False
    name: str = ""
    #: The whole factor the picture is downscaled by (1: full size); see :func:`downscale_factor`.
    scale: int = 1

    @property
    def picture_width(self) -> int:
        """The width of the picture the technician gets (the monitor's width divided by ``scale``, rounded up)."""
        return _ceil_div(self.width, self.scale)

    @property
    def picture_height(self) -> int:
        """The height of the picture the technician gets."""
        return _ceil_div(self.height, self.scale)


@dataclass(frozen=True)
class CursorShape:
    """The cursor image: ``pixels`` is ``height`` × ``width`` BGRA, premultiplied alpha as XFixes gives it."""

    width: int
    height: int
    hot_x: int
    hot_y: int
    serial: int
    pixels: bytes


@dataclass(frozen=True)
class CursorState:
    """Where the pointer is (virtual-screen coordinates) and, when XFixes is reachable, what it looks like.

    ``shape`` is ``None`` when only the position is known (no XFixes); the viewer then draws its own arrow.
    """

    x: int
    y: int
    shape: CursorShape | None


class ScreenSource(Protocol):
    """What the agent needs from a screen: its monitors and their pixels."""

    def monitors(self) -> list[Monitor]:
        """Re-read and return the monitors: index 0 is all monitors together, then one per monitor."""
        ...

    def grab(self, monitor: Monitor) -> NDArray[np.uint8]:
        """Capture ``monitor`` as H×W×4 BGRA uint8; the size may differ after a resolution change."""
        ...

    def cursor(self) -> CursorState | None:
        """The pointer's position and, where possible, its shape; ``None`` when unknown."""
        ...

    def wait_for_change(self, timeout: float) -> bool:
        """Block until the screen may have changed (or ``timeout`` passed); return whether it did."""
        ...

    def open_change_watch(self) -> ChangeWatch | None:
        """A change watch for the calling thread alone, or ``None`` where only polling works."""
        ...

    def close(self) -> None:
        """Release the display connection."""
        ...


class ChangeWatch(Protocol):
    """Reports drawing on the screen as it happens; owned by one thread, which alone waits on and closes it.

    :meth:`wake` is the only method another thread may call: it makes a blocked (or the next) :meth:`wait`
    return at once, so a stop never has to touch the owner's display connection.
    """

    def wait(self, timeout: float) -> bool:
        """Block until drawing happened, :meth:`wake` was called or ``timeout`` passed; True on drawing."""
        ...

    def wake(self) -> None:
        """Make the owner's :meth:`wait` return now (any thread; harmless after :meth:`close`)."""
        ...

    def close(self) -> None:
        """Release the display connection and the wake-up descriptor (the owner thread only)."""
        ...


def check_screen_available(env: Mapping[str, str] | None = None) -> str:
    """Return the X display name to capture, or raise :class:`ScreenUnavailable` saying why there is none.

    A Wayland session is refused even when XWayland provides a ``DISPLAY``: capture through XWayland shows
    black (or only X clients) and input reaches nothing, so streaming it would mislead both people.
    """
    env = os.environ if env is None else env
    session_type = env.get("XDG_SESSION_TYPE", "").strip().lower()
    display = env.get("DISPLAY", "").strip()
    if session_type == "wayland":
        raise ScreenUnavailable(
            "Wayland session (XDG_SESSION_TYPE=wayland): X11 capture would show black",
            reason=REASON_WAYLAND,
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "This computer uses a Wayland desktop session. Podpora cannot show or control the screen "
                'in it yet. Log out and choose an "Xorg" or "X11" session on the login screen, then try '
                "again.",
            ),
        )
    if env.get("WAYLAND_DISPLAY") and not display:
        raise ScreenUnavailable(
            "WAYLAND_DISPLAY is set and there is no X display",
            reason=REASON_WAYLAND,
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "This computer uses a Wayland desktop session. Podpora cannot show or control the screen "
                'in it yet. Log out and choose an "Xorg" or "X11" session on the login screen, then try '
                "again.",
            ),
        )
    if not display:
        raise ScreenUnavailable(
            "DISPLAY is not set",
            reason=REASON_NO_DISPLAY,
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "There is no graphical desktop to share here. Start Podpora from inside your desktop session.",
            ),
        )
    return display


def _display_unreachable(display: str, detail: object) -> ScreenUnavailable:
    return ScreenUnavailable(
        f"cannot open X display {display!r}: {detail}",
        reason=REASON_DISPLAY_UNREACHABLE,
        user_text=QT_TRANSLATE_NOOP(
            "podpora",
            "Podpora cannot reach the desktop display {display}. Start Podpora from inside your desktop session.",
        ),
        display=display,
    )


class MssScreenSource:
    """X11 capture through ``mss`` (XShm where available) plus cursor queries through Xlib/XFixes (ctypes).

    The display is checked in the constructor, so an unusable session fails at once with
    :class:`ScreenUnavailable` instead of yielding black frames later.
    """

    def __init__(self, display: str | None = None, env: Mapping[str, str] | None = None) -> None:
        self._display = display if display is not None else check_screen_available(env)
        self._sct: Any = None
        # The mss connection is reopened by monitors() (the thread that starts capture) while the capture
        # thread may still be grabbing through it after a pause: every use of it holds this lock.
        self._sct_lock = threading.RLock()
        self._cursor_reader: _XCursorReader | None = None
        self._cursor_tried = False
        self._damage: DamageWatch | None = None
        self._damage_tried = False
        self._open()

    @property
    def display(self) -> str:
        """The X display name this source captures."""
        return self._display

    @property
    def uses_xshm(self) -> bool:
        """Whether ``mss`` grabs through MIT-SHM (``False`` when it fell back to plain GetImage)."""
        impl = getattr(self._sct, "_impl", None)
        status = getattr(impl, "shm_status", None)
        return status is not None and getattr(status, "name", "") != "UNAVAILABLE"

    def _open(self) -> None:
        import mss  # lazily: mss opens the display when instantiated
        import mss.exception

        try:
            self._sct = mss.MSS(display=self._display)
        except mss.exception.ScreenShotError as error:
            raise _display_unreachable(self._display, error) from error

    def _reopen(self) -> None:
        # A new connection is the only public way to make mss re-read the monitor layout (it caches it) and
        # to re-size its shared-memory buffer after the root window grew.
        if self._sct is not None:
            self._sct.close()
            self._sct = None
        self._open()

    def monitors(self) -> list[Monitor]:
        """Re-read the monitor layout (it may have changed since the last call)."""
        with self._sct_lock:
            self._reopen()
            return self._current_monitors()

    def _current_monitors(self) -> list[Monitor]:
        result = []
        for index, entry in enumerate(self._sct.monitors):
            width, height = int(entry["width"]), int(entry["height"])
            result.append(
                Monitor(
                    index=index,
                    left=int(entry["left"]),
                    top=int(entry["top"]),
                    width=width,
                    height=height,
                    primary=bool(entry.get("is_primary", False)),
                    name=str(entry.get("output", entry.get("name", ""))),
                    # An empty monitor keeps 1: the agent does not list it, and a grab of it fails plainly.
                    scale=downscale_factor(width, height) if width > 0 and height > 0 else 1,
                )
            )
        return result

    def grab(self, monitor: Monitor) -> NDArray[np.uint8]:
        """Capture ``monitor`` as an H×W×4 BGRA array: its picture, downscaled by ``monitor.scale``.

        A downscaled monitor is grabbed in strips of about :data:`STRIP_BYTES`, each box-filtered into the
        picture before the next is grabbed: the full-size screen is never in memory at once.

        When the layout changed under us (the grab fails, e.g. the screen shrank), the layout is re-read and
        the monitor with the same index is captured with its new geometry: the caller sees a frame of a new
        size and resets its encoder. A monitor that disappeared raises :class:`ScreenUnavailable`.
        """
        import mss.exception

        if monitor.width <= 0 or monitor.height <= 0:
            # An empty monitor (a RandR monitor without pixels) is as good as gone: said, never grabbed.
            raise ScreenUnavailable(
                f"monitor {monitor.index} is {monitor.width}x{monitor.height} pixels",
                reason=REASON_MONITOR_GONE,
                user_text=QT_TRANSLATE_NOOP("podpora", "The shared monitor was disconnected. Choose another monitor."),
            )
        with self._sct_lock:
            return self._grab_locked(monitor, mss.exception.ScreenShotError)

    def _grab_locked(self, monitor: Monitor, grab_error: type[Exception]) -> NDArray[np.uint8]:
        try:
            return self._grab_picture(monitor, 0, 0, monitor.width, monitor.height)
        except grab_error as error:
            log.info("grab of monitor %d failed (%s); re-reading the monitor layout", monitor.index, error)
            layout = self.monitors()
            if monitor.index >= len(layout):
                raise ScreenUnavailable(
                    f"monitor {monitor.index} is gone",
                    reason=REASON_MONITOR_GONE,
                    user_text=QT_TRANSLATE_NOOP(
                        "podpora", "The shared monitor was disconnected. Choose another monitor."
                    ),
                ) from error
            fresh = layout[monitor.index]
            try:
                return self._grab_picture(fresh, 0, 0, fresh.width, fresh.height)
            except grab_error as second:
                raise _display_unreachable(self._display, second) from second

    def _grab_picture(self, monitor: Monitor, x: int, y: int, width: int, height: int) -> NDArray[np.uint8]:
        """The picture of the ``width``×``height`` area at ``x``, ``y`` (monitor pixels) of ``monitor``.

        At scale 1 this is one grab. Downscaled, ``x`` and ``y`` must be multiples of the scale (block
        boundaries); the area is grabbed in strips of whole block rows, each scaled into the picture.
        Raises mss's ``ScreenShotError`` when a grab fails (the layout changed under it).
        """
        factor = monitor.scale
        left, top = monitor.left + x, monitor.top + y
        if factor == 1:
            return self._grab_region(left, top, width, height)
        picture = np.empty((_ceil_div(height, factor), _ceil_div(width, factor), 4), dtype=np.uint8)
        strip_rows = max(factor, STRIP_BYTES // (width * 4) // factor * factor)
        for row in range(0, height, strip_rows):
            rows = min(strip_rows, height - row)
            scaled = downsample(self._grab_region(left, top + row, width, rows), factor)
            picture[row // factor : row // factor + scaled.shape[0]] = scaled
            del scaled  # one strip at a time
        return picture

    def _grab_region(self, left: int, top: int, width: int, height: int) -> NDArray[np.uint8]:
        """``width``×``height`` BGRA pixels at ``left``, ``top`` (root coordinates); black outside the X screen.

        A RandR monitor may reach past the root window (a negative offset, a monitor larger than the
        screen): X has no pixels there, and a grab that asked for them would fail (BadMatch) as if the
        display were gone. Only the part on the screen is grabbed; the rest of the picture is black.
        """
        import mss.exception

        root = self._sct.monitors[0]
        x0, y0 = max(left, int(root["left"])), max(top, int(root["top"]))
        x1 = min(left + width, int(root["left"]) + int(root["width"]))
        y1 = min(top + height, int(root["top"]) + int(root["height"]))
        inside = (x0, y0, x1, y1) == (left, top, left + width, top + height)
        pixels = None
        if x1 > x0 and y1 > y0:
            shot = self._sct.grab({"left": x0, "top": y0, "width": x1 - x0, "height": y1 - y0})
            if (shot.width, shot.height) != (x1 - x0, y1 - y0):
                raise mss.exception.ScreenShotError(f"asked for {x1 - x0}x{y1 - y0}, got {shot.width}x{shot.height}")
            pixels = np.frombuffer(shot.raw, dtype=np.uint8).reshape(shot.height, shot.width, 4)
            if inside:
                return pixels
        canvas = np.zeros((height, width, 4), dtype=np.uint8)
        if pixels is not None:
            canvas[y0 - top : y1 - top, x0 - left : x1 - left] = pixels
        return canvas

    @property
    def damage_events(self) -> bool:
        """Whether :meth:`wait_for_change` is driven by X DAMAGE events (else it only paces polling)."""
        self._ensure_damage()
        return self._damage is not None

    def _ensure_damage(self) -> None:
        if not self._damage_tried:
            self._damage_tried = True
            self._damage = DamageWatch.open(self._display, self)

    def wait_for_change(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the screen to be drawn on; return whether it was.

        With X DAMAGE, an idle screen costs no CPU and a change wakes the caller at once. Call this *before*
        grabbing: drawing that happens after it returns and before the next call is reported by that next
        call. Without DAMAGE it waits ``timeout`` and returns True (the caller then simply polls).

        The watch behind it belongs to this source and is closed by :meth:`close`: use it from the thread
        that closes the source. A thread that others must be able to stop uses :meth:`open_change_watch`.
        """
        self._ensure_damage()
        if self._damage is None:
            threading.Event().wait(timeout)
            return True
        if self._damage.wait(timeout):
            self._damage.take_damage()  # re-arm: the next drawing is reported by the next call
            return True
        return False

    def open_change_watch(self) -> DamageWatch | None:
        """Open an X DAMAGE watch on a connection of its own, for the calling thread alone.

        The caller owns it: only that thread waits on it and closes it (Xlib connections are not shared
        between threads here); other threads may only :meth:`DamageWatch.wake` it. ``None`` when the X
        server or the libraries lack DAMAGE: the caller then polls.
        """
        return DamageWatch.open(self._display, self)

    def grab_area(self, monitor: Monitor, x: int, y: int, width: int, height: int) -> NDArray[np.uint8] | None:
        """Capture the ``width``×``height`` area at ``x``, ``y`` of ``monitor``'s *picture* as BGRA.

        The coordinates are picture pixels, which are the monitor's pixels unless it is downscaled; then the
        blocks behind the area are grabbed (in strips) and scaled. ``None`` when the grab failed (the layout
        changed under it): the caller grabs the whole monitor, which re-reads the layout.
        """
        import mss.exception

        factor = monitor.scale
        screen_x, screen_y = x * factor, y * factor
        screen_width = min(width * factor, monitor.width - screen_x)
        screen_height = min(height * factor, monitor.height - screen_y)
        if screen_width <= 0 or screen_height <= 0:
            return None
        with self._sct_lock:
            try:
                return self._grab_picture(monitor, screen_x, screen_y, screen_width, screen_height)
            except mss.exception.ScreenShotError as error:
                log.info("grab of an area of monitor %d failed (%s)", monitor.index, error)
                return None

    def cursor(self) -> CursorState | None:
        """The pointer position and shape (XFixes), or the position only (core X), or ``None``."""
        if not self._cursor_tried:
            self._cursor_tried = True
            self._cursor_reader = _XCursorReader.open(self._display)
        if self._cursor_reader is None:
            return None
        return self._cursor_reader.read()

    def close(self) -> None:
        """Close the display connections; safe to call twice."""
        with self._sct_lock:
            if self._sct is not None:
                self._sct.close()
                self._sct = None
        if self._cursor_reader is not None:
            self._cursor_reader.close()
            self._cursor_reader = None
        if self._damage is not None:
            self._damage.close()
            self._damage = None


class _XFixesCursorImage(ctypes.Structure):
    """``XFixesCursorImage`` from <X11/extensions/Xfixes.h>."""

    _fields_ = (
        ("x", ctypes.c_short),
        ("y", ctypes.c_short),
        ("width", ctypes.c_ushort),
        ("height", ctypes.c_ushort),
        ("xhot", ctypes.c_ushort),
        ("yhot", ctypes.c_ushort),
        ("cursor_serial", ctypes.c_ulong),
        ("pixels", ctypes.POINTER(ctypes.c_ulong)),
        ("atom", ctypes.c_ulong),
        ("name", ctypes.c_char_p),
    )


# Cursor images larger than this are not real cursors; refuse them rather than copy megabytes per frame.
_MAX_CURSOR_SIDE = 256


class _XCursorReader:
    """Reads the pointer through libX11 (position) and libXfixes (shape), both through ctypes.

    XFixes is optional: without it (or without libXfixes) only the position is reported, and
    :attr:`has_shape` says so.
    """

    def __init__(self, xlib: Any, xfixes: Any, connection: int) -> None:
        self._xlib = xlib
        self._xfixes = xfixes
        self._connection = connection
        self.has_shape = xfixes is not None

    @classmethod
    def open(cls, display: str) -> _XCursorReader | None:
        x11_name = ctypes.util.find_library("X11")
        if x11_name is None:
            log.info("libX11 not found: no cursor position")
            return None
        xlib = ctypes.CDLL(x11_name)
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = (ctypes.c_char_p,)
        xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        xlib.XDefaultRootWindow.argtypes = (ctypes.c_void_p,)
        xlib.XQueryPointer.argtypes = (
            ctypes.c_void_p,
            ctypes.c_ulong,
            *(ctypes.POINTER(ctypes.c_ulong),) * 2,
            *(ctypes.POINTER(ctypes.c_int),) * 4,
            ctypes.POINTER(ctypes.c_uint),
        )
        xlib.XCloseDisplay.argtypes = (ctypes.c_void_p,)
        xlib.XFree.argtypes = (ctypes.c_void_p,)
        connection = xlib.XOpenDisplay(display.encode())
        if not connection:
            log.info("cannot open %s for cursor queries", display)
            return None
        xfixes = None
        xfixes_name = ctypes.util.find_library("Xfixes")
        if xfixes_name is not None:
            candidate = ctypes.CDLL(xfixes_name)
            candidate.XFixesQueryExtension.argtypes = (
                ctypes.c_void_p,
                ctypes.POINTER(ctypes.c_int),
                ctypes.POINTER(ctypes.c_int),
            )
            candidate.XFixesGetCursorImage.restype = ctypes.POINTER(_XFixesCursorImage)
            candidate.XFixesGetCursorImage.argtypes = (ctypes.c_void_p,)
            event_base, error_base = ctypes.c_int(), ctypes.c_int()
            if candidate.XFixesQueryExtension(connection, ctypes.byref(event_base), ctypes.byref(error_base)):
                xfixes = candidate
        if xfixes is None:
            log.info("XFixes unavailable on %s: cursor position only, no shape", display)
        return cls(xlib, xfixes, connection)

    def read(self) -> CursorState | None:
        if self._xfixes is not None:
            image_ptr = self._xfixes.XFixesGetCursorImage(self._connection)
            if image_ptr:
                try:
                    return self._from_image(image_ptr.contents)
                finally:
                    self._xlib.XFree(image_ptr)
        root = self._xlib.XDefaultRootWindow(self._connection)
        root_ret, child_ret = ctypes.c_ulong(), ctypes.c_ulong()
        root_x, root_y, win_x, win_y = (ctypes.c_int() for _ in range(4))
        mask = ctypes.c_uint()
        ok = self._xlib.XQueryPointer(
            self._connection,
            root,
            ctypes.byref(root_ret),
            ctypes.byref(child_ret),
            ctypes.byref(root_x),
            ctypes.byref(root_y),
            ctypes.byref(win_x),
            ctypes.byref(win_y),
            ctypes.byref(mask),
        )
        if not ok:
            return None
        return CursorState(root_x.value, root_y.value, None)

    @staticmethod
    def _from_image(image: _XFixesCursorImage) -> CursorState:
        width, height = int(image.width), int(image.height)
        shape = None
        if 0 < width <= _MAX_CURSOR_SIDE and 0 < height <= _MAX_CURSOR_SIDE:
            # XFixes hands out one ARGB pixel per C long (64 bits here): keep the low 32 bits, which in
            # little-endian byte order are exactly B, G, R, A.
            longs = np.ctypeslib.as_array(image.pixels, shape=(width * height,))
            argb = longs.astype(np.uint32).astype("<u4")
            shape = CursorShape(
                width=width,
                height=height,
                hot_x=int(image.xhot),
                hot_y=int(image.yhot),
                serial=int(image.cursor_serial),
                pixels=argb.tobytes(),
            )
        return CursorState(int(image.x), int(image.y), shape)

    def close(self) -> None:
        if self._connection:
            self._xlib.XCloseDisplay(self._connection)
            self._connection = 0


# XDamageReportNonEmpty: one event when the damaged region goes from empty to non-empty.
_DAMAGE_REPORT_NON_EMPTY = 3
# sizeof(XEvent) is 24 longs; events are drained without being interpreted (only damage is selected).
_XEVENT_BYTES = 24 * 8
# More damaged rectangles than this are summed up as their bounding box (a busy screen: grab it whole).
_MAX_DAMAGE_RECTS = 64
#: After drawing ends a *blocking* wait, how long to let the drawing finish before it is grabbed.  An
#: application draws one change in several requests a fraction of a millisecond apart (xterm: the character,
#: then the cursor); grabbing after the first sends the rest as a second update with its own framing.  Half a
#: millisecond makes a typed character one update (TigerVNC defers 1 ms for the same reason).  A wait that
#: finds drawing already pending (continuous change: video, scrolling) returns at once, without this delay.
DAMAGE_SETTLE_SECONDS = 0.0005
# A damaged area larger than this share of the monitor is grabbed as a whole frame (one XShm copy).
_PARTIAL_GRAB_MAX_SHARE = 0.25

#: An area in pixels: ``(x, y, width, height)``.
Area = tuple[int, int, int, int]


class _XRectangle(ctypes.Structure):
    """``XRectangle`` from <X11/Xlib.h>."""

    _fields_ = (
        ("x", ctypes.c_short),
        ("y", ctypes.c_short),
        ("width", ctypes.c_ushort),
        ("height", ctypes.c_ushort),
    )


class DamageWatch:
    """X DAMAGE on the root window through ctypes, on a connection of its own, with a wake-up descriptor.

    One thread owns it: that thread opens it, waits on it, grabs through it and closes it, so the X
    connection is never used or closed under a thread blocked in it (closing it from another thread crashed
    the process). Stopping goes through :meth:`wake`, which only writes to an eventfd that :meth:`wait`
    selects on beside the X connection's descriptor. The eventfd's counter latches, so a wake that comes
    while the owner is busy ends its next wait at once: no wake is lost.

    Besides *that* something was drawn, the watch knows *where* (the damage region, fetched through
    XFixes): :meth:`grab_changes` copies only those areas into the caller's frame and tells the encoder
    which areas to compare, so a typed character costs a tiny grab and a tiny comparison instead of two
    passes over the whole screen.
    """

    def __init__(self, xlib: Any, xdamage: Any, xfixes: Any, *, connection: int, damage: int, source: Any) -> None:
        self._xlib = xlib
        self._xdamage = xdamage
        self._xfixes = xfixes
        self._connection = connection
        self._damage = damage
        self._source = source
        self._region = int(xfixes.XFixesCreateRegion(connection, None, 0)) if xfixes is not None else 0
        self._fd = int(xlib.XConnectionNumber(connection))
        self._event = ctypes.create_string_buffer(_XEVENT_BYTES)
        self._wake_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self._wake_lock = threading.Lock()  # wake() never writes to a descriptor close() released
        self._known = False  # what was drawn before the watch existed is unknown: the first grab is whole
        self._grabbed_monitor: Any = None
        self.damage_events = True
        self.settle_seconds = DAMAGE_SETTLE_SECONDS
        #: Set while a wait lets drawing finish (tests watch it to draw during the pause).
        self.settling = threading.Event()

    @classmethod
    def open(cls, display: str, source: Any = None) -> DamageWatch | None:
        """Open the watch, or return ``None`` (logged) when DAMAGE is not available.

        ``source`` (an :class:`MssScreenSource`) is what :meth:`grab_changes` grabs through.
        """
        x11_name, damage_name = ctypes.util.find_library("X11"), ctypes.util.find_library("Xdamage")
        if x11_name is None or damage_name is None:
            log.info("libX11 or libXdamage not found: change detection polls")
            return None
        xlib, xdamage = ctypes.CDLL(x11_name), ctypes.CDLL(damage_name)
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = (ctypes.c_char_p,)
        xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        xlib.XDefaultRootWindow.argtypes = (ctypes.c_void_p,)
        for name in ("XConnectionNumber", "XPending", "XFlush"):
            getattr(xlib, name).argtypes = (ctypes.c_void_p,)
        xlib.XNextEvent.argtypes = (ctypes.c_void_p, ctypes.c_void_p)
        xlib.XCloseDisplay.argtypes = (ctypes.c_void_p,)
        xlib.XFree.argtypes = (ctypes.c_void_p,)
        xdamage.XDamageQueryExtension.argtypes = (
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        )
        xdamage.XDamageCreate.restype = ctypes.c_ulong
        xdamage.XDamageCreate.argtypes = (ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int)
        xdamage.XDamageSubtract.argtypes = (ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
        xdamage.XDamageDestroy.argtypes = (ctypes.c_void_p, ctypes.c_ulong)
        connection = xlib.XOpenDisplay(display.encode())
        if not connection:
            return None
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not xdamage.XDamageQueryExtension(connection, ctypes.byref(event_base), ctypes.byref(error_base)):
            log.info("the X server has no DAMAGE extension: change detection polls")
            xlib.XCloseDisplay(connection)
            return None
        xfixes = _load_xfixes_regions(connection)
        if xfixes is None:
            log.info("XFixes regions unavailable: damage tells when, not where (whole frames are compared)")
        damage = xdamage.XDamageCreate(connection, xlib.XDefaultRootWindow(connection), _DAMAGE_REPORT_NON_EMPTY)
        xlib.XFlush(connection)
        return cls(xlib, xdamage, xfixes, connection=connection, damage=int(damage), source=source)

    def _drain(self) -> bool:
        seen = False
        while self._xlib.XPending(self._connection) > 0:
            self._xlib.XNextEvent(self._connection, self._event)
            seen = True
        return seen

    def take_damage(self) -> list[Area] | None:
        """What was drawn since the last call, in root-window coordinates, and re-arm the events.

        ``None`` when unknown (the first call, or without XFixes regions): the caller compares everything.
        """
        self._drain()
        known = self._known
        self._known = self._region != 0
        if not self._region:
            self._xdamage.XDamageSubtract(self._connection, self._damage, 0, 0)
            self._xlib.XFlush(self._connection)
            return None
        self._xdamage.XDamageSubtract(self._connection, self._damage, 0, self._region)
        count = ctypes.c_int()
        rects = self._xfixes.XFixesFetchRegion(self._connection, self._region, ctypes.byref(count))
        areas: list[Area] = []
        if rects:
            try:
                for index in range(count.value):
                    rect = rects[index]
                    areas.append((int(rect.x), int(rect.y), int(rect.width), int(rect.height)))
            finally:
                self._xlib.XFree(rects)
        if len(areas) > _MAX_DAMAGE_RECTS:
            areas = [_bounding_box(areas)]
        return areas if known else None

    def wait(self, timeout: float) -> bool:
        """Block until drawing happened (True), :meth:`wake` was called or ``timeout`` passed (False).

        Drawing that was not yet taken by :meth:`take_damage` (or :meth:`grab_changes`) ends it at once.
        """
        if not self._connection:
            return False
        if self._xlib.XPending(self._connection) > 0:
            return True
        readable, _, _ = select.select([self._fd, self._wake_fd], [], [], max(0.0, timeout))
        if self._wake_fd in readable:
            with contextlib.suppress(BlockingIOError):
                os.eventfd_read(self._wake_fd)
            return bool(self._xlib.XPending(self._connection) > 0)
        drawn = self._fd in readable and self._xlib.XPending(self._connection) > 0
        if drawn and self.settle_seconds > 0:
            # Let the drawing finish (see DAMAGE_SETTLE_SECONDS); a wake still ends the pause at once.
            self.settling.set()
            try:
                settled, _, _ = select.select([self._wake_fd], [], [], self.settle_seconds)
            finally:
                self.settling.clear()
            if settled:
                with contextlib.suppress(BlockingIOError):
                    os.eventfd_read(self._wake_fd)
        return drawn

    def grab_changes(
        self, monitor: Monitor, frame: NDArray[np.uint8] | None
    ) -> tuple[NDArray[np.uint8], list[Area] | None]:
        """Bring ``frame`` (the last capture of ``monitor``, or ``None``) up to date; return it and what changed.

        Only the damaged areas are grabbed into ``frame`` when they are small; otherwise (or without a
        usable ``frame``) the whole monitor is grabbed. The areas returned are in the coordinates of the
        monitor's picture (its pixels, or the downscaled picture's for a huge monitor), clipped to it;
        ``None`` means unknown (compare everything).
        """
        damaged = self.take_damage()
        factor = int(getattr(monitor, "scale", 1))
        picture_shape = (_ceil_div(monitor.height, factor), _ceil_div(monitor.width, factor))
        areas = None
        if damaged is not None:
            areas = [
                picture_area(area, factor, monitor.width, monitor.height) for area in _clip_areas(damaged, monitor)
            ]
        whole = (
            frame is None
            or areas is None
            or monitor != self._grabbed_monitor
            or frame.shape[:2] != picture_shape
            or not frame.flags.writeable
            or _area_sum(areas) > _PARTIAL_GRAB_MAX_SHARE * picture_shape[0] * picture_shape[1]
        )
        if whole or frame is None:
            grabbed = self._source.grab(monitor)
            self._grabbed_monitor = monitor
            if grabbed.shape[:2] != picture_shape:
                return grabbed, None  # the layout changed under the grab: a new stream starts anyway
            return grabbed, areas
        for x, y, w, h in areas or ():
            area = self._source.grab_area(monitor, x, y, w, h)
            if area is None or area.shape[:2] != (h, w):
                # The layout changed under the grab: the whole monitor (which re-reads it), compared whole.
                self._grabbed_monitor = monitor
                return self._source.grab(monitor), None
            frame[y : y + h, x : x + w] = area
        return frame, areas

    def wake(self) -> None:
        """Make the owner's :meth:`wait` return now; any thread may call it, also after :meth:`close`."""
        with self._wake_lock:
            if self._wake_fd >= 0:
                os.eventfd_write(self._wake_fd, 1)

    def close(self) -> None:
        """Destroy the damage object and close the connection (owner thread only); safe to call twice."""
        if self._connection:
            if self._region:
                self._xfixes.XFixesDestroyRegion(self._connection, self._region)
                self._region = 0
            self._xdamage.XDamageDestroy(self._connection, self._damage)
            self._xlib.XCloseDisplay(self._connection)
            self._connection = 0
        with self._wake_lock:
            if self._wake_fd >= 0:
                os.close(self._wake_fd)
                self._wake_fd = -1


def _load_xfixes_regions(connection: int) -> Any:
    """libXfixes with the region calls typed, if the library and the extension are there."""
    name = ctypes.util.find_library("Xfixes")
    if name is None:
        return None
    xfixes = ctypes.CDLL(name)
    xfixes.XFixesQueryExtension.argtypes = (ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
    event_base, error_base = ctypes.c_int(), ctypes.c_int()
    if not xfixes.XFixesQueryExtension(connection, ctypes.byref(event_base), ctypes.byref(error_base)):
        return None
    xfixes.XFixesCreateRegion.restype = ctypes.c_ulong
    xfixes.XFixesCreateRegion.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
    xfixes.XFixesFetchRegion.restype = ctypes.POINTER(_XRectangle)
    xfixes.XFixesFetchRegion.argtypes = (ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_int))
    xfixes.XFixesDestroyRegion.argtypes = (ctypes.c_void_p, ctypes.c_ulong)
    return xfixes


def _bounding_box(areas: list[Area]) -> Area:
    x0, y0 = min(a[0] for a in areas), min(a[1] for a in areas)
    x1, y1 = max(a[0] + a[2] for a in areas), max(a[1] + a[3] for a in areas)
    return x0, y0, x1 - x0, y1 - y0


def _clip_areas(areas: list[Area], monitor: Monitor) -> list[Area]:
    """``areas`` (root coordinates) moved into ``monitor``'s coordinates and clipped to it; empty ones dropped."""
    clipped = []
    for x, y, w, h in areas:
        x0, y0 = max(x - monitor.left, 0), max(y - monitor.top, 0)
        x1, y1 = min(x + w - monitor.left, monitor.width), min(y + h - monitor.top, monitor.height)
        if x1 > x0 and y1 > y0:
            clipped.append((x0, y0, x1 - x0, y1 - y0))
    return clipped


def _area_sum(areas: list[Area] | None) -> int:
    return sum(w * h for _x, _y, w, h in areas or ())


# --- Huge monitors: a whole-factor box filter, strip by strip ------------------------------------------


def _ceil_div(value: int, divisor: int) -> int:
    return -(-value // divisor)


def downscale_factor(
    width: int, height: int, *, max_side: int = MAX_PICTURE_SIDE, max_pixels: int = MAX_PICTURE_PIXELS
) -> int:
    """The smallest whole factor that brings a ``width``×``height`` monitor within the picture limits.

    1 means full size. A whole factor keeps the scaling exact and cheap: every picture pixel is the mean of
    one ``factor``×``factor`` block of the screen, so a picture point maps back to a known block, blocks never
    straddle two grabs, and a damaged area maps onto whole picture pixels. The price is a picture somewhat
    smaller than the limit allows (16384×16384 becomes 5462×5462, where 5760×5760 would fit).
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"a monitor of {width}x{height} pixels has no picture")
    factor = 1
    while True:
        picture_width, picture_height = _ceil_div(width, factor), _ceil_div(height, factor)
        if picture_width <= max_side and picture_height <= max_side and picture_width * picture_height <= max_pixels:
            return factor
        factor += 1


def downsample(pixels: NDArray[np.uint8], factor: int) -> NDArray[np.uint8]:
    """Box-filter H×W×4 ``pixels`` by ``factor``: each output pixel is the rounded mean of one block.

    The output is ``ceil(H / factor)`` × ``ceil(W / factor)``; the blocks at the right and bottom edges may
    be cut short by the screen's edge and average the pixels they have, so nothing at an edge is dropped (a
    close button in the far corner stays visible). Strided sums in 16 bits (32 above factor 16), no
    full-size temporary: the cost is one pass over ``pixels``.
    """
    if factor == 1:
        return pixels
    height, width = int(pixels.shape[0]), int(pixels.shape[1])
    picture_height, picture_width = _ceil_div(height, factor), _ceil_div(width, factor)
    lanes = factor <= 16  # 16 × 16 × 255 still fits in 16 bits
    wide = np.uint16 if lanes else np.uint32
    rows: NDArray[Any] = pixels[0::factor].astype(wide)
    for offset in range(1, factor):
        row_part = pixels[offset::factor]
        rows[: row_part.shape[0]] += row_part
    # The column sums take each pixel's four 16-bit channel sums as one 64-bit word: no lane can carry into
    # the next (a sum stays below 2**16), and a strided pass over whole words is about ten times faster.
    packed: NDArray[Any] = rows.view(np.uint64).reshape(rows.shape[0], width) if lanes else rows
    sums_packed = packed[:, 0::factor].copy()
    for offset in range(1, factor):
        column_part = packed[:, offset::factor]
        sums_packed[:, : column_part.shape[1]] += column_part
    sums = sums_packed.view(wide).reshape(picture_height, picture_width, 4) if lanes else sums_packed
    # How many screen pixels each block really had: factor² inside, fewer along a cut-short edge (only the
    # last row and column of blocks, divided on their own so the bulk divides by one constant).
    last_rows, last_columns = height - (picture_height - 1) * factor, width - (picture_width - 1) * factor
    inner_height = picture_height - (last_rows != factor)
    inner_width = picture_width - (last_columns != factor)
    full = factor * factor
    picture = np.empty((picture_height, picture_width, 4), dtype=np.uint8)
    picture[:inner_height, :inner_width] = (sums[:inner_height, :inner_width] + full // 2) // full
    if inner_width < picture_width:
        counts = np.full((picture_height, 1), factor * last_columns, dtype=wide)
        counts[-1] = last_rows * last_columns
        picture[:, -1] = (sums[:, -1] + counts // 2) // counts
    if inner_height < picture_height:
        count = last_rows * factor
        picture[-1, :inner_width] = (sums[-1, :inner_width] + count // 2) // count
    return picture


def picture_area(area: Area, factor: int, width: int, height: int) -> Area:
    """The picture pixels that show ``area`` (monitor pixels) of a ``width``×``height`` monitor."""
    x, y, w, h = area
    x0, y0 = x // factor, y // factor
    x1 = min(_ceil_div(x + w, factor), _ceil_div(width, factor))
    y1 = min(_ceil_div(y + h, factor), _ceil_div(height, factor))
    return x0, y0, x1 - x0, y1 - y0
