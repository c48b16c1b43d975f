"""The wire protocol: round trips, limits, and that malformed bytes only ever raise ProtocolError."""

from __future__ import annotations

import contextlib

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.remote import protocol as p

SAMPLES: list[p.Message] = [
    p.Hello(p.PROTOCOL_VERSION, p.Role.TECHNICIAN, ["codec:0"]),
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
    p.FrameUpdate(3, 64, 32, [p.Rect(0, 0, 2, 2, 0, b"\x00" * 16)]),
    p.FrameUpdate(4, 64, 32, [], pending=True),
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
    p.Heartbeat(),
    p.ResumeStart(b"\x05" * 8, 2, b"\x06" * 32, 17),
    p.ResumeChallenge(b"\x07" * 32, 3, b"\x08" * 32),
    p.ResumeConfirm(b"\x09" * 32),
    p.Resumed([p.Capability.VIEW], False),
    p.ChangeReport("clear_print_queue"),
]


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips(message: p.Message) -> None:
    assert p.decode(p.encode(message)) == message


def test_frame_update_without_pending_still_decodes() -> None:
    # Version 1 updates written before ``pending`` existed carry four fields.
    assert p.decode(msgspec.msgpack.encode([13, 1, 2, 2, []])) == p.FrameUpdate(1, 2, 2, [], pending=False)


def test_every_message_type_has_a_sample_and_a_unique_tag() -> None:
    kinds = p.Message.__args__  # type: ignore[attr-defined]
    assert {type(m) for m in SAMPLES} == set(kinds)
    tags = [k.__struct_config__.tag for k in kinds]
    assert len(tags) == len(set(tags))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (msgspec.msgpack.encode([999, 1]), "unknown message tag"),
        (msgspec.msgpack.encode(["hello"]), "unknown message tag"),
        (b"\xc1", "undecodable"),
        (b"", "undecodable"),
        (msgspec.msgpack.encode([18, 5]), "invalid message"),  # Chat with an int for text
        (msgspec.msgpack.encode([16, True, 65, "a"]), "exactly one"),  # both keysym and text
        (msgspec.msgpack.encode([13, 0, 10, 10, [[5, 5, 10, 10, 0, b""]]]), "outside the screen"),
        (msgspec.msgpack.encode([13, 0, 99999, 10, []]), "invalid message"),  # screen too wide
        (msgspec.msgpack.encode([18, "x" * (p.MAX_CHAT_CHARS + 1)]), "invalid message"),
        (msgspec.msgpack.encode([5, b"", [], "", ""]), "asks for nothing"),
        (msgspec.msgpack.encode([6, ["view", "view"]]), "repeat"),
        (msgspec.msgpack.encode([6, ["root"]]), "invalid message"),  # unknown capability
        (msgspec.msgpack.encode([24, 6, ""]), "invalid message"),  # rating out of range
        (msgspec.msgpack.encode([8, "extra"]), "invalid message"),  # unknown trailing field
    ],
)
def test_malformed_input_is_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.decode(raw)
    assert reason in caught.value.reason


def test_too_many_rects_are_rejected() -> None:
    rect = [0, 0, 1, 1, 0, b""]
    raw = msgspec.msgpack.encode([13, 0, 10, 10, [rect] * (p.MAX_RECTS_PER_UPDATE + 1)])
    with pytest.raises(p.ProtocolError):
        p.decode(raw)


def test_oversize_input_is_rejected_before_parsing() -> None:
    with pytest.raises(p.ProtocolError, match="too large"):
        p.decode(b"\x00" * (p.MAX_MESSAGE_BYTES + 1))


def test_encode_refuses_oversize_messages() -> None:
    big = p.FrameUpdate(0, 1, 1, [p.Rect(0, 0, 1, 1, 0, b"\x00" * p.MAX_MESSAGE_BYTES)])
    with pytest.raises(p.ProtocolError, match="too large"):
        p.encode(big)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512))
def test_decode_of_arbitrary_bytes_only_raises_protocol_error(raw: bytes) -> None:
    try:
        message = p.decode(raw)
    except p.ProtocolError:
        return
    assert p.decode(p.encode(message)) == message


