"""Diagnostics for the windows: the signed library through ``app.diagnostics`` on any executor.

The console runs scripts over the session's SSH connection (the executor comes from ``app.cli``, which
owns the SSH exec adapter); the assist app's "Check my computer" runs the info scripts locally.  Everything
here blocks and is called on worker threads.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.diagnostics.catalog import load_settings
from app.diagnostics.results import Progress
from app.diagnostics.runner import (
    ApprovalDecision,
    ApprovalProvider,
    ApprovalRequest,
    LocalExecutor,
    PasswordPrompt,
    PasswordRequest,
    Runner,
)
from app.errors import PodporaError
from app.ui.assist.models import SelfCheckFinding
from app.ui.console.diagnostics_panel import (
    CheckRow,
    ProgressCallback,
    RepairView,
    ScriptEntry,
    SudoPasswordAsker,
    rows_from_results,
)

LanguageGetter = Callable[[], str]


def _progress_adapter(progress: ProgressCallback) -> Callable[[Any], None]:
    def on_event(event: Any) -> None:
        if isinstance(event, Progress):
            progress(event.script_id, -1 if event.percent is None else int(event.percent), event.message)

    return on_event


class GuiSudoPrompt:
    """The runner's sudo :data:`PasswordPrompt` as the console's password dialog."""

    def __init__(self, asker: SudoPasswordAsker) -> None:
        self.asker = asker

    def __call__(self, request: PasswordRequest) -> str | None:
        return self.asker.ask(request.host, request.previous_wrong)


_ASKER_LOCK = threading.Lock()
_SHARED_ASKER: list[SudoPasswordAsker] = []


def gui_sudo_prompt() -> GuiSudoPrompt | None:
    """The console's sudo password dialog for the runner (``None`` without a Qt application).

    One asker for the whole process, living on the GUI thread for as long as the application: sessions come
    and go on worker threads, and a QObject must not be destroyed from a thread it does not live in.
    """
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is None:
        return None
    with _ASKER_LOCK:
        if not _SHARED_ASKER:
            _SHARED_ASKER.append(SudoPasswordAsker())
        return GuiSudoPrompt(_SHARED_ASKER[0])


class RunnerDiagnostics:
    """The console's :class:`DiagnosticsBackend` over a :class:`Runner`."""

    def __init__(
        self,
        executor: Any,
        language: LanguageGetter,
        approvals: ApprovalProvider,
        *,
        parameters: Mapping[str, Mapping[str, Any]] | None = None,
        sudo_password: PasswordPrompt | None = None,
    ) -> None:
        self.parameters = dict(parameters or {})  # script id -> parameter values
        self.catalog = load_settings().load()
        self.runner = Runner(executor, sudo_password=sudo_password or gui_sudo_prompt())
        self.language = language
        self.approvals = approvals

    def list_scripts(self) -> Sequence[ScriptEntry]:
        language = self.language()
        return [
            ScriptEntry(
                s.id,
                s.manifest.title.get(language),
                s.manifest.category,
                s.manifest.description.get(language),
            )
            for s in self.catalog.all()
        ]

    def run(self, script_ids: Sequence[str], progress: ProgressCallback) -> Sequence[CheckRow]:
        scripts = [self.catalog.get(i) for i in script_ids]
        readonly = [s for s in scripts if not s.manifest.changes_system]
        values = {s.id: self.parameters[s.id] for s in readonly if s.id in self.parameters}
        results = self.runner.run_many(readonly, values or None, on_event=_progress_adapter(progress))
        return rows_from_results(results, self.language())

    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        script = self.catalog.get(repair_id)
        outcome = self.runner.run_change(
            script,
            dict(self.parameters.get(repair_id, {})),
            self.catalog,
            self.approvals,
            on_event=_progress_adapter(progress),
        )
        approval = outcome.repair.approval or {}
        approved = bool(approval.get("approved"))
        language = self.language()

        def rows(checks: Sequence[Any]) -> tuple[CheckRow, ...]:
            return tuple(
                CheckRow(repair_id, c.id, c.status, c.finding, (c.explanation or {}).get(language, "")) for c in checks
            )

        return RepairView(
            repair_id,
            approved=approved,
            ran=outcome.repair.run_status not in {"refused", "not-run"},
            before=rows(outcome.before),
            after=rows(outcome.after),
        )


