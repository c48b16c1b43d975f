"""Zammad.  Request shapes from Zammad's API documentation (``api/ticket/articles``, ECOSYSTEM-FACTS.md §2),
checked with respx.

``POST /api/v1/ticket_articles`` with ``{"ticket_id", "body", "content_type": "text/plain", "type": "note",
"internal": true, "attachments": [{"filename", "data": base64, "mime-type"}]}``: note and files in one JSON
call.  Existing attachments: ``GET /api/v1/ticket_articles/by_ticket/{id}`` → ``[].attachments[].filename``.
Auth: ``Authorization: Token token=…``.  Base64 costs a third more and Zammad's packaged nginx caps bodies at
50 MB, so files are limited to 36 MB.
"""

from __future__ import annotations

import base64
import re
from typing import Any

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
    match = re.fullmatch(r"\s*(?:.*/ticket/zoom/)?#?(\d+)\s*", ticket)
    if not match:
        raise DeliveryRejected("Zammad", f"{ticket!r} is not a Zammad ticket id")
    return match.group(1)


class ZammadConnector(HttpConnector):
    """Internal note with the bundle on a Zammad ticket."""

    name = "Zammad"
    max_attachment_bytes: int | None = 36 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> ZammadConnector:
        return cls(
            require(settings, "zammad", "url"),
            headers={"Authorization": f"Token token={credential('zammad', 'token')}"},
            **kwargs,
        )

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        number = ticket_number(ticket)
        response = self.request("GET", f"api/v1/ticket_articles/by_ticket/{number}")
        refs = tuple(
            str(a.get("id"))
            for article in response.json()
            for a in article.get("attachments", []) or []
            if matches_bundle(str(a.get("filename", "")), "", bundle_sha256)
        )
        return DeliveryResult(self.url(f"#ticket/zoom/{number}"), refs, True) if refs else None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        number = ticket_number(delivery.ticket)
        response = self.request(
            "POST",
            "api/v1/ticket_articles",
            json={
                "ticket_id": int(number),
                "body": delivery.comment,
                "content_type": "text/plain",
                "type": "note",
                "internal": delivery.internal,
                "attachments": [
                    {
                        "filename": a.name,
                        "data": base64.b64encode(a.data).decode("ascii"),
                        "mime-type": a.content_type,
                    }
                    for a in delivery.attachments
                ],
            },
        )
        return DeliveryResult(self.url(f"#ticket/zoom/{number}"), (str(response.json().get("id", "")),))
