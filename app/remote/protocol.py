"""The console ⇄ agent wire protocol: typed, versioned, size-limited messages (pure: no I/O, no clock).

Every message is a frozen :mod:`msgspec` Struct with an integer tag, encoded as a msgpack array whose
first element is the tag.  :func:`decode` is the only way bytes become a message; it checks the size
before parsing and turns every malformed input into :class:`ProtocolError` with a reason a person can
read in a log.  Hard limits live here as named constants so they can be tuned deliberately.

Tags are never reused.  When a message is removed, list its tag under "Retired tags" below.

Tag 33 is not a Struct: it is the compact wire form of a :class:`FrameUpdate` (see :class:`UpdateContext`),
the byte ``0x21`` (msgpack's fixint 33, where every full message starts with an array header) followed by
varints relative to the previous update on the same connection.  It decodes to a plain ``FrameUpdate``.

Retired tags: (none yet)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, Final

import msgspec

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

PROTOCOL_VERSION: Final = 1

# --- Hard limits -----------------------------------------------------------------------------------
#: Largest encoded message (one wire frame's plaintext).  Big enough for a full 1920×1080 raw BGRA
#: update (8.3 MB) with room for 4K in two updates; the console's FrameRequest.max_bytes asks for less.
MAX_MESSAGE_BYTES: Final = 24 * 1024 * 1024
#: Largest side of a screen or monitor in pixels (Xvfb's maximum is 16384 too).
MAX_SCREEN_SIDE: Final = 16384
MAX_RECTS_PER_UPDATE: Final = 4096
MAX_MONITORS: Final = 16
MAX_CHAT_CHARS: Final = 4000
MAX_CLIPBOARD_CHARS: Final = 1024 * 1024
MAX_REASON_CHARS: Final = 1000
MAX_CASE_REF_CHARS: Final = 120
MAX_CODE_CHARS: Final = 64
MAX_IDENTITY_BYTES: Final = 4096
MAX_PAKE_BYTES: Final = 128
CONFIRMATION_BYTES: Final = 32
RESUME_NONCE_BYTES: Final = 32
MAX_SCRIPT_PAYLOAD_BYTES: Final = 1024 * 1024
MAX_KEY_TEXT_CHARS: Final = 64
MAX_CURSOR_SIDE: Final = 256
MAX_FEATURES: Final = 64
MAX_SCRIPT_ID_CHARS: Final = 64


class ProtocolError(PodporaError):
    """Bytes from the peer are not a valid message, or the message is not allowed now.

    ``reason`` is the short technical reason that goes into ``Bye`` and the log.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"protocol error: {reason}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The other side sent something invalid; the session was closed."),
        )
        self.reason = reason


class Capability(enum.StrEnum):
    """What the technician may do; each is granted separately by the user."""

    VIEW = "view"
    CONTROL = "control"
    CLIPBOARD = "clipboard"
    DIAGNOSTICS = "diagnostics"


class Role(enum.StrEnum):
    """Which end of the session sent a Hello."""

    AGENT = "agent"
    TECHNICIAN = "technician"


# --- Constrained field types -------------------------------------------------------------------------
Side = Annotated[int, msgspec.Meta(ge=1, le=MAX_SCREEN_SIDE)]
Coordinate = Annotated[int, msgspec.Meta(ge=0, le=MAX_SCREEN_SIDE)]
SignedCoordinate = Annotated[int, msgspec.Meta(ge=-MAX_SCREEN_SIDE, le=MAX_SCREEN_SIDE)]
Counter = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Capabilities = Annotated[list[Capability], msgspec.Meta(max_length=len(Capability))]
Reason = Annotated[str, msgspec.Meta(max_length=MAX_REASON_CHARS)]
RequestId = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CODE_CHARS)]
ScriptPayload = Annotated[bytes, msgspec.Meta(max_length=MAX_SCRIPT_PAYLOAD_BYTES)]


