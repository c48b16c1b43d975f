"""T41 for the outbox: a wall clock stepped back (NTP, a person, a restored VM) never holds a delivery back.

The outbox schedules retries in wall-clock time, because they must survive restarts.  A step back of an hour
would otherwise add an hour to every waiting delivery; a step forward makes every waiting item due at once,
which costs one attempt each and no more.  Time is passed in, so the jumps are exact and nothing waits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cases.connectors.base import Delivery, DeliveryResult, TicketSystemUnavailable
from app.cases.outbox import DELIVERED, WAITING, Outbox

START = datetime(2026, 11, 22, 16, 40, tzinfo=UTC)


@dataclass
class FlakyTicketSystem:
    """Unavailable ``failures`` times, then stores the delivery."""

    failures: int = 1
    stored: list[Delivery] = field(default_factory=list)
    attempts: int = 0
    name: str = "Flaky"
    max_attachment_bytes: int | None = None

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        return None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        self.attempts += 1
        if self.failures:
            self.failures -= 1
            raise TicketSystemUnavailable(self.name, "connection refused")
        self.stored.append(delivery)
        return DeliveryResult("flaky://t/1")

    def close(self) -> None:
        return None


def _queued(tmp_path: Path) -> Outbox:
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(b"PK bundle " * 100)
    outbox = Outbox(tmp_path / "outbox")
    outbox.enqueue(
        case_id="C-41", connector="flaky", ticket="41", bundle_path=bundle, bundle_name="b.zip", comment="", now=START
    )
    return outbox


@pytest.mark.parametrize("step", [timedelta(hours=-1), timedelta(days=-1), timedelta(seconds=-31)])
def test_a_clock_stepped_back_does_not_hold_a_delivery_back(tmp_path: Path, step: timedelta) -> None:
    outbox = _queued(tmp_path)
    system = FlakyTicketSystem(failures=1)
    [first] = outbox.process(START, lambda name: system)
    assert first.state == WAITING  # the ticket system was down; the next try is 30 s later
    assert outbox.next_attempt_in(START + timedelta(seconds=10)) == pytest.approx(20)
    stepped = START + timedelta(seconds=10) + step  # the wall clock jumps back 10 s after the attempt
    # Without the fix the item would wait 30 s + |step| more; now it is due at once, and retried once.
    assert outbox.next_attempt_in(stepped) == 0
    assert "next try in 0 s" in outbox.items()[0].status_text(stepped)
    [second] = outbox.process(stepped, lambda name: system)
    assert second.state == DELIVERED
    assert system.attempts == 2 and len(system.stored) == 1


def test_a_clock_stepped_forward_costs_one_attempt_per_item(tmp_path: Path) -> None:
    outbox = _queued(tmp_path)
    system = FlakyTicketSystem(failures=5)
    outbox.process(START, lambda name: system)
    jumped = START + timedelta(hours=1)
    attempted = outbox.process(jumped, lambda name: system)
    assert len(attempted) == 1 and system.attempts == 2  # due at once, attempted once, not in a loop
    assert outbox.process(jumped, lambda name: system) == []  # and then it waits its backoff again
    assert outbox.next_attempt_in(jumped) == pytest.approx(60)


def test_an_ordinary_wait_is_kept(tmp_path: Path) -> None:
    """The fix must not make every item due: without a clock step the backoff holds."""
    outbox = _queued(tmp_path)
    system = FlakyTicketSystem(failures=1)
    outbox.process(START, lambda name: system)
    assert outbox.process(START + timedelta(seconds=29), lambda name: system) == []
    assert system.attempts == 1
