"""``podpora demo`` with windows: the real technician console, driven by a scripted technician.

The console is the one ``podpora console`` opens (:class:`ConsoleWindow`, its connect dialog, session tab,
diagnostics and case panels, export dialog), wired by ``app.cli.demo`` to the demo's user machine.  On that
machine's virtual display the real assist app runs with a scripted user (:mod:`app.ui.demo_user`), so the
session tab's screen view shows the user's side — consent, the repair approval, the rating — as it happens.

:class:`ScriptedTechnician` runs on its own thread: every step is a call onto the GUI thread through
:class:`GuiCall` (as if the technician clicked), then a wait for what the console shows.  A visible pause
between steps lets a person follow; tests shorten it.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP
from app.ui.console.case_panel import ExportDialog
from app.ui.console.session import SessionTab
from app.ui.console.window import ConsoleWindow

T = TypeVar("T")

GREETING = "Petr from IT is here."


class DemoStepError(PodporaError):
    """A step of the windowed demo did not happen in time."""

    def __init__(self, step: str) -> None:
        super().__init__(
            f"demo step did not complete: {step}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The demo stopped at this step: {step}"),
            step=step,
        )


class GuiCall(QObject):
    """Runs callables on the GUI thread for another thread and hands back the result."""

    _job = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._job.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, job: tuple[Callable[[], Any], Future[Any]]) -> None:
        work, future = job
        try:
            future.set_result(work())
        except BaseException as error:  # handed to the calling thread, which raises it
            future.set_exception(error)

    def __call__(self, work: Callable[[], T], timeout: float = 30.0) -> T:
        future: Future[T] = Future()
        self._job.emit((work, future))
        return future.result(timeout)


@dataclass
class DemoPlan:
    """What the scripted technician does: where to connect, what to say, what to run."""

    target: str
    code: str
    ticket: str
    reason: str
    user_words: str
    info_scripts: tuple[str, ...]
    repair_script: str
    #: (event, timeout) -> the user machine's event of that kind (blocking), e.g. "summary".
    wait_for_user: Callable[[str, float], dict[str, Any]]
    #: Runs the case export's delivery checks and returns the report to open (blocking).
    deliver: Callable[[str], Path]
    pause: float = 1.5
    case_opened: dict[str, Any] | None = None
    resolution: str = ""
    #: Where to save pictures of the console at the demo's key moments (the README's screenshots), if set.
    screenshots: Path | None = None


class ScriptedTechnician(threading.Thread):
    """Plays the technician in the real console; :attr:`result` or :attr:`error` tells how it went."""

    def __init__(self, window: ConsoleWindow, plan: DemoPlan, log: Callable[[str], None]) -> None:
        super().__init__(name="podpora-demo-technician", daemon=True)
        self.window = window
        self.plan = plan
        self.log = log
        self.gui = GuiCall()
        self.tab: SessionTab | None = None
        self.result: dict[str, Any] = {}
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.report_path: Path | None = None
        self.reports: list[Any] = []  # the report windows, kept alive with the console

    # ----- helpers -----
    def pause(self, factor: float = 1.0) -> None:
        """A visible moment between steps (presentation, not synchronisation)."""
        threading.Event().wait(self.plan.pause * factor)

    def wait_until(self, check: Callable[[], Any], step: str, timeout: float = 90.0) -> Any:
        """Ask the GUI thread until ``check`` returns something truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.gui(check)
            if value:
                return value
            threading.Event().wait(0.1)
        raise DemoStepError(step)

    def _tab(self) -> SessionTab:
        assert self.tab is not None  # noqa: S101 - set by the connect step
        return self.tab

    # ----- the walk -----
    def run(self) -> None:
        try:
            self._walk()
        except BaseException as error:  # reported to the window's owner through self.error
            self.error = error
        finally:
            self.done.set()

    def _walk(self) -> None:
        plan = self.plan
        self.result["console_window"] = type(self.window).__name__
        self.log("The technician opens the connect dialog and types the code the user read out")
        dialog = self.gui(lambda: self.window.open_connect_dialog(plan.target))
        self.pause(0.5)

        def fill() -> None:
            dialog.code.setText("".join(c for c in plan.code if c.isdigit()))
            dialog.reason.setText(plan.reason)
            dialog.ticket.setText(plan.ticket)

        self.gui(fill)
        self.pause()
        self.gui(dialog.connect_button.click)
        self.tab = self.wait_until(self.window.current_tab, "connect and pair")
        tab = self._tab()
        self.log("  connected over SSH; pairing with the session code, then the user sees who asks and decides")
        self.wait_until(lambda: tab.state == "active" and "view" in tab.granted, "the user's consent")
        connection = getattr(tab.controller.backend, "connection", None)
        self.result["route"] = [str(r.hop.describe()) for r in getattr(connection, "reports", []) if hasattr(r, "hop")]
        granted = self.gui(lambda: sorted(tab.granted))
        self.result["granted"] = granted
        self.log(f"  the user allowed: {', '.join(granted)}")
        self.wait_until(lambda: not tab.screen_view.remote_size().isEmpty(), "the first picture")
        self.pause()

        # Identify: the case gets the user's own words, and a picture of the screen.
        case: Any = self.gui(lambda: tab.controller.case)
        if case is not None and plan.case_opened is not None:
            case.record("case_opened", {**plan.case_opened, "case_id": str(getattr(case, "case_id", ""))})

        def describe() -> None:
            tab.side.setCurrentWidget(tab.case)
            tab.case.ticket.setText(plan.ticket)
            tab.case.description.setPlainText(plan.user_words)

        self.gui(describe)
        self._screenshot(case)
        self.pause()

        # Control: type into the user's window; then chat.
        self._type_greeting(tab)
        self.gui(lambda: tab.side.setCurrentWidget(tab.chat))
        self.gui(lambda: tab._chat_sent("Hello Jana, this is Petr from IT. I can see the error on your screen."))
        self.wait_until(lambda: "disk is full" in tab.chat.transcript.toPlainText(), "the user's chat reply")
        self.pause()

        # Analyse: the signed info scripts.
        self.log(f"The technician runs the signed info scripts: {', '.join(plan.info_scripts)}")
        panel = tab.diagnostics

        def run_checks() -> bool:
            tab.side.setCurrentWidget(panel)
            if not panel.entries:
                return False
            panel._run(list(plan.info_scripts))
            return True

        self.wait_until(run_checks, "load the script library")
        self.wait_until(lambda: not panel.busy and panel.rows, "the diagnostics", timeout=180)
        rows = self.gui(lambda: list(panel.rows))
        self.result["checks"] = {
            script: _worst([r.status for r in rows if r.script_id == script]) for script in plan.info_scripts
        }
        for row in rows:
            self.log(f"  {row.status.upper():7} {row.explanation or row.finding}")
        problem = next((r for r in rows if r.repair == plan.repair_script and r.status in {"warning", "fail"}), None)
        self.pause()

        # Implement and verify: the repair the user approves in their app.
        if problem is not None:
            self.log(f"The disk check says {problem.status}: the technician proposes the repair")

            def repair() -> None:
                for index in range(panel.results.topLevelItemCount()):
                    item = panel.results.topLevelItem(index)
                    if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == problem:
                        panel.results.setCurrentItem(item)
                panel.repair_current()

            self.gui(repair)
            pictures = plan.screenshots
            if pictures is not None:  # the user's approval dialog, seen in the console's screen view
                plan.wait_for_user("approval", 60)
                threading.Event().wait(1.0)  # the next picture of the user's screen is on its way
                self.gui(lambda: self.window.grab().save(str(pictures / "demo-session.png")))
            outcome = self.wait_until(lambda: panel.last_repair, "the repair", timeout=240)
            self.result["repair"] = {
                "script": plan.repair_script,
                "approved": outcome.approved,
                "before": [r.status for r in outcome.before],
                "after": [r.status for r in outcome.after],
            }
            for before, after in zip(outcome.before, outcome.after, strict=False):
                self.log(f"  verify {before.check_id}: before {before.status} → after {after.status}")
        else:
            self.log("  (no repair to propose on this machine)")
        self.pause()

        # Feedback: the user rates in their app, then the technician ends the session.
        self.gui(lambda: tab.side.setCurrentWidget(tab.chat))
        self.gui(lambda: tab._chat_sent("All done: you can save again. How did we do?"))
        feedback = self.wait_until(lambda: tab.feedback, "the user's rating", timeout=120)
        self.result["rating"] = feedback[0]
        self.log(f"  the user rated the help {feedback[0]}/5")
        self.pause()
        self.result["frames"] = self.gui(lambda: getattr(getattr(tab.controller.backend, "client", None), "frames", 0))
        self.gui(tab.end_session)
        self.wait_until(lambda: tab.ended, "end the session")
        summary = plan.wait_for_user("summary", 60)
        self.result["user_summary"] = summary.get("items", [])
        self.log("  the user sees the summary of what was done and how to undo it")
        self.pause()

        # Record: the resolution, then export the case to the folder connector and open its report.
        if case is not None and plan.resolution:
            case.record("resolved", {"summary": plan.resolution})
        self.log("The technician exports the case: signed bundle with report, delivered to the folder connector")
        export: ExportDialog = self.gui(lambda: _open_export(tab))
        self.pause(0.5)
        self.gui(export.start)
        link = self.wait_until(lambda: export.result_link.text() or _failed(export), "the case export", timeout=180)
        if "failed" in link:
            raise DemoStepError("the case export")
        self.report_path = plan.deliver(str(getattr(case, "case_id", "")))
        self.pause()
        self.gui(export.close)

    def _screenshot(self, case: Any) -> None:
        """Put the user's screen as it was at the start into the case (a PNG of the screen view's picture)."""
        if case is None:
            return
        tab = self._tab()

        def grab() -> bytes:
            data = QByteArray()
            buffer = QBuffer(data)
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            tab.screen_view._pixmap.save(buffer, "PNG")
            return bytes(data.data())

        png = self.gui(grab)
        self.result["screenshot_bytes"] = len(png)
        case.record(
            "screenshot",
            {
                "name": "start.png",
                "caption": "The user's screen at the start",
                "png_b64": base64.b64encode(png).decode(),
            },
        )

    def _type_greeting(self, tab: SessionTab) -> None:
        """Click into the user's window and type, through the console's own input path (control was granted)."""
        backend = tab.controller.backend
        if "control" not in self.gui(lambda: tab.granted):
            return
        self.log(f"  the technician types into the user's window: “{GREETING}”")
        backend.send_pointer(300, 200, 1, 0, 0)
        backend.send_pointer(300, 200, 0, 0, 0)
        shift = 0xFFE1  # Shift_L, as a keyboard sends it
        for character in GREETING:  # ASCII keysyms equal the code point
            if character.isupper():
                backend.send_key(True, shift, None)
            backend.send_key(True, ord(character), None)
            backend.send_key(False, ord(character), None)
            if character.isupper():
                backend.send_key(False, shift, None)
            threading.Event().wait(0.03)  # a person types at a visible pace


