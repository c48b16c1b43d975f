"""T31 forward integrity: an attacker who obtains the journal's current key cannot rewrite an earlier record.

The attacker in these tests is as strong as a full compromise of the technician's machine at record ``i``: it
holds the journal file, the journal master key (keyring), the technician's long-term Ed25519 key, and the
journal's current sealing key K_i, read from the sealed key file exactly as malware with the user's rights
would.  It rewrites an earlier record, re-chains every later record, re-signs every checkpoint and the bundle
with the long-term key, and tries every key it can derive from K_i.  The verifier must name the record.

Records from ``i`` on are forgeable by such an attacker by design (it holds their key); a test shows that
boundary, so these tests could fail.  A rewrite of the whole journal from record 1 under a new chain, and a
downgrade to the old unsealed format, pass a bare ``verify``: the tests show that pinning the journal key
(anchored at case open) or requiring forward integrity catches them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.cases.bundle import export_bundle, verify_bundle
from app.cases.case import build_case
from app.cases.journal import (
    CHECKPOINT,
    ChainState,
    ForwardKey,
    Journal,
    JournalRecord,
    checkpoint_message,
    evolve_seed,
    forward_state_path,
    genesis_hash,
    header_forward_key,
    read_journal,
    verify_chain,
)
from app.cases.store import CaseStore
from app.config import default_paths

RECORDS = 24
COMPROMISED_AT = 16  # the attacker gets in after record 15: it holds K_16
START = datetime(2026, 11, 22, 16, 40, tzinfo=UTC)


def _at(n: int) -> datetime:
    return START + timedelta(seconds=n)


def steal_forward_key(journal_path: Path, master_key: bytes, journal_id: str) -> tuple[int, bytes]:
    """What malware with the user's rights reads: the sealed key file, opened with the keyring's master key.

    Written from the documented format (HKDF of the master key, ChaCha20-Poly1305), not with the journal's
    own reader, so the test does not trust the code it attacks.
    """
    data = forward_state_path(journal_path).read_bytes()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=journal_id.encode(), info=b"podpora journal forward state"
    ).derive(master_key)
    state = ChaCha20Poly1305(key).decrypt(
        data[:12], data[12:], b"podpora-journal-forward-state-v1\0" + journal_id.encode()
    )
    return int.from_bytes(state[:8], "big"), state[8:]


class Compromise:
    """A journal recorded on a machine that is compromised after record ``COMPROMISED_AT - 1``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.master_key = os.urandom(32)
        self.technician = Ed25519PrivateKey.generate()
        self.path = root / "cases" / "C-31" / "journal.pjournal"
        journal = Journal.create(
            self.path,
            self.master_key,
            self.technician,
            journal_id="J-31",
            case_id="C-31",
            created_at=_at(0),
            checkpoint_every=8,
        )
        with journal:
            texts = ["consent: view only, control refused", "chat: please do not touch my files"]
            n = 0
            while len(journal.records) < COMPROMISED_AT - 1:
                n += 1
                journal.append("chat", {"sender": "user", "text": texts[n % 2], "n": n}, at=_at(n))
            # The attacker arrives now: it copies the current sealing key.
            self.stolen_seq, self.stolen_seed = steal_forward_key(self.path, self.master_key, "J-31")
            while len(journal.records) < RECORDS - 1:
                n += 1
                journal.append("note", {"text": f"after the compromise {n}"}, at=_at(n))
            journal.close(at=_at(n + 1))
        contents = read_journal(self.path, self.master_key)
        self.header = contents.header
        self.records = contents.records
        assert len(self.records) == RECORDS

    def export(self, records: Sequence[JournalRecord], name: str, header: dict[str, Any] | None = None) -> Path:
        """The attacker's bundle: signed with the technician's own long-term key."""
        header = header or self.header
        case = build_case("C-31", records, journal_id="J-31")
        info = export_bundle(
            self.root / "out" / name,
            case=case,
            header=header,
            records=records,
            signer=self.technician,
            exported_at=_at(1000),
        )
        return info.path


def reforge(
    records: Sequence[JournalRecord],
    technician: Ed25519PrivateKey,
    *,
    start: int,
    edit: Callable[[JournalRecord], dict[str, Any]],
    forward: ForwardKey | None,
) -> list[JournalRecord]:
    """Rewrite record ``start`` with ``edit`` and rebuild every later record so the hash chain holds.

    Each rebuilt record is sealed with ``forward`` (the attacker's best key, evolved once per record);
    checkpoints are re-signed with the technician's long-term key.
    """
    kept = list(records[: start - 1])
    chain = ChainState("J-31", next_seq=start, head=kept[-1].hash if kept else genesis_hash("J-31"))
    out = list(kept)
    for original in records[start - 1 :]:
        fields = edit(original) if original.seq == start else dict(original.fields)
        if original.type == CHECKPOINT:
            covered = chain.next_seq - 1
            signature = technician.sign(checkpoint_message("J-31", covered, chain.head))
            fields = {**fields, "head": chain.head, "seq": covered, "signature": signature.hex()}
        if forward is not None:
            forward.seq = chain.next_seq  # the attacker claims its key is the one for this record
        forged = chain.build(original.type, fields, datetime.fromisoformat(original.at), forward)
        chain.next_seq += 1
        chain.head = forged.hash
        out.append(forged)
        if forward is not None:
            forward.advance()
    return out


