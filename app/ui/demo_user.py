"""The demo's scripted end user, operating the real assist app on the user machine's virtual display.

``podpora demo`` runs the real :class:`AssistWindow` (with the real agent behind it) on a private Xvfb.  This
class plays the person sitting at that machine: it presses *Get help*, reads the code out (to the demo, as a
JSON line), and answers the consent prompt, the repair approval and the rating **with the local mouse** —
``xdotool`` moves the X pointer of that display and clicks, exactly as a person's mouse would.  The clicks are
spontaneous window-system events, so they pass the prompts' remote-input guard only when no technician input
is being applied; nothing goes through the remote input channel (the agent would not apply it while a prompt
is open).  Every step waits a visible moment first, so a person watching the console sees it happen.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QCheckBox, QWidget

from app.ui.assist.controller import AssistController
from app.ui.assist.models import ConsentRequest, RepairRequest, SessionSummary
from app.ui.assist.window import AssistWindow

Emit = Callable[..., None]

#: How often the scripted user tries again when a click did not answer a prompt (e.g. dropped by the guard).
RETRY_MS = 1500
ATTEMPTS = 20


class LocalMouse:
    """Clicks on the local X display with ``xdotool`` (argv lists, never a shell)."""

    def __init__(self, display: str) -> None:
        self.env = {**os.environ, "DISPLAY": display}
        self._one_hand = threading.Lock()  # one mouse: two clicks at once would land both on the last spot

    def click(self, widget: QWidget) -> None:
        """Move the pointer to the middle of ``widget`` and click, off the GUI thread."""
        target = widget.rect().center()
        if isinstance(widget, QCheckBox):  # only the box and its text take a click, not the stretched rest
            target.setX(min(widget.rect().width() - 1, 8))
        centre = widget.mapToGlobal(target)
        # No --sync: it waits for a motion that never comes when the pointer is already there.  XTEST events
        # are processed in order, so the click lands where the move put the pointer.
        argv = ["xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1"]

        def run() -> None:
            with self._one_hand, contextlib.suppress(subprocess.TimeoutExpired, OSError):
                subprocess.run(argv, env=self.env, check=False, timeout=10, capture_output=True)

        threading.Thread(target=run, name="podpora-demo-click", daemon=True).start()


class ScriptedUser(QObject):
    """Answers the assist app's own prompts by clicking them, after a visible pause."""

    def __init__(
        self,
        window: AssistWindow,
        controller: AssistController,
        *,
        port: Callable[[], int],
        emit: Emit,
        mouse: LocalMouse,
        grant: frozenset[str],
        pause_ms: int = 1500,
        answers: frozenset[str] = frozenset({"consent", "repair", "chat", "rating"}),
    ) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.port = port
        self.report = emit
        self.mouse = mouse
        self.grant = grant
        self.pause_ms = pause_ms
        self.answers = answers  # which prompts this user answers; the others stay open for someone else
        self.announced = False
        self.replied = False
        self.rated = False
        # Connected after the window's own slots, so the window's dialogs exist when these run.
        controller.code_issued.connect(self._code)
        controller.consent_requested.connect(self._consent)
        controller.repair_requested.connect(self._repair)
        controller.chat_received.connect(self._chat)
        controller.session_ended.connect(self._ended)

    def start(self) -> None:
        """Press *Get help* after a moment."""
        self.report("window", name=type(self.window).__name__)
        QTimer.singleShot(self.pause_ms, lambda: self.mouse.click(self.window.get_help_button))

    def _later(self, action: Callable[[], None], factor: float = 1.0) -> None:
        QTimer.singleShot(int(self.pause_ms * factor), action)

    def _until(self, done: Callable[[], bool], attempt: Callable[[], None], what: str, tries: int = ATTEMPTS) -> None:
        """Try ``attempt`` until ``done``; a click can be dropped (remote input was active), so retry."""
        if done():
            return
        if tries <= 0:
            self.report("notice", text=f"the scripted user could not {what}")
            return
        attempt()
        QTimer.singleShot(RETRY_MS, lambda: self._until(done, attempt, what, tries - 1))

    # ----- the code -----
    def _code(self, code: str, _seconds: int) -> None:
        if not self.announced:
            self.announced = True
            self.report("ready", port=self.port(), code=code)

    # ----- consent -----
    def _consent(self, request: ConsentRequest) -> None:
        technician = request.technician
        who = (
            f"Verified: {technician.name}, {technician.team}, {technician.organisation}"
            if technician.verified
            else f"NOT verified: {technician.name}"
        )
        chosen = sorted(c for c in request.capabilities if c in self.grant)
        self.report(
            "consent",
            who=who,
            verified=technician.verified,
            reason=request.reason,
            asked=sorted(request.capabilities),
            granted=chosen,
        )
        dialog = self.window.consent_dialog
        if dialog is None or "consent" not in self.answers:
            return

        def set_box(box: QCheckBox, wanted: bool) -> None:
            self._until(lambda: box.isChecked() == wanted, lambda: self.mouse.click(box), "tick a capability")

        def choose() -> None:
            # Control is never pre-ticked for an unverified technician; the clipboard the user keeps.
            for name, box in dialog.checkboxes.items():
                set_box(box, name in self.grant)

        def as_wanted() -> bool:
            return all(box.isChecked() == (name in self.grant) for name, box in dialog.checkboxes.items())

        def accept() -> None:
            # Only once every box says what this user wants (a click on a box may still be on its way).
            self._until(
                lambda: self.window.consent_dialog is not dialog,
                lambda: (
                    self.mouse.click(dialog.accept_button) if dialog.accept_button.isEnabled() and as_wanted() else None
                ),
                "accept the consent prompt",
            )

        # The prompt has to be on the screen before anything can be clicked on it.
        settle = max(1.0, 500 / max(1, self.pause_ms))
        self._later(choose, settle)
        self._later(accept, settle + 1.0)

    # ----- repair -----
    def _repair(self, request: RepairRequest) -> None:
        dialogs = [d for d in self.window.repair_dialogs if d.request.request_id == request.request_id]
        if not dialogs:
            return
        dialog = dialogs[0]
        centre = dialog.approve_button.mapToGlobal(dialog.approve_button.rect().center())
        self.report(
            "approval",
            title=request.title,
            changes=request.changes,
            undo=request.undo,
            approved="repair" in self.answers,
            button=[centre.x(), centre.y()],  # where Approve is on the user's screen
        )
        if "repair" not in self.answers:
            return

        def approve() -> None:
            self._until(
                lambda: dialog not in self.window.repair_dialogs,
                lambda: self.mouse.click(dialog.approve_button) if dialog.approve_button.isEnabled() else None,
                "approve the repair",
            )

        self._later(approve, 2.0)  # the user reads what changes and how to undo it

    # ----- chat and rating -----
    def _chat(self, _sender: str, text: str) -> None:
        if "how did we do" in text.lower() and "rating" in self.answers:
            if not self.rated:
                self.rated = True
                self._later(self._rate)
        elif not self.replied and "chat" in self.answers:
            self.replied = True
            self._later(lambda: self._say("Thanks! It says the disk is full whenever I save."))

    def _say(self, text: str) -> None:
        self.window.chat.input.setText(text)
        self._until(
            lambda: not self.window.chat.input.text(), lambda: self.mouse.click(self.window.chat.send_button), "chat"
        )
        self.report("chat", sender="user", text=text)

    def _rate(self) -> None:
        five = self.window.rating.buttons[4]
        comment = "Quick and clear, and I saw every step. Thank you!"

        def send() -> None:
            self.window.comment.setPlainText(comment)
            self._until(
                lambda: self.window.feedback_sent,
                lambda: self.mouse.click(self.window.send_feedback_button),
                "send the rating",
            )

        def sent() -> None:
            if self.window.feedback_sent:
                self.report("feedback", rating=self.window.rating.rating, comment=comment)
            else:
                QTimer.singleShot(RETRY_MS, sent)

        self._until(lambda: self.window.rating.rating == 5, lambda: self.mouse.click(five), "pick a rating")
        self._later(send)
        self._later(sent, 2.0)

    # ----- the end -----
    def _ended(self, summary: SessionSummary) -> None:
        def report() -> None:
            self.report(
                "summary",
                text=self.window.summary_text.toPlainText(),
                items=[{"text": item.text, "undo": item.undo} for item in summary.items],
            )

        self._later(report, 0.5)


def attach(window: AssistWindow, controller: AssistController, **options: Any) -> ScriptedUser:
    """Create the scripted user for ``window`` (see :class:`ScriptedUser` for the options)."""
    return ScriptedUser(window, controller, **options)
