"""Coverage-guided fuzz target for the console ⇄ agent wire decoder (SECURITY-BAR T42), with atheris.

Input: one frame payload as it arrives off the wire. The contract under test:

* :func:`app.remote.protocol.decode` raises nothing but ``ProtocolError``, and so does the connection-level
  decoder (:class:`app.remote.protocol.UpdateContext`, which also reads the compact updates of tag 33) after a
  full update has set the screen size;
* whatever it accepts re-encodes and decodes to the same message (no lossy or ambiguous parse);
* a decoded ``FrameUpdate`` fed to the viewer's ``FrameDecoder`` raises nothing but ``DecodeError``
  (the screen codec is the TeamViewer/Guacamole-class risk: sizes, counts, decompression bombs).

Any other exception is a finding: libFuzzer stops and writes the input to ``crash-<sha1>``.

Run (bounded; new inputs go to the first folder, the committed seeds are only read)::

    .venv/bin/python fuzz/fuzz_protocol.py -max_total_time=20 /tmp/new-corpus fuzz/corpus/protocol
    .venv/bin/python fuzz/fuzz_protocol.py crash-<sha1>          # replay one finding

Regenerate the seeds (one file per message type) with ``python fuzz/fuzz_protocol.py --make-seeds DIR``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

with atheris.instrument_imports(include=["app"]):
    from app.remote import encode as screen_codec
    from app.remote import protocol

# Small screens keep each run fast and bounded; the limits themselves are what is being tested.
_VIEWER_LIMITS = {"max_width": 512, "max_height": 512, "max_pixels": 512 * 512}
#: The connection state a compact update is read against: a full 256×192 update (seq 40, last rect at 100, 50).
_PRIMING_UPDATE = protocol.FrameUpdate(40, 256, 192, [protocol.Rect(100, 50, 8, 16, 7, b"\x01")])


def primed_context() -> protocol.UpdateContext:
    """A connection's update context after :data:`_PRIMING_UPDATE` went through it."""
    context = protocol.UpdateContext()
    context.encode(_PRIMING_UPDATE)
    return context


def test_one_input(data: bytes) -> None:
    """The fuzz entry point: one wire payload."""
    try:
        message = primed_context().decode(data)
    except protocol.ProtocolError:
        return
    again = primed_context().decode(primed_context().encode(message))
    if again != message:
        raise AssertionError(f"round trip changed the message: {message!r} -> {again!r}")
    if data[:1] != bytes([protocol.SMALL_UPDATE_TAG]) and protocol.decode(data) != message:
        raise AssertionError(f"the stateless decoder disagrees: {message!r}")
    if isinstance(message, protocol.FrameUpdate):
        decoder = screen_codec.FrameDecoder(**_VIEWER_LIMITS)
        try:
            decoder.apply(message.width, message.height, message.rects)
        except screen_codec.DecodeError:
            return


def seed_messages() -> list[protocol.Message]:
    """One valid message of every type (and a few codec variants): the committed seed corpus."""
    p = protocol
    import numpy as np

    # Real encoder output for every codec the viewer accepts: flat UI (palette/zstd) and a photo-like
    # gradient (JPEG when lossy), so the fuzzer starts from payloads that reach deep into the decoder.
    frame = np.zeros((64, 128, 4), dtype=np.uint8)
    frame[8:40, 8:40] = (10, 200, 30, 255)
    gradient = np.arange(64 * 64 * 4, dtype=np.uint32).reshape(64, 64, 4)
    frame[:, 64:] = ((gradient * 2654435761) >> 13 & 0xFF).astype(np.uint8)
    codec_updates = []
    for lossy in (False, True):
        encoded = screen_codec.FrameEncoder(lossy=lossy).encode(frame)
        rects = [p.Rect(r.x, r.y, r.width, r.height, r.codec, bytes(r.data)) for r in encoded.rects]
        codec_updates.append(p.FrameUpdate(4, 128, 64, rects))
    return [
        p.Hello(p.PROTOCOL_VERSION, p.Role.TECHNICIAN, ["codec:0", "codec:1"]),
        p.PairStart(b"\x01" * 33),
        p.PairReply(b"\x02" * 33, b"\x03" * 32),
        p.PairConfirm(b"\x04" * 32),
        p.ConsentRequest(b"cert", [p.Capability.VIEW, p.Capability.CONTROL], "printer broken", "CASE-7"),
        p.ConsentDecision([p.Capability.VIEW]),
        p.Revoke([p.Capability.CONTROL]),
        p.Pause(),
        p.Resume(),
        p.ScreenInfo([p.Monitor(0, 0, 0, 1920, 1080, 1.0), p.Monitor(1, -1280, 0, 1280, 1024, 2.0)], 1),
        p.SelectMonitor(1),
        p.FrameRequest(True, 65536),
        p.FrameUpdate(3, 64, 32, [p.Rect(0, 0, 2, 2, screen_codec.CODEC_RAW, b"\x00" * 16)]),
        *codec_updates,
        p.CursorUpdate(5, 6, True, p.CursorShape(1, 1, 0, 0, b"\xff" * 4)),
        p.Pointer(10, 20, 1, -1),
        p.Key(True, keysym=0xFF0D),
        p.Key(False, text="ř"),
        p.Clipboard("copied"),
        p.Chat("Příliš žluťoučký kůň"),
        p.RunScript("r1", b"{}"),
        p.ScriptProgress("r1", b"50%"),
        p.ScriptResult("r1", b"ok"),
        p.ApprovalRequest("r2", b"restart cups"),
        p.ApprovalDecision("r2", True),
        p.Feedback(5, "thanks"),
        p.Notice("wayland", "The screen cannot be captured on a Wayland session."),
        p.Bye("done"),
        p.ResumeStart(b"\x05" * 8, 2, b"\x06" * 32, 17),
        p.ResumeChallenge(b"\x07" * 32, 3, b"\x08" * 32),
        p.ResumeConfirm(b"\x09" * 32),
        p.Resumed([p.Capability.VIEW], False),
        p.ChangeReport("clean_temp"),
    ]


def all_seed_messages() -> list[protocol.Message]:
    """The hand-made seeds plus a default instance of any message type they miss (new, field-less types)."""
    messages = seed_messages()
    covered = {type(m) for m in messages}
    for cls in protocol.Message.__args__:  # type: ignore[attr-defined]
        if cls not in covered:
            try:
                messages.append(cls())
            except TypeError:
                continue  # has required fields: add a sample to seed_messages() by hand
    return messages


def small_update_seeds() -> list[bytes]:
    """Compact updates (tag 33) against :func:`primed_context`: a typed glyph, and two rects with pending set."""
    p = protocol
    glyph = p.FrameUpdate(41, 256, 192, [p.Rect(108, 50, 8, 16, screen_codec.CODEC_RAW, b"\x00" * 512)])
    pair = p.FrameUpdate(
        43,
        256,
        192,
        [p.Rect(0, 0, 2, 2, screen_codec.CODEC_RAW, b"\x10" * 16), p.Rect(200, 180, 1, 1, 0, b"\x20" * 4)],
        pending=True,
    )
    return [primed_context().encode(update) for update in (glyph, pair)]


def make_seeds(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    seeds = [(type(message).__name__, protocol.encode(message)) for message in all_seed_messages()]
    seeds += [("SmallUpdate", data) for data in small_update_seeds()]
    for kind, data in seeds:
        name = f"{kind}-{hashlib.sha1(data).hexdigest()[:12]}"  # noqa: S324 - a file name
        (folder / name).write_bytes(data)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--make-seeds":
        make_seeds(Path(sys.argv[2]))
        return
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
