"""Hand-made hostile inputs that random generation rarely reaches: deep nesting and compression bombs.

Python's ``json`` and ``tomllib`` parsers recurse once per nesting level, so ``[[[[...`` a few thousand levels
deep raises ``RecursionError``: a ``RuntimeError``, not the ``ValueError``/``TOMLDecodeError`` the parsers'
callers catch. A file or message built that way turns a clean refusal into a crash (T42, SECURITY-BAR §0.7:
parsers on the technician side face a hostile remote side). Each case here names the parser's documented
error type as the only acceptable outcome.

Cases marked ``xfail(strict=True)`` are bugs found by this suite and reported to their owners; strict means
the marker must be removed (the test then guards the fix) as soon as the bug is fixed.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest

from app.remote import protocol

DEPTH = 100_000
DEEP_JSON = b"[" * DEPTH + b"]" * DEPTH
DEEP_TOML = b"a = " + b"[" * DEPTH + b"]" * DEPTH + b"\n"


def test_wire_decoder_refuses_deep_msgpack_nesting() -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(b"\x92\x12" + b"\x91" * DEPTH + b"\xc0")  # Chat([[[[...]]]])


def test_bundle_verify_refuses_deeply_nested_signatures(tmp_path: Path) -> None:
    from app.cases.bundle import BundleError, verify_bundle

    bundle = tmp_path / "hostile.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("signatures.json", DEEP_JSON)
    try:
        result = verify_bundle(bundle)
    except BundleError:
        return
    assert not result.ok


def test_bundle_verify_is_not_a_zip_bomb_victim(tmp_path: Path) -> None:
    from app.cases.bundle import BundleError, verify_bundle

    bundle = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("signatures.json", b"{}")
        archive.writestr("report.html", bytes(64 * 1024 * 1024))
    assert bundle.stat().st_size < 1024 * 1024
    tracemalloc.start()
    try:
        try:
            result = verify_bundle(bundle)
            assert not result.ok
        except BundleError:
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_journal_with_a_deeply_nested_header_is_a_format_error(tmp_path: Path) -> None:
    from app.cases.journal import HEADER_MAGIC, JournalError, read_journal

    path = tmp_path / "hostile.pjournal"
    path.write_bytes(HEADER_MAGIC + b" " + DEEP_JSON + b"\n")
    with pytest.raises(JournalError):
        read_journal(path, b"k" * 32)


def test_journal_record_parse_refuses_deep_nesting() -> None:
    from app.cases.journal import JournalRecord

    with pytest.raises(ValueError):
        JournalRecord.parse(DEEP_JSON)


def test_signature_file_with_deep_nesting_is_refused() -> None:
    from app.diagnostics.errors import SignatureError
    from app.diagnostics.signing import Signature

    with pytest.raises(SignatureError):
        Signature.from_bytes(DEEP_JSON, "hostile.sig")


def test_manifest_with_deep_nesting_is_refused() -> None:
    from app.diagnostics.errors import ManifestError
    from app.diagnostics.manifest import parse_manifest

    with pytest.raises(ManifestError):
        parse_manifest(DEEP_TOML, "hostile.toml")


def test_one_hostile_manifest_does_not_take_down_the_catalog(tmp_path: Path) -> None:
    from app.diagnostics.catalog import load_catalog
    from app.diagnostics.signing import TrustedKeys

    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "hostile.toml").write_bytes(DEEP_TOML)
    catalog = load_catalog([folder], TrustedKeys())
    assert catalog.scripts == {}
    assert len(catalog.refusals) == 1


def test_org_config_with_deep_nesting_is_refused() -> None:
    from app.orgconfig import OrgConfigError, parse_org_config

    with pytest.raises(OrgConfigError):
        parse_org_config(DEEP_TOML.decode(), source=Path("/etc/podpora/org.toml"))


def test_an_oversized_clipboard_is_refused_at_the_wire() -> None:
    """T50: clipboard text is capped (1 Mi characters) before it reaches either side's clipboard."""
    import msgspec

    at_limit = msgspec.msgpack.encode([17, "x" * protocol.MAX_CLIPBOARD_CHARS])
    assert protocol.decode(at_limit) == protocol.Clipboard("x" * protocol.MAX_CLIPBOARD_CHARS)
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(msgspec.msgpack.encode([17, "x" * (protocol.MAX_CLIPBOARD_CHARS + 1)]))


@pytest.mark.parametrize(
    "fields",
    [
        [13, 1, 0, 0, []],  # FrameUpdate of a 0×0 screen
        [13, 1, 100_000, 100_000, []],  # FrameUpdate of a screen beyond the limit
        [10, [[0, 0, 0, 0, 1080, 1.0]], 0],  # ScreenInfo with a zero-width monitor
        [10, [[0, -(2**40), 0, 1920, 1080, 1.0]], 0],  # monitor far off the virtual desktop
        [14, 0, 0, True, [0, 0, 0, 0, b""]],  # CursorUpdate with a 0×0 cursor
    ],
    ids=["zero-screen", "huge-screen", "zero-monitor", "far-monitor", "zero-cursor"],
)
def test_zero_and_huge_screens_are_refused_at_the_wire(fields: list[object]) -> None:
    """T45: sizes are checked by the decoder, before any framebuffer is sized from them."""
    import msgspec

    with pytest.raises(protocol.ProtocolError):
        protocol.decode(msgspec.msgpack.encode(fields))
