"""Property tests for what the broker reads from the protocol process (SECURITY-BAR T26, T42).

The protocol process is the untrusted side of the split: every message it can send (any header, any blob, any
bytes on the socket) must either be carried out within the user's consent or end the process with a violation.
Nothing it sends may raise anything else in the broker, inject input without control, or grab without view.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.remote import protocol as p
from app.remote.privsep import BrokeredAgent, IpcPeer, IpcViolation
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent

OPS = [
    "pointer", "key", "release_all", "mapping", "consent_ask", "consent_dismiss", "ready", "state", "ended",
    "chat", "clipboard", "change_report", "diagnostic", "journal", "consent_applied", "watch_wake", "unknown",
]  # fmt: skip
CAPTURE_OPS = ["monitors", "grab", "changes", "cursor", "watch_open", "watch_wait", "watch_close"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["x", "y", "buttons", "wheel", "wheel_h", "down", "keysym", "text", "left", "top", "width", "height", "ask",
     "verification", "capabilities", "reason", "case_ref", "seconds", "state", "granted", "paused", "script",
     "kind", "details", "confinement", "monitor", "whole", "timeout", "id"]
)  # fmt: skip


class FakePeer:
    """Records what the broker answered and whether it ended the connection."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed_with = ""

    def send(self, header: dict[str, Any], blob: bytes = b"", fds: Any = ()) -> None:
        self.sent.append(dict(header))

    def reply(self, request_id: Any, header: dict[str, Any], blob: bytes = b"", fds: Any = ()) -> None:
        self.sent.append({**header, "re": request_id})

    def reply_error(self, request_id: Any, error: Exception) -> None:
        self.sent.append({"op": "error", "re": request_id})

    def close(self, reason: str = "") -> None:
        self.closed_with = reason


def broker(grant: frozenset[p.Capability] | None) -> tuple[BrokeredAgent, RecordingSink, FakeScreen]:
    sink, screen = RecordingSink(), FakeScreen()
    agent = BrokeredAgent(command=["false"], screen=screen, consent=ScriptedConsent(grant), input_sink=sink)
    return agent, sink, screen


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    op=st.sampled_from(OPS + CAPTURE_OPS),
    fields=st.dictionaries(field_names, json_values, max_size=6),
    blob=st.binary(max_size=64),
)
def test_any_message_is_carried_out_within_consent_or_ends_the_process(
    op: str, fields: dict[str, Any], blob: bytes
) -> None:
    agent, sink, screen = broker(grant=None)  # the user has not answered anything
    peer = FakePeer()
    header = {**fields, "op": op}
    if op in CAPTURE_OPS:
        try:
            agent._capture(header, peer)  # type: ignore[arg-type]
        except IpcViolation:
            pass
        except Exception as error:
            assert type(error).__name__ == "PrivsepError", repr(error)
    else:
        agent._handle(peer, header, blob, [])  # type: ignore[arg-type]
    assert [e for e in sink.events if e[0] != "release_all"] == []  # no input without control
    assert screen.grabs == 0  # no grab without view


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(min_size=1, max_size=300))
def test_arbitrary_bytes_on_the_socket_end_in_messages_or_a_closed_connection(data: bytes) -> None:
    ours, theirs = socket.socketpair()
    received: list[dict[str, Any]] = []
    closed = threading.Event()
    peer = IpcPeer(
        ours, lambda header, blob, fds: received.append(header), name="prop", on_closed=lambda _r: closed.set()
    )
    peer.start()
    theirs.sendall(data)
    theirs.close()
    assert closed.wait(10)  # the reader ended (end of stream or a violation), never hung or crashed
    assert all(isinstance(h.get("op"), str) for h in received)
    peer.join(5)
