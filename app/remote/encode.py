"""The codec seam of the screen stream: changed regions in, a few compact rectangles out, and back.

:class:`FrameEncoder` (agent side) is stateful per stream. It remembers what the viewer has, finds the 64×64
tiles that differ with numpy, merges runs of changed tiles into row strips, and encodes each strip with the
codec its content calls for:

* few colours (text, UI): a palette of at most 256 colours plus zstd-compressed indices (codec 2);
* many colours but flat (gradients in UI, anti-aliased text with many shades): BGRA + zstd level 1 (codec 1);
* photographic content: JPEG through libjpeg-turbo (simplejpeg, codec 3), quality adapted to the byte budget
  the viewer asks for;
* a band of rows that scrolled: a copy instruction (codec 4) plus the newly exposed strip;
* full-motion content (a large region changing in most of the recent encodes): H.264 through PyAV for that
  region (codec 6, the "video mode"), switched off again once the region calms down.

Tiles sent lossy are remembered; once they stop changing they are sent again losslessly, so text always ends
pixel-exact. A static screen produces no rectangles at all.

:class:`FrameDecoder` (viewer side) applies rectangles onto a numpy framebuffer. Everything it receives is
hostile until proven otherwise: every rectangle must lie inside the screen, every payload is size-checked
before anything is allocated, decompression is bounded, and any malformed input raises :class:`DecodeError`
(never another exception, never a huge allocation).

Wire layout of the payloads (``EncodedRect.data``), all little-endian:

* 0 raw: ``h·w·4`` bytes BGRA, row-major.
* 1 zstd BGRA: one zstd frame that expands to exactly ``h·w·4`` bytes.
* 2 zstd palette: ``u16 n`` (1..256) | ``n·4`` bytes BGRA palette | one zstd frame expanding to ``h·w``
  index bytes, each ``< n``.
* 3 JPEG: a baseline JPEG of exactly ``w``×``h`` pixels (alpha becomes 255).
* 5 packed palette: ``u16 n`` (1..16) | ``n·4`` bytes palette | ``h`` rows of indices at 1 bit (n ≤ 2),
  2 bits (n ≤ 4) or 4 bits, most significant first, each row padded to a whole byte; no compression (for
  small rectangles such as a typed character, where a zstd frame costs more than it saves).
* 7 packed palette in the stream: raw deflate data, sync-flushed with its final ``00 00 ff ff`` left off, that
  inflates to exactly a codec-5 payload. The deflate stream runs across updates (like ZRLE's zlib stream), so a
  glyph typed before costs a few bytes; the viewer must see every such rectangle in order.
* 8 the same as 7, but a new deflate stream starts with this rectangle (the first after every encoder reset).
  A codec of its own rather than a flag byte: a typed character is a handful of bytes, and one more is felt.
* 6 video: ``u8 flags`` (bit 0: a new stream starts here, with a keyframe) | one H.264 access unit (Annex B)
  that decodes to exactly ``w``×``h`` pixels (both even). Every access unit of a stream covers the same
  rectangle; the stream ends with a reset, a resize or the next new-stream flag.
* 4 copy: ``u16 source_x | u16 source_y``; the ``w``×``h`` block at the source (as the viewer has it
  before this rectangle) is copied here. The encoder sends it for scrolled bands, found by row hashes, and
  then only the newly exposed strip travels as pixels.

Alpha is meaningless on X11 captures; viewers ignore it.
"""

from __future__ import annotations

import io
import logging
import struct
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP
from app.remote.link import LinkEstimator, LinkPlan, choose_link_plan

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from numpy.typing import NDArray

    from app.remote.video import VideoDecoder, VideoEncoder

log = logging.getLogger(__name__)

CODEC_RAW = 0
CODEC_ZSTD = 1
CODEC_PALETTE = 2
CODEC_JPEG = 3
CODEC_COPY = 4  # scrolled/moved regions
CODEC_PACKED = 5  # few colours, indices bit-packed without compression: small rectangles (a typed character)
CODEC_VIDEO = 6  # H.264 access unit of the video-mode region
CODEC_PACKED_STREAM = 7  # codec 5's payload deflated in the session's running stream: a glyph seen before
CODEC_PACKED_STREAM_NEW = 8  # as codec 7, starting a new running stream
VIDEO_NEW_STREAM = 0x01
_SYNC_FLUSH_TAIL = b"\x00\x00\xff\xff"

TILE = 64

# Decoder limits: a hostile peer must not make the viewer allocate more than this.
DEFAULT_MAX_WIDTH = 8192
DEFAULT_MAX_HEIGHT = 8192
DEFAULT_MAX_PIXELS = 7680 * 4320  # 8K UHD: about 130 MiB of BGRA framebuffer
DEFAULT_MAX_RECTS = 16384
# zstd frames announce a window size the decompressor would allocate; no legitimate rect needs more.
_MAX_ZSTD_WINDOW = 1 << 25

# Encoder tuning.
_SCROLL_MIN_TILES = 4  # look for scrolling only when at least this many tiles changed
_SCROLL_MIN_ROWS = 16  # a moved band shorter than this is not worth a copy
_SCROLL_COLUMN_STEP = 4
_PACKED_MAX_COLOURS = 16
_PACKED_ALWAYS_BYTES = 256
# A glyph not seen before may cost this much more in the stream than packed alone: it is the history that
# makes the next one cheap.
_STREAM_SLACK_BYTES = 4
_SCROLL_MAX_TWINS = 16  # rows whose content occurs more often than this do not vote
#: Rows are hashed in this many vertical slices. A row belongs to a moved band when all slices but the last
#: match: a scrollbar's thumb beside the text changes the right edge of the rows next to it, and those rows
#: still moved. The tile diff after the copy resends what the copy got wrong there. (Tolerating any one slice
#: let short lines of a terminal, blank on the right, join bands they did not belong to.)
_SCROLL_SLICES = 4
_HASH_WEIGHTS = (np.random.default_rng(0x5EED).integers(1, 2**63, DEFAULT_MAX_WIDTH, dtype=np.uint64) | 1).astype(
    np.uint64
)
_FLAT_FRACTION_LOSSLESS = 0.55  # share of pixels equal to their left neighbour above which content is "UI/text"
_PALETTE_MAX = 256
_PALETTE_SAMPLE = 4096  # pixels sampled to guess a strip's palette
_QUALITY_MAX = 90
_QUALITY_MIN = 30
_QUALITY_STEP_DOWN = 15
_QUALITY_STEP_UP = 5
# Video mode: on when at least _VIDEO_ON_FRAMES of the last _VIDEO_WINDOW encodes that saw a change changed at
# least _VIDEO_MIN_SHARE of the screen's tiles; off when the region stays unchanged for _VIDEO_CALM_FRAMES
# encodes and _VIDEO_CALM_SECONDS, or fewer than _VIDEO_OFF_FRAMES of the window were large. Encodes that saw
# no change at all do not count: the agent may poll many times between two frames of a playing video.
_VIDEO_WINDOW = 8
_VIDEO_ON_FRAMES = 6
_VIDEO_OFF_FRAMES = 3
_VIDEO_MIN_SHARE = 0.2
_VIDEO_CALM_FRAMES = 3
_VIDEO_CALM_SECONDS = 0.3


