"""The journal: encryption at rest, hash chain, signed checkpoints, crash recovery, fail-closed writes."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cases import journal as journal_module
from app.cases.journal import (
    ForbiddenEventError,
    Journal,
    JournalFormatError,
    JournalTamperError,
    JournalWriteError,
    forward_state_path,
    header_forward_key,
    read_journal,
    verify_chain,
)
from app.cases.redact import REDACTED
from tests.cases.conftest import FakeClock

CANARY = "canary-7f3a9c-chat-text"


def forward_key_of(path: Path, key: bytes) -> str | None:
    """The first forward key named by a journal's header (None for a format-1 journal)."""
    return header_forward_key(read_journal(path, key).header)


def new_journal(path: Path, key: bytes, signer: Ed25519PrivateKey, clock: FakeClock, **kw: int) -> Journal:
    return Journal.create(path, key, signer, journal_id="J-1", case_id="C-1", created_at=clock(), **kw)


def test_round_trip_encrypted_at_rest(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock) as journal:
        journal.append("session_start", {"technician": "Eva"}, at=clock())
        journal.append("chat", {"from": "user", "text": CANARY}, at=clock.advance(5))
        journal.close(at=clock.advance(1))
    raw = path.read_bytes()
    assert CANARY.encode() not in raw
    assert b"Eva" not in raw
    contents = read_journal(path, master_key)
    assert [r.type for r in contents.records] == ["session_start", "chat", "checkpoint"]
    assert contents.records[1].fields["text"] == CANARY
    assert contents.records[1].at == "2026-11-22T16:40:05.000000Z"
    assert contents.torn is None
    public = signer.public_key()
    result = verify_chain(
        [r.raw for r in contents.records], "J-1", public, forward_key=forward_key_of(path, master_key)
    )
    assert result.forward_integrity
    assert result.ok, result
    assert result.unanchored_tail == 0


def test_redaction_before_write(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock) as journal:
        journal.append("chat", {"text": "my password=hunter2xyz"}, at=clock())
        journal.append("script_result", {"output": "token ghp_" + "a" * 36}, at=clock())
        journal.append("note", {"text": "wifi key is Sunny-Day-42"}, at=clock(), known_secrets=["Sunny-Day-42"])
        journal.append("script_run", {"args": {"pin": "4711", "host": "srv"}}, at=clock(), secret_fields=["pin"])
    records = read_journal(path, master_key).records
    joined = b"".join(r.raw for r in records)
    for secret in (b"hunter2xyz", b"a" * 36, b"Sunny-Day-42", b"4711"):
        assert secret not in joined
    assert records[3].fields["args"] == {"pin": REDACTED, "host": "srv"}


@pytest.mark.parametrize("event_type", ["key", "keystroke", "KeyPress", "key_event"])
def test_keystrokes_are_refused(tmp_path: Path, master_key: bytes, signer, clock, event_type: str) -> None:
    with new_journal(tmp_path / "c.pjournal", master_key, signer, clock) as journal:
        with pytest.raises(ForbiddenEventError):
            journal.append(event_type, {"key": "a"}, at=clock())
        assert journal.records == []


def test_periodic_signed_checkpoints(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock, checkpoint_every=3) as journal:
        for n in range(7):
            journal.append("note", {"n": n}, at=clock())
    records = read_journal(path, master_key).records
    assert [r.seq for r in records if r.type == "checkpoint"] == [4, 8]
    forward = forward_key_of(path, master_key)
    result = verify_chain([r.raw for r in records], "J-1", signer.public_key(), forward_key=forward)
    assert result.ok
    assert result.unanchored_tail == 1  # note 7 is not yet under a checkpoint
    # A checkpoint signed by another key is detected.
    other = verify_chain(
        [r.raw for r in records], "J-1", Ed25519PrivateKey.generate().public_key(), forward_key=forward
    )
    assert (other.ok, other.kind, other.seq) == (False, "bad_signature", 4)


