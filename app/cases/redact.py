"""Redaction of secrets before anything reaches the journal, a report or a ticket (pure: no I/O).

Two mechanisms work together:

* **Patterns** over free text (chat, script output, notes, host names…): private key blocks, HTTP
  ``Authorization`` headers and bearer tokens, AWS access keys and secret keys, GitHub tokens, Slack tokens,
  JWTs, passwords in URLs (``scheme://user:pass@host``) and ``password=…`` / ``token: …`` style pairs.
* **Field names** in structured data: a value whose key looks secret (``password``, ``token``, ``api_key``…)
  or that a script manifest marks secret is replaced as a whole, whatever it looks like.

Redaction fails closed: a value of an unknown type is rendered with ``repr`` and then redacted as text,
never passed through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Field names whose values are always secret, whatever they look like (compared lower-case, with "-" as "_").
SECRET_FIELD_NAMES = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "refresh_token",
        "auth_token",
        "api_key",
        "apikey",
        "api_token",
        "authorization",
        "private_key",
        "session_code",
        "cookie",
        "aws_secret_access_key",
    }
)

_KEYWORDS = (
    r"password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|api[_-]?token|"
    r"access[_-]?token|refresh[_-]?token|auth[_-]?token|token|aws_secret_access_key"
)

# Order matters: whole blocks first, then headers, then specific token shapes, then generic pairs.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM / OpenSSH private key blocks (also a truncated block that never reaches its END line).
    (
        re.compile(
            r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----.*?(?:-----END \1-----|\Z)",
            re.DOTALL,
        ),
        "-----BEGIN \\1-----" + REDACTED + "-----END \\1-----",
    ),
    # HTTP Authorization / Proxy-Authorization headers, whatever the scheme.
    (re.compile(r"(?i)\b((?:proxy-)?authorization\s*[:=]\s*)(?:\w+\s+)?[^\s,;]+"), "\\1" + REDACTED),
    # Bare bearer / token schemes in free text.
    (re.compile(r"(?i)\b(bearer|token)\s+([A-Za-z0-9\-._~+/]{12,}=*)"), "\\1 " + REDACTED),
    # JSON Web Tokens: three base64url parts, the first two starting with '{"' encoded.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"), REDACTED),
    # GitHub tokens (classic and fine-grained).
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"), REDACTED),
    # Slack tokens.
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), REDACTED),
    # AWS access key ids.
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"), REDACTED),
    # Passwords in URLs: scheme://user:password@host
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(@)"), "\\1" + REDACTED + "\\2"),
    # key=value, key: value, "key": "value" pairs with a secret-looking key.
    (
        re.compile(
            r"(?i)(\b(?:" + _KEYWORDS + r")\b[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&\"']+)",
        ),
        "\\1" + REDACTED,
    ),
)


def _normalise_field_name(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def is_secret_field(name: str, extra_secret_fields: Iterable[str] = ()) -> bool:
    """Return True when a field called ``name`` must never be recorded in clear."""
    normalised = _normalise_field_name(name)
    extras = {_normalise_field_name(field) for field in extra_secret_fields}
    if normalised in SECRET_FIELD_NAMES or normalised in extras:
        return True
    # Compound names such as "db_password" or "github_token".
    return any(normalised.endswith("_" + word) for word in ("password", "passwd", "secret", "token"))


def redact_text(text: str, known_secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every secret-looking part replaced by ``[REDACTED]``.

    ``known_secrets`` are literal values known to be secret (for example the values of script parameters a
    manifest marks secret); each occurrence is replaced even where no pattern would recognise it.
    """
    result = text
    # Longest first, so that a secret containing another is replaced whole.
    for secret in sorted({s for s in known_secrets if len(s) >= 4}, key=len, reverse=True):
        result = result.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        result = pattern.sub(replacement, result)
    return result


def redact_value(value: Any, secret_fields: Iterable[str] = (), known_secrets: Iterable[str] = ()) -> Any:
    """Return a redacted copy of a JSON-like ``value`` (dicts, lists, strings, numbers, booleans, None).

    A dict entry whose key is secret (built-in names or ``secret_fields``) becomes ``[REDACTED]``; every string
    is passed through :func:`redact_text`.  Values of other types become their redacted ``repr``.
    """
    fields = frozenset(secret_fields)
    secrets = tuple(known_secrets)
    return _redact(value, fields, secrets)


def _redact(value: Any, fields: frozenset[str], secrets: tuple[str, ...]) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        redacted: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            if is_secret_field(name, fields) and item not in (None, ""):
                redacted[name] = REDACTED
            else:
                redacted[name] = _redact(item, fields, secrets)
        return redacted
    if isinstance(value, list | tuple):
        return [_redact(item, fields, secrets) for item in value]
    # Fail closed: unknown objects are never passed through as they are.
    return redact_text(repr(value), secrets)
