"""The viewer's decoder treats every rectangle as hostile: only DecodeError, never a crash or a huge allocation."""

from __future__ import annotations

import contextlib
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
import simplejpeg
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.remote.encode import (
    CODEC_COPY,
    CODEC_JPEG,
    CODEC_PACKED,
    CODEC_PACKED_STREAM,
    CODEC_PACKED_STREAM_NEW,
    CODEC_PALETTE,
    CODEC_RAW,
    CODEC_ZSTD,
    DecodeError,
    EncodedRect,
    FrameDecoder,
    FrameEncoder,
)
from tests.remote.test_encode import still_clock

SCREEN_W, SCREEN_H = 256, 192


def decoder() -> FrameDecoder:
    result = FrameDecoder()
    result.resize(SCREEN_W, SCREEN_H)
    return result


def valid_rects() -> list[EncodedRect]:
    """One valid rectangle of every codec the encoder produces, for mutation."""
    rng = np.random.default_rng(5)
    screen = np.zeros((SCREEN_H, SCREEN_W, 4), np.uint8)
    screen[...] = (230, 230, 230, 255)
    screen[0:64, 0:64, :3] = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)  # noise: JPEG
    screen[70:80, 70:200, :3] = (10, 10, 10)  # flat: palette
    gradient = np.arange(128 * 64, dtype=np.uint32).reshape(64, 128)
    screen[128:192, 128:256] = gradient.view(np.uint8).reshape(64, 128, 4)  # many colours, flat rows: zstd
    rects = FrameEncoder(clock=still_clock).encode(screen).rects
    codecs = {rect.codec for rect in rects}
    assert {CODEC_JPEG, CODEC_PALETTE} <= codecs
    raw = EncodedRect(0, 0, 4, 4, CODEC_RAW, bytes(64))
    zstd_rect = EncodedRect(0, 0, 8, 8, CODEC_ZSTD, zstandard.ZstdCompressor().compress(bytes(256)))
    packed = EncodedRect(0, 0, 7, 13, CODEC_PACKED, struct.pack("<H", 3) + bytes(12) + bytes([0x18] * 26))
    copy = EncodedRect(0, 0, 30, 30, CODEC_COPY, struct.pack("<HH", 10, 20))
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    inflated = deflater.compress(packed.data) + deflater.flush(zlib.Z_SYNC_FLUSH)
    stream = EncodedRect(0, 0, 7, 13, CODEC_PACKED_STREAM_NEW, inflated[:-4])
    return [*rects, raw, zstd_rect, packed, copy, stream]


VALID = valid_rects()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=st.integers(-10, SCREEN_W + 10),
    y=st.integers(-10, SCREEN_H + 10),
    w=st.integers(-1, 300),
    h=st.integers(-1, 300),
    codec=st.integers(0, 255),
    data=st.binary(max_size=2048),
)
def test_random_rectangles_raise_only_decode_error(x: int, y: int, w: int, h: int, codec: int, data: bytes) -> None:
    target = decoder()
    with contextlib.suppress(DecodeError):
        target.apply_rect(EncodedRect(x, y, w, h, codec, data))


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(0, len(VALID) - 1),
    flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 1 << 20)),
)
def test_mutated_valid_rectangles_raise_only_decode_error(
    index: int, flips: list[tuple[int, int]], cut: int | None
) -> None:
    original = VALID[index]
    data = bytearray(original.data)
    for position, value in flips:
        data[position % len(data)] ^= value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    with contextlib.suppress(DecodeError):
        decoder().apply_rect(original._replace(data=bytes(data)))


def test_valid_rectangles_decode() -> None:
    target = decoder()
    for rect in VALID:
        target.apply_rect(rect)


