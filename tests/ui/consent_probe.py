"""A consent prompt on a real X display, driven over stdin/stdout by ``test_consent_on_x.py``.

Prints ``ready X Y`` (the Accept button's centre on the screen), then obeys ``remote on`` / ``remote off``
lines and prints ``decided <capabilities>`` when the prompt is answered.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

from app.ui.assist.consent import ConsentDialog
from app.ui.assist.models import ConsentRequest, TechnicianIdentity


def main() -> int:
    app = QApplication(sys.argv[:1])
    dialog = ConsentDialog(
        ConsentRequest(TechnicianIdentity("Jana", verified=True), ("view", "control"), "test"), arm_delay_ms=0
    )
    dialog.decided.connect(lambda granted: print("decided", ",".join(sorted(granted)) or "-", flush=True))
    dialog.decided.connect(lambda _: QTimer.singleShot(100, app.quit))
    dialog.move(100, 100)
    dialog.show()

    def announce() -> None:
        centre = dialog.accept_button.mapToGlobal(dialog.accept_button.rect().center())
        print("ready", centre.x(), centre.y(), flush=True)

    QTimer.singleShot(500, announce)
    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)

    def command() -> None:
        line = sys.stdin.readline().strip()
        if line == "remote on":
            dialog.set_remote_input_active(True)
        elif line == "remote off":
            dialog.set_remote_input_active(False)
        print("ok", line, dialog.guard.dropped, flush=True)

    notifier.activated.connect(command)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
