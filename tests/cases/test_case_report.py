"""The case folded from the journal, and its readable reports (escaping, order, languages)."""

from __future__ import annotations

import html.parser
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.cases.case import CASE_SCHEMA_VERSION, Case, ChatMessage, TimelineEntry, build_case
from app.cases.journal import read_journal
from app.cases.report import render_comment, render_html, render_markdown
from tests.cases.sample import record_session


def load_case(tmp_path: Path, master_key: bytes, signer, clock):
    path = tmp_path / "c.pjournal"
    record_session(path, master_key, signer, clock)
    contents = read_journal(path, master_key)
    return build_case("C-2026-0042", contents.records, journal_id=contents.header["journal_id"])


def test_case_fields_and_figures(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    case = load_case(tmp_path, master_key, signer, clock)
    assert case.ticket_ref == "42"
    assert case.technician["name"] == "Eva Nováková"
    assert case.end_user["name"] == "Jan Novák"
    assert case.description.startswith("Printer does not print")
    assert case.machine["os"] == "Debian 12"
    assert [c.status for c in case.diagnostics_before] == ["fail", "ok"]
    assert [c.status for c in case.diagnostics_after] == ["ok"]
    assert [(r.action, r.approved, r.status) for r in case.repairs] == [("cups.clear_queue", True, "done")]
    assert case.rating == 5
    assert len(case.chat) == 2
    assert "hunter2" not in case.chat[0].text
    assert len(case.screenshots) == 1
    assert [c.kind for c in case.consent] == ["consent_request", "consent_decision"]
    # opened 16:40:00, connected +40 s, session end 79 s after connecting, resolved +60 s more.
    assert case.figures.time_to_connect == 40
    assert case.figures.session_length == 79
    assert case.figures.time_to_resolution == 179
    as_json = case.to_json()
    assert as_json["schema_version"] == CASE_SCHEMA_VERSION
    assert as_json["timeline"][-1]["type"] == "checkpoint"


class _TagCollector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_every_remote_string(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    case = load_case(tmp_path, master_key, signer, clock)
    page = render_html(case, "en")
    parser = _TagCollector()
    parser.feed(page)
    assert "script" not in parser.tags
    assert "\x1b" not in page
    assert "\u202e" not in page
    assert "<script>alert(1)</script>" in "".join(parser.text)  # shown as text, not live
    # Summary comes first, then timeline, diagnostics, screenshots, chat, consent.
    order = [page.index(h) for h in ("Summary", "Timeline", "Diagnostics", "Screenshots", "Chat", "Consent record")]
    assert order == sorted(order)
    assert 'src="data:image/png;base64,' in page


def test_markdown_and_comment(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    case = load_case(tmp_path, master_key, signer, clock)
    text = render_markdown(case, "en")
    assert "<script>" not in text
    assert "\x1b" not in text
    comment = render_comment(case, bundle_name="b.zip", bundle_sha256="ab" * 32, lang="en")
    assert "Print queue: 3 jobs stuck" in comment
    assert "5/5" in comment
    assert "ab" * 32 in comment
    assert "\x1b" not in comment


def test_languages(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    case = load_case(tmp_path, master_key, signer, clock)
    assert "Shrnutí" in render_html(case, "cs")
    assert "Zhrnutie" in render_html(case, "sk_SK")
    assert "Summary" in render_html(case, "xx")


@settings(max_examples=80, deadline=None)
@given(hostile=st.text(min_size=1, max_size=60))
def test_property_remote_strings_never_become_markup(hostile: str) -> None:
    case = Case(
        case_id="C",
        description=hostile,
        machine={"hostname": hostile},
        chat=[ChatMessage("t", hostile, hostile)],
        timeline=[TimelineEntry(1, "t", "chat", hostile), TimelineEntry(2, "t", "note", "x")],
    )
    page = render_html(case)
    parser = _TagCollector()
    parser.feed(page)
    allowed = {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "table",
        "tr",
        "th",
        "td",
        "pre",
        "p",
        "img",
        "br",
    }
    assert set(parser.tags) <= allowed
    assert "\x1b" not in page and "\x00" not in page
    assert page.count("<tr><td>") >= 2  # both timeline events are still there
    text = render_markdown(case)
    assert "\x1b" not in text and "<" not in text.replace("\\<", "")


def test_markdown_escaping_is_safe_and_readable() -> None:
    from app.cases.report import md

    assert md("Example s.r.o. (Brno)") == "Example s.r.o. (Brno)"
    assert md("[click](http://evil)") == "\\[click\\](http://evil)"
    assert md("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)\\>"
    assert md("a\n- item\n# title\n1. first") == "a  \n\\- item  \n\\# title  \n1\\. first"
    assert md("*bold* _it_ `code`") == "\\*bold\\* \\_it\\_ \\`code\\`"


def test_a_problem_checked_twice_before_the_repair_is_one_finding() -> None:
    """The health check and the repair's own "before" both record the full disk; the summary names it once."""
    from types import SimpleNamespace

    full = {"id": "disk_space:/home", "title": "disk_space", "status": "fail", "finding": "/home is 99% full"}
    slow = {"id": "cpu_load", "title": "cpu_load", "status": "warning", "finding": "load 4.8"}
    records = [
        SimpleNamespace(
            seq=1, at="2026-11-22T10:00:00Z", type="script_result", fields={"phase": "before", "checks": [full, slow]}
        ),
        SimpleNamespace(
            seq=2, at="2026-11-22T10:01:00Z", type="diagnostics", fields={"phase": "before", "checks": [full]}
        ),
        SimpleNamespace(
            seq=3,
            at="2026-11-22T10:02:00Z",
            type="diagnostics",
            fields={"phase": "after", "checks": [{**full, "status": "ok"}]},
        ),
    ]
    case = build_case("C-1", records)
    assert len(case.diagnostics_before) == 3  # the record keeps every run
    assert [(c.title, c.status) for c in case.findings] == [("disk_space", "fail"), ("cpu_load", "warning")]
    assert render_comment(case, bundle_name="b.zip", bundle_sha256="0" * 64, lang="en").count("99% full") == 1
