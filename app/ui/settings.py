"""The console's and assist app's own preferences (language, theme, gateways), kept as JSON.

These are UI preferences only; credentials never go here (they go to the OS keyring).  The file lives in
Podpora's config folder (``PODPORA_HOME`` in tests) and is written atomically.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.config import default_paths, write_private_text

THEMES = ("system", "light", "dark")

#: The console's rebindable commands and their default keys (Qt's portable text).  Order is the order shown.
DEFAULT_SHORTCUTS: dict[str, str] = {
    "connect": "Ctrl+N",
    "end_session": "Ctrl+Shift+E",
    "settings": "Ctrl+,",
    "quit": "Ctrl+Q",
}


@dataclass
class Gateway:
    """An organisation's OpenSSH gateway that end users reach with a session code."""

    name: str
    alias: str


@dataclass
class TicketConnectorSettings:
    """Where finished cases go; the secret part lives in the keyring under ``keyring_user``."""

    kind: str = "folder"
    url: str = ""
    username: str = ""


@dataclass
class UiSettings:
    """Preferences shared by the console and the assist app."""

    language: str = "system"
    theme: str = "system"
    first_run_done: bool = False
    gateways: list[Gateway] = field(default_factory=list)
    connector: TicketConnectorSettings = field(default_factory=TicketConnectorSettings)
    technician_name: str = ""
    organisation_certificate: str = ""
    #: Command id -> key sequence (portable text; empty: no shortcut).  Unknown ids are ignored on load.
    shortcuts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SHORTCUTS))

    @staticmethod
    def path() -> Path:
        """The settings file."""
        return default_paths().config_dir / "ui.json"

    @classmethod
    def load(cls) -> UiSettings:
        """Read the settings, falling back to defaults for a missing or unreadable file."""
        try:
            raw: Any = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        settings = cls()
        for key in ("language", "theme", "technician_name", "organisation_certificate"):
            if isinstance(raw.get(key), str):
                setattr(settings, key, raw[key])
        settings.first_run_done = bool(raw.get("first_run_done", False))
        gateways = raw.get("gateways", [])
        if isinstance(gateways, list):
            settings.gateways = [
                Gateway(str(g.get("name", "")), str(g.get("alias", "")))
                for g in gateways
                if isinstance(g, dict) and g.get("alias")
            ]
        connector = raw.get("connector")
        if isinstance(connector, dict):
            settings.connector = TicketConnectorSettings(
                kind=str(connector.get("kind", "folder")),
                url=str(connector.get("url", "")),
                username=str(connector.get("username", "")),
            )
        shortcuts = raw.get("shortcuts")
        if isinstance(shortcuts, dict):
            for command, keys in shortcuts.items():
                if command in DEFAULT_SHORTCUTS and isinstance(keys, str) and len(keys) <= 64:
                    settings.shortcuts[command] = keys
            used = [keys for keys in settings.shortcuts.values() if keys]
            if len(used) != len(set(used)):  # a hand-edited file with one key for two commands: the defaults
                settings.shortcuts = dict(DEFAULT_SHORTCUTS)
        if settings.theme not in THEMES:
            settings.theme = "system"
        return settings

    def save(self) -> None:
        """Write the settings atomically (a crash never leaves half a file), readable by the owner only."""
        write_private_text(self.path(), json.dumps(asdict(self), indent=2, ensure_ascii=False))
