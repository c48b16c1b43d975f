"""The assist app's controller: the only thing its windows talk to, and the only thing the agent talks to.

The agent (``app.remote.agent``) runs on its own threads.  It reports to the UI by calling the ``report_*``
methods of :class:`AssistController` from any thread; those emit signals, and because the controller lives
on the GUI thread, Qt queues them to the GUI thread.  The UI asks the agent for things through an
:class:`AssistBackend` — a small structural interface whose methods must return at once (they hand the
request to the agent's own thread).  ``app.cli.assist`` plugs the real agent in; tests and the screenshot
script use :class:`ScriptedAssistBackend`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from app.ui.assist.models import ConsentRequest, RepairRequest, SelfCheckFinding, SessionSummary
from app.ui.worker import run_in_background

log = logging.getLogger(__name__)


class AssistBackend(Protocol):
    """What the assist app needs from the agent.  Every method returns promptly."""

    def start_help(self) -> None:
        """Ask for a session code and start waiting for a technician."""

    def cancel_help(self) -> None:
        """Stop waiting; the code becomes invalid."""

    def answer_consent(self, granted: frozenset[str]) -> None:
        """The user's decision: the capabilities granted (empty = denied)."""

    def set_prompt_open(self, is_open: bool) -> None:
        """A consent or approval prompt is on screen: the agent applies no remote input meanwhile."""

    def pause(self) -> None:
        """Stop sending the screen and applying input until :meth:`resume`."""

    def resume(self) -> None:
        """Continue after :meth:`pause`."""

    def revoke_control(self) -> None:
        """Take back control: input stops, viewing continues."""

    def end_session(self) -> None:
        """End the session now."""

    def send_chat(self, text: str) -> None:
        """Send a chat message to the technician."""

    def answer_repair(self, request_id: str, approved: bool) -> None:
        """The user's decision on one repair."""

    def send_feedback(self, rating: int, comment: str) -> None:
        """The satisfaction rating (1–5) and comment, for the case."""


SelfCheck = Callable[[], Sequence[SelfCheckFinding]]
"""Runs the local info and diagnostic scripts (blocking; the controller calls it off the GUI thread)."""


