"""A TCP fault proxy on 127.0.0.1 that tests put into any TCP path to delay, throttle, stall, cut or reset it.

``tc netem`` does not exist on the CI kernels, so network faults come from userspace (toxiproxy-style "toxics",
see SECURITY-BAR.md §3.0). The proxy listens on 127.0.0.1 at a free port and forwards every accepted
connection to ``127.0.0.1:target_port``; it refuses any other target, so a test can never aim it elsewhere.

Behaviour is per direction and can change at any moment while connections are live::

    with FaultProxy(server_port) as proxy:
        client = socket.create_connection(("127.0.0.1", proxy.port))
        proxy.set(Direction.BOTH, delay=0.2)                  # latency on every chunk
        proxy.set(Direction.TO_SERVER, throttle=1_000)        # bytes per second
        proxy.set(Direction.TO_CLIENT, segment_size=1)        # 1-byte segments
        proxy.stall()                                          # silent blackhole, sockets stay open
        proxy.stall_live()                                     # only today's connections go dark; new ones pass
        proxy.resume()
        proxy.after_bytes(Direction.TO_CLIENT, 100, Action.CUT)  # pass 100 more bytes, then cut
        proxy.after_bytes(Direction.TO_SERVER, 0, Action.CORRUPT)  # flip the next byte sent to the server
        proxy.cut()                                            # FIN both sides now
        proxy.reset()                                          # RST both sides now (SO_LINGER 0)
        proxy.wait_for(lambda: proxy.forwarded(Direction.TO_CLIENT) >= 10)

Every wait inside the proxy is bounded and wakes on the proxy's own stop event, so leaving the ``with`` block
(or calling ``stop()``) always ends every thread, even while a connection is stalled.
"""

from __future__ import annotations

import contextlib
import enum
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"
_CHUNK = 65536
# How many read chunks may wait in one direction before the reader stops reading (back-pressure to the sender).
_QUEUE_LIMIT = 64
# Bounded poll interval: lets blocked threads notice stop() and behaviour changes without busy-waiting.
_POLL = 0.05


class _Unchanged(enum.Enum):
    """Marks an argument of :meth:`FaultProxy.set` that was left out (``None`` means "no limit")."""

    UNCHANGED = "unchanged"


_UNCHANGED = _Unchanged.UNCHANGED


class Direction(enum.Flag):
    """Which way bytes travel through the proxy."""

    TO_SERVER = enum.auto()
    TO_CLIENT = enum.auto()
    BOTH = TO_SERVER | TO_CLIENT


class Action(enum.Enum):
    """What :meth:`FaultProxy.after_bytes` does once its byte budget is spent."""

    STALL = "stall"
    CUT = "cut"
    RESET = "reset"
    CORRUPT = "corrupt"  # flip every bit of the next byte in that direction (integrity tests, T05)


@dataclass
class Shaping:
    """How one direction forwards bytes right now."""

    delay: float = 0.0
    throttle: int | None = None  # bytes per second; None = unlimited
    segment_size: int | None = None  # forward in writes of at most this many bytes
    stalled: bool = False


@dataclass
class _Trigger:
    remaining: int
    action: Action


