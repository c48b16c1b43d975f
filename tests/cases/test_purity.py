"""Pure modules of app.cases import no I/O, Qt, network or clock libraries (DESIGN.md §3)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import app.cases

PURE = ["redact.py", "case.py", "report.py"]
FORBIDDEN = {
    "os",
    "socket",
    "httpx",
    "keyring",
    "PySide6",
    "time",
    "threading",
    "subprocess",
    "smtplib",
    "app.remote",
    "app.diagnostics",
    "app.ui",
    "pathlib",
    "io",
}


@pytest.mark.parametrize("name", PURE)
def test_pure_module_imports(name: str) -> None:
    source = (Path(app.cases.__file__).parent / name).read_text()
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    bad = {m for m in imported if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{name} imports {bad}"
    assert "datetime.now" not in source and "time.time" not in source


def test_cases_never_imports_its_siblings() -> None:
    for path in Path(app.cases.__file__).parent.rglob("*.py"):
        text = path.read_text()
        for sibling in (
            "import app.remote",
            "from app.remote",
            "import app.diagnostics",
            "from app.diagnostics",
            "from app.ui",
            "import PySide6",
            "from PySide6",
        ):
            assert sibling not in text, f"{path} contains {sibling!r}"
