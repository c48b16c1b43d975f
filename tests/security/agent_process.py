"""A real assist agent in its own process, for kill -9 tests: fake screen, consent that grants view.

Prints ``PORT CODE`` on one line, then serves until stdin closes (or it is killed).
"""

from __future__ import annotations

import sys

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent


def main() -> None:
    agent = AssistAgent(
        screen=FakeScreen(width=96, height=64),
        consent=ScriptedConsent(frozenset({p.Capability.VIEW})),
        input_sink=RecordingSink(),
    )
    port = agent.listen(0)
    print(port, agent.code(), flush=True)
    sys.stdin.read()
    agent.stop()
    agent.wait_stopped(5)


if __name__ == "__main__":
    main()
