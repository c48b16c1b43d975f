"""``podpora bench privsep`` measures both layouts side by side and prints real, well-formed figures (never a rate)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_both_layouts_stream_and_print_their_figures() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "app", "bench", "privsep", "--seconds", "0.5", "--workload", "small", "--json"],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["screen"] == "1920x1080 synthetic"
    assert set(result) == {"screen", "seconds", "small"}
    for layout in ("one-process", "privsep"):
        figures = result["small"][layout]
        assert figures["updates_per_second"] > 0  # the stream really ran in both layouts
        assert figures["ms_per_update"] > 0 and figures["cpu_ms_per_update"] > 0
