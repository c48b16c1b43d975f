"""The per-session service the UI and the command line use: run, change, cancel, and the case report."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from app.diagnostics.runner import LocalExecutor, RefuseAll, Runner
from app.diagnostics.service import DiagnosticsService
from tests.diagnostics.conftest import ScriptFolder, processes_with
from tests.diagnostics.test_runner import CANARY_PARAM, FIX, PROBE, SLEEPER, TOKEN_PARAM, ApproveOnly


def _service(scripts: ScriptFolder, approvals: object) -> DiagnosticsService:
    return DiagnosticsService(
        scripts.catalog(),
        Runner(LocalExecutor()),
        approvals,
        host="localhost",
        clock=lambda: 42.0,  # type: ignore[arg-type]
    )


def test_run_change_and_report(scripts: ScriptFolder, tmp_path: Path) -> None:
    scripts.add("probe", PROBE, extra=CANARY_PARAM)
    scripts.add("fix1", FIX.replace("{id}", "fix1"), category="repair", extra=CANARY_PARAM)
    service = _service(scripts, ApproveOnly("fix1"))
    canary = {"canary": str(tmp_path / "canary")}
    seen: list[tuple[str, int, str]] = []
    [before] = service.run(["probe"], lambda *event: seen.append(event), values={"probe": canary})
    assert before.status == "warning"
    assert ("probe", -1, "probe: warning") in seen
    with pytest.raises(ValueError, match="change"):
        service.run(["fix1"])
    outcome = service.change("fix1", canary)
    assert outcome.verified
    report = service.report().to_dict()
    assert report["created_at"] == 42.0
    assert [r["script"]["id"] for r in report["results"]] == ["probe"]
    assert report["repairs"][0]["repair"]["approval"]["approved"] is True


def test_refused_change_is_recorded(scripts: ScriptFolder, tmp_path: Path) -> None:
    scripts.add("probe", PROBE, extra=CANARY_PARAM)
    scripts.add("fix1", FIX.replace("{id}", "fix1"), category="repair", extra=CANARY_PARAM)
    service = _service(scripts, RefuseAll())
    outcome = service.change("fix1", {"canary": str(tmp_path / "canary")})
    assert outcome.repair.run_status == "refused"
    assert not (tmp_path / "canary").exists()
    assert service.report().repairs == [outcome]


def test_cancel_stops_running_scripts(scripts: ScriptFolder) -> None:
    scripts.add("sleeper", SLEEPER, extra=TOKEN_PARAM)
    service = _service(scripts, RefuseAll())
    token = uuid.uuid4().hex
    started = threading.Event()
    box: dict[str, object] = {}

    def work() -> None:
        box["results"] = service.run(["sleeper"], lambda *_: started.set(), values={"sleeper": {"token": token}})

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(30)
    service.cancel()
    thread.join(30)
    [result] = box["results"]  # type: ignore[misc]
    assert result.run_status == "cancelled"
    assert processes_with(token) == []
