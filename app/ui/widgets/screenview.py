"""The remote screen: paints frames, fits them to the window or shows them 1:1 with scrolling, and turns the
technician's mouse and keyboard into remote pointer and key events.

Coordinates: :meth:`ScreenView.map_to_remote` maps a point in the widget to a pixel of the remote picture
(fit mode scales and centres the picture; 1:1 mode adds the scroll offset).  Pointer buttons travel as an
RFB-style mask (bit 0 left, bit 1 middle, bit 2 right) and keys as X11 keysyms, matching ``app.remote``.
Frames arrive as ``QImage`` built off the GUI thread; the view turns them into a ``QPixmap`` here.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

BUTTON_BITS = {
    Qt.MouseButton.LeftButton: 1 << 0,
    Qt.MouseButton.MiddleButton: 1 << 1,
    Qt.MouseButton.RightButton: 1 << 2,
}

#: Qt keys without a character, as X11 keysyms.
SPECIAL_KEYSYMS: dict[int, int] = {
    Qt.Key.Key_Backspace: 0xFF08,
    Qt.Key.Key_Tab: 0xFF09,
    Qt.Key.Key_Backtab: 0xFF09,
    Qt.Key.Key_Return: 0xFF0D,
    Qt.Key.Key_Enter: 0xFF8D,
    Qt.Key.Key_Pause: 0xFF13,
    Qt.Key.Key_ScrollLock: 0xFF14,
    Qt.Key.Key_SysReq: 0xFF15,
    Qt.Key.Key_Escape: 0xFF1B,
    Qt.Key.Key_Delete: 0xFFFF,
    Qt.Key.Key_Home: 0xFF50,
    Qt.Key.Key_Left: 0xFF51,
    Qt.Key.Key_Up: 0xFF52,
    Qt.Key.Key_Right: 0xFF53,
    Qt.Key.Key_Down: 0xFF54,
    Qt.Key.Key_PageUp: 0xFF55,
    Qt.Key.Key_PageDown: 0xFF56,
    Qt.Key.Key_End: 0xFF57,
    Qt.Key.Key_Print: 0xFF61,
    Qt.Key.Key_Insert: 0xFF63,
    Qt.Key.Key_Menu: 0xFF67,
    Qt.Key.Key_NumLock: 0xFF7F,
    Qt.Key.Key_Shift: 0xFFE1,
    Qt.Key.Key_Control: 0xFFE3,
    Qt.Key.Key_CapsLock: 0xFFE5,
    Qt.Key.Key_Meta: 0xFFE7,
    Qt.Key.Key_Alt: 0xFFE9,
    Qt.Key.Key_AltGr: 0xFE03,
    Qt.Key.Key_Super_L: 0xFFEB,
    Qt.Key.Key_Super_R: 0xFFEC,
    Qt.Key.Key_Space: 0x20,
    **{Qt.Key.Key_F1 + i: 0xFFBE + i for i in range(12)},
}

KEYSYM_CONTROL_L = 0xFFE3
KEYSYM_ALT_L = 0xFFE9
KEYSYM_SUPER_L = 0xFFEB
KEYSYM_DELETE = 0xFFFF
KEYSYM_TAB = 0xFF09
KEYSYM_ESCAPE = 0xFF1B
KEYSYM_F4 = 0xFFC1
KEYSYM_PRINT = 0xFF61

#: Key combinations a local keyboard cannot send into a window (the local system would take them).
SPECIAL_COMBINATIONS: dict[str, tuple[int, ...]] = {
    "ctrl_alt_del": (KEYSYM_CONTROL_L, KEYSYM_ALT_L, KEYSYM_DELETE),
    "alt_tab": (KEYSYM_ALT_L, KEYSYM_TAB),
    "alt_f4": (KEYSYM_ALT_L, KEYSYM_F4),
    "super": (KEYSYM_SUPER_L,),
    "ctrl_esc": (KEYSYM_CONTROL_L, KEYSYM_ESCAPE),
    "print": (KEYSYM_PRINT,),
}


def keysym_for_character(character: str) -> int:
    """The X11 keysym for one character: Latin-1 maps directly, the rest into the Unicode keysym range."""
    code = ord(character)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x01000000 + code


class ScreenView(QAbstractScrollArea):
    """Shows the remote picture and emits input for the remote machine (unless view-only)."""

    pointer_event = Signal(int, int, int, int, int)  # x, y, buttons mask, wheel, horizontal wheel
    key_event = Signal(bool, int, str)  # down, keysym (0 when text is used), text ("" when keysym is used)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self.fit_to_window = True
        self.view_only = False
        self.overlay_text = ""
        self.placeholder = ""
        self._buttons = 0
        self._held_keysyms: set[int] = set()
        self._wheel_rest = QPoint(0, 0)
        self._last_remote = (0, 0)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMinimumSize(QSize(320, 200))

    # ----- picture -----
    def set_frame(self, image: QImage) -> None:
        """Show a full new picture (the GUI thread turns it into a pixmap)."""
        size_changed = image.size() != self._pixmap.size()
        self._pixmap = QPixmap.fromImage(image)
        if size_changed:
            self._update_scrollbars()
        self.viewport().update()

    def update_region(self, image: QImage, x: int, y: int) -> None:
        """Paint a changed region into the current picture."""
        if self._pixmap.isNull():
            return
        painter = QPainter(self._pixmap)
        painter.drawImage(QPoint(x, y), image)
        painter.end()
        self.viewport().update(self._display_rect(QRectF(x, y, image.width(), image.height())))

    def remote_size(self) -> QSize:
        """Size of the remote picture in pixels (empty before the first frame)."""
        return self._pixmap.size()

    def set_fit_to_window(self, fit: bool) -> None:
        """Switch between fit-to-window and 1:1 with scrollbars."""
        self.fit_to_window = fit
        self._update_scrollbars()
        self.viewport().update()

    def set_view_only(self, view_only: bool) -> None:
        """In view-only mode no input leaves the console; held keys and buttons are released first."""
        if view_only:
            self.release_all()
        self.view_only = view_only

    def set_overlay(self, text: str) -> None:
        """The link-quality line drawn in the corner (empty hides it)."""
        self.overlay_text = text
        self.viewport().update()

    def set_placeholder(self, text: str) -> None:
        """What to say while there is no picture (waiting for consent, paused)."""
        self.placeholder = text
        self.viewport().update()

    # ----- geometry -----
    def _scale(self) -> float:
        if self._pixmap.isNull() or not self.fit_to_window:
            return 1.0
        viewport = self.viewport().size()
        return min(viewport.width() / self._pixmap.width(), viewport.height() / self._pixmap.height())

    def _origin(self) -> QPointF:
        """Top-left of the picture in viewport coordinates."""
        if self._pixmap.isNull():
            return QPointF(0, 0)
        scale = self._scale()
        viewport = self.viewport().size()
        width, height = self._pixmap.width() * scale, self._pixmap.height() * scale
        x = (viewport.width() - width) / 2 if width < viewport.width() else 0.0
        y = (viewport.height() - height) / 2 if height < viewport.height() else 0.0
        if not self.fit_to_window:
            x -= self.horizontalScrollBar().value()
            y -= self.verticalScrollBar().value()
        return QPointF(x, y)

    def _display_rect(self, remote: QRectF) -> QRect:
        scale = self._scale()
        origin = self._origin()
        return QRectF(
            origin.x() + remote.x() * scale,
            origin.y() + remote.y() * scale,
            remote.width() * scale,
            remote.height() * scale,
        ).toAlignedRect()

    def map_to_remote(self, point: QPointF) -> tuple[int, int] | None:
        """The remote pixel under a viewport point, or None outside the picture."""
        if self._pixmap.isNull():
            return None
        scale = self._scale()
        origin = self._origin()
        x = int((point.x() - origin.x()) / scale)
        y = int((point.y() - origin.y()) / scale)
        if 0 <= x < self._pixmap.width() and 0 <= y < self._pixmap.height():
            return x, y
        return None

    def _update_scrollbars(self) -> None:
        if self.fit_to_window or self._pixmap.isNull():
            self.horizontalScrollBar().setRange(0, 0)
            self.verticalScrollBar().setRange(0, 0)
            return
        viewport = self.viewport().size()
        self.horizontalScrollBar().setRange(0, max(0, self._pixmap.width() - viewport.width()))
        self.verticalScrollBar().setRange(0, max(0, self._pixmap.height() - viewport.height()))
        self.horizontalScrollBar().setPageStep(viewport.width())
        self.verticalScrollBar().setPageStep(viewport.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._update_scrollbars()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        self.viewport().update()

    # ----- painting -----
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), QColor("#202124"))
        if self._pixmap.isNull():
            painter.setPen(QColor("#e6e6e6"))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._scale() < 1.0)
            target = self._display_rect(QRectF(0, 0, self._pixmap.width(), self._pixmap.height()))
            painter.drawPixmap(target, self._pixmap)
        if self.overlay_text:
            font = QFont(self.font())
            font.setPointSize(max(8, font.pointSize() - 1))
            painter.setFont(font)
            metrics = painter.fontMetrics()
            box = metrics.boundingRect(self.overlay_text).adjusted(-8, -4, 8, 4)
            box.moveTopRight(QPoint(self.viewport().width() - 8, 8))
            painter.fillRect(box, QColor(0, 0, 0, 160))
            painter.setPen(QColor("#ffffff"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.overlay_text)
        painter.end()

    # ----- mouse -----
    def _send_pointer(self, position: QPointF, wheel: int = 0, horizontal: int = 0) -> None:
        if self.view_only:
            return
        remote = self.map_to_remote(position)
        if remote is None:
            return
        self._last_remote = remote
        self.pointer_event.emit(remote[0], remote[1], self._buttons, wheel, horizontal)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._buttons |= BUTTON_BITS.get(event.button(), 0)
        self._send_pointer(event.position())
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        # Qt turns the second press into a double-click event; the remote desktop detects double clicks
        # itself from press timing, so it is forwarded as the press it is.
        self.mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._buttons &= ~BUTTON_BITS.get(event.button(), 0)
        self._send_pointer(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._send_pointer(event.position())
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if self.view_only:
            super().wheelEvent(event)  # view-only: the wheel scrolls the 1:1 view locally
            return
        # 120 units make one notch; smooth-scrolling devices send fractions, so keep the remainder.
        self._wheel_rest += event.angleDelta()
        notches_y = int(self._wheel_rest.y() / 120)
        notches_x = int(self._wheel_rest.x() / 120)
        self._wheel_rest -= QPoint(notches_x * 120, notches_y * 120)
        if notches_x or notches_y:
            # Remote convention: positive wheel scrolls down; Qt's positive angle means up.
            self._send_pointer(event.position(), wheel=-notches_y, horizontal=notches_x)
        event.accept()

    # ----- keyboard -----
    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 - Qt override
        return False  # Tab belongs to the remote machine while the view has focus

    def event(self, event: QEvent) -> bool:
        # Shortcuts of the console (e.g. Ctrl+W) must not eat keys meant for the remote machine.
        if event.type() == QEvent.Type.ShortcutOverride and not self.view_only:
            event.accept()
            return True
        return super().event(event)

    def _key(self, event: QKeyEvent, down: bool) -> None:
        if self.view_only or (event.isAutoRepeat() and not down):
            return
        key = event.key()
        keysym = SPECIAL_KEYSYMS.get(key)
        text = event.text()
        if keysym is None and len(text) == 1 and text.isprintable():
            keysym = keysym_for_character(text)
        elif keysym is None and event.modifiers() & Qt.KeyboardModifier.ControlModifier and 0 < key < 0x7F:
            keysym = ord(chr(key).lower())  # Ctrl+C arrives with a control character as text
        if keysym is None:
            if down and text and text.isprintable():
                self.key_event.emit(True, 0, text)  # input-method text without a single keysym
            return
        if down:
            self._held_keysyms.add(keysym)
        else:
            self._held_keysyms.discard(keysym)
        self.key_event.emit(down, keysym, "")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        self._key(event, True)
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        self._key(event, False)
        event.accept()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        # Whatever is held when focus leaves would otherwise stay pressed on the remote machine.
        self.release_all()
        super().focusOutEvent(event)

    def release_all(self) -> None:
        """Release every key and mouse button this view holds down on the remote machine."""
        for keysym in sorted(self._held_keysyms):
            self.key_event.emit(False, keysym, "")
        self._held_keysyms.clear()
        if self._buttons:
            self._buttons = 0
            self.pointer_event.emit(self._last_remote[0], self._last_remote[1], 0, 0, 0)

    def send_combination(self, name: str) -> None:
        """Press and release a special combination (e.g. "ctrl_alt_del") on the remote machine."""
        if self.view_only:
            return
        keysyms = SPECIAL_COMBINATIONS[name]
        for keysym in keysyms:
            self.key_event.emit(True, keysym, "")
        for keysym in reversed(keysyms):
            self.key_event.emit(False, keysym, "")
