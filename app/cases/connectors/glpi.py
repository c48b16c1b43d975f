"""GLPI (legacy REST API ``apirest.php``, GLPI 9.5/10).  Request shapes from GLPI's ``apirest.md`` and its
file-upload example (ECOSYSTEM-FACTS.md §2), checked with respx.

``GET /initSession`` with ``Authorization: user_token …`` (+ ``App-Token`` when configured) → ``session_token``;
``POST /Document/`` as multipart: ``uploadManifest`` = ``{"input": {"name", "_filename": [NAME], "itemtype":
"Ticket", "items_id": N}}`` plus ``filename[0]`` = the file (created and linked to the ticket in one call);
``POST /ITILFollowup`` ``{"input": {"itemtype": "Ticket", "items_id": N, "content", "is_private": 1}}``;
``GET /killSession`` at the end.  Existing documents: ``GET /Ticket/{N}/Document_Item`` (``expand_dropdowns``
names each document).  The limit is ``document_max_size`` (default 2–10 MB): set ``max_attachment_mb``.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from app.cases.connectors.base import (
    ConnectorError,
    CredentialGetter,
    Delivery,
    DeliveryRejected,
    DeliveryResult,
    HttpConnector,
    Settings,
    matches_bundle,
    require,
)
from app.errors import PodporaError


def ticket_number(ticket: str) -> str:
    match = re.fullmatch(r"\s*(?:.*[?&]id=)?#?(\d+)\s*", ticket)
    if not match:
        raise DeliveryRejected("GLPI", f"{ticket!r} is not a GLPI ticket id")
    return match.group(1)


class GlpiConnector(HttpConnector):
    """Private follow-up with the bundle as a document linked to a GLPI ticket."""

    name = "GLPI"

    def __init__(
        self, base_url: str, user_token: str, *, app_token: str = "", max_attachment_mb: float = 2, **kwargs: Any
    ) -> None:
        super().__init__(base_url, **kwargs)
        self._user_token = user_token
        self._app_token = app_token
        self._session: str | None = None
        self.max_attachment_bytes = int(max_attachment_mb * 1024 * 1024)

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> GlpiConnector:
        app_token = ""
        try:
            app_token = credential("glpi", "app_token")
        except PodporaError:
            app_token = ""  # the App-Token is optional in GLPI
        return cls(
            require(settings, "glpi", "url"),
            credential("glpi", "user_token"),
            app_token=app_token,
            max_attachment_mb=float(settings.get("max_attachment_mb", 2)),
            **kwargs,
        )

    def _headers(self) -> dict[str, str]:
        headers = {"App-Token": self._app_token} if self._app_token else {}
        if self._session is None:
            response = self.request(
                "GET", "initSession", headers={**headers, "Authorization": f"user_token {self._user_token}"}
            )
            self._session = str(response.json()["session_token"])
        return {**headers, "Session-Token": self._session}

    def ticket_url(self, number: str) -> str:
        front = self.base_url.rsplit("/apirest.php", 1)[0]
        return f"{front}/front/ticket.form.php?id={number}"

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        number = ticket_number(ticket)
        response = self.request(
            "GET", f"Ticket/{number}/Document_Item", headers=self._headers(), params={"expand_dropdowns": "true"}
        )
        items = response.json() if isinstance(response.json(), list) else []
        refs = tuple(
            str(i.get("id")) for i in items if matches_bundle(str(i.get("documents_id", "")), "", bundle_sha256)
        )
        return DeliveryResult(self.ticket_url(number), refs, True) if refs else None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        number = ticket_number(delivery.ticket)
        headers = self._headers()
        refs = []
        for attachment in delivery.attachments:
            manifest = {
                "input": {
                    "name": attachment.name,
                    "_filename": [attachment.name],
                    "itemtype": "Ticket",
                    "items_id": int(number),
                }
            }
            response = self.request(
                "POST",
                "Document/",
                headers=headers,
                files=[
                    ("uploadManifest", (None, json.dumps(manifest), "application/json")),
                    ("filename[0]", (attachment.name, attachment.data, attachment.content_type)),
                ],
            )
            refs.append(str(response.json().get("id", "")))
        self.request(
            "POST",
            "ITILFollowup",
            headers=headers,
            json={
                "input": {
                    "itemtype": "Ticket",
                    "items_id": int(number),
                    "content": delivery.comment,
                    "is_private": 1 if delivery.internal else 0,
                }
            },
        )
        return DeliveryResult(self.ticket_url(number), tuple(refs))

    def close(self) -> None:
        if self._session is not None:
            headers = {"Session-Token": self._session, **({"App-Token": self._app_token} if self._app_token else {})}
            with contextlib.suppress(ConnectorError):
                self.request("GET", "killSession", headers=headers)
            self._session = None
        super().close()
