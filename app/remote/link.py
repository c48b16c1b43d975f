"""What the link to the viewer can carry, estimated from the pull-based stream itself.

The viewer asks for the next update only when it has the previous one (``FrameRequest``), so the time from
sending an update to the arrival of the next request is one full cycle: the update's transfer, the viewer's
decoding and the request's way back. :class:`LinkEstimator` turns (bytes, cycle) samples into a round trip
and a delivery rate; :func:`choose_link_plan` turns them and the viewer's ``max_bytes`` into what the encoder
should do.

Both are pure: time is passed in, nothing here reads a clock or touches a socket.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# Updates smaller than this are dominated by the round trip: they give the round trip, not the rate.
_MIN_RATE_SAMPLE_BYTES = 4096
# Less time than this in the whole window is too little to tell the rate (a LAN, loopback).
_MIN_RATE_SECONDS = 0.002

TARGET_FPS = 30  # the update rate the plan aims for when the link allows it
_MIN_UPDATE_BUDGET = 16 * 1024  # below this an update cannot even carry a small JPEG strip
DEFAULT_VIDEO_BITRATE = 12_000_000  # bits/s before anything is known (1.5 MB/s: a LAN or a good WAN)
# Above this, libx264 ultrafast gains little visible quality on a 1080p screen: a fast link is not flooded.
MAX_VIDEO_BITRATE = 16_000_000
_SATURATED_CYCLES = 1.5  # a cycle this many times the target: the link (or the viewer) is the bottleneck


class LinkEstimator:
    """Round trip and delivery rate from (bytes sent, time until the next request) samples.

    The round trip is the shortest cycle of the last ``window`` small updates, or of any updates while no
    small one was seen. The delivery rate is what one update in flight achieves: the bytes of the last
    ``window`` updates large enough to tell, over the sum of their cycles. It includes the round trip, so it
    never overstates the link; summing (not a per-update rate) keeps a shaper's burst honest, because an
    update that slipped through in a burst looks instant but the shaper charges its time to the next one.
    :func:`choose_link_plan` sizes updates from it so that the cycle settles at its target, wherever the
    round trip lies. Call :meth:`sent` when an update leaves and :meth:`requested` when the next request
    arrives.
    """

    def __init__(self, *, window: int = 8) -> None:
        self._cycles: deque[float] = deque(maxlen=window)
        self._small_cycles: deque[float] = deque(maxlen=window)
        self._large: deque[tuple[int, float]] = deque(maxlen=window)  # (bytes, cycle seconds)
        self._in_flight: tuple[int, float] | None = None
        self.samples = 0
        self.last_cycle: float | None = None

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
        cycle = now - sent_at
        if cycle <= 0:
            return
        self.samples += 1
        self.last_cycle = cycle
        self._cycles.append(cycle)
        if byte_count < _MIN_RATE_SAMPLE_BYTES:
            self._small_cycles.append(cycle)
        else:
            self._large.append((byte_count, cycle))

    @property
    def in_flight(self) -> bool:
        """Whether an update was sent and its request has not arrived yet."""
        return self._in_flight is not None

    @property
    def rtt(self) -> float | None:
        """Round-trip estimate in seconds, or ``None`` before the first sample."""
        if self._small_cycles:
            return min(self._small_cycles)
        return min(self._cycles) if self._cycles else None

    @property
    def small_rtt(self) -> float | None:
        """The shortest cycle of a small update (a true round trip), or ``None`` if none was seen."""
        return min(self._small_cycles) if self._small_cycles else None

    @property
    def bandwidth(self) -> float | None:
        """Delivery rate in bytes per second with one update in flight, or ``None`` while unknown."""
        seconds = sum(cycle for _, cycle in self._large)
        if seconds < _MIN_RATE_SECONDS:
            return None
        return sum(byte_count for byte_count, _ in self._large) / seconds


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


def target_cycle(link: LinkEstimator) -> float:
    """The cycle the plan aims at: a frame interval, or two round trips on a long link.

    Only small updates tell the round trip. Without them the shortest cycle seen stands in, as a target
    (not doubled): sizing updates to it keeps their size where it is, whereas doubling a round trip that
    includes transfer time would make updates, and so cycles, grow without end.
    """
    frame = 1.0 / TARGET_FPS
    if link.small_rtt is not None:
        return max(frame, 2.0 * link.small_rtt)
    rtt = link.rtt
    return max(frame, rtt) if rtt is not None else frame


def choose_link_plan(link: LinkEstimator, max_bytes: int | None, *, screen_changing: bool) -> LinkPlan:
    """Combine the viewer's budget with the link estimates (pure).

    An update is sized at the delivery rate times the target cycle. Updates that came back faster than the
    target raise the rate and so the next budget; slower ones lower it: the cycle settles at the target
    whatever the round trip, and never spirals down, because the rate includes the round trip on both sides
    of the comparison. A video frame gets the same budget (the bitrate is per frame at the nominal rate).
    """
    ceiling = max_bytes if max_bytes is not None else 1 << 62
    rate = link.bandwidth
    if rate is None:
        video_bitrate = min(DEFAULT_VIDEO_BITRATE, ceiling * 8 * TARGET_FPS)
        return LinkPlan(update_budget=ceiling, video_bitrate=video_bitrate, defer_refresh=False)
    cycle = target_cycle(link)
    per_update = rate * cycle
    budget = int(min(ceiling, max(per_update, min(_MIN_UPDATE_BUDGET, ceiling))))
    video_bitrate = int(min(MAX_VIDEO_BITRATE, min(per_update, ceiling) * 8 * TARGET_FPS))
    saturated = link.last_cycle is not None and link.last_cycle > _SATURATED_CYCLES * cycle
    return LinkPlan(update_budget=budget, video_bitrate=video_bitrate, defer_refresh=screen_changing and saturated)
