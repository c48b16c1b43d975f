"""``podpora bench ...``: measurements printed as JSON, side by side with the reference in one run.

Each benchmark lives in ``app.cli.bench_<name>`` with ``register(subparsers)``; tests never assert the
figures, they only check that the command runs and prints well-formed JSON.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
from typing import Any

BENCH_MODULES = ("tunnel", "stream", "diag", "journal", "soak", "gui", "privsep")


def register(subparsers: Any) -> None:
    """Add ``podpora bench`` and every benchmark found in this build."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bench", help="measure speed against the reference (prints JSON)"
    )
    bench_sub = parser.add_subparsers(dest="bench", metavar="BENCHMARK", required=True)
    for name in BENCH_MODULES:
        if importlib.util.find_spec(f"app.cli.bench_{name}") is None:
            continue
        importlib.import_module(f"app.cli.bench_{name}").register(bench_sub)
