"""A small HTTP/1.1 fault proxy on 127.0.0.1 in front of a real server (Redmine in these tests).

Unlike the byte-level ``tests.helpers.faultproxy``, it understands requests, so a test can fail exactly one
kind of request: answer it with a 500 without forwarding it, or forward it and then cut the connection before
the response reaches the client (the "response lost after the server stored it" case).  It can also go down
(stop listening, refuse connections) and come back on the same port.  Every connection carries one request
(the proxy asks the server for ``Connection: close`` and closes the client side after the response).
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"


@dataclass
class Rule:
    """What to do with the next ``times`` requests whose method and path prefix match."""

    method: str
    path_prefix: str
    action: str  # "500" | "cut"
    times: int = 1


@dataclass
class Seen:
    """A request the proxy saw, and what it did with it."""

    method: str
    path: str
    action: str


@dataclass
class HttpFaultProxy:
    """See the module docstring."""

    target_port: int
    port: int = 0
    rules: list[Rule] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self.cut_done = threading.Event()

    # -- lifecycle

    def up(self) -> HttpFaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        thread = threading.Thread(target=self._accept_loop, args=(listener,), daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def down(self) -> None:
        """Stop listening: new connections are refused until :meth:`up`."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def add_rule(self, method: str, path_prefix: str, action: str, times: int = 1) -> None:
        with self._lock:
            self.rules.append(Rule(method, path_prefix, action, times))

    def count(self, method: str, path_prefix: str, action: str = "forward") -> int:
        with self._lock:
            return sum(
                1 for s in self.seen if s.method == method and s.path.startswith(path_prefix) and s.action == action
            )

    # -- internals

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _take_rule(self, method: str, path: str) -> str:
        with self._lock:
            for rule in self.rules:
                if rule.times > 0 and rule.method == method and path.startswith(rule.path_prefix):
                    rule.times -= 1
                    return rule.action
        return "forward"

    def _handle(self, client: socket.socket) -> None:
        with client:
            client.settimeout(30)
            try:
                head, body = _read_request(client)
            except (OSError, ValueError):
                return
            request_line, _, rest = head.partition(b"\r\n")
            method, path, _version = request_line.decode("latin-1").split(" ", 2)
            action = self._take_rule(method, path)
            with self._lock:
                self.seen.append(Seen(method, path, action))
            if action == "500":
                client.sendall(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                    b"Connection: close\r\n\r\nboom\n"
                )
                return
            headers = [line for line in rest.split(b"\r\n") if line and not line.lower().startswith(b"connection:")]
            upstream_head = b"\r\n".join([request_line, *headers, b"Connection: close"]) + b"\r\n\r\n"
            with socket.create_connection((LOOPBACK, self.target_port), timeout=60) as upstream:
                upstream.sendall(upstream_head + body)
                response = _read_until_close(upstream)
            if action == "cut":
                # The server has processed the request; the client never hears about it.
                client.shutdown(socket.SHUT_RDWR)
                self.cut_done.set()
                return
            client.sendall(response)


def _read_request(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ValueError("connection closed before a request")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() == b"transfer-encoding":
            raise ValueError("chunked requests are not supported by this test proxy")
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ValueError("connection closed inside the body")
        body += chunk
    return head, body


def _read_until_close(sock: socket.socket) -> bytes:
    parts = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
