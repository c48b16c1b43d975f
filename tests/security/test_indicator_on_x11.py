"""T19 on a real X server: while a session is active exactly one mapped "Podpora session" indicator exists, and
none after it ends.

The Get help window runs in a child process on the shared Xvfb with Qt's xcb platform (not offscreen), driven
through its controller as the agent would drive it.  ``xdotool search --onlyvisible`` asks the X server, not
Qt, which windows are mapped: a hidden or never-mapped indicator would not count.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.xvfb import VirtualDisplay

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is installed by scripts/setup"),
]

CHILD = r"""
import sys, threading
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from app.ui.application import start_qt
from app.ui.assist.controller import AssistController, ScriptedAssistBackend
from app.ui.assist.models import SessionSummary, TechnicianIdentity
from app.ui.assist.window import AssistWindow

context = start_qt("Podpora assist", base_point_size=11, language="en")
controller = AssistController(ScriptedAssistBackend())
window = AssistWindow(controller, context.languages, brand_name="Podpora")
window.show()


class Commands(QObject):
    received = Signal(str)


commands = Commands()


def settle_and_say(word):
    for _ in range(5):
        context.app.processEvents()
    QGuiApplication.sync()  # every request has reached the X server before the test asks it
    print(word, flush=True)


def on_command(command):
    if command == "start":
        controller.report_granted(frozenset({"view", "control"}))
        controller.report_state("active")
        settle_and_say("active")
    elif command == "end":
        controller.report_ended(SessionSummary(TechnicianIdentity("Jana"), 3))
        settle_and_say("ended")
    else:
        context.app.quit()


commands.received.connect(on_command)
threading.Thread(target=lambda: [commands.received.emit(line.strip()) for line in sys.stdin], daemon=True).start()
settle_and_say("ready")
context.app.exec()
"""


def mapped_indicators(display: str) -> list[str]:
    result = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^Podpora session$"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.stdout.split()


def test_exactly_one_mapped_indicator_during_the_session_and_none_after(xvfb: VirtualDisplay) -> None:
    env = {**os.environ, "DISPLAY": xvfb.name, "QT_QPA_PLATFORM": "xcb"}
    with subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        try:
            assert child.stdout.readline().strip() == "ready"
            assert mapped_indicators(xvfb.name) == []  # no session: no indicator
            child.stdin.write("start\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "active"
            assert len(mapped_indicators(xvfb.name)) == 1
            child.stdin.write("end\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "ended"
            assert mapped_indicators(xvfb.name) == []
            child.stdin.write("quit\n")
            child.stdin.flush()
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
