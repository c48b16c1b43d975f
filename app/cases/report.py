"""Readable renderings of a case: HTML (also the source of the PDF), Markdown, and the ticket comment.

Every string in a case can come from the remote machine or the end user (host names, script output, chat), so
every one is escaped for its target format, and control characters and bidirectional overrides are made
visible (``\\x1b`` → ``\\u241b``-style escapes) instead of being passed through (SECURITY-BAR T33).

Order, as a reader wants it: summary first, then timeline, diagnostics before/after, screenshots, chat, and
the consent record.  Labels come in the technician's language (en, cs, sk).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from typing import Any

from app.cases.case import Case, Check

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Support case {case_id}",
        "summary": "Summary",
        "ticket": "Ticket",
        "technician": "Technician",
        "end_user": "User",
        "description": "The user's description",
        "findings": "Findings",
        "repairs": "Repairs",
        "resolution": "Resolution",
        "rating": "User's rating",
        "figures": "Figures",
        "time_to_connect": "Time to connect",
        "session_length": "Session length",
        "time_to_resolution": "Time to resolution",
        "machine": "Machine",
        "timeline": "Timeline",
        "diagnostics": "Diagnostics",
        "check": "Check",
        "before": "Before",
        "after": "After",
        "screenshots": "Screenshots",
        "chat": "Chat",
        "consent": "Consent record",
        "notes": "Notes",
        "none": "none",
        "approved": "approved",
        "refused": "refused",
        "recovered": "Recovered after a crash",
        "bundle": "Case bundle",
        "verify": "Verify with: podpora case verify {name}",
    },
    "cs": {
        "title": "Případ podpory {case_id}",
        "summary": "Shrnutí",
        "ticket": "Požadavek",
        "technician": "Technik",
        "end_user": "Uživatel",
        "description": "Popis problému od uživatele",
        "findings": "Zjištění",
        "repairs": "Opravy",
        "resolution": "Řešení",
        "rating": "Hodnocení uživatele",
        "figures": "Údaje",
        "time_to_connect": "Doba do připojení",
        "session_length": "Délka relace",
        "time_to_resolution": "Doba do vyřešení",
        "machine": "Počítač",
        "timeline": "Průběh",
        "diagnostics": "Diagnostika",
        "check": "Kontrola",
        "before": "Před",
        "after": "Po",
        "screenshots": "Snímky obrazovky",
        "chat": "Chat",
        "consent": "Záznam souhlasů",
        "notes": "Poznámky",
        "none": "žádné",
        "approved": "schváleno",
        "refused": "odmítnuto",
        "recovered": "Obnoveno po pádu",
        "bundle": "Balíček případu",
        "verify": "Ověření: podpora case verify {name}",
    },
    "sk": {
        "title": "Prípad podpory {case_id}",
        "summary": "Zhrnutie",
        "ticket": "Požiadavka",
        "technician": "Technik",
        "end_user": "Používateľ",
        "description": "Popis problému od používateľa",
        "findings": "Zistenia",
        "repairs": "Opravy",
        "resolution": "Riešenie",
        "rating": "Hodnotenie používateľa",
        "figures": "Údaje",
        "time_to_connect": "Čas do pripojenia",
        "session_length": "Dĺžka relácie",
        "time_to_resolution": "Čas do vyriešenia",
        "machine": "Počítač",
        "timeline": "Priebeh",
        "diagnostics": "Diagnostika",
        "check": "Kontrola",
        "before": "Pred",
        "after": "Po",
        "screenshots": "Snímky obrazovky",
        "chat": "Chat",
        "consent": "Záznam súhlasov",
        "notes": "Poznámky",
        "none": "žiadne",
        "approved": "schválené",
        "refused": "odmietnuté",
        "recovered": "Obnovené po páde",
        "bundle": "Balík prípadu",
        "verify": "Overenie: podpora case verify {name}",
    },
}


def labels(lang: str) -> dict[str, str]:
    """Labels in ``lang`` (falls back to English)."""
    return LABELS.get(lang.split("_", maxsplit=1)[0].lower(), LABELS["en"])


def visible(text: Any) -> str:
    """Make control characters and bidi overrides visible as ``\\uXXXX`` (keeps newlines and tabs)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", "" if text is None else str(text))


def esc(text: Any) -> str:
    """Escape for HTML text and attribute values."""
    return html.escape(visible(text), quote=True)


