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
    parser.add_argument(
        "--repeat", type=int, default=1, help="run the set this many times over the same connection (default 1)"
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


FLOOR_MANIFEST = """schema = 1
id = "bench_floor"
version = "1.0.0"
category = "info"
platforms = ["linux"]
interpreter = "python3"
body = "bench_floor.py"
needs_admin = false
risk = "none"
timeout = 30
title = { en = "No-op", cs = "Nic", sk = "Nic" }
description = { en = "Starts and ends.", cs = "Spustí se a skončí.", sk = "Spustí sa a skončí." }
"""
FLOOR_BODY = b'import sys\nsys.stdout.write(\'{"type": "done"}\\n\')\n'


def _floor_script(folder: Path) -> Any:
    """A no-op script signed with a throwaway key: what a channel, the bootstrap and python3 cost alone."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from app.diagnostics.catalog import load_catalog
    from app.diagnostics.signing import PublicKey, TrustedKeys, sign_script, signature_path

    folder.mkdir()
    key = ed25519.Ed25519PrivateKey.generate()
    manifest = folder / "bench_floor.toml"
    manifest.write_text(FLOOR_MANIFEST)
    (folder / "bench_floor.py").write_bytes(FLOOR_BODY)
    signature_path(manifest).write_bytes(sign_script(manifest.read_bytes(), FLOOR_BODY, key).to_bytes())
    return load_catalog([folder], TrustedKeys([PublicKey(key.public_key(), "bench")])).get("bench_floor")


def run_benchmark(
    parallel: int, *, local: bool = True, exclude: tuple[str, ...] = (), repeat: int = 1
) -> dict[str, Any]:
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
        floor = _floor_script(root / "floor")
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
                repeats = []
                for _ in range(max(0, repeat - 1)):
                    again = time.perf_counter()
                    runner.run_many(info)
                    repeats.append(round(time.perf_counter() - again, 3))
                floor_started = time.perf_counter()
                floor_results = runner.run_many([floor] * len(info))
                floor_wall = time.perf_counter() - floor_started
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
        # The same number of no-op scripts in parallel: channel setup, bootstrap and python3 start-up alone.
        "floor_seconds": round(floor_wall, 3),
        "floor_completed": all(r.run_status == "completed" for r in floor_results),
    }
    if repeats:
        figures["ssh"]["repeat_wall_seconds"] = repeats
    slowest = max(results, key=lambda r: (r.finished_at or 0) - (r.started_at or 0), default=None)
    if slowest is not None:
        figures["slowest_script"] = slowest.script_id
    if local:
        local_started = time.perf_counter()
        local_results = Runner(LocalExecutor(), max_parallel=parallel).run_many(info)
        figures["local"] = _summary(local_results, time.perf_counter() - local_started)
    return figures


def _run(args: argparse.Namespace) -> int:
    figures = run_benchmark(
        max(1, args.parallel), local=not args.no_local, exclude=tuple(args.exclude), repeat=max(1, args.repeat)
    )
    print(json.dumps(figures, indent=2))
    return 0 if figures["ssh"]["all_completed"] else 1