@pytest.mark.parametrize(
    ("x", "y", "w", "h"),
    [(0, 0, SCREEN_W + 1, 1), (SCREEN_W - 1, 0, 2, 1), (0, SCREEN_H, 1, 1), (-1, 0, 1, 1), (0, 0, 0, 5)],
)
def test_rectangles_outside_the_screen_are_refused(x: int, y: int, w: int, h: int) -> None:
    with pytest.raises(DecodeError, match="outside"):
        decoder().apply_rect(EncodedRect(x, y, w, h, CODEC_RAW, bytes(max(w, 0) * max(h, 0) * 4)))


@pytest.mark.parametrize(("width", "height"), [(0, 10), (10, 0), (8193, 10), (10, 9000), (8000, 8000), (-5, 5)])
def test_screen_sizes_over_the_limits_are_refused_before_allocation(width: int, height: int) -> None:
    with pytest.raises(DecodeError):
        FrameDecoder().apply(width, height, [])


def test_too_many_rectangles_are_refused() -> None:
    rects = [EncodedRect(0, 0, 1, 1, CODEC_RAW, bytes(4))] * 20
    with pytest.raises(DecodeError, match="rectangles"):
        FrameDecoder(max_rects=10).apply(8, 8, rects)


def test_zstd_bomb_is_stopped_at_the_expected_size_without_a_big_allocation() -> None:
    bomb = zstandard.ZstdCompressor(level=19).compress(bytes(512 * 1024 * 1024))
    assert len(bomb) < 100_000
    target = decoder()
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError, match="expands"):
            target.apply_rect(EncodedRect(0, 0, 16, 16, CODEC_ZSTD, bomb))
        with pytest.raises(DecodeError, match="expands"):
            target.apply_rect(EncodedRect(0, 0, 16, 16, CODEC_PALETTE, struct.pack("<H", 1) + bytes(4) + bomb))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_zstd_frame_with_a_huge_window_is_refused() -> None:
    params = zstandard.ZstdCompressionParameters.from_level(19, window_log=30)
    # Streaming (size unknown up front) keeps the announced 1 GiB window; the payload itself is valid.
    stream = zstandard.ZstdCompressor(compression_params=params).compressobj()
    data = stream.compress(bytes(16 * 16 * 4)) + stream.flush()
    with pytest.raises(DecodeError):
        decoder().apply_rect(EncodedRect(0, 0, 16, 16, CODEC_ZSTD, data))


def test_palette_index_beyond_the_palette_is_refused() -> None:
    indices = zstandard.ZstdCompressor().compress(bytes([0, 1, 2, 3]))
    payload = struct.pack("<H", 2) + bytes(8) + indices
    with pytest.raises(DecodeError, match="index"):
        decoder().apply_rect(EncodedRect(0, 0, 2, 2, CODEC_PALETTE, payload))


def test_jpeg_of_another_size_than_its_rectangle_is_refused_before_decoding() -> None:
    image = np.zeros((1000, 1000, 3), np.uint8)
    jpeg = simplejpeg.encode_jpeg(image, quality=50, colorspace="RGB")
    with pytest.raises(DecodeError, match="JPEG of 1000x1000"):
        decoder().apply_rect(EncodedRect(0, 0, 16, 16, CODEC_JPEG, jpeg))


def test_unknown_codecs_are_refused() -> None:
    for codec in (9, 99, 255):
        with pytest.raises(DecodeError, match="codec"):
            decoder().apply_rect(EncodedRect(0, 0, 1, 1, codec, bytes(4)))


@pytest.mark.parametrize(
    ("w", "h", "data"),
    [
        (10, 10, struct.pack("<HH", SCREEN_W - 5, 0)),  # source reaches past the right edge
        (10, 10, struct.pack("<HH", 0, SCREEN_H - 5)),  # ... past the bottom
        (10, 10, struct.pack("<HHH", 0, 0, 0)),  # wrong length
        (10, 10, b""),
    ],
)
def test_copy_from_outside_the_screen_is_refused(w: int, h: int, data: bytes) -> None:
    with pytest.raises(DecodeError, match="copy"):
        decoder().apply_rect(EncodedRect(0, 0, w, h, CODEC_COPY, data))


