"""Errors of the diagnostics package, each with a plain-language text for the person who sees it."""

from __future__ import annotations

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP


class DiagnosticError(PodporaError):
    """Base class for every diagnostics error."""


class ManifestError(DiagnosticError):
    """A script manifest is malformed: the message names the file and the key."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(
            f"{source}: {key}: {problem}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The script description {source} is invalid at '{key}': {problem}"),
            source=source,
            key=key,
            problem=problem,
        )
        self.source = source
        self.key = key
        self.problem = problem


class SignatureError(DiagnosticError):
    """A script is unsigned, tampered with, or signed by a key that is not trusted: it must not run."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(
            f"script refused: {source}: {reason}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "The script {source} was refused because {reason}. Nothing was run."
            ),
            source=source,
            reason=reason,
        )
        self.source = source
        self.reason = reason


class KeyFileError(DiagnosticError):
    """A signing or public key file cannot be read."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(
            f"{path}: {problem}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The key file {path} cannot be used: {problem}"),
            path=path,
            problem=problem,
        )


class ParameterError(DiagnosticError):
    """A script parameter is missing, of the wrong type, or outside what the signed manifest allows."""

    def __init__(self, script_id: str, name: str, problem: str) -> None:
        super().__init__(
            f"{script_id}: parameter {name}: {problem}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "The value for '{name}' of the script {script_id} is not accepted: {problem}"
            ),
            script_id=script_id,
            name=name,
            problem=problem,
        )


class UnknownScriptError(DiagnosticError):
    """A script id that is not in the verified catalog."""

    def __init__(self, script_id: str) -> None:
        super().__init__(
            f"unknown or unverified script: {script_id}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "There is no verified script called '{script_id}'. See 'podpora diag list'."
            ),
            script_id=script_id,
        )


class ResultFileError(DiagnosticError):
    """A saved result document cannot be read."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(
            f"{path}: {problem}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The result file {path} cannot be read: {problem}"),
            path=path,
            problem=problem,
        )
