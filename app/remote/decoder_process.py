"""The console's picture decoding in a confined child process (SECURITY-BAR T26/T42).

Every screen update the user machine sends is parsed by C code (libjpeg-turbo, FFmpeg's H.264, zlib, zstd).  The
user machine may be hostile, and the console holds what an attacker wants (the SSH agent connection, keys, case
keys), so the console does not run those decoders itself: :class:`SandboxedDecoder` hands each update to a child
process that confines itself first (:func:`app.remote.sandbox.confine_protocol_process`: own user, mount and
network namespaces, no new privileges, Landlock, no new sockets, no core dumps) and starts with an empty
environment (no ``SSH_AUTH_SOCK``, no ``DISPLAY``).  A memory-safety bug in a decoder then reaches a process that
can open no file, reach no address and holds nothing but pixels.

The child runs the real :class:`app.remote.encode.FrameDecoder` with its framebuffer placed in a memfd the child
creates, seals against shrinking and passes over the connection (:class:`app.remote.privsep.IpcPeer`); the console
maps it read-only, so no pixel is copied between the processes.  The console treats the child as untrusted: it
checks every reply (the screen's size, the drawn areas inside the screen, the memfd large enough and sealed) and
ends the session on anything else.  A decoding error comes back as the same :class:`DecodeError` with the same
reason as in one process; a child that dies or stops answering becomes a :class:`DecodeError` too ("the picture
decoder stopped: …"), so the session ends the same way, never with a hang.

Run as ``python -I -m app.remote.decoder_process --ipc-fd N`` (the console does this).
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import mmap
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from app.remote import protocol as p
from app.remote.encode import DecodeError, EncodedRect, FrameDecoder
from app.remote.privsep import EXIT_GRACE_SECONDS, START_SECONDS, IpcClosed, IpcPeer, IpcViolation, child_environment

log = logging.getLogger(__name__)

#: The longest the console waits for one update to be decoded before it gives the child up.
REPLY_SECONDS: Final = 10.0
#: The longest reason the child may give for refusing an update (the rest is cut off).
MAX_REASON_CHARS: Final = 500
_SEALS_REQUIRED: Final = fcntl.F_SEAL_SHRINK  # a shrunk memfd would crash the console (SIGBUS) when it reads


def decoder_stopped(reason: str) -> DecodeError:
    """The error a lost, silent or misbehaving decoder process becomes (the session ends with it)."""
    return DecodeError(f"the picture decoder stopped: {reason}")


# --- The console's side ----------------------------------------------------------------------------------------


def check_reply(
    reply: Mapping[str, Any], width: int, height: int, rect_count: int, shared_size: int
) -> list[tuple[int, int, int, int]]:
    """The drawn areas of the child's ``reply`` to an update of ``rect_count`` rectangles for a ``width``×``height``
    screen, once checked against what the child may say; :class:`IpcViolation` otherwise.

    ``shared_size`` is the size in bytes of the shared framebuffer the console maps (after any new one the reply
    brought): it must hold the whole screen.
    """
    if reply.get("op") != "drawn":
        raise IpcViolation(f"an answer {str(reply.get('op'))[:40]!r} to an update")
    if reply.get("width") != width or reply.get("height") != height:
        raise IpcViolation("a screen of another size than the update's")
    if not (0 < width <= p.MAX_SCREEN_SIDE and 0 < height <= p.MAX_SCREEN_SIDE):
        raise IpcViolation(f"a screen of {width}x{height}")
    if shared_size < width * height * 4:
        raise IpcViolation(f"a shared framebuffer of {shared_size} bytes for a {width}x{height} screen")
    areas = reply.get("areas")
    if not isinstance(areas, list) or len(areas) > rect_count:
        raise IpcViolation("drawn areas that are not a list of at most one per rectangle")
    checked = []
    for area in areas:
        if (
            not isinstance(area, list)
            or len(area) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in area)
        ):
            raise IpcViolation("a drawn area that is not four whole numbers")
        x, y, w, h = area
        if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
            raise IpcViolation(f"a drawn area {w}x{h}+{x}+{y} outside the {width}x{height} screen")
        checked.append((x, y, w, h))
    return checked


def shared_size_of(fd: int) -> int:
    """The size of the memfd ``fd`` the child passed, once checked that it cannot shrink; :class:`IpcViolation`
    otherwise."""
    try:
        seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
        size = os.fstat(fd).st_size
    except OSError as error:
        raise IpcViolation(f"a shared framebuffer that is not a sealed memfd: {error}") from None
    if seals & _SEALS_REQUIRED != _SEALS_REQUIRED:
        raise IpcViolation("a shared framebuffer that may shrink")
    return int(size)


class SandboxedDecoder:
    """A :class:`app.remote.client.FrameDecoderLike` whose decoding runs in a confined child process.

    ``command`` is the argv that runs this module (``python -I -m app.remote.decoder_process``), chosen by the
    composition root.  The child starts on the first :meth:`apply` (a console that never receives a picture
    starts none).  :attr:`framebuffer` is a read-only view of the child's shared framebuffer; it stays valid
    after :meth:`close`.  One thread at a time may call :meth:`apply` (the client's reader does).
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        reply_seconds: float = REPLY_SECONDS,
        start_seconds: float = START_SECONDS,
    ) -> None:
        self._command = list(command)
        self._reply_seconds = reply_seconds
        self._start_seconds = start_seconds
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._peer: IpcPeer | None = None
        self._map: mmap.mmap | None = None
        self._shared_size = 0
        self._closed = False
        self._gone_reason = ""
        self.framebuffer: NDArray[np.uint8] = np.zeros((0, 0, 4), dtype=np.uint8)
        self.framebuffer.flags.writeable = False
        #: What the child said about its confinement (``Confinement.describe()``), once it started.
        self.confinement = ""
        #: The child's process id (0 before it started).
        self.child_pid = 0

    def apply(self, width: int, height: int, rects: Sequence[Any]) -> list[tuple[int, int, int, int]]:
        """Have the child apply one update; return the drawn areas (see ``FrameDecoder.apply``)."""
        fields = [(r.codec, r.x, r.y, r.width, r.height) for r in rects]
        if not all(isinstance(v, int) and not isinstance(v, bool) for f in fields for v in f) or not all(
            isinstance(r.data, bytes | bytearray | memoryview) for r in rects
        ):
            raise DecodeError("rectangle fields must be integers and data bytes")
        header = {
            "op": "apply",
            "width": width,
            "height": height,
            "rects": [[*f, len(r.data)] for f, r in zip(fields, rects, strict=True)],
        }
        blob = b"".join(bytes(r.data) for r in rects)
        with self._lock:
            if self._closed:
                raise decoder_stopped("the session closed it")
            peer = self._peer if self._peer is not None else self._start()
            if peer.closed:  # a request to a gone peer would only be answered by its timeout
                self._end()
                raise decoder_stopped(self._gone_reason or "its connection ended")
            try:
                reply, _, fds = peer.request(header, blob, timeout=self._reply_seconds)
            except IpcClosed as error:
                self._end()
                raise decoder_stopped(str(error)) from None
            try:
                return self._take(reply, fds, width, height, len(rects))
            except IpcViolation as error:
                self._end()
                raise decoder_stopped(f"it answered wrongly: {error}") from None

    def _take(
        self, reply: dict[str, Any], fds: list[int], width: int, height: int, rect_count: int
    ) -> list[tuple[int, int, int, int]]:
        if reply.get("op") == "refused":
            for fd in fds:
                os.close(fd)
            raise DecodeError(str(reply.get("reason", "the update was refused"))[:MAX_REASON_CHARS])
        try:
            if len(fds) > 1 or len(fds) != (1 if reply.get("fds") == 1 else 0):
                raise IpcViolation("descriptors the answer did not announce")
            if fds:
                size = shared_size_of(fds[0])
                if not 0 < size <= p.MAX_SCREEN_SIDE * p.MAX_SCREEN_SIDE * 4:
                    raise IpcViolation(f"a shared framebuffer of {size} bytes")
                new_map = mmap.mmap(fds[0], size, prot=mmap.PROT_READ)
                # The old map is left to the garbage collector: the window may still hold a view of it.
                self._map, self._shared_size = new_map, size
        except OSError as error:
            raise IpcViolation(f"a shared framebuffer that cannot be mapped: {error}") from None
        finally:
            for fd in fds:
                os.close(fd)
        areas = check_reply(reply, width, height, rect_count, self._shared_size)
        if self.framebuffer.shape[:2] != (height, width) or fds:
            assert self._map is not None  # noqa: S101 - check_reply demands a shared size > 0
            self.framebuffer = np.frombuffer(self._map, dtype=np.uint8, count=height * width * 4).reshape(
                height, width, 4
            )
        return areas

    def _start(self) -> IpcPeer:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            process = subprocess.Popen(
                [*self._command, "--ipc-fd", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=child_environment(),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # the terminal's Ctrl+C is the console's to handle
            )
        except OSError as error:
            ours.close()
            raise decoder_stopped(f"it could not be started: {error}") from None
        finally:
            theirs.close()
        peer = IpcPeer(ours, self._unexpected, name="podpora-viewer", on_closed=self._child_gone)
        self._process, self._peer, self.child_pid = process, peer, process.pid
        peer.start()
        try:
            reply, _, fds = peer.request({"op": "hello"}, timeout=self._start_seconds)
            for fd in fds:
                os.close(fd)
            confinement = reply.get("confinement")
            if reply.get("op") != "hello" or not isinstance(confinement, str):
                raise IpcViolation("no greeting")
        except (IpcClosed, IpcViolation) as error:
            self._end()
            raise decoder_stopped(f"it did not start: {error}") from None
        self.confinement = confinement[:MAX_REASON_CHARS]
        log.info("picture decoder process %d: %s", process.pid, self.confinement)
        return peer

    def _unexpected(self, header: dict[str, Any], _blob: bytes, fds: list[int]) -> None:
        for fd in fds:
            os.close(fd)
        raise IpcViolation(f"an unasked message {str(header.get('op'))[:40]!r}")

    def _child_gone(self, reason: str) -> None:
        self._gone_reason = reason
        log.info("the picture decoder's connection ended: %s", reason)

    def _end(self) -> None:
        """End the child (kill it after a short grace) and its connection; the lock is held."""
        peer, process = self._peer, self._process
        if peer is not None:
            peer.send({"op": "stop"})
            peer.close("stopped")
        if process is not None:
            try:
                process.wait(EXIT_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.returncode not in (0, None):
                log.info("the picture decoder exited with status %s", process.returncode)
        if peer is not None:
            peer.join(EXIT_GRACE_SECONDS)

    def close(self) -> None:
        """End the child process; later updates fail.  The last picture stays readable."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._end()


# --- The child's side ------------------------------------------------------------------------------------------


class SharedFrameDecoder(FrameDecoder):
    """The real decoder, with its framebuffer in a memfd the console maps read-only (a new one when it grows)."""

    def __init__(self) -> None:
        super().__init__()
        self._fd = -1
        self._map: mmap.mmap | None = None
        self.shared_size = 0
        #: A new memfd (a duplicate to pass to the console) after a resize that outgrew the last one.
        self.new_share: int | None = None

    def resize(self, width: int, height: int) -> None:
        """Check and start a new black framebuffer, as the real decoder does, but in the shared memory."""
        super().resize(width, height)
        needed = width * height * 4
        if needed > self.shared_size:
            fd = os.memfd_create("podpora-screen", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
            os.ftruncate(fd, needed)
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL)
            if self._fd >= 0:
                os.close(self._fd)  # the old map is dropped with the old framebuffer
            if self.new_share is not None:
                os.close(self.new_share)
            self._fd, self._map, self.shared_size = fd, mmap.mmap(fd, needed), needed
            self.new_share = os.dup(fd)
        assert self._map is not None  # noqa: S101 - set above on the first resize
        shared = np.frombuffer(self._map, dtype=np.uint8, count=needed).reshape(height, width, 4)
        shared[...] = self.framebuffer
        self.framebuffer = shared


def _rects(header: Mapping[str, Any], blob: bytes) -> list[EncodedRect]:
    """The rectangles of an apply request; :class:`IpcViolation` if the console sent something malformed."""
    given = header.get("rects")
    if not isinstance(given, list) or len(given) > p.MAX_RECTS_PER_UPDATE:
        raise IpcViolation("rects is not a list")
    rects = []
    offset = 0
    for fields in given:
        if (
            not isinstance(fields, list)
            or len(fields) != 6
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in fields)
        ):
            raise IpcViolation("a rectangle that is not six whole numbers")
        codec, x, y, w, h, length = fields
        if offset + length > len(blob):
            raise IpcViolation("rectangle data beyond the message")
        rects.append(EncodedRect(x, y, w, h, codec, blob[offset : offset + length]))
        offset += length
    if offset != len(blob):
        raise IpcViolation("data no rectangle claims")
    return rects


def _size(header: Mapping[str, Any], key: str) -> int:
    value = header.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= p.MAX_SCREEN_SIDE:
        raise IpcViolation(f"{key} is not a whole number from 0 to {p.MAX_SCREEN_SIDE}")
    return value


class DecoderProcess:
    """The confined child: decodes the console's updates into the shared framebuffer."""

    def __init__(self, ipc: socket.socket, confinement: str) -> None:
        self._confinement = confinement
        self._decoder = SharedFrameDecoder()
        self._done = threading.Event()
        # Updates are decoded on the connection's reader thread: the child asks the console nothing, so nothing
        # waits for the reader, and the console sends one update at a time.
        self.peer = IpcPeer(ipc, self._handle, name="podpora-decoder", on_closed=lambda _reason: self._done.set())

    def run(self) -> int:
        """Serve until the console says stop or goes away; returns the exit code."""
        self.peer.start()
        self._done.wait()
        self.peer.close("stopped")
        self.peer.join(EXIT_GRACE_SECONDS)
        return 0

    def _handle(self, header: dict[str, Any], blob: bytes, fds: list[int]) -> None:
        for fd in fds:
            os.close(fd)
        if fds:
            raise IpcViolation("descriptors from the console")
        op = header["op"]
        request_id = header.get("id")
        if op == "stop":
            self._done.set()
        elif not isinstance(request_id, int) or isinstance(request_id, bool):
            raise IpcViolation("a request without an id")
        elif op == "hello":
            self.peer.reply(request_id, {"op": "hello", "confinement": self._confinement})
        elif op == "apply":
            self._apply(request_id, _size(header, "width"), _size(header, "height"), _rects(header, blob))
        else:
            raise IpcViolation(f"an unknown operation {op[:40]!r}")

    def _apply(self, request_id: int, width: int, height: int, rects: list[EncodedRect]) -> None:
        decoder = self._decoder
        try:
            drawn = decoder.apply(width, height, rects)
        except DecodeError as error:
            self.peer.reply(request_id, {"op": "refused", "reason": str(error)[:MAX_REASON_CHARS]})
            return
        except Exception as error:  # a decoder bug: the console ends the session as for a damaged picture
            log.info("an update could not be decoded", exc_info=True)
            self.peer.reply(request_id, {"op": "refused", "reason": f"the decoder failed: {error!r}"[:200]})
            return
        reply: dict[str, Any] = {"op": "drawn", "areas": [list(a) for a in drawn], "width": width, "height": height}
        share, decoder.new_share = decoder.new_share, None
        if share is not None:
            reply["fds"] = 1
        self.peer.reply(request_id, reply, fds=() if share is None else (share,))


def main(argv: Sequence[str] | None = None) -> int:
    """The decoder process: confine, then decode what the console sends."""
    parser = argparse.ArgumentParser(prog="podpora-decoder", description="Podpora's confined picture decoder.")
    parser.add_argument("--ipc-fd", type=int, required=True)
    args = parser.parse_args(argv)
    from app.remote.sandbox import confine_protocol_process

    confinement = confine_protocol_process()  # before any thread starts: namespaces need a single thread
    logging.basicConfig(level=os.environ.get("PODPORA_LOG", "WARNING").upper(), stream=sys.stderr)
    return DecoderProcess(socket.socket(fileno=args.ipc_fd), confinement.describe()).run()


if __name__ == "__main__":
    sys.exit(main())
