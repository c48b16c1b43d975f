"""One remote session in the console: its controller (talks to the technician driver) and its tab.

The technician driver (``app.remote.client``) runs on its own threads and calls the controller's
``report_*`` methods from there; frames are turned into ``QImage`` on that thread and cross to the GUI
thread through queued signals.  The tab sends the technician's actions through a :class:`SessionBackend`
whose methods return at once.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMenu,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.console.case_panel import CaseBackend, CasePanel
from app.ui.console.diagnostics_panel import DiagnosticsBackend, DiagnosticsPanel
from app.ui.widgets.charts import LiveCharts
from app.ui.widgets.chat import ChatWidget
from app.ui.widgets.screenview import ScreenView


class SessionBackend(Protocol):
    """What a session tab needs from the technician driver.  Every method returns promptly."""

    def send_pointer(self, x: int, y: int, buttons: int, wheel: int, wheel_horizontal: int) -> None:
        """Forward a pointer event (dropped by the agent unless control is granted)."""

    def send_key(self, down: bool, keysym: int | None, text: str | None) -> None:
        """Forward a key event."""

    def send_chat(self, text: str) -> None:
        """Send a chat message to the user."""

    def request_capabilities(self, capabilities: frozenset[str], reason: str) -> None:
        """Ask the user for (more) capabilities."""

    def frame_drawn(self) -> None:
        """The last frame is on screen: the driver may ask for the next one (pull-based flow control)."""

    def stop(self) -> None:
        """End the session."""


def image_from_bgra(framebuffer: Any) -> QImage:
    """A deep-copied QImage from a numpy BGRA array (H×W×4, uint8); call on the driver's thread."""
    height, width = int(framebuffer.shape[0]), int(framebuffer.shape[1])
    stride = int(framebuffer.strides[0])
    image = QImage(framebuffer.data, width, height, stride, QImage.Format.Format_RGB32)
    return image.copy()  # detach from the numpy buffer the decoder keeps writing into


