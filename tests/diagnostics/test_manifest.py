"""Manifest validation: strict, errors name the file and the key; parameters are typed and never reach a shell."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.diagnostics.errors import ManifestError, ParameterError
from app.diagnostics.manifest import parse_assignments, parse_manifest
from app.diagnostics.runner import BOOTSTRAP, LocalExecutor, Runner, build_argv
from tests.diagnostics.conftest import ScriptFolder

BASE = """\
schema = 1
id = "sample"
version = "1.2.3"
category = "info"
platforms = ["linux"]
interpreter = "python3"
body = "sample.py"
needs_admin = false
risk = "none"
timeout = 10
title = { en = "T", cs = "T", sk = "T" }
description = { en = "D", cs = "D", sk = "D" }

[parameters.count]
type = "int"
label = "count"
min = 1
max = 5
default = 2

[parameters.mode]
type = "enum"
label = "mode"
choices = ["fast", "slow"]
default = "fast"

[parameters.paths]
type = "list"
label = "paths"
pattern = "/.*"
default = []

[parameters.name]
type = "string"
label = "name"
pattern = "[a-z]+"

[parameters.flag]
type = "bool"
label = "flag"
default = false

[messages.ok]
en = "All good on {name}."
cs = "Vše v pořádku na {name}."
sk = "Všetko v poriadku na {name}."
"""


def parse(text: str) -> object:
    return parse_manifest(text.encode(), "sample.toml")


def test_valid_manifest_parses() -> None:
    manifest = parse_manifest(BASE.encode(), "sample.toml")
    assert manifest.id == "sample"
    assert manifest.version_tuple == (1, 2, 3)
    assert manifest.bind({}) == {"count": 2, "mode": "fast", "paths": [], "flag": False}
    assert manifest.messages["ok"].get("cs") == "Vše v pořádku na {name}."


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda t: "colour = 'red'\n" + t, "colour"),
        (lambda t: t + "colour = 'red'\n", "messages.ok.colour"),
        (lambda t: t.replace('version = "1.2.3"', 'version = "one"'), "version"),
        (lambda t: t.replace("timeout = 10", "timeout = true"), "timeout"),
        (lambda t: t.replace('cs = "D", ', ""), "description.cs"),
        (lambda t: t.replace('category = "info"', 'category = "repair"'), "changes"),
        (lambda t: t.replace('body = "sample.py"', 'body = "../x.py"'), "body"),
        (lambda t: t.replace('type = "int"', 'type = "float"'), "parameters.count.type"),
        (lambda t: t.replace('pattern = "[a-z]+"', 'pattern = "[a-z"'), "parameters.name.pattern"),
        (lambda t: t.replace("default = 2", "default = 9"), "parameters.count.default"),
        (lambda t: t.replace('on {name}."\ncs', 'on {name.__class__}."\ncs'), "messages.ok.en"),
        (lambda t: t.replace('risk = "none"', 'risk = "high"'), "risk"),
        (lambda t: t.replace("schema = 1", "schema = 2"), "schema"),
    ],
)
def test_invalid_manifest_names_file_and_key(change: object, key: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(change(BASE))  # type: ignore[operator]
    assert caught.value.source == "sample.toml"
    assert caught.value.key == key
    assert "sample.toml" in caught.value.user_message


def test_change_script_requires_verification_and_undo() -> None:
    text = BASE.replace('category = "info"', 'category = "repair"').replace('risk = "none"', 'risk = "low"')
    text = text.replace(
        "[parameters.count]",
        'changes = { en = "c", cs = "c", sk = "c" }\nundo = { en = "u", cs = "u", sk = "u" }\n\n[parameters.count]',
    )
    with pytest.raises(ManifestError) as caught:
        parse(text)
    assert caught.value.key == "verified_by"
    repaired = parse_manifest(text.replace("timeout = 10", 'timeout = 10\nverified_by = ["disk_space"]').encode(), "x")
    assert repaired.changes_system
    assert repaired.undo is not None


@pytest.mark.parametrize(
    ("values", "name"),
    [
        ({"count": 0}, "count"),
        ({"count": "2"}, "count"),
        ({"count": True}, "count"),
        ({"mode": "turbo"}, "mode"),
        ({"paths": ["relative"]}, "paths"),
        ({"paths": "/tmp"}, "paths"),
        ({"name": "Robert'); DROP"}, "name"),
        ({"name": "a\nb"}, "name"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_parameters_are_validated(values: dict[str, object], name: str) -> None:
    manifest = parse_manifest(BASE.encode(), "sample.toml")
    with pytest.raises(ParameterError) as caught:
        manifest.bind(values)
    assert name in str(caught.value)


def test_command_line_assignments_are_typed() -> None:
    manifest = parse_manifest(BASE.encode(), "sample.toml")
    values = parse_assignments(manifest, ["count=3", "flag=yes", "paths=/a,/b", "mode=slow"])
    assert values == {"count": 3, "flag": True, "paths": ["/a", "/b"], "mode": "slow"}
    with pytest.raises(ParameterError):
        parse_assignments(manifest, ["count=three"])


ECHO_BODY = """\
emit("check", id="echo", status="ok", finding="echo", evidence={"value": P["value"], "argv": sys.argv[1:]})
emit("done")
"""
ECHO_PARAM = """
[parameters.value]
type = "string"
label = "any text"
max_length = 200
required = true
"""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_categories=("Cc",)), max_size=60
    )
)
def test_parameters_travel_as_data_never_as_shell(scripts: ScriptFolder, tmp_path: Path, value: str) -> None:
    """T23: hostile strings are passed through unchanged as one argv element; nothing is executed."""
    if not (scripts.path / "echo.toml").exists():
        scripts.add("echo", ECHO_BODY, extra=ECHO_PARAM)
    script = scripts.catalog().get("echo")
    pwn = tmp_path / "pwn"
    hostile = f'{value}\'; touch {pwn}; echo "$(touch {pwn})" `touch {pwn}`'
    argv = build_argv(script, script.manifest.bind({"value": hostile[:200]}), sudo=False)
    assert argv[:6] == ["setsid", "-w", "sh", "-c", BOOTSTRAP, "podpora"]
    result = Runner(LocalExecutor()).run(script, {"value": hostile[:200]})
    assert result.run_status == "completed", result.error
    assert result.checks[0].evidence["value"] == hostile[:200]
    assert not pwn.exists()


def test_admin_scripts_use_sudo_non_interactively(scripts: ScriptFolder) -> None:
    scripts.add("echo", ECHO_BODY, extra=ECHO_PARAM)
    script = scripts.catalog().get("echo")
    argv = build_argv(script, {"value": "x"}, sudo=True)
    assert argv[:2] == ["sudo", "-n"]
    assert argv[-4:] == ["python3", "-I", "-", '{"value":"x"}']
