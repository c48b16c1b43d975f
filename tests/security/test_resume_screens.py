"""What people see while a link is lost (issue 9): the console's tab and the user's indicator say so truthfully."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.ui.assist.indicator import SessionIndicator
from app.ui.console.session import SessionController, SessionTab


class FakeSession:
    """A session backend that goes nowhere (the tab only needs something to call)."""

    def send_pointer(self, x: int, y: int, buttons: int, wheel: int, wheel_horizontal: int) -> None: ...

    def send_key(self, down: bool, keysym: int | None, text: str | None) -> None: ...

    def send_chat(self, text: str) -> None: ...

    def request_capabilities(self, capabilities: frozenset[str], reason: str) -> None: ...

    def frame_drawn(self) -> None: ...

    def select_monitor(self, index: int) -> None: ...

    def stop(self) -> None: ...


def test_the_console_tab_says_it_is_reconnecting_and_when_it_is_back(qtbot: QtBot) -> None:
    controller = SessionController("office-pc", FakeSession())
    tab = SessionTab(controller)
    qtbot.addWidget(tab)
    tab.show()
    controller.report_granted(frozenset({"view", "control"}))
    controller.report_state("active")
    assert not tab.banner.isVisible()
    controller.report_state("reconnecting")
    assert tab.banner.isVisible() and tab.banner.text() == "Connection lost, reconnecting…"
    controller.report_state("active")
    assert not tab.banner.isVisible()
    controller.report_ended("could not reconnect to the user's computer")
    assert tab.banner.text() == "The connection was lost and could not be restored."


def test_the_console_explains_a_session_that_cannot_come_back(qtbot: QtBot) -> None:
    tab = SessionTab(SessionController("office-pc", FakeSession()))
    qtbot.addWidget(tab)
    assert "no longer has this session" in tab.end_reason_text("the agent ended the session: no session to resume")
    assert "Another computer answered" in tab.end_reason_text("the other side could not prove it is the same session")


def test_the_indicator_says_the_technician_is_disconnected_and_cannot_act(qtbot: QtBot) -> None:
    indicator = SessionIndicator("Jana")
    qtbot.addWidget(indicator)
    indicator.set_granted(frozenset({"view", "control"}))
    assert indicator.control_button.isEnabled()
    indicator.set_disconnected(True)
    assert indicator.status.text() == (
        "Jana is disconnected and cannot see or control anything. Waiting for them to return…"
    )
    # The user can still take control back (the technician then returns without it) or end the session.
    assert indicator.control_button.isEnabled()
    assert indicator.end_button.isEnabled()
    indicator.set_disconnected(False)
    assert indicator.status.text() == "Jana can see and control your screen"
