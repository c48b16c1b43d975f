"""Cyclic garbage is collected on the GUI thread only (Qt objects must never be destroyed on a worker thread)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.application import GuiThreadGarbageCollector


class Node:
    """An object in a reference cycle: only the cyclic collector can free it."""

    partner: Node | None = None


def test_cycles_made_on_a_worker_thread_are_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    collector = GuiThreadGarbageCollector(app)
    collected_on: list[threading.Thread] = []
    try:
        assert not gc.isenabled()

        def make_cycles() -> None:
            for _ in range(3000):  # well past the first generation's threshold: automatic gc would run here
                node = Node()
                node.partner = node
                weakref.finalize(node, lambda: collected_on.append(threading.current_thread()))

        worker = threading.Thread(target=make_cycles)
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: len(collected_on) == 3000, timeout=10_000)
        assert set(collected_on) == {threading.main_thread()}
    finally:
        collector.setParent(None)
        collector.deleteLater()
        gc.enable()
