"""The consent prompt on a real X server: clicks injected through XTEST (as remote input would arrive) are
ignored while the agent reports remote input; a click when none is active answers it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import IO

import pytest

from tests.helpers.xvfb import VirtualDisplay

pytestmark = pytest.mark.xvfb


def expect(stream: IO[str], prefix: str) -> str:
    for _ in range(50):
        line = stream.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError(f"no '{prefix}' line from the probe")


def test_injected_click_cannot_accept_while_remote_input_is_active(xvfb: VirtualDisplay) -> None:
    env = {**os.environ, "DISPLAY": xvfb.name, "QT_QPA_PLATFORM": "xcb"}
    with subprocess.Popen(
        [sys.executable, "-m", "tests.ui.consent_probe"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as probe:
        assert probe.stdin is not None and probe.stdout is not None
        try:
            drive(probe.stdin, probe.stdout, env)
            assert probe.wait(timeout=20) == 0
        finally:
            if probe.poll() is None:
                probe.kill()


def drive(commands: IO[str], replies: IO[str], env: dict[str, str]) -> None:
    """Inject a click while remote input is active (must be dropped), then one without (answers)."""
    _, x, y = expect(replies, "ready").split()

    def click() -> None:
        subprocess.run(["xdotool", "mousemove", x, y, "click", "1"], env=env, check=True, timeout=10)

    commands.write("remote on\n")
    commands.flush()
    expect(replies, "ok remote on")
    click()
    # Ask until the prompt has seen (and dropped) the press and the release; each answer is one round through
    # the probe's event loop, so the X events are read in between.  Only then is remote input switched off.
    dropped = 0
    for _ in range(500):
        commands.write("status\n")
        commands.flush()
        dropped = int(expect(replies, "ok status").split()[-1])
        if dropped >= 2:
            break
    assert dropped >= 2  # press and release reached the prompt and were dropped
    commands.write("remote off\n")
    commands.flush()
    expect(replies, "ok remote off")
    click()
    assert expect(replies, "decided") == "decided control,view"
