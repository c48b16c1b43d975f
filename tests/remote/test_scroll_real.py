"""Scroll detection on real scrolling: an xterm that prints lines and a Qt text view that scrolls (issue 4).

Each application runs on an X server of this module's own (so no other test's window is in the picture) and is
driven through a pipe: the test asks for a scroll, waits until X DAMAGE has reported the drawing and the screen
is quiet again, grabs it, and encodes it against the previous state. The update must carry the move as a copy
instruction plus the newly exposed strip, cost no more than x11vnc's scroll detection (1–4 KB), and decode to
exactly the grabbed screen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pytest

from app.remote.capture import DamageWatch, Monitor, MssScreenSource
from app.remote.encode import CODEC_COPY, EncodedFrame, FrameDecoder, FrameEncoder
from app.remote.localdisplay import VirtualDisplay, start_xvfb

pytestmark = pytest.mark.xvfb

#: What x11vnc's scroll detection costs per update (issue 4): a scroll must not cost more.
SCROLL_BYTES_LIMIT = 4096
QUIET_SECONDS = 0.3  # no drawing for this long: the application has finished drawing the step


def still_clock() -> float:
    """A clock that never moves: no link samples, so the encoder's choices do not depend on speed."""
    return 0.0


@pytest.fixture(scope="module")
def display() -> Iterator[VirtualDisplay]:
    started = start_xvfb()
    yield started
    started.stop()


@pytest.fixture
def screen(display: VirtualDisplay, monkeypatch: pytest.MonkeyPatch) -> Iterator[MssScreenSource]:
    monkeypatch.setenv("DISPLAY", display.name)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    source = MssScreenSource()
    yield source
    source.close()


class Scroller:
    """An application on the display that scrolls one step per line written to its command pipe.

    The pipe is the application's stdin, or a FIFO (``fifo``) for a program that runs inside a terminal, whose
    stdin is the terminal.
    """

    def __init__(
        self, argv: list[str], display: VirtualDisplay, *, env: dict[str, str] | None = None, fifo: Path | None = None
    ) -> None:
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL if fifo is not None else subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DISPLAY": display.name, **(env or {})},
            text=True,
        )
        self.fifo = fifo
        self._commands: IO[str] | None = self.process.stdin

    def step(self) -> None:
        assert self.process.poll() is None, "the application has ended"
        if self._commands is None:
            assert self.fifo is not None
            self._commands = open(self.fifo, "w")  # noqa: SIM115 - held open across steps, closed in close()
        self._commands.write("scroll\n")
        self._commands.flush()

    def close(self) -> None:
        if self._commands is not None:
            self._commands.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def settle(watch: DamageWatch, monitor: Monitor, frame: np.ndarray | None, *, first_within: float) -> np.ndarray:
    """Wait for drawing (at most ``first_within`` seconds), then until the screen is quiet; return the picture."""
    assert watch.wait(first_within), "the application drew nothing"
    frame, _ = watch.grab_changes(monitor, frame)
    for _ in range(200):
        if not watch.wait(QUIET_SECONDS):
            return frame
        frame, _ = watch.grab_changes(monitor, frame)
    raise AssertionError("the screen never became quiet")


def scroll_updates(scroller: Scroller, screen: MssScreenSource, steps: int) -> list[tuple[EncodedFrame, np.ndarray]]:
    """The first full update, then one per scroll step: each encoded against the previous picture, with it."""
    watch = screen.open_change_watch()
    assert watch is not None, "the X server has no DAMAGE"
    try:
        monitor = screen.monitors()[0]
        frame = settle(watch, monitor, None, first_within=30.0)  # the application is up and drawn
        picture = screen.grab(monitor)
        encoder = FrameEncoder(clock=still_clock)
        results = [(encoder.encode(picture), picture)]
        for _ in range(steps):
            scroller.step()
            frame = settle(watch, monitor, frame.copy(), first_within=10.0)
            picture = screen.grab(monitor)
            update = encoder.encode(picture)
            while update.pending:  # a lossy first pass is refined until exact (text should not need it)
                results.append((update, picture))
                update = encoder.encode(picture)
            results.append((update, picture))
        return results
    finally:
        watch.close()


