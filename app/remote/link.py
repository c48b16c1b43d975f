"""What the link to the viewer can carry, estimated from the pull-based stream itself.

The viewer asks for the next update when it has drawn one (``FrameRequest``), keeping a small window of
requests outstanding (:data:`FRAME_WINDOW`: the agent captures and encodes the next update while the viewer
decodes the last). Each request that arrives answers the oldest update still in flight, so the time from
sending an update to the request that answers it is one full cycle: the update's transfer, the viewer's
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
#: Frame requests the viewer keeps outstanding. Two let the agent capture and encode the next update while the
#: viewer decodes the last one (the stages overlap instead of running in series), and bound what can queue on
#: a slow link to two updates. The agent's session holds one request while it captures for another, so more
#: would be lost there.
FRAME_WINDOW = 2
# Updates remembered as in flight: the window, plus room for requests that crossed a reset on the wire.
_MAX_IN_FLIGHT = 4


class LinkEstimator:
    """Round trip and delivery rate from (bytes sent, time until the next request) samples.

    The round trip is the shortest cycle of the last ``window`` small updates, or of any updates while no
    small one was seen. The delivery rate is what one update in flight achieves: the bytes of the last
    ``window`` updates large enough to tell, over the sum of their cycles. It includes the round trip, so it
    never overstates the link; summing (not a per-update rate) keeps a shaper's burst honest, because an
    update that slipped through in a burst looks instant but the shaper charges its time to the next one.
    :func:`choose_link_plan` sizes updates from it so that the cycle settles at its target, wherever the
    round trip lies. Call :meth:`sent` when an update leaves and :meth:`request_arrived` when a request
    arrives (or :meth:`requested`, see there).

    With a window of requests, the requests that fill the window are credits, not answers, and give no
    sample: the first :data:`FRAME_WINDOW` of a stream (a full request starts one), and after a reset one
    for each update that was in flight (their answers still come). Every other request answers the oldest
    update in flight (one that left before it arrived; else it counts as a credit). Counting, not timing,
    tells them apart: a busy machine can stamp a credit after the first update left. An
    update that left while another was in flight was queued behind it: its time on the link starts when
    the request answering the one ahead arrived, and its whole cycle, which includes the wait, is not
    taken for a round trip. While the link is the bottleneck, requests arrive one transfer apart
    however many updates queue, so counting the wait would halve the rate. (On a long link the window's
    updates travel side by side; the rate is then what the window delivers.)
    """

    def __init__(self, *, window: int = 8) -> None:
        self._cycles: deque[float] = deque(maxlen=window)
        self._small_cycles: deque[float] = deque(maxlen=window)
        self._large: deque[tuple[int, float]] = deque(maxlen=window)  # (bytes, cycle seconds)
        # (bytes, sent at, queued: another update was in flight when it left), oldest first
        self._in_flight: deque[tuple[int, float, bool]] = deque(maxlen=_MAX_IN_FLIGHT)
        self._last_arrival: float | None = None
        self._arrivals_reported = False
        self._frame_window = FRAME_WINDOW
        self._credits = FRAME_WINDOW  # requests still to come that fill the window rather than answer
        self.samples = 0
        self.last_cycle: float | None = None

    def sent(self, byte_count: int, now: float) -> None:
        """An update of ``byte_count`` bytes left at ``now`` (seconds, any monotonic origin)."""
        self._in_flight.append((max(0, byte_count), now, bool(self._in_flight)))

    def forget_in_flight(self) -> None:
        """The updates in flight will not be answered as such (the stream was reset); take no sample."""
        self._credits = len(self._in_flight)  # their requests still come, and answer nothing now
        self._in_flight.clear()

    def set_frame_window(self, requests: int) -> None:
        """The viewer keeps ``requests`` outstanding instead of :data:`FRAME_WINDOW` (a benchmark's choice)."""
        self._frame_window = self._credits = max(1, requests)

    def request_arrived(self, now: float, *, full: bool = False) -> None:
        """A request arrived at ``now`` (the driver's report; from then on :meth:`requested` is ignored).

        ``full``: a request for a full picture, which starts a new stream and a new window.
        """
        self._arrivals_reported = True
        if full:
            self._in_flight.clear()
            self._credits = self._frame_window
        if self._credits > 0:
            self._credits -= 1
            self._last_arrival = now
            return
        self._answer(now)

    def requested(self, now: float) -> None:
        """The encoder's report that it serves a request at ``now``.

        Exact for one request at a time; with a window, the encoder starts the next update right after the
        last one left, so a driver that sees requests arrive reports them with :meth:`request_arrived`.
        """
        if not self._arrivals_reported:
            self._answer(now)

    def _answer(self, now: float) -> None:
        previous, self._last_arrival = self._last_arrival, now
        if not self._in_flight or self._in_flight[0][1] >= now:
            return  # nothing had left before this request arrived: a credit, not an answer
        byte_count, sent_at, queued = self._in_flight.popleft()
        cycle = now - sent_at
        # A queued update waited behind the one ahead of it, which the previous request answered: its link
        # time starts with that answer, and its whole cycle tells no round trip.
        link_time = now - max(sent_at, previous) if queued and previous is not None else cycle
        if link_time <= 0:
            return
        self.samples += 1
        self.last_cycle = link_time
        small = byte_count < _MIN_RATE_SAMPLE_BYTES
        # The stand-in round trip (no small update seen) is the shortest link time: with updates queued on a
        # slow link only the link time stays near the update's size; the whole cycle would hold the wait.
        self._cycles.append(link_time)
        if small and not queued:
            self._small_cycles.append(cycle)
        if not small:
            self._large.append((byte_count, link_time))

    @property
    def in_flight(self) -> bool:
        """Whether an update was sent and the request answering it has not arrived yet."""
        return bool(self._in_flight)

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
