"""``podpora bench soak`` streams for a few seconds and prints real, well-formed figures (never asserts a rate)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.cli.bench_soak import slope_per_minute


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "bench", "soak", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_a_short_soak_prints_both_curves_with_real_samples() -> None:
    completed = run("--minutes", "0.08", "--interval", "1", "--json")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["benchmark"] == "soak"
    assert result["screen"] == [1280, 720]
    assert result["transport"].startswith("OpenSSH sshd on 127.0.0.1")  # a real SSH tunnel, not the fallback
    assert result["frames"] > 0 and result["bytes_received"] > 0
    assert result["ended"] is None  # the session was still streaming when the soak stopped it
    samples = result["samples"]
    assert len(samples) == 5  # 4.8 s at one sample a second: four full intervals and the last, shorter one
    times = [sample["t_s"] for sample in samples]
    assert times == sorted(times) and times[-1] == pytest.approx(4.8, abs=0.5)
    assert sum(sample["frames"] for sample in samples) <= result["frames"]
    for sample in samples:
        for side in ("console", "agent"):
            assert sample[side]["rss_mb"] > 10  # a Python process with numpy: real readings, not zeros
            assert sample[side]["cpu_percent"] >= 0
    assert sum(sample["agent"]["cpu_percent"] for sample in samples) > 0  # the agent really encoded
    assert any(sample["frames"] > 0 for sample in samples[1:])  # frames kept coming, not only at the start
    for side in ("console", "agent"):
        slopes = result["rss_slope_mb_per_min"][side]
        assert set(slopes) == {"second_half", "whole_run"}
        assert all(isinstance(value, float | int) for value in slopes.values())
        assert result["rss_mb"][side]["max"] >= result["rss_mb"][side]["first"] > 0


def test_no_ssh_streams_over_a_plain_loopback_socket() -> None:
    completed = run("--minutes", "0.03", "--interval", "1", "--json", "--no-ssh")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["transport"].startswith("loopback TCP socket")
    assert result["frames"] > 0


@pytest.mark.parametrize("minutes", ["0", "-1", "100000"])
def test_bad_minutes_are_refused_plainly(minutes: str) -> None:
    completed = run("--minutes", minutes)
    assert completed.returncode == 2
    assert "--minutes" in completed.stderr


def test_the_slope_is_a_least_squares_fit_per_minute() -> None:
    assert slope_per_minute([(0.0, 10.0), (30.0, 11.0), (60.0, 12.0)]) == pytest.approx(2.0)
    assert slope_per_minute([(0.0, 5.0), (60.0, 5.0)]) == 0.0
    assert slope_per_minute([(1.0, 5.0)]) == 0.0