def _say_control_was_granted(record: JournalRecord) -> dict[str, Any]:
    return {**record.fields, "text": "consent: view AND control granted"}


@pytest.fixture
def compromise(tmp_path: Path) -> Compromise:
    return Compromise(tmp_path)


def test_the_untouched_bundle_verifies_with_forward_integrity(compromise: Compromise) -> None:
    bundle = compromise.export(compromise.records, "honest.zip")
    result = verify_bundle(bundle, trusted_public_key=compromise.technician.public_key())
    assert result.ok, result.message
    assert result.forward_integrity
    assert result.journal_key == compromise.header["forward_key"]
    assert verify_bundle(bundle, journal_key=compromise.header["forward_key"], require_forward_integrity=True).ok


@pytest.mark.parametrize("target", [1, 5, COMPROMISED_AT - 1])
def test_the_stolen_key_cannot_rewrite_an_earlier_record(compromise: Compromise, target: int) -> None:
    assert compromise.stolen_seq == COMPROMISED_AT
    forward = ForwardKey(bytearray(compromise.stolen_seed), COMPROMISED_AT)
    forged = reforge(
        compromise.records, compromise.technician, start=target, edit=_say_control_was_granted, forward=forward
    )
    assert forged[target - 1].raw != compromise.records[target - 1].raw
    bundle = compromise.export(forged, f"forged-{target}.zip")
    result = verify_bundle(bundle, trusted_public_key=compromise.technician.public_key())
    assert (result.ok, result.kind, result.seq) == (False, "bad_seal", target), result.message
    assert f"record {target} was rewritten" in result.message


def test_no_key_derivable_from_the_stolen_one_seals_an_earlier_record(compromise: Compromise) -> None:
    """The attacker tries K_i and the next 200 keys it can compute from it: none seals record 5."""
    seed = bytearray(compromise.stolen_seed)
    header_key = header_forward_key(compromise.header)
    lines = [r.raw for r in compromise.records]
    for _ in range(200):
        forged = reforge(
            compromise.records,
            compromise.technician,
            start=5,
            edit=_say_control_was_granted,
            forward=ForwardKey(bytearray(seed), 5),
        )
        result = verify_chain(
            [r.raw for r in forged], "J-31", compromise.technician.public_key(), forward_key=header_key
        )
        assert (result.ok, result.kind, result.seq) == (False, "bad_seal", 5)
        evolve_seed(seed)
    assert verify_chain(lines, "J-31", compromise.technician.public_key(), forward_key=header_key).ok


def test_records_from_the_compromise_on_are_forgeable_which_is_the_boundary(compromise: Compromise) -> None:
    """The stolen K_i seals record i and later ones: forward integrity protects the past, not the future."""
    forward = ForwardKey(bytearray(compromise.stolen_seed), COMPROMISED_AT)
    forged = reforge(
        compromise.records,
        compromise.technician,
        start=COMPROMISED_AT,
        edit=lambda record: {**record.fields, "text": "forged after the compromise"},
        forward=forward,
    )
    bundle = compromise.export(forged, "future.zip")
    result = verify_bundle(bundle, trusted_public_key=compromise.technician.public_key())
    assert result.ok, result.message


def test_a_whole_new_chain_is_caught_by_the_anchored_journal_key(compromise: Compromise) -> None:
    """Rewriting from record 1 under a fresh K_1 needs a new header: the anchored journal key catches it."""
    fresh = ForwardKey.generate()
    header = {**compromise.header, "forward_key": fresh.public_hex()}
    forged = reforge(compromise.records, compromise.technician, start=1, edit=_say_control_was_granted, forward=fresh)
    bundle = compromise.export(forged, "new-chain.zip", header=header)
    # Without an anchor this is indistinguishable from an honest journal: every key is the attacker's own.
    assert verify_bundle(bundle).ok
    anchored = verify_bundle(bundle, journal_key=compromise.header["forward_key"])
    assert (anchored.ok, anchored.kind, anchored.seq) == (False, "bad_seal", 1)
    assert "first sealing key is not the anchored one" in anchored.message


def test_a_downgrade_to_the_unsealed_format_is_refused_when_forward_integrity_is_required(
    compromise: Compromise,
) -> None:
    """Strip every seal and re-sign as a format-1 journal (the systemd FSS CVE-2023-31439 move)."""
    header = {k: v for k, v in compromise.header.items() if k not in {"forward_key", "forward_scheme"}}
    header["format"] = 1
    forged = reforge(compromise.records, compromise.technician, start=1, edit=_say_control_was_granted, forward=None)
    bundle = compromise.export(forged, "downgraded.zip", header=header)
    plain = verify_bundle(bundle)
    assert plain.ok and not plain.forward_integrity  # reported as "no forward integrity", not as sealed
    required = verify_bundle(bundle, require_forward_integrity=True)
    assert (required.ok, required.kind) == (False, "no_forward_integrity")
    assert not verify_bundle(bundle, journal_key=compromise.header["forward_key"]).ok


