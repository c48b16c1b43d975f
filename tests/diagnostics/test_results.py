"""The line protocol and the result document: strict parsing, signed explanations, redaction, round trips."""

from __future__ import annotations

import json

import pytest

from app.diagnostics.manifest import parse_manifest
from app.diagnostics.results import (
    MAX_OUTPUT_BYTES,
    RESULT_SCHEMA,
    Check,
    OutputParser,
    Progress,
    RepairOutcome,
    Report,
    ScriptResult,
    render_text,
)

MANIFEST = parse_manifest(
    """\
schema = 1
id = "probe"
version = "1.0.0"
category = "info"
platforms = ["linux"]
interpreter = "python3"
body = "probe.py"
needs_admin = false
risk = "none"
timeout = 5
secret_outputs = ["token"]
title = { en = "Probe", cs = "Sonda", sk = "Sonda" }
description = { en = "D", cs = "D", sk = "D" }

[messages.full]
en = "Disk {mount} is {percent}% full."
cs = "Disk {mount} je z {percent} % plný."
sk = "Disk {mount} je z {percent} % plný."
""".encode(),
    "probe.toml",
)


def line(**fields: object) -> bytes:
    return (json.dumps(fields) + "\n").encode()


def test_check_gets_signed_explanation_in_three_languages() -> None:
    parser = OutputParser(MANIFEST)
    event = parser.feed(
        line(
            type="check",
            id="probe:/home",
            status="warning",
            finding="97%",
            explain="full",
            args={"mount": "/home", "percent": 97},
            evidence={"token": "s3cret", "nested": [{"token": "x"}]},
            repair="clean_temp",
        )
    )
    assert isinstance(event, Check)
    assert event.explanation["en"] == "Disk /home is 97% full."
    assert event.explanation["cs"] == "Disk /home je z 97 % plný."
    assert event.evidence == {"token": "[redacted]", "nested": [{"token": "[redacted]"}]}
    assert event.repair == "clean_temp"


def test_unknown_explanation_falls_back_to_the_finding() -> None:
    parser = OutputParser(MANIFEST)
    event = parser.feed(line(type="check", id="probe", status="ok", finding="fine", explain="made_up"))
    assert isinstance(event, Check)
    assert event.explain_key is None
    assert event.explanation["sk"] == "fine"


@pytest.mark.parametrize(
    "raw",
    [
        b"not json\n",
        b"[1, 2]\n",
        line(type="check", id="disk_space", status="ok", finding="spoofed other script"),
        line(type="check", id="probe", status="great", finding="x"),
        line(type="check", id="probe", status="ok", finding=3),
        line(type="check", id="probe", status="ok", finding="x", repair="rm -rf /"),
        line(type="progress", percent="50"),
        line(type="shell", command="reboot"),
        b"[" * 30_000 + b"]" * 30_000 + b"\n",  # within the line cap, but deeper than json can recurse
    ],
)
def test_malformed_lines_are_refused(raw: bytes) -> None:
    parser = OutputParser(MANIFEST)
    assert parser.feed(raw) is None
    assert parser.checks == []
    assert len(parser.violations) == 1


def test_progress_and_done() -> None:
    parser = OutputParser(MANIFEST)
    progress = parser.feed(line(type="progress", percent=150, message="half"))
    assert progress == Progress("probe", 100, "half")
    parser.feed(line(type="done"))
    assert parser.done
    parser.feed(line(type="check", id="probe", status="ok", finding="late"))
    assert parser.violations == ["output after 'done'"]


def test_output_cap_marks_truncation() -> None:
    parser = OutputParser(MANIFEST)
    filler = line(type="progress", percent=1, message="x" * 1000)
    for _ in range(MAX_OUTPUT_BYTES // len(filler) + 2):
        parser.feed(filler)
    assert parser.truncated


def _result(status: str, run_status: str = "completed") -> ScriptResult:
    check = Check(id="probe", status=status, finding="f", explanation={"en": "E", "cs": "Č", "sk": "S"})
    return ScriptResult(
        script_id="probe",
        version="1.0.0",
        title={"en": "Probe", "cs": "Sonda", "sk": "Sonda"},
        category="info",
        digest="ab",
        key_id="cd",
        parameters={},
        run_status=run_status,
        checks=[check],
    )


def test_a_run_that_did_not_complete_is_never_ok() -> None:
    assert _result("ok").status == "ok"
    assert _result("ok", "connection_lost").status == "error"
    empty = _result("ok")
    empty.checks = []
    assert empty.status == "error"


def test_report_round_trip_and_rendering() -> None:
    repair = _result("ok")
    repair.approval = {"approved": True, "decided_by": "end user"}
    outcome = RepairOutcome(repair, before=[_result("warning").checks[0]], after=[_result("ok").checks[0]])
    report = Report(host="pc-17", created_at=1.0, results=[_result("warning")], repairs=[outcome])
    document = json.loads(json.dumps(report.to_dict()))
    assert document["schema"] == RESULT_SCHEMA
    again = Report.from_dict(document)
    assert again.to_dict() == report.to_dict()
    assert outcome.verified
    text = render_text(again, "cs", technical=True)
    assert "pc-17: Upozornění" in text
    assert "probe: Upozornění -> V pořádku" in text
    with pytest.raises(ValueError, match="schema"):
        Report.from_dict({**document, "schema": "other/9"})
