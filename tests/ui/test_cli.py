"""``podpora console`` / ``podpora assist`` start-up: smoke runs, and a clear error without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_podpora(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


@pytest.mark.parametrize("command", [["console", "--smoke"], ["assist", "--smoke"], ["--smoke"]])
def test_smoke_starts_and_exits_cleanly(command: list[str], podpora_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    result = run_podpora(*command, env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", ["console", "assist"])
def test_without_a_display_says_so(command: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    result = run_podpora(command, env=env)
    assert result.returncode == 2
    assert "no graphical display" in result.stderr
    assert "Traceback" not in result.stderr


def test_headless_needs_a_policy(tmp_path: Path) -> None:
    result = run_podpora("assist", "--headless", env=dict(os.environ))
    assert result.returncode == 2 and "--policy" in result.stderr
    result = run_podpora("assist", "--headless", "--policy", str(tmp_path / "missing.policy"), env=dict(os.environ))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_listen_port_is_checked() -> None:
    result = run_podpora("assist", "--listen", "70000", "--smoke", env=dict(os.environ))
    assert result.returncode == 2 and "between 1 and 65535" in result.stderr


def test_headless_refuses_an_unsigned_policy(tmp_path: Path) -> None:
    policy = tmp_path / "unattended.policy"
    policy.write_bytes(b"not a signed policy")
    env = {**os.environ, "PODPORA_ORG_CONFIG": str(tmp_path / "no-org-config.toml")}
    result = run_podpora("assist", "--headless", "--policy", str(policy), env=env)
    assert result.returncode == 78
    assert "unattended-access policy cannot be used" in result.stderr
    assert "Traceback" not in result.stderr