class SessionController(QObject):
    """Carries reports from the driver to the tab and the tab's actions to the driver."""

    frame_ready = Signal(QImage)
    regions_ready = Signal(object)  # list[tuple[QImage, int, int]]: changed parts of the current picture
    link_quality = Signal(float, float, float)  # round trip ms, frames/s, KB/s
    granted_changed = Signal(object)  # frozenset[str]
    state_changed = Signal(str)  # pairing, consent, active, paused, ended
    chat_received = Signal(str, str)
    notice = Signal(str)
    ended = Signal(str)
    monitors = Signal(object, int)  # list[str] descriptions, selected index
    figures = Signal(float, float, float, float)  # CPU %, memory %, disk %, network KB/s of the remote machine
    feedback = Signal(int, str)  # the user's rating (1–5) and comment
    agent_notice = Signal(str, str)  # a notice from the user's computer: its code and its own (English) text

    def __init__(
        self,
        title: str,
        backend: SessionBackend,
        diagnostics: DiagnosticsBackend | None = None,
        case: CaseBackend | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.backend = backend
        self.diagnostics = diagnostics
        self.case = case
        self.granted: frozenset[str] = frozenset()
        self.started_at = time.monotonic()
        self._size = (0, 0)

    # ----- reports from the driver (any thread) -----
    def report_framebuffer(self, framebuffer: Any, changed: list[tuple[int, int, int, int]] | None = None) -> None:
        """A decoded frame (numpy BGRA) is ready: copy what changed into QImages here and hand them over.

        Small updates (typing, a cursor blink) travel as regions so the GUI thread repaints only those; the
        first picture, a new size or a large change travel whole.
        """
        height, width = int(framebuffer.shape[0]), int(framebuffer.shape[1])
        area = sum(w * h for _, _, w, h in changed or [])
        if changed is None or (width, height) != self._size or area * 2 > width * height:
            self._size = (width, height)
            self.frame_ready.emit(image_from_bgra(framebuffer))
            return
        self.regions_ready.emit(
            [
                (image_from_bgra(np.ascontiguousarray(framebuffer[y : y + h, x : x + w])), x, y)
                for x, y, w, h in changed
                if w and h
            ]
        )

    def report_image(self, image: QImage) -> None:
        """A frame already as a QImage."""
        self.frame_ready.emit(image)

    def report_link(self, rtt_ms: float, fps: float, kbps: float) -> None:
        """Link quality figures, about once a second."""
        self.link_quality.emit(rtt_ms, fps, kbps)

    def report_monitors(self, sizes: list[tuple[int, int]], selected: int) -> None:
        """The user's monitors (width, height) and which one is streamed."""
        self.monitors.emit([f"{w}×{h}" for w, h in sizes], selected)

    def report_figures(self, cpu: float, memory: float, disk: float, network_kbps: float) -> None:
        """Live figures of the remote machine for the charts."""
        self.figures.emit(cpu, memory, disk, network_kbps)

    def report_granted(self, granted: frozenset[str]) -> None:
        """The user's consent changed."""
        self.granted_changed.emit(frozenset(granted))

    def report_state(self, state: str) -> None:
        """The session moved to another state."""
        self.state_changed.emit(state)

    def report_chat(self, sender: str, text: str) -> None:
        """A chat message from the user."""
        self.chat_received.emit(sender, text)

    def report_notice(self, text: str) -> None:
        """Something the technician should read (plain language)."""
        self.notice.emit(text)

    def report_agent_notice(self, code: str, text: str) -> None:
        """A plain statement from the user's computer (``Notice``): capture unavailable, clipboard withheld."""
        self.agent_notice.emit(code, text)

    def report_ended(self, reason: str) -> None:
        """The session is over."""
        self.ended.emit(reason)

    def report_feedback(self, rating: int, comment: str) -> None:
        """The user rated the help (the case journal records it through the driver)."""
        self.feedback.emit(rating, comment)


class SessionTab(QWidget):
    """Screen, chat, diagnostics and case of one session."""

    status_changed = Signal()

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.granted: frozenset[str] = frozenset()
        self.state = "pairing"
        self.link_text = ""
        self.ended = False
        self.feedback: tuple[int, str] | None = None  # the user's rating and comment, once given
        self.monitor_names: list[str] = []
        self.screen_view = ScreenView()
        self.chat = ChatWidget()
        self.diagnostics = DiagnosticsPanel(controller.diagnostics)
        self.case = CasePanel(controller.case)
        self.side = QTabWidget()
        self.side.addTab(self.chat, "")
        self.side.addTab(self.diagnostics, "")
        self.side.addTab(self.case, "")
        self.charts = LiveCharts()
        self.charts.set_unavailable(self.tr("Live figures appear here in direct sessions to Linux machines."))
        self.side.addTab(self.charts, "")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.screen_view)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([860, 440])

        self.toolbar = QToolBar()
        self.fit_action = QAction(self)
        self.fit_action.setCheckable(True)
        self.fit_action.setChecked(True)
        self.view_only_action = QAction(self)
        self.view_only_action.setCheckable(True)
        self.request_control_action = QAction(self)
        self.end_action = QAction(self)
        self.keys_menu = QMenu(self)
        self.key_actions: dict[str, QAction] = {}
        for name in ("ctrl_alt_del", "alt_tab", "alt_f4", "super", "ctrl_esc", "print"):
            action = QAction(self)
            action.triggered.connect(lambda _=False, n=name: self.screen_view.send_combination(n))
            self.keys_menu.addAction(action)
            self.key_actions[name] = action
        self.keys_button = QToolButton()
        self.keys_button.setMenu(self.keys_menu)
        self.keys_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addAction(self.fit_action)
        self.toolbar.addAction(self.view_only_action)
        self.toolbar.addWidget(self.keys_button)
        self.monitor_choice = QComboBox()
        self.monitor_choice_action = self.toolbar.addWidget(self.monitor_choice)
        self.monitor_choice_action.setVisible(False)
        self.monitor_choice.activated.connect(self._monitor_picked)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.request_control_action)
        self.toolbar.addAction(self.end_action)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        self.fit_action.toggled.connect(self.screen_view.set_fit_to_window)
        self.view_only_action.toggled.connect(self.screen_view.set_view_only)
        self.request_control_action.triggered.connect(self._request_control)
        self.end_action.triggered.connect(self.end_session)
        self.screen_view.pointer_event.connect(self._pointer)
        self.screen_view.key_event.connect(self._key)
        self.chat.message_sent.connect(self._chat_sent)
        controller.frame_ready.connect(self._frame)
        controller.regions_ready.connect(self._regions)
        controller.link_quality.connect(self._link)
        controller.granted_changed.connect(self._granted)
        controller.state_changed.connect(self._state)
        controller.chat_received.connect(self._chat_received)
        controller.notice.connect(self._notice)
        controller.ended.connect(self._ended)
        controller.figures.connect(self._figures)
        controller.monitors.connect(self._monitors)
        controller.feedback.connect(self._feedback)
        controller.agent_notice.connect(self._agent_notice)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.side.setTabText(0, self.tr("Chat"))
        self.side.setTabText(1, self.tr("Diagnostics"))
        self.side.setTabText(2, self.tr("Case"))
        self.side.setTabText(3, self.tr("Live"))
        self.fit_action.setText(self.tr("Fit to window"))
        self.fit_action.setToolTip(self.tr("Scale the screen to the window; off shows it 1:1 with scrolling"))
        self.view_only_action.setText(self.tr("View only"))
        self.keys_button.setText(self.tr("Special keys"))
        names = {
            "ctrl_alt_del": self.tr("Send Ctrl+Alt+Del"),
            "alt_tab": self.tr("Send Alt+Tab"),
            "alt_f4": self.tr("Send Alt+F4"),
            "super": self.tr("Send the Windows/Super key"),
            "ctrl_esc": self.tr("Send Ctrl+Esc"),
            "print": self.tr("Send Print Screen"),
        }
        for name, action in self.key_actions.items():
            action.setText(names[name])
        self.request_control_action.setText(self.tr("Ask for control"))
        self.end_action.setText(self.tr("End session"))
        self._placeholder()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ----- texts -----
    def consent_text(self) -> str:
        """The consent in force, in words, for the status bar."""
        if self.ended:
            return self.tr("Session ended")
        if self.state == "paused":
            return self.tr("Paused by the user")
        if not self.granted:
            return self.tr("Waiting for the user's consent") if self.state != "denied" else self.tr("Refused")
        names = {
            "view": self.tr("view"),
            "control": self.tr("control"),
            "clipboard": self.tr("clipboard"),
            "diagnostics": self.tr("diagnostics"),
        }
        granted = ", ".join(
            names.get(c, c) for c in ("view", "control", "clipboard", "diagnostics") if c in self.granted
        )
        return self.tr("Allowed: {capabilities}").format(capabilities=granted)

    def _placeholder(self) -> None:
        texts = {
            "pairing": self.tr("Pairing with the user's computer…"),
            "consent": self.tr("Waiting for the user to accept…"),
            "denied": self.tr("The user refused. Nothing was shared."),
            "paused": self.tr("The user paused the session."),
            "reconnecting": self.tr("Connection lost, reconnecting…"),
            "ended": self.tr("The session has ended."),
        }
        self.screen_view.set_placeholder(texts.get(self.state, self.tr("Waiting for the first picture…")))

    # ----- controller reports -----
    def _frame(self, image: QImage) -> None:
        self.screen_view.set_frame(image)
        self.controller.backend.frame_drawn()

    def _regions(self, regions: list[tuple[QImage, int, int]]) -> None:
        for image, x, y in regions:
            self.screen_view.update_region(image, x, y)
        self.controller.backend.frame_drawn()

    def _link(self, rtt_ms: float, fps: float, kbps: float) -> None:
        self.link_text = self.tr("{rtt:.0f} ms · {fps:.0f} fps · {kbps:.0f} KB/s").format(
            rtt=rtt_ms, fps=fps, kbps=kbps
        )
        self.screen_view.set_overlay(self.link_text)
        self.status_changed.emit()

    def _monitors(self, descriptions: list[str], selected: int) -> None:
        self.monitor_names = descriptions
        self.monitor_choice.blockSignals(True)
        self.monitor_choice.clear()
        for index, size in enumerate(descriptions):
            self.monitor_choice.addItem(self.tr("Monitor {number} ({size})").format(number=index + 1, size=size))
        self.monitor_choice.setCurrentIndex(selected)
        self.monitor_choice.blockSignals(False)
        self.monitor_choice_action.setVisible(len(descriptions) > 1)

    def _monitor_picked(self, index: int) -> None:
        select = getattr(self.controller.backend, "select_monitor", None)
        if select is not None:
            select(index)

    def _figures(self, cpu: float, memory: float, disk: float, network_kbps: float) -> None:
        self.charts.set_unavailable("")
        self.charts.add(cpu, memory, disk, network_kbps)

    def _granted(self, granted: frozenset[str]) -> None:
        before = self.granted
        self.granted = granted
        if granted != before:
            self.case.add_event(self.consent_text())
        if "control" in before and "control" not in granted:
            self.screen_view.release_all()
            self.chat.add_notice(self.tr("The user took back control."))
        self.screen_view.set_view_only(self.view_only_action.isChecked() or "control" not in granted)
        self.request_control_action.setEnabled("control" not in granted and not self.ended)
        self.status_changed.emit()

    def _state(self, state: str) -> None:
        if state != self.state and state in {"consent", "active", "paused"}:
            self.case.add_event(
                self.consent_text() if state != "consent" else self.tr("Waiting for the user's consent")
            )
        if state == "reconnecting" and self.state != "reconnecting":
            self._notice(self.tr("Connection lost, reconnecting…"))
            self.case.add_event(self.tr("Connection lost, reconnecting…"))
        elif self.state == "reconnecting" and state != "reconnecting":
            self._notice("")
            self.case.add_event(self.tr("Reconnected"))
        self.state = state
        if state == "paused":
            self.chat.add_notice(self.tr("The user paused the session."))
        self._placeholder()
        self.status_changed.emit()

    def _chat_received(self, sender: str, text: str) -> None:
        self.chat.add_message(sender, text)
        self.case.add_event(f"{sender}: {text}")
        if self.side.currentWidget() is not self.chat:
            self.side.setTabText(0, self.tr("Chat •"))

    def _feedback(self, rating: int, comment: str) -> None:
        self.feedback = (rating, comment)
        text = self.tr("The user rated this session {rating} out of 5.").format(rating=rating)
        if comment:
            text += " " + self.tr("Comment: {comment}").format(comment=comment)
        self.chat.add_notice(text)
        self.case.add_event(text)

    def agent_notice_text(self, code: str, text: str) -> str:
        """A notice from the user's computer in the technician's language where its code is a known one."""
        known = {
            "wayland": self.tr(
                "The user's computer runs a Wayland desktop session, which cannot be shown yet. Ask the user to "
                "log out and choose an Xorg (X11) session."
            ),
            "no-display": self.tr("The user's computer has no desktop to show."),
            "display-unreachable": self.tr("The user's screen cannot be reached right now."),
            "monitor-gone": self.tr("The screen being shown is gone (a monitor was unplugged or switched off)."),
            "clipboard-withheld": self.tr(
                "Clipboard content the user copied while the connection was down was not sent: the user turned "
                "clipboard sharing off meanwhile."
            ),
        }
        return known.get(code) or self.tr("The user's computer says: {text}").format(text=text)

    def _agent_notice(self, code: str, text: str) -> None:
        shown = self.agent_notice_text(code, text)
        self.chat.add_notice(shown)
        self.case.add_event(shown)

    def _notice(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def end_reason_text(self, reason: str) -> str:
        """The driver's reason in plain, translated words where it is a known one."""
        known = [
            ("wrong session code", self.tr("The session code was wrong. Ask the user to read it again.")),
            ("consent refused", self.tr("The user refused. Nothing was shared.")),
            ("stopped by the user", self.tr("The user ended the session.")),
            ("stopped by the technician", self.tr("You ended the session.")),
            ("the link went silent", self.tr("The connection was lost.")),
            ("could not reconnect", self.tr("The connection was lost and could not be restored.")),
            (
                "no session to resume",
                self.tr("The user's computer no longer has this session (the assist app was closed or restarted)."),
            ),
            (
                "could not prove it is the same session",
                self.tr("Another computer answered instead of the user's; the session was closed for safety."),
            ),
            ("expired", self.tr("The session code expired. Ask the user for the new one.")),
        ]
        lowered = reason.lower()
        for needle, text in known:
            if needle in lowered:
                return text
        return reason

    def _ended(self, reason: str) -> None:
        reason = self.end_reason_text(reason)
        self._notice(reason)  # said where the technician looks, not only in the chat
        self.ended = True
        self.state = "ended"
        self.screen_view.release_all()
        self.screen_view.set_view_only(True)
        self.request_control_action.setEnabled(False)
        self.end_action.setEnabled(False)
        self.chat.add_notice(self.tr("Session ended: {reason}").format(reason=reason) if reason else "")
        self.case.add_event(self.tr("Session ended: {reason}").format(reason=reason))
        self._placeholder()
        self.status_changed.emit()

    # ----- technician actions -----
    def _pointer(self, x: int, y: int, buttons: int, wheel: int, horizontal: int) -> None:
        if "control" in self.granted:
            self.controller.backend.send_pointer(x, y, buttons, wheel, horizontal)

    def _key(self, down: bool, keysym: int, text: str) -> None:
        if "control" in self.granted:
            self.controller.backend.send_key(down, keysym or None, text or None)

    def _chat_sent(self, text: str) -> None:
        self.controller.backend.send_chat(text)
        self.chat.add_message(self.tr("You"), text, mine=True)
        self.case.add_event(f"{self.tr('You')}: {text}")

    def _request_control(self) -> None:
        self.controller.backend.request_capabilities(self.granted | {"view", "control"}, "")
        self.chat.add_notice(self.tr("Asked the user for control."))

    def end_session(self) -> None:
        """Stop the session (the tab stays open for the case)."""
        if not self.ended:
            self.screen_view.release_all()
            self.controller.backend.stop()
