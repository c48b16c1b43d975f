"""Roots of Podpora's error hierarchy.

Every error a person may see derives from :class:`PodporaError`. It carries a plain-language message
for the technician or end user, separate from the technical ``str()`` that goes to logs:

* ``user_text`` is an English template marked with :func:`app.i18n.QT_TRANSLATE_NOOP` so that Qt's
  ``lupdate`` collects it; the UI translates it with ``QCoreApplication.translate("podpora", user_text)``
  and then fills in ``user_args`` with ``str.format``.
* :attr:`PodporaError.user_message` is the English text, already formatted (command line, logs).

Capability packages (``app.remote``, ``app.diagnostics``, ``app.cases``) derive their own errors from here.
"""

from __future__ import annotations

from typing import Any


class PodporaError(Exception):
    """Base class for every error Podpora reports to a person.

    ``exit_code`` is what the command line returns when this error ends a command.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, user_text: str | None = None, **user_args: Any) -> None:
        super().__init__(message)
        self.user_text = user_text or message
        self.user_args = user_args

    @property
    def user_message(self) -> str:
        """The plain-language message in English, with its arguments filled in."""
        try:
            return self.user_text.format(**self.user_args)
        except (KeyError, IndexError, ValueError):
            return self.user_text


class ConfigError(PodporaError):
    """A configuration file or setting is missing, malformed or contradictory."""

    exit_code = 78  # EX_CONFIG
