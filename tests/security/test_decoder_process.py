"""The console's picture decoding in a confined child process (SECURITY-BAR T26/T42).

Each test starts the real decoder process (``python -I -m app.remote.decoder_process``) from a
:class:`SandboxedDecoder` and feeds it real updates of the real encoder (every codec, H.264 included) or the
hostile payloads of tests/security/test_hostile_agent.py, comparing with the in-process ``FrameDecoder``.  A
stand-in child (hostile_decoder_process.py) plays a compromised decoder and probes the confinement.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.cli.child_process import python_module_command
from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.decoder_process import SandboxedDecoder, check_reply
from app.remote.encode import (
    CODEC_COPY,
    CODEC_JPEG,
    CODEC_PACKED,
    CODEC_PACKED_STREAM,
    CODEC_PACKED_STREAM_NEW,
    CODEC_PALETTE,
    CODEC_VIDEO,
    CODEC_ZSTD,
    VIDEO_NEW_STREAM,
    DecodeError,
    EncodedRect,
    FrameDecoder,
    FrameEncoder,
)
from app.remote.privsep import IpcViolation
from tests.remote.agentkit import FakeScreen, ScriptedConsent
from tests.remote.test_encode import desktop, photo, still_clock, terminal
from tests.remote.test_encode_video import panning, ticking_encoder
from tests.security.test_hostile_agent import zstd_bomb

DECODER_PROCESS = python_module_command("app.remote.decoder_process")
HOSTILE = Path(__file__).with_name("hostile_decoder_process.py")
VIEW = p.Capability.VIEW


@pytest.fixture
def decoders() -> Iterator[Callable[..., SandboxedDecoder]]:
    """Sandboxed decoders made by a test; each is closed (its child gone) at the end."""
    made: list[SandboxedDecoder] = []

    def make(command: list[str] | None = None, **options: Any) -> SandboxedDecoder:
        decoder = SandboxedDecoder(command or DECODER_PROCESS, **options)
        made.append(decoder)
        return decoder

    yield make
    for decoder in made:
        decoder.close()


def both_apply(
    sandboxed: SandboxedDecoder, reference: FrameDecoder, width: int, height: int, rects: list[Any]
) -> list[tuple[int, int, int, int]]:
    """Apply one update to both decoders; they must draw the same areas and hold the same picture."""
    drawn = sandboxed.apply(width, height, rects)
    assert drawn == reference.apply(width, height, rects)
    assert np.array_equal(sandboxed.framebuffer, reference.framebuffer)
    return drawn


def typed(screen: np.ndarray, column: int) -> np.ndarray:
    """The screen with one more dark 'character' in the text area (a typing update: codec 5/7/8)."""
    screen = screen.copy()
    screen[400:412, 40 + 8 * column : 46 + 8 * column, :3] = (20, 20, 20)
    return screen


def test_every_codec_decodes_identically_in_the_child(decoders: Callable[..., SandboxedDecoder]) -> None:
    sandboxed, reference = decoders(), FrameDecoder()
    seen: set[int] = set()
    encoder = FrameEncoder(clock=still_clock, refresh_after=1)
    screen = desktop()
    screen[340:600, 0:420] = photo(260, 420)
    frames = [screen] + [typed(screen, column) for column in range(1, 6)]
    frames += [screen, screen]  # the photo's JPEG is refreshed losslessly
    speckled = screen.copy()  # two colours the running stream cannot shrink: plain bit-packed (codec 5)
    speckled[420:436, 500:516][np.random.default_rng(3).random((16, 16)) < 0.5] = (0, 0, 200, 255)
    frames.append(speckled)
    for frame in frames:
        update = encoder.encode(frame)
        seen |= {rect.codec for rect in update.rects}
        both_apply(sandboxed, reference, update.width, update.height, update.rects)
    # Scrolling a terminal (codec 4), at a new screen size: the child's shared framebuffer follows.
    scroller = FrameEncoder(clock=still_clock)
    for first in (0, 3):
        update = scroller.encode(terminal(60, first=first))
        seen |= {rect.codec for rect in update.rects}
        both_apply(sandboxed, reference, update.width, update.height, update.rects)
    expected = {CODEC_ZSTD, CODEC_PALETTE, CODEC_JPEG, CODEC_COPY, CODEC_PACKED, CODEC_PACKED_STREAM}
    expected.add(CODEC_PACKED_STREAM_NEW)
    assert expected <= seen, seen  # raw (codec 0) is never made by the encoder; the tests below send it


def test_h264_video_decodes_identically_in_the_child(decoders: Callable[..., SandboxedDecoder]) -> None:
    pytest.importorskip("av")
    sandboxed, reference = decoders(), FrameDecoder()
    encoder = ticking_encoder()
    video_updates = 0
    for step in range(14):
        update = encoder.encode(panning(step))
        video_updates += any(rect.codec == CODEC_VIDEO for rect in update.rects)
        both_apply(sandboxed, reference, update.width, update.height, update.rects)
    assert video_updates >= 3


def truncated_jpeg() -> EncodedRect:
    update = FrameEncoder(clock=still_clock).encode(photo(64, 64))
    rect = next(r for r in update.rects if r.codec == CODEC_JPEG)
    return rect._replace(data=rect.data[: len(rect.data) // 2])


HOSTILE_UPDATES = [
    pytest.param(lambda: (64, 64, [EncodedRect(0, 0, 64, 64, 1, zstd_bomb(64, 64))]), id="zstd-bomb"),
    pytest.param(lambda: (64, 64, [EncodedRect(0, 0, 64, 64, 200, b"\x00" * 16)]), id="unknown-codec"),
    pytest.param(lambda: (64, 64, [EncodedRect(0, 0, 64, 64, 0, b"\x00" * 10)]), id="short-raw"),
    pytest.param(lambda: (64, 64, [EncodedRect(0, 0, 16, 16, 3, b"\xff\xd8garbage")]), id="bad-jpeg"),
    pytest.param(lambda: (64, 64, [truncated_jpeg()]), id="truncated-jpeg"),
    pytest.param(
        lambda: (
            64,
            64,
            [EncodedRect(0, 0, 64, 64, 6, bytes([VIDEO_NEW_STREAM]) + b"\x00\x00\x01\x65" + b"\xff" * 64)],
        ),
        id="bad-h264",
    ),
    pytest.param(lambda: (64, 64, [EncodedRect(0, 0, 8, 8, 7, b"\x01\x02")]), id="stream-without-start"),
    pytest.param(lambda: (64, 64, [EncodedRect(60, 60, 8, 8, 0, b"\x00" * 256)]), id="outside-the-screen"),
    pytest.param(lambda: (8192, 8192, [EncodedRect(0, 0, 1, 1, 0, b"\x00" * 4)] * 4096), id="huge-and-many"),
]


@pytest.mark.parametrize("hostile_update", HOSTILE_UPDATES)
def test_a_hostile_update_fails_with_the_same_reason_as_in_one_process(
    decoders: Callable[..., SandboxedDecoder], hostile_update: Callable[[], tuple[int, int, list[EncodedRect]]]
) -> None:
    width, height, rects = hostile_update()
    with pytest.raises(DecodeError) as in_process:
        FrameDecoder().apply(width, height, rects)
    with pytest.raises(DecodeError) as sandboxed:
        decoders().apply(width, height, rects)
    assert str(sandboxed.value) == str(in_process.value)
    assert sandboxed.value.user_message == in_process.value.user_message


def test_the_child_is_confined_and_has_none_of_the_consoles_secrets(
    decoders: Callable[..., SandboxedDecoder], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
    monkeypatch.setenv("DISPLAY", ":99")
    decoder = decoders()
    decoder.apply(8, 8, [EncodedRect(0, 0, 8, 8, 0, b"\x07" * 256)])
    assert decoder.confinement.startswith("protocol process confinement complete:"), decoder.confinement
    environment = Path(f"/proc/{decoder.child_pid}/environ").read_bytes().split(b"\0")
    names = {entry.split(b"=")[0] for entry in environment if entry}
    assert os.environ["SSH_AUTH_SOCK"] and os.environ["DISPLAY"]  # the console has them
    assert not names & {b"SSH_AUTH_SOCK", b"DISPLAY", b"XAUTHORITY"}, names
    assert b"OPENBLAS_NUM_THREADS" in names  # numpy started no threads before the child confined itself


def test_the_confined_child_cannot_read_or_write_the_tests_files(
    decoders: Callable[..., SandboxedDecoder], tmp_path: Path
) -> None:
    secret = tmp_path / "case-key"
    secret.write_bytes(b"not for the decoder")
    decoder = decoders([sys.executable, str(HOSTILE), "probe", str(secret)])
    drawn = decoder.apply(4, 4, [EncodedRect(0, 0, 4, 4, 0, b"\x01" * 64)])
    assert drawn == [(0, 0, 4, 4)]  # the probe serves real updates after probing
    assert "confinement complete" in decoder.confinement
    assert "read=no" in decoder.confinement and "write=no" in decoder.confinement, decoder.confinement
    assert not (tmp_path / "written-by-decoder").exists()


def test_a_killed_child_ends_the_next_update_at_once(decoders: Callable[..., SandboxedDecoder]) -> None:
    decoder = decoders(reply_seconds=20)
    decoder.apply(8, 8, [EncodedRect(0, 0, 8, 8, 0, b"\x07" * 256)])
    picture = decoder.framebuffer.copy()
    os.kill(decoder.child_pid, signal.SIGKILL)
    errors: list[DecodeError] = []
    finished = threading.Event()

    def next_update() -> None:
        try:
            decoder.apply(8, 8, [EncodedRect(0, 0, 8, 8, 0, b"\x01" * 256)])
        except DecodeError as error:
            errors.append(error)
        finally:
            finished.set()

    threading.Thread(target=next_update, daemon=True).start()
    # The lost connection wakes the waiting update; at the latest the answer's deadline ends it (never a hang).
    assert finished.wait(60), "the update hung on a dead decoder"
    assert errors and "the picture decoder stopped" in str(errors[0]), errors
    assert "no answer" not in str(errors[0])  # the end of the connection was seen, not waited out
    assert np.array_equal(decoder.framebuffer, picture)  # the last picture stays readable
    with pytest.raises(DecodeError, match="the picture decoder stopped"):  # and every later update fails at once
        decoder.apply(8, 8, [EncodedRect(0, 0, 8, 8, 0, b"\x01" * 256)])


def test_a_child_that_stops_answering_is_given_up_and_killed(decoders: Callable[..., SandboxedDecoder]) -> None:
    decoder = decoders([sys.executable, str(HOSTILE), "silent"], reply_seconds=1)
    with pytest.raises(DecodeError, match="the picture decoder stopped: no answer"):
        decoder.apply(8, 8, [EncodedRect(0, 0, 8, 8, 0, b"\x07" * 256)])
    assert not Path(f"/proc/{decoder.child_pid}").exists()


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("outside", "outside the 8x8 screen"),
        ("small", "a shared framebuffer of 128 bytes for a 8x8 screen"),
        ("unsealed", "may shrink"),
    ],
)
def test_a_lying_child_is_refused(decoders: Callable[..., SandboxedDecoder], mode: str, reason: str) -> None:
    decoder = decoders([sys.executable, str(HOSTILE), mode])
    with pytest.raises(DecodeError, match="the picture decoder stopped: it answered wrongly") as refused:
        decoder.apply(8, 8, [EncodedRect(0, 0, 8, 8, 0, b"\x07" * 256)])
    assert reason in str(refused.value)
    assert decoder.framebuffer.shape == (0, 0, 4)  # nothing of the lying answer was mapped as the picture
    assert not Path(f"/proc/{decoder.child_pid}").exists()


@pytest.mark.parametrize(
    "reply",
    [
        {"op": "drawn", "width": 9, "height": 8, "areas": []},
        {"op": "drawn", "width": 8, "height": 8, "areas": [[0, 0, 8, 9]]},
        {"op": "drawn", "width": 8, "height": 8, "areas": [[-1, 0, 1, 1]]},
        {"op": "drawn", "width": 8, "height": 8, "areas": [[0, 0, 0, 1]]},
        {"op": "drawn", "width": 8, "height": 8, "areas": [[0, 0, 1, True]]},
        {"op": "drawn", "width": 8, "height": 8, "areas": [[0, 0, 1, 1]] * 3},
        {"op": "drawn", "width": 8, "height": 8, "areas": "all"},
        {"op": "hello", "width": 8, "height": 8, "areas": []},
    ],
)
def test_check_reply_refuses_what_the_child_may_not_say(reply: dict[str, Any]) -> None:
    with pytest.raises(IpcViolation):
        check_reply(reply, 8, 8, 2, 8 * 8 * 4)


def test_check_reply_accepts_an_honest_answer_and_needs_room_for_the_screen() -> None:
    honest = {"op": "drawn", "width": 8, "height": 8, "areas": [[0, 0, 8, 8], [7, 7, 1, 1]]}
    assert check_reply(honest, 8, 8, 2, 8 * 8 * 4) == [(0, 0, 8, 8), (7, 7, 1, 1)]
    with pytest.raises(IpcViolation):
        check_reply(honest, 8, 8, 2, 8 * 8 * 4 - 1)


def test_a_console_session_through_the_sandboxed_decoder_shows_the_exact_screen(
    decoders: Callable[..., SandboxedDecoder],
) -> None:
    screen = FakeScreen()
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})))  # type: ignore[arg-type]
    ours, theirs = socket.socketpair()
    agent.serve_stream(theirs)
    exact = threading.Event()

    def on_frame(framebuffer: np.ndarray, _drawn: list[tuple[int, int, int, int]]) -> None:
        if np.array_equal(framebuffer, screen.image):
            exact.set()
        client.frame_drawn()

    decoder = decoders()
    client = TechnicianClient(
        ours,
        code=agent.code(),
        capabilities=frozenset({VIEW}),
        callbacks=TechnicianCallbacks(on_frame=on_frame),
        decoder=decoder,
    )
    client.start()
    try:
        assert exact.wait(20)
        assert "confinement complete" in decoder.confinement
        child = decoder.child_pid
        assert Path(f"/proc/{child}").exists()
    finally:
        client.stop()
        assert client.wait_closed(10)
        agent.stop()
        ours.close()
        theirs.close()
    assert not Path(f"/proc/{child}").exists()  # closing the session ended (and reaped) the decoder


@pytest.mark.parametrize("command", ["console", "view"])
def test_console_and_view_decode_confined_unless_single_process(command: str) -> None:
    from app.cli import build_parser
    from app.cli.console import picture_decoders

    target = ["user-pc", "--code", "123-456-789", "--seconds", "1"] if command == "view" else []
    parser = build_parser()
    assert picture_decoders(parser.parse_args([command, *target, "--single-process"]).single_process) is None
    factory = picture_decoders(parser.parse_args([command, *target]).single_process)
    assert factory is not None
    decoder = factory()
    assert isinstance(decoder, SandboxedDecoder)
    assert decoder.child_pid == 0  # the child starts with the first picture, not before


@pytest.mark.parametrize(
    ("header", "blob"),
    [
        ({"op": "apply", "id": 1, "width": 8, "height": 8, "rects": [[0, 0, 0, 8, 8, 999]]}, b"\x00" * 256),
        ({"op": "apply", "id": 1, "width": 8, "height": 8, "rects": [[0, 0, 0, 8, 8, 4]]}, b"\x00" * 256),
        ({"op": "apply", "id": 1, "width": 8, "height": 8, "rects": [[0, -1, 0, 8, 8, 256]]}, b"\x00" * 256),
        ({"op": "apply", "id": 1, "width": 8, "height": 8, "rects": [[0, 0, 0, 8, 8]]}, b"\x00" * 256),
        ({"op": "apply", "id": 1, "width": 8, "height": 8, "rects": "all"}, b""),
        ({"op": "apply", "id": 1, "width": 8, "height": True, "rects": []}, b""),
        ({"op": "apply", "id": 1, "width": 8, "height": 20000, "rects": []}, b""),
        ({"op": "apply", "width": 8, "height": 8, "rects": []}, b""),
        ({"op": "shell", "id": 1}, b""),
    ],
)
def test_the_child_ends_the_connection_on_a_malformed_request(header: dict[str, Any], blob: bytes) -> None:
    from app.remote.decoder_process import DecoderProcess

    ours, theirs = socket.socketpair()
    try:
        child = DecoderProcess(theirs, "not confined: the request parser alone")
        with pytest.raises(IpcViolation):
            child._handle(header, blob, [])
    finally:
        ours.close()
        theirs.close()


class LoopbackConnection:
    """The console's SSH connection, stood in by a plain TCP connection to the agent on 127.0.0.1."""

    def open_stream(self, host: str, port: int) -> socket.socket:
        return socket.create_connection((host, port), timeout=10)

    def round_trip_seconds(self) -> float:
        return 0.001

    def close(self) -> None:
        pass


