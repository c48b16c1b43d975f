"""Wiring the console to the technician driver (``app.remote.client``) inside an SSH connection.

:class:`RemoteSessionFactory` runs on a worker thread: it connects through an injected ``connector`` (app.cli
builds it over ``app.remote.ssh``, which app.ui may not import; host-key and passphrase questions come to
the GUI through :class:`GuiAsker`), opens a direct-tcpip stream to the agent and prepares a
:class:`TechnicianClient`.  The client starts only when the tab has attached its controller, so every
report has somewhere to go.  A small monitor thread measures link quality once a second.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from app.errors import PodporaError
from app.remote import protocol as p
from app.remote.agent import DEFAULT_PORT
from app.remote.client import FrameDecoderLike, TechnicianCallbacks, TechnicianClient
from app.ui.console.dialogs import Asker, ConnectRequest
from app.ui.console.session import SessionController
from app.ui.console.window import OpenedSession

log = logging.getLogger(__name__)

#: Technician-side state names (``TechnicianState.value``) as the tab's states.
_STATES = {
    "starting": "pairing",
    "pairing": "pairing",
    "awaiting the agent": "pairing",
    "waiting for the user's consent": "consent",
    "active": "active",
    "reconnecting": "reconnecting",
    "closed": "ended",
}

ASKED = frozenset({p.Capability.VIEW, p.Capability.CONTROL, p.Capability.CLIPBOARD, p.Capability.DIAGNOSTICS})


class SessionConnection(Protocol):
    """The SSH connection a session runs in (``app.remote.ssh.SessionConnection`` fits)."""

    def open_stream(self, host: str, port: int) -> Any: ...

    def round_trip_seconds(self) -> float: ...

    def close(self) -> None: ...


Connector = Callable[[str, Asker], SessionConnection]


class LiveConnection:
    """The session's SSH connection of the moment: after a reconnect the new one (for diagnostics over SSH).

    Everything is passed on to ``backend.connection``, which the session's reconnect replaces.
    """

    def __init__(self, backend: ClientSessionBackend) -> None:
        self._backend = backend

    def open_stream(self, host: str, port: int) -> Any:
        return self._backend.connection.open_stream(host, port)

    def round_trip_seconds(self) -> float:
        return self._backend.connection.round_trip_seconds()

    def close(self) -> None:
        self._backend.connection.close()

    def __getattr__(self, name: str) -> Any:
        # exec(), is_active() and the rest of app.remote.ssh.SshConnection, on the current connection.
        return getattr(self._backend.connection, name)


class CallQueue:
    """Runs posted calls one at a time, in the order posted, on a thread of its own (started on first use).

    The session tab calls the backend on the GUI thread.  A call into the driver can end in a case-journal
    write (the technician's chat line, "stopped by the technician") that waits on fsync, or in a socket
    close on a stalled link; posting here keeps all of that off the GUI thread, in order.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._calls: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self) -> None:
        """Start the thread now (call where waiting is fine: ``Thread.start`` waits until the thread runs)."""
        with self._lock:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def post(self, call: Callable[[], None]) -> None:
        """Run ``call`` after the calls already posted; dropped once the queue is closed (the session is over)."""
        self.start()
        with self._lock:
            if not self._closed:
                self._calls.put(call)

    def close(self) -> None:
        """Run what is posted, then let the thread end."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._thread is not None:
                self._calls.put(None)

    def flush(self, timeout: float) -> bool:
        """Wait until every call posted so far has run (call from any thread but the queue's own)."""
        done = threading.Event()
        with self._lock:
            thread = self._thread
            if thread is None:
                return True
            if not self._closed:
                self._calls.put(done.set)
        if thread is threading.current_thread():
            return False
        if self._closed:
            thread.join(timeout)
            return not thread.is_alive()
        return done.wait(timeout)

    def _run(self) -> None:
        while (call := self._calls.get()) is not None:
            try:
                call()
            except Exception:
                log.exception("a session call failed")


class ClientSessionBackend:
    """The tab's :class:`SessionBackend` over a :class:`TechnicianClient` inside an SSH connection.

    Every method the tab calls returns at once: the work runs on the session's :class:`CallQueue`.
    """

    def __init__(
        self, connection: SessionConnection, client: TechnicianClient, case: Any = None, *, sample_machine: bool = False
    ) -> None:
        self.connection = connection
        #: Direct mode: the SSH connection ends on the user's machine, so its figures can be charted.
        self.sample_machine = sample_machine and hasattr(connection, "exec")
        self.client = client
        self.case = case  # a CaseBackend with ``record(kind, fields)``: the driver's journal events go there
        self.agent_diagnostics: Any = None  # receives ScriptProgress/ScriptResult from the agent
        self._asked: list[str] = []
        self._connected = False
        self.reason = ""  # what the technician told the user, for the consent record
        self._stopped = threading.Event()
        self._close_lock = threading.Lock()
        self.calls = CallQueue("podpora-session-calls")

    def send_pointer(self, x: int, y: int, buttons: int, wheel: int, wheel_horizontal: int) -> None:
        self.calls.post(lambda: self.client.send_pointer(x, y, buttons, wheel, wheel_horizontal))

    def send_key(self, down: bool, keysym: int | None, text: str | None) -> None:
        self.calls.post(lambda: self.client.send_key(down, keysym, text))

    def send_chat(self, text: str) -> None:
        self.calls.post(lambda: self.client.send_chat(text))

    def request_capabilities(self, capabilities: frozenset[str], reason: str) -> None:
        self.calls.post(lambda: self.client.request_capabilities(capabilities, reason))

    def frame_drawn(self) -> None:
        self.calls.post(self.client.frame_drawn)

    def select_monitor(self, index: int) -> None:
        self.calls.post(lambda: self.client.select_monitor(index))

    def flush(self, timeout: float) -> bool:
        """Wait (off the GUI thread) until the calls the tab made so far have reached the driver."""
        return self.calls.flush(timeout)

    def stop(self) -> None:
        """Say goodbye, then close the SSH connection; returns at once."""
        if self._stopped.is_set():
            return
        self.calls.post(self._stop_now)

    def _stop_now(self) -> None:
        if self._stopped.is_set():
            return
        self.client.stop()
        self._close_connection()

    def _close_connection(self) -> None:
        """Once: wait for the goodbye, then close the SSH connection (off the GUI thread)."""
        with self._close_lock:
            if self._stopped.is_set():
                return
            self._stopped.set()
        threading.Thread(target=self._close_later, name="podpora-session-close", daemon=True).start()

    def _close_later(self) -> None:
        self.client.wait_closed(5)
        with contextlib.suppress(Exception):
            self.connection.close()
        self.calls.close()  # the session is over: later input has nowhere to go

    def attach(self, controller: SessionController) -> None:
        """Route the client's reports to ``controller`` and start pairing."""

        def on_frame(framebuffer: Any, drawn: list[tuple[int, int, int, int]]) -> None:
            controller.report_framebuffer(framebuffer, drawn)

        def on_state(state: str, granted: frozenset[str], paused: bool) -> None:
            controller.report_granted(granted)
            controller.report_state("paused" if paused else _STATES.get(state, state))

        def on_ended(reason: str) -> None:
            self._close_connection()  # the agent or the link ended it: the SSH connection goes too
            self._record("session_end", {"reason": reason})
            controller.report_ended(reason)

        def on_journal(kind: str, details: Any) -> None:
            for case_kind, fields in self.case_events(kind, dict(details)):
                self._record(case_kind, fields)

        def on_message(message: Any) -> None:
            if isinstance(message, p.ScreenInfo):
                controller.report_monitors([(m.width, m.height) for m in message.monitors], message.selected)
                return
            if isinstance(message, p.Notice):
                controller.report_agent_notice(message.code, message.text)
                return
            if isinstance(message, p.Feedback):
                if message.comment:  # the driver's journal event carries the rating only
                    self._record("note", {"text": f"The user's comment with the rating: {message.comment}"})
                controller.report_feedback(message.rating, message.comment)
                return
            deliver = getattr(self.agent_diagnostics, "deliver", None)
            if deliver is not None:
                deliver(message)

        self.client.callbacks = TechnicianCallbacks(
            on_message=on_message,
            on_journal=on_journal,
            on_frame=on_frame,
            on_state=on_state,
            on_chat=lambda text: controller.report_chat(controller.title, text),
            on_ended=on_ended,
        )
        self.calls.post(lambda: self._start(controller))

    def _start(self, controller: SessionController) -> None:
        """Record the route and start pairing (on the session's call queue: the journal write waits on fsync)."""
        reports = getattr(self.connection, "reports", None) or []
        route = " → ".join(str(r.hop.describe()) for r in reports if hasattr(r, "hop"))
        if route:
            self._record("session_start", {"route": route, "host_key": str(getattr(reports[-1], "fingerprint", ""))})
        self.client.start()
        threading.Thread(target=self._measure, args=(controller,), name="podpora-link", daemon=True).start()

    def _record(self, kind: str, fields: dict[str, Any]) -> None:
        """One event into the session's case journal; a journal that cannot write stops the session."""
        record = getattr(self.case, "record", None)
        if record is None:
            return
        try:
            record(kind, fields)
        except PodporaError as error:  # fail closed: no record, no session
            log.info("case journal failed, stopping the session: %s", error)
            self.stop()

    def case_events(self, kind: str, details: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The driver's journal event in the case's vocabulary (``app.cases.case``), so the report shows the
        consent record, the chat and the times; events without a counterpart are kept as they are."""

        def names(value: Any) -> list[str]:
            return [n for n in str(value or "").split(",") if n and n != "-"]

        if kind == "consent_asked":
            self._asked = names(details.get("capabilities"))
            return [("consent_request", {"capabilities": self._asked, "reason": self.reason})]
        if kind == "consent_decided":
            granted = names(details.get("granted"))
            events = [("consent_decision", {"granted": granted, "refused": sorted(set(self._asked) - set(granted))})]
            if granted and not self._connected:
                self._connected = True
                events.append(("connected", {}))
            return events
        if kind in {"chat_from_technician", "chat_from_user"}:
            sender = "technician" if kind == "chat_from_technician" else "user"
            return [("chat", {"sender": sender, "text": str(details.get("text", ""))})]
        if kind == "paused_by_user":
            return [("pause", {})]
        if kind == "resumed_by_user":
            return [("resume", {})]
        if kind == "revoked":
            return [("revoke", {"capability": str(details.get("capabilities", "")), **details})]
        return [(kind, details)]

    def _measure(self, controller: SessionController) -> None:
        from app.ui.console.metrics import figures_between, read_sample

        last_frames, last_bytes, last_time = 0, 0, time.monotonic()
        previous_sample: Any = None
        previous_at = 0.0
        tick = 0
        while not self._stopped.wait(1.0):
            tick += 1
            if self.sample_machine and tick % 2 == 0:
                try:
                    sample, sampled_at = read_sample(self.connection), time.monotonic()
                except (PodporaError, ValueError, OSError) as error:
                    log.info("no live figures from this machine: %s", error)
                    self.sample_machine = False
                else:
                    if previous_sample is not None:
                        figures = figures_between(previous_sample, sample, sampled_at - previous_at)
                        controller.report_figures(
                            figures.cpu_percent, figures.memory_percent, figures.disk_percent, figures.network_kbps
                        )
                    previous_sample, previous_at = sample, sampled_at
            try:
                rtt_ms = self.connection.round_trip_seconds() * 1000
            except Exception as error:
                # Reconnecting: the old SSH connection is gone; the next one is measured.
                log.debug("no round trip this second: %s", error)
                continue
            now = time.monotonic()
            frames, received = self.client.frames, self.client.channel.bytes_received
            elapsed = max(now - last_time, 1e-3)
            # A resumed session counts bytes on a new channel from zero: that second shows no rate, not a negative one.
            kbps = max(0, received - last_bytes) / 1024 / elapsed
            controller.report_link(rtt_ms, (frames - last_frames) / elapsed, kbps)
            last_frames, last_bytes, last_time = frames, received, now


class RemoteSessionFactory:
    """Opens sessions directly (SSH to the machine) or through a gateway (SSH to the gateway)."""

    def __init__(
        self,
        connector: Connector,
        *,
        agent_port: int = DEFAULT_PORT,
        executor_factory: Callable[[SessionConnection, str], Any] | None = None,
        language: Callable[[], str] = lambda: "en",
        identity: Callable[[], Callable[[str], bytes] | None] = lambda: None,
        case_factory: Callable[[ConnectRequest], Any] | None = None,
        parameters: Mapping[str, Mapping[str, Any]] | None = None,
        decoder_factory: Callable[[], FrameDecoderLike] | None = None,
    ) -> None:
        #: Makes each session's picture decoder (app.cli starts it in a confined process); None: in this process.
        self.decoder_factory = decoder_factory
        #: Per-script parameter values (script id -> values) for every run and repair, e.g. which disks to check.
        self.parameters = dict(parameters or {})
        self.identity = identity
        self.case_factory = case_factory
        self.connector = connector
        self.agent_port = agent_port
        self.executor_factory = executor_factory
        self.language = language

    def open(self, request: ConnectRequest, asker: Asker) -> OpenedSession:
        """Connect and prepare the session (blocking; runs on a worker thread)."""
        connection = self.connector(request.target, asker)
        port = request.port if request.mode == "gateway" and request.port else self.agent_port
        try:
            stream = connection.open_stream("127.0.0.1", port)
        except BaseException:
            connection.close()
            raise
        backends: list[ClientSessionBackend] = []

        def reconnect() -> Any:
            """A lost link: a new SSH connection and stream to the same agent (the session resumes on it)."""
            fresh = self.connector(request.target, asker)
            try:
                fresh_stream = fresh.open_stream("127.0.0.1", port)
            except BaseException:
                fresh.close()
                raise
            old, backends[0].connection = backends[0].connection, fresh
            with contextlib.suppress(Exception):
                old.close()
            return fresh_stream

        client = TechnicianClient(
            stream,
            code=request.code,
            capabilities=ASKED,
            reason=request.reason,
            case_ref=request.ticket,
            identity=self.identity(),
            reconnect=reconnect,
            decoder=None if self.decoder_factory is None else self.decoder_factory(),
        )
        case = self._case(request)
        backend = ClientSessionBackend(connection, client, case, sample_machine=request.mode == "direct")
        backend.reason = request.reason
        backend.calls.start()  # here on the worker: starting a thread waits for it, and the GUI thread must not
        backends.append(backend)
        title = request.target if request.mode == "direct" else f"{request.target}:{port}"
        return OpenedSession(
            title,
            backend,
            backend.attach,
            diagnostics=self._diagnostics(connection, request, asker, backend),
            case=case,
        )

    def _case(self, request: ConnectRequest) -> Any:
        """The session's case journal, when the technician has a key to sign it with."""
        if self.case_factory is None:
            return None
        try:
            return self.case_factory(request)
        except PodporaError as error:
            log.info("no case journal for %s: %s", request.target, error)
            return None

    def _diagnostics(
        self, connection: SessionConnection, request: ConnectRequest, asker: Asker, backend: ClientSessionBackend
    ) -> Any:
        """Info scripts over this SSH connection in direct mode; repairs (and gateway mode) inside the agent."""
        from app.ui.diagnostics_wiring import (
            AskTechnician,
            RemoteAgentDiagnostics,
            RunnerDiagnostics,
            SessionDiagnostics,
        )

        in_agent = RemoteAgentDiagnostics(backend.client.run_script, self.language, parameters=self.parameters)
        backend.agent_diagnostics = in_agent
        over_ssh = None
        if self.executor_factory is not None and request.mode == "direct":
            try:
                over_ssh = RunnerDiagnostics(
                    # The connection of the moment: after a reconnect, scripts run over the new one.
                    self.executor_factory(LiveConnection(backend), request.target),
                    self.language,
                    AskTechnician(asker.ask_yes_no),
                    parameters=self.parameters,
                )
            except PodporaError as error:
                log.info("diagnostics over SSH unavailable for %s: %s", request.target, error)
        return SessionDiagnostics(
            over_ssh,
            in_agent,
            lambda: p.Capability.DIAGNOSTICS in backend.client.granted,
            record=getattr(backend.case, "record", None),
            report_change=backend.client.report_change,
        )


def load_identity(config_dir: Path) -> Callable[[str], bytes] | None:
    """The technician's per-session identity claim (key + organisation-issued certificate), if both exist.

    Without them the console still connects; the user then sees the red "not verified" warning.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_ssh_private_key

    from app.remote.identity import make_claim
    from app.ui.console.settings_dialog import TECHNICIAN_CERT_FILE, TECHNICIAN_KEY_FILE

    key_path, cert_path = config_dir / TECHNICIAN_KEY_FILE, config_dir / TECHNICIAN_CERT_FILE
    try:
        key = load_ssh_private_key(key_path.read_bytes(), None)
        certificate = cert_path.read_bytes()
    except (OSError, ValueError, TypeError) as error:
        log.info("no technician identity to present: %s", error)
        return None
    if not isinstance(key, Ed25519PrivateKey):
        return None
    return lambda session_id: make_claim(certificate, key, session_id)


def make_session_factory(
    connector: Connector,
    executor_factory: Callable[[SessionConnection, str], Any] | None = None,
    language: Callable[[], str] = lambda: "en",
    case_factory: Callable[[ConnectRequest], Any] | None = None,
    decoder_factory: Callable[[], FrameDecoderLike] | None = None,
) -> RemoteSessionFactory:
    """The factory ``podpora console`` uses."""
    from app.config import default_paths

    return RemoteSessionFactory(
        connector,
        executor_factory=executor_factory,
        language=language,
        identity=lambda: load_identity(default_paths().config_dir),
        case_factory=case_factory,
        decoder_factory=decoder_factory,
    )
