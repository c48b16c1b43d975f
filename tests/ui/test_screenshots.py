"""Every main screen renders under a real X server in English, Czech and Slovak (what scripts/screenshots does)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.helpers.xvfb import VirtualDisplay

pytestmark = pytest.mark.xvfb

SCREENS = [
    "console-welcome",
    "console-session",
    "console-chat",
    "console-live",
    "console-host-key",
    "assist-start",
    "assist-code",
    "assist-consent",
    "assist-consent-unverified",
    "assist-session",
    "assist-indicator",
    "assist-approval",
    "assist-summary",
    "assist-self-check",
]


def test_screenshots_in_every_language(xvfb: VirtualDisplay, tmp_path: Path, compiled_translations: Path) -> None:
    env = {**os.environ, "DISPLAY": xvfb.name, "QT_QPA_PLATFORM": "xcb", "PODPORA_HOME": str(tmp_path / "home")}
    runs = {
        language: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.ui.screenshots",
                str(tmp_path / language),
                language,
                str(compiled_translations),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for language in ("en", "cs", "sk")
    }
    for language, run in runs.items():
        _, errors = run.communicate(timeout=120)
        assert run.returncode == 0, f"{language}: {errors}"
    for language in runs:
        for screen in SCREENS:
            image = QImage(str(tmp_path / language / f"{screen}.png"))
            assert not image.isNull(), f"{language}/{screen}"
            assert image.width() >= 300 and image.height() >= 100
            # Not blank: a real screen has many colours.
            colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
            assert len(colours) > 5, f"{language}/{screen} looks blank"
    # The languages really differ on screen (the same screen is not pixel-identical across languages).
    english = QImage(str(tmp_path / "en" / "assist-start.png"))
    czech = QImage(str(tmp_path / "cs" / "assist-start.png"))
    assert english != czech
