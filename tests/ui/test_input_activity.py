"""The prompts' guard follows the technician's input as it is applied, not the mere grant of control: the
person at the machine can answer a repair prompt with their own mouse once the technician's input is quiet."""

from __future__ import annotations

import threading
import time

from pytestqt.qtbot import QtBot

from app.ui.assist.controller import AssistController
from app.ui.assist.wiring import AgentAssistBackend, InputActivity


class Sink:
    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []
        self.closed = False

    def pointer(self, x: int, y: int, buttons: int = 0, wheel: int = 0, wheel_horizontal: int = 0) -> None:
        self.events.append(("pointer", x, y, buttons))

    def key(self, down: bool, keysym: int | None = None, text: str | None = None) -> None:
        self.events.append(("key", down, keysym))

    def release_all(self) -> None:
        self.events.append(("release_all",))

    def close(self) -> None:
        self.closed = True


class Changes:
    def __init__(self) -> None:
        self.seen: list[tuple[bool, float]] = []
        self.quiet = threading.Event()

    def __call__(self, active: bool) -> None:
        self.seen.append((active, time.monotonic()))
        if not active:
            self.quiet.set()


def test_active_while_input_is_applied_and_while_a_button_is_held() -> None:
    sink, changes = Sink(), Changes()
    activity = InputActivity(sink, changes, quiet_seconds=0.05)
    try:
        activity.pointer(10, 10, 1)  # button pressed: held
        assert changes.seen[0][0] is True and activity.active
        threading.Event().wait(0.2)  # longer than the quiet time: the held button keeps it active
        released_at = time.monotonic()
        activity.pointer(10, 10, 0)
        assert changes.quiet.wait(5)
        assert changes.seen[-1][0] is False and changes.seen[-1][1] >= released_at
        assert [active for active, _ in changes.seen] == [True, False]
        assert sink.events == [("pointer", 10, 10, 1), ("pointer", 10, 10, 0)]  # everything still applied
        changes.quiet.clear()
        activity.key(True, 0x61)
        activity.key(False, 0x61)
        assert changes.quiet.wait(5)
        assert [active for active, _ in changes.seen] == [True, False, True, False]
    finally:
        activity.close()
    assert sink.closed


def test_granting_control_alone_does_not_block_the_users_own_clicks(qtbot: QtBot) -> None:
    backend = AgentAssistBackend(listen=0)
    controller = AssistController(backend)
    backend.bind(controller)
    reported: list[bool] = []
    controller.remote_input_active_changed.connect(reported.append)
    backend.sink = InputActivity(Sink(), backend._input_activity, quiet_seconds=0.05)
    try:
        backend._on_state("active", frozenset({"view", "control"}), False)
        qtbot.wait(50)
        assert True not in reported  # control granted, no input applied yet
        backend.sink.pointer(5, 5, 0)
        qtbot.waitUntil(lambda: reported[-1:] == [False] and True in reported, timeout=5000)
        backend._on_state("active", frozenset({"view"}), False)  # control taken back
        qtbot.waitUntil(lambda: reported[-1] is False)
    finally:
        backend.sink.close()
