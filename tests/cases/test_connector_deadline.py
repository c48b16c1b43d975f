"""Every connector request has an overall deadline and a size limit (app/cases/connectors/base.py).

httpx's timeouts bound each read, so a ticket server that trickles its answer a byte at a time never trips them;
without an overall deadline one delivery, and the whole outbox behind it, waits as long as the server likes.
The server here is a real HTTP server on 127.0.0.1 that trickles on purpose (its timed waits *are* the fault).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.cases.connectors import base
from app.cases.connectors.base import MAX_RESPONSE_BYTES, TicketSystemUnavailable
from app.cases.connectors.redmine import RedmineConnector

SHA = "ab" * 32
TRICKLE_PAUSE = 0.02  # between single bytes: far inside any read timeout used here


class TricklingServer(ThreadingHTTPServer):
    """Answers GET /issues/<n>.json; how depends on the issue number (see the handler)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.stop = threading.Event()
        self.client_hung_up = threading.Event()
        self.client_ports: list[int] = []  # the client's port for each request: the same port = a reused connection

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    """1: trickles an endless body; 2: a gzip answer listing the bundle; 3: an answer far too large;
    4: trickles endless headers (the body never starts)."""

    server: TricklingServer
    protocol_version = "HTTP/1.1"  # keep-alive, so a connector reuses its connection

    def do_GET(self) -> None:
        issue = self.path.split("?")[0].rsplit("/", 1)[-1]
        self.server.client_ports.append(self.client_address[1])
        if issue == "1.json":
            self._head(1_000_000)
            self._trickle()
        elif issue == "4.json":
            self.send_response(200)
            self.wfile.write(b"X-Padding: ")
            self._trickle()
        elif issue == "2.json":
            attachment = {"filename": f"podpora-case-C-{SHA[:16]}.zip", "content_url": "/attachments/9"}
            body = gzip.compress(json.dumps({"issue": {"attachments": [attachment]}}).encode())
            self._head(len(body), {"Content-Encoding": "gzip"})
            self.wfile.write(body)
        else:
            size = 4 * MAX_RESPONSE_BYTES  # well beyond what the kernel buffers between the two sides
            self._head(size)
            try:
                for _ in range(size // 65536):
                    self.wfile.write(b" " * 65536)
            except OSError:
                self.server.client_hung_up.set()

    def do_POST(self) -> None:
        """Reads the upload a byte at a time and never answers."""
        with contextlib.suppress(OSError):  # the client gave up
            while not self.server.stop.wait(TRICKLE_PAUSE) and self.rfile.read(1):
                pass

    def _head(self, length: int, extra: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _trickle(self) -> None:
        try:
            while not self.server.stop.wait(TRICKLE_PAUSE):
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:  # the client gave up and closed the connection
            self.server.client_hung_up.set()

    def log_message(self, *args: object) -> None:
        pass  # keep test output clean


@pytest.fixture
def server() -> Iterator[TricklingServer]:
    server = TricklingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()
    thread.join(10)


def outcome_of(function: Callable[[], object], limit: float = 30) -> object:
    """Run ``function`` in a thread; its result or exception (the test fails if it is still running at ``limit``)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(function())
        except Exception as error:  # the test inspects whatever came back
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), "the request was still running long after its deadline"
    return outcome[0]


@pytest.mark.parametrize(
    ("issue", "timeout", "deadline"),
    [("1", httpx.Timeout(10.0), 0.3), ("1", httpx.Timeout(0.2), None), ("4", httpx.Timeout(10.0), 0.3)],
    ids=["body-explicit-deadline", "body-deadline-from-the-client-timeouts", "headers-explicit-deadline"],
)
def test_a_trickled_answer_is_cut_off_at_the_deadline(
    server: TricklingServer, issue: str, timeout: httpx.Timeout, deadline: float | None
) -> None:
    connector = RedmineConnector(server.url, "key", client=httpx.Client(timeout=timeout), deadline=deadline)
    try:
        result = outcome_of(lambda: connector.find_delivered(issue, SHA))
    finally:
        connector.close()
    assert isinstance(result, TicketSystemUnavailable), result
    assert "no complete answer within" in str(result)
    assert result.retryable  # the outbox tries again later; nothing is lost
    # The connection was really dropped: the server notices on its next write.
    assert server.client_hung_up.wait(10)


def test_an_upload_read_a_byte_at_a_time_is_cut_off(server: TricklingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # Far more than the kernel buffers between the two sides, so the client's send really blocks; no time
    # allowance for the upload, so the deadline alone applies; the write timeout is longer than the test may run.
    monkeypatch.setattr(base, "MIN_UPLOAD_BYTES_PER_SECOND", float("inf"))
    data = bytes(32 * 1024 * 1024)
    connector = RedmineConnector(server.url, "key", client=httpx.Client(timeout=60.0), deadline=0.3)
    try:
        result = outcome_of(lambda: connector.request("POST", "uploads.json", content=data))
    finally:
        connector.close()
    assert isinstance(result, TicketSystemUnavailable), result
    assert "no complete answer within" in str(result)
    # (The server cannot tell yet: the client's FIN waits behind megabytes of upload still in its buffers.)


def test_a_connection_reused_after_a_cut_off_request_is_replaced(server: TricklingServer) -> None:
    """The watchdog shuts down every socket the connector opened; the next request opens a fresh one."""
    connector = RedmineConnector(server.url, "key", client=httpx.Client(timeout=10.0), deadline=0.3)
    try:
        assert connector.find_delivered("2", SHA) is not None  # opens the connection the next request reuses
        assert isinstance(outcome_of(lambda: connector.find_delivered("4", SHA)), TicketSystemUnavailable)
        assert connector.find_delivered("2", SHA) is not None
    finally:
        connector.close()
    first, cut_off, after = server.client_ports
    assert cut_off == first  # the watchdog found the reused connection's socket too
    assert after != cut_off


def test_an_encoded_answer_within_the_deadline_is_read_as_before(server: TricklingServer) -> None:
    connector = RedmineConnector(server.url, "key", client=httpx.Client(timeout=10.0), deadline=30)
    try:
        found = connector.find_delivered("2", SHA)
    finally:
        connector.close()
    assert found is not None and found.already_there
    assert found.attachment_refs == ("/attachments/9",)


def test_an_answer_far_larger_than_an_api_answer_is_refused(server: TricklingServer) -> None:
    connector = RedmineConnector(server.url, "key", client=httpx.Client(timeout=10.0))
    try:
        result = outcome_of(lambda: connector.find_delivered("3", SHA))
    finally:
        connector.close()
    assert isinstance(result, TicketSystemUnavailable), result
    assert "far larger" in str(result)
    assert server.client_hung_up.wait(10)
