"""The organisation's system-wide settings for the assist app ("Get help"), rolled out by IT.

One TOML file per machine, written by an administrator and read-only for everyone else:

* Linux and other Unix: ``/etc/podpora/assist.toml``
* Windows: ``%ProgramData%\\Podpora\\assist.toml``
* macOS: ``/Library/Application Support/Podpora/assist.toml``

``PODPORA_ORG_CONFIG`` names another file (tests, staging roll-outs).  A missing file is not an error: the
assist app then runs with :data:`DEFAULT` (direct mode only, no organisation keys, the desktop's language,
Podpora's own branding).  A file that exists is validated strictly, because it carries the trust anchors
that decide whether a technician is shown as verified: an unknown key, a wrong type or a bad value stops
with a :class:`OrgConfigError` that names the file and the key, instead of being silently ignored.

See ``packaging/examples/assist.toml`` for a commented example and ``docs/install.md`` for the roll-out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
import struct
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from app.errors import ConfigError
from app.i18n import QT_TRANSLATE_NOOP

ENV_OVERRIDE = "PODPORA_ORG_CONFIG"
SUPPORTED_LANGUAGES = ("en", "cs", "sk")
# An administrator's settings file is a few hundred bytes; anything much larger is not one.
MAX_CONFIG_BYTES = 64 * 1024
MAX_LOGO_BYTES = 1024 * 1024
LOGO_SUFFIXES = (".png", ".svg")
DEFAULT_GATEWAY_PORT = 22
DEFAULT_BRAND_NAME = "Podpora"
# How long the agent keeps a session whose technician's link dropped (0 = end it at once). Ten minutes at most:
# longer, and a user who walked away could come back to a session that resumes without them noticing.
MAX_RESUME_GRACE_SECONDS = 600
# OpenSSH public key algorithms an organisation's gateway may present as its host key.
HOST_KEY_TYPES = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
)
ED25519 = "ssh-ed25519"
ED25519_KEY_BYTES = 32
# A host name or IP literal: letters, digits, dots, hyphens, colons (IPv6); never starts with "-" so it
# can never be mistaken for an option by anything that passes it on.
_HOST_RE = re.compile(r"^[A-Za-z0-9_.:\[\]][A-Za-z0-9_.:\[\]-]{0,252}$")
_USER_RE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.@-]{0,63}$")


class OrgConfigError(ConfigError):
    """The organisation settings file cannot be read or has a bad setting.

    ``path`` is the file and ``key`` the dotted setting name (``gateway.port``), or ``None`` when the problem
    is the file as a whole.  ``user_message`` tells the person to contact their IT department, since the
    file belongs to the organisation, not to them.
    """

    def __init__(self, path: Path, key: str | None, problem: str) -> None:
        self.path = path
        self.key = key
        self.problem = problem
        if key is None:
            super().__init__(
                f"{path}: {problem}",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora",
                    "Your organisation's Podpora settings ({file}) cannot be used: {problem}. "
                    "Please tell your IT department.",
                ),
                file=str(path),
                problem=problem,
            )
        else:
            super().__init__(
                f"{path}: {key}: {problem}",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora",
                    "Your organisation's Podpora settings ({file}) have a problem with the setting "
                    "“{key}”: {problem}. Please tell your IT department.",
                ),
                file=str(path),
                key=key,
                problem=problem,
            )


@dataclass(frozen=True)
class OpenSshPublicKey:
    """One public key in OpenSSH's one-line form (``type base64 [comment]``), decoded and checked."""

    key_type: str
    blob: bytes
    comment: str

    @property
    def line(self) -> str:
        """The key as ``type base64`` (what authorized_keys and known_hosts hold), without the comment."""
        return f"{self.key_type} {base64.b64encode(self.blob).decode('ascii')}"

    @property
    def fingerprint(self) -> str:
        """OpenSSH's SHA256 fingerprint (``SHA256:...``), the form people compare."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii").rstrip("=")
        return f"SHA256:{digest}"

    @property
    def ed25519_raw(self) -> bytes:
        """The 32 raw Ed25519 public key bytes (for ``Ed25519PublicKey.from_public_bytes``)."""
        if self.key_type != ED25519:
            raise ValueError(f"{self.key_type} is not an Ed25519 key")
        return _ssh_wire_fields(self.blob)[1]


@dataclass(frozen=True)
class GatewaySettings:
    """The organisation's OpenSSH gateway that the assist agent reverse-forwards its port through."""

    host: str
    port: int
    user: str
    key_file: Path
    # The gateway's host keys, pinned: an end user cannot judge an unknown fingerprint, so the organisation
    # states it here and the agent refuses any other.
    host_keys: tuple[OpenSshPublicKey, ...]


