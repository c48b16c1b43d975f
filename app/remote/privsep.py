"""Privilege separation of the assist agent (SECURITY-BAR T26): a broker and a confined protocol process.

Everything a technician's machine sends (pairing, the channel's crypto, every wire message) is parsed by the
**protocol process**, a child of the assist app that runs :class:`app.remote.agent.AssistAgent` and nothing else.
It starts with an empty environment (no ``DISPLAY``, ``XAUTHORITY`` or agent socket) and confines itself before it
reads a byte (:mod:`app.remote.sandbox`: its own user, mount and network namespaces, Landlock, no new privileges).
It cannot open the X display, read the user's files, write any file, connect anywhere or signal other processes.

The **broker** is the assist app itself (:class:`BrokeredAgent`, the same public API as ``AssistAgent``): it owns
the X connections (capture and input injection), the consent prompts, the indicator and the case journal.  It hands
the protocol process only what a session needs, through a small message set over a Unix socket pair
(:class:`IpcPeer`), and enforces consent **itself** (:class:`ConsentGate`): input is injected and the screen is
grabbed only for capabilities the user granted in the broker's own prompt, and never after the user paused,
revoked or stopped in the broker's window, whatever the protocol process says.  A compromised protocol process can
therefore show the technician no more than the user agreed to, and cannot type, click or read the clipboard on its
own.  The broker listens on 127.0.0.1 and passes the listening socket in, so the child needs no network at all.

Pixels cross through a shared memory buffer (a memfd the broker writes and the child maps read-only); only the
rectangles X DAMAGE reported are copied each time.  The broker validates every message from the child; anything
malformed ends the protocol process.

Run as ``python -I -m app.remote.privsep --ipc-fd N --listen-fd M`` (the broker does this).
"""

from __future__ import annotations

import argparse
import array
import contextlib
import itertools
import json
import logging
import mmap
import os
import queue
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP
from app.remote import protocol as p
from app.remote.agent import (
    AgentCallbacks,
    ConsentPrompt,
    ConsentProvider,
    InputSink,
    MappingListener,
    ScreenSource,
    open_loopback_listener,
)
from app.remote.capture import CursorShape, CursorState, Monitor
from app.remote.identity import verify_claim
from app.remote.pairing import AgentPairing, CodeIssuer, PairingError, SessionKeys
from app.remote.session import RESUME_GRACE_SECONDS

log = logging.getLogger(__name__)

#: The largest message either side accepts (a send_local message may be a whole protocol message).
MAX_IPC_FRAME: Final = p.MAX_MESSAGE_BYTES + 1024 * 1024
#: The longest the protocol process waits for the broker (a grab, the monitor list) before giving up.
BROKER_ANSWER_SECONDS: Final = 10.0
#: How long the protocol process gets to start, confine itself and say it is ready.
START_SECONDS: Final = 30.0
#: After a stop, how long the protocol process gets to say goodbye before it is killed.
EXIT_GRACE_SECONDS: Final = 2.0
#: The longest change wait the broker carries out for the protocol process.
MAX_WATCH_WAIT_SECONDS: Final = 60.0
_HEADER: Final = struct.Struct(">II")  # frame length (after this header), JSON header length
_MAX_FDS: Final = 4
_MAX_CLAIM_BYTES: Final = 16 * 1024
_MAX_HELLO_BYTES: Final = 64 * 1024


class PrivsepError(PodporaError):
    """The protocol process could not be started, misbehaved or is gone."""


class IpcClosed(Exception):
    """The other process closed the connection (or it broke)."""


class IpcViolation(Exception):
    """The other process sent something outside the message set; the connection is ended."""


# --- Framed messages with file descriptors over a Unix socket -------------------------------------------------


Handler = Callable[[dict[str, Any], bytes, list[int]], None]


