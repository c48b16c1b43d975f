"""docs/security.md names the tests that cover each catalogue item: every file and test it names must exist.

The table is what the next engineer reads to know what is covered; a renamed or deleted test must not leave it
claiming coverage that is gone.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "docs" / "security.md"
#: `area/test_file.py` or `area/test_file.py::test_name[...]`, or a bare `::test_name` for the file named last.
REFERENCE = re.compile(r"`((?:[a-z_]+/)+test_[a-z0-9_]+\.py)?(?:::([A-Za-z0-9_]+)(?:\[[^\]`]*\])?)?`")


@cache
def _names_in(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    )


def _references() -> list[tuple[int, str, str | None]]:
    found: list[tuple[int, str, str | None]] = []
    for number, line in enumerate(CATALOGUE.read_text(encoding="utf-8").splitlines(), start=1):
        current: str | None = None
        for match in REFERENCE.finditer(line):
            file_part, test_part = match.group(1), match.group(2)
            if file_part is None and test_part is None:
                continue
            if file_part is not None:
                current = file_part
            if current is not None:
                found.append((number, current, test_part))
    return found


def test_the_catalogue_names_tests_at_all() -> None:
    assert len(_references()) > 50


def test_every_test_the_catalogue_names_exists() -> None:
    missing = []
    for number, file_part, test_part in _references():
        path = ROOT / "tests" / file_part
        if not path.exists():
            path = ROOT / file_part
        if not path.exists():
            missing.append(f"line {number}: {file_part} does not exist")
        elif test_part is not None and test_part not in _names_in(path):
            missing.append(f"line {number}: {file_part}::{test_part} does not exist")
    assert not missing, "\n".join(missing)
