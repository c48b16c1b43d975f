"""Where cases live on disk: ``<cases dir>/<case id>/journal.pjournal`` (+ exported bundles in ``exports/``).

The console creates a case's journal with :meth:`CaseStore.create_journal` and reopens it after a crash with
:meth:`CaseStore.reopen_journal`; the command line lists, shows and exports cases from here.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cases.case import Case, build_case
from app.cases.journal import Journal, JournalContents, RecoveryReport, read_journal
from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

JOURNAL_FILE = "journal.pjournal"
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


class CaseStore:
    """The cases folder."""

    def __init__(self, cases_dir: Path, master_key: bytes) -> None:
        self.cases_dir = cases_dir
        self._key = master_key

    def journal_path(self, case_id: str) -> Path:
        return self.cases_dir / check_case_id(case_id) / JOURNAL_FILE

    def exports_dir(self, case_id: str) -> Path:
        return self.cases_dir / check_case_id(case_id) / "exports"

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
