"""Script manifests: what a diagnostic or repair script is, what it may be given, and how to explain it.

A manifest is a TOML file (format documented in ``docs/diagnostics.md``). It is validated strictly: every
unknown key, wrong type or missing required field is an error naming the file and the key, because a
manifest is part of what an organisation signs and what the end user is shown before a repair.

Parameters are typed (``string``, ``int``, ``bool``, ``enum``, ``list`` of strings) and validated here, against
the signed manifest, before anything runs.  The runner passes them to the script as one JSON argument,
never through a shell string.

This module is pure: it parses bytes and returns values.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from app.diagnostics.errors import ManifestError, ParameterError

MANIFEST_SCHEMA = 1
LANGUAGES = ("en", "cs", "sk")
CATEGORIES = ("info", "install", "config", "repair")
CHANGING_CATEGORIES = frozenset({"install", "config", "repair"})
RISKS = ("none", "low", "medium", "high")
#: python3 (standard library only) and sh (POSIX) for Linux and macOS; powershell (5.1+) for Windows.
INTERPRETERS = ("python3", "sh", "powershell")
PLATFORMS = ("linux", "windows", "macos")
PARAMETER_TYPES = ("string", "int", "bool", "enum", "list")

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_CHECK_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}(:[^\s\x00]{1,200})?$")
_VERSION_RE = re.compile(r"^\d{1,4}\.\d{1,4}\.\d{1,4}$")
_BODY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}$")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_IDENTIFIER_RE = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")
#: Default for strings without their own pattern: one line, no control characters.
_DEFAULT_STRING_RE = re.compile(r"^[^\x00-\x1f\x7f-\x9f]*$")

Category = Literal["info", "install", "config", "repair"]
ParameterType = Literal["string", "int", "bool", "enum", "list"]
JsonValue = str | int | bool | list[str]


@dataclass(frozen=True)
class Text:
    """A plain-language text in English, Czech and Slovak."""

    en: str
    cs: str
    sk: str

    def get(self, language: str) -> str:
        """The text in ``language``, falling back to English."""
        return {"cs": self.cs, "sk": self.sk}.get(language, self.en)

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "cs": self.cs, "sk": self.sk}


@dataclass(frozen=True)
class Parameter:
    """One typed parameter a script accepts, with the limits the signed manifest sets."""

    name: str
    type: ParameterType
    label: str
    required: bool = False
    default: JsonValue | None = None
    pattern: str | None = None
    max_length: int = 256
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    max_items: int = 32

    def validate(self, script_id: str, value: object) -> JsonValue:
        """Return ``value`` if the manifest allows it, else raise :class:`ParameterError`."""
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ParameterError(script_id, self.name, "must be true or false")
            return value
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ParameterError(script_id, self.name, "must be a whole number")
            if self.minimum is not None and value < self.minimum:
                raise ParameterError(script_id, self.name, f"must be at least {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ParameterError(script_id, self.name, f"must be at most {self.maximum}")
            return value
        if self.type == "enum":
            if not isinstance(value, str) or value not in self.choices:
                raise ParameterError(script_id, self.name, "must be one of " + ", ".join(self.choices))
            return value
        if self.type == "list":
            if not isinstance(value, list | tuple):
                raise ParameterError(script_id, self.name, "must be a list of texts")
            if len(value) > self.max_items:
                raise ParameterError(script_id, self.name, f"has more than {self.max_items} items")
            return [self._check_string(script_id, item) for item in value]
        return self._check_string(script_id, value)

    def _check_string(self, script_id: str, value: object) -> str:
        if not isinstance(value, str):
            raise ParameterError(script_id, self.name, "must be text")
        if len(value) > self.max_length:
            raise ParameterError(script_id, self.name, f"is longer than {self.max_length} characters")
        if not _DEFAULT_STRING_RE.match(value):
            raise ParameterError(script_id, self.name, "contains control characters")
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise ParameterError(script_id, self.name, "does not have the expected form")
        return value

    def parse_text(self, script_id: str, text: str) -> JsonValue:
        """Convert a value typed on the command line (``NAME=VALUE``) into this parameter's type."""
        if self.type == "bool":
            lowered = text.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ParameterError(script_id, self.name, "must be true or false")
        if self.type == "int":
            try:
                return self.validate(script_id, int(text.strip()))
            except ValueError:
                raise ParameterError(script_id, self.name, "must be a whole number") from None
        if self.type == "list":
            items = [item for item in text.split(",") if item != ""] if text else []
            return self.validate(script_id, items)
        return self.validate(script_id, text)