@settings(max_examples=300)
@given(st.sampled_from(SAMPLES), st.data())
def test_decode_of_mutated_messages_only_raises_protocol_error(message: p.Message, data: st.DataObject) -> None:
    raw = bytearray(p.encode(message))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    with contextlib.suppress(p.ProtocolError):
        p.decode(bytes(raw))


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(1, 50), st.integers(1, 50)),
        max_size=8,
    ),
    st.integers(0, 2**40),
)
def test_frame_updates_round_trip(rects: list[tuple[int, int, int, int]], seq: int) -> None:
    update = p.FrameUpdate(seq, 200, 200, [p.Rect(x, y, w, h, 0, bytes(w)) for x, y, w, h in rects])
    assert p.decode(p.encode(update)) == update


@pytest.mark.parametrize("script_id", ["", "has space", "../etc", "x" * 65, "-leading-dash", "ünïcode"])
def test_a_change_report_names_a_script_id_and_nothing_else(script_id: str) -> None:
    """The id is looked up in the user's own library: no free text, paths or option-like values get through."""
    with pytest.raises(p.ProtocolError):
        p.decode(p.encode(p.ChangeReport(script_id)))


# --- compact screen updates (tag 33) -------------------------------------------------------------------------


def _linked() -> tuple[p.UpdateContext, p.UpdateContext]:
    """The sender's and the receiver's context of one direction of one connection."""
    return p.UpdateContext(), p.UpdateContext()


def _carry(sender: p.UpdateContext, receiver: p.UpdateContext, message: p.Message) -> tuple[bytes, p.Message]:
    wire = sender.encode(message)
    return wire, receiver.decode(wire)


def test_a_typed_character_travels_with_four_bytes_of_header() -> None:
    sender, receiver = _linked()
    first = p.FrameUpdate(1, 1920, 1080, [p.Rect(0, 0, 1920, 1080, 2, b"full frame")])
    wire, decoded = _carry(sender, receiver, first)
    assert wire == p.encode(first) and decoded == first  # the first update of a connection is a full one
    glyph = p.FrameUpdate(2, 1920, 1080, [p.Rect(606, 452, 12, 17, 7, b"\x00glyph")])
    wire, decoded = _carry(sender, receiver, glyph)
    assert decoded == glyph
    assert wire[0] == p.SMALL_UPDATE_TAG and wire.endswith(b"\x00glyph")
    # Far from the previous rectangle the positions take two bytes each; the next glyph beside it, one each.
    assert len(wire) - len(b"\x00glyph") == 8
    following = p.FrameUpdate(3, 1920, 1080, [p.Rect(612, 452, 12, 17, 7, b"\x01next")], pending=True)
    wire, decoded = _carry(sender, receiver, following)
    assert decoded == following
    assert len(wire) - len(b"\x01next") == 4
    assert len(p.encode(following)) - len(b"\x01next") == 23  # the full form of the same update


def test_updates_that_gain_nothing_stay_full() -> None:
    sender, receiver = _linked()
    _carry(sender, receiver, p.FrameUpdate(1, 100, 100, [p.Rect(0, 0, 1, 1, 0, b"\x00" * 4)]))
    resized = p.FrameUpdate(2, 200, 100, [p.Rect(0, 0, 1, 1, 0, b"\x00" * 4)])
    many = p.FrameUpdate(3, 200, 100, [p.Rect(i, 0, 1, 1, 0, b"\x00" * 4) for i in range(p.SMALL_UPDATE_MAX_RECTS + 1)])
    empty = p.FrameUpdate(4, 200, 100, [], pending=True)
    for update in (resized, many, empty):
        wire, decoded = _carry(sender, receiver, update)
        assert wire == p.encode(update) and decoded == update
    assert sender.encode(p.Chat("hi")) == p.encode(p.Chat("hi"))


