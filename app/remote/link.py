"""What the link to the viewer can carry, estimated from the pull-based stream itself.

The viewer asks for the next update only when it has the previous one (``FrameRequest``), so the time from
sending an update of ``n`` bytes to the arrival of the next request is one round trip plus ``n`` bytes of
transfer. :class:`LinkEstimator` turns those samples into a round-trip and a bandwidth estimate;
:func:`choose_link_plan` turns the estimates and the viewer's ``max_bytes`` into what the encoder should do.

Both are pure: time is passed in, nothing here reads a clock or touches a socket.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# Updates smaller than this are dominated by the round trip and say nothing about bandwidth.
_MIN_BANDWIDTH_SAMPLE_BYTES = 4096
# Less transfer time than this in the whole window is too little to tell the rate (a LAN, loopback).
_MIN_TRANSFER_SECONDS = 0.002

TARGET_FPS = 30  # the update rate the plan aims for when the link allows it
_MIN_UPDATE_BUDGET = 16 * 1024  # below this an update cannot even carry a small JPEG strip
_VIDEO_SHARE = 0.7  # of the estimated bandwidth, left for the video stream (the rest: lossless strips, input)
DEFAULT_VIDEO_BITRATE = 12_000_000  # bits/s before anything is known (1.5 MB/s: a LAN or a good WAN)
# Above this, libx264 ultrafast gains little visible quality on a 1080p screen: a fast link is not flooded.
MAX_VIDEO_BITRATE = 16_000_000
_SATURATED_SHARE = 0.8  # transfer time above this share of a frame interval: the link is the bottleneck


class LinkEstimator:
    """Round-trip and bandwidth estimates from (bytes sent, time until the next request) samples.

    The round trip is the smallest interval of the last ``window`` small updates (an interval can only be
    longer than a round trip), or of any updates while no small one was seen. Bandwidth is the delivery rate
    over the last ``window`` updates large enough to measure it: their bytes over their time beyond a round
    trip (of small updates, or 0), summed. Summing, not a median of per-update rates, keeps a shaper's burst
    honest: an update that slipped through in a burst looks instant, but the shaper charges its time to the
    next one. With only large updates in view it is the rate one update in flight achieves, which is what
    the pull-based stream gets. Call :meth:`sent` when an update leaves and :meth:`requested`
    when the next request arrives.
    """

    def __init__(self, *, window: int = 8) -> None:
        self._intervals: deque[float] = deque(maxlen=window)
        self._small_intervals: deque[float] = deque(maxlen=window)
        self._transfers: deque[tuple[int, float]] = deque(maxlen=window)  # (bytes, seconds beyond a round trip)
        self._in_flight: tuple[int, float] | None = None
        self.samples = 0
        self.last_transfer: float | None = None  # seconds the last delivered update spent beyond a round trip

    def sent(self, byte_count: int, now: float) -> None:
        """An update of ``byte_count`` bytes left at ``now`` (seconds, any monotonic origin)."""
        self._in_flight = (max(0, byte_count), now)

    def forget_in_flight(self) -> None:
        """The update in flight will not be answered as such (the stream was reset); take no sample."""
        self._in_flight = None

    def requested(self, now: float) -> None:
        """The viewer's next request arrived at ``now``: the update in flight was delivered."""
        if self._in_flight is None:
            return
        byte_count, sent_at = self._in_flight
        self._in_flight = None
        interval = now - sent_at
        if interval <= 0:
            return
        self.samples += 1
        self._intervals.append(interval)
        if byte_count < _MIN_BANDWIDTH_SAMPLE_BYTES:
            self._small_intervals.append(interval)
        rtt = min(self._small_intervals) if self._small_intervals else 0.0
        transfer = max(0.0, interval - rtt)
        self.last_transfer = transfer
        if byte_count >= _MIN_BANDWIDTH_SAMPLE_BYTES:
            self._transfers.append((byte_count, transfer))

    @property
    def in_flight(self) -> bool:
        """Whether an update was sent and its request has not arrived yet."""
        return self._in_flight is not None

    @property
    def rtt(self) -> float | None:
        """Round-trip estimate in seconds, or ``None`` before the first sample."""
        if self._small_intervals:
            return min(self._small_intervals)
        return min(self._intervals) if self._intervals else None

    @property
    def bandwidth(self) -> float | None:
        """Delivery-rate estimate in bytes per second, or ``None`` while unknown (or too fast to measure)."""
        seconds = sum(transfer for _, transfer in self._transfers)
        if seconds < _MIN_TRANSFER_SECONDS:
            return None
        return sum(byte_count for byte_count, _ in self._transfers) / seconds


@dataclass(frozen=True)
class LinkPlan:
    """What the encoder should do for the next update.

    ``update_budget``: bytes this update should not exceed (JPEG quality adapts to it, regions beyond it are
    deferred). ``video_bitrate``: bits/s for the video mode. ``defer_refresh``: hold back lossless refreshes
    of settled regions while the link is the bottleneck and the screen is still changing.
    """

    update_budget: int
    video_bitrate: int
    defer_refresh: bool


def choose_link_plan(link: LinkEstimator, max_bytes: int | None, *, screen_changing: bool) -> LinkPlan:
    """Combine the viewer's budget with the link estimates (pure)."""
    budget = max_bytes
    bandwidth = link.bandwidth
    saturated = False
    video_bitrate = DEFAULT_VIDEO_BITRATE
    if bandwidth is not None:
        per_frame = int(bandwidth / TARGET_FPS)
        budget = per_frame if budget is None else min(budget, per_frame)
        budget = max(budget, min(_MIN_UPDATE_BUDGET, max_bytes or _MIN_UPDATE_BUDGET))
        video_bitrate = min(MAX_VIDEO_BITRATE, int(bandwidth * 8 * _VIDEO_SHARE))
        # The last update alone kept the link busy for most of a frame interval: the link is the bottleneck.
        saturated = link.last_transfer is not None and link.last_transfer >= _SATURATED_SHARE / TARGET_FPS
    if max_bytes is not None:
        # The viewer's budget per update also caps the video stream's per-frame size.
        video_bitrate = min(video_bitrate, max_bytes * 8 * TARGET_FPS)
    if budget is None:
        return LinkPlan(update_budget=1 << 62, video_bitrate=video_bitrate, defer_refresh=False)
    return LinkPlan(update_budget=budget, video_bitrate=video_bitrate, defer_refresh=screen_changing and saturated)