class _Message(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Base of every wire message (a msgpack array: tag first, then the fields in order)."""


def _unique(capabilities: list[Capability]) -> None:
    if len(set(capabilities)) != len(capabilities):
        raise ValueError("capabilities repeat")


class Hello(_Message, frozen=True, tag=1):
    """First message of each side: protocol version, role and optional features (e.g. codec ids)."""

    version: Annotated[int, msgspec.Meta(ge=0, le=65535)]
    role: Role
    capabilities: Annotated[list[Annotated[str, msgspec.Meta(max_length=64)]], msgspec.Meta(max_length=MAX_FEATURES)]


class PairStart(_Message, frozen=True, tag=2):
    """Technician → agent: the technician's SPAKE2 message."""

    message: Annotated[bytes, msgspec.Meta(min_length=1, max_length=MAX_PAKE_BYTES)]


class PairReply(_Message, frozen=True, tag=3):
    """Agent → technician: the agent's SPAKE2 message and its key confirmation."""

    message: Annotated[bytes, msgspec.Meta(min_length=1, max_length=MAX_PAKE_BYTES)]
    confirmation: Annotated[bytes, msgspec.Meta(min_length=CONFIRMATION_BYTES, max_length=CONFIRMATION_BYTES)]


class PairConfirm(_Message, frozen=True, tag=4):
    """Technician → agent: the technician's key confirmation."""

    confirmation: Annotated[bytes, msgspec.Meta(min_length=CONFIRMATION_BYTES, max_length=CONFIRMATION_BYTES)]


class ConsentRequest(_Message, frozen=True, tag=5):
    """Technician → agent: who asks (certificate bytes), for what, why, and for which case."""

    identity: Annotated[bytes, msgspec.Meta(max_length=MAX_IDENTITY_BYTES)]
    capabilities: Capabilities
    reason: Reason
    case_ref: Annotated[str, msgspec.Meta(max_length=MAX_CASE_REF_CHARS)]

    def __post_init__(self) -> None:
        _unique(self.capabilities)
        if not self.capabilities:
            raise ValueError("a consent request asks for nothing")


class ConsentDecision(_Message, frozen=True, tag=6):
    """Agent → technician: the capabilities granted now in total (empty = refused)."""

    granted: Capabilities

    def __post_init__(self) -> None:
        _unique(self.granted)


class Revoke(_Message, frozen=True, tag=7):
    """Either way: these capabilities are withdrawn (by the user, or given back by the technician)."""

    capabilities: Capabilities

    def __post_init__(self) -> None:
        _unique(self.capabilities)


class Pause(_Message, frozen=True, tag=8):
    """Agent → technician: the user paused the view (and with it remote input)."""


class Resume(_Message, frozen=True, tag=9):
    """Agent → technician: the user resumed the view."""


class Monitor(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One monitor: index, position on the virtual desktop, size in pixels and scale factor."""

    index: Annotated[int, msgspec.Meta(ge=0, lt=MAX_MONITORS)]
    x: SignedCoordinate
    y: SignedCoordinate
    width: Side
    height: Side
    scale: Annotated[float, msgspec.Meta(ge=0.25, le=8.0)] = 1.0


class ScreenInfo(_Message, frozen=True, tag=10):
    """Agent → technician: the monitors and which one is streamed."""

    monitors: Annotated[list[Monitor], msgspec.Meta(min_length=1, max_length=MAX_MONITORS)]
    selected: Annotated[int, msgspec.Meta(ge=0, lt=MAX_MONITORS)] = 0

    def __post_init__(self) -> None:
        if self.selected not in {m.index for m in self.monitors}:
            raise ValueError("the selected monitor is not listed")


class SelectMonitor(_Message, frozen=True, tag=11):
    """Technician → agent: stream this monitor."""

    index: Annotated[int, msgspec.Meta(ge=0, lt=MAX_MONITORS)]


class FrameRequest(_Message, frozen=True, tag=12):
    """Technician → agent: send the next update (pull-based flow control)."""

    incremental: bool
    max_bytes: Annotated[int, msgspec.Meta(ge=1024, le=MAX_MESSAGE_BYTES)] = MAX_MESSAGE_BYTES


class Rect(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One changed region: position, size, codec id (owned by ``encode.py``; 0 = raw BGRA) and data."""

    x: Coordinate
    y: Coordinate
    width: Side
    height: Side
    codec: Annotated[int, msgspec.Meta(ge=0, le=255)]
    data: bytes


class FrameUpdate(_Message, frozen=True, tag=13):
    """Agent → technician: changed regions of the streamed monitor, all inside ``width``×``height``.

    ``pending`` says the picture is not exact yet (lossy regions still to be refreshed losslessly, or regions
    deferred by the byte budget); once an update arrives with ``pending`` false, the viewer's picture equals
    the screen as it was captured.
    """

    seq: Counter
    width: Side
    height: Side
    rects: Annotated[list[Rect], msgspec.Meta(max_length=MAX_RECTS_PER_UPDATE)]
    pending: bool = False

    def __post_init__(self) -> None:
        for rect in self.rects:
            if rect.x + rect.width > self.width or rect.y + rect.height > self.height:
                raise ValueError("a rectangle reaches outside the screen")


class CursorShape(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """A cursor image: BGRA pixels, row-major, with its hotspot."""

    width: Annotated[int, msgspec.Meta(ge=1, le=MAX_CURSOR_SIDE)]
    height: Annotated[int, msgspec.Meta(ge=1, le=MAX_CURSOR_SIDE)]
    hotspot_x: Annotated[int, msgspec.Meta(ge=0, lt=MAX_CURSOR_SIDE)]
    hotspot_y: Annotated[int, msgspec.Meta(ge=0, lt=MAX_CURSOR_SIDE)]
    pixels: bytes

    def __post_init__(self) -> None:
        if len(self.pixels) != self.width * self.height * 4:
            raise ValueError("cursor pixels do not match its size")


class CursorUpdate(_Message, frozen=True, tag=14):
    """Agent → technician: cursor position on the streamed monitor, and its shape when it changed."""

    x: SignedCoordinate
    y: SignedCoordinate
    visible: bool = True
    shape: CursorShape | None = None


class Pointer(_Message, frozen=True, tag=15):
    """Technician → agent: pointer position on the streamed monitor, held buttons (bit mask), wheel steps."""

    x: Coordinate
    y: Coordinate
    buttons: Annotated[int, msgspec.Meta(ge=0, le=0xFF)] = 0
    wheel: Annotated[int, msgspec.Meta(ge=-64, le=64)] = 0
    wheel_horizontal: Annotated[int, msgspec.Meta(ge=-64, le=64)] = 0


class Key(_Message, frozen=True, tag=16):
    """Technician → agent: a key went down or up; an X11 keysym, or text for characters without one."""

    down: bool
    keysym: Annotated[int, msgspec.Meta(ge=0, le=0x1FFFFFFF)] | None = None
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_KEY_TEXT_CHARS)] | None = None

    def __post_init__(self) -> None:
        if (self.keysym is None) == (self.text is None):
            raise ValueError("a key carries exactly one of keysym and text")


class Clipboard(_Message, frozen=True, tag=17):
    """Either way: clipboard text (only while the clipboard capability is granted)."""

    text: Annotated[str, msgspec.Meta(max_length=MAX_CLIPBOARD_CHARS)]


class Chat(_Message, frozen=True, tag=18):
    """Either way: a chat line."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CHAT_CHARS)]


class RunScript(_Message, frozen=True, tag=19):
    """Technician → agent: run a diagnostic (payload owned by app.diagnostics)."""

    request_id: RequestId
    payload: ScriptPayload


class ScriptProgress(_Message, frozen=True, tag=20):
    """Agent → technician: progress of a running diagnostic."""

    request_id: RequestId
    payload: ScriptPayload


class ScriptResult(_Message, frozen=True, tag=21):
    """Agent → technician: the result of a diagnostic."""

    request_id: RequestId
    payload: ScriptPayload


class ApprovalRequest(_Message, frozen=True, tag=22):
    """Agent → technician: a repair action is waiting for the user's approval (shown on the user side)."""

    request_id: RequestId
    payload: ScriptPayload


class ApprovalDecision(_Message, frozen=True, tag=23):
    """Agent → technician: the user approved or refused a repair action."""

    request_id: RequestId
    approved: bool
    payload: ScriptPayload = b""


class Feedback(_Message, frozen=True, tag=24):
    """Agent → technician: the user's rating (1–5) and comment."""

    rating: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=MAX_CHAT_CHARS)] = ""


