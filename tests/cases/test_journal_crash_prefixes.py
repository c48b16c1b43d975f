"""T38: replay every fsync-bounded state of the journal's files; recovery always finds the acknowledged prefix.

The ALICE idea, for the journal and its forward-key file: an I/O shim records each file's content at every
``fsync`` while a session is recorded.  Every crash state is then rebuilt in a fresh folder:

* each file as it was at its last ``fsync`` before the crash (only data that was fsync'd survives);
* the write in flight at the crash, torn: the journal with part of its last frame (appends are one write),
  the key file with its old content (it is overwritten in place, 68 bytes within one disk sector).

In every state: reading finds exactly a prefix of the final records, holding at least every record whose
``append`` had returned (acknowledged) before the crash; and the journal reopens, accepts a new record, and
verifies with its forward seals.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cases import journal as journal_module
from app.cases.journal import Journal, forward_state_path, header_forward_key, read_journal, verify_chain
from tests.cases.conftest import FakeClock


@dataclass(frozen=True)
class Durable:
    """A file's content right after an ``fsync`` of it, and how many appends had returned when it was called."""

    path: Path
    content: bytes
    acknowledged: int


class RecordingOs:
    """Stands in for ``os`` inside the journal module: forwards everything and snapshots files at each fsync."""

    def __init__(self, real: ModuleType, acknowledged: list[int]) -> None:
        self._real = real
        self._paths: dict[int, Path] = {}
        self._acknowledged = acknowledged
        self.trace: list[Durable] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def open(self, path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        fd = int(self._real.open(path, flags, mode, **kwargs))
        self._paths[fd] = Path(path)
        return fd

    def close(self, fd: int) -> None:
        self._paths.pop(fd, None)
        self._real.close(fd)

    def fsync(self, fd: int) -> None:
        self._real.fsync(fd)
        path = self._paths.get(fd)
        if path is not None and path.is_file():
            self.trace.append(Durable(path, path.read_bytes(), self._acknowledged[0]))


@contextmanager
def recording(acknowledged: list[int]) -> Iterator[RecordingOs]:
    shim = RecordingOs(os, acknowledged)
    journal_module.os = shim  # type: ignore[assignment]
    try:
        yield shim
    finally:
        journal_module.os = os


def crash_states(trace: list[Durable]) -> Iterator[tuple[str, dict[str, bytes], int]]:
    """Every state a crash can leave: (label, file name -> content, records acknowledged by then)."""
    durable: dict[str, bytes] = {}
    for index, event in enumerate(trace):
        name = event.path.name
        before = dict(durable)
        old = durable.get(name)
        new = event.content
        if old is not None and name.endswith(".pjournal") and new.startswith(old) and len(new) > len(old):
            in_flight = new[len(old) :]
            for cut in sorted({1, len(in_flight) // 2, len(in_flight) - 1}):
                torn = {**before, name: old + in_flight[:cut]}
                yield f"{index}: torn frame ({cut} of {len(in_flight)} bytes)", torn, event.acknowledged
        # Before this fsync returned, the previous content is what the disk may hold (key file: old key).
        if old is not None:
            yield f"{index}: before fsync of {name}", before, event.acknowledged
        durable[name] = new
        yield f"{index}: after fsync of {name}", dict(durable), event.acknowledged


def test_every_fsync_bounded_state_recovers_the_acknowledged_prefix(
    tmp_path: Path, master_key: bytes, signer: Ed25519PrivateKey, clock: FakeClock
) -> None:
    original = tmp_path / "recorded" / "c.pjournal"
    acknowledged = [0]
    with recording(acknowledged) as shim:
        journal = Journal.create(
            original, master_key, signer, journal_id="J-38", case_id="C-38", created_at=clock(), checkpoint_every=3
        )
        with journal:
            for n in range(7):
                journal.append("chat", {"n": n, "text": "x" * (n * 37)}, at=clock.advance(1))
                acknowledged[0] = len(journal.records)
            journal.close(at=clock.advance(1))
            acknowledged[0] = len(journal.records)
    final = [record.raw for record in read_journal(original, master_key).records]
    assert len(final) == 10  # 7 events, 2 periodic checkpoints, the final one
    names = {event.path.name for event in shim.trace}
    assert names == {"c.pjournal", "c.pjournal.fkey"}, names

    states = list(crash_states(shim.trace))
    assert sum("torn frame" in label for label, _, _ in states) >= 20
    checked = 0
    for number, (label, files, acked) in enumerate(states):
        if "c.pjournal" not in files:
            continue  # the journal's header never reached the disk: no case exists yet, nothing was shown
        folder = tmp_path / f"state-{number}"
        folder.mkdir()
        for name, content in files.items():
            (folder / name).write_bytes(content)
            (folder / name).chmod(0o600)
        path = folder / "c.pjournal"
        contents = read_journal(path, master_key)
        found = [record.raw for record in contents.records]
        assert found == final[: len(found)], label
        assert len(found) >= acked, f"{label}: {acked} records were acknowledged, {len(found)} recovered"
        reopened, _ = Journal.open(path, master_key, signer, at=clock.advance(1))
        with reopened:
            if not reopened.closed:
                reopened.append("note", {"text": f"after the crash at {label}"}, at=clock.advance(1))
        again = read_journal(path, master_key)
        assert again.torn is None, label
        result = verify_chain(
            [record.raw for record in again.records],
            "J-38",
            signer.public_key(),
            forward_key=header_forward_key(again.header),
        )
        assert result.ok and result.forward_integrity, f"{label}: {result.message}"
        assert forward_state_path(path).stat().st_size == 68
        checked += 1
    assert checked >= 40


@pytest.mark.parametrize("damage", ["missing", "garbled", "from another journal"])
def test_a_lost_key_file_keeps_the_case_readable_but_refuses_appending(
    tmp_path: Path, master_key: bytes, signer: Ed25519PrivateKey, clock: FakeClock, damage: str
) -> None:
    from app.cases.journal import JournalFormatError

    path = tmp_path / "c.pjournal"
    other = tmp_path / "other" / "c.pjournal"
    for target, journal_id in ((path, "J-1"), (other, "J-2")):
        with Journal.create(target, master_key, signer, journal_id=journal_id, case_id="C", created_at=clock()) as j:
            j.append("note", {"text": "one"}, at=clock())
    key_file = forward_state_path(path)
    if damage == "missing":
        key_file.unlink()
    elif damage == "garbled":
        key_file.write_bytes(bytes(68))
    else:
        key_file.write_bytes(forward_state_path(other).read_bytes())
    assert [r.type for r in read_journal(path, master_key).records] == ["note"]  # still readable
    with pytest.raises(JournalFormatError) as caught:
        Journal.open(path, master_key, signer, at=clock())
    assert "Start a new case" in caught.value.user_message
