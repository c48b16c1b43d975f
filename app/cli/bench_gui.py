"""``podpora bench gui``: how late the console's event loop runs with N sessions streaming at once.

Each agent runs in a process of its own (the soak benchmark's agent: a 1280×720 screen where a box moves at
30 frames per second, the real ``FrameEncoder``, consent granted by the benchmark), as on the users' machines.
The console side is the real console window, offscreen, in this process: it connects to every agent through a
real SSH tunnel (a private OpenSSH ``sshd`` on 127.0.0.1, one paramiko direct-tcpip channel per session) unless
``--no-ssh`` asks for loopback sockets or no ``sshd`` can start (the JSON's ``transport`` says which).

A 10 ms timer on the GUI thread measures the event-loop lag (p50, p99, largest) while the sessions connect and
their tabs are built, and while they stream; the JSON also gives the updates each view drew per second.  All
processes share this machine's cores, so the figures show the console under that load too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from app.cli.bench_soak import agent_address, stop_agent
from app.cli.child_process import python_module_command

MAX_SESSIONS = 32
MAX_SECONDS = 600.0


def register(subparsers: Any) -> None:
    """Add ``podpora bench gui``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "gui", help="the console's event-loop lag with N sessions streaming at once (JSON)"
    )
    parser.add_argument("--sessions", type=int, default=8, help=f"sessions at once (1–{MAX_SESSIONS}, default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to stream (default 10)")
    parser.add_argument("--json", action="store_true", help="print only the JSON (no progress lines)")
    parser.add_argument(
        "--no-ssh", action="store_true", help="connect over plain loopback sockets instead of an SSH tunnel"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print its JSON."""
    if not 1 <= args.sessions <= MAX_SESSIONS:
        print(f"podpora: --sessions must be between 1 and {MAX_SESSIONS}", file=sys.stderr)
        return 2
    if not 1 <= args.seconds <= MAX_SECONDS:
        print(f"podpora: --seconds must be between 1 and {MAX_SECONDS:.0f}", file=sys.stderr)
        return 2

    def progress(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # measured without a screen: the same on every machine
    result = run_bench(args.sessions, args.seconds, log=progress, through_ssh=not args.no_ssh)
    print(json.dumps(result, indent=2))
    return 0 if result["updates_per_second_per_view"]["min"] > 0 else 1


def run_bench(sessions: int, seconds: float, *, log: Any = print, through_ssh: bool = True) -> dict[str, Any]:
    """Start the agents and the tunnel, measure the console, clean up; the JSON-ready result."""
    from app.cli.bench_stream import StreamTransport
    from app.ui.gui_bench import measure_console

    scratch = tempfile.TemporaryDirectory(prefix="podpora-bench-gui-")
    agents: list[subprocess.Popen[str]] = []
    transport: Any = None
    try:
        for _ in range(sessions):
            agents.append(
                subprocess.Popen(
                    python_module_command("app.cli.bench_soak", "--agent-process"),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        addresses = [agent_address(agent) for agent in agents]
        transport = StreamTransport(Path(scratch.name), log, through_ssh=through_ssh)
        figures = measure_console(addresses, transport.open, seconds, log)
    finally:
        for agent in agents:
            stop_agent(agent)
        if transport is not None:
            transport.close()
        scratch.cleanup()
    return {
        "benchmark": "gui",
        "transport": transport.description if transport is not None else "",
        "agents": f"{sessions} processes, 1280x720, a box moving at 30 fps",
        "seconds": seconds,
        **figures,
    }
