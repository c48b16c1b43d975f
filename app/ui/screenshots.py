"""Screenshots of every main screen in one language, for the README and for reviewing translations.

Run through ``scripts/screenshots`` (which starts Xvfb and compiles the translations).  Every screen is fed
scripted data through the same controllers the real agent and driver use; nothing here talks to a network.
Usage: ``python -m app.ui.screenshots OUTPUT_DIR LANGUAGE QM_DIR``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.assist.approval import RepairApprovalDialog
from app.ui.assist.consent import ConsentDialog
from app.ui.assist.controller import AssistController, ScriptedAssistBackend
from app.ui.assist.models import (
    ConsentRequest,
    RepairRequest,
    SelfCheckFinding,
    SessionSummary,
    SummaryItem,
    TechnicianIdentity,
)
from app.ui.assist.window import AssistWindow
from app.ui.console.addressbook import AddressBook, Entry
from app.ui.console.diagnostics_panel import CheckRow, ProgressCallback, RepairView, ScriptEntry
from app.ui.console.dialogs import HostKeyDialog
from app.ui.console.window import ConsoleWindow, OpenedSession
from app.ui.i18n import LanguageManager
from app.ui.settings import Gateway, UiSettings
from app.ui.theme import apply_theme

JANA = TechnicianIdentity("Jana Nováková", "IT Service Desk", "Example Org", "SHA256:q3N5f0bq1x7K", verified=True)


def sample_desktop(width: int = 1280, height: int = 800) -> QImage:
    """A plausible user desktop: a wallpaper, a panel and a print-queue window."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, width, height)
    gradient.setColorAt(0, QColor("#1e3a5f"))
    gradient.setColorAt(1, QColor("#3b6e8f"))
    painter.fillRect(image.rect(), gradient)
    painter.fillRect(QRect(0, 0, width, 32), QColor("#111827"))
    painter.setPen(QColor("#e5e7eb"))
    painter.setFont(QFont("DejaVu Sans", 11))
    painter.drawText(QRect(12, 0, 300, 32), Qt.AlignmentFlag.AlignVCenter, "Activities    Files    Printers")
    painter.drawText(QRect(width - 120, 0, 110, 32), Qt.AlignmentFlag.AlignVCenter, "10:42")
    window = QRect(220, 140, 760, 440)
    painter.fillRect(window.adjusted(6, 6, 6, 6), QColor(0, 0, 0, 80))
    painter.fillRect(window, QColor("#f9fafb"))
    painter.fillRect(QRect(window.left(), window.top(), window.width(), 36), QColor("#e5e7eb"))
    painter.setPen(QColor("#111827"))
    painter.drawText(
        QRect(window.left() + 14, window.top(), 400, 36), Qt.AlignmentFlag.AlignVCenter, "Print queue – Office-LaserJet"
    )
    rows = [
        ("Quarterly report.pdf", "Stopped – printer not responding"),
        ("Invoice 2026-118.pdf", "Waiting"),
        ("Travel form.docx", "Waiting"),
    ]
    painter.setFont(QFont("DejaVu Sans", 10))
    for index, (name, state) in enumerate(rows):
        top = window.top() + 60 + index * 40
        painter.setPen(QColor("#111827"))
        painter.drawText(QPoint(window.left() + 20, top + 20), name)
        painter.setPen(QColor("#b91c1c") if index == 0 else QColor("#6b7280"))
        painter.drawText(QPoint(window.left() + 360, top + 20), state)
    painter.end()
    return image


@dataclass(frozen=True)
class ShownHostKey:
    """A host key as the dialog shows it."""

    key_type: str
    fingerprint: str
    known_hosts_name: str


