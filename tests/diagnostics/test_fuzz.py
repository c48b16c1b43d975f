"""Decoders never crash on hostile input: script output lines, result documents, manifests, signatures."""

from __future__ import annotations

import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from app.diagnostics.errors import DiagnosticError
from app.diagnostics.manifest import parse_manifest
from app.diagnostics.results import OutputParser, Report
from app.diagnostics.signing import Signature
from tests.diagnostics.test_results import MANIFEST

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
check_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["check", "progress", "done", "other"])},
    optional={
        "id": st.sampled_from(["probe", "probe:x", "other", ""]) | st.text(max_size=10),
        "status": st.sampled_from(["ok", "warning", "fail", "error", "bad"]),
        "finding": json_values,
        "explain": st.sampled_from(["full", "nope"]) | json_values,
        "args": json_values,
        "evidence": json_values,
        "repair": json_values,
        "percent": json_values,
        "message": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.binary(max_size=200) | check_like.map(lambda d: json.dumps(d).encode()), max_size=20))
def test_output_parser_never_raises(lines: list[bytes]) -> None:
    parser = OutputParser(MANIFEST)
    for line in lines:
        parser.feed(line)
    for check in parser.checks:
        assert check.id == "probe" or check.id.startswith("probe:")
        assert set(check.explanation) == {"en", "cs", "sk"}


result_like = st.lists(
    st.dictionaries(
        st.sampled_from(["script", "run_status", "checks", "parameters", "approval", "title", "id", "status"]),
        json_values | st.fixed_dictionaries({"id": json_values, "version": json_values}),
        max_size=6,
    ),
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(document=json_values | result_like)
def test_report_reader_raises_only_value_error(document: object) -> None:
    with contextlib.suppress(ValueError):
        Report.from_dict(document)
    with contextlib.suppress(ValueError):
        Report.from_dict({"schema": "podpora.diagnostics.result/1", "host": "h", "created_at": 0, "results": document})


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_manifest_and_signature_parsers_raise_only_their_errors(data: bytes) -> None:
    for parse in (lambda: parse_manifest(data, "fuzz.toml"), lambda: Signature.from_bytes(data, "fuzz.sig")):
        with contextlib.suppress(DiagnosticError):
            parse()
