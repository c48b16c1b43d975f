"""LinkEstimator and the link plan, as scripted sequences of (bytes sent, request arrival) with time passed in."""

from __future__ import annotations

import numpy as np
import pytest

from app.remote.encode import FrameEncoder
from app.remote.link import (
    DEFAULT_VIDEO_BITRATE,
    MAX_VIDEO_BITRATE,
    TARGET_FPS,
    LinkEstimator,
    choose_link_plan,
    target_cycle,
)
from tests.remote.test_encode import photo


def script(link: LinkEstimator, *, rtt: float, bandwidth: float, sizes: list[int], start: float = 0.0) -> float:
    """Play updates over a link of ``rtt`` seconds and ``bandwidth`` bytes/s; return the time at the end."""
    now = start
    for size in sizes:
        link.sent(size, now)
        now += rtt + size / bandwidth
        link.requested(now)
        now += 0.001  # the agent captures and encodes the next update
    return now


def test_nothing_is_known_before_a_sample() -> None:
    link = LinkEstimator()
    assert link.rtt is None and link.bandwidth is None and not link.in_flight
    link.requested(5.0)  # a request without an update in flight is not a sample
    assert link.samples == 0


def test_small_updates_give_the_round_trip_but_no_bandwidth() -> None:
    link = LinkEstimator()
    script(link, rtt=0.040, bandwidth=1e6, sizes=[200] * 5)
    assert link.rtt == pytest.approx(0.0402, abs=1e-4)
    assert link.bandwidth is None


def test_mixed_updates_give_the_round_trip_and_the_delivery_rate() -> None:
    link = LinkEstimator()
    large = [80_000, 120_000, 60_000, 90_000]
    script(link, rtt=0.030, bandwidth=500_000, sizes=[300, large[0], 300, large[1], large[2], 400, large[3]])
    assert link.rtt == pytest.approx(0.030, abs=0.001)
    # One update in flight delivers its bytes over its whole cycle, round trip included.
    cycles = [0.030 + size / 500_000 for size in large]
    assert link.bandwidth == pytest.approx(sum(large) / sum(cycles), rel=0.01)


def test_the_estimate_follows_a_link_that_slows_down() -> None:
    link = LinkEstimator(window=4)
    now = script(link, rtt=0.010, bandwidth=10e6, sizes=[300] + [100_000] * 4)
    assert link.bandwidth == pytest.approx(100_000 / 0.020, rel=0.05)
    script(link, rtt=0.010, bandwidth=200_000, sizes=[100_000] * 4, start=now)
    assert link.bandwidth == pytest.approx(100_000 / 0.510, rel=0.05)


def test_only_large_updates_give_the_rate_one_update_in_flight_achieves() -> None:
    link = LinkEstimator()
    script(link, rtt=0.050, bandwidth=1e6, sizes=[50_000] * 6)
    assert link.small_rtt is None
    assert link.rtt == pytest.approx(0.100, abs=0.001)  # an upper bound until a small update is seen
    assert link.bandwidth == pytest.approx(50_000 / 0.100, rel=0.02)


def test_a_burst_through_a_shaper_does_not_inflate_the_rate() -> None:
    # A token bucket lets the first update through at once and charges its time to the next one.
    link = LinkEstimator()
    now = 0.0
    for _ in range(8):
        link.sent(10_000, now)
        now += 0.010  # the round trip only: this update went out in a burst
        link.requested(now)
        link.sent(10_000, now)
        now += 0.010 + 20_000 / 250_000  # the shaper makes this one pay for both
        link.requested(now)
    assert link.bandwidth == pytest.approx(250_000 * 20_000 / (20_000 + 2 * 0.010 * 250_000), rel=0.01)
    assert link.bandwidth is not None and link.bandwidth < 250_000


def test_a_forgotten_update_gives_no_sample() -> None:
    link = LinkEstimator()
    link.sent(50_000, 1.0)
    link.forget_in_flight()
    link.requested(9.0)
    assert link.samples == 0 and link.rtt is None


def test_plan_without_estimates_uses_the_viewers_budget_and_the_default_bitrate() -> None:
    plan = choose_link_plan(LinkEstimator(), 200_000, screen_changing=True)
    assert plan.update_budget == 200_000
    assert plan.video_bitrate == DEFAULT_VIDEO_BITRATE
    assert not plan.defer_refresh
    assert choose_link_plan(LinkEstimator(), None, screen_changing=False).update_budget > 1 << 40


