"""``podpora bench privsep``: what privilege separation costs, measured against the one-process agent in one run.

The same agent serves one technician twice per workload: once as :class:`app.remote.agent.AssistAgent` in this
process (the reference) and once as :class:`app.remote.privsep.BrokeredAgent` (the broker here, the confined protocol
process as a child).  The screen is synthetic (1920×1080, no X server needed) so that only the split differs:

* ``small``: a 16×16 block changes on every grab (a typed character), reported like X DAMAGE reports it;
* ``full``: the whole monitor changes on every grab (the worst case for the shared picture: every pixel is copied).

The technician is a real :class:`~app.remote.client.TechnicianClient` on 127.0.0.1 with the usual frame window.
Printed per workload and layout: updates per second, milliseconds per update, and CPU milliseconds per update of
the agent's processes (this process's CPU is shared with the technician, so the broker's share is the difference
to the one-process run's agent-less baseline; the figure given is this process plus the protocol process).
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

WORKLOADS = ("small", "full")
WIDTH, HEIGHT = 1920, 1080


def register(subparsers: Any) -> None:
    """Add ``podpora bench privsep``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "privsep", help="the assist agent in one process vs with its confined protocol process"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per layout and workload")
    parser.add_argument("--workload", choices=(*WORKLOADS, "all"), default="all")
    parser.add_argument("--json", action="store_true", help="print only the JSON")
    parser.set_defaults(func=run)


class _SyntheticScreen:
    """A 1920×1080 monitor whose pixels change on every grab: a small block, or all of them."""

    def __init__(self, workload: str) -> None:
        import numpy as np

        from app.remote.capture import Monitor

        self._np = np
        self._monitor = Monitor(0, 0, 0, WIDTH, HEIGHT, primary=True)
        rng = np.random.default_rng(5)
        self._base = rng.integers(0, 256, (HEIGHT, WIDTH, 4), dtype=np.uint8)
        self._base[:, :, 3] = 255
        self._workload = workload
        self._grabs = 0

    def monitors(self) -> list[Any]:
        return [self._monitor]

    def open_change_watch(self) -> _SyntheticWatch:
        return _SyntheticWatch(self)

    def grab(self, monitor: Any) -> Any:
        self._grabs += 1
        frame = self._base.copy()
        if self._workload == "small":
            x = (self._grabs * 16) % (WIDTH - 16)
            frame[500:516, x : x + 16, :3] = self._grabs % 251
        else:
            frame[:, :, 0] ^= self._grabs % 251  # every pixel differs from the last grab
        return frame


class _SyntheticWatch:
    """X DAMAGE for the synthetic screen: the block that changed is reported, so only it is grabbed and compared."""

    def __init__(self, screen: _SyntheticScreen) -> None:
        self._screen = screen

    def wait(self, timeout: float) -> bool:
        return True  # something changes on every grab

    def grab_changes(self, monitor: Any, frame: Any) -> tuple[Any, list[tuple[int, int, int, int]] | None]:
        screen = self._screen
        if frame is None or screen._workload == "full":
            return screen.grab(monitor), None
        screen._grabs += 1
        x = (screen._grabs * 16) % (WIDTH - 16)
        frame[500:516, x : x + 16, :3] = screen._grabs % 251
        return frame, [(x, 500, 16, 16)]

    def wake(self) -> None:
        """Nothing waits for long."""

    def close(self) -> None:
        """Nothing to close."""


class _GrantView:
    """Grants view at once (the consent prompt is not what is measured)."""

    def ask(self, prompt: Any, answer: Callable[[frozenset[Any]], None]) -> None:
        answer(prompt.capabilities)

    def dismiss(self) -> None:
        """Nothing to close."""


def _measure(layout: str, workload: str, seconds: float) -> dict[str, Any]:
    from app.cli.bench_stream import _cpu_seconds, _own_cpu_seconds
    from app.cli.child_process import python_module_command
    from app.remote import protocol as p
    from app.remote.agent import AssistAgent
    from app.remote.client import TechnicianCallbacks, TechnicianClient
    from app.remote.encode import FrameEncoder
    from app.remote.privsep import BrokeredAgent

    screen = _SyntheticScreen(workload)
    agent: Any
    if layout == "one-process":
        agent = AssistAgent(screen=screen, consent=_GrantView(), encoder_factory=FrameEncoder)
    else:
        agent = BrokeredAgent(command=python_module_command("app.remote.privsep"), screen=screen, consent=_GrantView())
    port = agent.listen(0)
    frames: list[float] = []
    lock = threading.Lock()
    client: TechnicianClient

    def on_frame(_framebuffer: Any, _drawn: list[tuple[int, int, int, int]]) -> None:
        with lock:
            frames.append(time.monotonic())
        client.frame_drawn()

    client = TechnicianClient(
        socket.create_connection(("127.0.0.1", port), timeout=10),
        code=agent.code(),
        capabilities=frozenset({p.Capability.VIEW}),
        callbacks=TechnicianCallbacks(on_frame=on_frame),
    )
    client.start()
    try:
        warm = threading.Event()
        warm.wait(1.0)  # a fixed warm-up period before measuring (the first full frame and the codec's set-up)
        child = getattr(agent, "child_pid", 0)
        cpu_start = _own_cpu_seconds() + (_cpu_seconds(child) if child else 0.0)
        with lock:
            start_count, started = len(frames), time.monotonic()
        warm.wait(seconds)  # the measuring period itself: the stream runs meanwhile
        with lock:
            count, elapsed = len(frames) - start_count, time.monotonic() - started
        cpu = _own_cpu_seconds() + (_cpu_seconds(child) if child else 0.0) - cpu_start
    finally:
        client.stop()
        client.wait_closed(5)
        agent.stop()
        agent.wait_stopped(5)
    per_second = count / elapsed if elapsed else 0.0
    return {
        "updates_per_second": round(per_second, 1),
        "ms_per_update": round(1000 / per_second, 2) if per_second else None,
        "cpu_ms_per_update": round(1000 * cpu / count, 2) if count else None,
        "note": "CPU: this process (technician and broker or agent) plus the protocol process",
    }


def run(args: argparse.Namespace) -> int:
    """Measure each workload in both layouts, one after the other, and print the figures."""
    workloads = WORKLOADS if args.workload == "all" else (args.workload,)
    results: dict[str, Any] = {"screen": f"{WIDTH}x{HEIGHT} synthetic", "seconds": args.seconds}
    for workload in workloads:
        results[workload] = {}
        for layout in ("one-process", "privsep"):
            if not args.json:
                print(f"measuring {workload} ({layout}) for {args.seconds:g} s...", flush=True)
            results[workload][layout] = _measure(layout, workload, args.seconds)
    print(json.dumps(results, indent=None if args.json else 2))
    return 0
