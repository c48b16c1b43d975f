"""Helpers for driving the pure session machines in tests: pair them in memory and read their commands."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.remote import protocol as p
from app.remote import session as s
from app.remote.pairing import CodeIssuer

REQUEST_ALL = p.ConsentRequest(
    b"cert",
    [p.Capability.VIEW, p.Capability.CONTROL, p.Capability.CLIPBOARD, p.Capability.DIAGNOSTICS],
    "printer does not print",
    "CASE-42",
)


def kinds(commands: list[s.Command]) -> list[str]:
    """Readable names of commands: ``Send:Bye``, ``Journal:revoked``, ``StartCapture``…"""
    out: list[str] = []
    for command in commands:
        if isinstance(command, s.Send):
            if isinstance(command.message, p.Heartbeat):
                continue  # keep-alive noise for these tables; tested on its own
            out.append(f"Send:{type(command.message).__name__}")
        elif isinstance(command, s.Journal):
            out.append(f"Journal:{command.kind}")
        elif isinstance(command, s.StateChanged):
            continue  # noise for these tables; tested on its own
        else:
            out.append(type(command).__name__)
    return out


def sent(commands: list[s.Command]) -> list[p.Message]:
    """The messages a list of commands sends."""
    return [c.message for c in commands if isinstance(c, s.Send)]


@dataclass
class Link:
    """An agent session and a technician session wired back to back, with every command recorded."""

    codes: CodeIssuer = field(default_factory=CodeIssuer)
    now: float = 0.0
    agent: s.AgentSession = field(init=False)
    technician: s.TechnicianSession = field(default_factory=s.TechnicianSession)
    agent_log: list[s.Command] = field(default_factory=list)
    technician_log: list[s.Command] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.agent = s.AgentSession(self.codes, self.now)

    def start(self, code: str | None = None, request: p.ConsentRequest = REQUEST_ALL) -> None:
        """Start pairing with ``code`` (default: the code the agent shows) and run to quiescence."""
        code = self.codes.current(self.now) if code is None else code
        self._to_agent(self.technician.handle(s.Started(code, request, self.now)))

    def agent_event(self, event: s.AgentEvent) -> list[s.Command]:
        commands = self.agent.handle(event)
        self._to_technician(commands)
        return commands

    def technician_event(self, event: s.TechnicianEvent) -> list[s.Command]:
        commands = self.technician.handle(event)
        self._to_agent(commands)
        return commands

    def _to_agent(self, commands: list[s.Command]) -> None:
        self.technician_log.extend(commands)
        for message in sent(commands):
            self._to_technician(self.agent.handle(s.MessageReceived(message, self.now)))

    def _to_technician(self, commands: list[s.Command]) -> None:
        self.agent_log.extend(commands)
        for message in sent(commands):
            self._to_agent(self.technician.handle(s.MessageReceived(message, self.now)))


def consented(granted: set[p.Capability]) -> Link:
    """A link paired and answered with ``granted``; the technician's first FrameRequest already sent."""
    link = Link()
    link.start()
    assert link.agent.state is s.AgentState.PROMPTING
    link.agent_event(s.ConsentDecided(frozenset(granted)))
    return link
