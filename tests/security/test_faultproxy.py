"""The fault proxy itself: every behaviour checked against a small echo server on 127.0.0.1.

Waits are on the proxy's own counters (``wait_for``) or on socket reads with a timeout, never on sleeps.
Where a delay or throttle is checked, only a lower bound is asserted: the proxy must hold bytes back at
least that long, which holds on any machine however slow; no upper bound (speed) is asserted.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.helpers.faultproxy import Action, Direction, FaultProxy


class EchoServer:
    """A threaded echo server on 127.0.0.1 that records what it received and how (recv sizes, EOF)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port: int = self.listener.getsockname()[1]
        self.received = bytearray()
        self.recv_sizes: list[int] = []
        self.peer_eof = threading.Event()
        self.peer_reset = threading.Event()
        self.connections: list[socket.socket] = []
        self.changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    def _echo(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        while not self._stop.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                self.peer_reset.set()
                break
            except OSError:
                break
            if not data:
                self.peer_eof.set()
                break
            with self.changed:
                self.received += data
                self.recv_sizes.append(len(data))
                self.changed.notify_all()
            try:
                conn.sendall(data)
            except OSError:
                break
        with self.changed:
            self.changed.notify_all()
        conn.close()

    def send_from_server(self, data: bytes) -> None:
        """Push bytes to the (single) connected client unprompted, waiting out a full send buffer."""
        view = memoryview(data)
        while view:
            try:
                view = view[self.connections[-1].send(view) :]
            except TimeoutError:  # the socket has a short timeout for the echo loop; the client is slow
                continue

    def wait_received(self, count: int, timeout: float = 10) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.received) >= count, timeout), (
                f"echo server got {len(self.received)} of {count} bytes"
            )

    def stop(self) -> None:
        self._stop.set()
        self.listener.close()
        self._thread.join(5)


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.stop()


