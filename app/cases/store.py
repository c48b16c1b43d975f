"""Where cases live on disk: ``<cases dir>/<case id>/journal.pjournal`` (+ exported bundles in ``exports/``).

The console creates a case's journal with :meth:`CaseStore.create_journal` and reopens it after a crash with
:meth:`CaseStore.reopen_journal`; the command line lists, shows and exports cases from here.  At start the console
asks :meth:`CaseStore.interrupted_cases` for journals that were never closed (the console was killed) and finishes
one with :meth:`CaseStore.finish_interrupted`.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cases.case import Case, build_case
from app.cases.journal import (
    CHECKPOINT,
    RECOVERED,
    Journal,
    JournalContents,
    JournalError,
    RecoveryReport,
    make_private_dir,
    read_journal,
)
from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.pjournal"
# Held (flock) while a console has the case open; the kernel drops it when that process dies, even by SIGKILL.
LOCK_FILE = "in-use.lock"
_CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class CaseNotFoundError(PodporaError):
    """No case with that id."""

    exit_code = 66  # EX_NOINPUT

    def __init__(self, case_id: str) -> None:
        super().__init__(
            f"no case {case_id!r}",
            user_text=QT_TRANSLATE_NOOP("podpora", "There is no case {case_id}. See `podpora case list`."),
            case_id=case_id,
        )


class CaseInUseError(PodporaError):
    """Another running console has this case open."""

    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, case_id: str) -> None:
        super().__init__(
            f"case {case_id!r} is open in another console",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "The case {case_id} is open in another console. Close it there first."
            ),
            case_id=case_id,
        )


class CaseLock:
    """An advisory lock on one case, held while a console has it open (:meth:`CaseStore.lock_case`)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def release(self) -> None:
        """Give the case free (closing the file drops the lock)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def check_case_id(case_id: str) -> str:
    """Case ids become folder names: letters, digits, ``.``, ``_``, ``-`` only."""
    if not _CASE_ID.match(case_id):
        raise PodporaError(
            f"bad case id {case_id!r}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "A case id may contain only letters, digits, dots, dashes and underscores."
            ),
        )
    return case_id


@dataclass
class LoadedCase:
    """A case read from disk: the journal's contents and the case derived from them."""

    contents: JournalContents
    case: Case


@dataclass(frozen=True)
class InterruptedCase:
    """A case whose journal was never closed: the console stopped (killed, crashed) while it was open."""

    case_id: str
    ticket_ref: str  # the last ticket reference recorded, or empty
    created_at: str  # the journal header's time (ISO 8601, UTC)
    last_event_at: str  # the time of the last intact record, or ``created_at`` when there is none
    records: int  # intact records (everything up to the last event)
    torn: bool  # an incomplete last write follows them; reopening sets it aside and says so


def is_closed(contents: JournalContents) -> bool:
    """True when the journal ends with its final signed checkpoint (the case was closed properly)."""
    records = contents.records
    return bool(records) and records[-1].type == CHECKPOINT and bool(records[-1].fields.get("final"))


