"""Structured results of diagnostic runs: the line protocol scripts speak and the versioned result document.

Scripts write one JSON object per line on stdout (documented in ``docs/diagnostics.md``)::

    {"type": "progress", "percent": 40, "message": "reading /proc/mounts"}
    {"type": "check", "id": "disk_space:/home", "status": "warning", "finding": "...",
     "explain": "low_space", "args": {"mount": "/home", "percent": 97},
     "evidence": {...}, "repair": "clean_temp"}
    {"type": "done"}

:class:`OutputParser` turns those lines into :class:`Check` values, refusing anything malformed, oversized, or
claiming a check id of another script.  The plain-language explanation comes from the *signed manifest's*
message templates (en/cs/sk), filled with the script's arguments, so a script cannot put arbitrary prose in
front of the end user.  A run that did not end with ``done`` is never reported as passed.

This module is pure: no I/O, no clock (times come in as arguments).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.diagnostics.containment import Containment
from app.diagnostics.manifest import LANGUAGES, Manifest

RESULT_SCHEMA = "podpora.diagnostics.result/1"
CHECK_STATUSES = ("ok", "warning", "fail", "error")
RUN_STATUSES = ("completed", "error", "timeout", "cancelled", "refused", "connection_lost")
_SEVERITY = {status: rank for rank, status in enumerate(CHECK_STATUSES)}
MAX_LINE_BYTES = 64 * 1024
MAX_OUTPUT_BYTES = 1024 * 1024
MAX_CHECKS = 500
MAX_FINDING_CHARS = 2000
MAX_EVIDENCE_BYTES = 32 * 1024
REDACTED = "[redacted]"
_REPAIR_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class ProtocolViolation(ValueError):
    """A line of script output that does not follow the line protocol."""


@dataclass(frozen=True)
class Progress:
    """A progress report streamed while a script runs."""

    script_id: str
    percent: int | None
    message: str


@dataclass(frozen=True)
class Check:
    """One finding: status, technical text, plain-language explanation, evidence, suggested repair."""

    id: str
    status: str
    finding: str
    explanation: Mapping[str, str]
    explain_key: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    repair: str | None = None
    not_applicable: bool = False

    def explain(self, language: str) -> str:
        return self.explanation.get(language) or self.explanation.get("en") or self.finding

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "finding": self.finding,
            "explanation": dict(self.explanation),
            "explain_key": self.explain_key,
            "evidence": dict(self.evidence),
            "repair": self.repair,
            "not_applicable": self.not_applicable,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Check:
        status = data["status"]
        if status not in CHECK_STATUSES:
            raise ValueError(f"unknown check status {status!r}")
        return cls(
            id=str(data["id"]),
            status=status,
            finding=str(data["finding"]),
            explanation={k: str(v) for k, v in dict(data.get("explanation") or {}).items()},
            explain_key=data.get("explain_key"),
            evidence=dict(data.get("evidence") or {}),
            repair=data.get("repair"),
            not_applicable=bool(data.get("not_applicable", False)),
        )


def worst_status(statuses: Sequence[str]) -> str:
    """The most severe of ``statuses`` (``ok`` for none)."""
    return max(statuses, key=lambda s: _SEVERITY[s], default="ok")


@dataclass
class ScriptResult:
    """Everything one run of one script produced, ready to be stored in a case."""

    script_id: str
    version: str
    title: Mapping[str, str]
    category: str
    digest: str
    key_id: str
    parameters: Mapping[str, Any]
    run_status: str
    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    exit_code: int | None = None
    stderr_tail: str = ""
    truncated: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    approval: Mapping[str, Any] | None = None
    containment: Containment | None = None

    @property
    def status(self) -> str:
        """Overall traffic light: ``error`` unless the run completed with at least one check."""
        if self.run_status != "completed" or not self.checks:
            return "error"
        return worst_status([check.status for check in self.checks])

    def to_dict(self) -> dict[str, Any]:
        return {
            "script": {
                "id": self.script_id,
                "version": self.version,
                "title": dict(self.title),
                "category": self.category,
                "digest": self.digest,
                "key_id": self.key_id,
            },
            "parameters": dict(self.parameters),
            "run_status": self.run_status,
            "status": self.status,
            "checks": [check.to_dict() for check in self.checks],
            "error": self.error,
            "exit_code": self.exit_code,
            "stderr_tail": self.stderr_tail,
            "truncated": self.truncated,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "approval": dict(self.approval) if self.approval is not None else None,
            "containment": self.containment.to_dict() if self.containment is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScriptResult:
        script = data["script"]
        run_status = data["run_status"]
        if run_status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {run_status!r}")
        return cls(
            script_id=str(script["id"]),
            version=str(script["version"]),
            title=dict(script.get("title") or {}),
            category=str(script.get("category", "info")),
            digest=str(script.get("digest", "")),
            key_id=str(script.get("key_id", "")),
            parameters=dict(data.get("parameters") or {}),
            run_status=run_status,
            checks=[Check.from_dict(item) for item in data.get("checks") or []],
            error=data.get("error"),
            exit_code=data.get("exit_code"),
            stderr_tail=str(data.get("stderr_tail") or ""),
            truncated=bool(data.get("truncated", False)),
            started_at=data.get("started_at"),
            finished_at=data.get("finished_at"),
            approval=data.get("approval"),
            containment=Containment.from_dict(data["containment"]) if data.get("containment") else None,
        )


@dataclass
class RepairOutcome:
    """A change script with its verifying checks before and after (``before``/``after`` side by side)."""

    repair: ScriptResult
    before: list[Check]
    after: list[Check]

    def comparison(self) -> list[tuple[str, Check | None, Check | None]]:
        """Pairs of the same check id before and after, in first-seen order."""
        ids: list[str] = []
        for check in [*self.before, *self.after]:
            if check.id not in ids:
                ids.append(check.id)
        before = {check.id: check for check in self.before}
        after = {check.id: check for check in self.after}
        return [(check_id, before.get(check_id), after.get(check_id)) for check_id in ids]

    @property
    def verified(self) -> bool:
        """True when the change ran and every verifying check is ``ok`` afterwards."""
        return self.repair.status == "ok" and bool(self.after) and all(check.status == "ok" for check in self.after)

    def to_dict(self) -> dict[str, Any]:
        return {
            "repair": self.repair.to_dict(),
            "before": [check.to_dict() for check in self.before],
            "after": [check.to_dict() for check in self.after],
            "verified": self.verified,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RepairOutcome:
        return cls(
            repair=ScriptResult.from_dict(data["repair"]),
            before=[Check.from_dict(item) for item in data.get("before") or []],
            after=[Check.from_dict(item) for item in data.get("after") or []],
        )


@dataclass
class Report:
    """The result document: every script run and repair against one machine, versioned for storage."""

    host: str
    created_at: float
    results: list[ScriptResult] = field(default_factory=list)
    repairs: list[RepairOutcome] = field(default_factory=list)

    @property
    def status(self) -> str:
        statuses = [result.status for result in self.results]
        statuses += [outcome.repair.status for outcome in self.repairs]
        return worst_status(statuses)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": RESULT_SCHEMA,
            "host": self.host,
            "created_at": self.created_at,
            "status": self.status,
            "results": [result.to_dict() for result in self.results],
            "repairs": [outcome.to_dict() for outcome in self.repairs],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Report:
        """Rebuild a report; raises ``ValueError`` naming what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("the document is not a JSON object")
        if data.get("schema") != RESULT_SCHEMA:
            raise ValueError(f"unsupported schema {data.get('schema')!r} (expected {RESULT_SCHEMA})")
        try:
            return cls(
                host=str(data["host"]),
                created_at=float(data["created_at"]),
                results=[ScriptResult.from_dict(item) for item in data.get("results") or []],
                repairs=[RepairOutcome.from_dict(item) for item in data.get("repairs") or []],
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"missing or wrong field: {error}") from None


