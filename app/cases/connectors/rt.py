"""Request Tracker 5 (REST2).  Request shapes from RT's REST2 documentation (``RT/REST2.pm``), which a real RT
5.0.3 also confirmed (see ECOSYSTEM-FACTS.md §1.6); the tests check them with respx.

``POST /REST/2.0/ticket/{id}/comment`` (``/correspond`` for a public reply) as multipart/form-data: a ``JSON``
part ``{"Content", "ContentType"}`` plus one ``Attachments`` part per file.  Existing attachments:
``GET /REST/2.0/ticket/{id}/attachments?fields=Filename``.  Auth: ``Authorization: token …``.  RT's default
``$MaxAttachmentSize`` is 10 MB.
"""

from __future__ import annotations

import json
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
    match = re.fullmatch(r"\s*(?:.*[?&]id=|.*/ticket/)?#?(\d+)\s*", ticket)
    if not match:
        raise DeliveryRejected("Request Tracker", f"{ticket!r} is not an RT ticket number")
    return match.group(1)


class RequestTrackerConnector(HttpConnector):
    """Comments on an RT ticket with the bundle attached."""

    name = "Request Tracker"

    def __init__(self, base_url: str, token: str, *, max_attachment_mb: float = 10, **kwargs: Any) -> None:
        super().__init__(base_url, headers={"Authorization": f"token {token}"}, **kwargs)
        self.max_attachment_bytes = int(max_attachment_mb * 1024 * 1024)

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> RequestTrackerConnector:
        return cls(
            require(settings, "rt", "url"),
            credential("rt", "token"),
            max_attachment_mb=float(settings.get("max_attachment_mb", 10)),
            **kwargs,
        )

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        number = ticket_number(ticket)
        response = self.request(
            "GET", f"REST/2.0/ticket/{number}/attachments", params={"fields": "Filename", "per_page": 100}
        )
        items = response.json().get("items", [])
        refs = tuple(str(i.get("id")) for i in items if matches_bundle(str(i.get("Filename") or ""), "", bundle_sha256))
        return DeliveryResult(self.url(f"Ticket/Display.html?id={number}"), refs, True) if refs else None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        number = ticket_number(delivery.ticket)
        action = "comment" if delivery.internal else "correspond"
        files: list[tuple[str, tuple[str | None, bytes | str, str]]] = [
            ("JSON", (None, json.dumps({"Content": delivery.comment, "ContentType": "text/plain"}), "application/json"))
        ]
        files += [("Attachments", (a.name, a.data, a.content_type)) for a in delivery.attachments]
        self.request("POST", f"REST/2.0/ticket/{number}/{action}", files=files)
        return DeliveryResult(self.url(f"Ticket/Display.html?id={number}"))
