"""``podpora bench soak``: one streaming session for a long time, with the memory and CPU curve of both sides.

The agent side runs in its own process (so its memory and CPU are its own): a synthetic screen at 1280×720
where a box moves at 30 frames per second over a static background, the real ``FrameEncoder``, sealed
``FrameUpdate`` messages, consent granted by the benchmark. The stream runs through a real SSH tunnel (a
private OpenSSH ``sshd`` on 127.0.0.1 and a paramiko direct-tcpip channel, as the console uses) unless
``--no-ssh`` asks for a plain loopback socket or no ``sshd`` can start (the JSON's ``transport`` says which).
The console side runs here: a :class:`TechnicianClient` with the real decoder that asks for the next update
as soon as it has drawn one (pull-based flow control).

Every interval the benchmark samples both processes: resident memory (``VmRSS``) and CPU over the interval,
and the updates the console drew. At the end it fits a straight line through each side's memory over the
second half of the run (after warm-up) and prints the slope in MB per minute: a leak shows as a steady
positive slope, while a flat curve that only wobbles is steady memory.

``--minutes`` may be fractional (``0.2`` is twelve seconds). The JSON is for people; tests check its shape.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from app.cli.child_process import python_module_command

SCREEN_WIDTH, SCREEN_HEIGHT = 1280, 720
BOX_WIDTH, BOX_HEIGHT = 240, 160
SCREEN_FPS = 30
MAX_MINUTES = 24 * 60
STARTUP_TIMEOUT_SECONDS = 20.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def register(subparsers: Any) -> None:
    """Add ``podpora bench soak``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "soak", help="one streaming session for N minutes: memory and CPU of both sides over time (JSON)"
    )
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to stream (fractions allowed)")
    parser.add_argument(
        "--interval", type=float, default=None, help="seconds between samples (default: about 60 samples per run)"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON (no progress lines)")
    parser.add_argument(
        "--no-ssh", action="store_true", help="stream over a plain loopback socket instead of an SSH tunnel"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the soak and print its JSON."""
    if not 0 < args.minutes <= MAX_MINUTES:
        print(f"podpora: --minutes must be more than 0 and at most {MAX_MINUTES}", file=sys.stderr)
        return 2
    seconds = args.minutes * 60
    interval = args.interval if args.interval is not None else min(60.0, max(1.0, seconds / 60))
    if not 0.2 <= interval <= seconds:
        print("podpora: --interval must be at least 0.2 seconds and at most the whole run", file=sys.stderr)
        return 2

    def progress(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    result = run_soak(seconds, interval, log=progress, through_ssh=not args.no_ssh)
    print(json.dumps(result, indent=2))
    return 0 if result["frames"] > 0 else 1


# ------------------------------------------------------------------------------------------ measuring


def _rss_mb(pid: int | None = None) -> float:
    """Resident memory of ``pid`` (this process when None) in MB, from /proc."""
    path = Path(f"/proc/{pid if pid is not None else 'self'}/statm")
    try:
        resident_pages = int(path.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return resident_pages * _PAGE_SIZE / 1_000_000


def _cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of ``pid`` (this process when None) so far."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute (0 with fewer than two distinct times)."""
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / spread * 60


# ------------------------------------------------------------------------------------------ the run


def run_soak(seconds: float, interval: float, *, log: Any = print, through_ssh: bool = True) -> dict[str, Any]:
    """Stream for ``seconds``, sampling every ``interval`` seconds; return the JSON-ready result."""
    import tempfile

    from app.remote import protocol as p
    from app.remote.client import TechnicianCallbacks, TechnicianClient

    scratch = tempfile.TemporaryDirectory(prefix="podpora-soak-")
    transport = _open_transport(Path(scratch.name), through_ssh, log)

    agent = subprocess.Popen(
        python_module_command("app.cli.bench_soak", "--agent-process"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    client: TechnicianClient | None = None
    try:
        port, code = agent_address(agent)
        drawn = threading.Event()
        frames = [0]

        def on_frame(framebuffer: Any, rects: list[tuple[int, int, int, int]]) -> None:
            frames[0] += 1
            drawn.set()
            if client is not None:
                client.frame_drawn()  # pull the next update at once

        client = TechnicianClient(
            transport.open(port),
            code=code,
            capabilities=frozenset({p.Capability.VIEW}),
            callbacks=TechnicianCallbacks(on_frame=on_frame),
        )
        client.start()
        if not drawn.wait(STARTUP_TIMEOUT_SECONDS):
            raise RuntimeError(f"no picture within {STARTUP_TIMEOUT_SECONDS:.0f} s: {client.close_reason}")
        log(f"soak: streaming for {seconds:.0f} s, a sample every {interval:g} s")
        samples = _sample(agent.pid, seconds, interval, frames, log)
        figures = {
            "frames": frames[0],
            "bytes_received": client.channel.bytes_received,
            "ended": client.close_reason or None,
            "transport": transport.description,
        }
    finally:
        if client is not None:
            client.stop()
            client.wait_closed(5)
        stop_agent(agent)
        transport.close()
        scratch.cleanup()
    return _result(seconds, interval, samples, figures)


def _open_transport(scratch: Path, through_ssh: bool, log: Any) -> Any:
    """The byte-stream opener: the stream benchmark's SSH tunnel (or its loopback fallback)."""
    from app.cli.bench_stream import StreamTransport

    return StreamTransport(scratch, log, through_ssh=through_ssh)


def agent_address(agent: subprocess.Popen[str]) -> tuple[int, str]:
    """The ``PORT CODE`` line a benchmark agent process prints when it listens (killed if it never comes)."""
    watchdog = threading.Timer(STARTUP_TIMEOUT_SECONDS, agent.kill)
    watchdog.start()
    try:
        line = agent.stdout.readline() if agent.stdout is not None else ""
    finally:
        watchdog.cancel()
    if not line:
        raise RuntimeError("the agent process did not start")
    port, code = line.split()
    return int(port), code


def _sample(agent_pid: int, seconds: float, interval: float, frames: list[int], log: Any) -> list[dict[str, Any]]:
    samples: list[dict[str, Any]] = []
    started = time.monotonic()
    last_at, last_frames = started, frames[0]
    last_cpu = {"console": _cpu_seconds(), "agent": _cpu_seconds(agent_pid)}
    stop = threading.Event()
    next_at = started + interval
    while True:
        stop.wait(max(0.0, next_at - time.monotonic()))
        now = time.monotonic()
        elapsed = max(now - last_at, 1e-6)
        cpu = {"console": _cpu_seconds(), "agent": _cpu_seconds(agent_pid)}
        sample: dict[str, Any] = {
            "t_s": round(now - started, 2),
            "frames": frames[0] - last_frames,
            "frames_per_s": round((frames[0] - last_frames) / elapsed, 1),
            "console": {
                "rss_mb": round(_rss_mb(), 2),
                "cpu_percent": round(100 * (cpu["console"] - last_cpu["console"]) / elapsed, 1),
            },
            "agent": {
                "rss_mb": round(_rss_mb(agent_pid), 2),
                "cpu_percent": round(100 * (cpu["agent"] - last_cpu["agent"]) / elapsed, 1),
            },
        }
        samples.append(sample)
        log(
            f"soak: {sample['t_s']:>7.1f} s  {sample['frames_per_s']:>5.1f} updates/s  "
            f"console {sample['console']['rss_mb']:.1f} MB {sample['console']['cpu_percent']:.0f}%  "
            f"agent {sample['agent']['rss_mb']:.1f} MB {sample['agent']['cpu_percent']:.0f}%"
        )
        last_at, last_frames, last_cpu = now, frames[0], cpu
        if now - started >= seconds - 1e-3:
            return samples
        next_at = min(next_at + interval, started + seconds)


def _result(seconds: float, interval: float, samples: list[dict[str, Any]], figures: dict[str, Any]) -> dict[str, Any]:
    settled = samples[len(samples) // 2 :]  # the second half: after allocators and caches have warmed up

    def curve(side: str, rows: list[dict[str, Any]]) -> list[tuple[float, float]]:
        return [(float(row["t_s"]), float(row[side]["rss_mb"])) for row in rows]

    return {
        "benchmark": "soak",
        "minutes": round(seconds / 60, 3),
        "interval_s": interval,
        "screen": [SCREEN_WIDTH, SCREEN_HEIGHT],
        "screen_fps": SCREEN_FPS,
        **figures,
        "samples": samples,
        "rss_slope_mb_per_min": {
            side: {
                "second_half": round(slope_per_minute(curve(side, settled)), 3),
                "whole_run": round(slope_per_minute(curve(side, samples)), 3),
            }
            for side in ("console", "agent")
        },
        "rss_mb": {
            side: {
                "first": samples[0][side]["rss_mb"],
                "last": samples[-1][side]["rss_mb"],
                "max": max(row[side]["rss_mb"] for row in samples),
            }
            for side in ("console", "agent")
        },
        "cpu_percent_mean": {
            side: round(sum(row[side]["cpu_percent"] for row in samples) / len(samples), 1)
            for side in ("console", "agent")
        },
    }


def stop_agent(agent: subprocess.Popen[str]) -> None:
    """End a benchmark agent process (closing its stdin ends it; killed if it does not)."""
    if agent.stdin is not None:
        agent.stdin.close()  # the agent process ends when its stdin closes
    try:
        agent.wait(timeout=10)
    except subprocess.TimeoutExpired:
        agent.kill()
        agent.wait(timeout=5)
    if agent.stdout is not None:
        agent.stdout.close()


# ------------------------------------------------------------------------------------------ agent process


class _SyntheticScreen:
    """A 1280×720 screen: a static gradient with a box that moves at :data:`SCREEN_FPS` frames per second."""

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        rows = np.arange(SCREEN_HEIGHT, dtype=np.uint32)[:, None]
        columns = np.arange(SCREEN_WIDTH, dtype=np.uint32)[None, :]
        self._background = np.zeros((SCREEN_HEIGHT, SCREEN_WIDTH, 4), dtype=np.uint8)
        self._background[..., 0] = (columns * 255 // SCREEN_WIDTH).astype(np.uint8)
        self._background[..., 1] = (rows * 255 // SCREEN_HEIGHT).astype(np.uint8)
        self._background[..., 2] = ((rows + columns) % 64 * 4).astype(np.uint8)
        self._background[..., 3] = 255
        self._started = time.monotonic()

    def monitors(self) -> list[Any]:
        from app.remote.capture import Monitor

        return [Monitor(0, 0, 0, SCREEN_WIDTH, SCREEN_HEIGHT)]

    def grab(self, monitor: Any) -> Any:
        step = int((time.monotonic() - self._started) * SCREEN_FPS)
        span_x, span_y = SCREEN_WIDTH - BOX_WIDTH, SCREEN_HEIGHT - BOX_HEIGHT
        x = abs(step * 7 % (2 * span_x) - span_x)
        y = abs(step * 5 % (2 * span_y) - span_y)
        frame = self._background.copy()
        frame[y : y + BOX_HEIGHT, x : x + BOX_WIDTH] = (40, 90, (step * 3) % 256, 255)
        return frame


class _GrantView:
    """Consent for the benchmark: view is granted at once (nothing is asked of anyone)."""

    def ask(self, prompt: Any, answer: Any) -> None:
        answer(frozenset(prompt.capabilities) & _view())

    def dismiss(self) -> None:
        """Nothing to close."""


def _view() -> frozenset[Any]:
    from app.remote import protocol as p

    return frozenset({p.Capability.VIEW})


def agent_main() -> int:
    """The agent side: serve one technician on 127.0.0.1, print ``PORT CODE``, end when stdin closes."""
    from app.remote.agent import AssistAgent
    from app.remote.encode import FrameEncoder

    agent = AssistAgent(screen=_SyntheticScreen(), consent=_GrantView(), encoder_factory=FrameEncoder)
    port = agent.listen(0)
    print(port, agent.code(), flush=True)
    sys.stdin.read()
    agent.stop()
    agent.wait_stopped(5)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--agent-process"]:
        raise SystemExit(agent_main())
    raise SystemExit("usage: podpora bench soak --minutes N [--json]")
