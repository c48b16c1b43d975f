"""Architecture rules that import-linter cannot see: the pure modules import no I/O from the stdlib either."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
PURE_MODULES = ["remote/protocol.py", "remote/session.py"]
FORBIDDEN = {"socket", "threading", "subprocess", "time", "select", "asyncio", "PySide6", "paramiko"}


def imported_roots(source: str) -> set[str]:
    """Top-level names of every module imported anywhere in ``source`` (also inside functions)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("relative", PURE_MODULES)
def test_pure_modules_import_no_io(relative: str) -> None:
    path = APP / relative
    assert path.exists(), f"{relative} is missing"
    assert imported_roots(path.read_text()) & FORBIDDEN == set()


def test_the_check_notices_a_forbidden_import() -> None:
    # Guards the guard: a module that imports time inside a function must be caught.
    assert "time" in imported_roots("def f():\n    import time.monotonic\n")
    assert "socket" in imported_roots("from socket import socketpair\n")
