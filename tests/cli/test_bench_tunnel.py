"""``podpora bench tunnel`` runs end to end and prints well-formed JSON (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.sshd
def test_bench_tunnel_prints_both_measurements_as_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "bench", "tunnel", "--megabytes", "2", "--pings", "20", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for side in ("podpora", "podpora_local_forward", "openssh"):
        assert {"upload_mb_s", "download_mb_s", "rtt_ms_p50", "rtt_ms_p90", "rtt_ms_max"} <= report[side].keys()
        assert {"mid_rtt_ms_p50", "mid_rtt_ms_max", "mid_replies_over_20_ms"} <= report[side].keys()
        assert report[side]["mid_rtt_ms_max"] >= report[side]["mid_rtt_ms_p50"] > 0
        assert report[side]["upload_mb_s"] > 0
    assert report["podpora"]["cipher"].startswith("aes")
    assert set(report["ratio_podpora_to_openssh"]) == {"upload", "download", "rtt_p50"}
