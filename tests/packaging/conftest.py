"""Fixtures for the packaging tests: run packaging/build.py as a subprocess and read its JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_PY = REPO / "packaging" / "build.py"


@pytest.fixture
def run_build(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Run ``build.py TARGET ...`` with artefacts and scratch files in the test's own folder."""

    def run(target: str, *extra: str, timeout: float = 900) -> dict[str, Any]:
        report = tmp_path / f"{target}.json"
        result = subprocess.run(
            [
                sys.executable,
                str(BUILD_PY),
                target,
                "--dist-dir",
                str(tmp_path / "dist"),
                "--work-dir",
                str(tmp_path / "work"),
                "--repeat",
                "0",
                "--json-out",
                str(report),
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"build.py {target} failed:\n{result.stderr[-6000:]}"
        data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
        # The report on stdout and in the file are the same object.
        assert json.loads(result.stdout.strip().splitlines()[-1]) == data
        return data

    return run