class IpcPeer:
    """One end of the broker ↔ protocol process connection: framed JSON headers, an optional binary blob and
    optional file descriptors per message; requests wait for a reply carrying their ``id``.

    A reader thread hands each incoming message that is not a reply to ``handler`` (which must return promptly or
    pass the work on) and a writer thread sends, so that no caller ever blocks on a peer that stopped reading.
    """

    def __init__(self, sock: socket.socket, handler: Handler, *, name: str, on_closed: Callable[[str], None]) -> None:
        self._sock = sock
        self._handler = handler
        self._name = name
        self._on_closed = on_closed
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[threading.Event, list[tuple[dict[str, Any], bytes, list[int]]]]] = {}
        self._lock = threading.Lock()
        self._outbox: queue.SimpleQueue[tuple[bytes, Sequence[int]] | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._reason = ""
        self._reader = threading.Thread(target=self._read_loop, name=f"{name}-ipc-read", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name=f"{name}-ipc-write", daemon=True)

    def start(self) -> None:
        """Start reading and writing."""
        self._reader.start()
        self._writer.start()

    @property
    def closed(self) -> bool:
        """True once the connection ended."""
        return self._closed.is_set()

    def send(self, header: Mapping[str, Any], blob: bytes = b"", fds: Sequence[int] = ()) -> None:
        """Queue a message (never blocks; dropped once the connection ended)."""
        if self._closed.is_set():
            return
        data = json.dumps(header, separators=(",", ":")).encode()
        frame = _HEADER.pack(len(data) + len(blob) + 4, len(data)) + data + blob
        self._outbox.put((frame, tuple(fds)))

    def request(
        self, header: Mapping[str, Any], blob: bytes = b"", *, timeout: float = BROKER_ANSWER_SECONDS
    ) -> tuple[dict[str, Any], bytes, list[int]]:
        """Send a request and wait for its reply; :class:`IpcClosed` when the peer is gone or does not answer."""
        request_id = next(self._ids)
        done = threading.Event()
        answer: list[tuple[dict[str, Any], bytes, list[int]]] = []
        with self._lock:
            self._waiting[request_id] = (done, answer)
        try:
            if self._closed.is_set():  # ended before this request was registered: nothing would wake it
                raise IpcClosed(self._reason or "the connection ended")
            self.send({**header, "id": request_id}, blob)
            if not done.wait(timeout) or not answer:
                raise IpcClosed(self._reason or f"no answer to {header.get('op')} within {timeout:.0f} s")
        finally:
            with self._lock:
                self._waiting.pop(request_id, None)
        reply, data, fds = answer[0]
        if reply.get("op") == "error":
            raise _error_from(reply)
        return reply, data, fds

    def reply(self, request_id: Any, header: Mapping[str, Any], blob: bytes = b"", fds: Sequence[int] = ()) -> None:
        """Answer the request ``request_id``."""
        self.send({**header, "op": header.get("op", "reply"), "re": request_id}, blob, fds)

    def reply_error(self, request_id: Any, error: PodporaError) -> None:
        """Answer the request ``request_id`` with an error the other side raises again."""
        args = {str(k): str(v) for k, v in error.user_args.items()}
        self.send(
            {
                "op": "error",
                "re": request_id,
                "message": str(error),
                "user_text": error.user_text,
                "args": args,
                "reason": str(getattr(error, "reason", "")),
            }
        )

    def close(self, reason: str = "closed") -> None:
        """End the connection (both threads finish; waiting requests fail)."""
        if not self._reason:
            self._reason = reason
        # Shut down before the writer may close the socket: a reader blocked on a closed descriptor never wakes.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._outbox.put(None)

    def join(self, timeout: float) -> None:
        """Wait for both threads to finish."""
        deadline = time.monotonic() + timeout
        for thread in (self._reader, self._writer):
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))

    def _write_loop(self) -> None:
        while (item := self._outbox.get()) is not None:
            frame, fds = item
            try:
                if fds:
                    sent = self._sock.sendmsg([frame], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
                    if sent < len(frame):
                        self._sock.sendall(frame[sent:])
                else:
                    self._sock.sendall(frame)
            except OSError as error:
                self.close(f"the connection broke: {error}")
                break
            finally:
                for fd in fds:
                    os.close(fd)  # each message carries its own duplicates
        with contextlib.suppress(OSError):
            self._sock.close()

    def _read_loop(self) -> None:
        buffer = bytearray()
        received_fds: deque[int] = deque()
        reason = "the other process closed the connection"
        try:
            while True:
                data, ancillary, _flags, _address = self._sock.recvmsg(1 << 16, socket.CMSG_SPACE(_MAX_FDS * 4))
                for level, kind, payload in ancillary:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds = array.array("i")
                        fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
                        received_fds.extend(fds)
                if not data:
                    break
                buffer += data
                while len(buffer) >= _HEADER.size:
                    length, header_length = _HEADER.unpack_from(buffer)
                    if length > MAX_IPC_FRAME or not 4 <= header_length + 4 <= length:
                        raise IpcViolation(f"a frame of {length} bytes (header {header_length})")
                    if len(buffer) < 4 + length:
                        break
                    header = json.loads(bytes(buffer[_HEADER.size : _HEADER.size + header_length]))
                    blob = bytes(buffer[_HEADER.size + header_length : 4 + length])
                    del buffer[: 4 + length]
                    if not isinstance(header, dict) or not isinstance(header.get("op"), str):
                        raise IpcViolation("a message without an operation")
                    wanted = header.get("fds", 0)
                    if not isinstance(wanted, int) or not 0 <= wanted <= _MAX_FDS or wanted > len(received_fds):
                        raise IpcViolation("a message with descriptors that did not arrive")
                    taken = [received_fds.popleft() for _ in range(wanted)]
                    self._dispatch(header, blob, taken)
        except (OSError, ValueError, IpcViolation) as error:
            reason = f"the other process broke the connection: {error}"
        except Exception as error:
            log.info("a message could not be handled", exc_info=True)
            reason = f"a message could not be handled: {error!r}"
        finally:
            for fd in received_fds:
                os.close(fd)
            self._finish(reason)

    def _dispatch(self, header: dict[str, Any], blob: bytes, fds: list[int]) -> None:
        if "re" in header:
            with self._lock:
                waiting = self._waiting.get(header["re"]) if isinstance(header["re"], int) else None
            if waiting is None:
                for fd in fds:
                    os.close(fd)  # a reply nobody waits for any more (it timed out)
                return
            waiting[1].append((header, blob, fds))
            waiting[0].set()
            return
        self._handler(header, blob, fds)

    def _finish(self, reason: str) -> None:
        if not self._reason:
            self._reason = reason
        self._closed.set()
        self._outbox.put(None)
        with self._lock:
            waiting = list(self._waiting.values())
        for done, _ in waiting:
            done.set()
        self._on_closed(self._reason)


def _error_from(reply: Mapping[str, Any]) -> PodporaError:
    given = reply.get("args")
    args: dict[str, Any] = given if isinstance(given, dict) else {}
    error = PrivsepError(
        str(reply.get("message", "the broker refused")), user_text=str(reply.get("user_text", "")) or None, **args
    )
    error.reason = str(reply.get("reason", ""))  # type: ignore[attr-defined]
    return error


# --- Strict reading of what the other process sent ------------------------------------------------------------


def _int(header: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = header.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise IpcViolation(f"{key} is not a whole number from {low} to {high}")
    return value


def _number(header: Mapping[str, Any], key: str, low: float, high: float) -> float:
    value = header.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
        raise IpcViolation(f"{key} is not a number from {low} to {high}")
    return float(value)


def _text(header: Mapping[str, Any], key: str, longest: int) -> str:
    value = header.get(key)
    if not isinstance(value, str) or len(value) > longest:
        raise IpcViolation(f"{key} is not a text of at most {longest} characters")
    return value


def _flag(header: Mapping[str, Any], key: str) -> bool:
    value = header.get(key)
    if not isinstance(value, bool):
        raise IpcViolation(f"{key} is not true or false")
    return value


def _capabilities(header: Mapping[str, Any], key: str) -> frozenset[p.Capability]:
    value = header.get(key)
    known = {c.value for c in p.Capability}
    if not isinstance(value, list) or not all(isinstance(c, str) and c in known for c in value):
        raise IpcViolation(f"{key} is not a list of capabilities")
    return frozenset(p.Capability(c) for c in value)


# --- The consent the broker enforces by itself ----------------------------------------------------------------


class ConsentGate:
    """What the broker lets the protocol process use, decided by the user's own answers and actions alone.

    A capability opens only when the user granted it in the broker's prompt (and only if it was asked for); it
    closes when the user revokes it, pauses, or stops, when the session ends, and when the protocol process reports
    an active session without it (so the broker is never wider than the session).  A report from the protocol
    process can only narrow the gate, never widen it, and only once the process has applied every answer the user
    gave: a report it sent before an answer reached it is stale and would close what the user just granted.
    Pause is the user's alone (a stale "paused" report would hold the picture after the user resumed).
    Thread-safe; pure (no I/O), tested as scripted sequences.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._granted: set[p.Capability] = set()
        self._paused = False
        self._prompt_open = False
        self._answers_in_flight = 0
        #: Input the protocol process sent that the gate dropped (for the log and the tests).
        self.refused_input = 0
        self.refused_captures = 0

    def user_granted(self, asked: frozenset[p.Capability], granted: frozenset[p.Capability]) -> frozenset[p.Capability]:
        """The user answered a prompt that asked for ``asked``; returns what opens (never more than was asked)."""
        opened = granted & asked
        with self._lock:
            self._granted |= opened
            self._answers_in_flight += 1
        return opened

    def answer_applied(self) -> None:
        """The protocol process says it applied one answer; its later reports take that answer into account."""
        with self._lock:
            self._answers_in_flight = max(0, self._answers_in_flight - 1)

    def session_reported(self, state: str, granted: frozenset[p.Capability]) -> None:
        """The protocol process reported its session's state: an active session narrows the gate to its grants."""
        with self._lock:
            if state == "active" and not self._answers_in_flight:
                self._granted &= granted

    def user_paused(self, paused: bool) -> None:
        """The user paused (view and input stop) or resumed."""
        with self._lock:
            self._paused = paused

    def user_revoked(self, capabilities: frozenset[p.Capability]) -> None:
        """The user took capabilities back."""
        with self._lock:
            self._granted -= capabilities

    def prompt_changed(self, is_open: bool) -> None:
        """A local prompt is (no longer) on screen: no remote input reaches it."""
        with self._lock:
            self._prompt_open = is_open

    def session_ended(self) -> None:
        """The session is over (the user stopped it, it ended, or the protocol process is gone)."""
        with self._lock:
            self._granted.clear()
            self._paused = False
            self._answers_in_flight = 0

    def may(self, capability: p.Capability) -> bool:
        """Whether ``capability`` may be used now."""
        with self._lock:
            if capability in (p.Capability.VIEW, p.Capability.CONTROL) and self._paused:
                return False
            if capability is p.Capability.CONTROL and self._prompt_open:
                return False
            return capability in self._granted

    def may_input(self) -> bool:
        """Whether remote input may be injected now (counts a refusal)."""
        allowed = self.may(p.Capability.CONTROL)
        if not allowed:
            with self._lock:
                self.refused_input += 1
        return allowed

    def may_capture(self) -> bool:
        """Whether the screen may be read now (counts a refusal)."""
        allowed = self.may(p.Capability.VIEW)
        if not allowed:
            with self._lock:
                self.refused_captures += 1
        return allowed


VIEW_NOT_GRANTED_TEXT: Final = QT_TRANSLATE_NOOP("podpora", "Viewing the screen is not allowed right now.")
CHILD_GONE_TEXT: Final = QT_TRANSLATE_NOOP(
    "podpora", "The part of Podpora that talks to the technician stopped unexpectedly. Ask for help again."
)
CHILD_START_TEXT: Final = QT_TRANSLATE_NOOP("podpora", "Podpora could not start its connection process: {reason}")


# --- Shared pixels --------------------------------------------------------------------------------------------


class _SharedPicture:
    """A memfd the broker writes the picture into; the protocol process maps it read-only."""

    def __init__(self) -> None:
        self.size = 0
        self._fd = -1
        self._map: mmap.mmap | None = None

    def ensure(self, byte_count: int, *, share_again: bool = False) -> int | None:
        """Make room for ``byte_count`` bytes; returns a duplicate of the memfd to send when it is new (or
        ``share_again``: a new protocol process), else None."""
        if byte_count <= self.size:
            return os.dup(self._fd) if share_again else None
        self.close()
        size = max(byte_count, 1 << 20)
        self._fd = os.memfd_create("podpora-picture", os.MFD_CLOEXEC)
        os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size)
        self.size = size
        return os.dup(self._fd)

    def view(self, height: int, width: int) -> NDArray[np.uint8]:
        """The picture as an H×W×4 array over the shared memory."""
        assert self._map is not None  # noqa: S101 - ensure() ran first
        return np.frombuffer(self._map, dtype=np.uint8, count=height * width * 4).reshape(height, width, 4)

    def close(self) -> None:
        """Unmap and close."""
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self.size = 0


# --- The broker -------------------------------------------------------------------------------------------------


def child_environment() -> dict[str, str]:
    """The protocol process's whole environment: no display, no X cookie, no SSH agent, no home."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LC_ALL": "C.UTF-8"}
    # numpy's BLAS would start a pool of threads when imported; the process must still be single-threaded when
    # it confines itself (a new user namespace cannot be entered by a multithreaded process).
    environment.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for key in ("PODPORA_LOG", "SOURCE_DATE_EPOCH"):
        if key in os.environ:
            environment[key] = os.environ[key]
    return environment


class BrokeredAgent:
    """The assist agent with its protocol parsing in a confined child process; the broker side.

    Has the public API of :class:`app.remote.agent.AssistAgent` that the assist app uses.  ``command`` is the argv
    that runs this module (``python -I -m app.remote.privsep``), chosen by the composition root.  The screen, the
    input sink, the consent provider and the callbacks stay in this process.
    """

    def __init__(
        self,
        *,
        command: Sequence[str],
        screen: ScreenSource,
        consent: ConsentProvider,
        input_sink: InputSink | None = None,
        on_mapping: MappingListener | None = None,
        org_keys: Sequence[Any] = (),
        callbacks: AgentCallbacks | None = None,
        resume_grace: float = RESUME_GRACE_SECONDS,
    ) -> None:
        self._command = list(command)
        self._screen = screen
        self._consent = consent
        self._sink = input_sink
        # One thread at a time on the input sink: remote input arrives on the connection's reader thread, while a
        # release comes from the user's window (pynput's X connection is not safe for concurrent use).
        self._sink_lock = threading.Lock()
        self._on_mapping = on_mapping
        self._org_key_objects = list(org_keys)
        self._org_keys = [key.public_bytes_raw().hex() for key in org_keys]
        self.callbacks = callbacks or AgentCallbacks()
        self.resume_grace = resume_grace
        self.gate = ConsentGate()
        self.confinement = ""  # what the protocol process said about its confinement
        self.child_pid = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._peer: IpcPeer | None = None
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._session_on = False
        self._idle = threading.Event()
        self._idle.set()
        self._capture_lane: queue.SimpleQueue[tuple[dict[str, Any], IpcPeer] | None] = queue.SimpleQueue()
        self._capture_worker: threading.Thread | None = None
        self._monitors: dict[int, Any] = {}
        self._watch: Any = None
        self._frame: NDArray[np.uint8] | None = None
        self._picture = _SharedPicture()
        self._shared_with: IpcPeer | None = None  # the protocol process that has the picture's memfd
        # The session code and the key exchange live here: the protocol process relays the pairing messages, and
        # the session id the broker derives itself is what the technician's claim must be bound to.
        self._codes = CodeIssuer()
        self._codes_lock = threading.Lock()
        self._attempt_digits = ""
        self._pairing: AgentPairing | None = None
        self._session_id = ""

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def listen(self, port: int = 0) -> int:
        """Listen on 127.0.0.1:``port`` here and start the protocol process on that socket; return the port."""
        listener = open_loopback_listener(port)
        self._listener = listener
        self._capture_worker = threading.Thread(target=self._capture_loop, name="podpora-broker-capture", daemon=True)
        self._capture_worker.start()
        self._spawn()
        return int(listener.getsockname()[1])

    def _spawn(self) -> None:
        listener = self._listener
        if listener is None:
            raise PrivsepError("listen() first")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            process = subprocess.Popen(
                [*self._command, "--ipc-fd", str(theirs.fileno()), "--listen-fd", str(listener.fileno())],
                pass_fds=(theirs.fileno(), listener.fileno()),
                env=child_environment(),
                stdin=subprocess.DEVNULL,
            )
        except OSError as error:
            ours.close()
            raise PrivsepError(
                f"cannot start the protocol process: {error}", user_text=CHILD_START_TEXT, reason=str(error)
            ) from None
        finally:
            theirs.close()
        ready = threading.Event()
        peer = IpcPeer(
            ours,
            lambda header, blob, fds: self._handle(peer, header, blob, fds),
            name="podpora-broker",
            on_closed=lambda reason: self._child_gone(peer, reason),
        )
        with self._lock:
            self._process, self._peer, self._ready = process, peer, ready
            self.child_pid = process.pid
        peer.start()
        peer.send({"op": "init", "org_keys": self._org_keys, "resume_grace": self.resume_grace})
        if not ready.wait(START_SECONDS) or peer.closed:
            self._kill(process)
            raise PrivsepError(
                "the protocol process did not start", user_text=CHILD_START_TEXT, reason="it did not answer"
            )

    def _live_peer(self) -> IpcPeer:
        """The protocol process's connection, starting a new process when the last one is gone."""
        with self._lock:
            peer = self._peer
        if peer is not None and not peer.closed:
            return peer
        if self._stopped.is_set():
            raise PrivsepError("the agent was stopped", user_text=CHILD_GONE_TEXT)
        self._spawn()
        with self._lock:
            assert self._peer is not None  # noqa: S101 - _spawn set it or raised
            return self._peer

    def code(self) -> str:
        """The session code to show the user now (issued here; a new protocol process is started if it is gone)."""
        self._live_peer()
        with self._codes_lock:
            return self._codes.current(time.monotonic())

    def code_expires_in(self) -> float:
        """Seconds until the current code expires."""
        with self._codes_lock:
            self._codes.current(time.monotonic())
            return max(0.0, self._codes.expires_at() - time.monotonic())

    def withdraw_code(self) -> None:
        """No code pairs until :meth:`code` is called again."""
        with self._codes_lock:
            self._codes.withdraw()

    def stop(self) -> None:
        """End everything now: the gate closes and held input is released here, before anything is asked of the
        protocol process; it then gets :data:`EXIT_GRACE_SECONDS` to say goodbye before it is killed."""
        self._stopped.set()
        self._end_locally()
        self._send({"op": "stop"})
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self._capture_lane.put(None)
        watch = self._watch
        if watch is not None:
            watch.wake()

    def wait_stopped(self, timeout: float) -> bool:
        """Wait until the protocol process exited (killing it after the grace) and the broker's threads ended."""
        if not self._stopped.wait(timeout):
            return False
        with self._lock:
            process, peer = self._process, self._peer
        if process is not None:
            try:
                process.wait(min(timeout, EXIT_GRACE_SECONDS))
            except subprocess.TimeoutExpired:
                self._kill(process)
        if peer is not None:
            peer.close("stopped")
            peer.join(timeout)
        if self._capture_worker is not None:
            self._capture_worker.join(timeout)
        self._picture.close()
        return process is None or process.poll() is not None

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no session is being served."""
        return self._idle.wait(timeout)

    # --- what the user does (the gate changes here first, then the protocol process is told) ------------------

    def pause(self) -> None:
        """Pause the view and input."""
        self.gate.user_paused(True)
        self._release_input()
        self._send({"op": "pause"})

    def resume(self) -> None:
        """Resume the view."""
        self.gate.user_paused(False)
        self._send({"op": "resume"})

    def revoke(self, capabilities: frozenset[p.Capability]) -> None:
        """Take capabilities back."""
        self.gate.user_revoked(capabilities)
        if p.Capability.CONTROL in capabilities:
            self._release_input()
        self._send({"op": "revoke", "capabilities": sorted(c.value for c in capabilities)})

    def revoke_control(self) -> None:
        """Take back control; viewing continues."""
        self.revoke(frozenset({p.Capability.CONTROL}))

    def end_session(self) -> None:
        """End the current session now; the agent stays ready for the next request for help."""
        self._end_locally()
        self._send({"op": "end_session"})

    def set_prompt_open(self, is_open: bool) -> None:
        """A local prompt is on screen: no remote input is applied meanwhile."""
        self.gate.prompt_changed(is_open)
        if is_open:
            self._release_input()
        self._send({"op": "prompt", "open": is_open})

    def send_chat(self, text: str) -> None:
        """Send a chat line to the technician."""
        if text:
            self._send({"op": "chat", "text": text[: p.MAX_CHAT_CHARS]})

    def send_feedback(self, rating: int, comment: str) -> None:
        """Send the user's rating and comment."""
        self.send_local(p.Feedback(min(max(rating, 1), 5), comment[: p.MAX_CHAT_CHARS]))

    def send_local(self, message: p.Message) -> None:
        """Send an agent-originated message; clipboard content only while the user shares the clipboard."""
        if isinstance(message, p.Clipboard) and not self.gate.may(p.Capability.CLIPBOARD):
            log.info("clipboard content withheld: clipboard sharing is not granted")
            return
        try:
            data = p.encode(message)
        except p.ProtocolError as error:
            log.info("not sent: %s", error.reason)
            return
        self._send({"op": "send_local"}, data)

    # --- internals ----------------------------------------------------------------------------------------------

    def _send(self, header: Mapping[str, Any], blob: bytes = b"") -> None:
        with self._lock:
            peer = self._peer
        if peer is not None:
            peer.send(header, blob)

    def _end_locally(self) -> None:
        self.gate.session_ended()
        self._release_input()
        with contextlib.suppress(Exception):
            self._consent.dismiss()

    def _release_input(self) -> None:
        if self._sink is not None:
            with self._sink_lock:
                self._sink.release_all()

    @staticmethod
    def _kill(process: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(OSError):
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(EXIT_GRACE_SECONDS)

    def _child_gone(self, peer: IpcPeer, reason: str) -> None:
        """The protocol process closed its connection (it ended, crashed, was killed, or misbehaved)."""
        with self._lock:
            current = peer is self._peer
            process = self._process if current else None
            was_on, self._session_on = self._session_on, False
        if not current:
            return
        self._end_locally()
        self._idle.set()
        if process is not None and process.poll() is None and not self._stopped.is_set():
            self._kill(process)  # it broke the connection or the rules: it does not get to go on
        if not self._stopped.is_set():
            code = process.poll() if process is not None else None
            log.info("the protocol process ended (exit status %s): %s", code, reason)
            if was_on and self.callbacks.on_ended is not None:
                self.callbacks.on_ended("the session process ended unexpectedly")

    def _handle(self, peer: IpcPeer, header: dict[str, Any], blob: bytes, fds: list[int]) -> None:
        """One message from the protocol process (on the reader thread): checked, then carried out or refused."""
        for fd in fds:
            os.close(fd)  # the protocol process never hands descriptors to the broker
        op = header["op"]
        try:
            if fds:
                raise IpcViolation("the protocol process sent descriptors")
            if op in _CAPTURE_OPS:
                self._capture_lane.put((header, peer))
            elif op == "watch_wake":
                watch = self._watch
                if watch is not None:
                    watch.wake()
            elif op == "pointer":
                self._pointer(header)
            elif op == "key":
                self._key(header)
            elif op == "release_all":
                self._release_input()
            elif op == "mapping":
                self._mapping(header)
            elif op == "consent_ask":
                self._ask(peer, header, blob)
            elif op in ("pair_begin", "pair_start", "pair_confirm", "pair_failed"):
                self._pair(peer, header, blob)
            elif op == "consent_dismiss":
                self._consent.dismiss()
            elif op == "ready":
                self.confinement = _text(header, "confinement", 2000)
                log.info("protocol process %d: %s", self.child_pid, self.confinement)
                self._ready.set()
            else:
                self._callback(op, header, blob)
        except IpcViolation as error:
            log.info("the protocol process broke the rules (%s): it is ended", error)
            peer.close(f"violation: {error}")

    def _pointer(self, header: Mapping[str, Any]) -> None:
        side = p.MAX_SCREEN_SIDE * 8
        x, y = _int(header, "x", -side, side), _int(header, "y", -side, side)
        buttons = _int(header, "buttons", 0, 0xFFFF)
        wheel, wheel_h = _int(header, "wheel", -1000, 1000), _int(header, "wheel_h", -1000, 1000)
        if self._sink is not None and self.gate.may_input():
            with self._sink_lock:
                self._sink.pointer(x, y, buttons, wheel, wheel_h)

    def _key(self, header: Mapping[str, Any]) -> None:
        down = _flag(header, "down")
        keysym = header.get("keysym")
        if keysym is not None:
            keysym = _int(header, "keysym", 0, 0x1FFFFFFF)
        text = header.get("text")
        if text is not None:
            text = _text(header, "text", p.MAX_KEY_TEXT_CHARS)
        if self._sink is not None and self.gate.may_input():
            with self._sink_lock:
                self._sink.key(down, keysym, text)

    def _mapping(self, header: Mapping[str, Any]) -> None:
        side = p.MAX_SCREEN_SIDE * 8
        left, top = _int(header, "left", -side, side), _int(header, "top", -side, side)
        width, height = _int(header, "width", 1, side), _int(header, "height", 1, side)
        if self._on_mapping is not None:
            self._on_mapping(left, top, width, height)

    def _pair(self, peer: IpcPeer, header: Mapping[str, Any], blob: bytes) -> None:
        """One step of a pairing attempt, relayed by the protocol process; the code never leaves the broker."""
        op, request_id = header["op"], header.get("id")
        now = time.monotonic()
        try:
            with self._codes_lock:
                if op == "pair_failed":
                    self._codes.attempt_failed(now)
                    self._pairing = None
                    return
                if op == "pair_begin":
                    self._attempt_digits = self._codes.begin_attempt(now)
                    self._pairing = None
                    peer.reply(request_id, {})
                    return
                if op == "pair_start":
                    hello_length = _int(header, "hello", 0, _MAX_HELLO_BYTES)
                    if not self._attempt_digits or len(blob) > hello_length + p.MAX_PAKE_BYTES:
                        raise IpcViolation("a pairing step out of order or too long")
                    self._pairing = AgentPairing(self._attempt_digits, blob[:hello_length])
                    try:
                        reply = self._pairing.on_pair_start(p.PairStart(blob[hello_length:]))
                    except PairingError:
                        self._codes.attempt_failed(now)
                        raise
                    peer.reply(request_id, {"confirmation": reply.confirmation.hex()}, reply.message)
                    return
                pairing, self._pairing, self._attempt_digits = self._pairing, None, ""
                if pairing is None:  # (a confirmation of the wrong length simply does not match)
                    raise IpcViolation("a key confirmation out of order")
                try:
                    keys = pairing.on_pair_confirm(p.PairConfirm(blob))
                except PairingError:
                    self._codes.attempt_failed(now)
                    raise
                self._codes.attempt_succeeded(now)
                self._session_id = keys.session_id
        except PairingError as error:
            peer.reply_error(request_id, error)
            return
        peer.reply(request_id, {"session_id": keys.session_id}, keys.send_key + keys.receive_key + keys.resume_secret)

    def _ask(self, peer: IpcPeer, header: Mapping[str, Any], claim: bytes) -> None:
        ask_id = _int(header, "ask", 0, 1 << 53)
        if len(claim) > _MAX_CLAIM_BYTES:
            raise IpcViolation("a technician's claim that is too long")
        # Who is asking is verified here, again, from the technician's claim itself, against the session id of the
        # key exchange the broker made: the prompt (and an unattended policy) never takes the protocol process's
        # word for "verified", and a claim made for another session does not verify.
        verification = verify_claim(claim, self._org_key_objects, self._session_id, time.time())
        asked = _capabilities(header, "capabilities")
        prompt = ConsentPrompt(
            verification,
            asked,
            _text(header, "reason", p.MAX_REASON_CHARS),
            _text(header, "case_ref", p.MAX_REASON_CHARS),
            time.monotonic() + _number(header, "seconds", 0, 3600),
        )
        answered = threading.Event()
        self._session_on = True
        self._idle.clear()

        def answer(granted: frozenset[p.Capability]) -> None:
            if answered.is_set():
                return
            answered.set()
            opened = self.gate.user_granted(asked, frozenset(granted))
            peer.send({"op": "consent_answer", "ask": ask_id, "capabilities": sorted(c.value for c in opened)})

        self._consent.ask(prompt, answer)

    def _callback(self, op: str, header: Mapping[str, Any], blob: bytes) -> None:
        callbacks = self.callbacks
        if op == "state":
            state = _text(header, "state", 64)
            granted = _capabilities(header, "granted")
            paused = _flag(header, "paused")
            self.gate.session_reported(state, granted)
            if callbacks.on_state is not None:
                callbacks.on_state(state, frozenset(c.value for c in granted), paused)
        elif op == "ended":
            reason = _text(header, "reason", p.MAX_REASON_CHARS)
            self._session_on = False
            self._end_locally()
            self._idle.set()
            if callbacks.on_ended is not None:
                callbacks.on_ended(reason)
        elif op == "chat":
            text = _text(header, "text", p.MAX_CHAT_CHARS)
            if callbacks.on_chat is not None:
                callbacks.on_chat(text)
        elif op == "clipboard":
            text = _text(header, "text", p.MAX_CLIPBOARD_CHARS)
            if callbacks.on_clipboard is not None and self.gate.may(p.Capability.CLIPBOARD):
                callbacks.on_clipboard(text)
        elif op == "change_report":
            script_id = _text(header, "script", 200)
            if callbacks.on_change_report is not None:
                callbacks.on_change_report(script_id)
        elif op == "diagnostic":
            try:
                request = p.decode(blob)
            except p.ProtocolError as error:
                raise IpcViolation(f"a diagnostic request that is not one: {error.reason}") from None
            if not isinstance(request, p.RunScript):
                raise IpcViolation("a diagnostic request that is not a script run")
            if callbacks.on_diagnostic is not None and self.gate.may(p.Capability.DIAGNOSTICS):
                callbacks.on_diagnostic(request)
        elif op == "consent_applied":
            self.gate.answer_applied()
        elif op == "journal":
            kind = _text(header, "kind", 100)
            details = header.get("details")
            if not isinstance(details, dict) or len(details) > 32:
                raise IpcViolation("journal details are not a small mapping")
            clean = {str(k)[:100]: v if isinstance(v, int) else str(v)[:1000] for k, v in details.items()}
            if callbacks.on_journal is not None:
                callbacks.on_journal(kind, clean)
        else:
            raise IpcViolation(f"unknown operation {op[:40]!r}")

    # --- the capture lane: grabs and change waits, one at a time, on one thread (the X connection's own) -------

    def _capture_loop(self) -> None:
        try:
            while (item := self._capture_lane.get()) is not None:
                header, peer = item
                request_id = header.get("id")
                try:
                    reply, blob, fds = self._capture(header, peer)
                except PodporaError as error:
                    if request_id is not None:
                        peer.reply_error(request_id, error)
                    continue
                except IpcViolation as error:
                    log.info("the protocol process broke the rules (%s): it is ended", error)
                    peer.close(f"violation: {error}")
                    continue
                if request_id is not None:
                    peer.reply(request_id, {**reply, "fds": len(fds)}, blob, fds)
        finally:
            watch, self._watch = self._watch, None
            if watch is not None:
                watch.close()

    def _capture(self, header: Mapping[str, Any], peer: IpcPeer) -> tuple[dict[str, Any], bytes, list[int]]:
        op = header["op"]
        if op == "watch_close":
            watch, self._watch = self._watch, None
            if watch is not None:
                watch.close()
            return {}, b"", []
        if op == "watch_wait":
            timeout = _number(header, "timeout", 0, MAX_WATCH_WAIT_SECONDS)
            watch = self._watch
            changed = bool(watch.wait(timeout)) if watch is not None else False
            return {"changed": changed}, b"", []
        if not self.gate.may_capture():
            raise PrivsepError("capture refused: view is not granted", user_text=VIEW_NOT_GRANTED_TEXT)
        if op == "monitors":
            monitors = list(self._screen.monitors())
            self._monitors = {int(m.index): m for m in monitors}
            return {"monitors": [_monitor_fields(m) for m in monitors]}, b"", []
        if op == "watch_open":
            opener = getattr(self._screen, "open_change_watch", None)
            if self._watch is None and opener is not None:
                try:
                    self._watch = opener()
                except (PodporaError, OSError) as error:
                    log.info("no change events (%s): the screen is polled", error)
            return {"ok": self._watch is not None}, b"", []
        if op == "cursor":
            return self._cursor()
        monitor = self._monitors.get(_int(header, "monitor", 0, p.MAX_MONITORS))
        if monitor is None:
            raise IpcViolation("a grab of a monitor that was never listed")
        if op == "grab":
            frame = self._screen.grab(monitor)
            return self._with_cursor(self._share(peer, frame, None, whole=True))
        # "changes": only what X DAMAGE reported is grabbed into the broker's last frame and shared
        whole = _flag(header, "whole") or self._frame is None or self._watch is None
        if self._watch is None:
            frame, areas = self._screen.grab(monitor), None
        else:
            frame, areas = self._watch.grab_changes(monitor, None if whole else self._frame)
        return self._with_cursor(
            self._share(peer, frame, areas, whole=whole or frame is not self._frame or areas is None)
        )

    def _with_cursor(self, shared: tuple[dict[str, Any], bytes, list[int]]) -> tuple[dict[str, Any], bytes, list[int]]:
        """The pointer, read right after the grab, rides along (the agent asks for it after every update: one
        round trip fewer per update)."""
        reply, _, fds = shared
        try:
            cursor, pixels, _ = self._cursor()
        except PodporaError:
            return reply, b"", fds  # the agent asks again (and treats a failure as "no cursor")
        return {**reply, "cursor": cursor}, pixels, fds

    def _share(
        self,
        peer: IpcPeer,
        frame: NDArray[np.uint8],
        areas: Sequence[tuple[int, int, int, int]] | None,
        *,
        whole: bool,
    ) -> tuple[dict[str, Any], bytes, list[int]]:
        """Put ``frame`` (or its ``areas``) in the shared picture; the shared picture mirrors the broker's frame."""
        height, width = int(frame.shape[0]), int(frame.shape[1])
        new_fd = self._picture.ensure(height * width * 4, share_again=peer is not self._shared_with)
        self._shared_with = peer
        shared = self._picture.view(height, width)
        if whole or new_fd is not None or self._frame is None or self._frame.shape != frame.shape:
            np.copyto(shared, frame)
            whole = True
        else:
            for x, y, w, h in areas or ():
                shared[y : y + h, x : x + w] = frame[y : y + h, x : x + w]
        self._frame = frame
        reply: dict[str, Any] = {
            "height": height,
            "width": width,
            "whole": whole,
            "areas": None if areas is None else [list(map(int, a)) for a in areas],
        }
        if new_fd is not None:
            reply["shared_size"] = self._picture.size
        return reply, b"", [new_fd] if new_fd is not None else []

    def _cursor(self) -> tuple[dict[str, Any], bytes, list[int]]:
        read = getattr(self._screen, "cursor", None)
        cursor = read() if read is not None else None
        if cursor is None:
            return {"none": True}, b"", []
        reply: dict[str, Any] = {"x": int(cursor.x), "y": int(cursor.y)}
        shape = getattr(cursor, "shape", None)
        if shape is None:
            return reply, b"", []
        reply["shape"] = {k: int(getattr(shape, k)) for k in ("width", "height", "hot_x", "hot_y", "serial")}
        return reply, bytes(shape.pixels), []


_CAPTURE_OPS: Final = frozenset({"monitors", "grab", "changes", "cursor", "watch_open", "watch_wait", "watch_close"})


def _monitor_fields(monitor: Any) -> dict[str, Any]:
    return {
        "index": int(monitor.index),
        "left": int(monitor.left),
        "top": int(monitor.top),
        "width": int(monitor.width),
        "height": int(monitor.height),
        "primary": bool(getattr(monitor, "primary", False)),
        "name": str(getattr(monitor, "name", ""))[:200],
        "scale": int(getattr(monitor, "scale", 1)),
    }


# --- The protocol process's side: the broker as screen, input, consent and callbacks ----------------------------


class _BrokerPicture:
    """The protocol process's read-only map of the broker's shared picture."""

    def __init__(self) -> None:
        self._map: mmap.mmap | None = None

    def take(self, reply: Mapping[str, Any], fds: list[int]) -> NDArray[np.uint8]:
        if fds:
            if self._map is not None:
                self._map.close()
            size = int(reply["shared_size"])
            self._map = mmap.mmap(fds[0], size, prot=mmap.PROT_READ)
            for fd in fds:
                os.close(fd)
        if self._map is None:
            raise PrivsepError("the broker shared no picture")
        height, width = int(reply["height"]), int(reply["width"])
        return np.frombuffer(self._map, dtype=np.uint8, count=height * width * 4).reshape(height, width, 4)


class BrokerScreen:
    """The protocol process's :class:`ScreenSource`: every grab is asked of the broker, which may refuse."""

    def __init__(self, peer: IpcPeer) -> None:
        self._peer = peer
        self._picture = _BrokerPicture()
        self._cursor: CursorState | None = None
        self._cursor_fresh = False  # the last grab brought the pointer along: no need to ask again

    def _ask(self, header: Mapping[str, Any]) -> tuple[dict[str, Any], bytes, list[int]]:
        try:
            return self._peer.request(header)
        except IpcClosed as error:
            raise PrivsepError(f"the broker did not answer: {error}", user_text=CHILD_GONE_TEXT) from None

    def monitors(self) -> list[Monitor]:
        """The monitors, as the broker lists them."""
        reply, _, _ = self._ask({"op": "monitors"})
        return [Monitor(**fields) for fields in reply["monitors"]]

    def grab(self, monitor: Any) -> NDArray[np.uint8]:
        """A copy of the monitor's whole picture."""
        reply, blob, fds = self._ask({"op": "grab", "monitor": int(monitor.index)})
        self._took_cursor(reply, blob)
        return np.array(self._picture.take(reply, fds))

    def cursor(self) -> CursorState | None:
        """The pointer, as the broker read it with the last grab, or asked of it now."""
        if self._cursor_fresh:
            self._cursor_fresh = False
            return self._cursor
        reply, blob, _ = self._ask({"op": "cursor"})
        return self._cursor_from(reply, blob)

    def _took_cursor(self, reply: Mapping[str, Any], blob: bytes) -> None:
        fields = reply.get("cursor")
        if isinstance(fields, dict):
            self._cursor, self._cursor_fresh = self._cursor_from(fields, blob), True

    @staticmethod
    def _cursor_from(reply: Mapping[str, Any], blob: bytes) -> CursorState | None:
        if reply.get("none"):
            return None
        shape = reply.get("shape")
        return CursorState(
            int(reply["x"]), int(reply["y"]), CursorShape(**shape, pixels=blob) if isinstance(shape, dict) else None
        )

    def open_change_watch(self) -> BrokerWatch | None:
        """The broker's change watch (X DAMAGE), if it has one."""
        reply, _, _ = self._ask({"op": "watch_open"})
        return BrokerWatch(self) if reply.get("ok") else None

    def grab_changes(
        self, monitor: Any, frame: NDArray[np.uint8] | None
    ) -> tuple[NDArray[np.uint8], list[tuple[int, int, int, int]] | None]:
        reply, blob, fds = self._ask({"op": "changes", "monitor": int(monitor.index), "whole": frame is None})
        self._took_cursor(reply, blob)
        shared = self._picture.take(reply, fds)
        areas = reply.get("areas")
        changed = None if areas is None else [(int(x), int(y), int(w), int(h)) for x, y, w, h in areas]
        if reply.get("whole") or frame is None or frame.shape != shared.shape:
            return np.array(shared), changed
        for x, y, w, h in changed or ():
            frame[y : y + h, x : x + w] = shared[y : y + h, x : x + w]
        return frame, changed


class BrokerWatch:
    """The protocol process's change watch: waits and grabs are carried out by the broker's capture thread."""

    def __init__(self, screen: BrokerScreen) -> None:
        self._screen = screen

    def wait(self, timeout: float) -> bool:
        """Wait (in the broker) until the screen is drawn on or ``timeout`` passed."""
        timeout = min(max(timeout, 0.0), MAX_WATCH_WAIT_SECONDS)
        try:
            reply, _, _ = self._screen._peer.request(
                {"op": "watch_wait", "timeout": timeout}, timeout=timeout + BROKER_ANSWER_SECONDS
            )
        except (IpcClosed, PodporaError):
            return False
        return bool(reply.get("changed"))

    def grab_changes(
        self, monitor: Any, frame: NDArray[np.uint8] | None
    ) -> tuple[NDArray[np.uint8], list[tuple[int, int, int, int]] | None]:
        """Bring ``frame`` up to date with what the broker grabbed."""
        return self._screen.grab_changes(monitor, frame)

    def wake(self) -> None:
        """End a wait early."""
        self._screen._peer.send({"op": "watch_wake"})

    def close(self) -> None:
        """Close the broker's watch."""
        self._screen._peer.send({"op": "watch_close", "id": None})


class BrokerInput:
    """The protocol process's :class:`InputSink`: input goes to the broker, which applies it only under consent."""

    def __init__(self, peer: IpcPeer) -> None:
        self._peer = peer

    def pointer(self, x: int, y: int, buttons: int = 0, wheel: int = 0, wheel_horizontal: int = 0) -> None:
        self._peer.send(
            {"op": "pointer", "x": x, "y": y, "buttons": buttons, "wheel": wheel, "wheel_h": wheel_horizontal}
        )

    def key(self, down: bool, keysym: int | None = None, text: str | None = None) -> None:
        self._peer.send({"op": "key", "down": down, "keysym": keysym, "text": text})

    def release_all(self) -> None:
        self._peer.send({"op": "release_all"})


class BrokerConsent:
    """The protocol process's :class:`ConsentProvider`: the user is asked by the broker."""

    def __init__(self, peer: IpcPeer) -> None:
        self._peer = peer
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._waiting: dict[int, Callable[[frozenset[p.Capability]], None]] = {}

    def ask(self, prompt: ConsentPrompt, answer: Callable[[frozenset[p.Capability]], None]) -> None:
        ask_id = next(self._ids)
        with self._lock:
            self._waiting[ask_id] = answer
        self._peer.send(
            {
                "op": "consent_ask",
                "ask": ask_id,
                "session_id": prompt.session_id,
                "capabilities": sorted(c.value for c in prompt.capabilities),
                "reason": prompt.reason,
                "case_ref": prompt.case_ref,
                "seconds": max(0.0, min(3600.0, prompt.deadline - time.monotonic())),
            },
            prompt.claim,
        )

    def answered(self, header: Mapping[str, Any]) -> None:
        """The broker's answer arrived."""
        with self._lock:
            answer = self._waiting.pop(_int(header, "ask", 0, 1 << 53), None)
        if answer is not None:
            answer(_capabilities(header, "capabilities"))
        self._peer.send({"op": "consent_applied"})  # reports from here on reflect this answer

    def dismiss(self) -> None:
        with self._lock:
            self._waiting.clear()
        self._peer.send({"op": "consent_dismiss"})


class BrokerCodes:
    """The protocol process's code attempts: counted by the broker, which holds the code."""

    def __init__(self, peer: IpcPeer) -> None:
        self._peer = peer

    def begin_attempt(self, now: float) -> str:
        """Ask the broker to start an attempt; the digits stay there (an empty string is returned)."""
        _ask_broker(self._peer, {"op": "pair_begin"})
        return ""

    def attempt_failed(self, now: float) -> None:
        """The attempt was abandoned or broken on this side."""
        self._peer.send({"op": "pair_failed"})

    def attempt_succeeded(self, now: float) -> None:
        """Nothing to do: the broker counted the success when it checked the confirmation."""


class BrokerPairing:
    """The protocol process's half of a pairing attempt: the broker does the SPAKE2 exchange with the code."""

    def __init__(self, peer: IpcPeer, hello: bytes) -> None:
        self._peer = peer
        self._hello = hello

    def on_pair_start(self, start: p.PairStart) -> p.PairReply:
        reply, blob, _ = _ask_broker(
            self._peer, {"op": "pair_start", "hello": len(self._hello)}, self._hello + start.message
        )
        return p.PairReply(blob, bytes.fromhex(str(reply["confirmation"])))

    def on_pair_confirm(self, confirm: p.PairConfirm) -> SessionKeys:
        reply, blob, _ = _ask_broker(self._peer, {"op": "pair_confirm"}, confirm.confirmation)
        return SessionKeys(blob[:32], blob[32:64], blob[64:96], str(reply["session_id"]))


def _ask_broker(peer: IpcPeer, header: Mapping[str, Any], blob: bytes = b"") -> tuple[dict[str, Any], bytes, list[int]]:
    """A pairing request to the broker; its refusal (or silence) is a :class:`PairingError` as in one process."""
    try:
        return peer.request(header, blob)
    except IpcClosed as error:
        raise PairingError(f"the broker did not answer: {error}") from None
    except PodporaError as error:
        raise PairingError(str(getattr(error, "reason", "") or error), user_text=error.user_text) from None


def _callbacks_to(peer: IpcPeer) -> AgentCallbacks:
    """The protocol process's agent callbacks: each is a message to the broker."""

    def journal(kind: str, details: Mapping[str, str | int]) -> None:
        peer.send({"op": "journal", "kind": kind, "details": dict(details)})

    return AgentCallbacks(
        on_state=lambda state, granted, paused: peer.send(
            {"op": "state", "state": state, "granted": sorted(granted), "paused": paused}
        ),
        on_chat=lambda text: peer.send({"op": "chat", "text": text}),
        on_change_report=lambda script_id: peer.send({"op": "change_report", "script": script_id}),
        on_clipboard=lambda text: peer.send({"op": "clipboard", "text": text}),
        on_diagnostic=lambda request: peer.send({"op": "diagnostic"}, p.encode(request)),
        on_journal=journal,
        on_ended=lambda reason: peer.send({"op": "ended", "reason": reason}),
    )


class ProtocolProcess:
    """The confined child: an :class:`AssistAgent` whose machine is the broker."""

    def __init__(self, ipc: socket.socket, listener: socket.socket, confinement: str) -> None:
        self._listener = listener
        self._confinement = confinement
        self._init: dict[str, Any] | None = None
        self._started = threading.Event()
        self._done = threading.Event()
        self._agent: Any = None
        self._consent: BrokerConsent | None = None
        # The broker's messages are carried out on a thread of their own, never on the connection's reader: a
        # consent answer starts capture, which asks the broker for the monitors and waits for the reader to
        # bring the reply.
        self._requests: queue.SimpleQueue[tuple[dict[str, Any], bytes] | None] = queue.SimpleQueue()
        self.peer = IpcPeer(ipc, self._handle, name="podpora-protocol", on_closed=self._broker_gone)

    def run(self) -> int:
        """Serve until the broker says stop or goes away; returns the exit code."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        from app.remote.agent import AssistAgent
        from app.remote.encode import FrameEncoder

        worker = threading.Thread(target=self._work, name="podpora-protocol-requests", daemon=True)
        worker.start()
        self.peer.start()
        if not self._started.wait(START_SECONDS) or self._init is None:
            return 3
        keys = [Ed25519PublicKey.from_public_bytes(bytes.fromhex(k)) for k in self._init.get("org_keys", [])]
        self._consent = BrokerConsent(self.peer)
        agent = AssistAgent(
            screen=BrokerScreen(self.peer),
            consent=self._consent,
            input_sink=BrokerInput(self.peer),
            encoder_factory=FrameEncoder,
            on_mapping=lambda left, top, width, height: self.peer.send(
                {"op": "mapping", "left": left, "top": top, "width": width, "height": height}
            ),
            org_keys=keys,
            callbacks=_callbacks_to(self.peer),
            resume_grace=float(self._init.get("resume_grace", RESUME_GRACE_SECONDS)),
            code_attempts=BrokerCodes(self.peer),
            pairing=lambda _digits, hello: BrokerPairing(self.peer, hello),
        )
        self._agent = agent
        agent.serve_listener(self._listener)
        self.peer.send({"op": "ready", "confinement": self._confinement})
        self._done.wait()
        agent.stop()
        agent.wait_stopped(EXIT_GRACE_SECONDS)
        self._requests.put(None)
        self.peer.close("stopped")
        self.peer.join(EXIT_GRACE_SECONDS)
        worker.join(EXIT_GRACE_SECONDS)
        return 0

    def _broker_gone(self, reason: str) -> None:
        log.info("the connection to the broker ended: %s", reason)
        self._done.set()

    def _handle(self, header: dict[str, Any], blob: bytes, fds: list[int]) -> None:
        for fd in fds:
            os.close(fd)
        if header["op"] == "stop":
            self._done.set()  # at once, even when the worker is busy
        self._requests.put((header, blob))

    def _work(self) -> None:
        while (item := self._requests.get()) is not None:
            try:
                self._carry_out(*item)
            except (IpcViolation, p.ProtocolError) as error:
                log.info("a request of the broker was not understood: %s", error)

    def _carry_out(self, header: dict[str, Any], blob: bytes) -> None:
        op = header["op"]
        agent = self._agent
        if op == "init":
            self._init = header
            self._started.set()
        elif agent is None:
            return
        elif op == "consent_answer" and self._consent is not None:
            self._consent.answered(header)
        elif op in _AGENT_CALLS:
            _AGENT_CALLS[op](agent, header, blob)


_AGENT_CALLS: Final[dict[str, Callable[[Any, Mapping[str, Any], bytes], None]]] = {
    "pause": lambda agent, _h, _b: agent.pause(),
    "resume": lambda agent, _h, _b: agent.resume(),
    "revoke": lambda agent, h, _b: agent.revoke(_capabilities(h, "capabilities")),
    "end_session": lambda agent, _h, _b: agent.end_session(),
    "prompt": lambda agent, h, _b: agent.set_prompt_open(_flag(h, "open")),
    "chat": lambda agent, h, _b: agent.send_chat(_text(h, "text", p.MAX_CHAT_CHARS)),
    "send_local": lambda agent, _h, b: agent.send_local(p.decode(b)),
}


def main(argv: Sequence[str] | None = None) -> int:
    """The protocol process: confine, then serve the broker's listening socket."""
    parser = argparse.ArgumentParser(prog="podpora-protocol", description="Podpora's confined protocol process.")
    parser.add_argument("--ipc-fd", type=int, required=True)
    parser.add_argument("--listen-fd", type=int, required=True)
    args = parser.parse_args(argv)
    # No PR_SET_PDEATHSIG: it fires when the *thread* that started the process ends (the window starts it from a
    # worker thread).  The broker's end is seen instead as the end of the connection, which ends this process.
    from app.remote.sandbox import confine_protocol_process

    confinement = confine_protocol_process()  # before any thread starts: namespaces need a single thread
    logging.basicConfig(level=os.environ.get("PODPORA_LOG", "WARNING").upper(), stream=sys.stderr)
    ipc = socket.socket(fileno=args.ipc_fd)
    listener = socket.socket(fileno=args.listen_fd)
    return ProtocolProcess(ipc, listener, confinement.describe()).run()


if __name__ == "__main__":
    sys.exit(main())
