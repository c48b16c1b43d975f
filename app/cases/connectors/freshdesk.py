"""Freshdesk.  Request shapes from the Freshdesk API v2 documentation (ECOSYSTEM-FACTS.md §2), checked with respx.

``POST /api/v2/tickets/{id}/notes`` as multipart (``body``, ``private``, ``attachments[]``): a private note
with the files in one call.  Existing attachments: ``GET /api/v2/tickets/{id}/conversations`` →
``[].attachments[].name``.  Auth: Basic with the API key as user and ``X`` as password.  Attachments are
limited to 20 MB **combined per note**, so parts of a split bundle go in one note each.
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
        raise DeliveryRejected("Freshdesk", f"{ticket!r} is not a Freshdesk ticket number")
    return match.group(1)


class FreshdeskConnector(HttpConnector):
    """Private note with the bundle on a Freshdesk ticket."""

    name = "Freshdesk"
    max_attachment_bytes: int | None = 20 * 1024 * 1024 - 64 * 1024  # leaves room for the note itself

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> FreshdeskConnector:
        return cls(
            require(settings, "freshdesk", "url"),
            auth=httpx.BasicAuth(credential("freshdesk", "api_key"), "X"),
            **kwargs,
        )

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        number = ticket_number(ticket)
        response = self.request("GET", f"api/v2/tickets/{number}/conversations")
        refs = tuple(
            str(a.get("id"))
            for note in response.json()
            for a in note.get("attachments", []) or []
            if matches_bundle(str(a.get("name", "")), "", bundle_sha256)
        )
        return DeliveryResult(self.url(f"a/tickets/{number}"), refs, True) if refs else None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        number = ticket_number(delivery.ticket)
        refs: list[str] = []
        for index, attachment in enumerate(delivery.attachments):
            body = delivery.comment if index == 0 else f"{attachment.name} ({attachment.description})"
            response = self.request(
                "POST",
                f"api/v2/tickets/{number}/notes",
                data={
                    "body": body.replace("\n", "<br>\n") if index == 0 else body,
                    "private": "true" if delivery.internal else "false",
                },
                files=[("attachments[]", (attachment.name, attachment.data, attachment.content_type))],
            )
            refs.append(str(response.json().get("id", "")))
        return DeliveryResult(self.url(f"a/tickets/{number}"), tuple(refs))