@dataclass(frozen=True)
class Undo:
    """How a change can be undone: a plain-language text and, where one exists, the script that does it."""

    text: Text
    script: str | None = None


@dataclass(frozen=True)
class Manifest:
    """A validated script manifest."""

    id: str
    version: str
    title: Text
    description: Text
    category: Category
    platforms: tuple[str, ...]
    interpreter: str
    body: str
    needs_admin: bool
    risk: str
    timeout: float
    parameters: tuple[Parameter, ...] = ()
    secret_outputs: frozenset[str] = frozenset()
    verified_by: tuple[str, ...] = ()
    changes: Text | None = None
    undo: Undo | None = None
    messages: Mapping[str, Text] = field(default_factory=dict)
    #: For each verifying script: its parameter name -> this script's parameter whose value it gets.
    verify_parameters: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def changes_system(self) -> bool:
        """True for repair, install and config scripts: each run needs its own approval."""
        return self.category in CHANGING_CATEGORIES

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise ParameterError(self.id, name, "this script has no such parameter")

    def bind(self, values: Mapping[str, object]) -> dict[str, JsonValue]:
        """Validate ``values`` against the parameters and fill in defaults; unknown names are refused."""
        known = {parameter.name for parameter in self.parameters}
        for name in values:
            if name not in known:
                raise ParameterError(self.id, name, "this script has no such parameter")
        bound: dict[str, JsonValue] = {}
        for parameter in self.parameters:
            if parameter.name in values:
                bound[parameter.name] = parameter.validate(self.id, values[parameter.name])
            elif parameter.default is not None:
                bound[parameter.name] = parameter.default
            elif parameter.required:
                raise ParameterError(self.id, parameter.name, "is required")
        return bound


class _Reader:
    """Pulls typed values out of a TOML table and reports unknown or wrong keys with their full path."""

    def __init__(self, source: str, table: Mapping[str, Any], prefix: str = "") -> None:
        self.source = source
        self.table = table
        self.prefix = prefix
        self.seen: set[str] = set()

    def fail(self, key: str, problem: str) -> ManifestError:
        return ManifestError(self.source, f"{self.prefix}{key}", problem)

    def get(self, key: str, kind: type | tuple[type, ...], *, required: bool = True, default: Any = None) -> Any:
        self.seen.add(key)
        if key not in self.table:
            if required:
                raise self.fail(key, "is missing")
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise self.fail(key, "must be a number")
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(key, f"must be of type {names}")
        return value

    def sub(self, key: str, *, required: bool = True) -> _Reader | None:
        value = self.get(key, dict, required=required)
        if value is None:
            return None
        return _Reader(self.source, value, f"{self.prefix}{key}.")

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.seen)
        if unknown:
            raise self.fail(unknown[0], "is not a known key")


def _text(reader: _Reader, key: str, *, required: bool = True) -> Text | None:
    sub = reader.sub(key, required=required)
    if sub is None:
        return None
    values = {}
    for language in LANGUAGES:
        value = sub.get(language, str)
        if not value.strip():
            raise sub.fail(language, "must not be empty")
        values[language] = value
    sub.finish()
    return Text(**values)


def _required_text(reader: _Reader, key: str) -> Text:
    text = _text(reader, key)
    if text is None:
        raise reader.fail(key, "is missing")
    return text


