"""Diagnostics for the windows: the signed library through ``app.diagnostics`` on any executor.

The console runs scripts over the session's SSH connection (the executor comes from ``app.cli``, which
owns the SSH exec adapter); the assist app's "Check my computer" runs the info scripts locally.  Everything
here blocks and is called on worker threads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.diagnostics.catalog import load_settings
from app.diagnostics.results import Progress
from app.diagnostics.runner import ApprovalDecision, ApprovalProvider, ApprovalRequest, LocalExecutor, Runner
from app.ui.assist.models import SelfCheckFinding
from app.ui.console.diagnostics_panel import CheckRow, ProgressCallback, RepairView, ScriptEntry, rows_from_results

LanguageGetter = Callable[[], str]


def _progress_adapter(progress: ProgressCallback) -> Callable[[Any], None]:
    def on_event(event: Any) -> None:
        if isinstance(event, Progress):
            progress(event.script_id, -1 if event.percent is None else int(event.percent), event.message)

    return on_event


class RunnerDiagnostics:
    """The console's :class:`DiagnosticsBackend` over a :class:`Runner`."""

    def __init__(self, executor: Any, language: LanguageGetter, approvals: ApprovalProvider) -> None:
        self.catalog = load_settings().load()
        self.runner = Runner(executor)
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
        results = self.runner.run_many(readonly, on_event=_progress_adapter(progress))
        return rows_from_results(results, self.language())

    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        script = self.catalog.get(repair_id)
        outcome = self.runner.run_change(script, {}, self.catalog, self.approvals, on_event=_progress_adapter(progress))
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