# Characters that start Markdown constructs anywhere in a line (links need "[", HTML needs "<", so "(" and "."
# may stay readable); list and heading markers matter only at the start of a line.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<>~])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])(?=\s|$)", re.MULTILINE)


def md(text: Any) -> str:
    """Escape for Markdown (also neutralises inline HTML), keeping ordinary text readable."""
    escaped = _MD_SPECIAL.sub(r"\\\1", visible(text))
    escaped = _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped)
    return escaped.replace("\n", "  \n")


def duration(seconds: float | None) -> str:
    """``1 h 02 min 05 s`` style."""
    if seconds is None:
        return "–"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def _person(person: dict[str, str]) -> str:
    return ", ".join(v for v in (person.get("name"), person.get("team"), person.get("org")) if v)


def _summary_rows(case: Case, lab: dict[str, str]) -> list[tuple[str, str]]:
    findings = "; ".join(f"{c.title}: {c.finding or c.status}" for c in case.findings) or lab["none"]
    repairs = (
        "; ".join(
            f"{r.action} ({lab['approved'] if r.approved else lab['refused']}{', ' + r.status if r.status else ''})"
            for r in case.repairs
        )
        or lab["none"]
    )
    rating = f"{case.rating}/5" if case.rating else "–"
    if case.rating_comment:
        rating += f" — {case.rating_comment}"
    rows = [
        (lab["ticket"], case.ticket_ref or "–"),
        (lab["technician"], _person(case.technician) or "–"),
        (lab["end_user"], _person(case.end_user) or "–"),
        (lab["description"], case.description or "–"),
        (lab["findings"], findings),
        (lab["repairs"], repairs),
        (lab["resolution"], case.resolution or "–"),
        (lab["rating"], rating),
        (lab["time_to_connect"], duration(case.figures.time_to_connect)),
        (lab["session_length"], duration(case.figures.session_length)),
        (lab["time_to_resolution"], duration(case.figures.time_to_resolution)),
    ]
    if case.recovered_after_crash:
        rows.append((lab["recovered"], "; ".join(case.recovered_after_crash)))
    return rows


def _diagnostics_pairs(case: Case) -> list[tuple[str, Check | None, Check | None]]:
    order: list[str] = []
    before: dict[str, Check] = {}
    after: dict[str, Check] = {}
    for check in case.diagnostics_before:
        before[check.id] = check
        if check.id not in order:
            order.append(check.id)
    for check in case.diagnostics_after:
        after[check.id] = check
        if check.id not in order:
            order.append(check.id)
    return [(key, before.get(key), after.get(key)) for key in order]


def _valid_png_b64(data: str) -> bool:
    try:
        return base64.b64decode(data, validate=True).startswith(_PNG_MAGIC)
    except (binascii.Error, ValueError):
        return False


_STYLE = (
    "body{font-family:sans-serif;font-size:10pt;margin:1.5em}"
    "table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:3px 6px;"
    "vertical-align:top;text-align:left}th{background:#eee}.ok{color:#176117}.warning{color:#8a5a00}"
    ".fail,.error{color:#a11}pre{white-space:pre-wrap}"
)