class AssistController(QObject):
    """Turns agent reports into signals for the windows, and user actions into backend calls."""

    code_issued = Signal(str, int)  # code, seconds it stays valid
    state_changed = Signal(str)  # idle, waiting, connecting, consent, active, paused, disconnected, ended
    consent_requested = Signal(object)  # ConsentRequest
    consent_dismissed = Signal()  # the agent withdrew the prompt (timeout, link lost)
    session_number = Signal(int)  # gateway mode: the number the technician types with the code
    granted_changed = Signal(object)  # frozenset[str]
    remote_input_active_changed = Signal(bool)
    chat_received = Signal(str, str)  # sender, text
    repair_requested = Signal(object)  # RepairRequest
    changed_by_technician = Signal(str)  # title of a change the technician ran and approved themselves
    session_ended = Signal(object)  # SessionSummary
    problem = Signal(str)  # plain-language, already translated or a translatable template
    self_check_done = Signal(object)  # list[SelfCheckFinding]
    self_check_failed = Signal(str)

    def __init__(
        self,
        backend: AssistBackend,
        self_check: SelfCheck | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.self_check = self_check
        self.granted: frozenset[str] = frozenset()
        self.remote_input_active = False
        self.technician_name = ""
        self._prompts_open = 0

    # ----- reports from the agent (any thread) -----
    def report_code(self, code: str, seconds_valid: int) -> None:
        """A new session code is ready (also after three wrong tries)."""
        self.code_issued.emit(code, seconds_valid)

    def report_state(self, state: str) -> None:
        """The session moved to another state."""
        self.state_changed.emit(state)

    def report_consent_request(self, request: ConsentRequest) -> None:
        """A technician paired and asks for capabilities."""
        self.consent_requested.emit(request)

    def report_consent_dismissed(self) -> None:
        """The agent no longer waits for an answer: close the prompt (as a refusal)."""
        self.consent_dismissed.emit()

    def report_session_number(self, number: int) -> None:
        """Gateway mode: the session number (the gateway port) to read out with the code."""
        self.session_number.emit(number)

    def report_granted(self, granted: frozenset[str]) -> None:
        """The capabilities in force changed (grant, pause, revoke)."""
        self.granted_changed.emit(frozenset(granted))

    def report_remote_input(self, active: bool) -> None:
        """Whether the agent is currently applying the technician's input."""
        self.remote_input_active_changed.emit(active)

    def report_chat(self, sender: str, text: str) -> None:
        """A chat message from the technician."""
        self.chat_received.emit(sender, text)

    def report_repair_request(self, request: RepairRequest) -> None:
        """The technician wants to run a repair."""
        self.repair_requested.emit(request)

    def report_change_by_technician(self, title: str) -> None:
        """The technician ran a change over their own link, approved by themselves (listed in the summary)."""
        self.changed_by_technician.emit(title)

    def report_ended(self, summary: SessionSummary) -> None:
        """The session ended (by either side or by the link)."""
        self.session_ended.emit(summary)

    def report_problem(self, text: str) -> None:
        """Something went wrong that the user should know about."""
        self.problem.emit(text)

    # ----- user actions (GUI thread) -----
    def request_help(self) -> None:
        """The user pressed "Get help"."""
        self.backend.start_help()

    def cancel_help(self) -> None:
        """The user stopped waiting for a technician."""
        self.backend.cancel_help()

    def prompt_opened(self) -> None:
        """A consent or repair prompt appeared: suspend remote input in the agent."""
        self._prompts_open += 1
        if self._prompts_open == 1:
            self.backend.set_prompt_open(True)

    def prompt_closed(self) -> None:
        """A prompt was answered or closed."""
        self._prompts_open = max(0, self._prompts_open - 1)
        if self._prompts_open == 0:
            self.backend.set_prompt_open(False)

    def answer_consent(self, granted: frozenset[str]) -> None:
        """Forward the user's consent decision."""
        self.backend.answer_consent(frozenset(granted))

    def pause(self) -> None:
        """Pause viewing and control."""
        self.backend.pause()

    def resume(self) -> None:
        """Resume after a pause."""
        self.backend.resume()

    def take_back_control(self) -> None:
        """Revoke the control capability."""
        self.backend.revoke_control()

    def end_session(self) -> None:
        """End the session."""
        self.backend.end_session()

    def send_chat(self, text: str) -> None:
        """Send a chat message."""
        self.backend.send_chat(text)

    def answer_repair(self, request_id: str, approved: bool) -> None:
        """Forward the user's decision on a repair."""
        self.backend.answer_repair(request_id, approved)

    def send_feedback(self, rating: int, comment: str) -> None:
        """Forward the rating and comment."""
        self.backend.send_feedback(rating, comment)

    def run_self_check(self) -> bool:
        """Start "Check my computer" in the background; False when no diagnostics are available."""
        check = self.self_check
        if check is None:
            return False
        run_in_background(
            lambda: list(check()),
            self.self_check_done.emit,
            lambda error: self.self_check_failed.emit(str(error)),
            self,
        )
        return True


class ScriptedAssistBackend:
    """A backend without an agent: it records every call, for tests, screenshots and ``--smoke``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def _record(self, name: str, value: object = None) -> None:
        self.calls.append((name, value))

    def start_help(self) -> None:
        self._record("start_help")

    def cancel_help(self) -> None:
        self._record("cancel_help")

    def answer_consent(self, granted: frozenset[str]) -> None:
        self._record("answer_consent", granted)

    def set_prompt_open(self, is_open: bool) -> None:
        self._record("set_prompt_open", is_open)

    def pause(self) -> None:
        self._record("pause")

    def resume(self) -> None:
        self._record("resume")

    def revoke_control(self) -> None:
        self._record("revoke_control")

    def end_session(self) -> None:
        self._record("end_session")

    def send_chat(self, text: str) -> None:
        self._record("send_chat", text)

    def answer_repair(self, request_id: str, approved: bool) -> None:
        self._record("answer_repair", (request_id, approved))

    def send_feedback(self, rating: int, comment: str) -> None:
        self._record("send_feedback", (rating, comment))
