"""Redmine (REST API; verified against a real Redmine 5.0 in the tests).

Two steps, as Redmine documents: ``POST /uploads.json?filename=NAME`` (raw bytes, ``application/octet-stream``)
returns a token; ``PUT /issues/ID.json`` with ``{"issue": {"notes", "private_notes", "uploads": [...]}}`` adds
the note and attaches the uploads in one change.  ``GET /issues/ID.json?include=attachments`` lists what the
issue already has (checked before uploading, so a retry never attaches twice).  Auth: ``X-Redmine-API-Key``.
Redmine's default limit is 5 MB per file (``attachment_max_size``); set ``max_attachment_mb`` to match yours.
"""

from __future__ import annotations

import re
from typing import Any

from app.cases.connectors.base import (
    CredentialGetter,
    Delivery,
    DeliveryRejected,
    DeliveryResult,
    HttpConnector,
    Settings,
    TicketSystemUnavailable,
    matches_bundle,
    require,
)


def issue_id(ticket: str) -> str:
    """Accept ``42``, ``#42`` or ``https://redmine/issues/42``."""
    match = re.fullmatch(r"\s*(?:.*/issues/)?#?(\d+)(?:\.json)?\s*", ticket)
    if not match:
        raise DeliveryRejected("Redmine", f"{ticket!r} is not a Redmine issue number")
    return match.group(1)


class RedmineConnector(HttpConnector):
    """Posts a (private by default) note with the bundle attached to an existing Redmine issue."""

    name = "Redmine"

    def __init__(self, base_url: str, api_key: str, *, max_attachment_mb: float = 5, **kwargs: Any) -> None:
        super().__init__(base_url, headers={"X-Redmine-API-Key": api_key}, **kwargs)
        self.max_attachment_bytes = int(max_attachment_mb * 1024 * 1024)

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> RedmineConnector:
        return cls(
            require(settings, "redmine", "url"),
            credential("redmine", "api_key"),
            max_attachment_mb=float(settings.get("max_attachment_mb", 5)),
            **kwargs,
        )

    def issue_url(self, ticket: str) -> str:
        return self.url(f"issues/{issue_id(ticket)}")

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        response = self.request("GET", f"issues/{issue_id(ticket)}.json", params={"include": "attachments"})
        attachments = response.json().get("issue", {}).get("attachments", [])
        refs = tuple(
            str(item.get("content_url", ""))
            for item in attachments
            if matches_bundle(str(item.get("filename", "")), str(item.get("description") or ""), bundle_sha256)
        )
        if not refs:
            return None
        return DeliveryResult(self.issue_url(ticket), refs, already_there=True)

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        number = issue_id(delivery.ticket)
        uploads = []
        for attachment in delivery.attachments:
            # Over Redmine's attachment_max_size the server answers 422 "…file size…": AttachmentTooLarge.
            response = self.request(
                "POST",
                "uploads.json",
                params={"filename": attachment.name},
                content=attachment.data,
                headers={"Content-Type": "application/octet-stream"},
            )
            token = response.json().get("upload", {}).get("token")
            if not token:
                raise TicketSystemUnavailable(self.name, "the upload returned no token")
            uploads.append(
                {
                    "token": token,
                    "filename": attachment.name,
                    "content_type": attachment.content_type,
                    "description": attachment.description,
                }
            )
        self.request(
            "PUT",
            f"issues/{number}.json",
            json={"issue": {"notes": delivery.comment, "private_notes": delivery.internal, "uploads": uploads}},
        )
        return DeliveryResult(self.issue_url(delivery.ticket), tuple(u["token"] for u in uploads))
