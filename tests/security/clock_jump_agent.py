"""An assist agent in a process of its own, for running under libfaketime (T41 whole-process clock jumps).

Run from the repository root as ``python -m tests.security.clock_jump_agent``. It serves one technician on
127.0.0.1 with a screen that changes on every grab (so updates keep flowing), view granted at once, and prints
``PORT CODE``. Each line on stdin is answered with this process's ``time.time() time.monotonic()`` so the test
can see the jump it made really reached this process; the process ends when stdin closes.
"""

from __future__ import annotations

import sys

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.encode import FrameEncoder
from tests.remote.agentkit import ScriptedConsent, TickingScreen


def main() -> int:
    import time

    agent = AssistAgent(
        screen=TickingScreen(160, 120),
        consent=ScriptedConsent(frozenset({p.Capability.VIEW})),
        encoder_factory=FrameEncoder,
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
