"""``podpora bench diag``: wall time of a full health check (every info script) over a real local sshd.

Starts a private OpenSSH ``sshd`` on 127.0.0.1 (never the system's), connects with Podpora's SSH layer, runs
every verified information script in parallel on separate exec channels, and prints the wall time of the
whole set plus each script's own time as JSON.  The same set is also run locally (no SSH) for comparison.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 3.0


def register(subparsers: Any) -> None:
    """Add ``podpora bench diag``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "diag", help="wall time of every info script against a local sshd", description=__doc__
    )
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format; kept for symmetry)")
    parser.add_argument("--parallel", type=int, default=32, help="scripts at the same time (default: all)")
    parser.add_argument("--no-local", action="store_true", help="skip the local (no SSH) comparison run")
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="ID", help="leave this info script out (repeatable)"
    )
    parser.set_defaults(func=_run)


def _summary(results: list[Any], wall: float) -> dict[str, Any]:
    return {
        "wall_seconds": round(wall, 3),
        "scripts": {
            r.script_id: {
                "seconds": round((r.finished_at or 0) - (r.started_at or 0), 3),
                "run_status": r.run_status,
                "status": r.status,
            }
            for r in results
        },
        "all_completed": all(r.run_status == "completed" for r in results),
    }


def run_benchmark(parallel: int, *, local: bool = True, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run the info set over SSH (and locally) and return the figures."""
    from app.cli.diag import SshExecutor
    from app.diagnostics.catalog import load_settings
    from app.diagnostics.runner import LocalExecutor, Runner
    from app.remote.localsshd import KeyPair, SshServerFactory
    from app.remote.ssh import ConnectOptions, connect

    catalog = load_settings().load()
    info = [script for script in catalog.by_category("info") if script.id not in exclude]
    with tempfile.TemporaryDirectory(prefix="podpora-bench-diag-") as scratch:
        root = Path(scratch)
        key = KeyPair.generate(root / "client" / "id_ed25519")
        factory = SshServerFactory(root / "sshd")
        try:
            # Each parallel script is one session channel: allow more than OpenSSH's default of 10.  Sessions
            # get a scratch HOME so the login shell does not run this machine's own dotfiles (which would
            # measure someone's ~/.bashrc, not Podpora).
            home = root / "home"
            home.mkdir()
            server = factory.start(
                authorized_keys=[key.public_line], extra_config=f"MaxSessions 64\nSetEnv HOME={home}\n"
            )
            known = root / "known_hosts"
            known.write_text(server.known_hosts_line() + "\n")
            config = root / "ssh_config"
            config.write_text(
                f"Host bench\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
                f"  IdentityFile {key.path}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n"
                "  StrictHostKeyChecking yes\n  BatchMode yes\n"
            )
            options = ConnectOptions(
                config_path=config, known_hosts_paths=[known], use_agent=False, own_known_hosts=root / "own_known"
            )
            started = time.perf_counter()
            with connect("bench", options) as connection:
                connected = time.perf_counter()
                runner = Runner(SshExecutor(connection, "bench"), max_parallel=parallel)
                results = runner.run_many(info)
                finished = time.perf_counter()
        finally:
            factory.stop_all()
    figures: dict[str, Any] = {
        "benchmark": "diag",
        "info_scripts": len(info),
        "excluded": sorted(exclude),
        "parallel": parallel,
        "target_seconds": TARGET_SECONDS,
        "connect_seconds": round(connected - started, 3),
        "ssh": _summary(results, finished - connected),
    }
    slowest = max(results, key=lambda r: (r.finished_at or 0) - (r.started_at or 0), default=None)
    if slowest is not None:
        figures["slowest_script"] = slowest.script_id
    if local:
        local_started = time.perf_counter()
        local_results = Runner(LocalExecutor(), max_parallel=parallel).run_many(info)
        figures["local"] = _summary(local_results, time.perf_counter() - local_started)
    return figures


def _run(args: argparse.Namespace) -> int:
    figures = run_benchmark(max(1, args.parallel), local=not args.no_local, exclude=tuple(args.exclude))
    print(json.dumps(figures, indent=2))
    return 0 if figures["ssh"]["all_completed"] else 1
