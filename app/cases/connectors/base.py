"""What every ticket-system connector shares: the delivery, its result, errors, size limits, HTTP error mapping.

A connector posts one readable comment (internal/private by default) and attaches the bundle to an existing
ticket.  To make delivery exactly-once across retries, every attachment's file name carries the start of the
bundle's SHA-256 and its description the full hash; :meth:`Connector.find_delivered` looks for them before
anything is uploaded (the outbox calls it first on every attempt).

Errors: :class:`TicketSystemUnavailable` is worth retrying (network down, 5xx, 429); :class:`DeliveryRejected`
is not (bad credentials, unknown ticket, too large).  Credentials never appear in messages or logs.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# httpx's timeouts bound each read and write, not the request: a server that trickles its answer a byte at a
# time never trips them, and the outbox waits behind it.  Every request therefore also has an overall deadline:
# this many times the client's longest timeout, plus time to upload the body at a slow but working rate.
DEADLINE_TIMEOUTS = 4
MIN_UPLOAD_BYTES_PER_SECOND = 32 * 1024
MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # API answers are small JSON documents
HASH_MARKER = "podpora-bundle-sha256:"


class ConnectorError(PodporaError):
    """Delivery to a ticket system failed."""

    retryable = False


class TicketSystemUnavailable(ConnectorError):
    """The ticket system cannot be reached or answered with a server error: try again later."""

    retryable = True
    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, system: str, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(
            f"{system} unavailable: {detail}",
            user_text=QT_TRANSLATE_NOOP("podpora", "{system} unreachable ({detail})"),
            system=system,
            detail=detail,
        )
        self.retry_after = retry_after


class DeliveryRejected(ConnectorError):
    """The ticket system refused the delivery; retrying will not help until something is fixed."""

    exit_code = 69

    def __init__(self, system: str, detail: str) -> None:
        super().__init__(
            f"{system} refused the delivery: {detail}",
            user_text=QT_TRANSLATE_NOOP("podpora", "{system} refused the delivery: {detail}"),
            system=system,
            detail=detail,
        )


class AttachmentTooLarge(DeliveryRejected):
    """The bundle exceeds what the ticket system accepts and could not be split."""


class MissingSettingError(ConnectorError):
    """A connector needs a setting (URL, project…) that is not configured."""

    exit_code = 78

    def __init__(self, system: str, setting: str) -> None:
        super().__init__(
            f"{system}: setting {setting!r} missing",
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "{system} needs the setting {setting}: add it to the [{system}] section of connectors.toml.",
            ),
            system=system,
            setting=setting,
        )


@dataclass(frozen=True)
class Attachment:
    """One file to attach."""

    name: str
    data: bytes
    content_type: str = "application/zip"
    description: str = ""


@dataclass(frozen=True)
class Delivery:
    """What to deliver: comment text, the bundle (maybe split into parts), its hash, and the ticket."""

    ticket: str
    comment: str
    bundle_name: str
    bundle_sha256: str
    attachments: tuple[Attachment, ...]
    internal: bool = True


@dataclass(frozen=True)
class DeliveryResult:
    """Where the delivery ended up."""

    url: str
    attachment_refs: tuple[str, ...] = ()
    already_there: bool = False
    notes: tuple[str, ...] = field(default=())


class Connector(Protocol):
    """One ticket system."""

    name: str
    max_attachment_bytes: int | None

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        """Return the earlier delivery of this bundle to this ticket, if the ticket already has it."""
        ...

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        """Post the comment and attach the files."""
        ...

    def close(self) -> None:
        """Release the HTTP client or connection."""
        ...


CredentialGetter = Callable[[str, str], str]
Settings = Mapping[str, Any]


def split_bundle(
    name: str, data: bytes, sha256: str, limit: int | None, *, system: str, allow_split: bool = True
) -> tuple[tuple[Attachment, ...], tuple[str, ...]]:
    """Return the attachments for a bundle of ``data`` under ``limit`` bytes per file, and notes for the comment.

    A bundle over the limit is split into ``NAME.part01-of-03`` pieces (rejoin with ``cat``) when allowed;
    otherwise :class:`AttachmentTooLarge` explains the limit.
    """
    description = f"{HASH_MARKER}{sha256}"
    if limit is None or len(data) <= limit:
        return (Attachment(name, data, description=description),), ()
    if not allow_split or limit < 64 * 1024:
        raise AttachmentTooLarge(
            system,
            f"the case bundle is {len(data) / 1e6:.1f} MB and {system} accepts at most {limit / 1e6:.1f} MB "
            "per file; export it to a folder and link it from the ticket instead",
        )
    count = -(-len(data) // limit)
    parts = tuple(
        Attachment(
            f"{name}.part{index + 1:02d}-of-{count:02d}",
            data[index * limit : (index + 1) * limit],
            content_type="application/octet-stream",
            description=f"{description} part {index + 1}/{count}",
        )
        for index in range(count)
    )
    note = (
        f"The bundle is larger than {system}'s limit of {limit / 1e6:.1f} MB per file, so it is attached in "
        f"{count} parts. Rejoin them with: cat {name}.part* > {name}",
    )
    return parts, note


def matches_bundle(file_name: str, description: str, bundle_sha256: str) -> bool:
    """True when an existing attachment is (a part of) the bundle with this hash."""
    return bundle_sha256[:16] in file_name or f"{HASH_MARKER}{bundle_sha256}" in description


class HttpConnector:
    """Base of the HTTP connectors: one ``httpx.Client``, status mapping, no secrets in errors or logs."""

    name = "http"
    max_attachment_bytes: int | None = None

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        deadline: float | None = None,
        **client_args: Any,
    ) -> None:
        """``deadline``: seconds any one request may take in all, before upload time (default: from the timeouts)."""
        if not base_url.startswith(("https://", "http://")):
            raise DeliveryRejected(self.name, f"the URL {base_url!r} is not an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=False, **client_args)
        timeouts = self.client.timeout
        longest = max((t for t in (timeouts.connect, timeouts.read, timeouts.write, timeouts.pool) if t), default=30.0)
        self.deadline = deadline if deadline is not None else DEADLINE_TIMEOUTS * longest
        self._streams: weakref.WeakSet[Any] = weakref.WeakSet()  # network streams of the connections opened
        self._streams_lock = threading.Lock()  # the watchdog reads them from its own thread

    def close(self) -> None:
        self.client.close()

    def url(self, path: str) -> str:
        """Absolute URL of an API path."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request; map transport errors and error statuses to connector errors."""
        target = path if path.startswith(("http://", "https://")) else self.url(path)
        try:
            response = self._send_within_deadline(self.client.build_request(method, target, **kwargs))
        except httpx.TimeoutException as error:
            raise TicketSystemUnavailable(self.name, "no answer in time") from error
        except httpx.TransportError as error:
            raise TicketSystemUnavailable(self.name, f"cannot connect ({type(error).__name__})") from error
        except httpx.DecodingError as error:  # e.g. a damaged gzip body
            raise TicketSystemUnavailable(self.name, "the answer could not be decoded") from error
        status = response.status_code
        if status < 300:
            return response
        if status < 400:
            # Never follow: a redirect to a login page would otherwise look like a successful delivery.
            raise DeliveryRejected(
                self.name,
                f"the server redirected (HTTP {status}) to {response.headers.get('Location', '?')}; "
                "set the connector URL to the final address",
            )
        detail = self._error_detail(response)
        log.debug("%s %s -> %s %s", method, httpx.URL(target).path, status, detail)
        if status == 429 or status >= 500:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            raise TicketSystemUnavailable(self.name, f"HTTP {status}", retry_after=retry_after)
        if status in (401, 403):
            raise DeliveryRejected(self.name, f"the credentials were refused (HTTP {status})")
        if status == 404:
            raise DeliveryRejected(self.name, "the ticket was not found (HTTP 404)")
        if status == 413 or "size" in detail.lower():
            raise AttachmentTooLarge(self.name, f"the attachment is too large: {detail or status}")
        raise DeliveryRejected(self.name, f"HTTP {status} {detail}".strip())

    def _send_within_deadline(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read its answer, giving up once the overall deadline has passed.

        Two guards, because httpx's own timeouts bound each read and write, never the whole request:

        * the answer is streamed and the deadline (and the size limit) is checked after every chunk;
        * a watchdog timer shuts down this connector's sockets when the deadline passes, which wakes a read or
          write blocked in any phase (response headers trickled a byte at a time, an upload the server reads
          a byte at a time).  The sockets are learnt from httpcore's ``trace`` extension as connections open.
        """
        upload_bytes = int(request.headers.get("Content-Length") or 0)
        budget = self.deadline + upload_bytes / MIN_UPLOAD_BYTES_PER_SECOND
        give_up_at = time.monotonic() + budget
        late = TicketSystemUnavailable(self.name, f"no complete answer within {budget:.0f} s")
        request.extensions = {**request.extensions, "trace": self._remember_streams}
        expired = threading.Event()

        def on_deadline() -> None:
            expired.set()
            self._shut_down_sockets()

        watchdog = threading.Timer(budget, on_deadline)
        watchdog.daemon = True
        watchdog.start()
        try:
            response = self.client.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                received = 0
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > MAX_RESPONSE_BYTES:
                        raise TicketSystemUnavailable(self.name, "the answer is far larger than an API answer can be")
                    if time.monotonic() > give_up_at:
                        raise late
                    chunks.append(chunk)
            finally:
                response.close()
        except httpx.HTTPError as error:
            if expired.is_set():  # the watchdog cut the connection: say why, not how it looked
                raise late from error
            raise
        finally:
            watchdog.cancel()
        # The body was decoded while it was read: hand it on as a plain (no longer encoded) response.
        headers = response.headers.copy()
        for name in ("Content-Encoding", "Content-Length", "Transfer-Encoding"):
            headers.pop(name, None)
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=request)

    def _remember_streams(self, event: str, info: Mapping[str, Any]) -> None:
        # httpcore reports each new connection's network stream (plain, then TLS) when it is complete.
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            if stream is not None:
                with self._streams_lock:
                    self._streams.add(stream)

    def _shut_down_sockets(self) -> None:
        with self._streams_lock:
            streams = list(self._streams)
        for stream in streams:
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                # shutdown, not close: it wakes a thread blocked on the socket at once (close does not).
                with contextlib.suppress(OSError):  # already closed, or detached by the TLS wrapper
                    sock.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _error_detail(response: httpx.Response) -> str:
        try:
            body = response.json()
        except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
            return response.text[:200]
        if isinstance(body, dict):
            for key in ("errors", "error", "message", "errorMessages", "description"):
                if key in body:
                    return str(body[key])[:300]
        return str(body)[:300]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def require(settings: Settings, system: str, key: str) -> str:
    """A required setting, or :class:`MissingSettingError`."""
    value = settings.get(key)
    if value is None or value == "":
        raise MissingSettingError(system, key)
    return str(value)
