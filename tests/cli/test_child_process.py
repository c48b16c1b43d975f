"""Podpora's helper processes (demo user machine, bench agents) load no code planted where they start (T28)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.cli.child_process import python_module_command


def _plant(folder: Path, canary: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "paramiko.py").write_text(f"open({str(canary)!r}, 'a').write('planted paramiko ran\\n')\n")


def _run(argv: list[str], cwd: Path, pythonpath: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    subprocess.run(argv, cwd=cwd, env=env, check=True, timeout=60, capture_output=True)


def test_a_planted_paramiko_is_not_imported_by_a_helper_process(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    workdir, on_path = tmp_path / "workdir", tmp_path / "pythonpath"
    _plant(workdir, canary)
    _plant(on_path, canary)
    # app.remote.ssh imports paramiko at the top: run as a module, it loads it and ends.
    _run(python_module_command("app.remote.ssh"), workdir, on_path)
    assert not canary.exists(), canary.read_text()


def test_the_control_run_without_isolation_does_import_it(tmp_path: Path) -> None:
    """Proves the planted module would be found: the same command without ``-I`` imports it."""
    canary = tmp_path / "canary"
    workdir, on_path = tmp_path / "workdir", tmp_path / "pythonpath"
    _plant(workdir, canary)
    _plant(on_path, canary)
    unisolated = [argument for argument in python_module_command("app.remote.ssh") if argument != "-I"]
    assert unisolated[0] == sys.executable
    subprocess.run(
        unisolated, cwd=workdir, env={**os.environ, "PYTHONPATH": str(on_path)}, timeout=60, capture_output=True
    )
    assert canary.exists()
