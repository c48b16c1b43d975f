"""Secrets of the case log: the journal's master key and the ticket systems' credentials.

Both live in the OS keyring (Secret Service, Windows Credential Manager, macOS Keychain) through ``keyring``.

Where no usable keyring exists (a headless box: ``keyring.backends.fail.Keyring`` raises ``NoKeyringError``;
or only ``keyrings.alt``'s plain-text file backends, which merely base64-encode), the journal key falls back,
with a clear WARNING, to ``<data dir>/journal.key`` created with permissions 0600 (owner only).  The key is never
written anywhere else and never logged.  Credentials have no file fallback: without a keyring they come from
environment variables (``PODPORA_<SYSTEM>_<NAME>``, e.g. ``PODPORA_REDMINE_API_KEY``) for CI and headless
use, or the command fails with a message saying how to store them.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.cases.journal import make_private_dir
from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

KEYRING_SERVICE = "podpora"
JOURNAL_KEY_NAME = "journal-master-key"
KEY_FILE_NAME = "journal.key"
KEY_BYTES = 32


class KeystoreError(PodporaError):
    """A key or credential cannot be read or stored safely."""


class MissingCredentialError(KeystoreError):
    """A ticket system's credential is in neither the keyring nor the environment."""

    exit_code = 78

    def __init__(self, system: str, name: str) -> None:
        env = credential_env_name(system, name)
        super().__init__(
            f"no credential {name!r} for {system}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "No {name} is stored for {system}. Store it with `podpora outbox login {system} {name}` "
                "(kept in the system keyring) or set {env}.",
            ),
            system=system,
            name=name,
            env=env,
        )


@dataclass(frozen=True)
class JournalKey:
    """The journal master key and where it is kept (``keyring`` or the path of the fallback file)."""

    key: bytes
    kept_in: str

    def __repr__(self) -> str:  # never show the key itself
        return f"JournalKey(kept_in={self.kept_in!r})"


def _usable_backend() -> Any | None:
    """Return a keyring backend that really protects secrets, else None."""
    try:
        import keyring
    except ImportError:
        return None
    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", None)
    if chained is None:
        return backend if _protects_secrets(backend) else None
    # keyring's chainer wraps every viable backend, keyrings.alt's plain files included: use the best one that
    # protects secrets, never the chain itself (it would write to a plain file when that comes first).
    return next((candidate for candidate in chained if _protects_secrets(candidate)), None)


def _protects_secrets(backend: Any) -> bool:
    """False for keyring's fail backend and keyrings.alt's file backends (secrets merely encoded on disk)."""
    from keyring.backends import fail

    if isinstance(backend, fail.Keyring):
        return False
    return not type(backend).__module__.startswith("keyrings.alt.file")


def load_journal_key(data_dir: Path) -> JournalKey:
    """Return the journal master key, creating it on first use (keyring first, else the 0600 key file)."""
    backend = _usable_backend()
    if backend is not None:
        try:
            import keyring.errors

            stored = backend.get_password(KEYRING_SERVICE, JOURNAL_KEY_NAME)
            if stored:
                return JournalKey(base64.b64decode(stored), "keyring")
            key = os.urandom(KEY_BYTES)
            backend.set_password(KEYRING_SERVICE, JOURNAL_KEY_NAME, base64.b64encode(key).decode("ascii"))
            return JournalKey(key, "keyring")
        except keyring.errors.KeyringError as error:
            log.warning("the system keyring failed (%s); using the key file instead", type(error).__name__)
    return _key_file(data_dir)


def _key_file(data_dir: Path) -> JournalKey:
    path = data_dir / KEY_FILE_NAME
    log.warning(
        "no system keyring is available: the case-log key is kept in %s (readable by this user only). "
        "Install and unlock a keyring (e.g. gnome-keyring) to keep it there instead.",
        path,
    )
    make_private_dir(data_dir)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeystoreError(
                f"{path} is readable by other users (mode {mode:o})",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora",
                    "The case-log key file {path} can be read by other users. Fix it with: chmod 600 {path}",
                ),
                path=str(path),
            ) from None
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise KeystoreError(f"{path} is damaged (length {len(key)})") from None
        return JournalKey(key, str(path))
    key = os.urandom(KEY_BYTES)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return JournalKey(key, str(path))


def credential_env_name(system: str, name: str) -> str:
    """Environment variable consulted when no keyring holds the credential."""
    return f"PODPORA_{system}_{name}".upper().replace("-", "_")


def credential_service(system: str) -> str:
    """Keyring service name of one ticket system's credentials."""
    return f"{KEYRING_SERVICE}:{system}"


def get_credential(system: str, name: str, *, required: bool = True) -> str | None:
    """Read a ticket-system credential: keyring first, then the environment; never a config file."""
    backend = _usable_backend()
    if backend is not None:
        import keyring.errors

        try:
            value = backend.get_password(credential_service(system), name)
        except keyring.errors.KeyringError:
            value = None
        if value:
            return str(value)
    value = os.environ.get(credential_env_name(system, name))
    if value:
        return value
    if required:
        raise MissingCredentialError(system, name)
    return None


def set_credential(system: str, name: str, value: str) -> None:
    """Store a ticket-system credential in the OS keyring (refuses when there is none)."""
    backend = _usable_backend()
    if backend is None:
        raise KeystoreError(
            "no system keyring available",
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "There is no system keyring to store the {name} for {system}. Set {env} instead.",
            ),
            name=name,
            system=system,
            env=credential_env_name(system, name),
        )
    backend.set_password(credential_service(system), name, value)