class AskTechnician:
    """Approval by the technician (direct mode without an assist session); the decision is recorded."""

    def __init__(self, ask: Callable[[str, str], bool]) -> None:
        self.ask = ask

    def request_approval(self, request: ApprovalRequest) -> ApprovalDecision:
        text = request.description.en
        if request.changes is not None:
            text += "\n\n" + request.changes.en
        if request.undo is not None:
            text += "\n\n" + request.undo.en
        approved = self.ask(request.title.en, text)
        return ApprovalDecision.answer(request, approved, "technician")


def local_self_check(language: LanguageGetter) -> Callable[[], Sequence[SelfCheckFinding]]:
    """ "Check my computer": every info script of the verified library, run locally, as findings."""

    def check() -> Sequence[SelfCheckFinding]:
        catalog = load_settings().load()
        results = Runner(LocalExecutor()).run_many(catalog.by_category("info"))
        lang = language()
        findings: list[SelfCheckFinding] = []
        for result in results:
            title = result.title.get(lang) or result.title.get("en", result.script_id)
            for check in result.checks:
                if check.not_applicable:
                    continue
                explanation = check.explanation.get(lang) or check.explanation.get("en", "") or check.finding
                findings.append(SelfCheckFinding(str(title), check.status, explanation))
            if result.error and not result.checks:
                findings.append(SelfCheckFinding(str(title), "error", result.error))
        order = {"fail": 0, "warning": 1, "error": 2, "ok": 3}
        return sorted(findings, key=lambda f: order.get(f.status, 4))

    return check


# --- Diagnostics inside the assist agent (gateway mode, and repairs the end user approves) -------------------
#
# The wire payloads are JSON documents of this module's own (the protocol only carries bytes):
#   RunScript.payload    {"script_id": str, "parameters": {...}}
#   ScriptProgress       {"script_id": str, "percent": int|null, "message": str}
#   ScriptResult         {"result": ScriptResult.to_dict()} | {"repair": RepairOutcome.to_dict()} | {"error": str}
# The agent runs only scripts of its own verified catalog (signatures checked on the user's machine).

MAX_PARAMETERS_BYTES = 64 * 1024


def encode_run(script_id: str, parameters: Mapping[str, Any] | None = None) -> bytes:
    """The RunScript payload."""
    return json.dumps({"script_id": script_id, "parameters": dict(parameters or {})}).encode()


def decode_run(payload: bytes) -> tuple[str, dict[str, Any]]:
    """Parse a RunScript payload (raises ValueError for anything malformed)."""
    if len(payload) > MAX_PARAMETERS_BYTES:
        raise ValueError("run request too large")
    try:
        data = json.loads(payload.decode("utf-8"))
    except RecursionError as error:  # deeply nested JSON within the size cap
        raise ValueError("run request nested too deeply") from error
    if not isinstance(data, dict) or not isinstance(data.get("script_id"), str):
        raise ValueError("run request without a script id")
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ValueError("parameters must be an object")
    return data["script_id"], parameters


class UserApproval:
    """Asks the end user in the assist app to approve one change (blocking the worker, never the GUI)."""

    def __init__(self, ask: Callable[[ApprovalRequest], bool], language: LanguageGetter) -> None:
        self.ask = ask
        self.language = language

    def request_approval(self, request: ApprovalRequest) -> ApprovalDecision:
        return ApprovalDecision.answer(request, self.ask(request), "end user")


