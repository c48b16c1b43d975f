"""Input injection on the user's machine: the technician's pointer and keys, applied through pynput.

The agent applies input through the small :class:`InputSink` protocol (tests and other platforms plug in
their own). :class:`PynputInputSink` is the X11/Windows/macOS implementation; ``pynput`` picks its backend and
connects to the display when it is *imported*, so it is imported inside the constructor, never at module
import time.

Coordinates arrive relative to the streamed picture of one monitor. :class:`ScreenMapping` turns them into
virtual-desktop coordinates: it adds the monitor's offset (monitors left of or above the primary one have
negative offsets) and rescales when the picture was sent at a different size than the monitor (HiDPI
downscaling). Points outside the monitor are clamped onto it, so remote input never lands on another monitor.

Pointer buttons travel as a bit mask, as in RFB: bit 0 left, bit 1 middle, bit 2 right (X buttons 1, 2, 3).
Keys travel as X11 keysyms (special keys, modifiers, and characters that have a keysym) or as text
(characters without a usable keysym, and input-method output); non-ASCII text such as
"Příliš žluťoučký kůň" is typed through pynput's Unicode support.

Everything pressed through a sink is remembered, so :meth:`PynputInputSink.release_all` can release it when
control is revoked or the link drops (no stuck Shift or held mouse button, SECURITY-BAR T48).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

BUTTON_LEFT = 1 << 0
BUTTON_MIDDLE = 1 << 1
BUTTON_RIGHT = 1 << 2
_BUTTON_NAMES = ((BUTTON_LEFT, "left"), (BUTTON_MIDDLE, "middle"), (BUTTON_RIGHT, "right"))

# Keysyms of characters: Latin-1 maps 1:1 onto Unicode; 0x01000000 + code point is the Unicode range.
_KEYSYM_UNICODE_BASE = 0x01000000
_KEYSYM_UNICODE_MAX = 0x0110FFFF


class InputUnavailable(PodporaError):
    """Input cannot be injected on this display (no display, Wayland, or pynput has no backend)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "Podpora cannot control the mouse and keyboard in this desktop session. The technician can "
                "still see the screen.",
            ),
        )


@dataclass(frozen=True)
class ScreenMapping:
    """How picture coordinates map onto the virtual desktop.

    ``left``/``top``/``width``/``height`` are the monitor's geometry on the desktop; ``picture_width`` and
    ``picture_height`` the size of the picture the technician sees (equal to the monitor unless scaled).
    """

    left: int
    top: int
    width: int
    height: int
    picture_width: int = 0
    picture_height: int = 0

    def to_desktop(self, x: int, y: int) -> tuple[int, int]:
        """Map a picture point to desktop coordinates, clamped onto the monitor."""
        picture_width = self.picture_width or self.width
        picture_height = self.picture_height or self.height
        desktop_x = x * self.width // picture_width if picture_width != self.width else x
        desktop_y = y * self.height // picture_height if picture_height != self.height else y
        desktop_x = min(max(desktop_x, 0), self.width - 1)
        desktop_y = min(max(desktop_y, 0), self.height - 1)
        return self.left + desktop_x, self.top + desktop_y


class InputSink(Protocol):
    """What the agent needs to apply remote input."""

    def set_mapping(self, mapping: ScreenMapping) -> None:
        """Use ``mapping`` for every following pointer event (monitor selected, resolution changed)."""
        ...

    def pointer(self, x: int, y: int, buttons: int = 0, wheel: int = 0, wheel_horizontal: int = 0) -> None:
        """Move to picture point ``(x, y)``, press/release buttons to match the ``buttons`` mask, scroll."""
        ...

    def key(self, down: bool, keysym: int | None = None, text: str | None = None) -> None:
        """Press (``down``) or release one key given by keysym, or type ``text`` on the way down."""
        ...

    def release_all(self) -> None:
        """Release every key and button this sink holds down."""
        ...