def redact(value: Any, secret_keys: frozenset[str]) -> Any:
    """Replace the values of every key named in ``secret_keys``, at any depth."""
    if isinstance(value, dict):
        return {k: (REDACTED if k in secret_keys else redact(v, secret_keys)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, secret_keys) for item in value]
    return value


def render_template(template: str, args: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders with ``args`` as plain strings; unknown names become ``?``."""
    return re.sub(r"\{([a-z_][a-z0-9_]*)\}", lambda m: _scalar_text(args.get(m.group(1), "?")), template)


def _scalar_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_scalar_text(item) for item in value)
    return str(value)[:500]


class OutputParser:
    """Validates one script's output lines and collects its checks."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.checks: list[Check] = []
        self.done = False
        self.bytes_seen = 0
        self.truncated = False
        self.violations: list[str] = []

    def feed(self, line: bytes) -> Progress | Check | None:
        """Parse one line; returns the progress or check it carried, ``None`` for blank or refused lines.

        Malformed lines are recorded in :attr:`violations` (shown as the run's error), never trusted.
        """
        self.bytes_seen += len(line)
        if self.bytes_seen > MAX_OUTPUT_BYTES or len(line) > MAX_LINE_BYTES:
            self.truncated = True
            return None
        if not line.strip():
            return None
        try:
            return self._parse(line)
        except ProtocolViolation as violation:
            if len(self.violations) < 20:
                self.violations.append(str(violation))
            return None

    def _parse(self, line: bytes) -> Progress | Check | None:
        try:
            data = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ProtocolViolation(f"not a JSON line: {line[:80]!r}") from None
        except RecursionError:  # json recurses per nesting level; a line within the size cap can still be too deep
            raise ProtocolViolation("a JSON line nested too deeply") from None
        if not isinstance(data, dict):
            raise ProtocolViolation("a line must be a JSON object")
        kind = data.get("type")
        if self.done:
            raise ProtocolViolation("output after 'done'")
        if kind == "done":
            self.done = True
            return None
        if kind == "progress":
            percent = data.get("percent")
            if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int)):
                raise ProtocolViolation("progress percent must be an integer")
            message = data.get("message", "")
            if not isinstance(message, str):
                raise ProtocolViolation("progress message must be text")
            return Progress(self.manifest.id, None if percent is None else max(0, min(100, percent)), message[:300])
        if kind == "check":
            check = self._check(data)
            if len(self.checks) >= MAX_CHECKS:
                self.truncated = True
                return None
            self.checks.append(check)
            return check
        raise ProtocolViolation(f"unknown line type {kind!r}")

    def _check(self, data: Mapping[str, Any]) -> Check:
        manifest = self.manifest
        check_id = data.get("id")
        if not isinstance(check_id, str) or not (check_id == manifest.id or check_id.startswith(manifest.id + ":")):
            raise ProtocolViolation(f"check id {check_id!r} does not belong to script {manifest.id}")
        if len(check_id) > 260:
            raise ProtocolViolation("check id too long")
        status = data.get("status")
        if status not in CHECK_STATUSES:
            raise ProtocolViolation(f"check {check_id}: status {status!r} is not one of {CHECK_STATUSES}")
        finding = data.get("finding")
        if not isinstance(finding, str):
            raise ProtocolViolation(f"check {check_id}: finding must be text")
        args = data.get("args") or {}
        evidence = data.get("evidence") or {}
        if not isinstance(args, dict) or not isinstance(evidence, dict):
            raise ProtocolViolation(f"check {check_id}: args and evidence must be objects")
        evidence = redact(evidence, manifest.secret_outputs)
        args = redact(args, manifest.secret_outputs)
        if len(json.dumps(evidence)) > MAX_EVIDENCE_BYTES:
            evidence = {"truncated": True, "note": "evidence larger than the limit was dropped"}
        repair = data.get("repair")
        if repair is not None and (not isinstance(repair, str) or not _REPAIR_ID_RE.match(repair)):
            raise ProtocolViolation(f"check {check_id}: repair must be a script id")
        key = data.get("explain")
        template = manifest.messages.get(key) if isinstance(key, str) else None
        if template is not None:
            explanation = {lang: render_template(template.get(lang), args) for lang in LANGUAGES}
        else:
            # No signed plain-language text for this finding: show the technical finding, marked as such.
            explanation = {lang: finding[:MAX_FINDING_CHARS] for lang in LANGUAGES}
            key = None
        return Check(
            id=check_id,
            status=status,
            finding=finding[:MAX_FINDING_CHARS],
            explanation=explanation,
            explain_key=key,
            evidence=evidence,
            repair=repair,
            not_applicable=bool(data.get("not_applicable", False)),
        )


