"""Where Podpora keeps its files, and small settings shared by every layer (no Qt, no I/O at import).

Paths follow the platform's conventions (platformdirs).  ``PODPORA_HOME`` overrides all of them with one
folder, which tests and the demo use so that nothing touches the real user profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "podpora"


@dataclass(frozen=True)
class Paths:
    """The folders Podpora reads and writes.  Create them with :meth:`ensure` before writing."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def known_hosts(self) -> Path:
        """Podpora's own known-hosts file (host keys the technician chose to remember)."""
        return self.config_dir / "known_hosts"

    @property
    def cases_dir(self) -> Path:
        """Case journals and exported bundles."""
        return self.data_dir / "cases"

    @property
    def outbox_dir(self) -> Path:
        """Deliveries waiting for a ticket system."""
        return self.data_dir / "outbox"

    def ensure(self) -> Paths:
        """Create every folder with owner-only permissions and return ``self``."""
        for folder in (self.config_dir, self.data_dir, self.cache_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self


def resources_dir() -> Path:
    """Podpora's shipped resources (translations, the signed script library, keys, icons).

    In the repository and the PyInstaller bundle they sit beside ``app/``; a wheel installs them as the
    package data of ``app.resources`` (see pyproject.toml).
    """
    package = Path(__file__).resolve().parent
    installed = package / "resources"
    return installed if installed.is_dir() else package.parent / "resources"


def default_paths() -> Paths:
    """Return the folders for this user, honouring ``PODPORA_HOME``."""
    home = os.environ.get("PODPORA_HOME")
    if home:
        root = Path(home)
        return Paths(config_dir=root / "config", data_dir=root / "data", cache_dir=root / "cache")
    import platformdirs

    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME)),
    )


def write_private_text(target: Path, text: str) -> None:
    """Write *text* to *target* atomically, readable by its owner only (0600), in a folder only the owner opens.

    Settings and the address book name the machines a technician serves (SECURITY-BAR T26): a plain
    ``write_text`` would give them the umask's mode, usually 0644.  The file is written next to its target and
    renamed over it, so a crash leaves either the old or the new file, never half of one.
    """
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # an old temporary left by a crash keeps its mode otherwise
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            descriptor = -1
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        if descriptor != -1:
            os.close(descriptor)
        temporary.unlink(missing_ok=True)