class CaseStore:
    """The cases folder."""

    def __init__(self, cases_dir: Path, master_key: bytes) -> None:
        self.cases_dir = cases_dir
        self._key = master_key

    def journal_path(self, case_id: str) -> Path:
        return self.cases_dir / check_case_id(case_id) / JOURNAL_FILE

    def exports_dir(self, case_id: str) -> Path:
        return self.cases_dir / check_case_id(case_id) / "exports"

    def lock_case(self, case_id: str) -> CaseLock | None:
        """Take the case's in-use lock without waiting; None while another console holds it.

        Where ``flock`` does not exist (Windows) the lock is not enforced and is always granted.
        """
        folder = self.journal_path(case_id).parent
        make_private_dir(folder)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return CaseLock(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        return CaseLock(fd)

    def in_use(self, case_id: str) -> bool:
        """True while a running console holds the case open."""
        lock = self.lock_case(case_id)
        if lock is None:
            return True
        lock.release()
        return False

    def case_ids(self) -> list[str]:
        """Every case with a journal, sorted."""
        if not self.cases_dir.is_dir():
            return []
        return sorted(p.parent.name for p in self.cases_dir.glob(f"*/{JOURNAL_FILE}"))

    def create_journal(self, case_id: str, signer: Ed25519PrivateKey, *, now: datetime) -> Journal:
        """Start the journal of a new case."""
        return Journal.create(
            self.journal_path(case_id),
            self._key,
            signer,
            journal_id=str(uuid.uuid4()),
            case_id=case_id,
            created_at=now,
        )

    def reopen_journal(
        self, case_id: str, signer: Ed25519PrivateKey, *, now: datetime
    ) -> tuple[Journal, RecoveryReport]:
        """Reopen a case's journal for appending (after a restart or a crash)."""
        path = self.journal_path(case_id)
        if not path.exists():
            raise CaseNotFoundError(case_id)
        return Journal.open(path, self._key, signer, at=now)

    def load(self, case_id: str) -> LoadedCase:
        """Read a case's journal (read-only) and fold it into a :class:`Case`."""
        path = self.journal_path(case_id)
        if not path.exists():
            raise CaseNotFoundError(case_id)
        contents = read_journal(path, self._key)
        case = build_case(
            str(contents.header.get("case_id", case_id)),
            contents.records,
            journal_id=str(contents.header.get("journal_id", "")),
        )
        return LoadedCase(contents, case)

    def interrupted_cases(self) -> list[InterruptedCase]:
        """Every case whose journal was never closed, oldest first (blocking: reads and decrypts each journal).

        A journal that cannot be read (another key, damage in the middle) is not offered for finishing: it is
        logged and left as it is for ``podpora case show`` to explain; nothing is changed or removed here.
        """
        found: list[InterruptedCase] = []
        for case_id in self.case_ids():
            try:
                contents = read_journal(self.journal_path(case_id), self._key)
            except (JournalError, OSError) as error:
                log.info("case %s cannot be read, not offered for recovery: %s", case_id, error)
                continue
            if is_closed(contents):
                continue
            if self.in_use(case_id):  # open in a console that is still running: not interrupted
                continue
            ticket = ""
            for record in contents.records:
                if record.type == "ticket" and isinstance(record.fields.get("ref"), str):
                    ticket = record.fields["ref"]
            created = str(contents.header.get("created_at", ""))
            found.append(
                InterruptedCase(
                    case_id=case_id,
                    ticket_ref=ticket,
                    created_at=created,
                    last_event_at=contents.records[-1].at if contents.records else created,
                    records=len(contents.records),
                    torn=contents.torn is not None,
                )
            )
        found.sort(key=lambda case: (case.created_at, case.case_id))
        return found

    def finish_interrupted(self, case_id: str, signer: Ed25519PrivateKey, *, now: datetime) -> RecoveryReport:
        """Close an interrupted case's journal: a ``recovered`` record, then the final signed checkpoint.

        Reopening sets a torn last write aside (kept in ``journal.pjournal.torn-<offset>``) and records that; a
        journal that simply stopped gets a ``recovered`` record saying the console stopped without closing it.
        A journal that is already closed is left as it is.  Raises :class:`CaseInUseError` while another
        console has the case open.
        """
        lock = self.lock_case(case_id)
        if lock is None:
            raise CaseInUseError(case_id)
        try:
            return self._finish_locked(case_id, signer, now)
        finally:
            lock.release()

    def _finish_locked(self, case_id: str, signer: Ed25519PrivateKey, now: datetime) -> RecoveryReport:
        journal, report = self.reopen_journal(case_id, signer, now=now)
        try:
            if not journal.closed and report.torn is None:
                last_seq = journal.records[-1].seq if journal.records else 0
                journal.append(
                    RECOVERED,
                    {
                        "torn_bytes": 0,
                        "after_seq": last_seq,
                        "reason": "the console stopped without closing the case",
                        "saved_as": "",
                    },
                    at=now,
                )
            journal.close(at=now)
        finally:
            journal.release()
        return report
