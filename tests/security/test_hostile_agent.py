"""A hostile agent against the technician's console (SECURITY-BAR §0.7: the remote side is hostile too).

The "agent" here pairs honestly (the pure :class:`AgentSession` does the PAKE) and then, instead of real
screen updates, sends what a compromised or malicious machine could: a decompression bomb, an unknown
codec, a rectangle that lies about its size, garbage JPEG. The console must end the session with a reason,
stay within a memory budget, and never crash a thread (an unhandled thread exception fails the test).
"""

from __future__ import annotations

import socket
import threading
import tracemalloc

import pytest
import zstandard

from app.remote import protocol as p
from app.remote import session as s
from app.remote.channel import Channel
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.pairing import CodeIssuer

VIEW = p.Capability.VIEW


class HostileAgent:
    """Pairs and grants view like a real agent, then sends whatever the test wants."""

    def __init__(self, stream: socket.socket) -> None:
        self.channel = Channel(stream)
        self.codes = CodeIssuer()
        self.code = self.codes.current(0.0)
        self.session = s.AgentSession(self.codes, 0.0)

    def run(self, commands: list[s.Command]) -> bool:
        """Carry out the session's commands; True once a consent prompt was asked for (and granted)."""
        asked = False
        for command in commands:
            if isinstance(command, s.Send):
                self.channel.send(command.message)
            elif isinstance(command, s.InstallKeys):
                self.channel.install_keys(command.keys)
            elif isinstance(command, s.AskConsent):
                asked = True
        return asked

    def pair_and_grant_view(self) -> None:
        for _ in range(20):
            message = self.channel.receive(10)
            assert message is not None, "the console went silent while pairing"
            if self.run(self.session.handle(s.MessageReceived(message, 0.0))):
                self.run(self.session.handle(s.ConsentDecided(frozenset({VIEW}))))
                return
        raise AssertionError("the console never asked for consent")


def zstd_bomb(width: int, height: int) -> bytes:
    """A zstd frame claiming far more than width×height×4 bytes (a 1000× expansion of zeros)."""
    return zstandard.ZstdCompressor(level=19).compress(bytes(width * height * 4 * 1000))


@pytest.mark.parametrize(
    "update",
    [
        pytest.param(lambda: p.FrameUpdate(1, 64, 64, [p.Rect(0, 0, 64, 64, 1, zstd_bomb(64, 64))]), id="zstd-bomb"),
        pytest.param(lambda: p.FrameUpdate(1, 64, 64, [p.Rect(0, 0, 64, 64, 200, b"\x00" * 16)]), id="unknown-codec"),
        pytest.param(lambda: p.FrameUpdate(1, 64, 64, [p.Rect(0, 0, 64, 64, 0, b"\x00" * 10)]), id="short-raw"),
        pytest.param(lambda: p.FrameUpdate(1, 64, 64, [p.Rect(0, 0, 16, 16, 3, b"\xff\xd8garbage")]), id="bad-jpeg"),
        pytest.param(
            lambda: p.FrameUpdate(1, 8192, 8192, [p.Rect(0, 0, 1, 1, 0, b"\x00" * 4)] * 4096), id="huge-and-many"
        ),
    ],
)
def test_a_hostile_frame_ends_the_session_without_harm(update) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = socket.socketpair()
    agent = HostileAgent(theirs)
    ended = threading.Event()
    reasons: list[str] = []
    frames: list[int] = []

    def on_ended(reason: str) -> None:
        reasons.append(reason)
        ended.set()

    client = TechnicianClient(
        ours,
        code=agent.code,
        capabilities=frozenset({VIEW}),
        callbacks=TechnicianCallbacks(on_ended=on_ended, on_frame=lambda fb, drawn: frames.append(len(drawn))),
    )
    client.start()
    try:
        agent.pair_and_grant_view()
        message = update()
        tracemalloc.start()
        try:
            agent.channel.send(message)
            assert ended.wait(15), "the console did not end the session"
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert client.wait_closed(10)
    finally:
        client.stop()
        agent.channel.close()
    assert reasons and reasons[0]
    # Refused before anything is sized from the claim: a bomb does not expand, a huge screen is not allocated.
    assert peak < 32 * 1024 * 1024


# --- diagnostics results from a hostile agent (console side: app/ui/diagnostics_wiring.py) -----------------------


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        pytest.param(p.ScriptResult, b'{"error": "script failed"}', id="honest-error"),
        pytest.param(p.ScriptResult, b"not json", id="not-json"),
        pytest.param(p.ScriptResult, b"[" * 100_000 + b"]" * 100_000, id="deep-nesting"),
        pytest.param(p.ScriptProgress, b'{"percent": "abc"}', id="text-percent"),
        pytest.param(p.ScriptProgress, b'{"percent": [1]}', id="list-percent"),
        pytest.param(p.ScriptResult, b'{"result": 5}', id="result-not-an-object"),
        pytest.param(p.ScriptResult, b'{"result": {"x": 1}}', id="result-without-fields"),
    ],
)
def test_hostile_diagnostic_results_become_an_error_row(kind: type, payload: bytes) -> None:
    from app.ui.diagnostics_wiring import RemoteAgentDiagnostics

    raised: list[BaseException] = []

    def run_script(request_id: str, request: bytes) -> None:
        # The agent answers at once with the hostile payload (and, after a progress message, a plain error).
        for message in (kind(request_id, payload), p.ScriptResult(request_id, b'{"error": "done"}')):
            try:
                diagnostics.deliver(message)
            except Exception as error:  # what would escape into the client's reader thread
                raised.append(error)

    diagnostics = RemoteAgentDiagnostics(run_script, lambda: "en", timeout=10)
    try:
        rows = diagnostics.run(["cpu_load"], lambda *progress: None)
    except Exception as error:  # what would escape into the console's worker
        raise AssertionError(f"run() raised {type(error).__name__}: {error}") from None
    assert raised == [], f"deliver() raised {raised!r}"
    assert [row.status for row in rows] == ["error"]
    assert "in time" not in rows[0].finding  # recognised as bad at once, not waited out


def test_a_deeply_nested_run_request_is_a_value_error() -> None:
    """The other direction: the agent parses the technician's RunScript payload."""
    from app.ui.diagnostics_wiring import MAX_PARAMETERS_BYTES, decode_run

    payload = b"[" * 10_000 + b"]" * 10_000
    assert len(payload) <= MAX_PARAMETERS_BYTES
    with pytest.raises(ValueError):
        decode_run(payload)
