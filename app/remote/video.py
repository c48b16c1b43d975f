"""H.264 through PyAV for the screen stream's video mode (codec 6 in ``encode.py``).

:class:`VideoEncoder` wraps libx264 (``ultrafast``/``zerolatency``: one frame in, one access unit out, no
B-frames, no look-ahead), fed BGRA regions; :class:`VideoDecoder` turns the access units back into BGRA. Both
import ``av`` lazily, so importing this module costs nothing and the viewer never needs Qt to decode.

The decoder treats its input as hostile: the region size is fixed when a stream starts and FFmpeg is told
the largest picture it may allocate (``max_pixels``), every access unit must decode to exactly one picture
of that size, and any FFmpeg error becomes :class:`VideoError` (``encode.py`` turns it into ``DecodeError``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

# The rate control works in bits per frame; the nominal rate only converts the bitrate into that.
_NOMINAL_FPS = 30
MIN_BITRATE = 250_000
MAX_BITRATE = 40_000_000


class VideoError(Exception):
    """An access unit could not be decoded into a picture of the expected size."""


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _clamp_bitrate(bits_per_second: int) -> int:
    return max(MIN_BITRATE, min(MAX_BITRATE, int(bits_per_second)))


class VideoEncoder:
    """One H.264 stream for a fixed ``width``×``height`` region (both even: 4:2:0 chroma)."""

    def __init__(self, width: int, height: int, *, bitrate: int, threads: int = 1) -> None:
        import av

        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"video region must have positive even sides, got {width}x{height}")
        self.width, self.height = width, height
        context: Any = av.CodecContext.create("libx264", "w")
        context.width, context.height = width, height
        context.pix_fmt = "yuv420p"
        context.time_base = Fraction(1, _NOMINAL_FPS)
        context.framerate = Fraction(_NOMINAL_FPS, 1)
        # Average-bitrate control, which libx264 retargets at any frame (see set_bitrate). No VBV: PyAV
        # cannot change its cap after opening, and a fixed cap would pin the rate to its starting value.
        context.bit_rate = _clamp_bitrate(bitrate)
        context.gop_size = 10_000  # keyframes only when a stream starts: the decoder never loses a frame
        context.max_b_frames = 0
        context.thread_count = threads
        context.options = {"preset": "ultrafast", "tune": "zerolatency", "forced-idr": "1"}
        context.open()
        self._context = context
        self._av = av
        self._pts = 0

    @property
    def bitrate(self) -> int:
        """Current target in bits per second."""
        return int(self._context.bit_rate)

    def set_bitrate(self, bits_per_second: int) -> None:
        """Retarget the rate control; libx264 picks the new rate up at the next frame."""
        bitrate = _clamp_bitrate(bits_per_second)
        if bitrate != self._context.bit_rate:
            self._context.bit_rate = bitrate

    def encode(self, block: NDArray[np.uint8]) -> bytes:
        """Encode one H×W×4 BGRA picture of the region; return its access unit (Annex B)."""
        if block.shape != (self.height, self.width, 4):
            raise ValueError(f"expected a {self.width}x{self.height} BGRA block, got {block.shape}")
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(block), format="bgra")
        frame.pts = self._pts
        self._pts += 1
        packets = self._context.encode(frame)
        data = b"".join(bytes(packet) for packet in packets)
        if not data:
            raise RuntimeError("the H.264 encoder held a frame back (zerolatency expected)")
        return data

    def close(self) -> None:
        """Release the codec (flushing returns nothing with zerolatency)."""
        self._context = None


class VideoDecoder:
    """The viewer's side of one H.264 stream of a fixed ``width``×``height`` region."""

    def __init__(self, width: int, height: int) -> None:
        import av

        self.width, self.height = width, height
        context: Any = av.CodecContext.create("h264", "r")
        # Slice threading decodes without delay; frame threading would hold frames back.
        context.thread_type = "SLICE"
        context.thread_count = 2
        # FFmpeg refuses any picture much larger than the declared region before allocating it. Its check
        # counts padded lines (480 wide is checked as 512), so the limit is the region rounded up to 128.
        context.options = {"max_pixels": str(_round_up(width, 128) * _round_up(height, 128))}
        self._context = context
        self._av = av

    def decode(self, data: bytes) -> NDArray[np.uint8]:
        """Decode one access unit into an H×W×4 BGRA picture (alpha 255); raise :class:`VideoError`."""
        av = self._av
        try:
            frames = self._context.decode(av.Packet(data))
        except (av.FFmpegError, ValueError, MemoryError) as error:
            raise VideoError(f"corrupt H.264 data: {error}") from error
        if len(frames) != 1:
            raise VideoError(f"an H.264 access unit gave {len(frames)} pictures, expected 1")
        picture = frames[0]
        if (picture.width, picture.height) != (self.width, self.height):
            raise VideoError(f"H.264 picture of {picture.width}x{picture.height}, expected {self.width}x{self.height}")
        try:
            pixels: NDArray[np.uint8] = picture.to_ndarray(format="bgra")
        except (av.FFmpegError, ValueError) as error:
            raise VideoError(f"H.264 picture cannot be converted: {error}") from error
        pixels[:, :, 3] = 255
        return pixels
