"""The console's one entry point for recording a session: journal events, fail closed on a write error.

``app.ui``/``app.cli`` wire it: they pass the clock, the technician's key and an ``on_write_error`` callback that
stops remote control and capture (the journal must never fall behind what the technician can do).  Events are
plain dicts (``type`` + fields); this package does not import ``app.remote`` or ``app.diagnostics``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cases.journal import Journal, JournalRecord, JournalWriteError, RecoveryReport
from app.cases.store import CaseLock, CaseStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
WriteErrorHandler = Callable[[JournalWriteError], None]


class CaseRecorder:
    """Records one case's events; after a write error every further call fails (the session must stop)."""

    def __init__(self, journal: Journal, *, clock: Clock, on_write_error: WriteErrorHandler) -> None:
        self.journal = journal
        self._clock = clock
        self._on_write_error = on_write_error
        self.recovery: RecoveryReport | None = None
        #: The case's in-use lock while this recorder has it open (so no other console appends or finishes it).
        self.lock: CaseLock | None = None

    @classmethod
    def start(
        cls,
        store: CaseStore,
        case_id: str,
        signer: Ed25519PrivateKey,
        *,
        clock: Clock,
        on_write_error: WriteErrorHandler,
    ) -> CaseRecorder:
        """Open the case's journal: a new one, or the existing one reopened (after a crash: recovered).

        The recorder holds the case's in-use lock while it is open, so that another console neither offers the
        case as interrupted nor finishes it (:meth:`CaseStore.interrupted_cases`).
        """
        if store.journal_path(case_id).exists():
            lock = store.lock_case(case_id)
            if lock is None:  # held elsewhere (or by an earlier recorder of this process): not taken over here
                log.info("case %s is reopened while it is marked in use", case_id)
            try:
                journal, report = store.reopen_journal(case_id, signer, now=clock())
            except BaseException:
                if lock is not None:
                    lock.release()
                raise
            recorder = cls(journal, clock=clock, on_write_error=on_write_error)
            recorder.recovery = report
            recorder.lock = lock
            if report.torn is not None:
                log.warning("case %s: %s", case_id, report.torn.describe())
            return recorder
        recorder = cls(store.create_journal(case_id, signer, now=clock()), clock=clock, on_write_error=on_write_error)
        recorder.lock = store.lock_case(case_id)  # a new id: nobody else can hold it
        return recorder

    @property
    def stopped(self) -> bool:
        """True once a write failed: nothing more may happen in this session."""
        return self.journal.failed is not None

    def record(
        self,
        event_type: str,
        fields: Mapping[str, Any] | None = None,
        *,
        secret_fields: Iterable[str] = (),
        known_secrets: Iterable[str] = (),
    ) -> JournalRecord:
        """Append one event (redacted, fsync'd) and return it once it is on disk.

        On a write error the handler is told first (so control stops), then the error is raised.
        """
        try:
            return self.journal.append(
                event_type,
                fields or {},
                at=self._clock(),
                secret_fields=secret_fields,
                known_secrets=known_secrets,
            )
        except JournalWriteError as error:
            self._on_write_error(error)
            raise

    def close(self) -> None:
        """Write the final signed checkpoint (if the journal still works), close it and give the case free."""
        try:
            self.journal.close(at=self._clock())
        except JournalWriteError as error:
            self._on_write_error(error)
            self.journal.release()
            raise
        finally:
            if self.lock is not None:
                self.lock.release()
                self.lock = None