def test_a_compact_update_needs_its_connection() -> None:
    sender, _ = _linked()
    sender.encode(p.FrameUpdate(1, 100, 100, [p.Rect(0, 0, 1, 1, 0, b"\x00" * 4)]))
    wire = sender.encode(p.FrameUpdate(2, 100, 100, [p.Rect(5, 5, 1, 1, 0, b"\x00" * 4)]))
    with pytest.raises(p.ProtocolError, match="outside a connection"):
        p.decode(wire)
    with pytest.raises(p.ProtocolError, match="before any full update"):
        p.UpdateContext().decode(wire)


def _primed() -> p.UpdateContext:
    context = p.UpdateContext()
    context.decode(p.encode(p.FrameUpdate(10, 100, 80, [p.Rect(50, 40, 1, 1, 0, b"\x00" * 4)])))
    return context


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x21", "cut short"),
        (b"\x21\x00\x00", "cut short"),
        (b"\x21\x00\x00\x04\x01", "cut short"),  # a width without a height
        (b"\x21" + b"\xff" * 11, "over-long"),
        (b"\x21\x64\x00\x0c", "outside the screen"),  # x = 50 + 50: off the 100-wide screen
        (b"\x21\x00\x00\x04\x64\x01", "outside the screen"),  # 100 wide from x = 50
        (b"\x21\x65\x00\x0c", "invalid small update"),  # x = 50 - 51: negative
        (b"\x21\x00\x00\x04\x00\x01", "invalid small update"),  # zero width
        (b"\x21\x00\x00\x8c\x20", "invalid small update"),  # codec 256
        (b"\x21\x00\x00\x0d\x09abc", "runs past its end"),  # 9 bytes announced, 3 there
        (b"\x21\x00\x00\x0d\x00" + b"\x00\x00\x09\x00" * p.SMALL_UPDATE_MAX_RECTS, "too many rectangles"),
        (b"\x21\x00\x00\x08\x15", "invalid small update"),  # seq 10 - 11: negative
        (b"\x21\x00\x00\x0d\x00\x00\x00\x0c", "later rectangle"),  # the seq flag on the second rectangle
    ],
)
def test_a_malformed_compact_update_is_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        _primed().decode(raw)
    assert reason in caught.value.reason


def test_a_huge_compact_update_is_rejected_before_parsing() -> None:
    with pytest.raises(p.ProtocolError, match="too large"):
        _primed().decode(b"\x21" + b"\x00" * p.MAX_MESSAGE_BYTES)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=64))
def test_arbitrary_compact_updates_only_raise_protocol_error(body: bytes) -> None:
    try:
        update = _primed().decode(b"\x21" + body)
    except p.ProtocolError:
        return
    assert isinstance(update, p.FrameUpdate)
    assert all(r.x + r.width <= 100 and r.y + r.height <= 80 for r in update.rects)
    assert _primed().decode(_primed().encode(update)) == update


@st.composite
def _updates(draw: st.DrawFn) -> p.FrameUpdate:
    """Any valid update on a 200×150 or 180×150 screen (so a resize now and then forces the full form)."""
    width = draw(st.sampled_from([200, 180]))
    rects = []
    for _ in range(draw(st.integers(0, p.SMALL_UPDATE_MAX_RECTS + 2))):
        x, y = draw(st.integers(0, width - 1)), draw(st.integers(0, 149))
        w, h = draw(st.integers(1, width - x)), draw(st.integers(1, 150 - y))
        rects.append(p.Rect(x, y, w, h, draw(st.integers(0, 255)), draw(st.binary(max_size=12))))
    return p.FrameUpdate(draw(st.integers(0, 2**63 - 1)), width, 150, rects, draw(st.booleans()))


@settings(max_examples=200)
@given(st.lists(st.one_of(_updates(), st.sampled_from(SAMPLES)), min_size=1, max_size=12))
def test_any_sequence_of_messages_survives_the_connection_contexts(messages: list[p.Message]) -> None:
    sender, receiver = _linked()
    for message in messages:
        wire, decoded = _carry(sender, receiver, message)
        assert decoded == message
        assert len(wire) <= len(p.encode(message))