class Notice(_Message, frozen=True, tag=25):
    """Agent → technician: a plain statement, e.g. code ``wayland``: the screen cannot be captured."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CODE_CHARS)]
    text: Reason


class Bye(_Message, frozen=True, tag=26):
    """Either way: the session ends, and why."""

    reason: Reason


class Heartbeat(_Message, frozen=True, tag=27):
    """Either way, after pairing: sent when the link has been quiet, so a dead link is noticed."""


SessionIdBytes = Annotated[bytes, msgspec.Meta(min_length=8, max_length=8)]
ResumeNonce = Annotated[bytes, msgspec.Meta(min_length=RESUME_NONCE_BYTES, max_length=RESUME_NONCE_BYTES)]
Proof = Annotated[bytes, msgspec.Meta(min_length=CONFIRMATION_BYTES, max_length=CONFIRMATION_BYTES)]


class ResumeStart(_Message, frozen=True, tag=28):
    """Technician → agent, in the clear on a new connection: take up session ``session_id`` again.

    ``received`` is how many reliable messages of the agent the console has (the agent sends the rest
    again).  Every field is bound into both proofs, so nobody on the path can change it unnoticed.
    """

    session_id: SessionIdBytes
    epoch: Counter
    nonce: ResumeNonce
    received: Counter


class ResumeChallenge(_Message, frozen=True, tag=29):
    """Agent → technician: the agent's fresh nonce, how many reliable messages it has, and its proof."""

    nonce: ResumeNonce
    received: Counter
    proof: Proof


