"""The outbox: deliveries to ticket systems that survive restarts, retry with backoff, and happen exactly once.

Each delivery is an item in ``<outbox dir>/``: ``<id>.json`` (state) and ``<id>.zip`` (a copy of the bundle),
both written atomically (temp file, fsync, rename, fsync of the folder), so a crash at any point leaves either
the old or the new state.  The item id is derived from connector, ticket and bundle hash: enqueueing the same
bundle for the same ticket twice gives the same item.

Exactly once: before every upload the connector is asked whether the ticket already carries an attachment with
this bundle's hash (:meth:`Connector.find_delivered`).  So a retry after a lost response (the server stored
the attachment but the answer never arrived) marks the item delivered instead of attaching again.

Retry: while the ticket system is unavailable (network, 5xx, 429) the item waits with exponential backoff
(30 s, 60 s, 2 min … capped at 1 h; a server's ``Retry-After`` wins when longer).  A refusal (bad credentials,
unknown ticket, too large) stops the item until someone runs ``podpora outbox retry``.  Time is passed in.
Only one process works on an outbox at a time (an ``fcntl`` lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.cases.connectors.base import (
    Connector,
    Delivery,
    TicketSystemUnavailable,
    split_bundle,
)
from app.cases.journal import format_time, make_private_dir, write_file_durably
from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

WAITING = "waiting"
DELIVERED = "delivered"
FAILED = "failed"
BACKOFF_START = 30.0
BACKOFF_MAX = 3600.0


class OutboxError(PodporaError):
    """The outbox cannot be read or written."""


def backoff_seconds(attempts: int) -> float:
    """Delay after ``attempts`` failed attempts: 30 s doubling, capped at one hour."""
    return float(min(BACKOFF_MAX, BACKOFF_START * 2 ** max(0, attempts - 1)))


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class OutboxItem:
    """One pending or finished delivery."""

    id: str
    case_id: str
    connector: str
    ticket: str
    bundle_name: str
    bundle_sha256: str
    comment: str
    internal: bool
    created_at: str
    state: str = WAITING
    attempts: int = 0
    next_attempt_at: str = ""
    last_error: str = ""
    result_url: str = ""
    delivered_at: str = ""
    already_there: bool = False
    last_attempt_at: str = ""

    def seconds_until_due(self, now: datetime) -> float:
        """Seconds until the next attempt (0 when due).

        Due at once when ``now`` is before the last attempt: the wall clock was stepped back (NTP, a person,
        a restored VM), and the stored time would otherwise add the whole step to the wait (SECURITY-BAR T41).
        """
        if self.last_attempt_at and _parse_time(self.last_attempt_at) > now:
            return 0.0
        return max(0.0, (_parse_time(self.next_attempt_at) - now).total_seconds())

    def status_parts(self, now: datetime, system_name: str | None = None) -> tuple[str, dict[str, str]]:
        """The status as a translatable template and its arguments (the console translates the template)."""
        system = system_name or self.connector
        if self.state == DELIVERED:
            if self.already_there:
                template = QT_TRANSLATE_NOOP("podpora", "delivered to {system}: {url} (it was already there)")
            else:
                template = QT_TRANSLATE_NOOP("podpora", "delivered to {system}: {url}")
            return template, {"system": system, "url": self.result_url}
        if self.state == FAILED:
            return (
                QT_TRANSLATE_NOOP("podpora", "failed: {error}; fix it, then run `podpora outbox retry`"),
                {"error": self.last_error},
            )
        if not self.attempts:
            return QT_TRANSLATE_NOOP("podpora", "waiting: not yet sent to {system}"), {"system": system}
        wait = round(self.seconds_until_due(now))
        return (
            QT_TRANSLATE_NOOP("podpora", "waiting: {error}, next try in {wait}"),
            {"error": self.last_error or f"{system} unreachable", "wait": _human(wait)},
        )

    def status_text(self, now: datetime, system_name: str | None = None) -> str:
        """One line for the console and ``podpora outbox status`` (English)."""
        template, args = self.status_parts(now, system_name)
        return template.format(**args)


def _human(seconds: int) -> str:
    if seconds >= 120:
        return f"{round(seconds / 60)} min"
    return f"{seconds} s"


def item_id(connector: str, ticket: str, bundle_sha256: str) -> str:
    """Stable id: the same bundle for the same ticket is one item."""
    digest = hashlib.sha256(f"{connector}\0{ticket}\0{bundle_sha256}".encode()).hexdigest()
    return f"{connector}-{digest[:20]}"


class Outbox:
    """A folder of outbox items."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _json(self, identifier: str) -> Path:
        return self.folder / f"{identifier}.json"

    def bundle_path(self, item: OutboxItem) -> Path:
        """Where the item's copy of the bundle is kept until delivery."""
        return self.folder / f"{item.id}.zip"

    def save(self, item: OutboxItem) -> None:
        """Persist an item's state atomically and durably."""
        make_private_dir(self.folder)
        write_file_durably(self._json(item.id), json.dumps(asdict(item), indent=2).encode("utf-8"))

    def load(self, identifier: str) -> OutboxItem:
        """Read one item."""
        try:
            data = json.loads(self._json(identifier).read_text("utf-8"))
            return OutboxItem(**data)
        except FileNotFoundError as error:
            raise OutboxError(
                f"no outbox item {identifier}",
                user_text=QT_TRANSLATE_NOOP("podpora", "There is no delivery {id} in the outbox."),
                id=identifier,
            ) from error
        except (ValueError, TypeError) as error:
            raise OutboxError(f"outbox item {identifier} is damaged: {error}") from error

    def items(self) -> list[OutboxItem]:
        """Every item, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("*.json"):
            if path.name.startswith("."):
                continue
            try:
                found.append(self.load(path.stem))
            except OutboxError as error:
                log.warning("skipping a damaged outbox entry %s: %s", path.name, error)
        return sorted(found, key=lambda item: (item.created_at, item.id))

    def enqueue(
        self,
        *,
        case_id: str,
        connector: str,
        ticket: str,
        bundle_path: Path,
        bundle_name: str,
        comment: str,
        now: datetime,
        internal: bool = True,
    ) -> OutboxItem:
        """Queue a bundle for delivery (idempotent for the same bundle, connector and ticket)."""
        data = bundle_path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        identifier = item_id(connector, ticket, sha256)
        if self._json(identifier).exists():
            return self.load(identifier)
        item = OutboxItem(
            id=identifier,
            case_id=case_id,
            connector=connector,
            ticket=ticket,
            bundle_name=bundle_name,
            bundle_sha256=sha256,
            comment=comment,
            internal=internal,
            created_at=format_time(now),
            next_attempt_at=format_time(now),
        )
        make_private_dir(self.folder)
        # The bundle first: an item whose JSON exists always has its bundle.
        write_file_durably(self.bundle_path(item), data)
        self.save(item)
        return item

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        make_private_dir(self.folder)
        fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def process(
        self,
        now: datetime,
        connector_for: Callable[[str], Connector],
        *,
        only: str | None = None,
        force: bool = False,
    ) -> list[OutboxItem]:
        """Attempt every waiting item that is due (or all waiting ones with ``force``); return those attempted."""
        attempted: list[OutboxItem] = []
        with self._locked():
            for item in self.items():
                if item.state != WAITING or (only is not None and item.id != only):
                    continue
                if not force and item.seconds_until_due(now) > 0:
                    continue
                attempted.append(self._attempt(item, connector_for, now))
        return attempted

    def _attempt(self, item: OutboxItem, connector_for: Callable[[str], Connector], now: datetime) -> OutboxItem:
        item.attempts += 1
        item.last_attempt_at = format_time(now)
        connector: Connector | None = None
        try:
            connector = connector_for(item.connector)
            existing = connector.find_delivered(item.ticket, item.bundle_sha256)
            if existing is not None:
                item.already_there = True
                result_url = existing.url
            else:
                data = self.bundle_path(item).read_bytes()
                if hashlib.sha256(data).hexdigest() != item.bundle_sha256:
                    raise OutboxError(f"the outbox copy of {item.bundle_name} is damaged")
                attachments, notes = split_bundle(
                    item.bundle_name,
                    data,
                    item.bundle_sha256,
                    connector.max_attachment_bytes,
                    system=connector.name,
                )
                comment = item.comment + ("\n" + "\n".join(notes) + "\n" if notes else "")
                result = connector.deliver(
                    Delivery(
                        ticket=item.ticket,
                        comment=comment,
                        bundle_name=item.bundle_name,
                        bundle_sha256=item.bundle_sha256,
                        attachments=attachments,
                        internal=item.internal,
                    )
                )
                result_url = result.url
        except TicketSystemUnavailable as error:
            delay = backoff_seconds(item.attempts)
            if error.retry_after is not None:
                delay = max(delay, min(error.retry_after, BACKOFF_MAX))
            item.next_attempt_at = format_time(now + timedelta(seconds=delay))
            item.last_error = error.user_message
            self.save(item)
            log.info("outbox %s: %s; next attempt in %.0f s", item.id, error, delay)
            return item
        except PodporaError as error:
            item.state = FAILED
            item.last_error = error.user_message
            self.save(item)
            log.info("outbox %s failed: %s", item.id, error)
            return item
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
            # A malformed answer (HTML from a proxy, a changed API, JSON nested thousands deep): keep the item
            # and try again later; the outbox itself must never crash the console.
            delay = backoff_seconds(item.attempts)
            item.next_attempt_at = format_time(now + timedelta(seconds=delay))
            system = connector.name if connector is not None else item.connector
            item.last_error = f"{system} gave an unexpected answer"
            self.save(item)
            log.warning(
                "outbox %s: unexpected answer (%s); next attempt in %.0f s", item.id, type(error).__name__, delay
            )
            return item
        finally:
            if connector is not None:
                connector.close()
        item.state = DELIVERED
        item.result_url = result_url
        item.delivered_at = format_time(now)
        item.last_error = ""
        self.save(item)
        with contextlib.suppress(FileNotFoundError):
            self.bundle_path(item).unlink()
        return item

    def next_attempt_in(self, now: datetime) -> float | None:
        """Seconds until the next waiting item is due (0 when one is due now); None when nothing waits.

        The console uses it to schedule its next :meth:`process` call.
        """
        waits = [item.seconds_until_due(now) for item in self.items() if item.state == WAITING]
        return min(waits) if waits else None

    def retry(self, now: datetime, only: str | None = None) -> list[OutboxItem]:
        """Make waiting and failed items due now (a person fixed the cause); return them."""
        changed: list[OutboxItem] = []
        with self._locked():
            for item in self.items():
                if item.state == DELIVERED or (only is not None and item.id != only):
                    continue
                item.state = WAITING
                item.next_attempt_at = format_time(now)
                self.save(item)
                changed.append(item)
        if only is not None and not changed:
            self.load(only)  # raises a clear error for an unknown id
        return changed
