"""A tiny real X client for input tests: a Qt window that reports what it receives as JSON lines.

Run as ``python x_probe.py X Y WIDTH HEIGHT`` with ``DISPLAY`` set and ``QT_QPA_PLATFORM=xcb``. It prints
``{"event": "ready", ...}`` once the window is mapped and focused, then one line per key press (with its
text, Qt key and modifier names), mouse press/release/double-click (window and global coordinates) and wheel
step. Reading stops when stdin closes.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget


def emit(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def modifier_names(modifiers: Qt.KeyboardModifier) -> list[str]:
    names = []
    for flag, name in (
        (Qt.KeyboardModifier.ShiftModifier, "shift"),
        (Qt.KeyboardModifier.ControlModifier, "ctrl"),
        (Qt.KeyboardModifier.AltModifier, "alt"),
    ):
        if modifiers & flag:
            names.append(name)
    return names


class Probe(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("podpora-x-probe")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.announced = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        emit(event="key", text=event.text(), key=int(event.key()), modifiers=modifier_names(event.modifiers()))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._mouse("press", event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._mouse("release", event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._mouse("double", event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons():
            self._mouse("drag", event)

    def _mouse(self, kind: str, event: QMouseEvent) -> None:
        local, glob = event.position().toPoint(), event.globalPosition().toPoint()
        emit(
            event=kind,
            button=int(event.button().value),
            x=local.x(),
            y=local.y(),
            gx=glob.x(),
            gy=glob.y(),
            t=int(event.timestamp()),  # the X server's time stamp, for the failure messages
        )

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        emit(event="wheel", dx=delta.x(), dy=delta.y())

    def announce(self) -> None:
        if self.announced:
            return
        if not (self.isVisible() and self.hasFocus()):
            self.activateWindow()
            self.setFocus()
            QTimer.singleShot(20, self.announce)
            return
        self.announced = True
        top_left = self.mapToGlobal(self.rect().topLeft())
        emit(event="ready", x=top_left.x(), y=top_left.y(), width=self.width(), height=self.height())


def main() -> int:
    x, y, width, height = (int(value) for value in sys.argv[1:5])
    app = QApplication(sys.argv[:1])
    probe = Probe()
    probe.setGeometry(x, y, width, height)
    probe.show()
    probe.activateWindow()
    QTimer.singleShot(0, probe.announce)
    stdin_watch = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)

    def on_stdin() -> None:
        if not sys.stdin.buffer.read1(4096):
            app.quit()

    stdin_watch.activated.connect(on_stdin)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
