"""``podpora view``: look at a user's screen from the command line (automation, checks, benchmarks).

``podpora view TARGET --code CODE --snapshot out.png`` pairs with the session code, waits for the user's
consent, saves one exact frame (after lossless refinement) and exits.  ``--seconds N --stats`` streams
for N seconds and prints frame statistics as JSON.

``TARGET`` is an ssh-config alias of the user's machine (direct mode: the agent listens there on
127.0.0.1:``--port``), or ``GATEWAY-ALIAS:PORT`` (gateway mode: the port the agent reverse-forwarded on
the organisation's gateway).

The pictures are decoded in a confined child process (``app.remote.decoder_process``); ``--single-process``
decodes them here instead (troubleshooting only).
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.console import add_single_process_option

#: How long to wait for pairing and the user's answer (the prompt itself times out after 60 s).
CONSENT_WAIT_SECONDS = 90.0
#: After consent, how long to wait for an exact frame.
FRAME_WAIT_SECONDS = 30.0

EXIT_ENDED = 3
EXIT_TIMEOUT = 4


def register(subparsers: Any) -> None:
    """Add ``podpora view``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "view", help="view a user's screen from the command line", description=__doc__
    )
    parser.add_argument("target", metavar="TARGET", help="ssh-config alias, or GATEWAY-ALIAS:PORT")
    parser.add_argument("--code", required=True, help="the session code the user reads out (e.g. 123-456-789)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--snapshot", type=Path, metavar="PNG", help="save one exact frame as PNG and exit")
    what.add_argument("--seconds", type=float, metavar="N", help="stream for N seconds")
    parser.add_argument("--stats", action="store_true", help="with --seconds: print frame statistics as JSON")
    parser.add_argument("--port", type=int, default=5990, help="direct mode: the agent's port (default 5990)")
    parser.add_argument("--reason", default="", help="why you ask (shown to the user)")
    parser.add_argument("--case", default="", help="case reference (shown to the user)")
    parser.add_argument("-F", "--ssh-config", type=Path, help="SSH client configuration file")
    parser.add_argument("--known-hosts", type=Path, action="append", help="extra known_hosts file (repeatable)")
    add_single_process_option(parser)
    parser.set_defaults(func=run)


def split_target(target: str, port: int) -> tuple[str, int]:
    """``alias`` → (alias, port); ``gateway-alias:PORT`` → (gateway-alias, PORT)."""
    alias, sep, tail = target.rpartition(":")
    if sep and alias and tail.isdigit():
        return alias, int(tail)
    return target, port


