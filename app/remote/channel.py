"""Framing and sealing over any byte stream: ``varint length | payload``, one message per frame.

The length is an unsigned LEB128 varint (7 bits per byte, least significant group first, the high bit set on
every byte but the last), at most :data:`MAX_HEADER_BYTES` bytes and in its shortest form: a small record such
as a typed character costs one byte of framing instead of four.  Before pairing, frames carry plaintext
pairing messages only; once :meth:`Channel.install_keys` is called, every frame in both directions is a
sealed record (see :mod:`app.remote.pairing`).  The length is checked against the limit before anything is
allocated, and the body is read in bounded chunks, so a header that lies costs nothing.

The channel also keeps each direction's :class:`~app.remote.protocol.UpdateContext`, so a small screen
update travels in its compact form (tag 33) relative to the previous one on this connection.

Reads wait with ``select`` rather than socket timeouts, because a timeout on a socket also applies to a
concurrent ``sendall`` from the writer thread.

Threads: one reader; any number of senders (sends are serialised by a lock); :meth:`Channel.close`
from any thread wakes a blocked reader and a blocked sender (``shutdown`` before ``close``).
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
import time
from typing import Final, Protocol, runtime_checkable

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP
from app.remote import protocol
from app.remote.pairing import RecordError, RecordOpener, RecordSealer, SessionKeys, overhead

log = logging.getLogger(__name__)

#: Largest frame on the wire: the largest message plus the sealing overhead.
MAX_FRAME_BYTES: Final = protocol.MAX_MESSAGE_BYTES + overhead()
#: Longest length header: LEB128 of MAX_FRAME_BYTES (under 2**28) takes four bytes.
MAX_HEADER_BYTES: Final = 4
#: Before pairing, a peer has proven nothing: its frames (Hello and the SPAKE2 messages) must stay small.
MAX_PAIRING_FRAME_BYTES: Final = 8 * 1024
#: Once a frame has started, all of it must arrive within this time (a trickling peer is cut off).
FRAME_DEADLINE_SECONDS: Final = 30.0
_CHUNK: Final = 256 * 1024


def frame_header(length: int) -> bytes:
    """The length header of a frame whose payload is ``length`` bytes (LEB128, shortest form)."""
    if not 0 < length < 1 << (7 * MAX_HEADER_BYTES):
        raise ValueError(f"frame length {length} cannot be framed")
    header = bytearray()
    while length >= 0x80:
        header.append(0x80 | (length & 0x7F))
        length >>= 7
    header.append(length)
    return bytes(header)


def parse_header(header: bytes | bytearray) -> int | None:
    """The payload length a (partial) header announces, or None while more header bytes are needed.

    Raises:
        ChannelError: the header is longer than :data:`MAX_HEADER_BYTES` or not in its shortest form.
    """
    length = 0
    for position, byte in enumerate(header):
        length |= (byte & 0x7F) << (7 * position)
        if not byte & 0x80:
            if byte == 0 and position > 0:
                raise ChannelError("frame length header not in its shortest form")
            return length
    if len(header) >= MAX_HEADER_BYTES:
        raise ChannelError(f"frame length header longer than {MAX_HEADER_BYTES} bytes")
    return None


class ByteStream(Protocol):
    """What the channel needs from a connection; a socket and a paramiko Channel both fit."""

    def sendall(self, data: bytes, /) -> None: ...

    def recv(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


@runtime_checkable
class _Pollable(Protocol):
    def fileno(self) -> int: ...


@runtime_checkable
class _Shutdownable(Protocol):
    def shutdown(self, how: int, /) -> None: ...


class ChannelError(PodporaError):
    """The connection to the other side failed or carried something invalid; ``reason`` says what."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"channel: {reason}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The connection to the other side was lost ({reason})."),
            reason=reason,
        )
        self.reason = reason


class ChannelClosed(ChannelError):
    """The other side closed the connection cleanly between frames, or we closed it."""


class ChannelBroken(ChannelError):
    """The transport failed (reset, cut mid-frame, a frame too slow): the network, not what the peer sent.

    A session that can resume treats it like :class:`ChannelClosed`; a record that fails to open or an
    impossible length stays a plain :class:`ChannelError` (the peer misbehaved).
    """


