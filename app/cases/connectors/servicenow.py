"""ServiceNow.  Request shapes from ServiceNow's Attachment and Table API documentation (ECOSYSTEM-FACTS.md
§2), checked with respx.

A ticket reference may be a number (``INC0010001``, looked up with
``GET /api/now/table/{table}?sysparm_query=number=…``) or a sys_id.  One file per request:
``POST /api/now/attachment/file?table_name=…&table_sys_id=…&file_name=…`` (raw body, real Content-Type); the
comment is ``PATCH /api/now/table/{table}/{sys_id}`` with ``{"work_notes": …}`` (internal) or ``{"comments": …}``
(customer-visible).  Existing attachments: ``GET /api/now/attachment?sysparm_query=table_sys_id=…``.
Auth: Basic (``username`` + keyring ``password``).  Default limit 1024 MB (``com.glide.attachment.max_size``).
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


class ServiceNowConnector(HttpConnector):
    """Work note with the bundle attached to an incident (or another task table)."""

    name = "ServiceNow"

    def __init__(
        self, base_url: str, *, table: str = "incident", max_attachment_mb: float = 1024, **kwargs: Any
    ) -> None:
        super().__init__(base_url, **kwargs)
        if not re.fullmatch(r"[a-z0-9_]+", table):
            raise DeliveryRejected(self.name, f"{table!r} is not a table name")
        self.table = table
        self.max_attachment_bytes = int(max_attachment_mb * 1024 * 1024)

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> ServiceNowConnector:
        return cls(
            require(settings, "servicenow", "url"),
            table=str(settings.get("table", "incident")),
            max_attachment_mb=float(settings.get("max_attachment_mb", 1024)),
            auth=httpx.BasicAuth(require(settings, "servicenow", "username"), credential("servicenow", "password")),
            **kwargs,
        )

    def sys_id(self, ticket: str) -> str:
        ref = ticket.strip()
        if re.fullmatch(r"[0-9a-f]{32}", ref):
            return ref
        if not re.fullmatch(r"[A-Z]{2,8}\d{4,12}", ref):
            raise DeliveryRejected(self.name, f"{ticket!r} is neither a ticket number nor a sys_id")
        response = self.request(
            "GET",
            f"api/now/table/{self.table}",
            params={"sysparm_query": f"number={ref}", "sysparm_fields": "sys_id", "sysparm_limit": 1},
        )
        results = response.json().get("result", [])
        if not results:
            raise DeliveryRejected(self.name, f"the ticket {ref} was not found")
        return str(results[0]["sys_id"])

    def record_url(self, sys_id: str) -> str:
        return self.url(f"nav_to.do?uri={self.table}.do?sys_id={sys_id}")

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        sys_id = self.sys_id(ticket)
        response = self.request(
            "GET", "api/now/attachment", params={"sysparm_query": f"table_sys_id={sys_id}", "sysparm_limit": 200}
        )
        refs = tuple(
            str(a.get("sys_id"))
            for a in response.json().get("result", [])
            if matches_bundle(str(a.get("file_name", "")), "", bundle_sha256)
        )
        return DeliveryResult(self.record_url(sys_id), refs, True) if refs else None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        sys_id = self.sys_id(delivery.ticket)
        refs = []
        for attachment in delivery.attachments:
            response = self.request(
                "POST",
                "api/now/attachment/file",
                params={"table_name": self.table, "table_sys_id": sys_id, "file_name": attachment.name},
                content=attachment.data,
                headers={"Content-Type": attachment.content_type, "Accept": "application/json"},
            )
            refs.append(str(response.json().get("result", {}).get("sys_id", "")))
        field = "work_notes" if delivery.internal else "comments"
        self.request("PATCH", f"api/now/table/{self.table}/{sys_id}", json={field: delivery.comment})
        return DeliveryResult(self.record_url(sys_id), tuple(refs))