def write_png(path: Path, bgra: Any) -> None:
    """Write an H×W×4 BGRA array as an RGB PNG (no Qt needed: zlib and struct)."""
    import numpy as np

    height, width = int(bgra.shape[0]), int(bgra.shape[1])
    rgb = np.ascontiguousarray(bgra[:, :, 2::-1])  # BGR(A) → RGB
    raw = np.zeros((height, width * 3 + 1), dtype=np.uint8)  # each row: filter type 0, then pixels
    raw[:, 1:] = rgb.reshape(height, width * 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
    path.write_bytes(png + chunk(b"IEND", b""))


def run(args: argparse.Namespace) -> int:
    """Connect, pair, wait for consent, then snapshot or stream."""
    from app.cli.console import picture_decoders
    from app.remote.client import TechnicianCallbacks, TechnicianClient
    from app.remote.protocol import Capability
    from app.remote.ssh import ConnectOptions, connect

    if args.stats and args.seconds is None:
        print("podpora view: --stats needs --seconds N.", file=sys.stderr)
        return 2
    if args.seconds is not None and not 0 < args.seconds <= 24 * 3600:
        print("podpora view: --seconds must be between 0 and 86400.", file=sys.stderr)
        return 2
    alias, port = split_target(args.target, args.port)
    options = ConnectOptions(config_path=args.ssh_config, known_hosts_paths=args.known_hosts)
    connection = connect(alias, options)
    # sshd turns TCP_NODELAY on only for pty sessions; without one, tunnelled replies stall ~40 ms.
    low_latency = connection.open_low_latency_session()
    progress = _Progress()
    decoders = picture_decoders(args.single_process)
    client: TechnicianClient
    connections = [connection]

    def reconnect() -> Any:
        """A lost link: a new SSH connection and stream to the same agent; the session resumes on it."""
        fresh = connect(alias, options)
        connections.append(fresh)
        fresh.open_low_latency_session()
        return fresh.open_stream("127.0.0.1", port)

    def on_state(state: str, capabilities: frozenset[str], paused: bool) -> None:
        if state == "reconnecting" and progress.announce_reconnecting():
            print("podpora view: connection lost, reconnecting…", file=sys.stderr, flush=True)
        elif state != "reconnecting" and progress.announce_reconnected():
            print("podpora view: reconnected, the session goes on.", file=sys.stderr, flush=True)

    def on_frame(framebuffer: Any, drawn: list[tuple[int, int, int, int]]) -> None:
        if args.snapshot is not None and not client.last_update_pending:
            progress.update(first_frame=True, snapshot=framebuffer.copy())
            return
        progress.update(first_frame=True)
        client.frame_drawn()

    def on_ended(reason: str) -> None:
        progress.update(end_reason=reason)

    try:
        client = TechnicianClient(
            connection.open_stream("127.0.0.1", port),
            code=args.code,
            capabilities=frozenset({Capability.VIEW}),
            reason=args.reason,
            case_ref=args.case,
            callbacks=TechnicianCallbacks(on_frame=on_frame, on_state=on_state, on_ended=on_ended),
            reconnect=reconnect,
            decoder=None if decoders is None else decoders(),
        )
        client.start()
        progress.wait(lambda: progress.first_frame or progress.end_reason is not None, CONSENT_WAIT_SECONDS)
        if not progress.first_frame:
            return _report_end(progress.end_reason, "no picture: pairing or consent did not complete")
        if args.snapshot is not None:
            progress.wait(lambda: progress.snapshot is not None or progress.end_reason is not None, FRAME_WAIT_SECONDS)
            if progress.snapshot is None:
                return _report_end(progress.end_reason, "no exact frame arrived in time")
            write_png(args.snapshot, progress.snapshot)
            print(f"saved {progress.snapshot.shape[1]}x{progress.snapshot.shape[0]} to {args.snapshot}")
            return 0
        started = time.monotonic()
        frames_before, bytes_before = client.frames, client.frame_bytes
        wire_before = client.channel.bytes_received
        ended_early = progress.wait(lambda: progress.end_reason is not None, args.seconds)
        elapsed = max(time.monotonic() - started, 1e-9)
        frames = client.frames - frames_before
        stats = {
            "seconds": round(elapsed, 3),
            "frames": frames,
            "frames_per_second": round(frames / elapsed, 2),
            "payload_bytes": client.frame_bytes - bytes_before,
            "wire_bytes": client.channel.bytes_received - wire_before,
            "bytes_per_frame": round((client.frame_bytes - bytes_before) / frames, 1) if frames else 0,
            "kilobytes_per_second": round((client.channel.bytes_received - wire_before) / elapsed / 1024, 1),
            "ended_early": ended_early,
            "low_latency_session": low_latency,
        }
        if args.stats:
            print(json.dumps(stats))
        return EXIT_ENDED if ended_early else 0
    finally:
        if "client" in locals():
            client.stop()
            client.wait_closed(5)
        for opened in connections:
            opened.close()


class _Progress:
    """What the client's callbacks reported, guarded by a condition the command waits on."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.first_frame = False
        self._reconnecting = False
        self.snapshot: Any = None
        self.end_reason: str | None = None

    def update(self, *, first_frame: bool = False, snapshot: Any = None, end_reason: str | None = None) -> None:
        with self._changed:
            self.first_frame = self.first_frame or first_frame
            if snapshot is not None and self.snapshot is None:
                self.snapshot = snapshot
            if end_reason is not None and self.end_reason is None:
                self.end_reason = end_reason
            self._changed.notify_all()

    def announce_reconnecting(self) -> bool:
        """True the first time the link is reported lost (until it is back), so the notice is said once."""
        with self._changed:
            was, self._reconnecting = self._reconnecting, True
            return not was

    def announce_reconnected(self) -> bool:
        """True when a reported loss has just ended."""
        with self._changed:
            was, self._reconnecting = self._reconnecting, False
            return was

    def wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(predicate, timeout)


def _report_end(end_reason: str | None, fallback: str) -> int:
    print(f"podpora view: {end_reason or fallback}", file=sys.stderr)
    return EXIT_ENDED if end_reason else EXIT_TIMEOUT