def test_a_sealed_record_rewritten_at_rest_is_tamper_on_reading(compromise: Compromise) -> None:
    """The same forgery written back into the encrypted journal file (with the stolen master key) is refused."""
    from app.cases.journal import JournalTamperError, header_digest, header_line, seal_frame

    forward = ForwardKey(bytearray(compromise.stolen_seed), COMPROMISED_AT)
    forged = reforge(compromise.records, compromise.technician, start=5, edit=_say_control_was_granted, forward=forward)
    from app.cases.journal import derive_record_key

    aead = ChaCha20Poly1305(derive_record_key(compromise.master_key, "J-31"))
    digest = header_digest(header_line(compromise.header))
    data = header_line(compromise.header) + b"".join(
        seal_frame(aead, digest, record.seq, record.raw, os.urandom(12)) for record in forged
    )
    compromise.path.write_bytes(data)
    with pytest.raises(JournalTamperError) as caught:
        read_journal(compromise.path, compromise.master_key)
    assert caught.value.seq == 5


# ------------------------------------------------------------------------------ earlier keys are gone (T31)


def _halves(seed: bytearray) -> tuple[bytes, bytes]:
    """A key as two halves, so that the test itself never holds the 32 bytes it searches for in one piece."""
    return bytes(seed[:16]), bytes(seed[16:])


def _process_memory_contains(first: bytes, second: bytes) -> bool:
    """True when ``first + second`` appears anywhere in this process's readable, writable memory."""
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", buffering=0) as memory:
        regions = [line.split() for line in maps]
        for fields in regions:
            start, end = (int(part, 16) for part in fields[0].split("-"))
            if not fields[1].startswith("rw") or (len(fields) > 5 and fields[5] in {"[vvar]", "[vsyscall]"}):
                continue
            try:
                memory.seek(start)
                chunk = memory.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            position = chunk.find(first)
            while position >= 0:
                if chunk[position + 16 : position + 32] == second:
                    return True
                position = chunk.find(first, position + 1)
    return False


def test_earlier_keys_are_zeroed_in_memory_and_absent_on_disk(tmp_path: Path) -> None:
    paths = default_paths().ensure()
    master_key = os.urandom(32)
    store = CaseStore(paths.cases_dir, master_key)
    journal = store.create_journal("C-mem", Ed25519PrivateKey.generate(), now=_at(0))
    live = journal._forward  # the journal's own key object: its buffer must be overwritten as it evolves
    assert live is not None
    buffer = live._seed
    earlier: list[tuple[bytes, bytes]] = []
    for n in range(1, 13):
        earlier.append(_halves(buffer))
        journal.append("note", {"n": n}, at=_at(n))
        assert live._seed is buffer  # evolved in place, not replaced by a new object
    current = _halves(buffer)
    assert current not in earlier
    # In memory: the live buffer holds only K_13; no earlier key survives anywhere in this process.
    assert _process_memory_contains(*current)  # the search works: the current key is found
    for first, second in earlier:
        assert not _process_memory_contains(first, second)
    # On disk: no earlier key in any file under the data folder, raw or as hex; the key file holds K_13.
    for file in (p for p in Path(os.environ["PODPORA_HOME"]).rglob("*") if p.is_file()):
        content = file.read_bytes()
        for first, second in earlier:
            assert first + second not in content, file
            assert (first + second).hex().encode() not in content, file
    seq, seed = steal_forward_key(journal.path, master_key, journal.journal_id)
    assert (seq, (seed[:16], seed[16:])) == (13, current)
    journal.close(at=_at(20))
    # After closing, even the last key is gone from the journal's memory.
    assert not any(buffer)


def test_case_verify_on_the_command_line(compromise: Compromise, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    honest = compromise.export(compromise.records, "cli-honest.zip")
    journal_key = compromise.header["forward_key"]
    assert main(["case", "verify", str(honest), "--journal-key", journal_key, "--require-forward-integrity"]) == 0
    out = capsys.readouterr().out
    assert f"forward integrity: every record sealed; journal key {journal_key}" in out
    forged = compromise.export(
        reforge(
            compromise.records,
            compromise.technician,
            start=3,
            edit=_say_control_was_granted,
            forward=ForwardKey(bytearray(compromise.stolen_seed), COMPROMISED_AT),
        ),
        "cli-forged.zip",
    )
    assert main(["case", "verify", str(forged)]) == 1
    assert "TAMPERED: record 3 was rewritten: its forward-integrity seal does not verify" in capsys.readouterr().err
    assert main(["case", "verify", str(honest), "--journal-key", "not-a-key"]) != 0
    assert "--journal-key must be 64 hexadecimal digits." in capsys.readouterr().err
