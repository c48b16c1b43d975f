"""Fixtures for the UI tests: translations compiled from the sources, a language manager reset after use."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.ui.i18n import TRANSLATIONS_DIR, LanguageManager

BIN = Path(sys.executable).parent
LRELEASE = BIN / "pyside6-lrelease"
LUPDATE = BIN / "pyside6-lupdate"


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .ts sources compiled now with lrelease, so tests never see stale or missing .qm files."""
    out = tmp_path_factory.mktemp("qm")
    for ts in sorted(TRANSLATIONS_DIR.glob("podpora_*.ts")):
        subprocess.run(
            [str(LRELEASE), "-silent", str(ts), "-qm", str(out / ts.with_suffix(".qm").name)],
            check=True,
            timeout=60,
        )
    return out


@pytest.fixture(autouse=True)
def languages(qapp: QApplication, compiled_translations: Path) -> Iterator[LanguageManager]:
    """English catalogue (its plural forms) for every UI test; whatever language a test picks is undone."""
    manager = LanguageManager(compiled_translations)
    manager.apply("en")
    yield manager
    manager.apply("en")