def _string_list(reader: _Reader, key: str, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
    value = reader.get(key, list, required=False, default=[])
    for index, item in enumerate(value):
        if not isinstance(item, str) or (pattern is not None and not pattern.match(item)):
            raise reader.fail(f"{key}[{index}]", "is not a valid entry")
    return tuple(value)


def _parameter(reader: _Reader, name: str) -> Parameter:
    if not _IDENTIFIER_RE.match(name):
        raise reader.fail(name, "parameter names are lower-case identifiers")
    sub = reader.sub(name, required=False)
    if sub is None:
        raise reader.fail(name, "must be a table")
    kind = sub.get("type", str)
    if kind not in PARAMETER_TYPES:
        raise sub.fail("type", "must be one of " + ", ".join(PARAMETER_TYPES))
    label = sub.get("label", str)
    required = sub.get("required", bool, required=False, default=False)
    pattern = sub.get("pattern", str, required=False)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise sub.fail("pattern", f"is not a valid regular expression ({error})") from None
    choices = _string_list(sub, "choices")
    if kind == "enum" and not choices:
        raise sub.fail("choices", "an enum needs at least one choice")
    parameter = Parameter(
        name=name,
        type=cast(ParameterType, kind),
        label=label,
        required=required,
        pattern=pattern,
        max_length=sub.get("max_length", int, required=False, default=256),
        minimum=sub.get("min", int, required=False),
        maximum=sub.get("max", int, required=False),
        choices=choices,
        max_items=sub.get("max_items", int, required=False, default=32),
    )
    raw_default = sub.get("default", (str, int, bool, list), required=False)
    sub.finish()
    if raw_default is not None:
        try:
            default = parameter.validate("manifest", raw_default)
        except ParameterError as error:
            raise sub.fail("default", f"does not satisfy the parameter's own rules ({error.user_message})") from None
        parameter = dataclasses.replace(parameter, default=default)
    return parameter


def _check_templates(reader: _Reader, key: str, text: Text) -> None:
    for language, template in text.as_dict().items():
        for placeholder in _PLACEHOLDER_RE.findall(template):
            if not _IDENTIFIER_RE.match(placeholder):
                raise reader.fail(f"{key}.{language}", f"placeholder {{{placeholder}}} must be a plain name")
        if template.count("{") != template.count("}"):
            raise reader.fail(f"{key}.{language}", "has unbalanced braces")


def parse_manifest(data: bytes, source: str) -> Manifest:
    """Parse and strictly validate manifest ``data``; ``source`` names the file in errors."""
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ManifestError(source, "(file)", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(source, "(file)", f"is not valid TOML: {error}") from None
    except RecursionError:
        # tomllib recurses once per nesting level: arrays or tables thousands deep are refused, not a crash.
        raise ManifestError(source, "(file)", "is not valid TOML: it is nested too deeply") from None
    reader = _Reader(source, table)
    schema = reader.get("schema", int)
    if schema != MANIFEST_SCHEMA:
        raise reader.fail("schema", f"version {schema} is not supported (expected {MANIFEST_SCHEMA})")
    script_id = reader.get("id", str)
    if not _ID_RE.match(script_id):
        raise reader.fail("id", "must be 2-64 lower-case letters, digits or _ and start with a letter")
    version = reader.get("version", str)
    if not _VERSION_RE.match(version):
        raise reader.fail("version", "must look like 1.2.3")
    category = reader.get("category", str)
    if category not in CATEGORIES:
        raise reader.fail("category", "must be one of " + ", ".join(CATEGORIES))
    platforms = _string_list(reader, "platforms")
    if not platforms or any(p not in PLATFORMS for p in platforms):
        raise reader.fail("platforms", "must list one or more of " + ", ".join(PLATFORMS))
    interpreter = reader.get("interpreter", str)
    if interpreter not in INTERPRETERS:
        raise reader.fail("interpreter", "must be one of " + ", ".join(INTERPRETERS))
    body = reader.get("body", str)
    if not _BODY_RE.match(body) or ".." in body:
        raise reader.fail("body", "must be a plain file name next to the manifest")
    needs_admin = reader.get("needs_admin", bool)
    risk = reader.get("risk", str)
    if risk not in RISKS:
        raise reader.fail("risk", "must be one of " + ", ".join(RISKS))
    timeout = float(reader.get("timeout", (int, float)))
    if not 1 <= timeout <= 3600:
        raise reader.fail("timeout", "must be between 1 and 3600 seconds")
    title = _required_text(reader, "title")
    description = _required_text(reader, "description")
    changes = _text(reader, "changes", required=category in CHANGING_CATEGORIES)
    undo: Undo | None = None
    undo_reader = reader.sub("undo", required=category in CHANGING_CATEGORIES)
    if undo_reader is not None:
        undo_script = undo_reader.get("script", str, required=False)
        if undo_script is not None and not _ID_RE.match(undo_script):
            raise undo_reader.fail("script", "is not a valid script id")
        undo_values = {language: undo_reader.get(language, str) for language in LANGUAGES}
        undo_reader.finish()
        undo = Undo(Text(**undo_values), undo_script)
    verified_by = _string_list(reader, "verified_by", _CHECK_ID_RE)
    if category in CHANGING_CATEGORIES and not verified_by:
        raise reader.fail("verified_by", f"a {category} script must name the checks that verify it")
    if category == "info" and (verified_by or risk != "none"):
        raise reader.fail("risk" if risk != "none" else "verified_by", "an info script changes nothing")
    secret_outputs = frozenset(_string_list(reader, "secret_outputs", _IDENTIFIER_RE))
    parameters: list[Parameter] = []
    parameters_reader = reader.sub("parameters", required=False)
    if parameters_reader is not None:
        for name in parameters_reader.table:
            parameters.append(_parameter(parameters_reader, name))
        parameters_reader.finish()
    if interpreter == "powershell" and tuple(platforms) != ("windows",):
        raise reader.fail("interpreter", "powershell scripts are for the windows platform only")
    if interpreter == "sh" and any(p.type == "list" for p in parameters):
        raise reader.fail("parameters", "sh scripts take only single values, not lists")
    messages: dict[str, Text] = {}
    messages_reader = reader.sub("messages", required=False)
    if messages_reader is not None:
        for key in messages_reader.table:
            if not _IDENTIFIER_RE.match(key):
                raise messages_reader.fail(key, "message keys are lower-case identifiers")
            text = _required_text(messages_reader, key)
            _check_templates(messages_reader, key, text)
            messages[key] = text
        messages_reader.finish()
    verify_parameters: dict[str, dict[str, str]] = {}
    verify_reader = reader.sub("verify_parameters", required=False)
    if verify_reader is not None:
        own = {parameter.name for parameter in parameters}
        verifiers = {script_of_check(check_id) for check_id in verified_by}
        for verifier in verify_reader.table:
            if verifier not in verifiers:
                raise verify_reader.fail(verifier, "is not one of the verifying scripts in verified_by")
            mapping_reader = verify_reader.sub(verifier)
            if mapping_reader is None:
                raise verify_reader.fail(verifier, "must be a table")
            mapping: dict[str, str] = {}
            for target in mapping_reader.table:
                source_name = mapping_reader.get(target, str)
                if source_name not in own:
                    raise mapping_reader.fail(target, f"names no parameter of this script ({source_name})")
                mapping[target] = source_name
            mapping_reader.finish()
            verify_parameters[verifier] = mapping
        verify_reader.finish()
    reader.finish()
    return Manifest(
        id=script_id,
        version=version,
        title=title,
        description=description,
        category=cast(Category, category),
        platforms=platforms,
        interpreter=interpreter,
        body=body,
        needs_admin=needs_admin,
        risk=risk,
        timeout=timeout,
        parameters=tuple(parameters),
        secret_outputs=secret_outputs,
        verified_by=verified_by,
        changes=changes,
        undo=undo,
        messages=messages,
        verify_parameters=verify_parameters,
    )


def script_of_check(check_id: str) -> str:
    """The script id a check id belongs to (``disk_space:/home`` -> ``disk_space``)."""
    return check_id.split(":", 1)[0]


def parse_assignments(manifest: Manifest, assignments: Sequence[str]) -> dict[str, JsonValue]:
    """Turn command-line ``NAME=VALUE`` strings into typed, validated values for ``manifest``."""
    values: dict[str, JsonValue] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        if not sep:
            raise ParameterError(manifest.id, assignment, "write parameters as NAME=VALUE")
        values[name] = manifest.parameter(name).parse_text(manifest.id, text)
    return values
