"""The outbox with a scripted connector: backoff, Retry-After, restarts, refusals, retry, exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import respx

from app.cases.connectors.base import (
    Delivery,
    DeliveryRejected,
    DeliveryResult,
    TicketSystemUnavailable,
)
from app.cases.outbox import DELIVERED, FAILED, WAITING, Outbox, backoff_seconds


@dataclass
class ScriptedConnector:
    """Fails as scripted, then delivers; remembers what the 'server' stored."""

    failures: list[Exception] = field(default_factory=list)
    stored: list[Delivery] = field(default_factory=list)
    name: str = "Scripted"
    max_attachment_bytes: int | None = None
    lose_response_once: bool = False
    closed: int = 0

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        if any(d.bundle_sha256 == bundle_sha256 and d.ticket == ticket for d in self.stored):
            return DeliveryResult("scripted://t", already_there=True)
        return None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        if self.failures:
            raise self.failures.pop(0)
        self.stored.append(delivery)
        if self.lose_response_once:
            self.lose_response_once = False
            raise TicketSystemUnavailable(self.name, "connection reset")
        return DeliveryResult("scripted://t")

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def queued(tmp_path: Path, clock):
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(b"PK bundle " * 100)
    outbox = Outbox(tmp_path / "outbox")
    item = outbox.enqueue(
        case_id="C-1",
        connector="scripted",
        ticket="7",
        bundle_path=bundle,
        bundle_name="b.zip",
        comment="hello",
        now=clock(),
    )
    return outbox, item, bundle


def test_backoff_schedule() -> None:
    assert [backoff_seconds(n) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]


def test_enqueue_is_idempotent(queued, clock) -> None:
    outbox, item, bundle = queued
    again = outbox.enqueue(
        case_id="C-1",
        connector="scripted",
        ticket="7",
        bundle_path=bundle,
        bundle_name="b.zip",
        comment="hello",
        now=clock.advance(5),
    )
    assert again.id == item.id
    assert len(outbox.items()) == 1


def test_retries_with_backoff_across_restarts(queued, tmp_path: Path, clock) -> None:
    outbox, _item, _ = queued
    server = ScriptedConnector(failures=[TicketSystemUnavailable("Scripted", "down")] * 3)
    for expected_wait in (30, 60, 120):
        [attempt] = outbox.process(clock(), lambda name: server)
        assert attempt.state == WAITING
        assert attempt.status_text(clock()).endswith(
            f"next try in {expected_wait} s" if expected_wait < 120 else "next try in 2 min"
        )
        assert outbox.process(clock.advance(expected_wait - 1), lambda name: server) == []
        clock.advance(1)
        outbox = Outbox(tmp_path / "outbox")  # the console restarted: state comes from disk
    [done] = outbox.process(clock(), lambda name: server)
    assert done.state == DELIVERED
    assert done.attempts == 4
    assert len(server.stored) == 1
    assert server.closed == 4


def test_retry_after_is_honoured(queued, clock) -> None:
    outbox, _, _ = queued
    server = ScriptedConnector(failures=[TicketSystemUnavailable("Scripted", "HTTP 429", retry_after=600)])
    [attempt] = outbox.process(clock(), lambda name: server)
    assert attempt.status_text(clock()).endswith("next try in 10 min")


def test_lost_response_is_not_delivered_twice(queued, clock) -> None:
    outbox, _, _ = queued
    server = ScriptedConnector(lose_response_once=True)
    [first] = outbox.process(clock(), lambda name: server)
    assert first.state == WAITING
    [second] = outbox.process(clock.advance(30), lambda name: server)
    assert second.state == DELIVERED and second.already_there
    assert len(server.stored) == 1


def test_refusal_stops_until_retry(queued, clock) -> None:
    outbox, item, _ = queued
    server = ScriptedConnector(failures=[DeliveryRejected("Scripted", "the credentials were refused (HTTP 401)")])
    [failed] = outbox.process(clock(), lambda name: server)
    assert failed.state == FAILED
    assert "credentials were refused" in failed.status_text(clock())
    assert outbox.process(clock.advance(7200), lambda name: server) == []
    outbox.retry(clock(), item.id)
    [done] = outbox.process(clock(), lambda name: server)
    assert done.state == DELIVERED


def test_split_when_over_the_limit(queued, clock) -> None:
    outbox, _, bundle = queued
    server = ScriptedConnector(max_attachment_bytes=64 * 1024)
    big = bundle.with_name("big.zip")
    big.write_bytes(bytes(range(256)) * 1000)  # 256 000 bytes -> 4 parts
    outbox.enqueue(
        case_id="C-2",
        connector="scripted",
        ticket="8",
        bundle_path=big,
        bundle_name="big.zip",
        comment="big",
        now=clock(),
    )
    outbox.process(clock(), lambda name: server)
    [delivery] = [d for d in server.stored if d.bundle_name == "big.zip"]
    assert [a.name for a in delivery.attachments] == [f"big.zip.part0{i}-of-04" for i in range(1, 5)]
    assert b"".join(a.data for a in delivery.attachments) == big.read_bytes()
    assert "cat big.zip.part* > big.zip" in delivery.comment


def test_too_large_without_split_is_a_clear_refusal() -> None:
    from app.cases.connectors.base import AttachmentTooLarge, split_bundle

    with pytest.raises(AttachmentTooLarge) as caught:
        split_bundle("b.zip", b"x" * 10_000, "ab" * 32, 1000, system="Tiny", allow_split=False)
    assert "link it from the ticket" in caught.value.user_message


def test_unknown_item_retry_is_a_clear_error(queued, clock) -> None:
    from app.cases.outbox import OutboxError

    outbox, _, _ = queued
    with pytest.raises(OutboxError):
        outbox.retry(clock(), "nope")


def test_damaged_outbox_copy_is_not_delivered(queued, clock) -> None:
    outbox, item, _ = queued
    outbox.bundle_path(item).write_bytes(b"changed")
    server = ScriptedConnector()
    [failed] = outbox.process(clock(), lambda name: server)
    assert failed.state == FAILED
    assert server.stored == []


@pytest.mark.expect_log_warnings
def test_malformed_answer_waits_instead_of_crashing(queued, clock) -> None:
    outbox, _, _ = queued

    class Broken(ScriptedConnector):
        def deliver(self, delivery: Delivery) -> DeliveryResult:
            raise KeyError("upload")  # e.g. a 200 answer without the expected token

    [attempt] = outbox.process(clock(), lambda name: Broken())
    assert attempt.state == WAITING
    assert "unexpected answer" in attempt.status_text(clock())


@pytest.mark.expect_log_warnings
def test_damaged_entry_is_skipped_not_fatal(queued, clock) -> None:
    outbox, item, _ = queued
    (outbox.folder / "broken.json").write_text("{not json")
    assert [i.id for i in outbox.items()] == [item.id]


def test_next_attempt_in_drives_the_console_timer(queued, clock) -> None:
    outbox, _, _ = queued
    assert outbox.next_attempt_in(clock()) == 0
    server = ScriptedConnector(failures=[TicketSystemUnavailable("Scripted", "down")])
    outbox.process(clock(), lambda name: server)
    assert outbox.next_attempt_in(clock.advance(10)) == 20
    outbox.process(clock.advance(20), lambda name: server)
    assert outbox.next_attempt_in(clock()) is None


DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.expect_log_warnings
@respx.mock
def test_an_answer_nested_thousands_deep_waits_instead_of_crashing(queued, clock) -> None:
    """A hostile or broken ticket server: json recursion in the connector is a malformed answer, not a crash."""
    from app.cases.connectors.redmine import RedmineConnector

    outbox, _, _ = queued
    respx.get("https://redmine.example/issues/7.json").mock(
        return_value=httpx.Response(200, content=DEEP_JSON, headers={"Content-Type": "application/json"})
    )
    [attempt] = outbox.process(clock(), lambda name: RedmineConnector("https://redmine.example", "key"))
    assert attempt.state == WAITING
    assert "unexpected answer" in attempt.status_text(clock())


@respx.mock
def test_an_error_answer_nested_thousands_deep_is_still_an_error_status(queued, clock) -> None:
    from app.cases.connectors.redmine import RedmineConnector

    outbox, _, _ = queued
    respx.get("https://redmine.example/issues/7.json").mock(
        return_value=httpx.Response(503, content=DEEP_JSON, headers={"Content-Type": "application/json"})
    )
    [attempt] = outbox.process(clock(), lambda name: RedmineConnector("https://redmine.example", "key"))
    assert attempt.state == WAITING
    assert "HTTP 503" in attempt.status_text(clock())