def keysym_to_char(keysym: int) -> str | None:
    """The character an X11 keysym stands for, or ``None`` for function keys, modifiers and unknowns."""
    if 0x20 <= keysym <= 0x7E or 0xA0 <= keysym <= 0xFF:
        return chr(keysym)
    if _KEYSYM_UNICODE_BASE + 0x20 <= keysym <= _KEYSYM_UNICODE_MAX:
        return chr(keysym - _KEYSYM_UNICODE_BASE)
    return None


class PynputInputSink:
    """Applies input through ``pynput`` on the current display (``$DISPLAY`` on X11).

    Keysyms on the keyboard map (letters, digits, Return, F1, Control_L, ...) are pressed as real key codes
    through XTEST; characters without a key code, and text, go through pynput's character path (which
    borrows a key code and the right shift level, so "ř" works on a US keyboard map, but is a synthetic
    event that a few clients such as xterm ignore).
    """

    def __init__(self, mapping: ScreenMapping | None = None) -> None:
        try:
            from pynput import keyboard, mouse  # lazily: importing pynput connects to the display
        except ImportError as error:  # pynput reports "no display" and "no backend" as ImportError
            raise InputUnavailable(f"pynput has no usable backend: {error}") from error
        self._keyboard_module: Any = keyboard
        self._mouse_module: Any = mouse
        self._keyboard: Any = keyboard.Controller()
        # Special keys by keysym, as pynput's own members: only those update pynput's modifier state, which
        # it needs to put Shift/Ctrl/Alt into the state of the character events it synthesises.
        self._special_keys: dict[int, Any] = {}
        for member in keyboard.Key:
            vk = getattr(member.value, "vk", None)
            if isinstance(vk, int):
                self._special_keys.setdefault(vk, member)
        self._mouse: Any = mouse.Controller()
        # Key codes go straight through libXtst where it is there: pynput's python-xlib path costs a round
        # trip to the X server (about half a millisecond) per event, on the way from a key to the screen.
        self._xtest = _XTestKeys.open() if "xorg" in type(self._keyboard).__module__ else None
        self._mapping = mapping
        self._buttons = 0
        # Pressed keys by what the peer called them (keysym or text), so a release finds the same pynput key.
        self._held_keys: dict[int | str, Any] = {}

    def set_mapping(self, mapping: ScreenMapping) -> None:
        """Use ``mapping`` for every following pointer event."""
        self._mapping = mapping

    def _button(self, name: str) -> Any:
        return getattr(self._mouse_module.Button, name)

    def move(self, x: int, y: int) -> None:
        """Move the pointer to picture point ``(x, y)``."""
        desktop = (max(0, x), max(0, y)) if self._mapping is None else self._mapping.to_desktop(x, y)
        self._mouse.position = desktop

    def pointer(self, x: int, y: int, buttons: int = 0, wheel: int = 0, wheel_horizontal: int = 0) -> None:
        """Move, then bring the buttons to the state in ``buttons``, then scroll (positive wheel = down)."""
        self._settle_direct_keys()
        self.move(x, y)
        for bit, name in _BUTTON_NAMES:
            was_down, is_down = bool(self._buttons & bit), bool(buttons & bit)
            if is_down and not was_down:
                self._mouse.press(self._button(name))
            elif was_down and not is_down:
                self._mouse.release(self._button(name))
        self._buttons = buttons & (BUTTON_LEFT | BUTTON_MIDDLE | BUTTON_RIGHT)
        if wheel or wheel_horizontal:
            # pynput: positive dy scrolls up; the wire's positive wheel means "towards the user" (down).
            self._mouse.scroll(wheel_horizontal, -wheel)

    def click(self, x: int, y: int, button: int = BUTTON_LEFT, count: int = 1) -> None:
        """Click (``count`` 2: double-click) at picture point ``(x, y)``."""
        for _ in range(count):
            self.pointer(x, y, self._buttons | button)
            self.pointer(x, y, self._buttons & ~button)

    def drag(self, start: tuple[int, int], end: tuple[int, int], button: int = BUTTON_LEFT, steps: int = 8) -> None:
        """Press at ``start``, move in ``steps`` to ``end``, release there."""
        self.pointer(*start, self._buttons | button)
        for step in range(1, steps + 1):
            x = start[0] + (end[0] - start[0]) * step // steps
            y = start[1] + (end[1] - start[1]) * step // steps
            self.pointer(x, y, self._buttons)
        self.pointer(*end, self._buttons & ~button)

    def _key_for_keysym(self, keysym: int) -> Any:
        """The pynput key for ``keysym``.

        A keysym that is on the keyboard map is pressed as its real key code through XTEST, exactly like a
        local key: every client accepts it (xterm, for one, ignores synthetic events), and the modifiers the
        technician holds apply as they would locally. Characters that are not on the map (e.g. "ř" on a US
        map) go through pynput's character path, which borrows a key code and synthesises the event.
        """
        if keysym in self._special_keys:
            return self._special_keys[keysym]
        key_code = self._keyboard_module.KeyCode
        keyboard_map = getattr(self._keyboard, "keyboard_mapping", None)  # X11 backend only
        if keyboard_map is not None and keysym in keyboard_map:
            return key_code.from_vk(keysym)
        char = keysym_to_char(keysym)
        if char is not None:
            return key_code.from_char(char)
        return key_code.from_vk(keysym)

    def key(self, down: bool, keysym: int | None = None, text: str | None = None) -> None:
        """Press or release the key ``keysym``, or type ``text`` (on ``down``; its release is a no-op).

        A single character of text is pressed and released like a key, so holding it repeats in the
        application as it would locally; longer text (input-method output) is typed at once on ``down``.
        """
        if (keysym is None) == (text is None):
            raise ValueError("a key event carries exactly one of keysym and text")
        handle: int | str
        if keysym is not None:
            handle = keysym
            key = self._key_for_keysym(keysym)
        else:
            assert text is not None  # noqa: S101 - narrowed by the check above, for mypy
            if len(text) != 1:
                if down:
                    self._keyboard.type(text)
                return
            handle = text
            key = self._keyboard_module.KeyCode.from_char(text)
        keycode = self._direct_keycode(keysym, key)
        if not keycode:
            self._settle_direct_keys()
        try:
            if keycode:
                self._xtest_key(keycode, down, handle, key)
            elif down:
                self._keyboard.press(key)
                self._held_keys[handle] = key
            elif handle in self._held_keys:
                self._keyboard.release(self._held_keys.pop(handle))
            else:
                self._keyboard.release(key)
        except self._keyboard.InvalidKeyException:
            log.info("key %r cannot be typed on this keyboard map; ignored", handle)

    def _direct_keycode(self, keysym: int | None, key: Any) -> int:
        """The key code to press straight through XTEST, or 0 when pynput must handle the key.

        Only keysyms on the keyboard map that are not pynput's special keys qualify: pynput presses exactly
        these as plain XTEST key codes too, and it must keep seeing its special keys (the modifiers) to put
        them into the character events it synthesises.
        """
        if self._xtest is None or keysym is None or keysym in self._special_keys:
            return 0
        if getattr(key, "vk", None) != keysym:
            return 0  # a character pynput borrows a key code for
        return self._xtest.keycode(keysym)

    def _settle_direct_keys(self) -> None:
        """Let the X server take the direct key events before an event on pynput's connections.

        Events on two connections may be processed in either order; pynput waits for each of its own (so a
        direct event after it is in order), and this waits for the direct ones before the next pynput event
        (so Ctrl released through pynput cannot overtake the "c" it modified). A round trip only when the
        path changes: typing letters never waits.
        """
        if self._xtest is not None:
            self._xtest.sync()

    def _xtest_key(self, keycode: int, down: bool, handle: int | str, key: Any) -> None:
        assert self._xtest is not None  # noqa: S101 - only called when _direct_keycode found a code
        if down:
            self._xtest.send(keycode, down=True)
            self._held_keys[handle] = key  # release_all releases it through pynput: the same XTEST key code
        else:
            self._held_keys.pop(handle, None)
            self._xtest.send(keycode, down=False)

    def type_text(self, text: str) -> None:
        """Type ``text`` (any Unicode) as a sequence of key presses."""
        self._keyboard.type(text)

    def release_all(self) -> None:
        """Release every key and button held through this sink (on revoke, pause or disconnect)."""
        self._settle_direct_keys()
        for handle, key in list(self._held_keys.items()):
            try:
                self._keyboard.release(key)
            except self._keyboard.InvalidKeyException:
                log.info("could not release key %r", handle)
        self._held_keys.clear()
        for bit, name in _BUTTON_NAMES:
            if self._buttons & bit:
                self._mouse.release(self._button(name))
        self._buttons = 0

    def close(self) -> None:
        """Release everything held and close pynput's display connections now (not in a finaliser).

        pynput closes its connections in ``__del__``, which fails noisily when the display went away first.
        """
        self.release_all()
        if self._xtest is not None:
            self._xtest.close()
            self._xtest = None
        for controller in (self._keyboard, self._mouse):
            display = controller.__dict__.pop("_display", None)
            if display is not None:
                display.close()

    @property
    def held(self) -> tuple[int, list[int | str]]:
        """The held button mask and the held keys (for tests and the session's bookkeeping)."""
        return self._buttons, list(self._held_keys)