def render_html(case: Case, lang: str = "en") -> str:
    """A self-contained HTML report (no scripts, no external resources; screenshots inline)."""
    lab = labels(lang)
    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">",
        f"<title>{esc(lab['title'].format(case_id=case.case_id))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(lab['title'].format(case_id=case.case_id))}</h1>",
        f"<h2>{esc(lab['summary'])}</h2><table>",
    ]
    out += [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in _summary_rows(case, lab)]
    out.append("</table>")
    if case.machine:
        out.append(f"<h2>{esc(lab['machine'])}</h2><table>")
        out += [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in sorted(case.machine.items())]
        out.append("</table>")
    out.append(f"<h2>{esc(lab['timeline'])}</h2><table>")
    out += [
        f"<tr><td>{entry.seq}</td><td>{esc(entry.at)}</td><td>{esc(entry.type)}</td><td>{esc(entry.summary)}</td></tr>"
        for entry in case.timeline
    ]
    out.append("</table>")
    pairs = _diagnostics_pairs(case)
    if pairs:
        out.append(
            f"<h2>{esc(lab['diagnostics'])}</h2><table><tr><th>{esc(lab['check'])}</th>"
            f"<th>{esc(lab['before'])}</th><th>{esc(lab['after'])}</th></tr>"
        )
        for key, before, after in pairs:
            first = before or after
            title = first.title if first is not None else key
            cells = []
            for check in (before, after):
                if check is None:
                    cells.append("<td>–</td>")
                else:
                    cells.append(
                        f'<td class="{esc(check.status)}">{esc(check.status)}'
                        f"{': ' + esc(check.finding) if check.finding else ''}</td>"
                    )
            out.append(f"<tr><td>{esc(title)}</td>{''.join(cells)}</tr>")
        out.append("</table>")
    if case.screenshots:
        out.append(f"<h2>{esc(lab['screenshots'])}</h2>")
        for shot in case.screenshots:
            caption = esc(shot.caption or shot.name)
            if _valid_png_b64(shot.png_b64):
                out.append(
                    f'<p><img src="data:image/png;base64,{shot.png_b64}" alt="{caption}" width="600"><br>'
                    f"{esc(shot.at)} {caption}</p>"
                )
            else:
                out.append(f"<p>{esc(shot.at)} {caption} (image missing)</p>")
    if case.chat:
        out.append(f"<h2>{esc(lab['chat'])}</h2><table>")
        out += [
            f"<tr><td>{esc(m.at)}</td><th>{esc(m.sender)}</th><td><pre>{esc(m.text)}</pre></td></tr>" for m in case.chat
        ]
        out.append("</table>")
    if case.notes:
        out.append(f"<h2>{esc(lab['notes'])}</h2>")
        out += [f"<pre>{esc(note)}</pre>" for note in case.notes]
    out.append(f"<h2>{esc(lab['consent'])}</h2><table>")
    out += [f"<tr><td>{esc(c.at)}</td><td>{esc(c.kind)}</td><td>{esc(c.detail)}</td></tr>" for c in case.consent]
    if not case.consent:
        out.append(f"<tr><td>{esc(lab['none'])}</td></tr>")
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"


def render_markdown(case: Case, lang: str = "en") -> str:
    """The same report as Markdown (every value escaped)."""
    lab = labels(lang)
    lines = [f"# {md(lab['title'].format(case_id=case.case_id))}", "", f"## {md(lab['summary'])}", ""]
    lines += [f"- **{md(k)}:** {md(v)}" for k, v in _summary_rows(case, lab)]
    lines += ["", f"## {md(lab['timeline'])}", ""]
    lines += [f"{e.seq}. {md(e.at)} `{e.type}` {md(e.summary)}" for e in case.timeline]
    pairs = _diagnostics_pairs(case)
    if pairs:
        lines += ["", f"## {md(lab['diagnostics'])}", ""]
        lines += [f"| {md(lab['check'])} | {md(lab['before'])} | {md(lab['after'])} |", "|---|---|---|"]
        for key, before, after in pairs:
            cells = [
                md(f"{c.status}: {c.finding}" if c and c.finding else (c.status if c else "–")) for c in (before, after)
            ]
            lines.append(f"| {md(key)} | {cells[0]} | {cells[1]} |")
    if case.chat:
        lines += ["", f"## {md(lab['chat'])}", ""]
        lines += [f"- {md(m.at)} **{md(m.sender)}:** {md(m.text)}" for m in case.chat]
    if case.notes:
        lines += ["", f"## {md(lab['notes'])}", ""]
        lines += [f"- {md(n)}" for n in case.notes]
    lines += ["", f"## {md(lab['consent'])}", ""]
    lines += [f"- {md(c.at)} {md(c.kind)}: {md(c.detail)}" for c in case.consent] or [f"- {md(lab['none'])}"]
    return "\n".join(lines) + "\n"


def render_comment(case: Case, *, bundle_name: str, bundle_sha256: str, lang: str = "en") -> str:
    """The readable plain-text comment posted to the ticket (summary, findings, repairs, rating, figures).

    Plain text with control characters made visible; each connector escapes it further for its markup.
    """
    lab = labels(lang)
    lines = [lab["title"].format(case_id=case.case_id), ""]
    lines += [f"{k}: {visible(v)}" for k, v in _summary_rows(case, lab)]
    lines += [
        "",
        f"{lab['bundle']}: {bundle_name}",
        f"SHA-256: {bundle_sha256}",
        lab["verify"].format(name=bundle_name),
    ]
    return "\n".join(lines) + "\n"
