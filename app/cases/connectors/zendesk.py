"""Zendesk.  Request shapes from Zendesk's API reference (ECOSYSTEM-FACTS.md §2), checked with respx.

Files attach only to a comment, in two steps: ``POST /api/v2/uploads.json?filename=NAME`` (raw body) returns
``upload.token``; ``PUT /api/v2/tickets/{id}.json`` with ``{"ticket": {"comment": {"body", "public": false,
"uploads": [tokens]}}}`` adds an internal note with them.  Existing attachments:
``GET /api/v2/tickets/{id}/comments.json`` → ``comments[].attachments[].file_name``.  Auth: Basic
``{email}/token:{API token}``.  Limit: 50 MB per file.
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


def ticket_number(ticket: str) -> str:
    match = re.fullmatch(r"\s*(?:.*/tickets/)?#?(\d+)\s*", ticket)
    if not match:
        raise DeliveryRejected("Zendesk", f"{ticket!r} is not a Zendesk ticket number")
    return match.group(1)


class ZendeskConnector(HttpConnector):
    """Internal note with the bundle on a Zendesk ticket."""

    name = "Zendesk"
    max_attachment_bytes: int | None = 50 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> ZendeskConnector:
        email = require(settings, "zendesk", "email")
        return cls(
            require(settings, "zendesk", "url"),
            auth=httpx.BasicAuth(f"{email}/token", credential("zendesk", "api_token")),
            **kwargs,
        )

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        number = ticket_number(ticket)
        response = self.request("GET", f"api/v2/tickets/{number}/comments.json")
        refs = tuple(
            str(a.get("content_url", ""))
            for comment in response.json().get("comments", [])
            for a in comment.get("attachments", []) or []
            if matches_bundle(str(a.get("file_name", "")), "", bundle_sha256)
        )
        return DeliveryResult(self.url(f"agent/tickets/{number}"), refs, True) if refs else None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        number = ticket_number(delivery.ticket)
        tokens = []
        for attachment in delivery.attachments:
            response = self.request(
                "POST",
                "api/v2/uploads.json",
                params={"filename": attachment.name},
                content=attachment.data,
                headers={"Content-Type": attachment.content_type},
            )
            tokens.append(str(response.json()["upload"]["token"]))
        self.request(
            "PUT",
            f"api/v2/tickets/{number}.json",
            json={
                "ticket": {"comment": {"body": delivery.comment, "public": not delivery.internal, "uploads": tokens}}
            },
        )
        return DeliveryResult(self.url(f"agent/tickets/{number}"), tuple(tokens))
