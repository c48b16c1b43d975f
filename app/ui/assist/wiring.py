"""Wiring the assist app to the real agent (``app.remote.agent``), capture, input and the gateway.

:class:`AgentAssistBackend` is the window's :class:`AssistBackend`: every method returns at once and hands
slow work (opening the display, listening, reaching the gateway) to a thread.  The agent's consent prompt
goes through :class:`WindowConsent`, which shows the window's dialog and answers the agent when the user
decides; the agent itself refuses when its deadline passes and never applies input while a prompt is open.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from app.errors import PodporaError
from app.remote import protocol as p
from app.remote.agent import DEFAULT_PORT, AgentCallbacks, AssistAgent, ConsentPrompt
from app.remote.privsep import BrokeredAgent
from app.remote.session import RESUME_GRACE_SECONDS
from app.ui.assist.controller import AssistController
from app.ui.assist.models import (
    CAPABILITIES,
    ConsentRequest,
    RepairRequest,
    SelfCheckFinding,
    SessionSummary,
    SummaryItem,
    TechnicianIdentity,
)
from app.ui.i18n import error_text

log = logging.getLogger(__name__)

#: Longest wait for the user's answer to a repair (the dialog itself declines after 120 s).
REPAIR_ANSWER_SECONDS = 150

_STATES = {
    "awaiting hello": "connecting",
    "awaiting pairing": "connecting",
    "awaiting pairing confirmation": "connecting",
    "paired": "connecting",
    "asking the user": "consent",
    "active": "active",
    "technician disconnected": "disconnected",
}


class WindowConsent:
    """The agent's ConsentProvider, answered by the assist window's consent dialog."""

    def __init__(self) -> None:
        self.controller: AssistController | None = None
        self._answer: Callable[[frozenset[p.Capability]], None] | None = None
        self._lock = threading.Lock()
        self.technician = TechnicianIdentity("")

    def ask(self, prompt: ConsentPrompt, answer: Callable[[frozenset[p.Capability]], None]) -> None:
        verification = prompt.verification
        self.technician = TechnicianIdentity(
            name=verification.name or "?",
            team=verification.team,
            organisation=verification.org,
            fingerprint=verification.fingerprint,
            verified=verification.verified,
        )
        with self._lock:
            self._answer = answer
        reason = " – ".join(x for x in (prompt.reason, prompt.case_ref) if x)
        request = ConsentRequest(
            self.technician,
            tuple(c for c in CAPABILITIES if c in {str(x.value) for x in prompt.capabilities}),
            reason,
            seconds_to_answer=max(1, int(prompt.deadline - time.monotonic())),
        )
        if self.controller is not None:
            self.controller.report_consent_request(request)

    def answer(self, granted: frozenset[str]) -> None:
        """The user decided (called on the GUI thread)."""
        with self._lock:
            answer, self._answer = self._answer, None
        if answer is not None:
            answer(frozenset(p.Capability(c) for c in granted if c in {x.value for x in p.Capability}))

    def dismiss(self) -> None:
        with self._lock:
            self._answer = None
        if self.controller is not None:
            self.controller.report_consent_dismissed()


class InputActivity:
    """Wraps the agent's input sink and says when the technician's input is actually being applied.

    The prompts ignore all input while remote input is active (the second layer besides the agent, which
    applies none while a prompt is open).  "Active" means an injected event was applied within the last
    ``quiet_seconds`` or a remote key or button is still held — not merely "control was granted": otherwise
    the person at the machine could not answer a repair prompt with their own mouse during a session with
    control.  Events injected just before a prompt opened still count, so they cannot answer it.
    """

    def __init__(self, sink: Any, on_change: Callable[[bool], None], quiet_seconds: float = 1.0) -> None:
        self.sink = sink
        self.on_change = on_change
        self.quiet_seconds = quiet_seconds
        self.active = False
        self._last = 0.0
        self._buttons = 0
        self._keys: set[tuple[int | None, str | None]] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        threading.Thread(target=self._watch, name="podpora-input-activity", daemon=True).start()

    def pointer(self, x: int, y: int, buttons: int = 0, wheel: int = 0, wheel_horizontal: int = 0) -> None:
        self._applied(buttons=buttons)
        self.sink.pointer(x, y, buttons, wheel, wheel_horizontal)

    def key(self, down: bool, keysym: int | None = None, text: str | None = None) -> None:
        self._applied(key=(keysym, text), down=down)
        self.sink.key(down, keysym, text)

    def release_all(self) -> None:
        with self._lock:
            self._buttons = 0
            self._keys.clear()
        self.sink.release_all()

    def set_mapping(self, mapping: Any) -> None:
        self.sink.set_mapping(mapping)

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        self.sink.close()

    def _applied(
        self, *, buttons: int | None = None, key: tuple[int | None, str | None] | None = None, down: bool = False
    ) -> None:
        with self._lock:
            self._last = time.monotonic()
            if buttons is not None:
                self._buttons = buttons
            if key is not None:
                if down:
                    self._keys.add(key)
                else:
                    self._keys.discard(key)
            became_active = not self.active
            self.active = True
        if became_active:
            self.on_change(True)
            self._wake.set()

    def _watch(self) -> None:
        while not self._closed.is_set():
            self._wake.wait()
            self._wake.clear()
            while self.active and not self._closed.is_set():
                with self._lock:
                    held = bool(self._buttons or self._keys)
                    quiet_for = time.monotonic() - self._last
                if not held and quiet_for >= self.quiet_seconds:
                    with self._lock:
                        self.active = False
                    self.on_change(False)
                    break
                self._closed.wait(max(0.05, self.quiet_seconds - quiet_for))


class AgentAssistBackend:
    """The assist window's backend over :class:`AssistAgent` (direct or gateway mode)."""

    def __init__(
        self,
        *,
        listen: int | None = None,
        gateway: Callable[[int, Callable[[int], None]], Any] | None = None,
        org_keys: Sequence[Any] = (),
        language: Callable[[], str] = lambda: "en",
        resume_grace: float = RESUME_GRACE_SECONDS,
        protocol_process: Sequence[str] | None = None,
    ) -> None:
        self.port = DEFAULT_PORT if listen is None else listen  # 0: any free port (tests)
        #: The argv of the confined protocol process (app.remote.privsep) that parses what the network sends;
        #: None parses in this process (tests of the window that do not need two processes).
        self.protocol_process = list(protocol_process) if protocol_process is not None else None
        self.resume_grace = resume_grace  # seconds a dropped technician may take to come back (0: end at once)
        self.language = language
        self._approvals: dict[str, tuple[threading.Event, list[bool]]] = {}
        self.diagnostics: Any = None
        self.org_keys = list(org_keys)  # the organisation's Ed25519 keys: they verify technicians
        #: Gateway mode: starts publishing 127.0.0.1:port on the gateway, reporting the gateway's port;
        #: returns something with ``stop()``.  Built by app.cli (app.ui may not import the SSH layer).
        self.gateway = gateway
        self.consent = WindowConsent()
        self.controller: AssistController | None = None
        self.agent: AssistAgent | BrokeredAgent | None = None
        self.publisher: Any = None
        self.sink: Any = None
        self.screen: Any = None
        self.started_at = 0.0
        self._control_allowed = False
        self._waiting = threading.Event()
        self._cancelled = threading.Event()
        self._lock = threading.Lock()

    def bind(self, controller: AssistController) -> None:
        """Report to ``controller`` from now on."""
        self.controller = controller
        self.consent.controller = controller

    # ----- AssistBackend -----
    def start_help(self) -> None:
        threading.Thread(target=self._start, name="podpora-assist-start", daemon=True).start()

    def _start(self) -> None:
        controller = self.controller
        if controller is None:
            return
        try:
            agent = self._ensure_agent()
            if self.gateway is not None:
                self.publisher = self.gateway(self.port, controller.report_session_number)
        except PodporaError as error:
            controller.report_problem(error_text(error))
            controller.report_state("idle")
            return
        self._cancelled.clear()
        self._waiting.set()
        self._watch_code(agent, controller)

    def _ensure_agent(self) -> AssistAgent | BrokeredAgent:
        with self._lock:
            if self.agent is not None:
                return self.agent
            from app.remote.capture import MssScreenSource
            from app.remote.encode import FrameEncoder

            screen = MssScreenSource()
            sink: Any = None
            try:
                from app.remote.inject import PynputInputSink

                sink = InputActivity(PynputInputSink(), self._input_activity)
            except PodporaError as error:  # view still works where input cannot be injected
                if self.controller is not None:
                    self.controller.report_problem(error_text(error))
            self.sink, self.screen = sink, screen
            from app.ui.diagnostics_wiring import AgentDiagnostics

            diagnostics = AgentDiagnostics(self._send, self._ask_user, self.language)
            self.diagnostics = diagnostics
            callbacks = AgentCallbacks(
                on_state=self._on_state,
                on_chat=self._on_chat,
                on_change_report=self._on_change_report,
                on_ended=self._on_ended,
                on_diagnostic=diagnostics.handle,
            )
            agent: AssistAgent | BrokeredAgent
            if self.protocol_process is None:
                agent = AssistAgent(
                    screen=screen,
                    consent=self.consent,
                    input_sink=sink,
                    encoder_factory=FrameEncoder,
                    on_mapping=self._mapping(sink),
                    org_keys=self.org_keys,
                    resume_grace=self.resume_grace,
                    callbacks=callbacks,
                )
            else:
                agent = BrokeredAgent(
                    command=self.protocol_process,
                    screen=screen,
                    consent=self.consent,
                    input_sink=sink,
                    on_mapping=self._mapping(sink),
                    org_keys=self.org_keys,
                    resume_grace=self.resume_grace,
                    callbacks=callbacks,
                )
            self.port = agent.listen(self.port)
            self.agent = agent
            return agent

    @staticmethod
    def _mapping(sink: Any) -> Callable[[int, int, int, int], None] | None:
        if sink is None:
            return None
        from app.remote.inject import ScreenMapping

        def apply(left: int, top: int, width: int, height: int) -> None:
            sink.set_mapping(ScreenMapping(left, top, width, height))

        return apply

    def _watch_code(self, agent: AssistAgent | BrokeredAgent, controller: AssistController) -> None:
        """Show the current code, and a new one whenever the agent issues one, while waiting."""
        shown = ""
        while self._waiting.is_set():
            try:
                code = agent.code()
            except PodporaError as error:  # the protocol process could not be started again
                controller.report_problem(error_text(error))
                controller.report_state("idle")
                return
            if code != shown:
                shown = code
                controller.report_code(code, int(agent.code_expires_in()))
            self._cancelled.wait(1.0)  # the agent issues new codes on its own; look once a second

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop everything this backend started (the app is closing); releases held keys first."""
        self.cancel_help()
        agent = self.agent
        if agent is not None:
            agent.stop()
            agent.wait_stopped(timeout)
        for resource in (self.sink, self.screen):
            close = getattr(resource, "close", None)
            if close is not None:
                close()
        self.sink = self.screen = None

    def cancel_help(self) -> None:
        self._waiting.clear()
        self._cancelled.set()
        self._stop_publisher()

    def _stop_publisher(self) -> None:
        publisher, self.publisher = self.publisher, None
        if publisher is not None:
            threading.Thread(target=publisher.stop, name="podpora-gateway-stop", daemon=True).start()

    def answer_consent(self, granted: frozenset[str]) -> None:
        self.consent.answer(granted)

    def set_prompt_open(self, is_open: bool) -> None:
        if self.agent is not None:
            self.agent.set_prompt_open(is_open)

    def pause(self) -> None:
        if self.agent is not None:
            self.agent.pause()

    def resume(self) -> None:
        if self.agent is not None:
            self.agent.resume()

    def revoke_control(self) -> None:
        if self.agent is not None:
            self.agent.revoke_control()

    def end_session(self) -> None:
        self._waiting.clear()
        if self.agent is not None:
            self.agent.end_session()

    def send_chat(self, text: str) -> None:
        if self.agent is not None:
            self.agent.send_chat(text)

    def answer_repair(self, request_id: str, approved: bool) -> None:
        with self._lock:
            waiting = self._approvals.get(request_id)
        if waiting is not None:
            waiting[1].append(approved)
            waiting[0].set()

    def _send(self, message: Any) -> None:
        if self.agent is not None:
            self.agent.send_local(message)

    def _ask_user(self, request: Any) -> bool:
        """Show one repair to the user and wait (on the script's worker thread) for the answer."""
        controller = self.controller
        if controller is None:
            return False
        language = self.language()
        done = threading.Event()
        answer: list[bool] = []
        with self._lock:
            self._approvals[request.nonce] = (done, answer)
        try:
            controller.report_repair_request(
                RepairRequest(
                    request.nonce,
                    request.title.get(language),
                    request.description.get(language),
                    request.changes.get(language) if request.changes else "",
                    request.undo.get(language) if request.undo else "",
                    needs_admin=request.needs_admin,
                )
            )
            # The dialog refuses on its own after its timeout; this bound only guards a vanished window.
            done.wait(REPAIR_ANSWER_SECONDS)
            return bool(answer and answer[0])
        finally:
            with self._lock:
                self._approvals.pop(request.nonce, None)

    def send_feedback(self, rating: int, comment: str) -> None:
        if self.agent is not None:
            self.agent.send_feedback(rating, comment)

    # ----- agent callbacks (agent threads) -----
    def _on_state(self, state: str, granted: frozenset[str], paused: bool) -> None:
        controller = self.controller
        if controller is None:
            return
        if state == "active" and not self.started_at:
            self.started_at = time.monotonic()
            self._waiting.clear()
        controller.report_granted(granted)
        self._control_allowed = "control" in granted and not paused
        if not self._control_allowed:
            controller.report_remote_input(False)
        elif getattr(self.sink, "active", False):
            controller.report_remote_input(True)
        if state in _STATES:
            controller.report_state("paused" if paused and state == "active" else _STATES[state])
        if state == "active" and not paused:
            controller.report_state("resumed")

    def _input_activity(self, active: bool) -> None:
        """The technician's input started or stopped being applied (input sink's threads)."""
        if self.controller is not None and (self._control_allowed or not active):
            self.controller.report_remote_input(active)

    def _on_chat(self, text: str) -> None:
        controller = self.controller
        if controller is None:
            return
        controller.report_chat(self.consent.technician.name, text)

    def _on_change_report(self, script_id: str) -> None:
        """The technician ran a change over their own SSH link: list it in the summary (agent's thread)."""
        controller = self.controller
        if controller is None:
            return
        diagnostics = self.diagnostics
        title = diagnostics.record_reported_change(script_id) if diagnostics is not None else script_id
        controller.report_change_by_technician(title)

    def _on_ended(self, reason: str) -> None:
        controller = self.controller
        self._waiting.clear()
        if controller is None:
            return
        controller.report_remote_input(False)
        if not self.started_at:
            controller.report_consent_dismissed()
            return
        minutes = max(1, round((time.monotonic() - self.started_at) / 60))
        self.started_at = 0.0
        changes = list(self.diagnostics.changes) if self.diagnostics is not None else []
        if self.diagnostics is not None:
            self.diagnostics.changes.clear()
        items = tuple(SummaryItem(title, undo, approved_by) for title, undo, approved_by in changes)
        controller.report_ended(SessionSummary(self.consent.technician, minutes, items))


def make_backend(
    *,
    listen: int | None = None,
    gateway: Callable[[int, Callable[[int], None]], Any] | None = None,
    org_keys: Sequence[Any] = (),
    language: Callable[[], str] = lambda: "en",
    resume_grace: float = RESUME_GRACE_SECONDS,
    protocol_process: Sequence[str] | None = None,
) -> AgentAssistBackend:
    """The backend ``podpora assist`` uses; ``protocol_process``: the confined child's argv (app.remote.privsep)."""
    return AgentAssistBackend(
        listen=listen,
        gateway=gateway,
        org_keys=org_keys,
        language=language,
        resume_grace=resume_grace,
        protocol_process=protocol_process,
    )


def make_self_check(language: Callable[[], str]) -> Callable[[], Sequence[SelfCheckFinding]]:
    """ "Check my computer": the verified info scripts, run locally, in the user's language."""
    from app.ui.diagnostics_wiring import local_self_check

    return local_self_check(language)
