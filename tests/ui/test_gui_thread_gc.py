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


def test_the_event_loop_returns_only_after_running_background_tasks_finished() -> None:
    """At exit, a background task still running gets its (bounded) time before Python shuts down.

    The task goes on working only once the event loop is quitting (``aboutToQuit``), and then for a while (it
    hashes 64 MiB), so without the wait the loop would return long before the task is done.
    """
    import hashlib

    from PySide6.QtCore import QTimer

    from app.ui.application import run_event_loop
    from app.ui.worker import Task

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    started, quitting, finished = threading.Event(), threading.Event(), threading.Event()

    def work() -> None:
        started.set()
        assert quitting.wait(10)
        hashlib.sha256(bytes(64 << 20)).digest()
        finished.set()

    task = Task(work)
    app.aboutToQuit.connect(quitting.set)
    try:
        QTimer.singleShot(0, task.start)
        QTimer.singleShot(0, lambda: (started.wait(10), app.quit()))
        assert run_event_loop(app) == 0
        assert finished.is_set()  # run_event_loop waited for it
    finally:
        app.aboutToQuit.disconnect(quitting.set)
