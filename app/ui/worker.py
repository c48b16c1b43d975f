"""Running blocking work off the GUI thread and delivering the outcome back to it through queued signals.

Controllers own their workers; widgets never call anything that may wait on the network, disk or a
subprocess.  A :class:`Task` runs a plain callable on Qt's global thread pool and emits ``succeeded`` or
``failed`` — those signals cross threads as queued connections, so slots run on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

log = logging.getLogger(__name__)

#: Background tasks wait on networks, disks and subprocesses, not on the CPU.  Qt's default pool has one thread
#: per core, so on a two-core machine two connects to stalled servers (15 s each) held up every other task:
#: saving the address book, a case note, a third connect.
BACKGROUND_THREADS = 32


def background_pool() -> QThreadPool:
    """Qt's global pool, with room for :data:`BACKGROUND_THREADS` waiting tasks (idle threads expire)."""
    pool = QThreadPool.globalInstance()
    if pool.maxThreadCount() < BACKGROUND_THREADS:
        pool.setMaxThreadCount(BACKGROUND_THREADS)
    return pool


class Task(QObject):
    """One unit of background work; connect to its signals before :meth:`start`."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, work: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self.cancelled = False

    def start(self, pool: QThreadPool | None = None) -> None:
        """Queue the work on ``pool`` (by default :func:`background_pool`)."""
        runner = _Runner(self)
        (pool or background_pool()).start(runner)

    def cancel(self) -> None:
        """Drop the result when it arrives (the callable itself decides how to stop early)."""
        self.cancelled = True

    def _run(self) -> None:
        try:
            result = self._work()
        except Exception as error:
            log.debug("background task failed: %r", error)
            if not self.cancelled:
                self.failed.emit(error)
        else:
            if not self.cancelled:
                self.succeeded.emit(result)
        self.finished.emit()


class _Runner(QRunnable):
    """Adapter from QRunnable to :class:`Task` (QRunnable is not a QObject and cannot emit signals)."""

    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run()


#: Tasks in flight.  A task has no Qt parent (a widget closing early must not delete a task whose worker
#: still runs); this set keeps it alive until its worker is done.
_running: set[Task] = set()


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    parent: QObject,
) -> Task:
    """Start ``work`` off the GUI thread; the callbacks run on the GUI thread while ``parent`` still exists."""
    task = Task(work)
    _running.add(task)

    def deliver(callback: Callable[[Any], None], value: Any) -> None:
        if shiboken6.isValid(parent):  # the window may have closed while the work ran
            callback(value)

    # Queued explicitly: the task lives on the GUI thread, so its queued slots run there even for plain
    # functions, whatever thread emits.
    task.succeeded.connect(lambda value: deliver(on_success, value), Qt.ConnectionType.QueuedConnection)
    task.failed.connect(lambda error: deliver(on_failure, error), Qt.ConnectionType.QueuedConnection)
    task.finished.connect(lambda: _running.discard(task), Qt.ConnectionType.QueuedConnection)
    task.start()
    return task
