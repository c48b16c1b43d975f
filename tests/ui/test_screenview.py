"""The screen view: coordinate mapping in fit and 1:1 modes, input forwarding, view-only, special keys."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.widgets.screenview import SPECIAL_COMBINATIONS, ScreenView, keysym_for_character


def make_view(qtbot: QtBot, width: int = 400, height: int = 300, remote: tuple[int, int] = (800, 600)) -> ScreenView:
    view = ScreenView()
    qtbot.addWidget(view)
    view.resize(width + view.frameWidth() * 2, height + view.frameWidth() * 2)
    image = QImage(remote[0], remote[1], QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    view.set_frame(image)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_fit_mode_scales_and_centres(qtbot: QtBot) -> None:
    view = make_view(qtbot, 400, 400)  # remote 800×600 → scale 0.5, picture 400×300 centred vertically
    assert view.viewport().size().width() == 400
    assert view.map_to_remote(QPointF(0, 50)) == (0, 0)
    assert view.map_to_remote(QPointF(200, 200)) == (400, 300)
    assert view.map_to_remote(QPointF(399, 349)) == (798, 598)
    assert view.map_to_remote(QPointF(200, 20)) is None  # the letterbox above the picture


def test_one_to_one_mode_adds_scroll_offset(qtbot: QtBot) -> None:
    view = make_view(qtbot, 400, 300)
    view.set_fit_to_window(False)
    assert view.map_to_remote(QPointF(10, 20)) == (10, 20)
    view.horizontalScrollBar().setValue(150)
    view.verticalScrollBar().setValue(100)
    assert view.map_to_remote(QPointF(10, 20)) == (160, 120)
    assert view.horizontalScrollBar().maximum() == 800 - view.viewport().width()


def test_mouse_events_carry_remote_coordinates_and_buttons(qtbot: QtBot) -> None:
    view = make_view(qtbot, 400, 300)  # scale 0.5 exactly
    events: list[tuple[int, int, int, int, int]] = []
    view.pointer_event.connect(lambda *args: events.append(args))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(100, 50))
    qtbot.mouseMove(view.viewport(), QPoint(150, 75))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(150, 75))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.RightButton, pos=QPoint(10, 10))
    assert events[0] == (200, 100, 1, 0, 0)
    assert (300, 150, 1, 0, 0) in events  # drag with the left button held
    assert (300, 150, 0, 0, 0) in events
    assert (20, 20, 4, 0, 0) in events and events[-1] == (20, 20, 0, 0, 0)


def test_double_click_is_forwarded_as_two_presses(qtbot: QtBot) -> None:
    view = make_view(qtbot, 400, 300)
    presses: list[int] = []
    view.pointer_event.connect(lambda x, y, buttons, w, h: presses.append(buttons))
    # Two quick clicks: Qt delivers the second press as a double-click event, which must go out as a press.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(40, 40))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(40, 40))
    assert presses == [1, 0, 1, 0]


def test_keys_modifiers_and_text(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.setFocus()
    keys: list[tuple[bool, int, str]] = []
    view.key_event.connect(lambda down, keysym, text: keys.append((down, keysym, text)))
    qtbot.keyPress(view, Qt.Key.Key_Shift)
    qtbot.keyClick(view, "A")
    qtbot.keyRelease(view, Qt.Key.Key_Shift)
    # QTest can only type Latin-1 characters; a key event carries what an input method would deliver.
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(view, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, "ž"))
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert keys[0] == (True, 0xFFE1, "")
    assert (True, ord("A"), "") in keys and (False, ord("A"), "") in keys
    assert (False, 0xFFE1, "") in keys
    assert (True, 0x01000000 + ord("ž"), "") in keys
    assert (True, 0xFF09, "") in keys  # Tab goes to the remote machine, not to focus changes
    assert (True, 0xFFE3, "") in keys and (True, ord("c"), "") in keys  # Ctrl+C as Control + c
    assert keysym_for_character("ř") == 0x01000000 + ord("ř")
    assert keysym_for_character("é") == 0xE9


def test_wheel_notches(qtbot: QtBot) -> None:
    view = make_view(qtbot, 400, 300)
    events: list[tuple[int, int, int, int, int]] = []
    view.pointer_event.connect(lambda *args: events.append(args))
    from PySide6.QtGui import QWheelEvent

    event = QWheelEvent(
        QPointF(100, 100),
        QPointF(100, 100),
        QPoint(0, 0),
        QPoint(0, -240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(event)
    assert events == [(200, 200, 0, 2, 0)]  # two notches towards the user = scroll down


def test_view_only_sends_nothing_and_releases_held_keys(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.setFocus()
    keys: list[tuple[bool, int, str]] = []
    pointers: list[object] = []
    view.key_event.connect(lambda *args: keys.append(args))
    view.pointer_event.connect(lambda *args: pointers.append(args))
    qtbot.keyPress(view, Qt.Key.Key_Control)
    view.set_view_only(True)
    assert keys[-1] == (False, 0xFFE3, "")
    count = len(keys)
    qtbot.keyClick(view, Qt.Key.Key_B)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    view.send_combination("ctrl_alt_del")
    assert len(keys) == count and pointers == []


def test_special_combination(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    keys: list[tuple[bool, int, str]] = []
    view.key_event.connect(lambda *args: keys.append(args))
    view.send_combination("ctrl_alt_del")
    combo = SPECIAL_COMBINATIONS["ctrl_alt_del"]
    assert keys == [(True, k, "") for k in combo] + [(False, k, "") for k in reversed(combo)]