@pytest.mark.parametrize("colours", [1, 2, 3, 4, 5, 16])
@pytest.mark.parametrize("width", [1, 7, 9, 64])
def test_packed_palette_round_trips(colours: int, width: int) -> None:
    rng = np.random.default_rng(colours * 100 + width)
    palette = rng.choice(1 << 24, size=colours, replace=False).astype(np.uint32) | 0xFF000000
    indices = rng.integers(0, colours, (13, width))
    indices.flat[: min(colours, indices.size)] = np.arange(min(colours, indices.size))  # every colour used
    block = palette[indices].view(np.uint8).reshape(13, width, 4)
    screen = np.zeros((SCREEN_H, SCREEN_W, 4), np.uint8)
    screen[...] = (1, 2, 3, 255)
    screen[50:63, 20 : 20 + width] = block
    encoder, target = FrameEncoder(clock=still_clock), FrameDecoder()
    update = encoder.encode(np.zeros_like(screen))
    target.apply(update.width, update.height, update.rects)
    update = encoder.encode(screen)
    target.apply(update.width, update.height, update.rects)
    assert np.array_equal(target.framebuffer[..., :3], screen[..., :3])


def test_packed_rectangle_of_the_wrong_length_is_refused() -> None:
    payload = struct.pack("<H", 2) + bytes(8) + bytes(12)  # 13 rows of 7 one-bit indices need 13 bytes
    with pytest.raises(DecodeError, match="does not match"):
        decoder().apply_rect(EncodedRect(0, 0, 7, 13, CODEC_PACKED, payload))


def test_copy_moves_pixels_even_when_source_and_target_overlap() -> None:
    target = decoder()
    target.framebuffer[:, :, 0] = np.arange(SCREEN_H, dtype=np.uint8)[:, None]
    expected = target.framebuffer.copy()
    expected[0:100, 0:50] = target.framebuffer[20:120, 0:50]
    target.apply_rect(EncodedRect(0, 0, 50, 100, CODEC_COPY, struct.pack("<HH", 0, 20)))
    assert np.array_equal(target.framebuffer, expected)


def test_decode_error_speaks_plainly() -> None:
    error = DecodeError("technical detail")
    assert "damaged" in error.user_message
    assert "technical" not in error.user_message


def test_a_deflate_bomb_in_the_stream_is_stopped_at_the_largest_packed_size() -> None:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = deflater.compress(bytes(64 * 1024 * 1024)) + deflater.flush(zlib.Z_SYNC_FLUSH)
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError, match="expands"):
            decoder().apply_rect(EncodedRect(0, 0, 16, 16, CODEC_PACKED_STREAM_NEW, bomb[:-4]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_a_stream_rectangle_must_continue_a_stream() -> None:
    packed = struct.pack("<H", 2) + bytes(8) + bytes(13)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = deflater.compress(packed) + deflater.flush(zlib.Z_SYNC_FLUSH)
    with pytest.raises(DecodeError, match="continue"):
        decoder().apply_rect(EncodedRect(0, 0, 8, 13, CODEC_PACKED_STREAM, data[:-4]))
    with pytest.raises(DecodeError, match="too short"):
        decoder().apply_rect(EncodedRect(0, 0, 8, 13, CODEC_PACKED_STREAM_NEW, b""))
    # A new stream may start at any time; the same data then continues it.
    viewer = decoder()
    viewer.apply_rect(EncodedRect(0, 0, 8, 13, CODEC_PACKED_STREAM_NEW, data[:-4]))
    again = deflater.compress(packed) + deflater.flush(zlib.Z_SYNC_FLUSH)
    assert len(again) < len(data)  # the history makes the repeat cheaper
    viewer.apply_rect(EncodedRect(8, 0, 8, 13, CODEC_PACKED_STREAM, again[:-4]))
