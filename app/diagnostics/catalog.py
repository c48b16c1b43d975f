"""The verified script catalog: the shipped library plus an organisation's folders, each signature checked.

Loading reads each manifest, its body and its ``.sig`` **once** into memory, verifies the signature over those
exact bytes, and keeps the bytes.  The runner sends these in-memory bytes; it never reads the files again, so
a file replaced after verification (time-of-check/time-of-use) changes nothing.

Scripts that fail verification are not in the catalog; they are listed as refusals with a plain reason so
the technician sees why a script is missing.

Configuration (``<config_dir>/diagnostics.toml``, all keys optional)::

    include_library = true                        # the scripts shipped with Podpora
    script_dirs = ["/etc/podpora/scripts"]        # the organisation's own signed scripts
    trusted_keys = ["/etc/podpora/scripts.pub"]   # public keys whose signatures are accepted
    min_versions = { clean_temp = "1.1.0" }       # refuse older signed versions (downgrade protection)
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import default_paths, resources_dir
from app.diagnostics.errors import DiagnosticError, ManifestError, SignatureError, UnknownScriptError
from app.diagnostics.manifest import Manifest, parse_manifest
from app.diagnostics.signing import PublicKey, Signature, TrustedKeys, signature_path
from app.errors import ConfigError
from app.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

RESOURCES = resources_dir()
LIBRARY_DIR = RESOURCES / "scripts" / "linux"
#: The shipped library per target platform; a catalog holds the scripts of one platform.
LIBRARY_DIRS = {platform: RESOURCES / "scripts" / platform for platform in ("linux", "windows", "macos")}
DEFAULT_PLATFORM = "linux"
PROJECT_KEY = RESOURCES / "keys" / "podpora-scripts.pub"
MANIFEST_SUFFIX = ".toml"
MAX_SCRIPT_BYTES = 512 * 1024


@dataclass(frozen=True)
class VerifiedScript:
    """A script whose signature was verified; ``body`` is exactly the bytes that will run."""

    manifest: Manifest
    manifest_bytes: bytes
    body: bytes
    digest: str
    key_id: str
    source: str

    @property
    def id(self) -> str:
        return self.manifest.id


@dataclass(frozen=True)
class Refusal:
    """A script that is not in the catalog, and why."""

    source: str
    reason: str


@dataclass
class Catalog:
    """Verified scripts by id, plus what was refused."""

    scripts: dict[str, VerifiedScript] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)

    def get(self, script_id: str) -> VerifiedScript:
        try:
            return self.scripts[script_id]
        except KeyError:
            raise UnknownScriptError(script_id) from None

    def by_category(self, category: str) -> list[VerifiedScript]:
        return sorted(
            (script for script in self.scripts.values() if script.manifest.category == category),
            key=lambda script: script.id,
        )

    def all(self) -> list[VerifiedScript]:
        return sorted(self.scripts.values(), key=lambda script: (script.manifest.category, script.id))


def _read(path: Path, source: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SCRIPT_BYTES + 1)
    except OSError as error:
        raise SignatureError(source, f"a file cannot be read ({error.strerror})") from None
    if len(data) > MAX_SCRIPT_BYTES:
        raise SignatureError(source, "a file is larger than scripts may be")
    return data


def load_script(manifest_path: Path, trusted: TrustedKeys) -> VerifiedScript:
    """Read, verify and parse one script; raises :class:`SignatureError` or :class:`ManifestError`."""
    source = str(manifest_path)
    manifest_bytes = _read(manifest_path, source)
    sig_path = signature_path(manifest_path)
    signature_bytes = _read(sig_path, source) if sig_path.exists() else None
    # The body's file name comes from the (not yet verified) manifest; the signature then covers both.
    try:
        body_name = tomllib.loads(manifest_bytes.decode("utf-8")).get("body")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        # RecursionError: nesting thousands deep; one hostile file is one refusal, never the whole catalog.
        body_name = None
    if not isinstance(body_name, str) or "/" in body_name or body_name.startswith("."):
        raise ManifestError(source, "body", "must name the script file next to the manifest")
    body = _read(manifest_path.with_name(body_name), source)
    digest = trusted.verify(manifest_bytes, body, signature_bytes, source)
    manifest = parse_manifest(manifest_bytes, source)
    key = Signature.from_bytes(signature_bytes or b"", source).key_id
    return VerifiedScript(manifest, manifest_bytes, body, digest, key, source)


def load_catalog(
    folders: Iterable[Path],
    trusted: TrustedKeys,
    *,
    min_versions: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Catalog:
    """Load every ``*.toml`` manifest in ``folders``; refused scripts are recorded, never loaded.

    ``platform`` keeps only the verified scripts made for that platform (an organisation's folder may hold
    scripts for several); others are left out silently, they are not refusals.
    """
    catalog = Catalog()
    minimum = {key: tuple(int(p) for p in value.split(".")) for key, value in (min_versions or {}).items()}
    for folder in folders:
        if not folder.is_dir():
            catalog.refusals.append(Refusal(str(folder), "the script folder does not exist"))
            continue
        for manifest_path in sorted(folder.glob("*" + MANIFEST_SUFFIX)):
            try:
                script = load_script(manifest_path, trusted)
            except DiagnosticError as error:
                catalog.refusals.append(Refusal(str(manifest_path), error.user_message))
                log.info("script refused: %s", error)
                continue
            if platform is not None and platform not in script.manifest.platforms:
                continue
            if script.manifest.version_tuple < minimum.get(script.id, (0,)):
                catalog.refusals.append(
                    Refusal(script.source, f"version {script.manifest.version} is older than allowed")
                )
                continue
            if script.id in catalog.scripts:
                catalog.refusals.append(Refusal(script.source, f"another script already has the id {script.id}"))
                continue
            catalog.scripts[script.id] = script
    return catalog


@dataclass(frozen=True)
class DiagnosticsSettings:
    """Where scripts come from and which keys are trusted."""

    script_dirs: tuple[Path, ...] = ()
    trusted_key_files: tuple[Path, ...] = ()
    include_library: bool = True
    min_versions: Mapping[str, str] = field(default_factory=dict)

    @property
    def folders(self) -> list[Path]:
        return self.folders_for(DEFAULT_PLATFORM)

    def folders_for(self, platform: str) -> list[Path]:
        return ([LIBRARY_DIRS[platform]] if self.include_library else []) + list(self.script_dirs)

    def trusted_keys(self) -> TrustedKeys:
        trusted = TrustedKeys()
        if self.include_library:
            trusted.add(PublicKey.load(PROJECT_KEY))
        for path in self.trusted_key_files:
            trusted.add(PublicKey.load(path))
        return trusted

    def load(self, platform: str = DEFAULT_PLATFORM) -> Catalog:
        """The verified scripts for ``platform`` (``linux``, ``windows`` or ``macos``)."""
        if platform not in LIBRARY_DIRS:
            raise ValueError(f"unknown platform {platform!r}")
        return load_catalog(
            self.folders_for(platform), self.trusted_keys(), min_versions=self.min_versions, platform=platform
        )


def _paths(value: Any, key: str, source: Path) -> tuple[Path, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _config_error(source, key, "must be a list of paths")
    return tuple(Path(item).expanduser() for item in value)


def _config_error(source: Path, key: str, problem: str) -> ConfigError:
    return ConfigError(
        f"{source}: {key}: {problem}",
        user_text=QT_TRANSLATE_NOOP("podpora", "The diagnostics settings {source} are invalid at '{key}': {problem}"),
        source=str(source),
        key=key,
        problem=problem,
    )


def load_settings(path: Path | None = None) -> DiagnosticsSettings:
    """Read ``diagnostics.toml`` from the config folder (defaults when it does not exist)."""
    source = path or default_paths().config_dir / "diagnostics.toml"
    if not source.exists():
        return DiagnosticsSettings()
    try:
        table = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise _config_error(source, "(file)", str(error)) from None
    except RecursionError:  # tomllib recurses once per nesting level
        raise _config_error(source, "(file)", "it is nested too deeply") from None
    known = {"include_library", "script_dirs", "trusted_keys", "min_versions"}
    for key in table:
        if key not in known:
            raise _config_error(source, key, "is not a known setting")
    include = table.get("include_library", True)
    if not isinstance(include, bool):
        raise _config_error(source, "include_library", "must be true or false")
    min_versions = table.get("min_versions", {})
    if not isinstance(min_versions, dict) or not all(
        isinstance(v, str) and all(p.isdigit() for p in v.split(".")) for v in min_versions.values()
    ):
        raise _config_error(source, "min_versions", "must map script ids to versions like 1.2.0")
    return DiagnosticsSettings(
        script_dirs=_paths(table.get("script_dirs", []), "script_dirs", source),
        trusted_key_files=_paths(table.get("trusted_keys", []), "trusted_keys", source),
        include_library=include,
        min_versions=min_versions,
    )


def verify_folders(folders: Sequence[Path], trusted: TrustedKeys) -> Catalog:
    """Verify folders (for ``podpora scripts verify``): same as loading, without library defaults."""
    return load_catalog(folders, trusted)