class Channel:
    """One framed, optionally sealed, message connection over a :class:`ByteStream`."""

    def __init__(self, stream: ByteStream, *, max_frame: int = MAX_FRAME_BYTES) -> None:
        self._stream = stream
        self._max_frame = max_frame
        self._send_lock = threading.Lock()
        self._sealer: RecordSealer | None = None
        self._opener: RecordOpener | None = None
        self._closed = threading.Event()
        # A frame in progress survives between receive() calls (see there).
        self._partial = bytearray()
        self._header = bytearray()
        self._length: int | None = None
        self._outgoing = protocol.UpdateContext()
        self._incoming = protocol.UpdateContext()
        self._frame_started: float | None = None
        self.bytes_sent = 0
        self.bytes_received = 0
        #: Every byte read so far, including frames not yet complete (a slow frame is a live link).
        self.bytes_read = 0

    @property
    def sealed(self) -> bool:
        """Whether keys are installed (every frame from now on is sealed)."""
        return self._opener is not None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed.is_set()

    def install_keys(self, keys: SessionKeys) -> None:
        """Seal and open every later frame with ``keys``."""
        self.start_sealing(keys)
        self.start_opening(keys)

    def start_sealing(self, keys: SessionKeys) -> None:
        """Seal every frame sent from now on (a driver with a writer thread calls this in send order)."""
        with self._send_lock:
            self._sealer = keys.sealer()
            self._outgoing = protocol.UpdateContext()

    def start_opening(self, keys: SessionKeys) -> None:
        """Open every frame received from now on (call from the reader before it reads the next frame)."""
        self._opener = keys.opener()
        self._incoming = protocol.UpdateContext()

    def send(self, message: protocol.Message) -> None:
        """Encode, seal (after pairing) and send one message; safe from any thread.

        Raises:
            ChannelError: the connection is closed or failed.
        """
        with self._send_lock:
            if self._closed.is_set():
                raise ChannelClosed("closed")
            # Encoded under the lock: a compact update refers to the one sent before it on this connection.
            payload = self._outgoing.encode(message)
            if self._sealer is not None:
                payload = self._sealer.seal(payload)
            header = frame_header(len(payload))
            try:
                self._stream.sendall(header + payload)
            except (OSError, EOFError) as error:
                raise ChannelBroken(f"send failed: {error}") from None
            self.bytes_sent += len(header) + len(payload)

    def receive(self, idle_timeout: float | None = None) -> protocol.Message | None:
        """Wait up to ``idle_timeout`` seconds (None: no limit) for the rest of a frame; return its message.

        Returns None when no complete frame arrived within ``idle_timeout``.  A frame that has started is
        kept and continued by the next call, so a caller can tick its clock (deadlines, consent timeout)
        while a slow or hostile peer trickles bytes.  Once a frame has started, all of it must arrive within
        :data:`FRAME_DEADLINE_SECONDS`.  Single reader only.

        Raises:
            ChannelClosed: the stream ended between frames.
            ChannelError: the stream ended mid-frame, a frame was too large or too slow, or failed to open.
            protocol.ProtocolError: the frame is not a valid message (or a non-pairing message arrived unsealed).
        """
        wait_until = None if idle_timeout is None else time.monotonic() + max(idle_timeout, 0.0)
        while True:
            now = time.monotonic()
            if self._frame_started is not None and now - self._frame_started > FRAME_DEADLINE_SECONDS:
                raise ChannelBroken("frame not completed in time")
            remaining = None if wait_until is None else wait_until - now
            if self._frame_started is not None:
                frame_left = self._frame_started + FRAME_DEADLINE_SECONDS - now
                remaining = frame_left if remaining is None else min(remaining, frame_left)
            if remaining is not None:
                if remaining <= 0 or not self._wait_readable(remaining):
                    if wait_until is not None and time.monotonic() >= wait_until:
                        return None  # nothing more for now; a started frame is continued next time
                    continue  # the frame deadline is checked at the top of the loop
            elif self._closed.is_set():
                raise ChannelClosed("closed")
            # The header is read a byte at a time: its length is known only once its last byte is in.
            wanted = len(self._partial) + 1 if self._length is None else self._length
            chunk = self._recv(min(wanted - len(self._partial), _CHUNK))
            if not chunk:
                if self._frame_started is None:
                    raise ChannelClosed("the other side closed the connection")
                raise ChannelBroken("connection ended in the middle of a frame")
            if self._frame_started is None:
                self._frame_started = time.monotonic()
            self.bytes_read += len(chunk)
            self._partial += chunk
            if len(self._partial) < wanted:
                continue
            if self._length is None:
                length = parse_header(self._partial)
                if length is None:
                    continue
                limit = self._max_frame if self._opener is not None else min(self._max_frame, MAX_PAIRING_FRAME_BYTES)
                if length == 0 or length > limit:
                    # Checked before allocating: an HTTP request ("GET ...") or a lying header ends here.
                    raise ChannelError(f"frame length {length} outside 1..{limit}")
                self._length = length
                self._header, self._partial = self._partial, bytearray()
                continue
            payload = bytes(self._partial)
            self.bytes_received += len(self._header) + len(payload)
            self._partial, self._length, self._frame_started = bytearray(), None, None
            return self._message(payload)

    def _message(self, payload: bytes) -> protocol.Message:
        if self._opener is not None:
            try:
                payload = self._opener.open(payload)
            except RecordError as error:
                raise ChannelError(error.reason) from None
        message = self._incoming.decode(payload)
        if self._opener is None and not isinstance(message, protocol.PAIRING_MESSAGES):
            raise protocol.ProtocolError(f"{type(message).__name__} before pairing")
        return message

    def close(self) -> None:
        """Close the stream now, waking any thread blocked on it; idempotent, safe from any thread."""
        if self._closed.is_set():
            return
        self._closed.set()
        if isinstance(self._stream, _Shutdownable):
            # Already disconnected means there is nothing left to wake.
            with contextlib.suppress(OSError, EOFError):
                self._stream.shutdown(socket.SHUT_RDWR)
        try:
            self._stream.close()
        except (OSError, EOFError) as error:
            # paramiko raises EOFError when its transport is already gone: the stream is closed either way.
            log.debug("closing the stream failed: %s", error)

    def _wait_readable(self, timeout: float | None) -> bool:
        if timeout is None or not isinstance(self._stream, _Pollable):
            return True
        if self._closed.is_set():
            raise ChannelClosed("closed")
        try:
            readable, _, _ = select.select([self._stream], [], [], max(timeout, 0.0))
        except (OSError, ValueError):
            # The stream was closed under us (fileno -1) by close() from another thread.
            raise ChannelClosed("closed") from None
        return bool(readable)

    def _recv(self, size: int) -> bytes:
        try:
            return self._stream.recv(size)
        except (OSError, EOFError) as error:
            if self._closed.is_set():
                raise ChannelClosed("closed") from None
            raise ChannelBroken(f"receive failed: {error}") from None