class ProxyConnection:
    """One accepted client connection and its upstream connection, with two forwarding directions."""

    def __init__(self, proxy: FaultProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # Short timeouts so blocked reads notice close() and stop(); sendall is bounded the same way.
            sock.settimeout(_POLL)
        self.closed = threading.Event()
        #: This connection alone forwards nothing (see :meth:`FaultProxy.stall_live`).
        self.stalled = False
        self._close_lock = threading.Lock()
        self._finished = 0
        self._pipes = [
            _Pipe(self, Direction.TO_SERVER, client, upstream),
            _Pipe(self, Direction.TO_CLIENT, upstream, client),
        ]

    def start(self) -> None:
        for pipe in self._pipes:
            pipe.start()

    def direction_finished(self) -> None:
        """Called once per direction after it forwarded everything and passed on the EOF."""
        with self._close_lock:
            self._finished += 1
            both = self._finished == 2
        if both:
            self.close()

    def pipe(self, direction: Direction) -> _Pipe:
        return self._pipes[0] if direction is Direction.TO_SERVER else self._pipes[1]

    def close(self, *, reset: bool = False) -> None:
        """Close both sockets; with ``reset`` the peers see RST instead of FIN."""
        with self._close_lock:
            if self.closed.is_set():
                return
            for sock in (self.client, self.upstream):
                try:
                    if reset:
                        # Linger on, timeout 0: close() discards unsent data and sends RST.
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    else:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.closed.set()
        self.proxy._notify()

    def join(self, timeout: float) -> None:
        for pipe in self._pipes:
            pipe.join(timeout)


class _Pipe:
    """Forwards one direction: a reader thread fills a bounded queue, a writer thread shapes and sends it."""

    def __init__(self, conn: ProxyConnection, direction: Direction, src: socket.socket, dst: socket.socket):
        self.conn = conn
        self.direction = direction
        self.src = src
        self.dst = dst
        self.queue: deque[tuple[float, bytes]] = deque()
        self.eof = False
        self.cond = threading.Condition()
        name = f"faultproxy-{direction.name}"
        self._reader = threading.Thread(target=self._read_loop, name=f"{name}-read", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name=f"{name}-write", daemon=True)

    def start(self) -> None:
        self._reader.start()
        self._writer.start()

    def join(self, timeout: float) -> None:
        self._reader.join(timeout)
        self._writer.join(timeout)

    def wake(self) -> None:
        with self.cond:
            self.cond.notify_all()

    def _alive(self) -> bool:
        return not self.conn.closed.is_set() and not self.conn.proxy._stopping.is_set()

    def _read_loop(self) -> None:
        while self._alive():
            with self.cond:
                while len(self.queue) >= _QUEUE_LIMIT and self._alive():
                    self.cond.wait(_POLL)
            try:
                data = self.src.recv(_CHUNK)
            except TimeoutError:
                continue
            except OSError:
                break
            if data:
                self.conn.proxy._count_read(self.direction, len(data))
            with self.cond:
                if data:
                    self.queue.append((time.monotonic(), data))
                else:
                    self.eof = True
                self.cond.notify_all()
            if not data:
                return
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def _next_chunk(self) -> tuple[float, bytes] | None:
        """Wait for queued data; None when the source ended and the queue is drained, or on close."""
        with self.cond:
            while not self.queue and not self.eof and self._alive():
                self.cond.wait(_POLL)
            if self.queue:
                return self.queue.popleft()
            return None

    def _wait(self, until: Callable[[], bool], deadline: float | None = None) -> bool:
        """Wait until ``until()`` holds or ``deadline`` passes; False when the connection closes first."""
        with self.cond:
            while self._alive():
                if until():
                    return True
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return True
                    self.cond.wait(min(left, _POLL))
                else:
                    self.cond.wait(_POLL)
        return False

    def _send_all(self, data: bytes) -> bool:
        """Send everything, waiting out a full send buffer (a slow reader) until the connection closes."""
        view = memoryview(data)
        while view and self._alive():
            try:
                sent = self.dst.send(view)
            except TimeoutError:
                continue
            except OSError:
                return False
            view = view[sent:]
        return not view

    def _write_loop(self) -> None:
        proxy = self.conn.proxy
        while self._alive():
            item = self._next_chunk()
            if item is None:
                break
            received_at, data = item
            while data and self._alive():
                # Stalled: keep the bytes, keep the sockets, send nothing until resumed or closed.
                if not self._wait(lambda: not proxy.shaping(self.direction).stalled and not self.conn.stalled):
                    return
                shaping = proxy.shaping(self.direction)
                if shaping.delay > 0 and not self._wait(lambda: False, received_at + shaping.delay):
                    return
                if proxy.shaping(self.direction).stalled or self.conn.stalled:
                    continue
                size = len(data)
                if shaping.segment_size:
                    size = min(size, shaping.segment_size)
                if shaping.throttle:
                    # At most 1/20 s worth of bytes per write so the rate stays smooth.
                    size = min(size, max(1, shaping.throttle // 20))
                size, action = proxy._take_budget(self.direction, size)
                if action is Action.STALL:
                    # Stall before these last bytes leave, so no reply to them can slip through first.
                    proxy._apply(action, self.direction)
                    action = None
                if size and proxy._take_flip(self.direction):
                    data = bytes([data[0] ^ 0xFF]) + data[1:]
                if size:
                    if not self._send_all(data[:size]):
                        self.conn.close()
                        return
                    proxy._count(self.direction, size)
                    data = data[size:]
                    if shaping.throttle and not self._wait(lambda: False, time.monotonic() + size / shaping.throttle):
                        return
                    if shaping.segment_size and data:
                        # A short pause so the kernel really emits separate segments.
                        self._wait(lambda: False, time.monotonic() + 0.001)
                if action is not None:
                    proxy._apply(action, self.direction)
        if self._alive() and self.eof:
            # Source finished cleanly: pass the half-close on.
            with contextlib.suppress(OSError):
                self.dst.shutdown(socket.SHUT_WR)
            # Both directions drained and half-closed: nothing more can flow, release the sockets.
            self.conn.direction_finished()
            proxy._notify()


class FaultProxy:
    """A loopback TCP proxy with faults scheduled by the test; see the module docstring for usage."""

    def __init__(self, target_port: int, *, target_host: str = LOOPBACK, listen_port: int = 0) -> None:
        """Forward to ``target_port``; listen on ``listen_port`` (0: any free port; a port: a restarted proxy)."""
        if target_host != LOOPBACK:
            raise ValueError(f"FaultProxy only forwards to {LOOPBACK}, not {target_host!r}")
        if not 0 < target_port < 65536:
            raise ValueError(f"bad target port {target_port}")
        self.target = (LOOPBACK, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, listen_port))
        self._listener.listen(64)
        self._listener.settimeout(_POLL)
        self.port: int = self._listener.getsockname()[1]
        # Re-entrant: wait_for() holds it while the test's predicate calls forwarded() and friends.
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._shaping = {Direction.TO_SERVER: Shaping(), Direction.TO_CLIENT: Shaping()}
        self._triggers: dict[Direction, _Trigger] = {}
        self._flip: set[Direction] = set()
        self._forwarded = {Direction.TO_SERVER: 0, Direction.TO_CLIENT: 0}
        self._read = {Direction.TO_SERVER: 0, Direction.TO_CLIENT: 0}
        self._writes = {Direction.TO_SERVER: 0, Direction.TO_CLIENT: 0}
        self.connections: list[ProxyConnection] = []
        self.accepted = 0
        self.refuse_new = False
        self._acceptor = threading.Thread(target=self._accept_loop, name="faultproxy-accept", daemon=True)
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        if not self._started:
            self._started = True
            self._acceptor.start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection, and end all threads."""
        self._stopping.set()
        self._listener.close()
        with self._lock:
            conns = list(self.connections)
        for conn in conns:
            conn.close()
        if self._started:
            self._acceptor.join(5)
        for conn in conns:
            conn.join(5)
        self._notify()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- behaviour -------------------------------------------------------------------------------------------

    def set(
        self,
        direction: Direction = Direction.BOTH,
        *,
        delay: float | None = None,
        throttle: int | _Unchanged | None = _UNCHANGED,
        segment_size: int | _Unchanged | None = _UNCHANGED,
        stalled: bool | None = None,
    ) -> None:
        """Change how ``direction`` forwards; arguments left out keep their value (``None`` clears a limit)."""
        with self._lock:
            for single in (Direction.TO_SERVER, Direction.TO_CLIENT):
                if not direction & single:
                    continue
                shaping = self._shaping[single]
                if delay is not None:
                    shaping.delay = delay
                if not isinstance(throttle, _Unchanged):
                    shaping.throttle = throttle
                if not isinstance(segment_size, _Unchanged):
                    shaping.segment_size = segment_size
                if stalled is not None:
                    shaping.stalled = stalled
        self._notify()

    def shaping(self, direction: Direction) -> Shaping:
        with self._lock:
            current = self._shaping[direction]
            return Shaping(current.delay, current.throttle, current.segment_size, current.stalled)

    def clear(self) -> None:
        """Back to a transparent proxy: no delay, no limits, no stall, no pending trigger."""
        with self._lock:
            self._shaping = {Direction.TO_SERVER: Shaping(), Direction.TO_CLIENT: Shaping()}
            self._triggers.clear()
        self._notify()

    def stall(self, direction: Direction = Direction.BOTH) -> None:
        """Stop forwarding silently: nothing is closed, the peers just hear nothing (a blackhole)."""
        self.set(direction, stalled=True)

    def resume(self, direction: Direction = Direction.BOTH) -> None:
        self.set(direction, stalled=False)

    def stall_live(self) -> None:
        """Stall every live connection for good (silently, sockets open); connections accepted later pass.

        This is a laptop that moved to another network: the old path goes dark without a FIN or RST, and the
        peers learn of it only from their own timeouts, while a new connection works at once.
        """
        for conn in self._live():
            conn.stalled = True
            for direction in (Direction.TO_SERVER, Direction.TO_CLIENT):
                conn.pipe(direction).wake()

    def cut(self) -> None:
        """Close both sides of every live connection (FIN)."""
        for conn in self._live():
            conn.close()

    def reset(self) -> None:
        """Abort every live connection with RST on both sides."""
        for conn in self._live():
            conn.close(reset=True)

    def after_bytes(self, direction: Direction, count: int, action: Action) -> None:
        """Forward ``count`` more bytes in ``direction`` (exactly; a chunk is split), then apply ``action``."""
        if direction not in (Direction.TO_SERVER, Direction.TO_CLIENT):
            raise ValueError("after_bytes needs a single direction")
        with self._lock:
            self._triggers[direction] = _Trigger(count, action)
        self._notify()

    # -- observation -----------------------------------------------------------------------------------------

    def forwarded(self, direction: Direction = Direction.BOTH) -> int:
        """Bytes forwarded so far in ``direction`` (over all connections)."""
        with self._lock:
            return sum(n for d, n in self._forwarded.items() if direction & d)

    def received(self, direction: Direction = Direction.BOTH) -> int:
        """Bytes the proxy has read from the sending side in ``direction`` (forwarded or still held)."""
        with self._lock:
            return sum(n for d, n in self._read.items() if direction & d)

    def held(self, direction: Direction = Direction.BOTH) -> int:
        """Bytes read but not (yet) forwarded: what a stall or a delay is holding back."""
        return self.received(direction) - self.forwarded(direction)

    def writes(self, direction: Direction = Direction.BOTH) -> int:
        """Number of separate writes (send calls) made in ``direction``; segment_size raises it."""
        with self._lock:
            return sum(n for d, n in self._writes.items() if direction & d)

    def live_connections(self) -> int:
        return len(self._live())

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until ``predicate()`` is true (re-checked on every proxy event); AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fault proxy: condition not reached within {timeout} s")
                self._changed.wait(min(left, _POLL))

    # -- internals -------------------------------------------------------------------------------------------

    def _live(self) -> list[ProxyConnection]:
        with self._lock:
            return [c for c in self.connections if not c.closed.is_set()]

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()
        for conn in self._live():
            for pipe in conn._pipes:
                pipe.wake()

    def _count(self, direction: Direction, size: int) -> None:
        with self._lock:
            self._forwarded[direction] += size
            self._writes[direction] += 1
        self._notify()

    def _count_read(self, direction: Direction, size: int) -> None:
        with self._lock:
            self._read[direction] += size
        self._notify()

    def _take_budget(self, direction: Direction, size: int) -> tuple[int, Action | None]:
        """Clamp a write to the pending trigger's budget; return the action once the budget is spent."""
        with self._lock:
            trigger = self._triggers.get(direction)
            if trigger is None:
                return size, None
            size = min(size, trigger.remaining)
            trigger.remaining -= size
            if trigger.remaining == 0:
                del self._triggers[direction]
                return size, trigger.action
            return size, None

    def _take_flip(self, direction: Direction) -> bool:
        with self._lock:
            if direction in self._flip:
                self._flip.discard(direction)
                return True
            return False

    def _apply(self, action: Action, direction: Direction) -> None:
        if action is Action.CORRUPT:
            with self._lock:
                self._flip.add(direction)
        elif action is Action.STALL:
            self.stall()
        elif action is Action.CUT:
            self.cut()
        else:
            self.reset()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.refuse_new:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = ProxyConnection(self, client, upstream)
            with self._lock:
                self.connections.append(conn)
                self.accepted += 1
            conn.start()
            self._notify()
