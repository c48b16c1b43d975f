"""Windows (PowerShell) and macOS (sh) scripts: signed, valid, catalogued per platform, never run here.

Nothing on these machines runs Windows or macOS, so the bodies are checked statically: the manifest
validates, the signature verifies against the project key, every check the body can emit uses a valid status
and a signed explanation key, and the emit helpers produce the documented line protocol.  The macOS helper
is plain POSIX sh, so it is also executed here with hostile strings and parsed by the real output parser.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from app.cli import main
from app.diagnostics.catalog import LIBRARY_DIRS, PROJECT_KEY, Catalog, load_catalog
from app.diagnostics.manifest import script_of_check
from app.diagnostics.results import CHECK_STATUSES, Check, OutputParser
from app.diagnostics.runner import LocalExecutor, Runner
from app.diagnostics.signing import PublicKey, TrustedKeys
from tests.diagnostics.conftest import ScriptFolder

REQUIRED = {"system_facts", "disk_space", "dns_resolution", "flush_dns_cache", "pending_updates"}
INTERPRETER = {"windows": "powershell", "macos": "sh"}
HELPER_START = "# --- podpora helpers"
HELPER_END = "# --- end of podpora helpers ---"
PROJECT_KEY_ID = "3401c763d821a72b"  # docs/diagnostics.md


def _catalog(platform: str) -> Catalog:
    return load_catalog([LIBRARY_DIRS[platform]], TrustedKeys([PublicKey.load(PROJECT_KEY)]), platform=platform)


@pytest.mark.parametrize("platform", ["windows", "macos"])
def test_every_script_verifies_and_covers_the_basics(platform: str) -> None:
    catalog = _catalog(platform)
    manifests = sorted(LIBRARY_DIRS[platform].glob("*.toml"))
    assert catalog.refusals == []
    assert len(catalog.scripts) == len(manifests)
    assert set(catalog.scripts) >= REQUIRED
    for script in catalog.all():
        assert script.manifest.platforms == (platform,), script.id
        assert script.manifest.interpreter == INTERPRETER[platform], script.id
        assert script.key_id == PROJECT_KEY_ID
        if script.manifest.changes_system:
            assert script.manifest.undo is not None and script.manifest.changes is not None
            for check_id in script.manifest.verified_by:
                assert catalog.get(script_of_check(check_id)).manifest.category == "info", (script.id, check_id)


def test_catalogs_hold_one_platform_each() -> None:
    linux = _catalog("linux")
    assert all(s.manifest.platforms == ("linux",) for s in linux.all())
    assert {s.manifest.interpreter for s in linux.all()} <= {"python3", "sh"}
    assert {s.manifest.interpreter for s in _catalog("windows").all()} == {"powershell"}


def test_an_organisation_folder_is_split_by_platform(scripts: ScriptFolder) -> None:
    scripts.add("linux_probe", "emit('done')\n")
    windows = scripts.add("windows_probe", "Emit-Done\n", sign=False, prelude=False)
    windows.write_text(
        windows.read_text()
        .replace('platforms = ["linux"]', 'platforms = ["windows"]')
        .replace('interpreter = "python3"', 'interpreter = "powershell"')
    )
    scripts.sign(windows)
    assert set(load_catalog([scripts.path], scripts.trusted, platform="linux").scripts) == {"linux_probe"}
    assert set(load_catalog([scripts.path], scripts.trusted, platform="windows").scripts) == {"windows_probe"}


@pytest.mark.parametrize("platform", ["windows", "macos"])
def test_diag_list_per_platform(platform: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diag", "list", "--platform", platform, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["platform"] == platform
    assert document["refused"] == []
    assert {item["id"] for item in document["scripts"]} >= REQUIRED
    assert {item["interpreter"] for item in document["scripts"]} == {INTERPRETER[platform]}


@pytest.mark.parametrize("platform", ["windows", "macos"])
def test_the_linux_runner_refuses_them_without_starting_anything(platform: str) -> None:
    class Recording(LocalExecutor):
        def __init__(self) -> None:
            self.started: list[list[str]] = []

        def start(self, argv: object) -> object:  # type: ignore[override]
            self.started.append(list(argv))  # type: ignore[call-overload]
            raise AssertionError("a script for another platform was started")

    executor = Recording()
    result = Runner(executor).run(_catalog(platform).get("disk_space"))
    assert result.run_status == "refused"
    assert result.error is not None and platform in result.error
    assert executor.started == []


# -- the bodies, by inspection ------------------------------------------------------------------------------


def _helper(body: str) -> str:
    start, end = body.index(HELPER_START), body.index(HELPER_END) + len(HELPER_END)
    return body[start:end]


@pytest.mark.parametrize("platform", ["windows", "macos"])
def test_every_script_shares_the_same_emit_helper_and_ends_with_done(platform: str) -> None:
    bodies = {s.id: s.body.decode() for s in _catalog(platform).all()}
    helpers = {_helper(body) for body in bodies.values()}
    assert len(helpers) == 1, "the emit helpers differ between scripts"
    finish = "Emit-Done" if platform == "windows" else "finish"
    for script_id, body in bodies.items():
        assert body.rstrip().splitlines()[-1].strip() == finish, script_id


def test_the_powershell_emit_helper_writes_the_documented_fields() -> None:
    helper = _helper(_catalog("windows").get("system_facts").body.decode())
    emit_check = helper[helper.index("function Emit-Check") : helper.index("function Emit-Progress")]
    emit_check = emit_check[emit_check.index("[ordered]@{") :]
    fields = re.findall(r"(\w+) = \$\w+|type = '(\w+)'", emit_check)
    assert [name or f"type={tag}" for name, tag in fields] == [
        "type=check",
        "id",
        "status",
        "finding",
        "explain",
        "args",
        "evidence",
        "repair",
        "not_applicable",
    ]
    assert "ConvertTo-Json -Compress" in helper  # one object per line
    assert "[Console]::Out.Flush()" in helper  # streamed as it happens
    assert "type = 'done'" in helper and "type = 'progress'; percent = $Percent; message = $Message" in helper


def _calls(pattern: str, body: str) -> list[tuple[str, ...]]:
    return re.findall(pattern, body)


@pytest.mark.parametrize("platform", ["windows", "macos"])
def test_every_check_a_body_can_emit_has_a_valid_status_and_a_signed_explanation(platform: str) -> None:
    for script in _catalog(platform).all():
        body = script.body.decode()
        code = body[body.index(HELPER_END) :]
        if platform == "windows":
            statuses = re.findall(r"-Status '(\w+)'", code)
            explains = re.findall(r"-Explain '(\w+)'", code)
            assert len(statuses) == len(explains) == code.count("Emit-Check "), script.id
            used = set(re.findall(r"Get-Param '(\w+)'", code))
        else:
            calls = re.findall(r"^\s*(?:\S*\)\s+)?check (\w+) (\w+) ", code, re.MULTILINE)
            assert len(calls) == len(re.findall(r"\bcheck ", code)), script.id
            statuses = [status for status, _ in calls]
            explains = [explain for _, explain in calls]
            used = set()
            # Parameters arrive as $1, $2 ... in manifest order; each is taken once, at the top.
            positions = [int(n) for n in re.findall(r"^\w+=\$\{?([1-9])\b", code, re.MULTILINE)]
            assert positions == list(range(1, len(script.manifest.parameters) + 1)), script.id
        assert statuses, script.id
        assert set(statuses) <= set(CHECK_STATUSES), (script.id, statuses)
        assert set(explains) <= set(script.manifest.messages), (
            script.id,
            set(explains) - set(script.manifest.messages),
        )
        assert used <= {p.name for p in script.manifest.parameters}, (script.id, used)


HOSTILE = 'quote " back \\ tab \t newline \n bell \a unicode Žluťoučký kůň'


def test_the_macos_emit_helper_runs_here_and_its_lines_parse(tmp_path: Path) -> None:
    script = _catalog("macos").get("disk_space")
    program = (
        _helper(script.body.decode())
        + "\n"
        + (
            'progress 40 "$HOSTILE"\n'
            'check warning low \'disk_space:/Volumes/My "Disk"\' "$HOSTILE" '
            '"$(json_obj mount \'/Volumes/My "Disk"\' \'#percent\' 97 free "$HOSTILE")" '
            "\"$(json_obj '#used_percent' 97 '#bogus' '12; rm -rf /')\" clean_temp\n"
            "check ok ok disk_space:/ 'fine'\n"
            "finish\n"
        )
    )
    done = subprocess.run(
        ["sh", "-c", program], capture_output=True, env={"HOSTILE": HOSTILE, "PATH": "/usr/bin:/bin"}, check=True
    )
    parser = OutputParser(script.manifest)
    events = [parser.feed(line + b"\n") for line in done.stdout.splitlines()]
    assert parser.violations == [] and parser.done
    progress, warning, fine, _ = events
    assert progress is not None and not isinstance(progress, Check) and progress.percent == 40
    assert isinstance(warning, Check) and isinstance(fine, Check)
    # Control bytes other than tab and line breaks are dropped; everything else arrives exactly.
    assert warning.finding == HOSTILE.replace("\a", "")
    assert warning.id == 'disk_space:/Volumes/My "Disk"'
    assert warning.status == "warning" and warning.repair == "clean_temp"
    assert warning.evidence == {"used_percent": 97, "bogus": 0}  # an integer field never takes raw text
    assert '/Volumes/My "Disk"' in warning.explanation["en"] and "97%" in warning.explanation["en"]
    assert fine.status == "ok" and fine.evidence == {} and fine.repair is None and fine.not_applicable is False


def test_a_windows_repair_is_refused_before_anyone_is_asked() -> None:
    class Asked:
        def __init__(self) -> None:
            self.requests: list[object] = []

        def request_approval(self, request: object) -> object:
            self.requests.append(request)
            raise AssertionError("asked to approve a change that cannot run here")

    catalog = _catalog("windows")
    approvals = Asked()
    outcome = Runner(LocalExecutor()).run_change(catalog.get("flush_dns_cache"), {}, catalog, approvals)  # type: ignore[arg-type]
    assert outcome.repair.run_status == "refused"
    assert outcome.before == [] and outcome.after == []
    assert approvals.requests == []