@pytest.fixture
def proxy(echo: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy(echo.port) as running:
        yield running


def connect(proxy: FaultProxy) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    proxy.wait_for(lambda: proxy.accepted >= 1)
    return sock


def recv_exactly(sock: socket.socket, count: int) -> bytes:
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def test_transparent_round_trip_counts_bytes_both_ways(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        payload = bytes(range(256)) * 40
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload
    proxy.wait_for(lambda: proxy.forwarded(Direction.TO_CLIENT) == len(payload))
    assert proxy.forwarded(Direction.TO_SERVER) == len(payload)
    assert proxy.forwarded() == 2 * len(payload)
    assert bytes(echo.received) == payload


def test_delay_holds_every_chunk_back_at_least_the_latency(proxy: FaultProxy) -> None:
    proxy.set(Direction.TO_SERVER, delay=0.3)
    with connect(proxy) as sock:
        started = time.monotonic()
        sock.sendall(b"ping")
        assert recv_exactly(sock, 4) == b"ping"
        assert time.monotonic() - started >= 0.3
        proxy.set(Direction.TO_SERVER, delay=0.0)  # changed at runtime: the next chunk is not held back
        sock.sendall(b"pong")
        assert recv_exactly(sock, 4) == b"pong"


def test_throttle_limits_the_rate(proxy: FaultProxy) -> None:
    rate = 4000
    proxy.set(Direction.TO_CLIENT, throttle=rate)
    payload = b"x" * 2000
    with connect(proxy) as sock:
        started = time.monotonic()
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload
        # The proxy sends rate/20 bytes, then waits size/rate: everything but the last write waits first.
        assert time.monotonic() - started >= (len(payload) - rate // 20) / rate
    # The counters are updated right after each send, so wait for the last one before reading them.
    proxy.wait_for(lambda: proxy.forwarded(Direction.TO_CLIENT) == len(payload))
    assert proxy.writes(Direction.TO_CLIENT) >= len(payload) // (rate // 20)


def test_stall_keeps_sockets_open_and_forwards_nothing_until_resumed(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        proxy.stall()
        sock.sendall(b"held back")
        proxy.wait_for(lambda: proxy.held(Direction.TO_SERVER) == 9)
        assert proxy.forwarded() == 0
        assert echo.received == b""
        sock.settimeout(0.2)
        with pytest.raises(TimeoutError):  # no FIN, no RST: the peer just hears nothing
            sock.recv(1)
        assert proxy.live_connections() == 1
        proxy.resume()
        sock.settimeout(10)
        assert recv_exactly(sock, 9) == b"held back"


def test_cut_closes_both_sides(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"a")
        assert recv_exactly(sock, 1) == b"a"
        proxy.cut()
        assert sock.recv(1) == b""
        assert echo.peer_eof.wait(10)
    assert proxy.live_connections() == 0


def test_reset_sends_rst_to_both_sides(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"a")
        assert recv_exactly(sock, 1) == b"a"
        proxy.reset()
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
        assert echo.peer_reset.wait(10)


def test_split_writes_into_tiny_segments(proxy: FaultProxy, echo: EchoServer) -> None:
    proxy.set(Direction.TO_SERVER, segment_size=1)
    payload = b"0123456789" * 5
    with connect(proxy) as sock:
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload
    proxy.wait_for(lambda: proxy.forwarded(Direction.TO_SERVER) == len(payload))
    assert proxy.writes(Direction.TO_SERVER) == len(payload)
    assert max(echo.recv_sizes) < len(payload)  # the server never saw the payload in one piece


def test_after_bytes_passes_exactly_n_then_cuts(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"hello")
        assert recv_exactly(sock, 5) == b"hello"
        proxy.after_bytes(Direction.TO_CLIENT, 10, Action.CUT)
        echo.send_from_server(b"A" * 100)  # one chunk: the proxy must split it at the budget
        assert recv_exactly(sock, 100) == b"A" * 10  # then EOF
    proxy.wait_for(lambda: proxy.forwarded(Direction.TO_CLIENT) == 5 + 10)
    assert proxy.forwarded(Direction.TO_CLIENT) == 5 + 10


def test_after_bytes_then_stall_blackholes_both_ways(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        proxy.after_bytes(Direction.TO_SERVER, 3, Action.STALL)
        sock.sendall(b"abcdef")
        echo.wait_received(3)
        # The stall is a network hang: the rest of the request and the echo of "abc" are both held.
        proxy.wait_for(lambda: proxy.held(Direction.TO_SERVER) == 3 and proxy.held(Direction.TO_CLIENT) == 3)
        assert proxy.shaping(Direction.TO_SERVER).stalled
        assert proxy.shaping(Direction.TO_CLIENT).stalled
        assert echo.received == b"abc"
        proxy.resume()
        assert recv_exactly(sock, 6) == b"abcdef"


def test_after_bytes_then_reset(proxy: FaultProxy) -> None:
    with connect(proxy) as sock:
        proxy.after_bytes(Direction.TO_SERVER, 2, Action.RESET)
        sock.sendall(b"xyz")
        with pytest.raises(ConnectionResetError):
            while sock.recv(16):
                pass


def test_half_close_is_passed_on(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"bye")
        sock.shutdown(socket.SHUT_WR)
        assert echo.peer_eof.wait(10)
        assert recv_exactly(sock, 10) == b"bye"


def test_only_loopback_targets_are_accepted() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        FaultProxy(22, target_host="10.0.0.1")
    with pytest.raises(ValueError, match="port"):
        FaultProxy(0)


def test_leaving_the_context_ends_every_thread_even_while_stalled(echo: EchoServer) -> None:
    with FaultProxy(echo.port) as proxy:
        sock = connect(proxy)
        proxy.stall()
        sock.sendall(b"stuck")
        proxy.wait_for(lambda: proxy.held() == 5)
    assert sock.recv(1) == b""  # the proxy closed its side when it stopped
    sock.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("faultproxy")]


def test_refuse_new_connections(proxy: FaultProxy) -> None:
    proxy.refuse_new = True
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        assert sock.recv(1) == b""
    assert proxy.accepted == 0


def test_a_slow_reader_gets_back_pressure_not_a_cut(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"!")
        assert recv_exactly(sock, 1) == b"!"
        payload = b"z" * (8 * 1024 * 1024)  # more than the kernel buffers on both hops
        sender = threading.Thread(target=echo.send_from_server, args=(payload,), daemon=True)
        sender.start()
        # The client reads nothing until the proxy is forced to hold bytes back.
        proxy.wait_for(lambda: proxy.held(Direction.TO_CLIENT) > 0)
        assert recv_exactly(sock, len(payload)) == payload
        sender.join(10)
    proxy.wait_for(lambda: proxy.forwarded(Direction.TO_CLIENT) == 1 + len(payload))


def test_corrupt_flips_exactly_one_byte_at_the_chosen_offset(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        proxy.after_bytes(Direction.TO_SERVER, 3, Action.CORRUPT)
        sock.sendall(b"abcdef")
        assert recv_exactly(sock, 6) == b"abc" + bytes([ord("d") ^ 0xFF]) + b"ef"
        sock.sendall(b"gh")  # one-shot: later bytes pass untouched
        assert recv_exactly(sock, 2) == b"gh"
