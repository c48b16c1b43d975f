"""app.launcher (the pip/pipx entry points) runs Podpora in an isolated interpreter (SECURITY-BAR T28).

A script written the way pip writes console scripts starts the launcher from a working directory and with
a ``$PYTHONPATH`` that both hold a planted ``paramiko.py`` (and ``sitecustomize.py``/``usercustomize.py``)
which write a canary when imported.  ``podpora check 127.0.0.1:1`` loads paramiko and fails to connect.
The same script pointed at the old entry point (``app.cli:main``) is the control: there the planted
paramiko is imported, so the check can fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__

PLANTED = ("paramiko", "sitecustomize", "usercustomize")


def pip_style_script(folder: Path, module: str, function: str) -> Path:
    """The console script pip generates for ``podpora = module:function``."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "podpora"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom {module} import {function}\n"
        "if __name__ == '__main__':\n    sys.exit(" + function + "())\n",
        encoding="utf-8",
    )
    return script


def run_planted(tmp_path: Path, script: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    canaries = tmp_path / "canaries"
    canaries.mkdir(exist_ok=True)
    for where in ("workdir", "pythonpath"):
        folder = tmp_path / where
        folder.mkdir(exist_ok=True)
        for module in PLANTED:
            canary = canaries / f"{where}-{module}"
            (folder / f"{module}.py").write_text(f"import pathlib\npathlib.Path({str(canary)!r}).write_text('x')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "pythonpath"), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path / "workdir",
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    return result, {path.name for path in canaries.iterdir()}


@pytest.mark.slow
def test_the_launcher_never_loads_a_planted_paramiko(tmp_path: Path) -> None:
    script = pip_style_script(tmp_path / "bin", "app.launcher", "main")
    result, loaded = run_planted(tmp_path, script, "check", "127.0.0.1:1", "--no-agent")
    assert result.returncode == 6, result.stderr  # paramiko loaded, and nothing listens on port 1
    # Only what docs/install.md states: Python imports a sitecustomize on $PYTHONPATH while it starts,
    # before any entry point can act.  No planted paramiko, nothing from the working directory.
    assert loaded == {"pythonpath-sitecustomize"}, loaded


@pytest.mark.slow
def test_control_the_plain_entry_point_does_load_the_planted_paramiko(tmp_path: Path) -> None:
    script = pip_style_script(tmp_path / "bin", "app.cli", "main")
    _, loaded = run_planted(tmp_path, script, "check", "127.0.0.1:1", "--no-agent")
    assert "pythonpath-paramiko" in loaded


def test_the_launcher_passes_arguments_and_exit_code_through(tmp_path: Path) -> None:
    script = pip_style_script(tmp_path / "bin", "app.launcher", "main")
    result, _ = run_planted(tmp_path, script, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"podpora {__version__}"
    result, _ = run_planted(tmp_path, script, "no-such-command")
    assert result.returncode == 2  # argparse's usage error, from the re-run interpreter
    assert "invalid choice" in result.stderr