class ResumeConfirm(_Message, frozen=True, tag=30):
    """Technician → agent: the technician's proof; from the next frame on, both sides use fresh keys."""

    proof: Proof


class Resumed(_Message, frozen=True, tag=31):
    """Agent → technician, the first sealed message after a resume: what is granted and paused now."""

    granted: Capabilities
    paused: bool

    def __post_init__(self) -> None:
        _unique(self.granted)


ScriptIdText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_SCRIPT_ID_CHARS, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]


class ChangeReport(_Message, frozen=True, tag=32):
    """Technician → agent: the technician ran a change (repair, install, configuration) on this machine over
    their own SSH link, approved by themselves, not by the user.

    The assist app lists it in the user's end-of-session summary with the title and undo text from its own
    verified script library, in the user's language; nothing runs because of this message, and no text from the
    technician is shown as if it came from the library.
    """

    script_id: ScriptIdText


Message = (
    Hello
    | PairStart
    | PairReply
    | PairConfirm
    | ConsentRequest
    | ConsentDecision
    | Revoke
    | Pause
    | Resume
    | ScreenInfo
    | SelectMonitor
    | FrameRequest
    | FrameUpdate
    | CursorUpdate
    | Pointer
    | Key
    | Clipboard
    | Chat
    | RunScript
    | ScriptProgress
    | ScriptResult
    | ApprovalRequest
    | ApprovalDecision
    | Feedback
    | Notice
    | Bye
    | Heartbeat
    | ResumeStart
    | ResumeChallenge
    | ResumeConfirm
    | Resumed
    | ChangeReport
)

#: Messages exchanged in the clear, before keys exist.  Everything else travels sealed.
PAIRING_MESSAGES: Final = (Hello, PairStart, PairReply, PairConfirm, Bye, ResumeStart, ResumeChallenge, ResumeConfirm)

_ENCODER = msgspec.msgpack.Encoder()
_DECODER: msgspec.msgpack.Decoder[Message] = msgspec.msgpack.Decoder(Message)


