"""The technician's address book: hosts from ``~/.ssh/config`` plus saved entries, tags and recent sessions.

Only concrete ``Host`` names are listed (patterns with ``*``, ``?`` or ``!`` are templates, not machines).
Saved entries and the recent-sessions list live as JSON in Podpora's config folder.  This module does no
Qt work; the console reads it off the GUI thread.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.config import default_paths, write_private_text

MAX_RECENT = 20


@dataclass
class Entry:
    """One machine the technician can connect to."""

    name: str
    target: str  # an ssh-config alias or [user@]host[:port]; or a gateway alias in gateway mode
    source: str = "saved"  # "ssh-config" or "saved"
    tags: list[str] = field(default_factory=list)
    note: str = ""
    hostname: str = ""
    user: str = ""
    last_used: float = 0.0

    def matches(self, query: str) -> bool:
        """Whether a search text matches the name, target, host name, note or a tag."""
        query = query.strip().lower()
        if not query:
            return True
        haystack = " ".join([self.name, self.target, self.hostname, self.user, self.note, *self.tags]).lower()
        return all(word in haystack for word in query.split())


def parse_ssh_config(text: str) -> list[Entry]:
    """Concrete hosts from an OpenSSH client config, with HostName and User for display."""
    entries: list[Entry] = []
    current: list[Entry] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.replace("=", " ", 1).partition(" ")
        keyword = keyword.lower()
        value = rest.strip().strip('"')
        if keyword == "host":
            current = [
                Entry(name=name, target=name, source="ssh-config")
                for name in value.split()
                if not any(c in name for c in "*?!")
            ]
            entries.extend(current)
        elif keyword == "match":
            current = []
        elif keyword == "hostname":
            for entry in current:
                entry.hostname = entry.hostname or value
        elif keyword == "user":
            for entry in current:
                entry.user = entry.user or value
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.name not in seen:
            seen.add(entry.name)
            unique.append(entry)
    return unique


class AddressBook:
    """Saved entries and recent sessions on disk, merged with the SSH config's hosts."""

    def __init__(self, ssh_config: Path | None = None, store: Path | None = None) -> None:
        self.ssh_config = ssh_config or Path.home() / ".ssh" / "config"
        self.store = store or default_paths().config_dir / "addressbook.json"
        self.saved: list[Entry] = []
        self.recent: dict[str, float] = {}
        self.tags: dict[str, list[str]] = {}
        # Loads and saves run on worker threads; without the lock a load running beside an add resets
        # `saved` from the old file and the next save drops the new entry.
        self._lock = threading.RLock()

    def load(self) -> list[Entry]:
        """Read everything (blocking: call off the GUI thread) and return the merged entries."""
        with self._lock:
            try:
                raw: Any = json.loads(self.store.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = {}
            if not isinstance(raw, dict):
                raw = {}
            self.saved = []
            for item in raw.get("saved", []):
                if isinstance(item, dict) and item.get("name") and item.get("target"):
                    self.saved.append(
                        Entry(
                            name=str(item["name"]),
                            target=str(item["target"]),
                            tags=[str(t) for t in item.get("tags", []) if isinstance(t, str)],
                            note=str(item.get("note", "")),
                        )
                    )
            recent = raw.get("recent", {})
            self.recent = {str(k): float(v) for k, v in recent.items()} if isinstance(recent, dict) else {}
            tags = raw.get("tags", {})
            self.tags = {str(k): [str(t) for t in v] for k, v in tags.items()} if isinstance(tags, dict) else {}
            return self.entries()

    def config_entries(self) -> list[Entry]:
        """Hosts from the SSH config (empty when there is none)."""
        try:
            return parse_ssh_config(self.ssh_config.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return []

    def entries(self) -> list[Entry]:
        """Saved entries first, then config hosts; recent use and tags filled in; most recent first."""
        merged: dict[str, Entry] = {}
        for entry in [*self.saved, *self.config_entries()]:
            merged.setdefault(entry.name, entry)
        for entry in merged.values():
            entry.last_used = self.recent.get(entry.target, 0.0)
            if entry.source == "ssh-config":
                entry.tags = list(self.tags.get(entry.name, entry.tags))
        return sorted(merged.values(), key=lambda e: (-e.last_used, e.name.lower()))

    def add(self, entry: Entry) -> None:
        """Add or replace a saved entry, then save."""
        with self._lock:
            self.saved = [e for e in self.saved if e.name != entry.name] + [entry]
            self.save()

    def set_tags(self, name: str, tags: list[str]) -> None:
        """Tag any entry (also one from the SSH config, which Podpora never edits)."""
        with self._lock:
            for entry in self.saved:
                if entry.name == name:
                    entry.tags = tags
            self.tags[name] = tags
            self.save()

    def remember_use(self, target: str, when: float | None = None) -> None:
        """Record a session for the recent list."""
        with self._lock:
            self.recent[target] = time.time() if when is None else when
            newest = sorted(self.recent.items(), key=lambda kv: -kv[1])[:MAX_RECENT]
            self.recent = dict(newest)
            self.save()

    def save(self) -> None:
        """Write atomically, readable by the owner only: the book names the machines a technician serves."""
        data = {
            "saved": [
                {k: v for k, v in asdict(e).items() if k in {"name", "target", "tags", "note"}} for e in self.saved
            ],
            "recent": self.recent,
            "tags": self.tags,
        }
        write_private_text(self.store, json.dumps(data, indent=2, ensure_ascii=False))
