"""An assist agent in a process of its own, for running under libfaketime (T41 whole-process clock jumps).

Run from the repository root as ``python -m tests.security.clock_jump_agent``. It serves one technician on
127.0.0.1 with a screen that changes on every grab (so updates keep flowing), view granted at once, and prints
``PORT CODE``. Each line on stdin is answered with this process's ``time.time() time.monotonic()`` so the test
can see the jump it made really reached this process; the process ends when stdin closes.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
from numpy.typing import NDArray

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.encode import FrameEncoder
from tests.remote.agentkit import FakeMonitor, ScriptedConsent


class TickingScreen:
    """A 160×120 screen whose top-left pixel row counts grabs, so every grab is a change."""

    def __init__(self) -> None:
        self.image: NDArray[np.uint8] = np.full((120, 160, 4), 200, dtype=np.uint8)
        self.grabs = 0
        self._lock = threading.Lock()

    def monitors(self) -> list[FakeMonitor]:
        return [FakeMonitor(0, 0, 0, 160, 120)]

    def grab(self, monitor: FakeMonitor) -> NDArray[np.uint8]:
        with self._lock:
            self.grabs += 1
            self.image[0, :8, 0] = np.frombuffer(self.grabs.to_bytes(8, "little"), dtype=np.uint8)
            return self.image.copy()


def main() -> int:
    import time

    agent = AssistAgent(
        screen=TickingScreen(), consent=ScriptedConsent(frozenset({p.Capability.VIEW})), encoder_factory=FrameEncoder
    )
    port = agent.listen(0)
    print(port, agent.code(), flush=True)
    while sys.stdin.readline():
        print(time.time(), time.monotonic(), flush=True)
    agent.stop()
    agent.wait_stopped(5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
