"""The atheris fuzz target for the wire decoder runs, stops by itself, and finds nothing (T42).

Two bounded runs in a subprocess (libFuzzer owns the process while fuzzing):

* every committed seed is replayed once (a regression check: crash files that were fixed are added
  to ``fuzz/corpus/protocol`` so they stay fixed);
* a few seconds of coverage-guided fuzzing starting from the seeds. New inputs go to a temporary folder,
  never into the repository.

A longer run is a manual or nightly job: ``python fuzz/fuzz_protocol.py -max_total_time=600 NEW fuzz/corpus/protocol``.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "fuzz" / "fuzz_protocol.py"
SEEDS = ROOT / "fuzz" / "corpus" / "protocol"

pytest.importorskip("atheris", reason="atheris is in the dev dependencies (scripts/setup installs it)")


def run_fuzzer(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TARGET), f"-artifact_prefix={cwd}/", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_the_seed_corpus_covers_every_message_type() -> None:
    from app.remote import protocol

    kinds = {path.name.split("-")[0] for path in SEEDS.iterdir()}
    expected = {cls.__name__ for cls in protocol.Message.__args__}  # type: ignore[attr-defined]
    assert expected <= kinds, (
        f"no seed for {sorted(expected - kinds)}: run `python fuzz/fuzz_protocol.py --make-seeds fuzz/corpus/protocol` "
        "(and add a sample to seed_messages() if the new message has required fields)"
    )


def test_every_seed_replays_cleanly(tmp_path: Path) -> None:
    seeds = sorted(str(path) for path in SEEDS.iterdir())
    result = run_fuzzer(seeds, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("Executed ") == len(seeds)


@pytest.mark.slow
def test_a_short_fuzzing_run_finds_nothing(tmp_path: Path) -> None:
    new_inputs = tmp_path / "new"
    new_inputs.mkdir()
    # libFuzzer's RSS limit reads the peak RSS (ru_maxrss), and a child started by this process begins with this
    # process's peak (Linux carries the high-water mark of the memory it was started from across exec): late in a
    # full run pytest itself is past 1 GB, and the fuzzer stopped at once with "out-of-memory" on a harmless input.
    # The limit is therefore 1 GiB above what the fuzzer inherits.
    inherited_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    result = run_fuzzer(
        ["-max_total_time=4", f"-rss_limit_mb={inherited_mb + 1024}", str(new_inputs), str(SEEDS)], tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done " in result.stderr
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("oom-*"))
