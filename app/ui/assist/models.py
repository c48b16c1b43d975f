"""Plain data the assist app shows: who asks, what they ask for, what a repair changes, the summary.

These are the UI's own view models, independent of the agent's protocol types; the controller that wires
the real agent converts into them.  They carry no Qt types so the backend may build them on any thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Capabilities a technician can ask for, in the order the consent dialog lists them.
CAPABILITIES: tuple[str, ...] = ("view", "control", "clipboard", "diagnostics")


@dataclass(frozen=True)
class TechnicianIdentity:
    """Who is asking.  ``verified`` is True only when the organisation's signature checked out."""

    name: str
    team: str = ""
    organisation: str = ""
    fingerprint: str = ""
    verified: bool = False


@dataclass(frozen=True)
class ConsentRequest:
    """A technician's request for capabilities, with the reason they gave."""

    technician: TechnicianIdentity
    capabilities: tuple[str, ...]
    reason: str = ""
    seconds_to_answer: int = 60  # the agent refuses on its own when this runs out


@dataclass(frozen=True)
class RepairRequest:
    """One repair the technician wants to run; the user approves or declines it."""

    request_id: str
    title: str
    description: str
    changes: str
    undo: str
    needs_admin: bool = False


@dataclass(frozen=True)
class SummaryItem:
    """One thing done in the session, in plain language, with how to undo it (if it changed anything)."""

    text: str
    undo: str = ""
    approved_by: str = ""  # "user" (in this app), "technician" (ran over their own link), or "" (unknown)


@dataclass(frozen=True)
class SessionSummary:
    """What the user sees at the end: who helped, what was done and changed, how to undo it."""

    technician: TechnicianIdentity
    minutes: int
    items: tuple[SummaryItem, ...] = field(default_factory=tuple)
    case_reference: str = ""


@dataclass(frozen=True)
class SelfCheckFinding:
    """One check from "Check my computer": ``status`` is ok, warning, fail or error."""

    title: str
    status: str
    explanation: str
