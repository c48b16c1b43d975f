"""Delivery to a REAL Redmine (Debian package, started by scripts/redmine), through an HTTP fault proxy.

Exactly once under faults: server down then back, a 500 in the middle, a response lost after the server
stored the attachment.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from app.cases.connectors import make_connector
from app.cases.connectors.redmine import RedmineConnector
from app.cases.outbox import DELIVERED, FAILED, WAITING, Outbox
from app.cases.report import render_comment
from tests.cases.conftest import FakeClock, RedmineServer
from tests.cases.httpproxy import HttpFaultProxy
from tests.cases.sample import export_sample_bundle

pytestmark = pytest.mark.redmine


def connector_for(url: str, api_key: str, **settings):
    def build(name: str):
        assert name == "redmine"
        return make_connector("redmine", {"url": url, **settings}, lambda system, key: api_key)

    return build


def queue(tmp_path: Path, master_key, signer, clock: FakeClock, ticket: int):
    info, case = export_sample_bundle(tmp_path, master_key, signer, clock)
    outbox = Outbox(tmp_path / "outbox")
    comment = render_comment(case, bundle_name=info.path.name, bundle_sha256=info.sha256)
    item = outbox.enqueue(
        case_id=case.case_id,
        connector="redmine",
        ticket=str(ticket),
        bundle_path=info.path,
        bundle_name=info.path.name,
        comment=comment,
        now=clock(),
    )
    return outbox, item, info


def bundle_attachments(redmine: RedmineServer, ticket: int, sha256: str) -> list[dict]:
    issue = redmine.issue(ticket)
    return [a for a in issue["attachments"] if sha256[:16] in a["filename"]]


def notes(redmine: RedmineServer, ticket: int) -> list[dict]:
    return [j for j in redmine.issue(ticket)["journals"] if j.get("notes")]


def test_deliver_and_read_back(redmine: RedmineServer, tmp_path: Path, master_key, signer, clock) -> None:
    ticket = redmine.create_issue("Printer does not print")
    outbox, _item, info = queue(tmp_path, master_key, signer, clock, ticket)
    [done] = outbox.process(clock(), connector_for(redmine.url, redmine.api_key))
    assert done.state == DELIVERED, done.last_error
    assert done.result_url == f"{redmine.url}/issues/{ticket}"
    [attachment] = bundle_attachments(redmine, ticket, info.sha256)
    assert attachment["filename"] == info.path.name
    assert info.sha256 in attachment["description"]
    assert hashlib.sha256(redmine.download(attachment["content_url"])).hexdigest() == info.sha256
    [note] = notes(redmine, ticket)
    assert note["private_notes"] is True
    assert "Print queue: 3 jobs stuck" in note["notes"]
    assert "5/5" in note["notes"]
    assert "hunter2" not in note["notes"]
    assert not outbox.bundle_path(done).exists()
    # Processing again does nothing: delivered items are never sent twice.
    assert outbox.process(clock.advance(3600), connector_for(redmine.url, redmine.api_key)) == []


def test_server_down_then_back_delivers_once(
    redmine: RedmineServer, redmine_proxy: HttpFaultProxy, tmp_path: Path, master_key, signer, clock
) -> None:
    ticket = redmine.create_issue("down then back")
    outbox, _item, info = queue(tmp_path, master_key, signer, clock, ticket)
    via_proxy = connector_for(redmine_proxy.url, redmine.api_key)
    redmine_proxy.down()
    [waiting] = outbox.process(clock(), via_proxy)
    assert waiting.state == WAITING
    assert waiting.status_text(clock(), "Redmine").startswith("waiting: Redmine unreachable")
    assert waiting.status_text(clock(), "Redmine").endswith("next try in 30 s")
    # Not due yet: nothing is attempted.
    assert outbox.process(clock.advance(10), via_proxy) == []
    # A restart of the console: a new Outbox object reads the state from disk.
    outbox = Outbox(tmp_path / "outbox")
    redmine_proxy.up()
    [done] = outbox.process(clock.advance(25), via_proxy)
    assert done.state == DELIVERED, done.last_error
    assert len(bundle_attachments(redmine, ticket, info.sha256)) == 1
    assert len(notes(redmine, ticket)) == 1


def test_500_in_the_middle_then_delivered_once(
    redmine: RedmineServer, redmine_proxy: HttpFaultProxy, tmp_path: Path, master_key, signer, clock
) -> None:
    ticket = redmine.create_issue("500 in the middle")
    outbox, _item, info = queue(tmp_path, master_key, signer, clock, ticket)
    via_proxy = connector_for(redmine_proxy.url, redmine.api_key)
    redmine_proxy.add_rule("PUT", f"/issues/{ticket}.json", "500")
    [waiting] = outbox.process(clock(), via_proxy)
    assert waiting.state == WAITING
    assert "HTTP 500" in waiting.last_error
    assert redmine_proxy.count("POST", "/uploads.json") == 1  # the upload went through, the attach did not
    [done] = outbox.process(clock.advance(30), via_proxy)
    assert done.state == DELIVERED
    assert len(bundle_attachments(redmine, ticket, info.sha256)) == 1
    assert len(notes(redmine, ticket)) == 1


def test_lost_response_after_the_server_stored_it_no_duplicate(
    redmine: RedmineServer, redmine_proxy: HttpFaultProxy, tmp_path: Path, master_key, signer, clock
) -> None:
    ticket = redmine.create_issue("lost response")
    outbox, _item, info = queue(tmp_path, master_key, signer, clock, ticket)
    via_proxy = connector_for(redmine_proxy.url, redmine.api_key)
    redmine_proxy.add_rule("PUT", f"/issues/{ticket}.json", "cut")
    [waiting] = outbox.process(clock(), via_proxy)
    assert redmine_proxy.cut_done.is_set()
    assert waiting.state == WAITING
    # The server did store it:
    assert len(bundle_attachments(redmine, ticket, info.sha256)) == 1
    [done] = outbox.process(clock.advance(30), via_proxy)
    assert done.state == DELIVERED
    assert done.already_there
    assert redmine_proxy.count("POST", "/uploads.json") == 1  # nothing was uploaded again
    assert len(bundle_attachments(redmine, ticket, info.sha256)) == 1
    assert len(notes(redmine, ticket)) == 1


def test_bundle_over_the_limit_is_split_and_rejoins(redmine: RedmineServer, tmp_path: Path, clock) -> None:
    ticket = redmine.create_issue("split")
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    bundle = tmp_path / f"podpora-case-big-{sha[:16]}.zip"
    bundle.write_bytes(data)
    outbox = Outbox(tmp_path / "outbox")
    outbox.enqueue(
        case_id="big",
        connector="redmine",
        ticket=str(ticket),
        bundle_path=bundle,
        bundle_name=bundle.name,
        comment="big case",
        now=clock(),
    )
    [done] = outbox.process(clock(), connector_for(redmine.url, redmine.api_key, max_attachment_mb=0.1))
    assert done.state == DELIVERED, done.last_error
    parts = sorted(bundle_attachments(redmine, ticket, sha), key=lambda a: a["filename"])
    assert [p["filename"].rsplit(".", 1)[1] for p in parts] == ["part01-of-03", "part02-of-03", "part03-of-03"]
    assert b"".join(redmine.download(p["content_url"]) for p in parts) == data
    [note] = notes(redmine, ticket)
    assert "cat " in note["notes"]
    # And a retry finds the parts, so nothing is attached twice.
    connector = RedmineConnector(redmine.url, redmine.api_key)
    assert connector.find_delivered(str(ticket), sha) is not None
    connector.close()


def test_redmine_size_limit_is_a_clear_failure(redmine: RedmineServer, tmp_path: Path, clock) -> None:
    ticket = redmine.create_issue("too large")
    data = os.urandom(6 * 1024 * 1024)  # Redmine's default limit is 5 MB
    bundle = tmp_path / "big.zip"
    bundle.write_bytes(data)
    outbox = Outbox(tmp_path / "outbox")
    outbox.enqueue(
        case_id="big",
        connector="redmine",
        ticket=str(ticket),
        bundle_path=bundle,
        bundle_name=bundle.name,
        comment="too big",
        now=clock(),
    )
    # The technician configured a higher limit than the server really has: the server's 422 is reported.
    [failed] = outbox.process(clock(), connector_for(redmine.url, redmine.api_key, max_attachment_mb=50))
    assert failed.state == FAILED
    assert "too large" in failed.last_error or "size" in failed.last_error
    assert "retry" in failed.status_text(clock())


def test_wrong_api_key_and_unknown_ticket_are_refusals(
    redmine: RedmineServer, tmp_path: Path, master_key, signer, clock
) -> None:
    outbox, _item, _info = queue(tmp_path, master_key, signer, clock, 999_999)
    [failed] = outbox.process(clock(), connector_for(redmine.url, redmine.api_key))
    assert failed.state == FAILED
    assert "not found" in failed.last_error
    ticket = redmine.create_issue("bad key")
    outbox2, _item2, _ = queue(tmp_path / "second", master_key, signer, clock, ticket)
    [refused] = outbox2.process(clock(), connector_for(redmine.url, "0" * 40))
    assert refused.state == FAILED
    assert "credentials" in refused.last_error
    assert "0" * 40 not in refused.last_error