_STATUS_WORDS = {
    "en": {"ok": "OK", "warning": "Warning", "fail": "Problem", "error": "Could not check"},
    "cs": {"ok": "V pořádku", "warning": "Upozornění", "fail": "Problém", "error": "Nelze ověřit"},
    "sk": {"ok": "V poriadku", "warning": "Upozornenie", "fail": "Problém", "error": "Nedá sa overiť"},
}
_RUN_WORDS = {
    "en": {
        "error": "The script failed",
        "timeout": "The script took too long and was stopped",
        "cancelled": "The script was cancelled",
        "refused": "The change was not approved, so nothing was changed",
        "connection_lost": "The connection was lost; the result is unknown",
    },
    "cs": {
        "error": "Skript selhal",
        "timeout": "Skript trval příliš dlouho a byl zastaven",
        "cancelled": "Skript byl zrušen",
        "refused": "Změna nebyla schválena, nic se nezměnilo",
        "connection_lost": "Spojení se přerušilo; výsledek není znám",
    },
    "sk": {
        "error": "Skript zlyhal",
        "timeout": "Skript trval príliš dlho a bol zastavený",
        "cancelled": "Skript bol zrušený",
        "refused": "Zmena nebola schválená, nič sa nezmenilo",
        "connection_lost": "Spojenie sa prerušilo; výsledok nie je známy",
    },
}