def test_torn_tail_is_reported_set_aside_and_recorded(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    key_state = forward_state_path(path)
    with new_journal(path, master_key, signer, clock) as journal:
        for n in range(5):
            before_last = key_state.read_bytes()
            journal.append("note", {"n": n}, at=clock())
    full = path.read_bytes()
    # A crash mid-write of record 5: its frame loses its end, and the sealing key, which is stored only after
    # a record is durable, is still the one for record 5.
    path.write_bytes(full[:-7])
    key_state.write_bytes(before_last)
    contents = read_journal(path, master_key)
    assert len(contents.records) == 4
    assert contents.torn is not None
    assert contents.torn.after_seq == 4
    reopened, report = Journal.open(path, master_key, signer, at=clock.advance(60))
    with reopened:
        assert report.torn is not None
        assert report.saved_torn_bytes_to is not None
        assert report.saved_torn_bytes_to.read_bytes() == full[contents.torn.offset : -7]
        assert "interrupted" in report.notes[0]
        last = reopened.records[-1]
        assert last.type == "recovered"
        assert last.fields["after_seq"] == 4
        reopened.append("note", {"n": "after"}, at=clock())
    again = read_journal(path, master_key)
    assert again.torn is None
    assert [r.type for r in again.records][-2:] == ["recovered", "note"]


def test_damaged_middle_frame_is_tamper_not_torn(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock) as journal:
        for n in range(4):
            journal.append("note", {"n": n}, at=clock())
    contents = read_journal(path, master_key)
    data = bytearray(path.read_bytes())
    header_end = data.index(b"\n") + 1
    frame_len = (contents.good_length - header_end) // 4
    # Flip a ciphertext byte in record 2 and fix its CRC, as an attacker would: the AEAD still catches it.
    start = header_end + frame_len
    data[start + 20] ^= 0x01
    import struct
    import zlib

    data[start + frame_len - 4 : start + frame_len] = struct.pack(
        ">I", zlib.crc32(bytes(data[start : start + frame_len - 4]))
    )
    path.write_bytes(bytes(data))
    with pytest.raises(JournalTamperError) as caught:
        read_journal(path, master_key)
    assert caught.value.seq == 2
    # Without fixing the CRC, a damaged frame that is not the last one is tamper too, never a "torn tail".
    data[start + 21] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(JournalTamperError):
        read_journal(path, master_key)


def test_swapped_frames_at_rest_detected(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock) as journal:
        for n in range(3):
            journal.append("note", {"n": "x" * 10 + str(n)}, at=clock())
    data = path.read_bytes()
    header_end = data.index(b"\n") + 1
    size = (len(data) - header_end) // 3
    frames = [data[header_end + i * size : header_end + (i + 1) * size] for i in range(3)]
    path.write_bytes(data[:header_end] + frames[1] + frames[0] + frames[2])
    with pytest.raises(JournalTamperError) as caught:
        read_journal(path, master_key)
    assert caught.value.seq == 1


def test_wrong_key_is_a_clear_error(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock) as journal:
        journal.append("note", {}, at=clock())
    with pytest.raises(JournalFormatError) as caught:
        read_journal(path, os.urandom(32))
    assert "key" in caught.value.user_message


def test_reopen_with_another_technician_key_is_refused(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock) as journal:
        journal.append("note", {}, at=clock())
    with pytest.raises(JournalFormatError):
        Journal.open(path, master_key, Ed25519PrivateKey.generate(), at=clock())


def test_not_a_journal(tmp_path: Path, master_key: bytes) -> None:
    path = tmp_path / "x.pjournal"
    path.write_bytes(b"hello\n")
    with pytest.raises(JournalFormatError):
        read_journal(path, master_key)


@pytest.mark.parametrize("failing", ["write", "fsync"])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_write_errors_fail_closed(
    tmp_path: Path, master_key: bytes, signer, clock, monkeypatch: pytest.MonkeyPatch, failing: str, code: int
) -> None:
    path = tmp_path / "c.pjournal"
    journal = new_journal(path, master_key, signer, clock)
    journal.append("note", {"n": 1}, at=clock())

    def broken(*args: object) -> int:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(journal_module.os, failing, broken)
    with pytest.raises(JournalWriteError) as caught:
        journal.append("note", {"n": 2}, at=clock())
    assert "Remote control is stopped" in caught.value.user_message
    monkeypatch.undo()
    # The journal stays stopped: a later append does not silently continue (no fsync retry).
    with pytest.raises(JournalWriteError):
        journal.append("note", {"n": 3}, at=clock())
    journal.release()
    contents = read_journal(path, master_key)
    assert [r.fields.get("n") for r in contents.records] == [1]
    assert contents.torn is None


@pytest.fixture
def tiny_tmpfs(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], check=True)
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_full_disk_on_a_real_tmpfs(tiny_tmpfs: Path, master_key: bytes, signer, clock) -> None:
    path = tiny_tmpfs / "c.pjournal"
    journal = new_journal(path, master_key, signer, clock, checkpoint_every=1000)
    shown = 0
    with pytest.raises(JournalWriteError) as caught:
        for n in range(10_000):
            journal.append("script_result", {"n": n, "output": "o" * 2000}, at=clock())
            shown += 1
    assert "disk is full" in caught.value.user_message
    journal.release()
    contents = read_journal(path, master_key)
    # Everything that was acknowledged is there; the failed record is not half-accepted.
    assert len(contents.records) == shown
    assert shown > 5
    # Space is freed (the tmpfs grows): the journal reopens as a valid prefix and continues.
    subprocess.run(["mount", "-o", "remount,size=1m", str(tiny_tmpfs)], check=True)
    reopened, report = Journal.open(path, master_key, signer, at=clock())
    with reopened:
        assert report.records == shown
        reopened.append("note", {"text": "space freed, session continues"}, at=clock())
    records = read_journal(path, master_key).records
    assert verify_chain(
        [r.raw for r in records], "J-1", signer.public_key(), forward_key=forward_key_of(path, master_key)
    ).ok


