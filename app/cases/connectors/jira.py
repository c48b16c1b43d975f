"""Jira Cloud, Jira Data Center, and Jira Service Management.

Request shapes from Atlassian's REST documentation (ECOSYSTEM-FACTS.md §2), checked with respx in the tests:

* Jira (Cloud and Data Center): ``POST /rest/api/{3|2}/issue/{key}/attachments`` as multipart with the part
  named ``file`` and the header ``X-Atlassian-Token: no-check`` (without it Jira blocks the upload as XSRF);
  then ``POST /rest/api/{3|2}/issue/{key}/comment`` — Cloud (v3) takes the body in Atlassian Document Format,
  Data Center (v2) a plain string.  The comment is internal by default through the Service Management property
  ``sd.public.comment = {"internal": true}`` (plain Jira keeps it as an issue property) and, if
  ``visibility_role`` is set, restricted to that project role.  Existing attachments:
  ``GET /rest/api/{v}/issue/{key}?fields=attachment``.
* Jira Service Management: ``POST /rest/servicedeskapi/servicedesk/{id}/attachTemporaryFile`` (multipart
  ``file``, ``X-Atlassian-Token: no-check``) → ``temporaryAttachments[].temporaryAttachmentId``; then
  ``POST /rest/servicedeskapi/request/{key}/attachment`` with ``{"temporaryAttachmentIds", "public": false,
  "additionalComment": {"body"}}``, which attaches and comments in one call.

Auth: Cloud uses Basic ``email:API token``; Data Center a personal access token as ``Bearer``.  The attachment
limit is an admin setting (default 1 GB); it is read from ``GET /rest/api/{v}/attachment/meta`` before each
delivery.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from app.cases.connectors.base import (
    CredentialGetter,
    Delivery,
    DeliveryRejected,
    DeliveryResult,
    HttpConnector,
    Settings,
    matches_bundle,
    require,
)

NO_CHECK = {"X-Atlassian-Token": "no-check"}


def issue_key(ticket: str) -> str:
    match = re.fullmatch(r"\s*(?:.*/(?:browse|portal/\d+)/)?([A-Z][A-Z0-9_]*-\d+)\s*", ticket)
    if not match:
        raise DeliveryRejected("Jira", f"{ticket!r} is not a Jira issue key such as HELP-42")
    return match.group(1)


def adf(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document Format document: one paragraph per line (no markup interpreted)."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []} for line in text.split("\n")
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


def _auth(settings: Settings, credential: CredentialGetter, system: str) -> dict[str, Any]:
    deployment = str(settings.get("deployment", "cloud")).lower()
    token = credential(system, "api_token")
    if deployment == "cloud":
        return {"auth": httpx.BasicAuth(require(settings, system, "email"), token)}
    return {"headers": {"Authorization": f"Bearer {token}"}}


class JiraConnector(HttpConnector):
    """Attach the bundle to a Jira issue and add a comment."""

    name = "Jira"

    def __init__(
        self,
        base_url: str,
        *,
        cloud: bool = True,
        visibility_role: str = "",
        max_attachment_mb: float = 1024,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url, **kwargs)
        self.api = "rest/api/3" if cloud else "rest/api/2"
        self.cloud = cloud
        self.visibility_role = visibility_role
        self.max_attachment_bytes = int(max_attachment_mb * 1024 * 1024)

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> JiraConnector:
        return cls(
            require(settings, "jira", "url"),
            cloud=str(settings.get("deployment", "cloud")).lower() == "cloud",
            visibility_role=str(settings.get("visibility_role", "")),
            max_attachment_mb=float(settings.get("max_attachment_mb", 1024)),
            **_auth(settings, credential, "jira"),
            **kwargs,
        )

    def read_upload_limit(self) -> None:
        """Lower ``max_attachment_bytes`` to the server's ``uploadLimit`` (``GET …/attachment/meta``)."""
        meta = self.request("GET", f"{self.api}/attachment/meta").json()
        if meta.get("enabled") is False:
            raise DeliveryRejected(self.name, "attachments are turned off on this Jira")
        limit = meta.get("uploadLimit")
        if isinstance(limit, int) and limit > 0:
            self.max_attachment_bytes = min(self.max_attachment_bytes or limit, limit)

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        key = issue_key(ticket)
        self.read_upload_limit()  # the outbox asks this first, then splits the bundle to the real limit
        response = self.request("GET", f"{self.api}/issue/{key}", params={"fields": "attachment"})
        attachments = response.json().get("fields", {}).get("attachment", []) or []
        refs = tuple(
            str(a.get("id")) for a in attachments if matches_bundle(str(a.get("filename", "")), "", bundle_sha256)
        )
        return DeliveryResult(self.url(f"browse/{key}"), refs, True) if refs else None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        key = issue_key(delivery.ticket)
        refs: list[str] = []
        for attachment in delivery.attachments:
            response = self.request(
                "POST",
                f"{self.api}/issue/{key}/attachments",
                headers=NO_CHECK,
                files={"file": (attachment.name, attachment.data, attachment.content_type)},
            )
            refs += [str(item.get("id")) for item in response.json()]
        body: dict[str, Any] = {"body": adf(delivery.comment) if self.cloud else delivery.comment}
        if delivery.internal:
            body["properties"] = [{"key": "sd.public.comment", "value": {"internal": True}}]
            if self.visibility_role:
                body["visibility"] = {"type": "role", "value": self.visibility_role}
        self.request("POST", f"{self.api}/issue/{key}/comment", json=body)
        return DeliveryResult(self.url(f"browse/{key}"), tuple(refs))


class JiraServiceManagementConnector(JiraConnector):
    """Attach and comment in one call through the Service Management API (internal by default)."""

    name = "Jira Service Management"

    def __init__(self, base_url: str, *, servicedesk_id: str, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.servicedesk_id = servicedesk_id

    @classmethod
    def from_settings(
        cls, settings: Settings, credential: CredentialGetter, **kwargs: Any
    ) -> JiraServiceManagementConnector:
        return cls(
            require(settings, "jsm", "url"),
            servicedesk_id=require(settings, "jsm", "servicedesk_id"),
            cloud=str(settings.get("deployment", "cloud")).lower() == "cloud",
            max_attachment_mb=float(settings.get("max_attachment_mb", 1024)),
            **_auth(settings, credential, "jsm"),
            **kwargs,
        )

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        key = issue_key(delivery.ticket)
        temporary: list[str] = []
        for attachment in delivery.attachments:
            response = self.request(
                "POST",
                f"rest/servicedeskapi/servicedesk/{self.servicedesk_id}/attachTemporaryFile",
                headers=NO_CHECK,
                files={"file": (attachment.name, attachment.data, attachment.content_type)},
            )
            temporary += [str(t["temporaryAttachmentId"]) for t in response.json().get("temporaryAttachments", [])]
        self.request(
            "POST",
            f"rest/servicedeskapi/request/{key}/attachment",
            json={
                "temporaryAttachmentIds": temporary,
                "public": not delivery.internal,
                "additionalComment": {"body": delivery.comment},
            },
        )
        return DeliveryResult(self.url(f"browse/{key}"), tuple(temporary))