class DecodeError(PodporaError):
    """A screen update is malformed, out of bounds or over a limit; the session ends with this reason."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "The picture from the other computer arrived damaged, so the connection was closed. "
                "Connect again; if it keeps happening, report it.",
            ),
        )


class EncodedRect(NamedTuple):
    """One encoded rectangle, field for field (and in order) the wire's ``protocol.Rect``: ``Rect(*rect)``."""

    x: int
    y: int
    width: int
    height: int
    codec: int
    data: bytes


class RectLike(Protocol):
    """Anything with the fields of a rectangle on the wire (``EncodedRect`` or ``protocol.Rect``)."""

    @property
    def x(self) -> int: ...
    @property
    def y(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def codec(self) -> int: ...
    @property
    def data(self) -> bytes: ...


@dataclass
class EncodedFrame:
    """The result of one :meth:`FrameEncoder.encode` call.

    ``reset`` is true when the viewer must (re)size its framebuffer to ``width``×``height`` before applying
    ``rects`` (first frame, resolution or monitor change); the rectangles then cover the whole screen.
    ``pending`` is true when something is still owed (deferred by the byte budget, or a lossless refresh of
    lossy tiles): the agent should encode again soon even if the screen does not change.
    """

    width: int
    height: int
    rects: list[EncodedRect] = field(default_factory=list)
    reset: bool = False
    pending: bool = False

    @property
    def byte_count(self) -> int:
        """Payload bytes in this update (rectangle data only)."""
        return sum(len(rect.data) for rect in self.rects)


@dataclass
class EncoderStats:
    """Running counters, for the link-quality overlay and the benchmark."""

    frames: int = 0
    rects: int = 0
    bytes: int = 0
    rects_by_codec: dict[int, int] = field(default_factory=dict)
    refreshed_tiles: int = 0
    video_frames: int = 0
    video_streams: int = 0


@dataclass
class _VideoMode:
    """The running video stream: its region in pixels and tiles, and how long the region has been calm."""

    encoder: VideoEncoder
    area: tuple[int, int, int, int]  # x, y, w, h (both sides even)
    covered: NDArray[np.bool_]  # tiles entirely inside ``area``: they travel only as video
    touched: NDArray[np.bool_]  # tiles overlapping ``area``: the video overwrites (part of) them
    calm: int = 0
    last_change: float = 0.0
    new_stream: bool = True


def _changed_tiles(
    current: NDArray[np.uint32], previous: NDArray[np.uint32], suspect: NDArray[np.bool_] | None = None
) -> NDArray[np.bool_]:
    """Return a (tile rows × tile columns) mask of 64×64 tiles where ``current`` differs from ``previous``.

    With ``suspect`` (a tile mask), only those tiles are compared; the others are taken as unchanged.
    """
    height, width = current.shape
    tile_rows, tile_cols = -(-height // TILE), -(-width // TILE)
    mask = np.zeros((tile_rows, tile_cols), dtype=bool)
    if suspect is not None:
        for tile_row in np.flatnonzero(suspect.any(axis=1)):
            columns = np.flatnonzero(suspect[tile_row])
            first, last = int(columns[0]), int(columns[-1]) + 1
            x0, x1 = first * TILE, min(last * TILE, width)
            y0, y1 = int(tile_row) * TILE, min((int(tile_row) + 1) * TILE, height)
            band = current[y0:y1, x0:x1] != previous[y0:y1, x0:x1]
            found = np.logical_or.reduceat(band.any(axis=0), np.arange(0, x1 - x0, TILE))
            mask[tile_row, first:last] = found & suspect[tile_row, first:last]
        return mask
    differs = current != previous
    changed_rows = differs.any(axis=1)
    col_starts = np.arange(0, width, TILE)
    # Only bands that contain a changed row are reduced column-wise: a typed character touches one band.
    for tile_row in np.flatnonzero(np.logical_or.reduceat(changed_rows, np.arange(0, height, TILE))):
        band = differs[tile_row * TILE : (tile_row + 1) * TILE]
        mask[tile_row] = np.logical_or.reduceat(band.any(axis=0), col_starts)
    return mask


def _tiles_of(areas: Iterable[tuple[int, int, int, int]], tile_rows: int, tile_cols: int) -> NDArray[np.bool_]:
    """The mask of tiles that the ``(x, y, w, h)`` pixel areas touch (areas outside the screen are clipped)."""
    mask = np.zeros((tile_rows, tile_cols), dtype=bool)
    for x, y, w, h in areas:
        if w <= 0 or h <= 0:
            continue
        first_col, last_col = max(0, x // TILE), min(tile_cols, (x + w - 1) // TILE + 1)
        first_row, last_row = max(0, y // TILE), min(tile_rows, (y + h - 1) // TILE + 1)
        mask[first_row:last_row, first_col:last_col] = True
    return mask


def _changed_box(
    current: NDArray[np.uint32], previous: NDArray[np.uint32], area: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    """The bounding box, inside ``area`` = ``(x, y, w, h)``, of the pixels that differ (``area`` if none do)."""
    x, y, w, h = area
    differs = current[y : y + h, x : x + w] != previous[y : y + h, x : x + w]
    rows, cols = np.flatnonzero(differs.any(axis=1)), np.flatnonzero(differs.any(axis=0))
    if rows.size == 0:
        return area
    return x + int(cols[0]), y + int(rows[0]), int(cols[-1] - cols[0]) + 1, int(rows[-1] - rows[0]) + 1


def _row_hashes(block: NDArray[np.uint32]) -> NDArray[np.uint64]:
    """64-bit hashes per row and slice, shape (rows, slices) (multiply-add with fixed odd weights; wrap-around
    is intended). A row's whole hash is the sum of its slices' (:func:`_whole_rows`)."""
    wide = block.astype(np.uint64)
    wide *= _HASH_WEIGHTS[: block.shape[1]]  # in place: one temporary instead of two
    width = block.shape[1]
    starts = sorted({width * k // _SCROLL_SLICES for k in range(_SCROLL_SLICES)} - {width}) or [0]
    hashes: NDArray[np.uint64] = np.add.reduceat(wide, starts, axis=1, dtype=np.uint64)
    return hashes


def _whole_rows(hashes: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """One hash per row from its slices' hashes."""
    whole: NDArray[np.uint64] = hashes.sum(axis=1, dtype=np.uint64)
    return whole


class _RowHashes(NamedTuple):
    """Row hashes (per slice) of the columns ``x0:x1`` (every ``_SCROLL_COLUMN_STEP``-th) for the rows ``y0:y1``."""

    x0: int
    x1: int
    y0: int
    y1: int
    hashes: NDArray[np.uint64]

    def covering(self, x0: int, x1: int, y0: int, y1: int) -> NDArray[np.uint64] | None:
        """The hashes of rows ``y0:y1`` if these were taken over the same columns and include those rows."""
        if (self.x0, self.x1) != (x0, x1) or not (self.y0 <= y0 and y1 <= self.y1):
            return None
        return self.hashes[y0 - self.y0 : y1 - self.y0]


def _find_vertical_move(
    current: NDArray[np.uint32],
    previous: NDArray[np.uint32],
    changed: NDArray[np.bool_],
    previous_hashes: _RowHashes | None = None,
) -> tuple[tuple[int, int, int, int, int] | None, _RowHashes | None]:
    """Find the largest band of rows that moved vertically (scrolling) inside the changed area.

    Returns ``(x, width, source_y, target_y, height)`` or ``None``, and the row hashes of ``current`` it took
    (the next call may pass them as ``previous_hashes`` when ``previous`` then equals this ``current``).
    Rows are matched by hash.
    """
    height, width = current.shape
    tile_rows, tile_cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    x0, x1 = int(tile_cols[0]) * TILE, min((int(tile_cols[-1]) + 1) * TILE, width)
    y0, y1 = int(tile_rows[0]) * TILE, min((int(tile_rows[-1]) + 1) * TILE, height)
    if y1 - y0 < 2 * _SCROLL_MIN_ROWS:
        return None, None
    # Every fourth column is enough to tell rows apart; a false match only costs bytes, because the tile
    # diff after the copy resends whatever the copy got wrong.
    now = _row_hashes(current[y0:y1, x0:x1:_SCROLL_COLUMN_STEP])
    taken = _RowHashes(x0, x1, y0, y1, now)
    before = previous_hashes.covering(x0, x1, y0, y1) if previous_hashes is not None else None
    if before is None:
        before = _row_hashes(previous[y0:y1, x0:x1:_SCROLL_COLUMN_STEP])
    return _vertical_move_by_hashes(now, before, (x0, x1, y0, y1)), taken


def _vertical_move_by_hashes(
    now: NDArray[np.uint64], before: NDArray[np.uint64], area: tuple[int, int, int, int]
) -> tuple[int, int, int, int, int] | None:
    """The move that the row hashes ``now`` and ``before`` of ``area`` = ``(x0, x1, y0, y1)`` vote for.

    The hashes are per slice (:func:`_row_hashes`): whole rows vote for the shift, and a row belongs to the
    moved band when all of its slices but the last match (see :data:`_SCROLL_SLICES`).
    """
    x0, x1, y0, y1 = area
    sliced_now, sliced_before = now, before
    now, before = _whole_rows(sliced_now), _whole_rows(sliced_before)
    # Every changed row votes for each shift that would explain it. Rows that occur often (blank lines,
    # rules, repeated glyph rows) vote for many shifts; those occurring more than _SCROLL_MAX_TWINS times
    # are left out, and the true shift still wins because every moved row votes for it.
    order = np.argsort(before, kind="stable")
    sorted_before = before[order]
    left = np.searchsorted(sorted_before, now, side="left")
    right = np.searchsorted(sorted_before, now, side="right")
    count = right - left
    voters = np.flatnonzero((count >= 1) & (count <= _SCROLL_MAX_TWINS) & (now != before))
    if voters.size < _SCROLL_MIN_ROWS // 2:
        return None
    repeats = count[voters]
    offsets = np.arange(int(repeats.sum())) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    matched_rows = order[np.repeat(left[voters], repeats) + offsets]
    shifts = np.repeat(voters, repeats) - matched_rows
    shifts = shifts[shifts != 0]
    if shifts.size == 0:
        return None
    span = y1 - y0
    votes = np.bincount(shifts + span)
    shift = int(np.argmax(votes)) - span
    # The longest run of rows equal to the previous frame's rows ``shift`` above (or below).
    start, stop = max(0, shift), min(span, span + shift)
    # All slices but the last (the right edge, where a scrollbar's thumb moves beside the text) must match.
    kept = max(1, sliced_now.shape[1] - 1)
    matches = (sliced_now[start:stop, :kept] == sliced_before[start - shift : stop - shift, :kept]).all(axis=1)
    runs = _runs(matches)
    if not runs:
        return None
    run_start, run_stop = max(runs, key=lambda run: run[1] - run[0])
    if run_stop - run_start < _SCROLL_MIN_ROWS:
        return None
    target = y0 + start + run_start
    return x0, x1 - x0, target - shift, target, run_stop - run_start


def _move_rows(block: NDArray[np.uint32], source_y: int, target_y: int, height: int) -> None:
    """Move ``height`` rows of ``block`` from ``source_y`` to ``target_y`` in place, like memmove.

    Chunks of at most the shift never overlap their source, so each is one plain copy (no temporary of the
    whole band); they go in the order that never overwrites rows still to be moved.
    """
    shift = target_y - source_y
    if shift == 0 or height <= 0:
        return
    step = max(abs(shift), 32)
    if abs(shift) < 32:
        block[target_y : target_y + height] = block[source_y : source_y + height].copy()
        return
    starts = range(0, height, step) if shift < 0 else range(((height - 1) // step) * step, -1, -step)
    for start in starts:
        stop = min(start + step, height)
        block[target_y + start : target_y + stop] = block[source_y + start : source_y + stop]


def _runs(row: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` runs of ``True`` in a 1-D boolean array."""
    padded = np.concatenate(([False], row, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(edges[i]), int(edges[i + 1])) for i in range(0, len(edges), 2)]


class _StripJob(NamedTuple):
    """A run of changed (or refresh-due) tiles in one tile row, ``start:stop`` in tile columns."""

    tile_row: int
    start: int
    stop: int
    refresh: bool


class _Piece(NamedTuple):
    """One encoded rectangle of a job and the tile columns (and kind) it settles."""

    rect: EncodedRect
    start: int
    stop: int
    lossless: bool


class FrameEncoder:
    """Turns successive captures of one monitor into minimal updates (see the module docstring).

    ``refresh_after`` is how many consecutive encodes a lossy tile must stay unchanged before it is resent
    losslessly. ``lossy`` False disables JPEG and video entirely (every update lossless); ``video`` False
    disables only the video mode; a video region larger than ``video_full_size_pixels`` (720p by default) is
    coded at half size per axis (see :func:`~app.remote.video.video_coded_size`). ``clock`` times the
    pull-based requests for :attr:`link` (the :class:`~app.remote.link.LinkEstimator`): each call of
    :meth:`encode` after an update went out is taken as the arrival of the viewer's next request.
    """

    def __init__(
        self,
        *,
        refresh_after: int = 2,
        lossy: bool = True,
        jpeg_quality: int = _QUALITY_MAX,
        detect_scroll: bool = True,
        video: bool = True,
        video_full_size_pixels: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        link: LinkEstimator | None = None,
    ) -> None:
        import zstandard  # imported here so that a viewer without zstd still imports the module

        self._detect_scroll = detect_scroll
        self._zstd = zstandard.ZstdCompressor(level=1)
        self._refresh_after = max(1, refresh_after)
        self._lossy_allowed = lossy
        self._quality_ceiling = max(_QUALITY_MIN, min(100, jpeg_quality))
        self.quality = self._quality_ceiling
        self._reference: NDArray[np.uint32] | None = None
        self._lossy_age: NDArray[np.int32] | None = None  # -1: tile is exact; >= 0: lossy, stable for n encodes
        self._video_allowed = video and lossy
        self._video_full_size_pixels = video_full_size_pixels
        self._resume = (0, 0)  # tile row and column where the byte budget cut the last update off
        self._compare_all = True  # the next encode ignores ``dirty`` (changes were deferred, or nothing is known)
        self._hashes: _RowHashes | None = None  # row hashes of what the viewer has, when they are known
        self._deflate: Any = None  # the running deflate stream of codecs 7 and 8 (None: the next rect starts one)
        self._video: _VideoMode | None = None
        self._activity: deque[NDArray[np.bool_] | None] = deque(maxlen=_VIDEO_WINDOW)  # large changes only
        self._clock = clock
        self.link = link if link is not None else LinkEstimator()
        self.plan = choose_link_plan(self.link, None, screen_changing=False)
        self.stats = EncoderStats()

    @property
    def video_active(self) -> bool:
        """Whether the video mode is on."""
        return self._video is not None

    def reset(self) -> None:
        """Forget what the viewer has: the next update is a full frame with ``reset`` set."""
        self._reference = None
        self._lossy_age = None
        self._compare_all = True
        self._hashes = None
        self._deflate = None  # the next stream rectangle is a codec 8: the viewer starts a new stream there
        self._stop_video()
        self._activity.clear()
        self.link.forget_in_flight()  # the next request answers a reset, not the last update

    def encode(
        self,
        frame: NDArray[np.uint8],
        *,
        max_bytes: int | None = None,
        dirty: Sequence[tuple[int, int, int, int]] | None = None,
    ) -> EncodedFrame:
        """Encode what changed in ``frame`` (H×W×4 BGRA) since the viewer's last state.

        ``dirty`` lists the ``(x, y, w, h)`` areas that may have changed since the previous call (X DAMAGE
        knows them); only their tiles are compared then. ``None`` compares the whole frame.

        ``max_bytes`` is the viewer's budget for this update. Together with the link estimates it sets the
        update's budget (:attr:`plan`): JPEG quality adapts to it and, once it is spent, remaining regions
        are deferred to the next update (at least one rectangle is always sent so the stream makes progress;
        a video frame is never deferred, because the stream's decoder must see every access unit).
        """
        now = self._clock()
        if self.link.in_flight:
            self.link.requested(now)
        if frame.ndim != 3 or frame.shape[2] != 4 or frame.dtype != np.uint8:
            raise ValueError(f"expected an H×W×4 uint8 frame, got {frame.shape} {frame.dtype}")
        height, width = int(frame.shape[0]), int(frame.shape[1])
        pixels = np.ascontiguousarray(frame).view(np.uint32).reshape(height, width)
        tile_rows, tile_cols = -(-height // TILE), -(-width // TILE)

        reference, lossy_age = self._reference, self._lossy_age
        reset = reference is None or lossy_age is None or reference.shape != pixels.shape
        if reference is None or lossy_age is None or reference.shape != pixels.shape:
            if reference is not None:
                log.info("screen size changed to %dx%d: sending a full frame", width, height)
            self._stop_video()
            self._activity.clear()
            reference = self._reference = np.zeros_like(pixels)
            lossy_age = self._lossy_age = np.full((tile_rows, tile_cols), -1, dtype=np.int32)
            changed = np.ones((tile_rows, tile_cols), dtype=bool)
        suspect = None
        if not reset and dirty is not None and not self._compare_all:
            suspect = _tiles_of(dirty, tile_rows, tile_cols)
        if reset:
            self._hashes = None
        elif suspect is not None and not bool(suspect.any()) and not bool((lossy_age >= 0).any()):
            # Nothing was drawn and nothing is owed: no comparison at all.
            self.stats.frames += 1
            return EncodedFrame(width=width, height=height)
        elif suspect is None and not bool((lossy_age >= 0).any()) and np.array_equal(pixels, reference):
            # The common idle case costs one comparison (no lossy tiles owe a refresh; nothing changed).
            self.stats.frames += 1
            self._compare_all = False
            return EncodedFrame(width=width, height=height)
        self._compare_all = False
        copies: list[EncodedRect] = []
        hashes: _RowHashes | None = None
        look_for_scroll = not reset and self._video is None and self._detect_scroll
        if look_for_scroll and suspect is not None and int(suspect.sum()) >= _SCROLL_MIN_TILES:
            # A large drawn area: look for a move in it before comparing anything, so the pixels are compared
            # once (after the copy) instead of twice.
            copy, hashes = _find_vertical_move(pixels, reference, suspect, self._hashes)
            if copy is not None:
                copies.append(self._apply_copy(copy, reference, lossy_age))
                x, band_width, _source_y, target_y, band_height = copy
                suspect |= _tiles_of([(x, target_y, band_width, band_height)], tile_rows, tile_cols)
            changed = _changed_tiles(pixels, reference, suspect)
        elif not reset:
            changed = _changed_tiles(pixels, reference, suspect)
            if look_for_scroll and int(changed.sum()) >= _SCROLL_MIN_TILES:
                copy, hashes = _find_vertical_move(pixels, reference, changed, self._hashes)
                if copy is not None:
                    copies.append(self._apply_copy(copy, reference, lossy_age))
                    if suspect is not None:
                        # The copy rewrote the viewer's band: its tiles are compared as well.
                        x, band_width, _source_y, target_y, band_height = copy
                        suspect |= _tiles_of([(x, target_y, band_width, band_height)], tile_rows, tile_cols)
                    changed = _changed_tiles(pixels, reference, suspect)
        if not reset:
            self._update_video_mode(changed, width, height, now)
        plan = self.plan = choose_link_plan(self.link, max_bytes, screen_changing=bool(changed.any()))

        # Lossy tiles that changed start their stability count again; untouched ones age by one encode.
        stable_lossy = (lossy_age >= 0) & ~changed
        lossy_age[stable_lossy] += 1
        refresh = stable_lossy & (lossy_age >= self._refresh_after)

        result = EncodedFrame(width=width, height=height, reset=reset, rects=copies)
        tile_mask = changed
        video = self._video
        if video is not None:
            tile_mask = changed & ~video.covered
            refresh &= ~video.touched  # the video overwrites these anyway; refreshed once it stops
            if video.new_stream or bool((changed & video.covered).any()):
                result.rects.append(
                    self._encode_video(video, frame, changed, plan, reference=reference, lossy_age=lossy_age)
                )
        if plan.defer_refresh and bool(refresh.any()):
            refresh[...] = False  # the link is the bottleneck and the screen still changes: motion first
        spent = sum(len(rect.data) for rect in result.rects)
        budget = plan.update_budget
        # The video frame is sized to the budget already; the rest of the screen (a typed character next to a
        # playing video) keeps a share of its own, so full motion never starves it.
        tile_budget = max(budget - spent, budget // 4)
        tile_spent = tile_rects = 0
        jpeg_bytes = 0
        deferred = False
        # Changes first, then refreshes. Changes start where the budget cut the last update off (tile row and
        # column), so the screen further on is not starved by what keeps changing before it.
        resume_row, resume_column = self._resume if self._resume[0] < tile_rows else (0, 0)

        def turn(job: _StripJob) -> tuple[int, int]:
            rows_after = (job.tile_row - resume_row) % tile_rows
            if rows_after == 0 and job.start < resume_column and job.stop <= resume_column:
                rows_after = tile_rows  # the part of the resume row before the cut goes last
            return rows_after, job.start

        # Only tile rows with something to do are looked at (a typed character touches one).
        changes = [
            _StripJob(int(row), start, stop, False)
            for row in np.flatnonzero(tile_mask.any(axis=1))
            for start, stop in _runs(tile_mask[row])
        ]
        refreshes = [
            _StripJob(int(row), start, stop, True)
            for row in np.flatnonzero(refresh.any(axis=1))
            for start, stop in _runs(refresh[row])
        ]
        jobs = sorted(changes, key=turn) + refreshes
        cut: tuple[int, int] | None = None
        for job in jobs:
            if tile_spent >= tile_budget and tile_rects:
                deferred = True  # nothing more fits: do not even encode the rest
                if not job.refresh and cut is None:
                    cut = (job.tile_row, job.start)
                break
            # A job only reads the viewer's state; its pieces are applied here, in order, against the budget
            # (at least one always goes, so the stream makes progress).
            pieces = self._run_job(job, frame, pixels, reset)
            if not job.refresh and job.tile_row == resume_row:
                pieces.sort(key=lambda piece: (piece.start < resume_column, piece.start))
            for piece in pieces:
                if tile_spent >= tile_budget and tile_rects:
                    deferred = True
                    if not job.refresh and cut is None:
                        cut = (job.tile_row, piece.start)
                    continue
                rect = piece.rect
                if rect.codec == CODEC_PACKED:
                    rect = self._in_stream(rect)  # only now: the stream must hold exactly what is sent
                result.rects.append(rect)
                spent += len(rect.data)
                tile_spent += len(rect.data)
                tile_rects += 1
                if rect.codec == CODEC_JPEG:
                    jpeg_bytes += len(rect.data)
                reference[rect.y : rect.y + rect.height, rect.x : rect.x + rect.width] = pixels[
                    rect.y : rect.y + rect.height, rect.x : rect.x + rect.width
                ]
                lossy_age[job.tile_row, piece.start : piece.stop] = -1 if piece.lossless else 0
                if job.refresh:
                    self.stats.refreshed_tiles += piece.stop - piece.start

        self._resume = cut if cut is not None else (0, 0)
        if deferred:
            self._compare_all = True  # what was deferred is not in the next ``dirty``: look everywhere
        if hashes is not None and not deferred and self._video is None:
            self._hashes = hashes  # the viewer now has this frame: its row hashes are the next "before"
        elif result.rects:
            self._hashes = None
        self._adapt_quality(budget, spent, jpeg_bytes)
        result.pending = deferred or bool(np.any(lossy_age >= 0))
        self.stats.frames += 1
        self.stats.rects += len(result.rects)
        self.stats.bytes += spent
        for rect in result.rects:
            self.stats.rects_by_codec[rect.codec] = self.stats.rects_by_codec.get(rect.codec, 0) + 1
        if result.rects:
            # An update with rectangles is sent; its wire size is about the payload plus a few bytes of
            # framing per rectangle and the seal. (Empty pending updates may be polled locally: no sample.)
            self.link.sent(spent + 16 * len(result.rects) + 64, self._clock())
        return result

    def _run_job(
        self, job: _StripJob, frame: NDArray[np.uint8], pixels: NDArray[np.uint32], reset: bool
    ) -> list[_Piece]:
        """Split one run of tiles by content and encode the pieces (reads the viewer's state, writes nothing)."""
        reference, lossy_age = self._reference, self._lossy_age
        if reference is None or lossy_age is None:
            return []
        height, width = pixels.shape
        y, h = job.tile_row * TILE, min(TILE, height - job.tile_row * TILE)
        pieces = []
        for start, stop, lossless in self._split_by_content(
            pixels, y, h, job.start, job.stop, force_lossless=job.refresh
        ):
            x = start * TILE
            area = (x, y, min(stop * TILE, width) - x, h)
            # Only the changed pixels travel (a typed character is a few hundred pixels, not a tile), unless
            # part of these tiles is still lossy at the viewer and must be redrawn.
            if not (reset or job.refresh) and (not lossless or bool((lossy_age[job.tile_row, start:stop] < 0).all())):
                area = _changed_box(pixels, reference, area)
            bx, by, bw, bh = area
            rect = self._encode_strip(frame, pixels[by : by + bh, bx : bx + bw], area, lossless=lossless)
            pieces.append(_Piece(rect, start, stop, lossless))
        return pieces

    def _update_video_mode(self, changed: NDArray[np.bool_], width: int, height: int, now: float) -> None:
        """Record this encode's activity and switch the video mode on or off by content."""
        changed_tiles = int(changed.sum())
        if changed_tiles:
            large = changed_tiles >= max(1.0, _VIDEO_MIN_SHARE * changed.size)
            self._activity.append(changed.copy() if large else None)
        large_count = sum(activity is not None for activity in self._activity)
        video = self._video
        if video is not None:
            if bool((changed & video.touched).any()):
                video.calm, video.last_change = 0, now
            else:
                video.calm += 1
            calm = video.calm >= _VIDEO_CALM_FRAMES and now - video.last_change >= _VIDEO_CALM_SECONDS
            faded = len(self._activity) == _VIDEO_WINDOW and large_count < _VIDEO_OFF_FRAMES
            if calm or faded:
                log.info("video mode off (%s)", "calm" if calm else "little motion")
                self._stop_video()
                self._activity.clear()
            return
        if not self._video_allowed or large_count < _VIDEO_ON_FRAMES:
            return
        union = np.logical_or.reduce([activity for activity in self._activity if activity is not None])
        rows, cols = np.flatnonzero(union.any(axis=1)), np.flatnonzero(union.any(axis=0))
        x0, y0 = int(cols[0]) * TILE, int(rows[0]) * TILE
        x1, y1 = min((int(cols[-1]) + 1) * TILE, width), min((int(rows[-1]) + 1) * TILE, height)
        # 4:2:0 chroma needs even sides; an odd last column or row stays with the tile codecs.
        w, h = (x1 - x0) & ~1, (y1 - y0) & ~1
        if w < 16 or h < 16:
            return
        try:
            from app.remote.video import FULL_SIZE_MAX_PIXELS, VideoEncoder, video_coded_size

            full_size_pixels = self._video_full_size_pixels
            coded = video_coded_size(w, h, FULL_SIZE_MAX_PIXELS if full_size_pixels is None else full_size_pixels)
            encoder = VideoEncoder(w, h, bitrate=self.plan.video_bitrate, coded_size=coded)
        except (ImportError, OSError, RuntimeError, ValueError) as error:
            log.info("video mode unavailable, staying with tiles: %s", error)
            self._video_allowed = False
            return
        starts_y, starts_x = np.arange(union.shape[0]) * TILE, np.arange(union.shape[1]) * TILE
        ends_y, ends_x = np.minimum(starts_y + TILE, height), np.minimum(starts_x + TILE, width)
        inside_y, inside_x = (starts_y >= y0) & (ends_y <= y0 + h), (starts_x >= x0) & (ends_x <= x0 + w)
        overlap_y, overlap_x = (ends_y > y0) & (starts_y < y0 + h), (ends_x > x0) & (starts_x < x0 + w)
        self._video = _VideoMode(
            encoder=encoder,
            last_change=now,
            area=(x0, y0, w, h),
            covered=np.outer(inside_y, inside_x),
            touched=np.outer(overlap_y, overlap_x),
        )
        self.stats.video_streams += 1
        log.info("video mode on for %dx%d+%d+%d, coded at %dx%d", w, h, x0, y0, *coded)

    def _encode_video(
        self,
        video: _VideoMode,
        frame: NDArray[np.uint8],
        changed: NDArray[np.bool_],
        plan: LinkPlan,
        *,
        reference: NDArray[np.uint32],
        lossy_age: NDArray[np.int32],
    ) -> EncodedRect:
        """Encode the video region as the stream's next access unit and record what the viewer will have."""
        x, y, w, h = video.area
        video.encoder.set_bitrate(plan.video_bitrate)
        data = video.encoder.encode(frame[y : y + h, x : x + w])
        flags = VIDEO_NEW_STREAM if video.new_stream else 0
        video.new_stream = False
        reference[y : y + h, x : x + w] = np.ascontiguousarray(frame[y : y + h, x : x + w]).view(np.uint32)[..., 0]
        # Every tile the picture overlaps is lossy now; changed ones start their stability count again.
        ages = lossy_age[video.touched]
        lossy_age[video.touched] = np.where(changed[video.touched], 0, np.maximum(ages, 0))
        self.stats.video_frames += 1
        return EncodedRect(x, y, w, h, CODEC_VIDEO, bytes([flags]) + data)

    def _stop_video(self) -> None:
        if self._video is not None:
            self._video.encoder.close()
            self._video = None

    @staticmethod
    def _apply_copy(
        copy: tuple[int, int, int, int, int], reference: NDArray[np.uint32], lossy_age: NDArray[np.int32]
    ) -> EncodedRect:
        """Record a copy in the viewer's state and return its rectangle.

        After this, the ordinary tile diff against ``reference`` finds only what the copy did not explain
        (the newly exposed strip, and anything a hash collision got wrong), so the result stays exact.
        """
        x, width, source_y, target_y, height = copy
        _move_rows(reference[:, x : x + width], source_y, target_y, height)
        first_row, last_row = min(source_y, target_y) // TILE, (max(source_y, target_y) + height - 1) // TILE
        columns = slice(x // TILE, (x + width - 1) // TILE + 1)
        if bool((lossy_age[first_row : last_row + 1, columns] >= 0).any()):
            # Lossy pixels may have moved anywhere in the band: refresh all of it once it settles.
            band = lossy_age[target_y // TILE : (target_y + height - 1) // TILE + 1, columns]
            band[...] = np.maximum(band, 0)
        return EncodedRect(x, target_y, width, height, CODEC_COPY, struct.pack("<HH", x, source_y))

    def _adapt_quality(self, max_bytes: int, spent: int, jpeg_bytes: int) -> None:
        if jpeg_bytes == 0:
            return
        if spent > max_bytes:
            self.quality = max(_QUALITY_MIN, self.quality - _QUALITY_STEP_DOWN)
        elif spent < max_bytes // 3:
            self.quality = min(self._quality_ceiling, self.quality + _QUALITY_STEP_UP)

    def _split_by_content(
        self, pixels: NDArray[np.uint32], y: int, h: int, start: int, stop: int, *, force_lossless: bool
    ) -> list[tuple[int, int, bool]]:
        """Split the tile run ``start:stop`` of one tile row into sub-runs of lossless or lossy content.

        A tile is "UI or text" when most of its pixels equal their left neighbour; photographic tiles are
        not. Classifying per tile (not per strip) keeps a photo next to a text field from dragging the text
        into JPEG, or the photo into a huge lossless rectangle.
        """
        if force_lossless or not self._lossy_allowed:
            return [(start, stop, True)]
        width = pixels.shape[1]
        x0, x1 = start * TILE, min(stop * TILE, width)
        strip = pixels[y : y + h, x0:x1]
        flat_per_column = np.zeros(x1 - x0, dtype=np.int64)
        flat_per_column[1:] = np.count_nonzero(strip[:, 1:] == strip[:, :-1], axis=0)
        offsets = np.arange(0, x1 - x0, TILE)
        flat_per_tile = np.add.reduceat(flat_per_column, offsets)
        tile_widths = np.minimum(offsets + TILE, x1 - x0) - offsets
        lossless = flat_per_tile >= _FLAT_FRACTION_LOSSLESS * (tile_widths * h)
        pieces: list[tuple[int, int, bool]] = []
        run_start = 0
        for index in range(1, len(lossless) + 1):
            if index == len(lossless) or lossless[index] != lossless[run_start]:
                pieces.append((start + run_start, start + index, bool(lossless[run_start])))
                run_start = index
        return pieces

    def _encode_strip(
        self,
        frame: NDArray[np.uint8],
        strip: NDArray[np.uint32],
        area: tuple[int, int, int, int],
        *,
        lossless: bool,
    ) -> EncodedRect:
        """Encode one strip at ``area`` = ``(x, y, w, h)`` losslessly (palette or zstd) or as JPEG."""
        x, y, w, h = area
        if lossless:
            found = _palette_indices(strip)
            if found is not None:
                codec, payload = self._encode_palette(*found)
                return EncodedRect(x, y, w, h, codec, payload)
            data = self._zstd.compress(np.ascontiguousarray(strip).tobytes())
            return EncodedRect(x, y, w, h, CODEC_ZSTD, data)
        import simplejpeg

        block = np.ascontiguousarray(frame[y : y + h, x : x + w])
        data = simplejpeg.encode_jpeg(block, quality=self.quality, colorspace="BGRA", colorsubsampling="420")
        return EncodedRect(x, y, w, h, CODEC_JPEG, bytes(data))

    def _in_stream(self, rect: EncodedRect) -> EncodedRect:
        """A codec-5 rectangle as codec 7 unless the running deflate stream makes it much larger.

        The stream is tried on a copy and kept only when the rectangle goes out in it, so the viewer's
        inflater and this deflater always hold the same history.
        """
        new = self._deflate is None
        trial = zlib.compressobj(9, zlib.DEFLATED, -15) if new else self._deflate.copy()
        data = trial.compress(rect.data) + trial.flush(zlib.Z_SYNC_FLUSH)
        if not data.endswith(_SYNC_FLUSH_TAIL):  # pragma: no cover - zlib always ends a sync flush so
            return rect
        payload = data[: -len(_SYNC_FLUSH_TAIL)]
        if len(payload) > len(rect.data) + _STREAM_SLACK_BYTES:
            return rect
        self._deflate = trial
        return rect._replace(codec=CODEC_PACKED_STREAM_NEW if new else CODEC_PACKED_STREAM, data=payload)

    def _encode_palette(self, palette: NDArray[np.uint32], indices: NDArray[np.uint8]) -> tuple[int, bytes]:
        """Palette + indices: zstd-compressed (codec 2) or, when smaller, bit-packed (codec 5)."""
        header = struct.pack("<H", palette.size) + palette.astype("<u4").tobytes()
        if palette.size <= _PACKED_MAX_COLOURS:
            height, width = indices.shape
            packed_size = height * -(-width // (8 // _bits_per_index(palette.size)))
            if packed_size <= _PACKED_ALWAYS_BYTES:
                return CODEC_PACKED, header + _pack_indices(indices, palette.size)  # zstd cannot beat a few dozen bytes
        else:
            packed_size = None
        compressed = self._zstd.compress(indices.tobytes())
        if packed_size is not None and packed_size < len(compressed):
            return CODEC_PACKED, header + _pack_indices(indices, palette.size)
        return CODEC_PALETTE, header + compressed


def _palette_indices(strip: NDArray[np.uint32]) -> tuple[NDArray[np.uint32], NDArray[np.uint8]] | None:
    """The sorted distinct colours of ``strip`` and its index image, or ``None`` beyond 256 colours.

    The palette is guessed from a sample (photographic strips fail here, fast), the indices are computed
    against it and checked (every pixel matched one colour); colours the sample missed are added and the
    indices computed once more. Checking is cheaper than collecting every colour up front.
    """
    height, width = strip.shape
    row_step = max(1, height // 16)
    column_step = max(1, (width * -(-height // row_step)) // _PALETTE_SAMPLE)
    palette = np.unique(strip[::row_step, ::column_step])
    for _attempt in range(2):
        if palette.size > _PALETTE_MAX:
            return None
        indices, complete = _indices(strip, palette)
        if complete:
            return palette, indices
        positions = np.minimum(np.searchsorted(palette, strip), palette.size - 1)
        palette = np.union1d(palette, np.unique(strip[palette[positions] != strip]))
    # Two rounds always suffice: after the second, the palette holds every colour of the strip.
    return None


def _indices(strip: NDArray[np.uint32], palette: NDArray[np.uint32]) -> tuple[NDArray[np.uint8], bool]:
    """Each pixel's position in the sorted ``palette``, and whether every pixel's colour is in it."""
    if palette.size <= 8:
        # A few comparisons beat a binary search per pixel on the common text/UI case; the colours are
        # distinct, so every pixel matched exactly once when the match counts add up to the pixel count.
        indices = np.zeros(strip.shape, dtype=np.uint8)
        matched = int(np.count_nonzero(strip == palette[0]))
        for index in range(1, palette.size):
            equal = strip == palette[index]
            matched += int(np.count_nonzero(equal))
            indices[equal] = index
        return indices, matched == strip.size
    found = np.searchsorted(palette, strip)
    np.minimum(found, palette.size - 1, out=found)
    return found.astype(np.uint8), bool(np.array_equal(palette[found], strip))


def _bits_per_index(colours: int) -> int:
    return 1 if colours <= 2 else 2 if colours <= 4 else 4


def _pack_indices(indices: NDArray[np.uint8], colours: int) -> bytes:
    """Rows of indices at 1, 2 or 4 bits each, most significant first, every row padded to a byte."""
    bits = _bits_per_index(colours)
    height, width = indices.shape
    per_byte = 8 // bits
    padded_width = -(-width // per_byte) * per_byte
    padded = np.zeros((height, padded_width), dtype=np.uint8)
    padded[:, :width] = indices
    groups = padded.reshape(height, padded_width // per_byte, per_byte)
    shifts = np.arange(per_byte - 1, -1, -1, dtype=np.uint8) * bits
    return bytes((groups << shifts).sum(axis=2, dtype=np.uint16).astype(np.uint8).tobytes())


class FrameDecoder:
    """The viewer's framebuffer and the only code that interprets rectangles from the network."""

    def __init__(
        self,
        *,
        max_width: int = DEFAULT_MAX_WIDTH,
        max_height: int = DEFAULT_MAX_HEIGHT,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        max_rects: int = DEFAULT_MAX_RECTS,
    ) -> None:
        import zstandard

        self._zstd = zstandard.ZstdDecompressor(max_window_size=_MAX_ZSTD_WINDOW)
        self._zstd_error = zstandard.ZstdError
        self.max_width = max_width
        self.max_height = max_height
        self.max_pixels = max_pixels
        self.max_rects = max_rects
        self.framebuffer: NDArray[np.uint8] = np.zeros((0, 0, 4), dtype=np.uint8)
        self._video: tuple[VideoDecoder, tuple[int, int, int, int]] | None = None
        self._inflater: Any = None  # the running inflate stream of codecs 7 and 8

    @property
    def width(self) -> int:
        """Current framebuffer width in pixels."""
        return int(self.framebuffer.shape[1])

    @property
    def height(self) -> int:
        """Current framebuffer height in pixels."""
        return int(self.framebuffer.shape[0])

    def resize(self, width: int, height: int) -> None:
        """Start a new black framebuffer of ``width``×``height`` (checked against the limits first)."""
        if not (0 < width <= self.max_width and 0 < height <= self.max_height):
            raise DecodeError(f"screen size {width}x{height} outside 1..{self.max_width}x{self.max_height}")
        if width * height > self.max_pixels:
            raise DecodeError(f"screen of {width * height} pixels exceeds the limit of {self.max_pixels}")
        self.framebuffer = np.zeros((height, width, 4), dtype=np.uint8)
        self.framebuffer[:, :, 3] = 255
        self._video = None

    def apply(self, width: int, height: int, rects: Sequence[RectLike]) -> list[tuple[int, int, int, int]]:
        """Apply one update for a ``width``×``height`` screen; return the ``(x, y, w, h)`` areas drawn.

        A different size than the current framebuffer starts a new one (resolution or monitor change).
        """
        if len(rects) > self.max_rects:
            raise DecodeError(f"{len(rects)} rectangles in one update exceed the limit of {self.max_rects}")
        if (width, height) != (self.width, self.height):
            self.resize(width, height)
        drawn = []
        for rect in rects:
            self.apply_rect(rect)
            drawn.append((rect.x, rect.y, rect.width, rect.height))
        return drawn

    def apply_rect(self, rect: RectLike) -> None:
        """Decode one rectangle into the framebuffer; raise :class:`DecodeError` if anything is wrong."""
        x, y, w, h = rect.x, rect.y, rect.width, rect.height
        if not all(isinstance(value, int) for value in (x, y, w, h, rect.codec)):
            raise DecodeError("rectangle fields must be integers")
        if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > self.width or y + h > self.height:
            raise DecodeError(f"rectangle {w}x{h}+{x}+{y} is outside the {self.width}x{self.height} screen")
        data = rect.data
        if not isinstance(data, bytes | bytearray | memoryview):
            raise DecodeError("rectangle data must be bytes")
        target = self.framebuffer[y : y + h, x : x + w]
        if rect.codec == CODEC_RAW:
            target[...] = self._bgra(bytes(data), w, h)
        elif rect.codec == CODEC_ZSTD:
            target[...] = self._bgra(self._inflate(data, w * h * 4), w, h)
        elif rect.codec == CODEC_PALETTE:
            target[...] = self._palette(data, w, h)
        elif rect.codec == CODEC_JPEG:
            target[...] = self._jpeg(data, w, h)
        elif rect.codec == CODEC_PACKED:
            target[...] = self._packed(data, w, h)
        elif rect.codec in (CODEC_PACKED_STREAM, CODEC_PACKED_STREAM_NEW):
            new = rect.codec == CODEC_PACKED_STREAM_NEW
            target[...] = self._packed(self._inflate_stream(bytes(data), w, h, new=new), w, h)
        elif rect.codec == CODEC_VIDEO:
            target[...] = self._video_picture(bytes(data), (x, y, w, h))
        elif rect.codec == CODEC_COPY:
            if len(data) != 4:
                raise DecodeError(f"copy rectangle with {len(data)} bytes of data, expected 4")
            source_x, source_y = struct.unpack("<HH", bytes(data))
            if source_x + w > self.width or source_y + h > self.height:
                raise DecodeError(f"copy source {w}x{h}+{source_x}+{source_y} is outside the screen")
            target[...] = self.framebuffer[source_y : source_y + h, source_x : source_x + w].copy()
        else:
            raise DecodeError(f"unknown or unsupported codec {rect.codec}")

    def _inflate_stream(self, data: bytes, w: int, h: int, *, new: bool) -> bytes:
        """Inflate one codec-7/8 rectangle in the running stream, never past the largest codec-5 payload."""
        if not data:
            raise DecodeError("stream rectangle too short")
        if new:
            self._inflater = zlib.decompressobj(-15)
        inflater = self._inflater
        if inflater is None:
            raise DecodeError("stream rectangle does not continue a stream")
        limit = 2 + _PACKED_MAX_COLOURS * 4 + h * -(-w // 2)  # 4 bits per index is the widest codec 5
        try:
            out = inflater.decompress(data + _SYNC_FLUSH_TAIL, limit + 1)
        except zlib.error as error:
            self._inflater = None
            raise DecodeError(f"corrupt stream data: {error}") from error
        if inflater.unconsumed_tail or inflater.eof or len(out) > limit:
            self._inflater = None
            raise DecodeError(f"stream rectangle expands beyond {limit} bytes or ends the stream")
        return bytes(out)

    def _video_picture(self, data: bytes, area: tuple[int, int, int, int]) -> NDArray[np.uint8]:
        """Decode one access unit of the video stream covering ``area``; a failure ends the stream."""
        from app.remote.video import VideoDecoder, VideoError

        if len(data) < 2:
            raise DecodeError("video rectangle too short")
        flags, unit = data[0], data[1:]
        _x, _y, w, h = area
        if flags & ~VIDEO_NEW_STREAM:
            raise DecodeError(f"unknown video flags {flags:#x}")
        if flags & VIDEO_NEW_STREAM:
            if w % 2 or h % 2:
                raise DecodeError(f"video rectangle {w}x{h} must have even sides")
            self._video = None
            try:
                self._video = (VideoDecoder(w, h), area)
            except ImportError as error:
                raise DecodeError(f"this viewer cannot decode video: {error}") from error
        if self._video is None or self._video[1] != area:
            raise DecodeError(f"video rectangle {w}x{h}+{_x}+{_y} does not continue a stream")
        try:
            return self._video[0].decode(unit)
        except VideoError as error:
            self._video = None
            raise DecodeError(str(error)) from error

    @staticmethod
    def _bgra(data: bytes, w: int, h: int) -> NDArray[np.uint8]:
        if len(data) != w * h * 4:
            raise DecodeError(f"raw rectangle of {len(data)} bytes, expected {w * h * 4}")
        return np.frombuffer(data, dtype=np.uint8).reshape(h, w, 4)

    def _inflate(self, data: bytes | bytearray | memoryview, expected: int) -> bytes:
        """Decompress one zstd frame to exactly ``expected`` bytes, never producing more than one extra."""
        try:
            with self._zstd.stream_reader(io.BytesIO(bytes(data)), read_across_frames=False) as reader:
                out = reader.read(expected + 1)
        except self._zstd_error as error:
            raise DecodeError(f"corrupt zstd data: {error}") from error
        if len(out) != expected:
            raise DecodeError(f"zstd data expands to {len(out)} bytes, expected {expected}")
        return bytes(out)

    def _palette(self, data: bytes | bytearray | memoryview, w: int, h: int) -> NDArray[np.uint8]:
        view = bytes(data)
        if len(view) < 2:
            raise DecodeError("palette rectangle too short")
        (count,) = struct.unpack_from("<H", view)
        if not 1 <= count <= _PALETTE_MAX or len(view) < 2 + count * 4:
            raise DecodeError(f"bad palette of {count} colours")
        palette = np.frombuffer(view, dtype="<u4", count=count, offset=2)
        indices = np.frombuffer(self._inflate(view[2 + count * 4 :], w * h), dtype=np.uint8)
        if int(indices.max()) >= count:
            raise DecodeError("palette index out of range")
        return palette[indices].astype(np.uint32).view(np.uint8).reshape(h, w, 4)

    @staticmethod
    def _packed(data: bytes | bytearray | memoryview, w: int, h: int) -> NDArray[np.uint8]:
        view = bytes(data)
        if len(view) < 2:
            raise DecodeError("packed palette rectangle too short")
        (count,) = struct.unpack_from("<H", view)
        if not 1 <= count <= _PACKED_MAX_COLOURS:
            raise DecodeError(f"bad packed palette of {count} colours")
        bits = _bits_per_index(count)
        per_byte = 8 // bits
        row_bytes = -(-w // per_byte)
        if len(view) != 2 + count * 4 + h * row_bytes:
            raise DecodeError(f"packed rectangle of {len(view)} bytes does not match {w}x{h} at {bits} bits")
        palette = np.frombuffer(view, dtype="<u4", count=count, offset=2)
        packed = np.frombuffer(view, dtype=np.uint8, offset=2 + count * 4).reshape(h, row_bytes)
        shifts = np.arange(per_byte - 1, -1, -1, dtype=np.uint8) * bits
        mask = np.uint8((1 << bits) - 1)
        indices = ((packed[:, :, None] >> shifts) & mask).reshape(h, row_bytes * per_byte)[:, :w]
        if int(indices.max()) >= count:
            raise DecodeError("palette index out of range")
        pixels: NDArray[np.uint8] = palette[indices].astype(np.uint32).view(np.uint8).reshape(h, w, 4)
        return pixels

    @staticmethod
    def _jpeg(data: bytes | bytearray | memoryview, w: int, h: int) -> NDArray[np.uint8]:
        import simplejpeg

        blob = bytes(data)
        try:
            header_h, header_w, _colour, _subsampling = simplejpeg.decode_jpeg_header(blob)
        except (ValueError, RuntimeError, TypeError) as error:
            raise DecodeError(f"corrupt JPEG header: {error}") from error
        if (header_w, header_h) != (w, h):
            raise DecodeError(f"JPEG of {header_w}x{header_h} in a {w}x{h} rectangle")
        try:
            image = simplejpeg.decode_jpeg(blob, colorspace="BGRA")
        except (ValueError, RuntimeError, TypeError) as error:
            raise DecodeError(f"corrupt JPEG data: {error}") from error
        if image.shape != (h, w, 4):
            raise DecodeError(f"JPEG decoded to {image.shape}, expected {(h, w, 4)}")
        result: NDArray[np.uint8] = image
        result[:, :, 3] = 255
        return result


def psnr(reference: NDArray[np.uint8], decoded: NDArray[np.uint8]) -> float:
    """Peak signal-to-noise ratio in dB over the B, G, R channels (``inf`` when identical)."""
    diff = reference[..., :3].astype(np.float64) - decoded[..., :3].astype(np.float64)
    mse = float(np.mean(diff * diff))
    if mse == 0.0:
        return float("inf")
    return float(10.0 * np.log10(255.0 * 255.0 / mse))


def rects_bytes(rects: Iterable[RectLike]) -> int:
    """Total payload bytes of ``rects``."""
    return sum(len(rect.data) for rect in rects)