class AgentDiagnostics:
    """Runs the technician's RunScript requests on the user's machine, as the user, with the user's approval.

    ``send`` hands a protocol message back to the agent (``AssistAgent.send_local``); ``approve`` asks the user.
    """

    def __init__(
        self,
        send: Callable[[Any], None],
        approve: Callable[[ApprovalRequest], bool],
        language: LanguageGetter,
        executor: Any = None,
    ) -> None:
        self.send = send
        self.approvals = UserApproval(approve, language)
        self.language = language
        self.executor = executor or LocalExecutor()
        self._catalog: Any = None
        self._lock = threading.Lock()
        #: (title, undo, approved by "user" or "technician") of every change that ran, for the end summary.
        self.changes: list[tuple[str, str, str]] = []

    def catalog(self) -> Any:
        with self._lock:
            if self._catalog is None:
                self._catalog = load_settings().load()
            return self._catalog

    def handle(self, request: Any) -> None:
        """Agent callback for ``RunScript`` (agent thread): run it on a worker thread."""
        threading.Thread(target=self._run, args=(request,), name="podpora-agent-script", daemon=True).start()

    def _reply(self, request_id: str, document: Mapping[str, Any]) -> None:
        from app.remote import protocol as p

        self.send(p.ScriptResult(request_id, json.dumps(document).encode()))

    def _run(self, request: Any) -> None:
        from app.remote import protocol as p

        request_id = request.request_id
        try:
            script_id, parameters = decode_run(request.payload)
            catalog = self.catalog()
            script = catalog.get(script_id)
        except (ValueError, PodporaError) as error:
            text = error.user_message if isinstance(error, PodporaError) else str(error)
            self._reply(request_id, {"error": text})
            return

        def on_event(event: Any) -> None:
            if isinstance(event, Progress):
                body = {"script_id": event.script_id, "percent": event.percent, "message": event.message}
                self.send(p.ScriptProgress(request_id, json.dumps(body).encode()))

        runner = Runner(self.executor)
        try:
            if script.manifest.changes_system:
                outcome = runner.run_change(script, parameters, catalog, self.approvals, on_event=on_event)
                if (outcome.repair.approval or {}).get("approved"):
                    undo = script.manifest.undo.text.get(self.language()) if script.manifest.undo else ""
                    self.changes.append((script.manifest.title.get(self.language()), undo, "user"))
                self._reply(request_id, {"repair": outcome.to_dict()})
            else:
                result = runner.run(script, parameters, on_event=on_event)
                self._reply(request_id, {"result": result.to_dict()})
        except PodporaError as error:
            self._reply(request_id, {"error": error.user_message})

    def record_reported_change(self, script_id: str) -> str:
        """The technician reports a change they ran over their own SSH link, approved by themselves.

        The title and undo come from this machine's own verified library (in the user's language), never from
        the technician's text; an unknown id is listed as the id.  Returns the title shown.
        """
        language = self.language()
        try:
            manifest = self.catalog().get(script_id).manifest
        except (PodporaError, KeyError, ValueError):
            title, undo = script_id, ""
        else:
            title = manifest.title.get(language)
            undo = manifest.undo.text.get(language) if manifest.undo else ""
        self.changes.append((title, undo, "technician"))
        return title