class _XTestKeys:
    """Key presses through libXtst (ctypes) on a connection of their own: no round trip per event.

    Calls are serialised by a lock (Xlib connections are not shared between threads without one).
    """

    def __init__(self, xlib: Any, xtest: Any, connection: int) -> None:
        self._xlib = xlib
        self._xtest = xtest
        self._connection = connection
        self._lock = threading.Lock()
        self._keycodes: dict[int, int] = {}
        self._unsynced = False

    @classmethod
    def open(cls) -> _XTestKeys | None:
        """Open ``$DISPLAY`` for XTEST, or ``None`` (the caller keeps using pynput)."""
        x11_name, xtest_name = ctypes.util.find_library("X11"), ctypes.util.find_library("Xtst")
        if x11_name is None or xtest_name is None or not os.environ.get("DISPLAY"):
            return None
        xlib, xtest = ctypes.CDLL(x11_name), ctypes.CDLL(xtest_name)
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = (ctypes.c_char_p,)
        xlib.XCloseDisplay.argtypes = (ctypes.c_void_p,)
        xlib.XFlush.argtypes = (ctypes.c_void_p,)
        xlib.XSync.argtypes = (ctypes.c_void_p, ctypes.c_int)
        xlib.XKeysymToKeycode.restype = ctypes.c_ubyte
        xlib.XKeysymToKeycode.argtypes = (ctypes.c_void_p, ctypes.c_ulong)
        xtest.XTestQueryExtension.argtypes = (ctypes.c_void_p, *(ctypes.POINTER(ctypes.c_int),) * 4)
        xtest.XTestFakeKeyEvent.argtypes = (ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong)
        connection = xlib.XOpenDisplay(None)
        if not connection:
            return None
        numbers = [ctypes.c_int() for _ in range(4)]
        if not xtest.XTestQueryExtension(connection, *(ctypes.byref(number) for number in numbers)):
            xlib.XCloseDisplay(connection)
            return None
        return cls(xlib, xtest, connection)

    def keycode(self, keysym: int) -> int:
        """The key code of ``keysym`` on the current keyboard map (0: none)."""
        with self._lock:
            if not self._connection:
                return 0
            if keysym not in self._keycodes:
                self._keycodes[keysym] = int(self._xlib.XKeysymToKeycode(self._connection, keysym))
            return self._keycodes[keysym]

    def send(self, keycode: int, *, down: bool) -> None:
        """Press or release ``keycode`` now (flushed, not waited for)."""
        with self._lock:
            if self._connection:
                self._xtest.XTestFakeKeyEvent(self._connection, keycode, int(down), 0)
                self._xlib.XFlush(self._connection)
                self._unsynced = True

    def sync(self) -> None:
        """Wait until the X server has processed every event sent here (only if any is outstanding)."""
        with self._lock:
            if self._connection and self._unsynced:
                self._xlib.XSync(self._connection, 0)
                self._unsynced = False

    def close(self) -> None:
        """Close the connection; later calls do nothing."""
        with self._lock:
            if self._connection:
                self._xlib.XCloseDisplay(self._connection)
                self._connection = 0
