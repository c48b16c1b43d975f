"""The demo window: the session runs off the GUI thread, pictures and narration arrive by signal, the report opens."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from pytestqt.qtbot import QtBot

from app.ui.demo_window import DemoWindow, image_from_bgra


def test_bgra_frames_become_opaque_images() -> None:
    frame = np.zeros((2, 3, 4), dtype=np.uint8)
    frame[0, 0] = (10, 20, 30, 0)  # X leaves alpha at 0: the pixel must still show
    image = image_from_bgra(frame)
    assert (image.width(), image.height()) == (3, 2)
    color = image.pixelColor(0, 0)
    assert (color.red(), color.green(), color.blue(), color.alpha()) == (30, 20, 10, 255)


def test_demo_window_shows_the_session_then_the_report(qtbot: QtBot, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text("<h1>Support case C-1</h1><p>HELP-4711</p>")
    gui_thread = threading.get_ident()
    runner_threads: list[int] = []

    def runner(narrate: Any, picture: Any) -> Any:
        runner_threads.append(threading.get_ident())
        narrate("step one")
        picture(np.full((40, 60, 4), 200, dtype=np.uint8))
        return SimpleNamespace(report=str(report), delivered_to="/x/bundle.zip")

    window = DemoWindow(runner)
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.summary is not None, timeout=10_000)
    assert runner_threads and runner_threads[0] != gui_thread  # the session never runs on the GUI thread
    assert "step one" in window.narration.toPlainText()
    assert window.screen_view.remote_size().width() == 60
    assert window.tabs.count() == 2
    assert "HELP-4711" in window.tabs.currentWidget().toPlainText()
    assert "/x/bundle.zip" in window.status.text()
    window.close()


def test_demo_window_reports_a_failure_plainly(qtbot: QtBot) -> None:
    from app.errors import PodporaError

    def runner(narrate: Any, picture: Any) -> Any:
        raise PodporaError("x", user_text="the SSH server did not start")

    window = DemoWindow(runner)
    qtbot.addWidget(window)
    window.start()
    qtbot.waitUntil(lambda: "did not start" in window.status.text(), timeout=10_000)
    window.close()