@dataclass(frozen=True)
class Branding:
    """What the assist app calls itself and which logo it shows."""

    name: str = DEFAULT_BRAND_NAME
    logo: Path | None = None


@dataclass(frozen=True)
class OrgConfig:
    """The organisation's settings for the assist app; :data:`DEFAULT` when no file is rolled out."""

    source: Path | None = None
    organisation_name: str | None = None
    # Ed25519 keys that sign technician certificates and diagnostic scripts.
    organisation_keys: tuple[OpenSshPublicKey, ...] = ()
    gateway: GatewaySettings | None = None
    language: str | None = None
    branding: Branding = field(default_factory=Branding)
    # ``[session] resume_grace_seconds``; None: not set, the agent's own default (60 s) applies.
    resume_grace_seconds: float | None = None


DEFAULT = OrgConfig()


def system_config_path(platform: str | None = None, environ: Mapping[str, str] | None = None) -> PurePath:
    """Return where ``platform`` keeps the system-wide file (ignoring ``PODPORA_ORG_CONFIG``).

    The result is a pure path in the target platform's flavour, so it can be computed for any platform.
    """
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    if platform.startswith("win"):
        program_data = environ.get("ProgramData") or environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return PureWindowsPath(program_data, "Podpora", "assist.toml")
    if platform == "darwin":
        return PurePosixPath("/Library/Application Support/Podpora/assist.toml")
    return PurePosixPath("/etc/podpora/assist.toml")


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Return the file to read: ``PODPORA_ORG_CONFIG`` when set, else :func:`system_config_path`."""
    environ = os.environ if environ is None else environ
    override = environ.get(ENV_OVERRIDE)
    if override:
        return Path(override)
    return Path(system_config_path(environ=environ))


def load_org_config(path: Path | None = None) -> OrgConfig:
    """Read and validate the organisation settings; :data:`DEFAULT` when the file does not exist.

    Raises :class:`OrgConfigError` for a file that exists but cannot be read, is not safe to trust
    (writable by other users) or has any invalid setting.
    """
    path = config_path() if path is None else path
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            _check_trustworthy(path, status)
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return DEFAULT
    except IsADirectoryError:
        raise OrgConfigError(path, None, "it is a folder, not a file") from None
    except PermissionError:
        raise OrgConfigError(path, None, "this user is not allowed to read it") from None
    except OSError as error:
        raise OrgConfigError(path, None, f"it cannot be read ({error.strerror})") from error
    if len(data) > MAX_CONFIG_BYTES:
        raise OrgConfigError(path, None, f"it is larger than {MAX_CONFIG_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise OrgConfigError(path, None, "it is not UTF-8 text") from None
    return parse_org_config(text, source=path)


def parse_org_config(text: str, *, source: Path) -> OrgConfig:
    """Validate the TOML ``text`` of the file at ``source``; relative paths are relative to its folder."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise OrgConfigError(source, None, f"it is not valid TOML ({error})") from None
    except RecursionError:
        # tomllib recurses once per nesting level: arrays or tables thousands deep are refused, not a crash.
        raise OrgConfigError(source, None, "it is not valid TOML (it is nested too deeply)") from None
    reader = _Reader(source)
    reader.only_keys("", document, ("language", "organisation", "gateway", "branding", "session"))
    language = reader.optional_str("language", document)
    if language is not None and language not in SUPPORTED_LANGUAGES:
        raise OrgConfigError(source, "language", f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")

    organisation = reader.table("organisation", document)
    reader.only_keys("organisation", organisation, ("name", "public_keys"))
    organisation_name = reader.optional_text("organisation.name", organisation)
    organisation_keys = tuple(
        reader.public_key(f"organisation.public_keys[{index}]", line, allowed_types=(ED25519,))
        for index, line in enumerate(reader.str_list("organisation.public_keys", organisation))
    )

    gateway: GatewaySettings | None = None
    if "gateway" in document:
        gateway = reader.gateway(reader.table("gateway", document))

    branding_table = reader.table("branding", document)
    reader.only_keys("branding", branding_table, ("name", "logo"))
    branding = Branding(
        name=reader.optional_text("branding.name", branding_table) or DEFAULT_BRAND_NAME,
        logo=reader.logo("branding.logo", branding_table),
    )
    session = reader.table("session", document)
    reader.only_keys("session", session, ("resume_grace_seconds",))
    resume_grace = session.get("resume_grace_seconds")
    if resume_grace is not None:
        resume_grace = check_resume_grace(resume_grace)
        if resume_grace is None:
            raise reader.fail(
                "session.resume_grace_seconds", f"must be a number of seconds from 0 to {MAX_RESUME_GRACE_SECONDS}"
            )
    return OrgConfig(
        source=source,
        resume_grace_seconds=resume_grace,
        organisation_name=organisation_name,
        organisation_keys=organisation_keys,
        gateway=gateway,
        language=language,
        branding=branding,
    )


def check_resume_grace(value: object) -> float | None:
    """``value`` as a resume grace period in seconds, or None when it is not a number from 0 to the maximum."""
    # bool is an int in Python; "resume_grace_seconds = true" is still a mistake.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    if not 0 <= seconds <= MAX_RESUME_GRACE_SECONDS:  # also refuses nan; inf is above the maximum
        return None
    return seconds


def _check_trustworthy(path: Path, status: os.stat_result) -> None:
    """Refuse a file that another ordinary user could have changed: it carries trust anchors."""
    if not stat.S_ISREG(status.st_mode):
        raise OrgConfigError(path, None, "it is not a regular file")
    if os.name != "posix":
        return  # Windows ACLs under %ProgramData% are the installer's job; mode bits mean little there.
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise OrgConfigError(path, None, "other users can change it (make it writable by its owner only)")
    if status.st_uid not in (0, os.getuid()):
        raise OrgConfigError(path, None, "it must belong to the administrator (root)")


def _ssh_wire_fields(blob: bytes) -> list[bytes]:
    """Split an SSH wire-format key blob into its length-prefixed fields."""
    fields: list[bytes] = []
    offset = 0
    while offset < len(blob):
        if offset + 4 > len(blob):
            raise ValueError("truncated length")
        (length,) = struct.unpack_from(">I", blob, offset)
        offset += 4
        if offset + length > len(blob):
            raise ValueError("truncated field")
        fields.append(blob[offset : offset + length])
        offset += length
    return fields


class _Reader:
    """Typed accessors that raise :class:`OrgConfigError` naming the file and the dotted key."""

    def __init__(self, source: Path) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> OrgConfigError:
        return OrgConfigError(self.source, key, problem)

    def only_keys(self, prefix: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                dotted = f"{prefix}.{key}" if prefix else key
                raise self.fail(dotted, f"is not a known setting (known here: {', '.join(allowed)})")

    def table(self, key: str, document: Mapping[str, Any]) -> Mapping[str, Any]:
        value = document.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a section ([{key}])")
        return value

    def optional_str(self, key: str, table: Mapping[str, Any]) -> str | None:
        name = key.rpartition(".")[2]
        if name not in table:
            return None
        value = table[name]
        if not isinstance(value, str):
            raise self.fail(key, "must be text in quotes")
        return value

    def required_str(self, key: str, table: Mapping[str, Any]) -> str:
        value = self.optional_str(key, table)
        if value is None:
            raise self.fail(key, "is missing")
        return value

    def optional_text(self, key: str, table: Mapping[str, Any]) -> str | None:
        """A display string: not empty, one line, no control characters, at most 100 characters."""
        value = self.optional_str(key, table)
        if value is None:
            return None
        if not value.strip():
            raise self.fail(key, "must not be empty")
        if len(value) > 100 or any(ord(char) < 32 or ord(char) == 127 for char in value):
            raise self.fail(key, "must be one line of at most 100 characters")
        return value.strip()

    def str_list(self, key: str, table: Mapping[str, Any]) -> list[str]:
        name = key.rpartition(".")[2]
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, 'must be a list of texts in quotes, like ["…", "…"]')
        return list(value)

    def path(self, key: str, raw: str) -> Path:
        if not raw.strip():
            raise self.fail(key, "must not be empty")
        path = Path(raw)
        if not path.is_absolute():
            path = self.source.parent / path
        return path

    def public_key(self, key: str, line: str, *, allowed_types: tuple[str, ...]) -> OpenSshPublicKey:
        parts = line.split(None, 2)
        if len(parts) < 2:
            raise self.fail(key, "must be an OpenSSH public key line, like “ssh-ed25519 AAAA… comment”")
        key_type, encoded = parts[0], parts[1]
        if key_type not in allowed_types:
            raise self.fail(key, f"must be a key of type {' or '.join(allowed_types)}, not {key_type}")
        try:
            blob = base64.b64decode(encoded, validate=True)
            fields = _ssh_wire_fields(blob)
        except (binascii.Error, ValueError):
            raise self.fail(key, "is not a valid OpenSSH public key (the base64 part is damaged)") from None
        if not fields or fields[0] != key_type.encode("ascii"):
            raise self.fail(key, "is not a valid OpenSSH public key (its type does not match its content)")
        if key_type == ED25519 and (len(fields) != 2 or len(fields[1]) != ED25519_KEY_BYTES):
            raise self.fail(key, "is not a valid Ed25519 public key (wrong length)")
        comment = parts[2].strip() if len(parts) == 3 else ""
        return OpenSshPublicKey(key_type=key_type, blob=blob, comment=comment)

    def gateway(self, table: Mapping[str, Any]) -> GatewaySettings:
        self.only_keys("gateway", table, ("host", "port", "user", "key_file", "host_keys"))
        host = self.required_str("gateway.host", table)
        if not _HOST_RE.match(host):
            raise self.fail("gateway.host", "must be a host name or IP address (no spaces, not starting with -)")
        port = table.get("port", DEFAULT_GATEWAY_PORT)
        # bool is an int in Python; "port = true" is still a mistake.
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise self.fail("gateway.port", "must be a whole number from 1 to 65535")
        user = self.required_str("gateway.user", table)
        if not _USER_RE.match(user):
            raise self.fail("gateway.user", "must be a user name (letters, digits, . _ - @; not starting with -)")
        key_file = self.path("gateway.key_file", self.required_str("gateway.key_file", table))
        if not key_file.is_file():
            raise self.fail("gateway.key_file", f"names {key_file}, which does not exist or is not a file")
        host_key_lines = self.str_list("gateway.host_keys", table)
        if not host_key_lines:
            raise self.fail(
                "gateway.host_keys",
                "is missing: list the gateway's host public keys so the app can recognise the real gateway",
            )
        host_keys = tuple(
            self.public_key(f"gateway.host_keys[{index}]", line, allowed_types=HOST_KEY_TYPES)
            for index, line in enumerate(host_key_lines)
        )
        return GatewaySettings(host=host, port=port, user=user, key_file=key_file, host_keys=host_keys)

    def logo(self, key: str, table: Mapping[str, Any]) -> Path | None:
        raw = self.optional_str(key, table)
        if raw is None:
            return None
        logo = self.path(key, raw)
        if logo.suffix.lower() not in LOGO_SUFFIXES:
            raise self.fail(key, f"must be a {' or '.join(LOGO_SUFFIXES)} file")
        try:
            size = logo.stat().st_size
        except OSError:
            raise self.fail(key, f"names {logo}, which does not exist") from None
        if not logo.is_file():
            raise self.fail(key, f"names {logo}, which is not a file")
        if size > MAX_LOGO_BYTES:
            raise self.fail(key, f"names a file larger than {MAX_LOGO_BYTES // 1024} KiB")
        try:
            with logo.open("rb") as handle:
                head = handle.read(4096)
        except OSError as error:
            raise self.fail(key, f"names {logo}, which cannot be read ({error.strerror})") from None
        # A renamed JPEG or an HTML error page saved as logo.png would only show as a blank spot.
        looks_right = head.startswith(b"\x89PNG\r\n\x1a\n") if logo.suffix.lower() == ".png" else b"<svg" in head
        if not looks_right:
            raise self.fail(key, f"names {logo}, which is not a {logo.suffix.lower()[1:].upper()} image")
        return logo