#: Said under a run whose processes no cgroup bounded, and under a run whose extra processes were refused.
_CONTAINMENT_WORDS = {
    "en": {
        "limited": "Limited protection: this computer could not cap the script's processes, "
        "so a runaway script might not be stopped completely",
        "refused": "The script tried to start more than {max} processes at once; the extra ones were refused",
    },
    "cs": {
        "limited": "Omezená ochrana: tento počítač nedokázal omezit procesy skriptu, "
        "takže vymknutý skript nemusí být zastaven úplně",
        "refused": "Skript se pokusil spustit více než {max} procesů najednou; další byly odmítnuty",
    },
    "sk": {
        "limited": "Obmedzená ochrana: tento počítač nedokázal obmedziť procesy skriptu, "
        "takže skript, ktorý sa vymkol kontrole, nemusí byť zastavený úplne",
        "refused": "Skript sa pokúsil spustiť viac ako {max} procesov naraz; ďalšie boli odmietnuté",
    },
}


_APPROVAL_WORDS = {
    "en": {True: "Approved by", False: "Not approved by"},
    "cs": {True: "Schválil(a)", False: "Neschválil(a)"},
    "sk": {True: "Schválil(a)", False: "Neschválil(a)"},
}


def render_text(report: Report, language: str = "en", *, technical: bool = False) -> str:
    """A plain-language rendering of ``report`` in ``language`` (for ``podpora diag show``)."""
    words = _STATUS_WORDS.get(language, _STATUS_WORDS["en"])
    run_words = _RUN_WORDS.get(language, _RUN_WORDS["en"])
    lines = [f"{report.host}: {words[report.status]}"]

    def check_lines(check: Check, indent: str) -> list[str]:
        out = [f"{indent}[{words[check.status]}] {check.explain(language)}"]
        if technical:
            out.append(f"{indent}    {check.id}: {check.finding}")
        if check.repair and check.status != "ok":
            out.append(f"{indent}    -> repair: {check.repair}")
        return out

    def result_lines(result: ScriptResult) -> list[str]:
        title = result.title.get(language) or result.title.get("en") or result.script_id
        out = [f"* {title} ({result.script_id} {result.version}): {words[result.status]}"]
        if result.run_status != "completed":
            out.append(f"    {run_words.get(result.run_status, result.run_status)}")
            if result.error:
                out.append(f"    {result.error}")
        containment = result.containment
        if containment is not None and (containment.limited or containment.refused_forks):
            texts = _CONTAINMENT_WORDS.get(language, _CONTAINMENT_WORDS["en"])
            text = texts["limited"] if containment.limited else texts["refused"]
            out.append("    " + text.replace("{max}", str(containment.max_processes)))
        for check in result.checks:
            out.extend(check_lines(check, "    "))
        return out

    for result in report.results:
        lines.extend(result_lines(result))
    for outcome in report.repairs:
        lines.extend(result_lines(outcome.repair))
        if outcome.repair.approval is not None:
            approval = outcome.repair.approval
            verdict = _APPROVAL_WORDS.get(language, _APPROVAL_WORDS["en"])[bool(approval.get("approved"))]
            lines.append(f"    {verdict}: {approval.get('decided_by', '?')}")
        for check_id, before, after in outcome.comparison():
            before_word = words[before.status] if before else "-"
            after_word = words[after.status] if after else "-"
            lines.append(f"    {check_id}: {before_word} -> {after_word}")
            if after is not None:
                lines.append(f"        {after.explain(language)}")
    return "\n".join(lines) + "\n"
