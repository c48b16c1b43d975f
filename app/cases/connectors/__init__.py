"""One small module per ticket system, each over one HTTP client, and the registry that builds them.

Settings (URLs, project ids — never secrets) come from ``<config dir>/connectors.toml``, one table per system,
and may be overridden by environment variables ``PODPORA_<SYSTEM>_<SETTING>``.  Credentials come from the OS
keyring (:mod:`app.cases.keystore`); a secret-looking key in ``connectors.toml`` is refused.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.cases.connectors.base import Connector, CredentialGetter
from app.cases.redact import is_secret_field
from app.errors import ConfigError
from app.i18n import QT_TRANSLATE_NOOP

# name -> (module, class, human name)
REGISTRY: dict[str, tuple[str, str, str]] = {
    "folder": ("folder", "FolderConnector", "Folder"),
    "email": ("email", "EmailConnector", "E-mail"),
    "redmine": ("redmine", "RedmineConnector", "Redmine"),
    "rt": ("rt", "RequestTrackerConnector", "Request Tracker"),
    "jira": ("jira", "JiraConnector", "Jira"),
    "jsm": ("jira", "JiraServiceManagementConnector", "Jira Service Management"),
    "zendesk": ("zendesk", "ZendeskConnector", "Zendesk"),
    "servicenow": ("servicenow", "ServiceNowConnector", "ServiceNow"),
    "freshdesk": ("freshdesk", "FreshdeskConnector", "Freshdesk"),
    "zammad": ("zammad", "ZammadConnector", "Zammad"),
    "glpi": ("glpi", "GlpiConnector", "GLPI"),
}
SETTINGS_FILE = "connectors.toml"


def available() -> list[str]:
    """Connector names whose module exists in this build."""
    import importlib.util

    return [name for name, (module, _, _) in REGISTRY.items() if importlib.util.find_spec(f"{__name__}.{module}")]


def human_name(name: str) -> str:
    """``redmine`` -> ``Redmine``."""
    return REGISTRY.get(name, (name, name, name))[2]


def load_settings(config_dir: Path, name: str) -> dict[str, Any]:
    """Settings of one connector: ``connectors.toml`` then ``PODPORA_<NAME>_<KEY>`` environment overrides."""
    settings: dict[str, Any] = {}
    path = config_dir / SETTINGS_FILE
    if path.exists():
        try:
            table = tomllib.loads(path.read_text("utf-8")).get(name, {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: {error}") from error
        except RecursionError:  # tomllib recurses once per nesting level
            raise ConfigError(f"{path}: nested too deeply") from None
        if not isinstance(table, Mapping):
            raise ConfigError(f"{path}: [{name}] must be a table")
        for key, value in table.items():
            if is_secret_field(str(key)):
                raise ConfigError(
                    f"{path}: [{name}] {key} looks like a secret",
                    user_text=QT_TRANSLATE_NOOP(
                        "podpora",
                        "{path} contains {key}: credentials belong in the system keyring, not in a file. "
                        "Remove it and store it with `podpora outbox login`.",
                    ),
                    path=str(path),
                    key=str(key),
                )
            settings[str(key)] = value
    prefix = f"PODPORA_{name.upper()}_"
    for env_key, value in os.environ.items():
        if env_key.startswith(prefix):
            key = env_key[len(prefix) :].lower()
            if not is_secret_field(key):
                settings[key] = value
    return settings


def make_connector(
    name: str,
    settings: Mapping[str, Any],
    credential: CredentialGetter,
    **kwargs: Any,
) -> Connector:
    """Build connector ``name`` from its settings (``kwargs`` reach the HTTP client, e.g. ``transport``)."""
    if name not in REGISTRY:
        raise ConfigError(
            f"unknown connector {name!r}",
            user_text=QT_TRANSLATE_NOOP("podpora", "Unknown ticket system {name}. Known: {known}."),
            name=name,
            known=", ".join(available()),
        )
    module_name, class_name, _ = REGISTRY[name]
    module = importlib.import_module(f"{__name__}.{module_name}")
    connector: Connector = getattr(module, class_name).from_settings(settings, credential, **kwargs)
    return connector
