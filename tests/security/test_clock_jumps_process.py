"""T41 on a whole process: libfaketime steps the agent process's wall clock while a session streams.

``faketime`` (libfaketime, installed by ``scripts/setup``) is preloaded into a real agent process
(``tests/security/clock_jump_agent.py``) with a timestamp file the test rewrites atomically; ``FAKETIME_NO_CACHE``
makes every clock read see the new offset at once, and ``DONT_FAKE_MONOTONIC`` leaves the monotonic clock alone,
exactly as an NTP step or a person changing the clock would. The agent answers a line on stdin with its clocks,
so each jump is shown to have reached it before the test looks at the session.

What must hold (SECURITY-BAR T41): no mass expiry and no stretched deadline. A session code is still valid after
the wall clock jumped an hour ahead (its lifetime runs on the monotonic clock), and a streaming session is
neither ended nor stalled by steps of an hour back, a day ahead or a day back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.remote import protocol as p
from app.remote.client import TechnicianCallbacks, TechnicianClient

#: The multi-threaded variant: the agent reads the clock from many threads at once.
LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")
REPOSITORY = Path(__file__).resolve().parents[2]
HOUR, DAY = 3600, 86400


class ClockJumpedAgent:
    """The agent process under libfaketime, and the offset file that steps its wall clock."""

    def __init__(self, scratch: Path) -> None:
        if not LIBFAKETIME.exists():
            pytest.fail(f"{LIBFAKETIME} is missing: scripts/setup installs the Debian package faketime")
        self.offset_file = scratch / "faketime-offset"
        self.set_offset(0)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.security.clock_jump_agent"],
            cwd=REPOSITORY,
            env={
                **os.environ,
                "LD_PRELOAD": str(LIBFAKETIME),
                "FAKETIME_TIMESTAMP_FILE": str(self.offset_file),
                "FAKETIME_NO_CACHE": "1",
                "DONT_FAKE_MONOTONIC": "1",
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        port, self.code = self._line().split()
        self.port = int(port)

    def _line(self) -> str:
        assert self.process.stdout is not None
        watchdog = threading.Timer(30, self.process.kill)
        watchdog.start()
        try:
            line = self.process.stdout.readline()
        finally:
            watchdog.cancel()
        assert line, "the agent process ended"
        return line

    def set_offset(self, seconds: int) -> None:
        """Step the agent's wall clock to real time + ``seconds`` (an atomic replace: never a half-written file)."""
        temporary = self.offset_file.with_suffix(".tmp")
        temporary.write_text(f"{seconds:+d}\n")
        temporary.replace(self.offset_file)

    def clocks(self) -> tuple[float, float]:
        """The agent's (wall, monotonic) clocks right now."""
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        wall, monotonic = self._line().split()
        return float(wall), float(monotonic)

    def jump(self, seconds: int) -> None:
        """Step the wall clock and check that the agent process sees the step, and its monotonic clock does not."""
        self.set_offset(seconds)
        # libfaketime re-reads the file on each clock read (FAKETIME_NO_CACHE); ask until the agent's answer
        # shows the step (a bounded number of round trips, no sleeping).
        for _ in range(100):
            wall, monotonic = self.clocks()
            if abs(wall - time.time() - seconds) < 60:
                break
        assert abs(wall - time.time() - seconds) < 60, "the agent's wall clock did not take the step"
        assert abs(monotonic - time.monotonic()) < 60, "the agent's monotonic clock moved with the wall clock"

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


class Viewer:
    """Counts the updates the console side draws; tests wait on it."""

    def __init__(self) -> None:
        self.frames = 0
        self.ended: str | None = None
        self.changed = threading.Condition()
        self.client: TechnicianClient | None = None

    def on_frame(self, framebuffer: np.ndarray, drawn: list[tuple[int, int, int, int]]) -> None:
        with self.changed:
            self.frames += 1
            self.changed.notify_all()
        if self.client is not None:
            self.client.frame_drawn()

    def on_ended(self, reason: str) -> None:
        with self.changed:
            self.ended = reason
            self.changed.notify_all()

    def more_frames(self, than: int, timeout: float = 20) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.frames > than or self.ended is not None, timeout) and (
                self.ended is None
            )


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[ClockJumpedAgent]:
    started = ClockJumpedAgent(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def test_wall_clock_steps_neither_expire_the_code_nor_end_or_stall_the_session(agent: ClockJumpedAgent) -> None:
    import socket

    agent.jump(+HOUR)  # before pairing: a code checked against the wall clock would have expired now
    viewer = Viewer()
    client = TechnicianClient(
        socket.create_connection(("127.0.0.1", agent.port), timeout=10),
        code=agent.code,
        capabilities=frozenset({p.Capability.VIEW}),
        callbacks=TechnicianCallbacks(on_frame=viewer.on_frame, on_ended=viewer.on_ended),
    )
    viewer.client = client
    client.start()
    try:
        assert viewer.more_frames(0), f"no picture after a +1 h step: {viewer.ended or client.close_reason}"
        for step in (-HOUR, +DAY, -DAY):
            agent.jump(step)
            seen = viewer.frames
            assert viewer.more_frames(seen + 10), f"the stream stopped after a {step:+d} s step: {viewer.ended}"
        assert viewer.ended is None and not client.close_reason
    finally:
        client.stop()
        assert client.wait_closed(10)
