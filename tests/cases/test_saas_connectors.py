"""SaaS ticket systems that cannot run here, tested against the request shapes of their official documentation
(as summarised with sources in ECOSYSTEM-FACTS.md §2/§4) using respx.  These are contract tests: they prove we
send what the documentation specifies, not that a live service accepts it.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest
import respx

from app.cases.connectors import make_connector
from app.cases.connectors.base import Attachment, Delivery, DeliveryRejected, TicketSystemUnavailable

SHA = "ab12" * 16
NAME = f"podpora-case-C-1-{SHA[:16]}.zip"
DATA = b"PK\x03\x04 bundle bytes"
COMMENT = "Support case C-1\nFindings: Print queue: 3 jobs stuck\nRating: 5/5"
SECRET = "s3cr3t-token-value"


def delivery(ticket: str, internal: bool = True) -> Delivery:
    return Delivery(
        ticket=ticket,
        comment=COMMENT,
        bundle_name=NAME,
        bundle_sha256=SHA,
        attachments=(Attachment(NAME, DATA, description=f"podpora-bundle-sha256:{SHA}"),),
        internal=internal,
    )


def credential(system: str, name: str) -> str:
    return SECRET


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@respx.mock
def test_jira_cloud() -> None:
    base = "https://acme.atlassian.net"
    upload = respx.post(f"{base}/rest/api/3/issue/HELP-42/attachments").mock(
        return_value=httpx.Response(200, json=[{"id": "10001", "filename": NAME}])
    )
    comment = respx.post(f"{base}/rest/api/3/issue/HELP-42/comment").mock(return_value=httpx.Response(201, json={}))
    connector = make_connector("jira", {"url": base, "email": "eva@acme.com"}, credential)
    result = connector.deliver(delivery("HELP-42"))
    request = upload.calls.last.request
    assert request.headers["X-Atlassian-Token"] == "no-check"
    assert request.headers["Authorization"] == basic("eva@acme.com", SECRET)
    assert b'name="file"; filename="' + NAME.encode() + b'"' in request.content
    assert DATA in request.content
    body = json.loads(comment.calls.last.request.content)
    assert body["body"]["type"] == "doc"  # Atlassian Document Format for API v3
    assert body["body"]["content"][1]["content"][0]["text"] == "Findings: Print queue: 3 jobs stuck"
    assert body["properties"] == [{"key": "sd.public.comment", "value": {"internal": True}}]
    assert result.url == f"{base}/browse/HELP-42"


@respx.mock
def test_jira_data_center_uses_v2_plain_comment_and_bearer_token() -> None:
    base = "https://jira.acme.local"
    respx.post(f"{base}/rest/api/2/issue/OPS-7/attachments").mock(return_value=httpx.Response(200, json=[{"id": 1}]))
    comment = respx.post(f"{base}/rest/api/2/issue/OPS-7/comment").mock(return_value=httpx.Response(201, json={}))
    connector = make_connector(
        "jira", {"url": base, "deployment": "datacenter", "visibility_role": "Developers"}, credential
    )
    connector.deliver(delivery(f"{base}/browse/OPS-7"))
    request = comment.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {SECRET}"
    body = json.loads(request.content)
    assert body["body"] == COMMENT
    assert body["visibility"] == {"type": "role", "value": "Developers"}


@respx.mock
def test_jira_find_delivered() -> None:
    base = "https://acme.atlassian.net"
    respx.get(f"{base}/rest/api/3/attachment/meta").mock(
        return_value=httpx.Response(200, json={"enabled": True, "uploadLimit": 10_485_760})
    )
    respx.get(f"{base}/rest/api/3/issue/HELP-42", params={"fields": "attachment"}).mock(
        return_value=httpx.Response(200, json={"fields": {"attachment": [{"id": "9", "filename": NAME}]}})
    )
    connector = make_connector("jira", {"url": base, "email": "e@x"}, credential)
    found = connector.find_delivered("HELP-42", SHA)
    assert found is not None and found.already_there and found.attachment_refs == ("9",)
    assert connector.max_attachment_bytes == 10_485_760  # the server's limit, lower than the 1 GB default


@respx.mock
def test_jira_service_management_attaches_and_comments_in_one_call() -> None:
    base = "https://acme.atlassian.net"
    temp = respx.post(f"{base}/rest/servicedeskapi/servicedesk/3/attachTemporaryFile").mock(
        return_value=httpx.Response(201, json={"temporaryAttachments": [{"temporaryAttachmentId": "temp-1"}]})
    )
    attach = respx.post(f"{base}/rest/servicedeskapi/request/IT-5/attachment").mock(
        return_value=httpx.Response(201, json={})
    )
    connector = make_connector("jsm", {"url": base, "email": "e@x", "servicedesk_id": "3"}, credential)
    connector.deliver(delivery("IT-5"))
    assert temp.calls.last.request.headers["X-Atlassian-Token"] == "no-check"
    assert json.loads(attach.calls.last.request.content) == {
        "temporaryAttachmentIds": ["temp-1"],
        "public": False,
        "additionalComment": {"body": COMMENT},
    }


@respx.mock
def test_zendesk_two_steps_internal_note() -> None:
    base = "https://acme.zendesk.com"
    upload = respx.post(f"{base}/api/v2/uploads.json", params={"filename": NAME}).mock(
        return_value=httpx.Response(201, json={"upload": {"token": "tok-1"}})
    )
    update = respx.put(f"{base}/api/v2/tickets/42.json").mock(return_value=httpx.Response(200, json={}))
    connector = make_connector("zendesk", {"url": base, "email": "eva@acme.com"}, credential)
    connector.deliver(delivery("42"))
    assert upload.calls.last.request.content == DATA
    assert upload.calls.last.request.headers["Authorization"] == basic("eva@acme.com/token", SECRET)
    assert json.loads(update.calls.last.request.content) == {
        "ticket": {"comment": {"body": COMMENT, "public": False, "uploads": ["tok-1"]}}
    }


@respx.mock
def test_zendesk_find_delivered() -> None:
    base = "https://acme.zendesk.com"
    respx.get(f"{base}/api/v2/tickets/42/comments.json").mock(
        return_value=httpx.Response(
            200,
            json={"comments": [{"attachments": [{"file_name": "other.png"}]}, {"attachments": [{"file_name": NAME}]}]},
        )
    )
    connector = make_connector("zendesk", {"url": base, "email": "e@x"}, credential)
    assert connector.find_delivered("42", SHA) is not None
    assert connector.find_delivered("42", "cd" * 32) is None


@respx.mock
def test_servicenow_number_lookup_attachment_and_work_note() -> None:
    base = "https://acme.service-now.com"
    sys_id = "0123456789abcdef0123456789abcdef"
    respx.get(f"{base}/api/now/table/incident", params={"sysparm_query": "number=INC0010001"}).mock(
        return_value=httpx.Response(200, json={"result": [{"sys_id": sys_id}]})
    )
    attach = respx.post(
        f"{base}/api/now/attachment/file",
        params={"table_name": "incident", "table_sys_id": sys_id, "file_name": NAME},
    ).mock(return_value=httpx.Response(201, json={"result": {"sys_id": "att-1"}}))
    note = respx.patch(f"{base}/api/now/table/incident/{sys_id}").mock(return_value=httpx.Response(200, json={}))
    connector = make_connector("servicenow", {"url": base, "username": "podpora"}, credential)
    connector.deliver(delivery("INC0010001"))
    assert attach.calls.last.request.content == DATA
    assert attach.calls.last.request.headers["Content-Type"] == "application/zip"
    assert json.loads(note.calls.last.request.content) == {"work_notes": COMMENT}


@respx.mock
def test_servicenow_public_comment() -> None:
    base = "https://acme.service-now.com"
    sys_id = "f" * 32
    respx.post(f"{base}/api/now/attachment/file").mock(return_value=httpx.Response(201, json={"result": {}}))
    note = respx.patch(f"{base}/api/now/table/incident/{sys_id}").mock(return_value=httpx.Response(200, json={}))
    connector = make_connector("servicenow", {"url": base, "username": "u"}, credential)
    connector.deliver(delivery(sys_id, internal=False))
    assert json.loads(note.calls.last.request.content) == {"comments": COMMENT}


@respx.mock
def test_freshdesk_private_note_with_attachment() -> None:
    base = "https://acme.freshdesk.com"
    note = respx.post(f"{base}/api/v2/tickets/42/notes").mock(return_value=httpx.Response(201, json={"id": 77}))
    connector = make_connector("freshdesk", {"url": base}, credential)
    connector.deliver(delivery("42"))
    request = note.calls.last.request
    assert request.headers["Authorization"] == basic(SECRET, "X")
    assert b'name="private"\r\n\r\ntrue' in request.content
    assert b'name="attachments[]"; filename="' + NAME.encode() + b'"' in request.content
    assert b"Findings: Print queue: 3 jobs stuck" in request.content


@respx.mock
def test_zammad_internal_note_with_base64_attachment() -> None:
    base = "https://helpdesk.acme.cz"
    article = respx.post(f"{base}/api/v1/ticket_articles").mock(return_value=httpx.Response(201, json={"id": 5}))
    connector = make_connector("zammad", {"url": base}, credential)
    connector.deliver(delivery("42"))
    request = article.calls.last.request
    assert request.headers["Authorization"] == f"Token token={SECRET}"
    body = json.loads(request.content)
    assert body["ticket_id"] == 42
    assert (body["type"], body["internal"], body["body"]) == ("note", True, COMMENT)
    assert body["attachments"] == [
        {"filename": NAME, "data": base64.b64encode(DATA).decode(), "mime-type": "application/zip"}
    ]


@respx.mock
def test_glpi_session_document_followup_kill() -> None:
    base = "https://glpi.acme.sk/apirest.php"
    init = respx.get(f"{base}/initSession").mock(return_value=httpx.Response(200, json={"session_token": "sess"}))
    document = respx.post(f"{base}/Document/").mock(return_value=httpx.Response(201, json={"id": 12}))
    followup = respx.post(f"{base}/ITILFollowup").mock(return_value=httpx.Response(201, json={"id": 3}))
    kill = respx.get(f"{base}/killSession").mock(return_value=httpx.Response(200, json={}))
    connector = make_connector("glpi", {"url": base}, credential)
    connector.deliver(delivery("42"))
    connector.close()
    assert init.calls.last.request.headers["Authorization"] == f"user_token {SECRET}"
    assert init.calls.last.request.headers["App-Token"] == SECRET
    request = document.calls.last.request
    assert request.headers["Session-Token"] == "sess"
    assert b'name="uploadManifest"' in request.content
    manifest_start = request.content.index(b'{"input"')
    manifest = json.loads(request.content[manifest_start : request.content.index(b"\r\n", manifest_start)])
    assert manifest == {"input": {"name": NAME, "_filename": [NAME], "itemtype": "Ticket", "items_id": 42}}
    assert b'name="filename[0]"; filename="' + NAME.encode() + b'"' in request.content
    assert json.loads(followup.calls.last.request.content) == {
        "input": {"itemtype": "Ticket", "items_id": 42, "content": COMMENT, "is_private": 1}
    }
    assert kill.called


@respx.mock
def test_request_tracker_multipart_comment() -> None:
    base = "https://rt.acme.local"
    comment = respx.post(f"{base}/REST/2.0/ticket/42/comment").mock(
        return_value=httpx.Response(201, json=["Comments added"])
    )
    connector = make_connector("rt", {"url": base}, credential)
    connector.deliver(delivery("42"))
    request = comment.calls.last.request
    assert request.headers["Authorization"] == f"token {SECRET}"
    assert b'name="JSON"' in request.content
    assert b'name="Attachments"; filename="' + NAME.encode() + b'"' in request.content


@respx.mock
def test_error_statuses_map_to_retry_or_refusal() -> None:
    base = "https://acme.zendesk.com"
    route = respx.get(f"{base}/api/v2/tickets/42/comments.json")
    connector = make_connector("zendesk", {"url": base, "email": "e@x"}, credential)
    route.mock(return_value=httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(TicketSystemUnavailable) as caught:
        connector.find_delivered("42", SHA)
    assert caught.value.retry_after == 120
    route.mock(return_value=httpx.Response(503))
    with pytest.raises(TicketSystemUnavailable):
        connector.find_delivered("42", SHA)
    route.mock(return_value=httpx.Response(401, json={"error": "Couldn't authenticate you"}))
    with pytest.raises(DeliveryRejected) as refused:
        connector.find_delivered("42", SHA)
    assert SECRET not in refused.value.user_message
    route.mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(TicketSystemUnavailable):
        connector.find_delivered("42", SHA)


@pytest.mark.parametrize(
    ("name", "settings", "ticket"),
    [
        ("jira", {"url": "https://a.atlassian.net", "email": "e@x"}, "not a key"),
        ("zendesk", {"url": "https://a.zendesk.com", "email": "e@x"}, "abc"),
        ("redmine", {"url": "https://redmine.example"}, "x42"),
        ("servicenow", {"url": "https://a.service-now.com", "username": "u"}, "drop table"),
    ],
)
def test_bad_ticket_references_are_refused_before_any_request(name: str, settings: dict, ticket: str) -> None:
    connector = make_connector(name, settings, credential)
    with respx.mock(assert_all_called=False) as mock, pytest.raises(DeliveryRejected):
        connector.deliver(delivery(ticket))
    assert not mock.calls


@respx.mock
def test_a_redirect_is_never_taken_for_success() -> None:
    base = "http://helpdesk.acme.cz"
    respx.post(f"{base}/api/v1/ticket_articles").mock(
        return_value=httpx.Response(302, headers={"Location": "https://helpdesk.acme.cz/login"})
    )
    connector = make_connector("zammad", {"url": base}, credential)
    with pytest.raises(DeliveryRejected) as caught:
        connector.deliver(delivery("42"))
    assert "redirected" in caught.value.user_message
