"""The codec seam: encoder/decoder round trips on synthetic screens, flow-control budget, size changes."""

from __future__ import annotations

import numpy as np
import pytest

from app.remote import protocol
from app.remote.encode import (
    CODEC_COPY,
    CODEC_JPEG,
    CODEC_PACKED,
    CODEC_PACKED_STREAM,
    CODEC_PACKED_STREAM_NEW,
    CODEC_PALETTE,
    CODEC_ZSTD,
    TILE,
    EncodedFrame,
    FrameDecoder,
    FrameEncoder,
    psnr,
)


def still_clock() -> float:
    """A clock that never moves: the encoder takes no link samples, so these tests do not depend on speed."""
    return 0.0


def photo(height: int, width: int, seed: int = 1) -> np.ndarray:
    """A smooth, many-coloured picture with mild noise: what JPEG is for."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 4), np.uint8)
    image[..., 0] = (127 + 80 * np.sin(xx / 37.0) + 40 * np.cos(yy / 23.0)).clip(0, 250)
    image[..., 1] = (127 + 90 * np.sin((xx + yy) / 51.0)).clip(0, 250)
    image[..., 2] = (127 + 100 * np.cos(xx / 71.0 - yy / 45.0)).clip(0, 250)
    image[..., :3] += rng.integers(0, 6, (height, width, 3), dtype=np.uint8)
    image[..., 3] = 255
    return image


def desktop(height: int = 600, width: int = 800) -> np.ndarray:
    """A UI-like screen: flat background, a dark title bar, 'text' of a few colours, a button."""
    rng = np.random.default_rng(7)
    image = np.zeros((height, width, 4), np.uint8)
    image[...] = (236, 236, 236, 255)
    image[0:30, :, :3] = (60, 40, 30)
    area = image[60:260, 40:540]
    text = rng.random(area.shape[:2]) < 0.2
    area[text] = (20, 20, 20, 255)
    image[300:340, 600:720, :3] = (200, 120, 40)
    return image


def apply(decoder: FrameDecoder, update: EncodedFrame) -> None:
    decoder.apply(update.width, update.height, update.rects)


def bgr(image: np.ndarray) -> np.ndarray:
    return image[..., :3]


def test_ui_screen_is_lossless_at_once_and_a_static_screen_costs_nothing() -> None:
    screen = desktop()
    encoder, decoder = FrameEncoder(clock=still_clock), FrameDecoder()
    first = encoder.encode(screen)
    assert first.reset and first.rects
    assert {rect.codec for rect in first.rects} <= {CODEC_PALETTE, CODEC_PACKED, CODEC_ZSTD}
    apply(decoder, first)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(screen))
    assert not first.pending
    # Few colours compress to far less than the raw frame.
    assert first.byte_count < screen.nbytes // 20

    again = encoder.encode(screen.copy())
    assert again.rects == [] and not again.reset and not again.pending


def test_a_small_change_sends_only_its_pixels() -> None:
    screen = desktop()
    encoder, decoder = FrameEncoder(clock=still_clock), FrameDecoder()
    apply(decoder, encoder.encode(screen))
    typed = screen.copy()
    typed[100:112, 300:307, :3] = (0, 0, 200)  # one "character" inside a single tile
    update = encoder.encode(typed)
    assert len(update.rects) == 1
    rect = update.rects[0]
    assert (rect.x, rect.y, rect.width, rect.height) == (300, 100, 7, 12)
    assert rect.codec in {CODEC_PACKED, CODEC_PACKED_STREAM, CODEC_PACKED_STREAM_NEW}
    assert len(rect.data) < 40  # 2 colours, 1 bit per pixel
    apply(decoder, update)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(typed))


def test_photo_is_jpeg_first_then_refreshed_losslessly_once_it_stops_changing() -> None:
    screen = desktop(480, 640)
    screen[64:448, 64:576] = photo(384, 512)
    encoder, decoder = FrameEncoder(clock=still_clock, refresh_after=2), FrameDecoder()
    first = encoder.encode(screen)
    assert CODEC_JPEG in {rect.codec for rect in first.rects}
    # The UI around the photo is not dragged into JPEG.
    assert any(rect.codec in {CODEC_PALETTE, CODEC_PACKED} for rect in first.rects)
    apply(decoder, first)
    assert first.pending
    quality = psnr(screen, decoder.framebuffer)
    assert 40.0 <= quality < float("inf")

    for _ in range(4):
        update = encoder.encode(screen)
        assert all(rect.codec != CODEC_JPEG for rect in update.rects)
        apply(decoder, update)
        if not update.pending:
            break
    assert not update.pending
    assert np.array_equal(bgr(decoder.framebuffer), bgr(screen))
    assert encoder.stats.refreshed_tiles > 0


def test_a_small_change_inside_a_photo_stays_small_and_ends_exact() -> None:
    screen = photo(128, 128)
    encoder, decoder = FrameEncoder(clock=still_clock, refresh_after=3), FrameDecoder()
    apply(decoder, encoder.encode(screen))
    changed = screen.copy()
    changed[10:14, 10:14, :3] = 0  # a tiny flat change inside a tile the viewer only has as JPEG
    update = encoder.encode(changed)
    assert [(rect.x, rect.y, rect.width, rect.height, rect.codec) for rect in update.rects] == [
        (10, 10, 4, 4, CODEC_JPEG)
    ]
    apply(decoder, update)
    for _ in range(6):
        update = encoder.encode(changed)
        apply(decoder, update)
    assert not update.pending
    assert np.array_equal(bgr(decoder.framebuffer), bgr(changed))


def test_a_region_that_keeps_changing_is_not_refreshed_losslessly() -> None:
    encoder = FrameEncoder(clock=still_clock, refresh_after=2)
    base = desktop(256, 256)
    for step in range(5):
        frame = base.copy()
        frame[0:128, 0:128] = photo(128, 128, seed=step)
        update = encoder.encode(frame)
        codecs = {rect.codec for rect in update.rects}
        assert codecs == ({CODEC_JPEG} if step else codecs)  # after the first frame: only the moving photo
    assert encoder.stats.refreshed_tiles == 0


def terminal(lines: int, width: int = 640, line_height: int = 13, first: int = 0) -> np.ndarray:
    """A terminal-like screen: ``lines`` distinct rows of 'text' starting at line number ``first``."""
    image = np.zeros((lines * line_height, width, 4), np.uint8)
    image[..., 3] = 255
    for row in range(lines):
        rng = np.random.default_rng(first + row)  # a line's look depends on its number only
        glyphs = rng.random((line_height - 3, width)) < 0.3
        image[row * line_height : row * line_height + line_height - 3][glyphs] = (200, 200, 200, 255)
    return image


def test_scrolling_is_sent_as_a_copy_plus_the_new_lines() -> None:
    encoder, decoder = FrameEncoder(clock=still_clock), FrameDecoder()
    screen = terminal(40)
    apply(decoder, encoder.encode(screen))
    scrolled = terminal(40, first=3)  # three new lines at the bottom, everything else moved up
    update = encoder.encode(scrolled)
    assert update.rects[0].codec == CODEC_COPY
    copy = update.rects[0]
    assert (copy.y, copy.height) == (0, 37 * 13)
    without_copy = FrameEncoder(clock=still_clock, detect_scroll=False)
    without_copy.encode(screen)
    assert update.byte_count * 4 < without_copy.encode(scrolled).byte_count
    apply(decoder, update)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(scrolled))


def test_scrolling_down_and_a_photo_band_end_exact() -> None:
    encoder, decoder = FrameEncoder(clock=still_clock, refresh_after=1), FrameDecoder()
    screen = terminal(30, first=10)
    screen[0:128, 0:256] = photo(128, 256)
    apply(decoder, encoder.encode(screen))
    moved = np.zeros_like(screen)
    moved[40:] = screen[:-40]  # everything moves down 40 rows, a blank band appears on top
    moved[:40, :, 3] = 255
    update = encoder.encode(moved)
    assert update.rects[0].codec == CODEC_COPY
    assert (update.rects[0].y, update.rects[0].height) == (40, moved.shape[0] - 40)
    apply(decoder, update)
    for _ in range(5):
        if not update.pending:
            break
        update = encoder.encode(moved)
        apply(decoder, update)
    assert not update.pending
    assert np.array_equal(bgr(decoder.framebuffer), bgr(moved))


def test_scrolling_a_page_with_many_identical_rows_is_still_found() -> None:
    rng = np.random.default_rng(4)
    page = np.full((960, 320, 4), 255, np.uint8)
    glyphs = np.repeat(np.repeat(rng.random((60, 40)) < 0.45, 16, axis=0), 8, axis=1)
    glyphs &= np.arange(960)[:, None] % 16 < 11  # each glyph row repeats 11 times, then a blank gap
    page[glyphs] = (40, 40, 40, 255)
    encoder, decoder = FrameEncoder(clock=still_clock), FrameDecoder()
    apply(decoder, encoder.encode(np.ascontiguousarray(page[:480])))
    scrolled = np.ascontiguousarray(page[16:496])
    update = encoder.encode(scrolled)
    assert update.rects[0].codec == CODEC_COPY
    apply(decoder, update)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(scrolled))


def test_lossless_only_mode_never_uses_jpeg() -> None:
    screen = photo(200, 300)
    encoder, decoder = FrameEncoder(clock=still_clock, lossy=False), FrameDecoder()
    update = encoder.encode(screen)
    assert CODEC_JPEG not in {rect.codec for rect in update.rects}
    apply(decoder, update)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(screen))


def test_budget_defers_regions_and_lowers_quality_but_converges_exactly() -> None:
    screen = photo(512, 768)
    encoder, decoder = FrameEncoder(clock=still_clock, refresh_after=1), FrameDecoder()
    budget = 20_000
    first = encoder.encode(screen, max_bytes=budget)
    assert first.pending
    assert len(first.rects) < (512 // TILE)  # not every strip fitted
    assert encoder.quality < 90
    apply(decoder, first)
    for _ in range(200):
        update = encoder.encode(screen, max_bytes=budget)
        apply(decoder, update)
        if not update.pending:
            break
    assert not update.pending
    assert np.array_equal(bgr(decoder.framebuffer), bgr(screen))


def test_size_change_resets_the_stream_and_the_viewer_follows() -> None:
    encoder, decoder = FrameEncoder(clock=still_clock), FrameDecoder()
    apply(decoder, encoder.encode(desktop(600, 800)))
    assert (decoder.width, decoder.height) == (800, 600)
    smaller = desktop(480, 640)
    update = encoder.encode(smaller)
    assert update.reset and (update.width, update.height) == (640, 480)
    apply(decoder, update)
    assert (decoder.width, decoder.height) == (640, 480)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(smaller))


def test_odd_sizes_and_edge_tiles_round_trip() -> None:
    rng = np.random.default_rng(3)
    screen = desktop(131, 197)
    encoder, decoder = FrameEncoder(clock=still_clock, lossy=False), FrameDecoder()
    apply(decoder, encoder.encode(screen))
    changed = screen.copy()
    changed[130, 196, :3] = rng.integers(0, 255, 3, dtype=np.uint8)  # the very last pixel
    update = encoder.encode(changed)
    assert len(update.rects) == 1
    rect = update.rects[0]
    assert rect.x + rect.width == 197 and rect.y + rect.height == 131
    apply(decoder, update)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(changed))


def test_encoded_rects_fit_the_wire_message() -> None:
    screen = desktop(200, 300)
    update = FrameEncoder(clock=still_clock).encode(screen)
    message = protocol.FrameUpdate(
        seq=1, width=update.width, height=update.height, rects=[protocol.Rect(*rect) for rect in update.rects]
    )
    decoded = protocol.decode(protocol.encode(message))
    decoder = FrameDecoder()
    decoder.apply(decoded.width, decoded.height, decoded.rects)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(screen))


def test_encoder_rejects_a_frame_that_is_not_bgra() -> None:
    with pytest.raises(ValueError, match="H×W×4"):
        FrameEncoder(clock=still_clock).encode(np.zeros((10, 10, 3), np.uint8))


# --- dirty areas (X DAMAGE tells the encoder where to look) ------------------------------------------


def test_only_the_dirty_areas_are_compared() -> None:
    screen = desktop()
    encoder, decoder = FrameEncoder(clock=still_clock), FrameDecoder()
    apply(decoder, encoder.encode(screen))
    changed = screen.copy()
    changed[100:110, 100:108, :3] = (0, 0, 255)  # drawn and reported
    changed[400:410, 700:708, :3] = (0, 255, 0)  # drawn but not reported: the hint is trusted
    update = encoder.encode(changed, dirty=[(100, 100, 8, 10)])
    assert [(r.x, r.y, r.width, r.height) for r in update.rects] == [(100, 100, 8, 10)]
    apply(decoder, update)
    assert np.array_equal(bgr(decoder.framebuffer[100:110, 100:108]), bgr(changed[100:110, 100:108]))
    # Nothing reported and nothing owed: no rectangles (and no comparison).
    assert encoder.encode(changed, dirty=[]).rects == []
    # Reported later, it is sent then.
    later = encoder.encode(changed, dirty=[(690, 395, 30, 30)])
    apply(decoder, later)
    assert np.array_equal(bgr(decoder.framebuffer), bgr(changed))


def test_dirty_areas_through_scrolling_deferral_and_refresh_end_exact() -> None:
    # (The video mode is off: with a still clock it would never calm down; test_encode_video covers it.)
    encoder, decoder = FrameEncoder(clock=still_clock, refresh_after=1, video=False), FrameDecoder()
    width, line_height = 640, 13
    screen = terminal(40, width=width)
    screen[0:128, 0:256] = photo(128, 256)
    apply(decoder, encoder.encode(screen, max_bytes=1 << 20))
    update = None
    for step in range(1, 12):
        moved = terminal(40, width=width, first=step)  # the terminal scrolls by a line per step
        moved[0:128, 0:256] = photo(128, 256, seed=step)  # and the picture changes
        # The whole terminal was drawn; a small budget defers part of each update to the next.
        update = encoder.encode(moved, max_bytes=16_384, dirty=[(0, 0, width, 40 * line_height)])
        apply(decoder, update)
        screen = moved
    for _ in range(100):
        assert update is not None
        if not update.pending:
            break
        update = encoder.encode(screen, max_bytes=16_384, dirty=[])  # nothing drawn any more
        apply(decoder, update)
    assert update is not None and not update.pending
    assert np.array_equal(bgr(decoder.framebuffer), bgr(screen))


def test_a_dense_page_scrolled_under_damage_goes_as_copies_and_stays_exact() -> None:
    rng = np.random.default_rng(4)
    page = np.full((1280, 512, 4), 255, np.uint8)
    glyphs = np.repeat(np.repeat(rng.random((80, 64)) < 0.45, 16, axis=0), 8, axis=1)
    glyphs &= (np.arange(1280)[:, None] % 16 < 11) & (np.arange(512)[None, :] % 8 < 6)
    page[glyphs] = (40, 40, 40, 255)
    encoder, decoder = FrameEncoder(clock=still_clock, video=False), FrameDecoder()
    apply(decoder, encoder.encode(np.ascontiguousarray(page[:640])))
    offset = 0
    for step in range(1, 12):
        offset += 32 if step % 4 == 0 else 16  # a line at a time, now and then two
        screen = np.ascontiguousarray(page[offset : offset + 640])
        update = encoder.encode(screen, dirty=[(0, 0, 512, 640)])  # the whole window was redrawn
        assert update.rects[0].codec == CODEC_COPY, step
        assert update.byte_count < screen.nbytes // 50
        apply(decoder, update)
        assert np.array_equal(bgr(decoder.framebuffer), bgr(screen)), step


def test_rows_move_in_place_like_memmove() -> None:
    from app.remote.encode import _move_rows

    rng = np.random.default_rng(1)
    for _trial in range(300):
        height = int(rng.integers(1, 300))
        total = height + int(rng.integers(0, 200))
        source, target = (int(rng.integers(0, total - height + 1)) for _ in range(2))
        block = rng.integers(0, 1000, (total, 5)).astype(np.uint32)
        expected = block.copy()
        expected[target : target + height] = block[source : source + height].copy()
        _move_rows(block, source, target, height)
        assert np.array_equal(block, expected), (total, height, source, target)


def test_typed_characters_seen_before_cost_a_few_bytes_in_the_running_stream() -> None:
    glyphs = [np.random.default_rng(seed).random((13, 6)) < 0.35 for seed in range(5)]
    screen = np.zeros((200, 400, 4), np.uint8)
    screen[..., 3] = 255
    encoder, decoder = FrameEncoder(clock=still_clock), FrameDecoder()
    apply(decoder, encoder.encode(screen))
    sizes = []
    for index in range(30):
        glyph = glyphs[index % len(glyphs)]  # the same five letters typed over and over
        x = 8 + 6 * index
        screen[20:33, x : x + 6][glyph] = (220, 220, 220, 255)
        update = encoder.encode(screen, dirty=[(x, 20, 6, 13)])
        apply(decoder, update)
        assert np.array_equal(bgr(decoder.framebuffer), bgr(screen))
        sizes.append(update.byte_count)
        if index == 0:
            assert [rect.codec for rect in update.rects] == [CODEC_PACKED_STREAM_NEW]  # the stream starts here
        if index >= len(glyphs):
            assert [rect.codec for rect in update.rects] == [CODEC_PACKED_STREAM]
    assert max(sizes[len(glyphs) :]) * 2 < min(sizes[: len(glyphs)]), sizes
    # A reset starts the stream anew, and a fresh viewer follows it.
    encoder.reset()
    fresh = FrameDecoder()
    apply(fresh, encoder.encode(screen))
    screen[40:53, 8:14][glyphs[0]] = (220, 220, 220, 255)
    apply(fresh, encoder.encode(screen))
    assert np.array_equal(bgr(fresh.framebuffer), bgr(screen))
