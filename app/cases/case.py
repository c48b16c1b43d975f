"""The case: everything one support session produced, folded from the journal's events (pure: no I/O).

The journal is the only source of truth; :func:`build_case` derives the case from its records, so a case can
never say something its signed journal does not.  Event types and their fields (all optional, unknown fields
are kept in the timeline only) are documented in ``docs/cases.md``:

``case_opened`` {case_id, ticket, technician:{name,team,org}, end_user:{name,contact}} · ``ticket`` {ref} ·
``description`` {text} · ``machine`` {facts:{...}} · ``session_start`` {route, host_key} · ``connected`` ·
``consent_request`` {capabilities, reason} · ``consent_decision`` {granted, refused} · ``pause`` · ``resume`` ·
``revoke`` {capability} · ``chat`` {sender, text} · ``screenshot`` {name, png_b64, caption} ·
``script_run`` {script_id, version, digest, args} · ``script_result`` {script_id, status, checks, output} ·
``diagnostics`` {phase: before|after, checks:[{id,title,status,finding,explanation}]} ·
``repair_approval`` {action, approved, description} · ``repair`` {action, status, undo} · ``note`` {text} ·
``feedback`` {rating 1–5, comment} · ``session_end`` {reason} · ``resolved`` {summary} ·
``checkpoint`` / ``recovered`` (written by the journal itself).

The machine-readable form (``case.json`` in a bundle) is :meth:`Case.to_json`, schema version
:data:`CASE_SCHEMA_VERSION`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

CASE_SCHEMA_VERSION = 1
CASE_SCHEMA_ID = "https://podpora.example/schemas/case-v1.json"


class RecordLike(Protocol):
    """What :func:`build_case` needs from a journal record (``JournalRecord`` satisfies it)."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def fields(self) -> Mapping[str, Any]: ...


@dataclass
class Check:
    """One diagnostic check's outcome."""

    id: str
    title: str
    status: str  # ok | warning | fail | error
    finding: str = ""
    explanation: str = ""


@dataclass
class TimelineEntry:
    """One line of the timeline."""

    seq: int
    at: str
    type: str
    summary: str


@dataclass
class ChatMessage:
    """One chat message."""

    at: str
    sender: str
    text: str


@dataclass
class Screenshot:
    """A screenshot taken into the case (PNG, base64)."""

    at: str
    name: str
    caption: str
    png_b64: str


@dataclass
class Repair:
    """A repair action: asked, approved or refused, and its result."""

    at: str
    action: str
    description: str = ""
    approved: bool | None = None
    status: str = ""
    undo: str = ""


@dataclass
class ConsentEntry:
    """One consent event: a request, a decision, a pause, a revocation."""

    at: str
    kind: str
    detail: str


@dataclass
class Figures:
    """What support teams track, in seconds (None when the session did not reach that point)."""

    time_to_connect: float | None = None
    session_length: float | None = None
    time_to_resolution: float | None = None


