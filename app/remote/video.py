"""H.264 through PyAV for the screen stream's video mode (codec 6 in ``encode.py``).

:class:`VideoEncoder` wraps libx264 (``ultrafast``/``zerolatency``: one frame in, one access unit out, no
B-frames, no look-ahead), fed BGRA regions; :class:`VideoDecoder` turns the access units back into BGRA. Both
import ``av`` lazily, so importing this module costs nothing and the viewer never needs Qt to decode.

A large region may be coded smaller than it is (:func:`video_coded_size`: half per axis above
:data:`FULL_SIZE_MAX_PIXELS`): one swscale pass converts BGRA to yuv420p and scales, and libx264 then has a
quarter of the pixels, which more than halves the agent's CPU per frame. The bitstream's SPS carries the
coded size; the decoder scales the picture back to the region, so the wire format does not change.

The decoder treats its input as hostile: the region size is fixed when a stream starts and FFmpeg is told
the largest picture it may allocate (``max_pixels``), every access unit must decode to exactly one picture,
no larger than the region and of the same size all through the stream, and any FFmpeg error becomes
:class:`VideoError` (``encode.py`` turns it into ``DecodeError``).
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
# Regions up to 720p are coded at full size; larger ones at half size per axis. At 1080p this takes the agent
# from about 20 ms to about 9 ms of CPU per frame on the development machine (swscale plus libx264).
FULL_SIZE_MAX_PIXELS = 1280 * 720
# A coded picture may be smaller than its region by at most this factor per axis: our encoder halves, and a
# stream stretched further would not be worth showing.
_MAX_UPSCALE = 4
_MIN_CODED_SIDE = 16


# Pixel formats the H.264 decoder produces for 8-bit streams: none carries alpha, so the conversion to BGRA
# writes alpha 255 itself (a separate pass setting it cost 0.6 ms per 1080p frame).
_OPAQUE_FORMATS = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "gray"})


class VideoError(Exception):
    """An access unit could not be decoded into a picture of the expected size."""


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _clamp_bitrate(bits_per_second: int) -> int:
    return max(MIN_BITRATE, min(MAX_BITRATE, int(bits_per_second)))


def video_coded_size(width: int, height: int, full_size_max_pixels: int = FULL_SIZE_MAX_PIXELS) -> tuple[int, int]:
    """The size a ``width``×``height`` region is coded at: itself, or half per axis (even) when it is large."""
    if width * height <= full_size_max_pixels:
        return width, height
    coded_width, coded_height = (width // 2) & ~1, (height // 2) & ~1
    if coded_width < _MIN_CODED_SIDE or coded_height < _MIN_CODED_SIDE:
        return width, height
    return coded_width, coded_height


class VideoEncoder:
    """One H.264 stream for a fixed ``width``×``height`` region (both even: 4:2:0 chroma).

    ``coded_size`` (even sides, no larger than the region) codes the pictures scaled down to that size.
    """

    def __init__(
        self,
        width: int,
        height: int,
        *,
        bitrate: int,
        threads: int = 1,
        coded_size: tuple[int, int] | None = None,
    ) -> None:
        import av

        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"video region must have positive even sides, got {width}x{height}")
        coded_width, coded_height = coded_size if coded_size is not None else (width, height)
        if not (0 < coded_width <= width and 0 < coded_height <= height) or coded_width % 2 or coded_height % 2:
            raise ValueError(f"coded size {coded_width}x{coded_height} must be even and within {width}x{height}")
        self.width, self.height = width, height
        self.coded_width, self.coded_height = coded_width, coded_height
        context: Any = av.CodecContext.create("libx264", "w")
        context.width, context.height = coded_width, coded_height
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
        if block.flags.c_contiguous:
            # Wrapped, not copied (2 ms at 1080p): swscale reads the capture in place. ``block`` outlives the
            # frame, since libx264 returns at once (zerolatency). A region narrower than the screen has gaps
            # between its rows, which PyAV before 14 cannot wrap, so it is copied.
            frame = self._av.VideoFrame.from_numpy_buffer(block, format="bgra")
        else:
            frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(block), format="bgra")
        if (self.coded_width, self.coded_height) != (self.width, self.height):
            # Convert and scale in one swscale pass; fast bilinear costs about half of bilinear or area here,
            # and the lossless refresh makes the picture exact once the motion stops anyway.
            frame = frame.reformat(
                width=self.coded_width, height=self.coded_height, format="yuv420p", interpolation="FAST_BILINEAR"
            )
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
        self._coded_size: tuple[int, int] | None = None  # fixed by the stream's first picture

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
        coded = (int(picture.width), int(picture.height))
        if self._coded_size is None:
            self._check_coded_size(*coded)
            self._coded_size = coded
        elif coded != self._coded_size:
            raise VideoError(
                f"H.264 picture of {coded[0]}x{coded[1]} in a stream of {self._coded_size[0]}x{self._coded_size[1]}"
            )
        if picture.format.name not in _OPAQUE_FORMATS:
            # swscale writes alpha 255 only when the picture has no alpha of its own; nothing else is expected.
            raise VideoError(f"H.264 picture in the unexpected pixel format {picture.format.name}")
        try:
            if coded == (self.width, self.height):
                pixels: NDArray[np.uint8] = picture.to_ndarray(format="bgra")
            else:
                # Fast bilinear: 1.4 ms less per 1080p frame than bilinear here, and the picture is already
                # softened by the halving; the lossless refresh makes it exact once the motion stops.
                pixels = picture.to_ndarray(
                    width=self.width, height=self.height, format="bgra", interpolation="FAST_BILINEAR"
                )
        except (av.FFmpegError, ValueError) as error:
            raise VideoError(f"H.264 picture cannot be converted: {error}") from error
        if pixels.shape != (self.height, self.width, 4):
            raise VideoError(f"H.264 picture converted to {pixels.shape}, expected {self.width}x{self.height}")
        return pixels

    def _check_coded_size(self, width: int, height: int) -> None:
        """Refuse a coded picture larger than the region, or so much smaller that it would only be a smear."""
        if not (0 < width <= self.width and 0 < height <= self.height):
            raise VideoError(f"H.264 picture of {width}x{height} does not fit the {self.width}x{self.height} region")
        if width * _MAX_UPSCALE < self.width or height * _MAX_UPSCALE < self.height:
            raise VideoError(
                f"H.264 picture of {width}x{height} is far smaller than its {self.width}x{self.height} region"
            )