CHILD = r"""
import os, sys
from datetime import UTC, datetime
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from app.cases.journal import Journal
path, key, seed = Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
signer = Ed25519PrivateKey.from_private_bytes(seed)
now = datetime(2026, 11, 22, tzinfo=UTC)
journal = Journal.create(path, key, signer, journal_id="J-9", case_id="C-9", created_at=now, checkpoint_every=10)
n = 0
while True:
    n += 1
    journal.append("chat", {"n": n, "text": "x" * (n % 700)}, at=now)
    print(n, flush=True)  # "shown": only after append() returned (fsync'd)
"""


def test_kill_9_mid_session_then_recovery(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    seed = signer.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    shown = 0
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), master_key.hex(), seed.hex()],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            shown = int(line)
            if shown >= 150:
                break
        child.kill()  # SIGKILL: no cleanup, possibly mid-write
        child.wait(timeout=10)
    assert shown >= 150
    journal, report = Journal.open(path, master_key, signer, at=clock())
    with journal:
        chats = [r for r in journal.records if r.type == "chat"]
        # Every event that was shown is there, in order.
        assert [r.fields["n"] for r in chats][:shown] == list(range(1, shown + 1))
        if report.torn is not None:
            assert journal.records[-1].type == "recovered"
        journal.close(at=clock())
    records = read_journal(path, master_key).records
    assert verify_chain(
        [r.raw for r in records], "J-9", signer.public_key(), forward_key=forward_key_of(path, master_key)
    ).ok


def test_nonces_are_unique(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock, checkpoint_every=10_000) as journal:
        for n in range(2000):
            journal.append("note", {"n": n}, at=clock())
    data = path.read_bytes()
    offset = data.index(b"\n") + 1
    nonces = set()
    count = 0
    while offset < len(data):
        length = int.from_bytes(data[offset + 2 : offset + 6], "big")
        nonces.add(data[offset + 6 : offset + 18])
        offset += 6 + length + 4
        count += 1
    assert count == 2000
    assert len(nonces) == 2000


def test_times_must_be_aware(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    from datetime import datetime

    with new_journal(tmp_path / "c.pjournal", master_key, signer, clock) as journal, pytest.raises(ValueError):
        journal.append("note", {}, at=datetime(2026, 1, 1))


def test_damaged_frame_header_in_the_middle_is_not_cut_away(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    with new_journal(path, master_key, signer, clock) as journal:
        for n in range(4):
            journal.append("note", {"n": n}, at=clock())
    data = bytearray(path.read_bytes())
    header_end = data.index(b"\n") + 1
    frame_len = (len(data) - header_end) // 4
    data[header_end + frame_len] = 0  # the marker of record 2: looks like a torn tail, but records follow
    path.write_bytes(bytes(data))
    with pytest.raises(JournalTamperError) as caught:
        read_journal(path, master_key)
    assert caught.value.seq == 2
    with pytest.raises(JournalTamperError):
        Journal.open(path, master_key, signer, at=clock())
    assert path.read_bytes() == bytes(data)  # nothing was truncated


from hypothesis import HealthCheck, given, settings  # noqa: E402 - kept next to the property tests
from hypothesis import strategies as st  # noqa: E402


@pytest.fixture(scope="module")
def journal_bytes(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, int]:
    key = os.urandom(32)
    signer = Ed25519PrivateKey.generate()
    clock = FakeClock()
    path = tmp_path_factory.mktemp("prop") / "c.pjournal"
    with new_journal(path, key, signer, clock, checkpoint_every=4) as journal:
        for n in range(10):
            journal.append("chat", {"n": n, "text": "hello " * n}, at=clock())
    return path.read_bytes(), key, len(read_journal(path, key).records)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_property_any_flipped_byte_is_never_silently_accepted(journal_bytes, tmp_path: Path, data) -> None:
    original, key, count = journal_bytes
    position = data.draw(st.integers(0, len(original) - 1))
    mask = data.draw(st.integers(1, 255))
    changed = bytearray(original)
    changed[position] ^= mask
    path = tmp_path / "m.pjournal"
    path.write_bytes(bytes(changed))
    try:
        contents = read_journal(path, key)
    except (JournalTamperError, JournalFormatError):
        return
    # Only damage to the very last frame may read as a torn tail — and then it is reported.
    assert contents.torn is not None
    assert len(contents.records) == count - 1


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_property_truncation_keeps_a_valid_prefix(journal_bytes, tmp_path: Path, data) -> None:
    original, key, count = journal_bytes
    header_end = original.index(b"\n") + 1
    length = data.draw(st.integers(header_end, len(original)))
    path = tmp_path / "t.pjournal"
    path.write_bytes(original[:length])
    contents = read_journal(path, key)
    assert len(contents.records) <= count
    assert (contents.torn is None) == (contents.good_length == length)
