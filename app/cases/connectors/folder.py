"""The default connector: a folder (local or a mounted share), no configuration needed.

Each delivery goes to ``<folder>/<ticket or "no-ticket">/``: the bundle (or its parts) and ``comment.txt``,
each written atomically (temp + fsync + rename + folder fsync).  The default folder is ``<data dir>/exports``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from app.cases.connectors.base import CredentialGetter, Delivery, DeliveryResult, Settings
from app.cases.journal import make_private_dir, write_file_durably


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned[:80] or "no-ticket"


class FolderConnector:
    """Copies the bundle and the comment into a folder."""

    name = "folder"
    max_attachment_bytes: int | None = None

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> FolderConnector:
        del credential, kwargs
        return cls(Path(str(settings["path"])).expanduser())

    def target(self, ticket: str) -> Path:
        return self.folder / _safe(ticket or "no-ticket")

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        folder = self.target(ticket)
        if not folder.is_dir():
            return None
        for candidate in folder.glob(f"*{bundle_sha256[:16]}*"):
            if candidate.suffix == ".zip" and hashlib.sha256(candidate.read_bytes()).hexdigest() == bundle_sha256:
                return DeliveryResult(str(candidate), (candidate.name,), already_there=True)
        return None

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        folder = self.target(delivery.ticket)
        make_private_dir(folder)
        write_file_durably(folder / f"{delivery.bundle_name}.comment.txt", delivery.comment.encode("utf-8"))
        for attachment in delivery.attachments:
            write_file_durably(folder / attachment.name, attachment.data)
        return DeliveryResult(str(folder / delivery.bundle_name), tuple(a.name for a in delivery.attachments))

    def close(self) -> None:
        return None