def check_scrolls(
    results: list[tuple[EncodedFrame, np.ndarray]], *, byte_limit: int | None = None, saving: int = 3
) -> None:
    """Every update decodes to exactly its picture; most steps are moves that cost ``saving`` times less than
    repainting (and at most ``byte_limit``)."""
    decoder = FrameDecoder()
    for update, picture in results:
        decoder.apply(update.width, update.height, update.rects)
        if not update.pending:
            assert np.array_equal(decoder.framebuffer[..., :3], picture[..., :3])
    moves = 0
    for (update, picture), (_, before) in zip(results[1:], results, strict=False):
        if not any(rect.codec == CODEC_COPY for rect in update.rects):
            continue
        moves += 1
        repaint = FrameEncoder(clock=still_clock, detect_scroll=False)
        repaint.encode(before)
        shape = [(rect.codec, rect.x, rect.y, rect.width, rect.height, len(rect.data)) for rect in update.rects]
        assert update.byte_count * saving <= repaint.encode(picture).byte_count, shape
        if byte_limit is not None:
            assert update.byte_count <= byte_limit, (update.byte_count, shape)
    assert moves * 2 >= len(results) - 1, [[rect.codec for rect in update.rects] for update, _ in results[1:]]


def test_an_xterm_printing_lines_scrolls_as_a_copy_plus_the_new_lines(
    display: VirtualDisplay, screen: MssScreenSource, tmp_path: Path
) -> None:
    # Fill the terminal, then print three more numbered lines for every line the test writes.
    script = (
        "import sys\n"
        "n = 0\n"
        "def lines(k):\n"
        "    global n\n"
        "    for _ in range(k):\n"
        "        n += 1\n"
        "        print(f'{n:4d}  the quick brown fox jumps over the lazy dog  {n * 7919 % 10007:5d}', flush=True)\n"
        "lines(40)\n"
        "for _ in open(sys.argv[1]):\n"
        "    lines(3)\n"
    )
    fifo = tmp_path / "commands"
    os.mkfifo(fifo)
    colours = ["-bg", "white", "-fg", "black", "+sb"]
    argv = ["xterm", "-geometry", "80x24+0+0", *colours, "-e", sys.executable, "-c", script, str(fifo)]
    scroller = Scroller(argv, display, fifo=fifo)
    try:
        check_scrolls(scroll_updates(scroller, screen, steps=6), byte_limit=SCROLL_BYTES_LIMIT)
    finally:
        scroller.close()


QT_TEXT_VIEW = """
import sys
from PySide6.QtCore import QSocketNotifier
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QPlainTextEdit

app = QApplication(sys.argv)
view = QPlainTextEdit()
font = QFont("DejaVu Sans Mono")
font.setPixelSize(15)  # whole-pixel line spacing: three lines move the text by a whole number of pixels
view.setFont(font)
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar".split()
# Every line different (as in a real document), so repainting costs what it would.
view.setPlainText("\\n".join(f"{n:4d}  " + " ".join(words[(n * 7 + i * 3) % len(words)] for i in range(9))
                              for n in range(1, 400)))
view.setGeometry(0, 0, 700, 500)
view.show()
bar = view.verticalScrollBar()
bar.setValue(12)  # away from the top: the document margin there makes the first step no pure move


def scroll() -> None:
    if not sys.stdin.readline():
        app.quit()
        return
    bar.setValue(bar.value() + 3)  # three lines down, as a mouse wheel notch does


notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
notifier.activated.connect(scroll)
app.exec()
"""


def test_a_qt_text_view_scrolled_by_three_lines_goes_as_a_copy_plus_the_new_lines(
    display: VirtualDisplay, screen: MssScreenSource, tmp_path: Path
) -> None:
    program = tmp_path / "text_view.py"
    program.write_text(QT_TEXT_VIEW)
    scroller = Scroller([sys.executable, str(program)], display, env={"QT_QPA_PLATFORM": "xcb"})
    # Anti-aliased text in many shades: a move must cost far less than repainting, whatever the glyphs cost.
    # The scrollbar's thumb moves beside the top lines; those rows still join the move (encode.py's
    # _SCROLL_SLICES), which made it 7.4 times cheaper than repainting here instead of 2.9.
    try:
        check_scrolls(scroll_updates(scroller, screen, steps=6), saving=5)
    finally:
        scroller.close()