class DemoDiagnostics:
    """Scripted diagnostics results for the screenshot."""

    def list_scripts(self) -> Sequence[ScriptEntry]:
        return [
            ScriptEntry("system-facts", "System facts", "info"),
            ScriptEntry("disk-space", "Disk space and inodes", "info"),
            ScriptEntry("memory", "Memory and swap", "info"),
            ScriptEntry("print-queue", "Printers and print queue", "info"),
            ScriptEntry("dns", "DNS resolution", "info"),
            ScriptEntry("clear-print-queue", "Clear a stuck print queue", "repair"),
            ScriptEntry("restart-service", "Restart a service", "repair"),
        ]

    def run(self, script_ids: Sequence[str], progress: ProgressCallback) -> Sequence[CheckRow]:
        return [
            CheckRow(
                "print-queue",
                "cups.queue",
                "fail",
                "Office-LaserJet: 3 jobs stuck for 2 h",
                "Your printer queue is stuck.",
                "clear-print-queue",
            ),
            CheckRow("disk-space", "disk.root", "warning", "/ is 91% full (4.2 GB free)", "Your disk is nearly full."),
            CheckRow("memory", "memory.available", "ok", "5.8 GB of 16 GB available"),
            CheckRow("dns", "dns.resolve", "ok", "example.org resolves in 12 ms"),
            CheckRow("system-facts", "system.uptime", "ok", "Debian 12, up 3 days"),
        ]

    def repair(self, repair_id: str, progress: ProgressCallback) -> RepairView:
        return RepairView(repair_id, True, True)


class DemoSession:
    """A session that does nothing; the screenshot feeds its controller directly."""

    def send_pointer(self, x: int, y: int, buttons: int, wheel: int, wheel_horizontal: int) -> None:
        """Ignored."""

    def send_key(self, down: bool, keysym: int | None, text: str | None) -> None:
        """Ignored."""

    def send_chat(self, text: str) -> None:
        """Ignored."""

    def request_capabilities(self, capabilities: frozenset[str], reason: str) -> None:
        """Ignored."""

    def frame_drawn(self) -> None:
        """Ignored."""

    def stop(self) -> None:
        """Ignored."""


def settle(app: QApplication, rounds: int = 10) -> None:
    """Let layouts and queued signals settle before grabbing."""
    for _ in range(rounds):
        app.processEvents()


def save(widget: QWidget, path: Path, app: QApplication) -> None:
    """Render one widget (without window-manager decorations) into a PNG."""
    settle(app)
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)