def test_a_slow_link_shrinks_the_budget_and_the_bitrate_and_defers_refresh_while_the_screen_changes() -> None:
    link = LinkEstimator()
    script(link, rtt=0.020, bandwidth=900_000, sizes=[300, 60_000, 60_000, 60_000])
    assert target_cycle(link) == pytest.approx(0.040, abs=0.001)  # two round trips: longer than a frame
    changing = choose_link_plan(link, 1_000_000, screen_changing=True)
    assert link.bandwidth is not None
    assert changing.update_budget == pytest.approx(link.bandwidth * 0.040, rel=0.05)
    assert changing.update_budget < 60_000, "updates that took two cycles shrink"
    assert changing.video_bitrate == pytest.approx(changing.update_budget * 8 * TARGET_FPS, rel=0.01)
    assert changing.defer_refresh
    calm = choose_link_plan(link, 1_000_000, screen_changing=False)
    assert not calm.defer_refresh, "a calm screen gets its lossless refresh even on a slow link"


def test_a_fast_link_keeps_the_viewers_budget_and_caps_video_by_it() -> None:
    link = LinkEstimator()
    script(link, rtt=0.001, bandwidth=100e6, sizes=[300, 200_000, 200_000, 200_000])
    plan = choose_link_plan(link, 20_000, screen_changing=True)
    assert plan.update_budget == 20_000
    assert plan.video_bitrate == 20_000 * 8 * TARGET_FPS
    assert not plan.defer_refresh
    unlimited = choose_link_plan(link, 2_000_000, screen_changing=True)
    assert unlimited.video_bitrate == MAX_VIDEO_BITRATE, "a fast link is not flooded with video"


def test_the_budget_never_drops_below_a_useful_update() -> None:
    link = LinkEstimator()
    script(link, rtt=0.100, bandwidth=20_000, sizes=[300, 40_000, 40_000])
    assert choose_link_plan(link, 500_000, screen_changing=True).update_budget == 16 * 1024


@pytest.mark.parametrize(
    ("rtt", "capacity", "small_updates"),
    [(0.005, 3e6, True), (0.050, 1e6, True), (0.005, 3e6, False), (0.050, 1e6, False)],
)
def test_following_the_plan_the_cycle_settles_without_spiralling(
    rtt: float, capacity: float, small_updates: bool
) -> None:
    """Closed loop: every update is as large as the plan allows (full motion), over a link of given capacity."""
    link = LinkEstimator()
    now, size, sizes = 0.0, 30_000, []
    for step in range(60):
        if small_updates and step % 10 == 0:
            now = script(link, rtt=rtt, bandwidth=capacity, sizes=[500], start=now)  # a cursor blink
        now = script(link, rtt=rtt, bandwidth=capacity, sizes=[size], start=now)
        size = choose_link_plan(link, 2_000_000, screen_changing=True).update_budget
        sizes.append(size)
    settled = sizes[-10:]
    assert max(settled) < 1.2 * min(settled), f"still moving: {settled}"
    cycle = rtt + settled[-1] / capacity
    assert cycle <= 1.3 * max(1 / TARGET_FPS, 2 * rtt, 30_000 / capacity + rtt), "updates grew without end"
    assert settled[-1] >= 16 * 1024, "updates shrank to nothing"


class ScriptedClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_encoder_measures_its_link_and_lowers_jpeg_quality_on_a_slow_one() -> None:
    clock = ScriptedClock()
    encoder = FrameEncoder(clock=clock, video=False)
    bandwidth, rtt = 150_000.0, 0.005
    for step in range(12):
        screen = np.ascontiguousarray(photo(256, 512, seed=step // 2))
        if step % 2:
            screen[10:20, 10:16] = 0  # a small change between the pictures: its cycle tells the round trip
        update = encoder.encode(screen, max_bytes=1_000_000)
        clock.now += rtt + (update.byte_count + 64) / bandwidth  # delivered, then the next request
    assert encoder.link.small_rtt is not None and encoder.link.small_rtt < 4 * rtt
    assert encoder.link.bandwidth is not None and encoder.link.bandwidth < bandwidth
    assert encoder.plan.update_budget < 1_000_000
    assert encoder.quality < 90, "a link far slower than the frames asks for lower JPEG quality"


def pipeline(
    link: LinkEstimator,
    *,
    window: int,
    updates: int,
    size: int,
    agent: float,
    bandwidth: float,
    rtt: float,
    viewer: float,
) -> list[tuple[float, float]]:
    """Simulate the windowed pull loop; feed the estimator in time order; return (sent, arrival) pairs.

    The agent serves requests in order (``agent`` seconds each), the link carries one update at a time at
    ``bandwidth``, the viewer decodes one at a time (``viewer`` seconds) and then asks for the next.
    """
    arrivals = [0.0] * window  # the window's credits, at once
    events: list[tuple[float, int, int]] = []  # (time, 0 = request arrived / 1 = sent, bytes)
    agent_free = link_free = viewer_free = 0.0
    cycles = []
    for index in range(updates):
        arrival = arrivals[index]
        events.append((arrival, 0, 0))
        sent = max(arrival, agent_free) + agent
        agent_free = sent
        events.append((sent, 1, size))
        delivered = max(sent + rtt / 2, link_free) + size / bandwidth
        link_free = delivered
        drawn = max(delivered, viewer_free) + viewer
        viewer_free = drawn
        arrivals.append(drawn + rtt / 2)
        cycles.append((sent, drawn + rtt / 2))
    for when, kind, byte_count in sorted(events):
        if kind == 0:
            link.request_arrived(when)
        else:
            link.sent(byte_count, when)
    return cycles


def test_with_a_window_on_a_slow_link_the_rate_is_the_links_and_never_above_it() -> None:
    link = LinkEstimator()
    pipeline(link, window=2, updates=40, size=20_000, agent=0.005, bandwidth=250_000, rtt=0.010, viewer=0.005)
    assert link.bandwidth is not None
    # Requests come back one transfer apart: the queued update's wait is not counted against the link.
    assert 0.8 * 250_000 <= link.bandwidth <= 250_000


def test_with_a_window_on_a_fast_link_each_update_is_timed_from_its_own_departure() -> None:
    link = LinkEstimator()
    agent, rtt, viewer, size, bandwidth = 0.015, 0.001, 0.008, 50_000, 100_000_000
    pipeline(link, window=2, updates=40, size=size, agent=agent, bandwidth=bandwidth, rtt=rtt, viewer=viewer)
    # The agent is the bottleneck: its next request was already waiting, and the arrival that answers an
    # update is the one two requests later; the cycle is the update's own (transfer, decoding, round trip).
    cycle = rtt + size / bandwidth + viewer
    assert link.bandwidth == pytest.approx(size / cycle, rel=0.02)


def test_with_a_window_small_updates_still_give_the_round_trip() -> None:
    link = LinkEstimator()
    pipeline(link, window=2, updates=20, size=200, agent=0.001, bandwidth=1_000_000, rtt=0.040, viewer=0.001)
    assert link.rtt == pytest.approx(0.040 + 200 / 1_000_000 + 0.001, rel=0.02)


def test_the_requests_that_fill_the_window_are_credits_even_when_stamped_late() -> None:
    link = LinkEstimator()
    link.request_arrived(1.0, full=True)  # a stream starts
    link.sent(50_000, 1.1)
    link.request_arrived(1.2)  # the window's second credit, stamped after the first update left (busy reader)
    assert link.samples == 0 and link.in_flight
    link.sent(50_000, 1.3)
    link.request_arrived(1.4)  # the answer to the first update
    assert link.samples == 1 and link.last_cycle == pytest.approx(0.3)


def test_a_request_stamped_before_the_oldest_update_left_answers_nothing() -> None:
    link = LinkEstimator()
    for when in (0.0, 0.1):
        link.request_arrived(when)  # the window's credits
    link.sent(50_000, 1.5)
    link.request_arrived(1.2)
    assert link.samples == 0 and link.in_flight
    link.request_arrived(1.6)
    assert link.samples == 1 and not link.in_flight


def test_after_a_reset_the_answers_to_forgotten_updates_are_credits() -> None:
    link = LinkEstimator()
    pipeline(link, window=2, updates=10, size=20_000, agent=0.005, bandwidth=250_000, rtt=0.010, viewer=0.005)
    samples = link.samples
    in_flight = len(link._in_flight)
    assert in_flight == 2  # the simulation stops with the window's two updates on their way
    link.forget_in_flight()
    link.sent(20_000, 100.0)  # the first update of the new stream
    for index in range(in_flight):
        link.request_arrived(100.01 + index / 1000)  # answers to the forgotten updates
    assert link.samples == samples and link.in_flight
    link.request_arrived(100.2)
    assert link.samples == samples + 1 and link.last_cycle == pytest.approx(0.2)


def test_a_full_request_starts_a_new_window() -> None:
    link = LinkEstimator()
    link.request_arrived(0.0)
    link.request_arrived(0.0)
    link.sent(20_000, 0.1)
    link.request_arrived(5.0, full=True)  # after a resume: nothing in flight is answered any more
    link.request_arrived(5.0)
    assert link.samples == 0 and not link.in_flight
    link.sent(20_000, 5.1)
    link.request_arrived(5.3)
    assert link.samples == 1 and link.last_cycle == pytest.approx(0.2)


def test_once_arrivals_are_reported_the_encoders_own_calls_are_ignored() -> None:
    link = LinkEstimator()
    link.request_arrived(0.0)
    link.sent(50_000, 1.0)
    link.requested(1.0001)  # the encoder starting the next update at once (its request was waiting)
    assert link.samples == 0 and link.in_flight


def test_a_window_of_one_pairs_every_request_with_the_update_before_it() -> None:
    link = LinkEstimator()
    link.set_frame_window(1)
    cycles = pipeline(link, window=1, updates=10, size=20_000, agent=0.005, bandwidth=250_000, rtt=0.010, viewer=0.005)
    assert link.samples == 9  # every update but the last is answered
    assert link.last_cycle == pytest.approx(cycles[-2][1] - cycles[-2][0])
