"""LinkEstimator and the link plan, as scripted sequences of (bytes sent, request arrival) with time passed in."""

from __future__ import annotations

import numpy as np
import pytest

from app.remote.encode import FrameEncoder
from app.remote.link import DEFAULT_VIDEO_BITRATE, MAX_VIDEO_BITRATE, TARGET_FPS, LinkEstimator, choose_link_plan
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


def test_mixed_updates_separate_round_trip_and_bandwidth() -> None:
    link = LinkEstimator()
    script(link, rtt=0.030, bandwidth=500_000, sizes=[300, 80_000, 300, 120_000, 60_000, 400, 90_000])
    assert link.rtt == pytest.approx(0.030, abs=0.001)
    assert link.bandwidth == pytest.approx(500_000, rel=0.05)


def test_the_estimate_follows_a_link_that_slows_down() -> None:
    link = LinkEstimator(window=4)
    now = script(link, rtt=0.010, bandwidth=10e6, sizes=[300] + [100_000] * 4)
    assert link.bandwidth == pytest.approx(10e6, rel=0.1)
    script(link, rtt=0.010, bandwidth=200_000, sizes=[100_000] * 4, start=now)
    assert link.bandwidth == pytest.approx(200_000, rel=0.1)


def test_only_large_updates_give_the_rate_one_update_in_flight_achieves() -> None:
    link = LinkEstimator()
    script(link, rtt=0.050, bandwidth=1e6, sizes=[50_000] * 6)
    assert link.rtt == pytest.approx(0.100, abs=0.001)  # an upper bound until a small update is seen
    assert link.bandwidth == pytest.approx(50_000 / 0.100, rel=0.02)


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
    changing = choose_link_plan(link, 1_000_000, screen_changing=True)
    assert changing.update_budget == pytest.approx(900_000 / TARGET_FPS, rel=0.1)
    assert changing.video_bitrate == pytest.approx(900_000 * 8 * 0.7, rel=0.1)
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


class ScriptedClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_encoder_measures_its_link_and_lowers_jpeg_quality_on_a_slow_one() -> None:
    clock = ScriptedClock()
    encoder = FrameEncoder(clock=clock, video=False)
    bandwidth = 150_000.0
    for step in range(8):
        update = encoder.encode(np.ascontiguousarray(photo(256, 512, seed=step)), max_bytes=1_000_000)
        clock.now += 0.005 + (update.byte_count + 64) / bandwidth  # delivered, then the next request
    assert encoder.link.bandwidth == pytest.approx(bandwidth, rel=0.25)
    assert encoder.plan.update_budget < 1_000_000
    assert encoder.quality < 90, "a link far slower than the frames asks for lower JPEG quality"
