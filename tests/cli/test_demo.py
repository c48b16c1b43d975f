"""``podpora demo --headless`` walks the whole support path through the real parts and delivers a verified case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers.xvfb import VirtualDisplay


@pytest.mark.sshd
@pytest.mark.xvfb
def test_headless_demo_delivers_a_verified_case_with_an_approved_verified_repair() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "PODPORA_HOME"}}
    result = subprocess.run(
        [sys.executable, "-m", "app", "demo", "--headless", "--json"],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["verified_identity"].startswith("Verified: Petr Svoboda")
    assert summary["granted"] == ["control", "diagnostics", "view"]  # the scripted user kept the clipboard
    assert summary["frames"] >= 2 and summary["screenshot_bytes"] > 0
    assert summary["notes"] == []  # the typed text showed on the user's screen
    assert summary["info_checks"]["system_facts"] == "ok"
    if os.geteuid() == 0:  # a real full disk is only possible where the demo may mount one
        assert summary["info_checks"]["disk_space"] in {"warning", "fail"}
        assert summary["repair"]["approved"] is True
        assert set(summary["repair"]["before"]) & {"warning", "fail"}
        assert summary["repair"]["after"] == ["ok"]
    assert summary["rating"] == 5
    assert summary["verify_ok"] is True
    with zipfile.ZipFile(summary["delivered_to"]) as bundle:
        names = set(bundle.namelist())
        case = json.loads(bundle.read("case.json"))
    assert {"case.json", "report.html", "journal.jsonl", "signatures.json"} <= names
    assert case["rating"] == 5 and case["ticket_ref"] == "HELP-4711"
    assert any(s["caption"] for s in case["screenshots"])
    assert Path(summary["report"]).read_text().count("HELP-4711") >= 1
    assert not (Path(summary["folder"]) / "disk").is_mount()


@pytest.mark.sshd
@pytest.mark.xvfb
def test_windowed_demo_walks_the_case_in_the_real_console_and_the_real_assist_app(xvfb: VirtualDisplay) -> None:
    # The console opens on this display; the assist app on the demo's own user display, clicked with its mouse.
    env = {k: v for k, v in os.environ.items() if k != "PODPORA_HOME"}
    env |= {"DISPLAY": xvfb.name, "QT_QPA_PLATFORM": "xcb"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "demo", "--pause", "0.2", "--exit-when-done", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["windows"] == {"technician": "ConsoleWindow", "user": "AssistWindow"}
    assert len(summary["route"]) == 1 and "127.0.0.1" in summary["route"][0]  # one SSH hop to the user machine
    assert summary["verified_identity"].startswith("Verified: Petr Svoboda")
    assert summary["granted"] == ["control", "diagnostics", "view"]  # the user unticked the clipboard with the mouse
    assert summary["frames"] >= 2 and summary["screenshot_bytes"] > 0
    assert summary["info_checks"]["system_facts"] == "ok"
    if os.geteuid() == 0:
        assert summary["info_checks"]["disk_space"] in {"warning", "fail"}
        assert summary["repair"]["approved"] is True  # clicked in the assist app's approval dialog
        assert set(summary["repair"]["before"]) & {"warning", "fail"}
        assert summary["repair"]["after"] == ["ok"]
        assert [item["text"] for item in summary["user_summary"]] == ["Free space: delete old temporary files"]
    assert summary["rating"] == 5  # sent from the assist app's rating row while connected
    assert summary["verify_ok"] is True
    with zipfile.ZipFile(summary["delivered_to"]) as bundle:
        case = json.loads(bundle.read("case.json"))
    assert case["rating"] == 5 and case["ticket_ref"] == "HELP-4711"
    assert any(s["caption"] for s in case["screenshots"])
    assert Path(summary["report"]).is_file()
    assert not (Path(summary["folder"]) / "disk").is_mount()