class RemoteAgentDiagnostics:
    """The console's :class:`DiagnosticsBackend` when scripts run inside the assist agent.

    ``run_script(request_id, payload)`` sends a RunScript through the technician driver; the driver's
    ``on_message`` must be routed to :meth:`deliver`.
    """

    def __init__(
        self,
        run_script: Callable[[str, bytes], None],
        language: LanguageGetter,
        timeout: float = 600,
        *,
        parameters: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.parameters = dict(parameters or {})  # script id -> parameter values
        self.run_script = run_script
        self.language = language
        self.timeout = timeout
        self._waiting: dict[str, tuple[threading.Event, list[Mapping[str, Any]], ProgressCallback | None]] = {}
        self._lock = threading.Lock()
        self._counter = 0

    def deliver(self, message: Any) -> None:
        """Driver callback: a ScriptProgress or ScriptResult from the agent."""
        from app.remote import protocol as p

        with self._lock:
            waiting = self._waiting.get(getattr(message, "request_id", ""))
        if waiting is None:
            return
        done, box, progress = waiting
        try:
            document = json.loads(bytes(message.payload).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            # The agent is the other party, so its payloads are untrusted: anything unreadable is an error row.
            document = {"error": "the agent sent an unreadable result"}
        if isinstance(message, p.ScriptProgress):
            if progress is not None and isinstance(document, dict):
                percent = document.get("percent")
                shown = -1  # unknown progress, unless the agent sent a plain number from 0 to 100
                if isinstance(percent, int | float) and not isinstance(percent, bool) and 0 <= percent <= 100:
                    shown = int(percent)
                progress(
                    str(document.get("script_id", "")),
                    shown,
                    str(document.get("message", "")),
                )
            return
        box.append(document if isinstance(document, dict) else {"error": "malformed result"})
        done.set()

    def _call(self, script_id: str, progress: ProgressCallback | None) -> Mapping[str, Any]:
        with self._lock:
            self._counter += 1
            request_id = f"r{self._counter}"
            done = threading.Event()
            box: list[Mapping[str, Any]] = []
            self._waiting[request_id] = (done, box, progress)
        try:
            self.run_script(request_id, encode_run(script_id, self.parameters.get(script_id)))
            if not done.wait(self.timeout):
                return {"error": "the user's computer did not answer in time"}
            return box[0]
        finally:
            with self._lock:
                self._waiting.pop(request_id, None)

    def list_scripts(self) -> Sequence[ScriptEntry]:
        language = self.language()
        return [
            ScriptEntry(s.id, s.manifest.title.get(language), s.manifest.category, s.manifest.description.get(language))
            for s in load_settings().load().all()
        ]

    def run(self, script_ids: Sequence[str], progress: ProgressCallback) -> Sequence[CheckRow]:
        from app.diagnostics.results import ScriptResult

        results: list[Any] = []
        rows: list[CheckRow] = []
        for script_id in script_ids:
            document = self._call(script_id, progress)
            if "result" in document:
                try:
                    results.append(ScriptResult.from_dict(document["result"]))
                    continue
                except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
                    document = {"error": "the agent sent a result that is not a script result"}
            rows.append(CheckRow(script_id, script_id, "error", str(document.get("error", "no result"))))
        return [*rows_from_results(results, self.language()), *rows]

    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        from app.diagnostics.results import RepairOutcome

        document = self._call(repair_id, progress)
        if "repair" not in document:
            return RepairView(repair_id, approved=False, ran=False, message=str(document.get("error", "")))
        try:
            outcome = RepairOutcome.from_dict(document["repair"])
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            return RepairView(repair_id, approved=False, ran=False, message="the agent sent an unreadable result")
        language = self.language()

        def rows(checks: Sequence[Any]) -> tuple[CheckRow, ...]:
            return tuple(
                CheckRow(repair_id, c.id, c.status, c.finding, (c.explanation or {}).get(language, "")) for c in checks
            )

        return RepairView(
            repair_id,
            approved=bool((outcome.repair.approval or {}).get("approved")),
            ran=outcome.repair.run_status not in {"refused", "not-run"},
            before=rows(outcome.before),
            after=rows(outcome.after),
        )


class SessionDiagnostics:
    """What a console session uses: info scripts over SSH where possible, and repairs approved by the user.

    Direct mode runs info scripts over the technician's SSH connection; a repair goes to the assist agent
    (so the end user approves it in their app) whenever the user granted diagnostics, and only without that
    (an unattended server) over SSH with the technician's own confirmation.  Gateway mode runs everything
    inside the agent.
    """

    def __init__(
        self,
        over_ssh: RunnerDiagnostics | None,
        in_agent: RemoteAgentDiagnostics,
        agent_allowed: Callable[[], bool],
        record: Callable[[str, dict[str, Any]], None] | None = None,
        report_change: Callable[[str], None] | None = None,
    ) -> None:
        #: Tells the user's side (a ChangeReport with the script id) that a change ran over SSH, approved by the
        #: technician, so the user's summary lists it with the title and undo from the user's own library.
        self.report_change = report_change
        self.over_ssh = over_ssh
        self.in_agent = in_agent
        self.agent_allowed = agent_allowed
        #: The case journal (``CaseBackend.record``): every result and repair goes into the case.
        self.record = record

    def list_scripts(self) -> Sequence[ScriptEntry]:
        return (self.over_ssh or self.in_agent).list_scripts()

    def run(self, script_ids: Sequence[str], progress: ProgressCallback) -> Sequence[CheckRow]:
        source = self.over_ssh if self.over_ssh is not None else self.in_agent
        rows = source.run(script_ids, progress)
        for script_id in dict.fromkeys(row.script_id for row in rows):
            mine = [row for row in rows if row.script_id == script_id]
            self._record(
                "script_result",
                {"script_id": script_id, "status": _worst(mine), "phase": "before", "checks": _check_fields(mine)},
            )
        return rows

    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        if self.agent_allowed() or self.over_ssh is None:
            outcome = self.in_agent.repair(repair_id, progress)
            approver = "end user"
        else:
            outcome = self.over_ssh.repair(repair_id, progress)
            approver = "technician"
        self._record("repair_approval", {"action": repair_id, "approved": outcome.approved, "by": approver})
        if outcome.approved and outcome.ran and approver == "technician" and self.report_change is not None:
            self.report_change(repair_id)
        if outcome.approved:
            self._record("repair", {"action": repair_id, "status": "done" if outcome.ran else "not run"})
            self._record("diagnostics", {"phase": "after", "checks": _check_fields(outcome.after)})
        return outcome

    def _record(self, kind: str, fields: dict[str, Any]) -> None:
        if self.record is not None:
            self.record(kind, fields)


def _worst(rows: Sequence[CheckRow]) -> str:
    order = ["ok", "warning", "error", "fail"]
    return max((row.status for row in rows), key=lambda s: order.index(s) if s in order else 2, default="ok")


def _check_fields(rows: Sequence[CheckRow]) -> list[dict[str, str]]:
    return [{"id": r.check_id, "status": r.status, "finding": r.finding, "explanation": r.explanation} for r in rows]
