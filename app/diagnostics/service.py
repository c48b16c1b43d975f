"""One object per session for the console panel, the assist app's self-check and the command line.

:class:`DiagnosticsService` holds the verified catalog, a :class:`~app.diagnostics.runner.Runner` for one
machine and the approval provider, keeps every result of the session for the case record, and reports
progress as ``(script_id, percent or -1, message)`` so a UI can forward it with queued signals.  Every method
blocks: call it from a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from app.diagnostics.catalog import Catalog, VerifiedScript
from app.diagnostics.manifest import JsonValue
from app.diagnostics.results import Check, Progress, RepairOutcome, Report, ScriptResult
from app.diagnostics.runner import ApprovalProvider, RunControl, Runner

ProgressCallback = Callable[[str, int, str], None]


class DiagnosticsService:
    """Runs scripts from one catalog on one machine and remembers what happened."""

    def __init__(
        self,
        catalog: Catalog,
        runner: Runner,
        approvals: ApprovalProvider,
        *,
        host: str,
        clock: Callable[[], float],
    ) -> None:
        self.catalog = catalog
        self.runner = runner
        self.approvals = approvals
        self.host = host
        self.clock = clock
        self._lock = threading.Lock()
        self._results: list[ScriptResult] = []
        self._repairs: list[RepairOutcome] = []
        self._control = RunControl()

    def scripts(self, category: str | None = None) -> list[VerifiedScript]:
        """The verified library, optionally one category (``info``, ``repair``, ``install``, ``config``)."""
        if category is None:
            return self.catalog.all()
        return self.catalog.by_category(category)

    def run(
        self,
        script_ids: Sequence[str],
        progress: ProgressCallback | None = None,
        values: Mapping[str, Mapping[str, JsonValue]] | None = None,
    ) -> list[ScriptResult]:
        """Run read-only scripts in parallel; change scripts must go through :meth:`change`."""
        scripts = [self.catalog.get(script_id) for script_id in script_ids]
        changing = [script.id for script in scripts if script.manifest.changes_system]
        if changing:
            raise ValueError(f"change scripts need change(): {', '.join(changing)}")
        results = self.runner.run_many(scripts, values, control=self._control, on_event=_forward(progress))
        with self._lock:
            self._results.extend(results)
        return results

    def check_everything(self, progress: ProgressCallback | None = None) -> list[ScriptResult]:
        """Every info script: the full health check ("Check my computer")."""
        return self.run([script.id for script in self.catalog.by_category("info")], progress)

    def change(
        self,
        script_id: str,
        values: Mapping[str, JsonValue] | None = None,
        progress: ProgressCallback | None = None,
    ) -> RepairOutcome:
        """Verify, ask for approval, change, verify again (see ``Runner.run_change``)."""
        outcome = self.runner.run_change(
            self.catalog.get(script_id),
            values,
            self.catalog,
            self.approvals,
            control=self._control,
            on_event=_forward(progress),
        )
        with self._lock:
            self._repairs.append(outcome)
        return outcome

    def cancel(self) -> None:
        """Stop everything running now (the remote process groups are killed); later calls run again."""
        control, self._control = self._control, RunControl()
        control.cancel()

    def report(self) -> Report:
        """Everything run in this session, as the versioned result document for the case."""
        with self._lock:
            return Report(self.host, self.clock(), list(self._results), list(self._repairs))


def _forward(progress: ProgressCallback | None) -> Callable[[Progress | Check], None] | None:
    if progress is None:
        return None

    def on_event(event: Progress | Check) -> None:
        if isinstance(event, Progress):
            progress(event.script_id, -1 if event.percent is None else event.percent, event.message)
        else:
            progress(event.id.split(":", 1)[0], -1, f"{event.id}: {event.status}")

    return on_event
