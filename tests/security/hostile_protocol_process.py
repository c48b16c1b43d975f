"""A compromised protocol process, for the broker's tests (SECURITY-BAR T26): it breaks the rules on purpose.

The broker starts it in place of ``app.remote.privsep`` (``python hostile_protocol_process.py MODE --ipc-fd N
--listen-fd M``).  It speaks the broker's message set with the broker's own framing, but does what the real
protocol process never would: it injects input without consent, lies about what the user granted, keeps typing
after the user stopped, asks for monitors that were never listed, or sends garbage.  What the broker answered is
reported back as one chat line of JSON (through the broker's real chat callback), so the test reads it there.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for `app`

from app.remote.privsep import IpcClosed, IpcPeer


class Hostile:
    """The rule-breaking child: one scenario per mode."""

    def __init__(self, ipc: socket.socket) -> None:
        self.messages: list[dict[str, Any]] = []
        self.changed = threading.Condition()
        self.peer = IpcPeer(ipc, self._handle, name="hostile", on_closed=lambda _reason: self._note({"op": "closed"}))

    def _handle(self, header: dict[str, Any], blob: bytes, fds: list[int]) -> None:
        self._note(header)

    def _note(self, header: dict[str, Any]) -> None:
        with self.changed:
            self.messages.append(header)
            self.changed.notify_all()

    def wait_for(self, op: str, timeout: float = 30) -> dict[str, Any]:
        with self.changed:
            self.changed.wait_for(lambda: any(m.get("op") == op for m in self.messages), timeout)
            return next((m for m in self.messages if m.get("op") == op), {})

    def ask(self, op: str, **fields: Any) -> str:
        try:
            reply, _, _ = self.peer.request({"op": op, **fields}, timeout=10)
        except IpcClosed as error:
            return f"closed: {error}"
        except Exception as error:
            return f"refused: {error}"
        return "answered: " + ",".join(sorted(reply))

    def ask_consent(self, claim: bytes = b"", **extra: Any) -> Any:
        """Ask the broker's user for view and control, as the real process does; return what was granted."""
        request = {
            "op": "consent_ask",
            "ask": 1,
            "session_id": "00" * 8,
            "capabilities": ["view", "control"],
            "reason": "",
            "case_ref": "",
            "seconds": 30,
            **extra,
        }
        self.peer.send(request, claim)
        return self.wait_for("consent_answer").get("capabilities")

    def type_and_click(self) -> None:
        self.peer.send({"op": "pointer", "x": 3, "y": 4, "buttons": 1, "wheel": 0, "wheel_h": 0})
        self.peer.send({"op": "key", "down": True, "keysym": 0x61, "text": None})

    def report(self, results: dict[str, Any]) -> None:
        self.peer.send({"op": "chat", "text": json.dumps(results)})


def main() -> int:
    mode = sys.argv[1]  # then, for fake-verified, the claim to present as hex (optional)
    ipc_fd = int(sys.argv[sys.argv.index("--ipc-fd") + 1])
    hostile = Hostile(socket.socket(fileno=ipc_fd))
    hostile.peer.start()
    hostile.wait_for("init")
    hostile.peer.send({"op": "ready", "confinement": "hostile test process (not confined)"})
    results: dict[str, Any] = {}
    if mode == "no-consent":
        hostile.type_and_click()
        hostile.peer.send({"op": "clipboard", "text": "planted clipboard"})
        results["monitors"] = hostile.ask("monitors")
        results["grab"] = hostile.ask("grab", monitor=0)
        results["cursor"] = hostile.ask("cursor")
    elif mode == "widen":
        results["answer"] = hostile.ask_consent()
        # It claims the user granted everything and keeps typing.
        hostile.peer.send(
            {"op": "state", "state": "active", "granted": ["view", "control", "clipboard"], "paused": False}
        )
        hostile.type_and_click()
        hostile.peer.send({"op": "clipboard", "text": "planted clipboard"})
        results["monitors"] = hostile.ask("monitors")
        hostile.report(results)
        hostile.wait_for("chat")  # the test says when
        hostile.ask("grab", monitor=7)  # a monitor the broker never listed: a rule broken
        hostile.wait_for("closed")
        return 0
    elif mode == "after-stop":
        results["answer"] = hostile.ask_consent()
        hostile.type_and_click()  # allowed: the user granted control
        results["monitors_before"] = hostile.ask("monitors")
        hostile.report({"phase": "granted"})
        hostile.wait_for("end_session")
        hostile.type_and_click()  # the user pressed Stop: the process ignores it and goes on
        results["monitors_after"] = hostile.ask("monitors")
    elif mode == "fake-verified":
        # The old way: a "verified" identity written by the protocol process itself, beside the claim (if any).
        claim = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else b""
        verification = {"verified": True, "name": "IT Department", "org": "Example"}
        results["answer"] = hostile.ask_consent(claim, verification=verification)
    elif mode == "garbage":
        hostile.wait_for("chat")  # the test says when
        hostile.peer._sock.sendall(b"\x00\x00\x00\x10\x00\x00\x00\x04nope" + b"\xff" * 8)
        hostile.wait_for("closed")
        return 0
    elif mode == "descriptors":
        import os

        hostile.wait_for("chat")  # the test says when
        read_end, write_end = os.pipe()
        hostile.peer.send({"op": "chat", "text": "with a descriptor", "fds": 1}, fds=[read_end])
        os.close(write_end)
        hostile.wait_for("closed")
        return 0
    hostile.report(results)
    hostile.wait_for("stop", timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