def main(argv: Sequence[str]) -> int:
    """Write every screenshot for one language."""
    out, language, qm_dir = Path(argv[0]), argv[1], Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["podpora-screenshots"])
    apply_theme(app, "light")
    languages = LanguageManager(qm_dir)
    languages.apply(language)

    # Console: address book and welcome page.
    home = out / ".home"
    book = AddressBook(home / "none", home / "book.json")
    book.saved = [
        Entry("Reception PC", "reception", tags=["windows", "front-desk"]),
        Entry("Office PC – Jana", "jana@office-pc", tags=["linux"]),
        Entry("Print server", "print01", tags=["server"]),
        Entry("Lab server", "lab-server", tags=["server", "linux"]),
    ]
    book.recent = {"jana@office-pc": 2.0}
    book.save()  # the window reloads the book in the background
    settings = UiSettings(gateways=[Gateway("Prague office", "gw-prague")], first_run_done=True)
    console = ConsoleWindow(settings, languages, book=book)
    console.address_book.set_entries(book.entries())
    console.resize(1280, 800)
    console.show()
    save(console, out / "console-welcome.png", app)

    # Console: a session with the remote screen and diagnostics.
    tab = console.add_session(OpenedSession("office-pc", DemoSession(), lambda _: None, diagnostics=DemoDiagnostics()))
    controller = tab.controller
    controller.report_granted(frozenset({"view", "control", "diagnostics"}))
    controller.report_state("active")
    controller.report_image(sample_desktop())
    controller.report_link(14.0, 30.0, 420.0)
    controller.report_chat("Jana (user)", "The printer stopped in the middle of my report.")
    settle(app)
    tab.diagnostics.run_all()
    for _ in range(200):
        settle(app, 1)
        if tab.diagnostics.results.topLevelItemCount():
            break
    tab.side.setCurrentWidget(tab.diagnostics)
    first = tab.diagnostics.results.topLevelItem(0)
    if first is not None:
        tab.diagnostics.results.setCurrentItem(first)
    save(console, out / "console-session.png", app)
    tab.side.setCurrentWidget(tab.chat)
    save(console, out / "console-chat.png", app)
    import math

    for step in range(60):
        controller.report_figures(
            35 + 30 * math.sin(step / 6) ** 2, 62 + step / 10, 91.0, 40 + 300 * (step % 15 == 0) + 20 * math.cos(step)
        )
    settle(app)
    tab.side.setCurrentWidget(tab.charts)
    save(console, out / "console-live.png", app)

    host_key = HostKeyDialog(
        ShownHostKey("ssh-ed25519", "SHA256:4jT1pW0eQm2cF9uYb7dK3sLx8vNa5rGh1oZ6iUe0yXc", "office-pc")
    )
    host_key.show()
    save(host_key, out / "console-host-key.png", app)
    host_key.close()

    # Assist app.
    backend = ScriptedAssistBackend()
    assist_controller = AssistController(
        backend,
        self_check=lambda: [
            SelfCheckFinding("Disk space", "warning", "Your disk is 91% full. Deleting old downloads would help."),
            SelfCheckFinding("Internet connection", "ok", "Your computer reaches the internet normally."),
            SelfCheckFinding("Printer", "fail", "The printer queue is stuck. Your IT support can clear it."),
        ],
    )
    assist = AssistWindow(assist_controller, languages, prompt_arm_delay_ms=0)
    assist.show()
    save(assist, out / "assist-start.png", app)
    assist_controller.report_code("482913705", 600)
    settle(app)
    save(assist, out / "assist-code.png", app)
    consent = ConsentDialog(
        ConsentRequest(JANA, ("view", "control", "clipboard", "diagnostics"), "Printer does not print (RM-4821)"),
        arm_delay_ms=0,
    )
    consent.show()
    save(consent, out / "assist-consent.png", app)
    consent.deny()
    unverified = ConsentDialog(ConsentRequest(TechnicianIdentity("Mark"), ("view", "control"), ""), arm_delay_ms=0)
    unverified.show()
    save(unverified, out / "assist-consent-unverified.png", app)
    unverified.deny()
    assist.technician_name = JANA.name
    assist_controller.report_granted(frozenset({"view", "control"}))
    assist_controller.report_state("active")
    settle(app)
    assist_controller.report_chat("Jana Nováková", "Hello, I can see the print queue now. I will run a quick check.")
    settle(app)
    save(assist, out / "assist-session.png", app)
    if assist.indicator is not None:
        save(assist.indicator, out / "assist-indicator.png", app)
    approval = RepairApprovalDialog(
        RepairRequest(
            "r1",
            "Clear the stuck print queue",
            "Removes the three print jobs that are stuck so the printer can start again.",
            "The 3 waiting documents are removed from the queue. Your files themselves are not touched.",
            "Print the documents again from your programs.",
            needs_admin=True,
        ),
        JANA.name,
        arm_delay_ms=0,
    )
    approval.show()
    save(approval, out / "assist-approval.png", app)
    approval.close()
    # The rating is given during the session (it reaches the case only while connected).
    assist.rating.buttons[4].click()
    assist.comment.setPlainText("Quick and kind, thank you!")
    assist.send_feedback_button.click()
    # The summary's items come from the verified library, in the user's language, as the agent lists them.
    from app.diagnostics.catalog import load_settings

    catalog = load_settings().load()

    def item(script_id: str, approved_by: str) -> SummaryItem:
        manifest = catalog.get(script_id).manifest
        undo = manifest.undo.text.get(language) if manifest.undo else ""
        return SummaryItem(manifest.title.get(language), undo, approved_by)

    assist_controller.report_ended(
        SessionSummary(JANA, 12, (item("clear_print_queue", "user"), item("resync_time", "technician")), "RM-4821")
    )
    settle(app)
    save(assist, out / "assist-summary.png", app)
    assist.pages.setCurrentWidget(assist.start_page)
    assist.self_check_button.click()
    for _ in range(200):
        settle(app, 1)
        if assist.findings_list.count():
            break
    save(assist, out / "assist-self-check.png", app)
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    settle(app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
