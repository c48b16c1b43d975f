"""``podpora bench gui`` runs end to end and prints well-formed JSON (the figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_bench_gui_prints_the_event_loop_lag_as_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "bench", "gui", "--sessions", "2", "--seconds", "1", "--json", "--no-ssh"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["benchmark"] == "gui" and report["sessions"] == 2
    assert report["transport"].startswith("loopback")
    for phase in ("event_loop_lag_while_connecting", "event_loop_lag_while_streaming"):
        assert {"ticks", "p50_ms", "p99_ms", "max_ms"} <= report[phase].keys()
        assert 0 <= report[phase]["p50_ms"] <= report[phase]["p99_ms"] <= report[phase]["max_ms"]
    assert report["event_loop_lag_while_streaming"]["ticks"] > 0
    assert report["updates_per_second_per_view"]["min"] > 0  # every view drew


def test_bench_gui_refuses_out_of_range_arguments_in_plain_words() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "bench", "gui", "--sessions", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--sessions must be between 1 and 32" in result.stderr
