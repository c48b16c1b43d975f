"""The demo's "user machine": the assist agent on a virtual display, with a scripted end user.

``podpora demo`` starts this module as its own process (``python -m app.cli.demo_user``) with ``DISPLAY``
pointing at a private Xvfb, so that capture and input act on that display only and the technician side stays
a separate process, as in real life.  It talks to the demo over stdout, one JSON object per line:

* ``ready``: the agent's loopback port and the session code the user would read out;
* ``consent`` / ``approval``: what the user was shown and what the scripted user answered;
* ``state``, ``chat``, ``ended``: what the user's side saw.

The scripted user takes a moment before each answer (so a person watching the console sees the prompt
pending), grants view, control and diagnostics but not clipboard, approves the repair it is shown after
reading what it changes and how to undo it, and rates the help when the technician asks for feedback.
Nothing here weakens the agent: consent and approvals go through exactly the same code paths as the
assist app's dialogs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

USER_PAUSE_SECONDS = 1.0
SAMPLE_DESKTOP_TEXT = (
    "Jana Novak - Accounts\\n\\n"
    "  Saving 'Invoices November.xlsx' failed:\\n"
    "  No space left on device.\\n\\n"
    "  (This is the demo's sample desktop. The technician can see and use it.)\\n"
)


def emit(event: str, **fields: Any) -> None:
    """Tell the demo what happened on the user's side (one JSON line on stdout)."""
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


class ScriptedUser:
    """Answers the agent's consent prompt like a careful user: after reading it, per capability."""

    def __init__(self, granted: frozenset[str]) -> None:
        self.granted = granted
        self._timer: threading.Timer | None = None

    def ask(self, prompt: Any, answer: Callable[[frozenset[Any]], None]) -> None:
        """Show the prompt (as a log line), then answer after a moment on a timer thread."""
        chosen = frozenset(c for c in prompt.capabilities if c.value in self.granted)
        emit(
            "consent",
            who=prompt.verification.summary,
            verified=prompt.verification.verified,
            reason=prompt.reason,
            asked=sorted(c.value for c in prompt.capabilities),
            granted=sorted(c.value for c in chosen),
        )
        self._timer = threading.Timer(USER_PAUSE_SECONDS, answer, args=(chosen,))
        self._timer.daemon = True
        self._timer.start()

    def dismiss(self) -> None:
        """The agent withdrew the prompt (timeout or session end)."""
        if self._timer is not None:
            self._timer.cancel()


def approve_repair(request: Any) -> bool:
    """The scripted user reads the repair's description, what changes and the undo, and approves."""
    emit(
        "approval",
        script=request.script_id,
        title=request.title.get("en"),
        changes=request.changes.get("en") if request.changes else "",
        undo=request.undo.get("en") if request.undo else "",
        approved=True,
    )
    threading.Event().wait(USER_PAUSE_SECONDS)  # the user reads before clicking (a worker thread waits)
    return True