#: The first byte of a compact screen update (tag 33; msgpack reads it as the integer 33, never as a message).
SMALL_UPDATE_TAG: Final = 33
_SMALL_UPDATE_MARK: Final = bytes([SMALL_UPDATE_TAG])
#: Longest varint in a compact update: 10 bytes hold 64 bits; anything longer is refused before arithmetic.
_MAX_VARINT_BYTES: Final = 10
#: Most rectangles the encoder puts in a compact update; bigger updates save nothing worth the cost.
SMALL_UPDATE_MAX_RECTS: Final = 8
# Flags in a compact update's rectangle kind (``codec << 4 | flags``).
_MORE: Final = 1
_PENDING: Final = 2
_SEQ_NEXT: Final = 4
_SAME_SIZE: Final = 8


def _put_varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value >> 1 if not value & 1 else -((value + 1) >> 1)


class _Reader:
    """Reads varints and byte runs from a compact update; every overrun is a :class:`ProtocolError`."""

    def __init__(self, data: bytes, position: int) -> None:
        self._data = data
        self.position = position

    def varint(self) -> int:
        value = 0
        for shift in range(0, 7 * _MAX_VARINT_BYTES, 7):
            if self.position >= len(self._data):
                raise ProtocolError("small update cut short")
            byte = self._data[self.position]
            self.position += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
        raise ProtocolError("small update has an over-long number")

    def take(self, count: int) -> bytes:
        if count > len(self._data) - self.position:
            raise ProtocolError("small update data runs past its end")
        start, self.position = self.position, self.position + count
        return self._data[start : self.position]

    def rest(self) -> bytes:
        start, self.position = self.position, len(self._data)
        return self._data[start:]