def test_the_console_windows_session_decodes_in_the_child_and_ends_it(
    qtbot: Any, decoders: Callable[..., SandboxedDecoder], tmp_path: Path
) -> None:
    from app.ui.console.addressbook import AddressBook
    from app.ui.console.dialogs import ConnectRequest
    from app.ui.console.session import SessionTab
    from app.ui.console.window import ConsoleWindow
    from app.ui.console.wiring import RemoteSessionFactory
    from app.ui.settings import UiSettings

    screen = FakeScreen(320, 200)
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})), encoder_factory=FrameEncoder)  # type: ignore[arg-type]
    port = agent.listen(0)
    made: list[SandboxedDecoder] = []

    def decoder_factory() -> SandboxedDecoder:
        made.append(decoders())
        return made[-1]

    factory = RemoteSessionFactory(lambda _target, _asker: LoopbackConnection(), decoder_factory=decoder_factory)
    console = ConsoleWindow(UiSettings(), factory=factory, book=AddressBook(tmp_path / "none", tmp_path / "book.json"))
    qtbot.addWidget(console)
    console.show()
    try:
        console.connect_to(ConnectRequest("gateway", "user-pc", code=agent.code().replace("-", ""), port=port))
        qtbot.waitUntil(lambda: console.tabs.count() == 1, timeout=20000)
        tab = console.current_tab()
        assert isinstance(tab, SessionTab)
        qtbot.waitUntil(lambda: tab.screen_view.remote_size().width() == 320, timeout=20000)
        assert len(made) == 1 and "confinement complete" in made[0].confinement
        # The first picture may be lossy; the refresh that follows makes it exact.
        qtbot.waitUntil(lambda: np.array_equal(made[0].framebuffer, screen.image), timeout=20000)
        child = Path(f"/proc/{made[0].child_pid}")
        assert child.exists()
        tab.end_session()
        qtbot.waitUntil(lambda: tab.ended, timeout=10000)
        qtbot.waitUntil(lambda: not child.exists(), timeout=10000)  # the session's end ended the decoder
    finally:
        agent.stop()
        assert agent.wait_stopped(5)