def start_sample_desktop(display: str, geometry: str = "90x20+60+60") -> subprocess.Popen[bytes] | None:
    """An xterm on the user's display showing the problem the user called about."""
    try:
        return subprocess.Popen(
            [
                "xterm",
                "-display",
                display,
                "-geometry",
                geometry,
                "-fa",
                "DejaVu Sans Mono",
                "-fs",
                "13",
                "-T",
                "Accounts",
                "-e",
                "sh",
                "-c",
                'printf "%b" "$1"; exec cat',  # the text is an argument, never part of the shell string
                "sample-desktop",
                SAMPLE_DESKTOP_TEXT,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        emit("notice", text="xterm is not installed; the sample desktop is empty")
        return None


def main(argv: list[str] | None = None) -> int:
    """Run the user machine until SIGTERM or until the session ends."""
    parser = argparse.ArgumentParser(prog="podpora-demo-user")
    parser.add_argument("--display", required=True)
    parser.add_argument("--org-key", required=True, help="the organisation's public key, hex")
    parser.add_argument("--grant", default="view,control,diagnostics")
    parser.add_argument("--window", action="store_true", help="run the real assist app, answered with the mouse")
    parser.add_argument("--pause", type=float, default=USER_PAUSE_SECONDS, help="seconds before each user step")
    parser.add_argument(
        "--answers", default="consent,repair,chat,rating", help="with --window: what the scripted user answers"
    )
    args = parser.parse_args(argv)
    if args.window:
        return run_window(args)
    import logging

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    os.environ["DISPLAY"] = args.display  # pynput and mss read it when they load

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.remote.agent import AgentCallbacks, AssistAgent
    from app.remote.capture import MssScreenSource
    from app.remote.encode import FrameEncoder
    from app.remote.inject import PynputInputSink, ScreenMapping
    from app.ui.diagnostics_wiring import AgentDiagnostics

    desktop = start_sample_desktop(args.display)
    screen = MssScreenSource(args.display)
    sink = PynputInputSink()
    finished = threading.Event()
    asked_for_feedback = threading.Event()
    agent: AssistAgent

    def on_chat(text: str) -> None:
        emit("chat", sender="technician", text=text)
        if "how did we do" in text.lower() and not asked_for_feedback.is_set():
            asked_for_feedback.set()
            agent.send_feedback(5, "Quick and clear, and I saw every step. Thank you!")
            emit("feedback", rating=5)
        elif not asked_for_feedback.is_set():
            reply = "Thanks! It says the disk is full whenever I save."
            agent.send_chat(reply)
            emit("chat", sender="user", text=reply)

    def on_ended(reason: str) -> None:
        emit("ended", reason=reason)
        finished.set()

    # A lambda, because the agent it sends through is created just below.
    diagnostics = AgentDiagnostics(send=lambda m: agent.send_local(m), approve=approve_repair, language=lambda: "en")  # noqa: PLW0108
    agent = AssistAgent(
        screen=screen,
        consent=ScriptedUser(frozenset(args.grant.split(","))),
        input_sink=sink,
        encoder_factory=FrameEncoder,
        on_mapping=lambda left, top, width, height: sink.set_mapping(ScreenMapping(left, top, width, height)),
        org_keys=[Ed25519PublicKey.from_public_bytes(bytes.fromhex(args.org_key))],
        callbacks=AgentCallbacks(
            on_state=lambda state, granted, paused: emit("state", state=state, granted=sorted(granted)),
            on_chat=on_chat,
            on_diagnostic=diagnostics.handle,
            on_ended=on_ended,
        ),
    )
    signal.signal(signal.SIGTERM, lambda *_: finished.set())
    port = agent.listen(0)
    emit("ready", port=port, code=agent.code())
    try:
        finished.wait()
    finally:
        agent.stop()
        sink.close()
        if desktop is not None:
            desktop.terminate()
            desktop.wait(timeout=5)
        emit("stopped")
    return 0


def run_window(args: argparse.Namespace) -> int:
    """The real assist app (window, agent, consent and approval dialogs) with a person clicking it."""
    os.environ["DISPLAY"] = args.display
    os.environ["QT_QPA_PLATFORM"] = "xcb"  # a real X window on the user's display, seen by the technician
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from PySide6.QtCore import QTimer

    from app.cli.child_process import python_module_command
    from app.ui.application import start_qt
    from app.ui.assist import wiring
    from app.ui.assist.controller import AssistController
    from app.ui.assist.window import AssistWindow
    from app.ui.demo_user import LocalMouse, ScriptedUser

    desktop = start_sample_desktop(args.display, "64x14+40+40")
    context = start_qt("Podpora assist", base_point_size=11, language="en")
    backend = wiring.make_backend(
        listen=0,  # any free port on 127.0.0.1; the demo reads it from the "ready" line
        org_keys=[Ed25519PublicKey.from_public_bytes(bytes.fromhex(args.org_key))],
        language=lambda: "en",
        protocol_process=python_module_command("app.remote.privsep"),  # as in `podpora assist`: confined parsing
    )
    controller = AssistController(backend)
    backend.bind(controller)
    window = AssistWindow(controller, context.languages, brand_name="Demo Company")
    window.setGeometry(620, 30, 640, 740)
    user = ScriptedUser(
        window,
        controller,
        port=lambda: backend.port,
        emit=emit,
        mouse=LocalMouse(args.display),
        grant=frozenset(args.grant.split(",")),
        pause_ms=int(args.pause * 1000),
        answers=frozenset(args.answers.split(",")),
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    watchdog = QTimer()
    watchdog.setInterval(200)  # lets Python run the SIGTERM handler while Qt's loop waits
    watchdog.timeout.connect(lambda: context.app.quit() if stop.is_set() else None)
    watchdog.start()
    window.show()
    user.start()
    try:
        context.app.exec()
    finally:
        backend.shutdown()
        if desktop is not None:
            desktop.terminate()
            desktop.wait(timeout=5)
        emit("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
