"""A ticket system on a bad network (T39): the fault proxy between a connector and a small HTTP server.

A delivery runs in the console's outbox worker; if a request can hang, every later delivery waits behind it.
Each case runs the request in a thread and checks it comes back, as ``TicketSystemUnavailable`` (so the outbox
retries later), within a small multiple of the client's own timeouts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.cases.connectors.base import TicketSystemUnavailable
from app.cases.connectors.redmine import RedmineConnector
from tests.helpers.faultproxy import Direction, FaultProxy

# The client's own limits in these tests; the real default is 30 s per read, 10 s to connect.
TIMEOUT = httpx.Timeout(1.0, connect=1.0)


class IssueHandler(BaseHTTPRequestHandler):
    """Answers GET /issues/<n>.json with an issue without attachments (padded, so the body takes a while)."""

    def do_GET(self) -> None:
        body = json.dumps({"issue": {"id": 1, "attachments": [], "padding": " " * 3000}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass  # keep test output clean


@pytest.fixture
def ticket_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), IssueHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def call_in_thread(function, timeout: float) -> tuple[bool, object]:  # type: ignore[no-untyped-def]
    """Run ``function``; (finished in time, its result or exception)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(function())
        except Exception as error:  # the test inspects whatever came back
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    return (not worker.is_alive(), outcome[0] if outcome else None)


def connector_through(proxy: FaultProxy) -> RedmineConnector:
    return RedmineConnector(f"http://127.0.0.1:{proxy.port}", "api-key", client=httpx.Client(timeout=TIMEOUT))


def test_the_fake_ticket_server_answers_through_a_transparent_proxy(ticket_server: int) -> None:
    with FaultProxy(ticket_server) as proxy:
        connector = connector_through(proxy)
        try:
            assert connector.find_delivered("1", "0" * 64) is None
        finally:
            connector.close()


def test_an_answer_that_never_comes_is_unavailable_not_a_hang(ticket_server: int) -> None:
    with FaultProxy(ticket_server) as proxy:
        proxy.stall(Direction.TO_CLIENT)  # the request arrives; the answer is swallowed
        connector = connector_through(proxy)
        try:
            finished, result = call_in_thread(lambda: connector.find_delivered("1", "0" * 64), timeout=10)
            assert finished
            assert isinstance(result, TicketSystemUnavailable)
        finally:
            connector.close()


def test_an_answer_trickled_byte_by_byte_is_cut_off(ticket_server: int) -> None:
    with FaultProxy(ticket_server) as proxy:
        proxy.set(Direction.TO_CLIENT, throttle=100)  # each read gets bytes well within the 1 s read timeout
        connector = connector_through(proxy)
        try:
            finished, result = call_in_thread(lambda: connector.find_delivered("1", "0" * 64), timeout=8)
            assert finished, "the request was still running long after every timeout the client has"
            assert isinstance(result, TicketSystemUnavailable)
        finally:
            proxy.cut()  # ends the trickle so the worker thread finishes
            connector.close()