def _open_export(tab: SessionTab) -> ExportDialog:
    tab.side.setCurrentWidget(tab.case)
    dialog = tab.case.open_export()
    if dialog is None:
        raise DemoStepError("open the export dialog")
    return dialog


def _failed(dialog: ExportDialog) -> str:
    return "failed" if dialog.export_button.isEnabled() and dialog.status.text() else ""


def _worst(statuses: list[str]) -> str:
    order = ["ok", "warning", "error", "fail"]
    return max(statuses, key=lambda s: order.index(s) if s in order else 2, default="ok")


def run_demo_console(
    window: ConsoleWindow,
    plan: DemoPlan,
    log: Callable[[str], None],
    *,
    exit_when_done: bool = False,
) -> ScriptedTechnician:
    """Show ``window``, start the scripted technician, open the report when the case is delivered.

    With ``exit_when_done`` the application quits once the report is open (for tests and recordings).
    """
    from PySide6.QtCore import QTimer

    from app.ui.report_viewer import ReportWindow

    window.show()
    technician = ScriptedTechnician(window, plan, log)

    def finished() -> None:
        if not technician.done.is_set():
            return
        poll.stop()
        if technician.report_path is not None:
            report = ReportWindow(technician.report_path)
            report.resize(1000, 760)
            report.show()
            technician.reports.append(report)
            pictures = plan.screenshots
            if pictures is not None:
                QTimer.singleShot(1500, lambda: report.grab().save(str(pictures / "demo-report.png")))
            window.statusBar().showMessage(
                QCoreApplication.translate(
                    "DemoConsole", "Demo finished: the case was delivered and verified; its report is open."
                ),
                0,
            )
        elif technician.error is not None:
            reason = technician.error
            text = QCoreApplication.translate("DemoConsole", "The demo stopped: {reason}")
            window.statusBar().showMessage(text.format(reason=getattr(reason, "user_message", reason)), 0)
        if exit_when_done:
            linger = max(plan.pause, 2.5 if plan.screenshots is not None else 0.0)  # the report's picture first
            QTimer.singleShot(int(linger * 1000), QApplication.quit)

    poll = QTimer(window)
    poll.setInterval(200)
    poll.timeout.connect(finished)
    poll.start()
    technician.start()
    return technician