@dataclass
class Case:
    """One support case as derived from its journal."""

    case_id: str
    journal_id: str = ""
    ticket_ref: str = ""
    technician: dict[str, str] = field(default_factory=dict)
    end_user: dict[str, str] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    opened_at: str = ""
    connected_at: str = ""
    ended_at: str = ""
    resolved_at: str = ""
    resolution: str = ""
    timeline: list[TimelineEntry] = field(default_factory=list)
    diagnostics_before: list[Check] = field(default_factory=list)
    diagnostics_after: list[Check] = field(default_factory=list)
    scripts: list[dict[str, Any]] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    chat: list[ChatMessage] = field(default_factory=list)
    screenshots: list[Screenshot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    consent: list[ConsentEntry] = field(default_factory=list)
    rating: int | None = None
    rating_comment: str = ""
    figures: Figures = field(default_factory=Figures)
    recovered_after_crash: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The documented ``case.json`` object (schema version :data:`CASE_SCHEMA_VERSION`)."""
        body = asdict(self)
        return {"$schema": CASE_SCHEMA_ID, "schema_version": CASE_SCHEMA_VERSION, **body}

    @property
    def findings(self) -> list[Check]:
        """Checks that were not ok before the repair (the problems found), each problem once.

        The same check often runs twice before a repair (in the first health check, then as the repair's own
        "before"); both stay in the record, but the summary names the problem once.
        """
        seen: set[tuple[str, str, str]] = set()
        problems: list[Check] = []
        for check in self.diagnostics_before:
            key = (check.title, check.status, check.finding)
            if check.status != "ok" and key not in seen:
                seen.add(key)
                problems.append(check)
        return problems


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _recovered_summary(fields: Mapping[str, Any]) -> str:
    """Names the torn bytes only when there were any (a console killed between records leaves none)."""
    torn = fields.get("torn_bytes")
    if isinstance(torn, int) and not isinstance(torn, bool) and torn > 0:
        return f"recovered after a crash ({torn} bytes of an unfinished record set aside)"
    return "recovered after a crash (nothing was lost)"


def _checks(raw: Any) -> list[Check]:
    checks: list[Check] = []
    if not isinstance(raw, list):
        return checks
    for item in raw:
        if isinstance(item, Mapping):
            checks.append(
                Check(
                    id=_text(item.get("id")),
                    title=_text(item.get("title") or item.get("id")),
                    status=_text(item.get("status") or "error"),
                    finding=_text(item.get("finding")),
                    explanation=_text(item.get("explanation")),
                )
            )
    return checks


def _seconds_between(start: str, end: str) -> float | None:
    if not start or not end:
        return None
    try:
        begin = datetime.fromisoformat(start.replace("Z", "+00:00"))
        finish = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (finish - begin).total_seconds()


def _summary(event_type: str, fields: Mapping[str, Any]) -> str:
    """A one-line, plain description of an event for the timeline."""
    summaries: dict[str, Callable[[Mapping[str, Any]], str]] = {
        "chat": lambda f: f"{_text(f.get('sender'))}: {_text(f.get('text'))}",
        "note": lambda f: _text(f.get("text")),
        "description": lambda f: _text(f.get("text")),
        "ticket": lambda f: _text(f.get("ref")),
        "consent_request": lambda f: ", ".join(map(str, f.get("capabilities") or [])),
        "consent_decision": lambda f: (
            "granted: "
            + ", ".join(map(str, f.get("granted") or []))
            + ("; refused: " + ", ".join(map(str, f.get("refused") or [])) if f.get("refused") else "")
        ),
        "script_run": lambda f: f"{_text(f.get('script_id'))} {_text(f.get('version'))}".strip(),
        "script_result": lambda f: f"{_text(f.get('script_id'))}: {_text(f.get('status'))}",
        "repair_approval": lambda f: f"{_text(f.get('action'))}: " + ("approved" if f.get("approved") else "refused"),
        "repair": lambda f: f"{_text(f.get('action'))}: {_text(f.get('status'))}",
        "feedback": lambda f: f"rating {_text(f.get('rating'))}/5 {_text(f.get('comment'))}".strip(),
        "session_start": lambda f: _text(f.get("route")),
        "session_end": lambda f: _text(f.get("reason")),
        "screenshot": lambda f: _text(f.get("caption") or f.get("name")),
        "revoke": lambda f: _text(f.get("capability")),
        "diagnostics": lambda f: f"{_text(f.get('phase'))}: {len(f.get('checks') or [])} checks",
        "resolved": lambda f: _text(f.get("summary")),
        "recovered": _recovered_summary,
        "checkpoint": lambda f: f"signed checkpoint over record {_text(f.get('seq'))}",
    }
    pick = summaries.get(event_type)
    if pick is None:
        return ""
    try:
        return pick(fields)
    except (TypeError, ValueError):
        return ""


def build_case(case_id: str, records: Sequence[RecordLike], *, journal_id: str = "") -> Case:
    """Fold journal records (objects with seq, at, type, fields) into a :class:`Case`."""
    case = Case(case_id=case_id, journal_id=journal_id)
    for record in records:
        fields: Mapping[str, Any] = record.fields
        kind: str = record.type
        at: str = record.at
        if not case.opened_at:
            case.opened_at = at
        case.timeline.append(TimelineEntry(record.seq, at, kind, _summary(kind, fields)))
        if kind == "case_opened":
            case.ticket_ref = _text(fields.get("ticket")) or case.ticket_ref
            for target, key in ((case.technician, "technician"), (case.end_user, "end_user")):
                value = fields.get(key)
                if isinstance(value, Mapping):
                    target.update({str(k): _text(v) for k, v in value.items()})
        elif kind == "ticket":
            case.ticket_ref = _text(fields.get("ref"))
        elif kind == "description":
            case.description = _text(fields.get("text"))
        elif kind == "machine":
            facts = fields.get("facts")
            if isinstance(facts, Mapping):
                case.machine.update(dict(facts))
        elif kind == "connected":
            case.connected_at = case.connected_at or at
        elif kind == "session_end":
            case.ended_at = at
        elif kind == "resolved":
            case.resolved_at = at
            case.resolution = _text(fields.get("summary"))
        elif kind in {"consent_request", "consent_decision", "pause", "resume", "revoke"}:
            case.consent.append(ConsentEntry(at, kind, _summary(kind, fields)))
        elif kind == "chat":
            case.chat.append(ChatMessage(at, _text(fields.get("sender")), _text(fields.get("text"))))
        elif kind == "screenshot":
            case.screenshots.append(
                Screenshot(at, _text(fields.get("name")), _text(fields.get("caption")), _text(fields.get("png_b64")))
            )
        elif kind == "note":
            case.notes.append(_text(fields.get("text")))
        elif kind == "diagnostics":
            target_list = case.diagnostics_after if fields.get("phase") == "after" else case.diagnostics_before
            target_list.extend(_checks(fields.get("checks")))
        elif kind == "script_run":
            case.scripts.append({"at": at, **{k: v for k, v in fields.items() if k != "output"}})
        elif kind == "script_result":
            target_list = case.diagnostics_after if fields.get("phase") == "after" else case.diagnostics_before
            target_list.extend(_checks(fields.get("checks")))
        elif kind == "repair_approval":
            case.repairs.append(
                Repair(at, _text(fields.get("action")), _text(fields.get("description")), bool(fields.get("approved")))
            )
        elif kind == "repair":
            action = _text(fields.get("action"))
            match = next((r for r in reversed(case.repairs) if r.action == action and not r.status), None)
            if match is None:
                match = Repair(at, action)
                case.repairs.append(match)
            match.status = _text(fields.get("status"))
            match.undo = _text(fields.get("undo"))
        elif kind == "feedback":
            rating = fields.get("rating")
            if isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5:
                case.rating = rating
            case.rating_comment = _text(fields.get("comment"))
        elif kind == "recovered":
            case.recovered_after_crash.append(_summary(kind, fields))
    case.figures = Figures(
        time_to_connect=_seconds_between(case.opened_at, case.connected_at),
        session_length=_seconds_between(case.connected_at or case.opened_at, case.ended_at),
        time_to_resolution=_seconds_between(case.opened_at, case.resolved_at),
    )
    return case
