"""Bundle export and verification: every tampering is detected and named."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cases.bundle import (
    JOURNAL,
    MAX_EXPANSION_RATIO,
    MAX_JOURNAL_BYTES,
    MAX_OTHER_FILE_BYTES,
    MAX_SMALL_FILE_BYTES,
    MAX_TOTAL_BYTES,
    SIGNATURES,
    BundleError,
    MiB,
    export_bundle,
    verify_bundle,
)
from app.cases.case import build_case
from app.cases.journal import read_journal
from app.cases.ziputil import DEFLATED, ZipEntry, build_zip
from tests.cases.sample import record_session


@pytest.fixture
def bundle(tmp_path: Path, master_key: bytes, signer, clock) -> Path:
    path = tmp_path / "c.pjournal"
    record_session(path, master_key, signer, clock)
    contents = read_journal(path, master_key)
    case = build_case("C-2026-0042", contents.records, journal_id=contents.header["journal_id"])
    info = export_bundle(
        tmp_path / "out" / "case.zip",
        case=case,
        header=contents.header,
        records=contents.records,
        signer=signer,
        exported_at=clock(),
        certificate=b"-----BEGIN PODPORA TECHNICIAN CERTIFICATE-----\nEva\n-----END-----\n",
        html_to_pdf=lambda html: b"%PDF-1.4 fake for the test\n",
    )
    return info.path


def rewrite(bundle: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(bundle) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files[name] = change(files[name])
    with zipfile.ZipFile(bundle, "w") as archive:
        for n, data in files.items():
            archive.writestr(n, data)


def journal_lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def join(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def test_valid_bundle_verifies(bundle: Path, signer) -> None:
    result = verify_bundle(bundle, trusted_public_key=signer.public_key())
    assert result.ok, result.message
    assert result.records == 21
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        case = json.loads(archive.read("case.json"))
    assert names == {
        "case.json",
        "report.html",
        "report.md",
        "report.pdf",
        "journal.jsonl",
        "journal-header.json",
        "technician.cert",
        "signatures.json",
    }
    assert case["schema_version"] == 1
    assert "hunter2" not in bundle.read_bytes().decode("latin-1")


def flip_byte_in_record(n: int) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        lines = journal_lines(data)
        line = bytearray(lines[n - 1])
        position = line.index(b'"at":"') + 8  # inside the time stamp: still valid JSON
        line[position] = ord("9") if line[position] != ord("9") else ord("8")
        lines[n - 1] = bytes(line)
        return join(lines)

    return change


def drop_record(n: int) -> Callable[[bytes], bytes]:
    return lambda data: join([line for i, line in enumerate(journal_lines(data), 1) if i != n])


def swap_records(n: int) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        lines = journal_lines(data)
        lines[n - 1], lines[n] = lines[n], lines[n - 1]
        return join(lines)

    return change


def truncate_records(keep: int) -> Callable[[bytes], bytes]:
    return lambda data: join(journal_lines(data)[:keep])


def append_record(data: bytes) -> bytes:
    lines = journal_lines(data)
    return join([*lines, lines[-1].replace(b'"seq":21', b'"seq":22')])


@pytest.mark.parametrize(
    ("mutation", "kind", "seq"),
    [
        (flip_byte_in_record(5), "changed", 5),
        (flip_byte_in_record(1), "changed", 1),
        (flip_byte_in_record(21), "changed", 21),
        (drop_record(7), "removed", 7),
        (drop_record(1), "removed", 1),
        (swap_records(10), "reordered", 10),
        (truncate_records(15), "truncated", 16),
        (append_record, "added", 22),
        (lambda data: data[:-30], "truncated", 21),
        (lambda data: data.replace(b'"seq":9,', b'"seq":19,'), "changed", 9),
    ],
    ids=[
        "flip-5",
        "flip-1",
        "flip-last",
        "drop-7",
        "drop-1",
        "swap-10-11",
        "truncate",
        "append",
        "cut-mid-record",
        "renumber",
    ],
)
def test_journal_tampering_is_detected_and_named(bundle: Path, mutation, kind: str, seq: int) -> None:
    rewrite(bundle, "journal.jsonl", mutation)
    result = verify_bundle(bundle)
    assert not result.ok
    assert (result.kind, result.seq) == (kind, seq), result.message
    assert str(seq) in result.message


def test_changed_report_detected(bundle: Path) -> None:
    rewrite(bundle, "report.html", lambda data: data.replace(b"Printer", b"Scanner"))
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "changed")
    assert "report.html" in result.message


def test_resigned_with_another_key_is_not_trusted(bundle: Path, signer) -> None:
    other = Ed25519PrivateKey.generate()
    from app.cases.bundle import statement_bytes
    from app.cases.journal import public_key_hex

    def resign(data: bytes) -> bytes:
        signed = json.loads(data)
        statement = {k: v for k, v in signed.items() if k != "signature"}
        statement["public_key"] = public_key_hex(other)
        return json.dumps({**statement, "signature": other.sign(statement_bytes(statement)).hex()}).encode()

    rewrite(bundle, "signatures.json", resign)
    assert verify_bundle(bundle, trusted_public_key=signer.public_key()).kind == "bad_signature"
    # Even without a trusted key, the checkpoints inside the journal were signed by the original key.
    assert not verify_bundle(bundle).ok


def test_flipped_bit_anywhere_in_the_zip_file_detected(bundle: Path) -> None:
    """Also bytes that change no file's content (headers, CRCs, compressed padding): the zip is canonical.

    (Checked for every position and bit masks 0x01/0x80 once by hand; a spread of positions here.)
    """
    original = bundle.read_bytes()
    for position in range(0, len(original), max(1, len(original) // 301)):
        for mask in (0x01, 0x40, 0x80):
            data = bytearray(original)
            data[position] ^= mask
            bundle.write_bytes(bytes(data))
            assert not verify_bundle(bundle).ok, (position, mask)


def test_truncated_or_extended_zip_file_detected(bundle: Path) -> None:
    original = bundle.read_bytes()
    for length in range(0, len(original), max(1, len(original) // 53)):
        bundle.write_bytes(original[:length])
        assert not verify_bundle(bundle).ok, length
    bundle.write_bytes(original + b"\0")
    assert not verify_bundle(bundle).ok


def test_rezipped_with_same_contents_detected(bundle: Path) -> None:
    rewrite(bundle, "report.md", lambda data: data)  # same content, re-compressed by another zip writer
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "changed")
    assert "stored bytes" in result.message


def test_bundle_opens_with_standard_unzip(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        assert archive.testzip() is None
        assert json.loads(archive.read("case.json"))["case_id"] == "C-2026-0042"


def test_truncated_zip_detected(bundle: Path) -> None:
    bundle.write_bytes(bundle.read_bytes()[:-100])
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "damaged")


def test_added_file_detected(bundle: Path) -> None:
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.writestr("extra.txt", b"hello")
    assert verify_bundle(bundle).kind == "added"


def test_export_with_wrong_key_refused(tmp_path: Path, master_key: bytes, signer, clock) -> None:
    path = tmp_path / "c.pjournal"
    record_session(path, master_key, signer, clock)
    contents = read_journal(path, master_key)
    with pytest.raises(BundleError):
        export_bundle(
            tmp_path / "x.zip",
            case=build_case("C", contents.records),
            header=contents.header,
            records=contents.records,
            signer=Ed25519PrivateKey.generate(),
            exported_at=clock(),
        )


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_any_random_change_to_the_journal_is_detected(bundle: Path, data: st.DataObject) -> None:
    with zipfile.ZipFile(bundle) as archive:
        original = archive.read("journal.jsonl")
    position = data.draw(st.integers(0, len(original) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != original[position]))
    changed = original[:position] + bytes([value]) + original[position + 1 :]
    copy = bundle.with_name("mutated.zip")
    copy.write_bytes(bundle.read_bytes())
    rewrite(copy, "journal.jsonl", lambda _: changed)
    assert not verify_bundle(copy).ok


def test_record_spliced_from_another_session_detected(bundle: Path, tmp_path: Path, master_key, signer, clock) -> None:
    other_path = tmp_path / "other.pjournal"
    record_session(other_path, master_key, signer, clock, case_id="C-OTHER")
    foreign = read_journal(other_path, master_key).records[4].raw  # same seq, same key, other journal

    def splice(data: bytes) -> bytes:
        lines = journal_lines(data)
        lines[4] = foreign
        return join(lines)

    rewrite(bundle, "journal.jsonl", splice)
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "changed")
    assert result.seq == 5


# --- a hostile bundle is refused before it is decompressed (limits in app/cases/bundle.py) -------------------------


def write_entries(path: Path, entries: list[ZipEntry]) -> None:
    path.write_bytes(build_zip(entries))


def test_an_oversized_small_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bundle = tmp_path / "big-signatures.zip"
    write_entries(bundle, [ZipEntry.make(SIGNATURES, b" " * (MAX_SMALL_FILE_BYTES + 1), compress=False)])
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "too_large")
    assert SIGNATURES in result.message


def test_a_member_that_claims_a_huge_size_is_refused_without_inflating(tmp_path: Path) -> None:
    # The central directory claims 300 MiB; the few compressed bytes are never inflated.
    small = ZipEntry.make(JOURNAL, b"x" * 1000)
    lying = ZipEntry(JOURNAL, small.method, small.crc, MAX_JOURNAL_BYTES + 1, small.payload)
    bundle = tmp_path / "lying.zip"
    write_entries(bundle, [lying, ZipEntry.make(SIGNATURES, b"{}", compress=False)])
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "too_large")
    assert "journal.jsonl claims 268,435,457 bytes" in result.message


def test_a_compression_bomb_member_is_refused(tmp_path: Path) -> None:
    bundle = tmp_path / "bomb.zip"
    write_entries(bundle, [ZipEntry.make("case.json", bytes(8 * MiB)), ZipEntry.make(SIGNATURES, b"{}")])
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "too_large")
    assert "case.json expands more than" in result.message


def test_contents_over_the_total_limit_are_refused(tmp_path: Path) -> None:
    # Each member claims the most it may, with just enough compressed bytes to pass the ratio check; together
    # they claim more than the total limit.  None of them is ever inflated (the payloads are not even deflate).
    count = MAX_TOTAL_BYTES // MAX_OTHER_FILE_BYTES + 1
    payload = bytes(MAX_OTHER_FILE_BYTES // MAX_EXPANSION_RATIO + 1)
    entries = [ZipEntry(f"part{i}.bin", DEFLATED, 0, MAX_OTHER_FILE_BYTES, payload) for i in range(count)]
    bundle = tmp_path / "many.zip"
    write_entries(bundle, [*entries, ZipEntry.make(SIGNATURES, b"{}", compress=False)])
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "too_large")
    assert "the contents claim" in result.message


def test_a_bundle_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    bundle = tmp_path / "huge.zip"
    with bundle.open("wb") as stream:
        stream.truncate(MAX_TOTAL_BYTES + 1)  # sparse: costs no disk, and must cost no memory either
    result = verify_bundle(bundle)
    assert (result.ok, result.kind) == (False, "damaged")
    assert "larger than" in result.message