@dataclass
class UpdateContext:
    """One direction of one connection: what the previous screen update was, so the next can be compact.

    Both ends keep one per direction and feed it every message in order (the sender through :meth:`encode`,
    the receiver through :meth:`decode`), so they always agree; a new connection (or new keys) starts a new
    context.  An update of at most :data:`SMALL_UPDATE_MAX_RECTS` rectangles for the same screen size as the
    previous one travels as::

        0x21 | per rectangle: varint(zigzag(x - previous x)) | varint(zigzag(y - previous y))
                 | varint(codec << 4 | flags) | [varint(width) | varint(height), unless flag 8]
                 | [varint(zigzag(seq - previous seq)), on the first rectangle unless flag 4]
                 | [varint(data length), if flag 1] | data

    where "previous" is the rectangle before it (in this update or the last one), and the flags are
    1: another rectangle follows; 2: ``pending`` (first rectangle only); 4: ``seq`` is the previous one plus
    one (first rectangle only); 8: the same width and height as the previous rectangle.  A typed character
    (a cell beside the last one, codec 7) costs four bytes of header instead of about 23.  The decoded update
    goes through the same validation as a full one (sizes, rectangles inside the screen).
    """

    seq: int = 0
    width: int = 0
    height: int = 0
    x: int = 0
    y: int = 0
    rect_width: int = 0
    rect_height: int = 0

    def encode(self, message: Message) -> bytes:
        """Encode ``message`` for the wire, in the compact form when it is an update that allows it."""
        if not isinstance(message, FrameUpdate):
            return encode(message)
        compact = (message.width, message.height) == (self.width, self.height) and 0 < len(
            message.rects
        ) <= SMALL_UPDATE_MAX_RECTS
        data = self._compact(message) if compact else encode(message)
        self._remember(message)
        return data

    def decode(self, data: bytes) -> Message:
        """Decode one message from the wire, the compact form included (see :func:`decode` for errors)."""
        message = self._expand(data) if data[:1] == _SMALL_UPDATE_MARK else decode(data)
        if isinstance(message, FrameUpdate):
            self._remember(message)
        return message

    def _remember(self, update: FrameUpdate) -> None:
        self.seq, self.width, self.height = update.seq, update.width, update.height
        if update.rects:
            last = update.rects[-1]
            self.x, self.y, self.rect_width, self.rect_height = last.x, last.y, last.width, last.height

    def _compact(self, update: FrameUpdate) -> bytes:
        out = bytearray(_SMALL_UPDATE_MARK)
        x, y, width, height = self.x, self.y, self.rect_width, self.rect_height
        last = len(update.rects) - 1
        seq_next = update.seq == self.seq + 1
        for index, rect in enumerate(update.rects):
            _put_varint(out, _zigzag(rect.x - x))
            _put_varint(out, _zigzag(rect.y - y))
            same_size = (rect.width, rect.height) == (width, height)
            flags = (_MORE if index < last else 0) | (_SAME_SIZE if same_size else 0)
            if index == 0:
                flags |= (_PENDING if update.pending else 0) | (_SEQ_NEXT if seq_next else 0)
            _put_varint(out, rect.codec << 4 | flags)
            if not same_size:
                _put_varint(out, rect.width)
                _put_varint(out, rect.height)
            if index == 0 and not seq_next:
                _put_varint(out, _zigzag(update.seq - self.seq))
            if index < last:
                _put_varint(out, len(rect.data))
            out += rect.data
            x, y, width, height = rect.x, rect.y, rect.width, rect.height
        if len(out) > MAX_MESSAGE_BYTES:
            raise ProtocolError(f"message too large to send ({len(out)} bytes)")
        return bytes(out)

    def _expand(self, data: bytes) -> FrameUpdate:
        if len(data) > MAX_MESSAGE_BYTES:
            raise ProtocolError(f"message too large ({len(data)} bytes, limit {MAX_MESSAGE_BYTES})")
        if not self.width:
            raise ProtocolError("small update before any full update")
        reader = _Reader(data, 1)
        rects: list[list[object]] = []
        x, y, width, height = self.x, self.y, self.rect_width, self.rect_height
        seq, pending = self.seq + 1, False
        more = True
        while more:
            if len(rects) >= SMALL_UPDATE_MAX_RECTS:
                raise ProtocolError("small update has too many rectangles")
            x += _unzigzag(reader.varint())
            y += _unzigzag(reader.varint())
            kind = reader.varint()
            if not kind & _SAME_SIZE:
                width, height = reader.varint(), reader.varint()
            if not rects:
                pending = bool(kind & _PENDING)
                if not kind & _SEQ_NEXT:
                    seq = self.seq + _unzigzag(reader.varint())
            elif kind & (_PENDING | _SEQ_NEXT):
                raise ProtocolError("small update has update flags on a later rectangle")
            more = bool(kind & _MORE)
            payload = reader.take(reader.varint()) if more else reader.rest()
            rects.append([x, y, width, height, kind >> 4, payload])
        fields = [FrameUpdate.__struct_config__.tag, seq, self.width, self.height]
        try:
            # The same checks as a full update: ranges, the codec byte, every rectangle inside the screen.
            update = msgspec.convert([*fields, rects, pending], FrameUpdate)
        except msgspec.ValidationError as error:
            raise ProtocolError(f"invalid small update: {error}") from None
        return update


def encode(message: Message) -> bytes:
    """Encode ``message`` for the wire.

    Raises:
        ProtocolError: the encoded message is larger than :data:`MAX_MESSAGE_BYTES`.
    """
    data = _ENCODER.encode(message)
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message too large to send ({len(data)} bytes)")
    return data


def decode(data: bytes) -> Message:
    """Decode one message; any malformed, unknown or oversize input raises :class:`ProtocolError`.

    A compact update (tag 33) needs the connection's :class:`UpdateContext`; without one it is refused.
    """
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message too large ({len(data)} bytes, limit {MAX_MESSAGE_BYTES})")
    if data[:1] == _SMALL_UPDATE_MARK:
        raise ProtocolError("small update outside a connection")
    try:
        return _DECODER.decode(data)
    except msgspec.ValidationError as error:
        text = str(error)
        if "`$[0]`" in text and ("Invalid value" in text or "Expected `int`" in text):
            raise ProtocolError("unknown message tag") from None
        raise ProtocolError(f"invalid message: {text}") from None
    except msgspec.DecodeError as error:
        raise ProtocolError(f"undecodable message: {error}") from None
    except UnicodeDecodeError:
        # msgspec lets invalid UTF-8 in a string escape as a plain UnicodeDecodeError (found by hypothesis).
        raise ProtocolError("undecodable message: a string is not valid UTF-8") from None
