"""``podpora bench stream`` runs end to end and prints well-formed JSON (never asserts a figure)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.xvfb, pytest.mark.sshd, pytest.mark.slow]

FIGURES = {
    "updates": int,
    "updates_per_s": float,
    "bytes": int,
    "bytes_per_s": float,
    "first_full_frame_bytes": int,
    "keys_sent": int,
}


def test_idle_run_prints_the_json_shape() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "app", "bench", "stream", "--workload", "idle", "--seconds", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["benchmark"] == "stream"
    assert result["workload"] == "idle"
    assert result["screen"] == [1920, 1080]
    assert isinstance(result["transport"], str) and result["transport"]
    podpora = result["podpora"]
    for name, kind in FIGURES.items():
        assert isinstance(podpora[name], int | float if kind is float else int), name
    assert podpora["first_full_frame_bytes"] > 0  # the first frame really crossed the tunnel
    assert set(podpora["key_to_screen_ms"]) == {"p50", "p90", "samples"}
    assert set(podpora["cpu_percent"]) == {"agent", "console"}
    assert "rects_by_codec" in podpora["agent"]
    assert result["mode"] == "auto"
    assert result["frame_window"] == 2
    assert {"video_frames", "link_bandwidth_bytes_per_s", "link_rtt_ms"} <= set(podpora["agent"])


def test_all_workloads_run_one_after_the_other_in_one_run() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "app", "bench", "stream", "--workload", "all", "--seconds", "0.5", "--json"],
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["workload"] == "all"
    assert list(result["workloads"]) == ["idle", "typing", "scroll-terminal", "scroll-dense", "video"]
    for name, figures in result["workloads"].items():
        assert figures["workload"] == name
        assert figures["podpora"]["first_full_frame_bytes"] > 0  # each workload really streamed


def test_bad_seconds_are_refused_plainly() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "app", "bench", "stream", "--workload", "idle", "--seconds", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 2
    assert "--seconds" in completed.stderr


@pytest.mark.parametrize("window", ["0", "5"])
def test_a_bad_window_is_refused_plainly(window: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "app", "bench", "stream", "--workload", "idle", "--seconds", "1", "--window", window],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 2
    assert "--window must be between 1 and 4" in completed.stderr
