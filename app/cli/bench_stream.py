"""``podpora bench stream``: the screen stream measured end to end, optionally next to VNC in the same run.

One run starts everything it needs and stops everything it started:

* a private Xvfb at 1920×1080 and the workload on it: ``idle`` and ``typing`` (an xterm running ``cat``),
  ``scroll-terminal`` (an xterm printing lines), ``scroll-dense`` (a window scrolling a dense page) and
  ``video`` (a window panning a photographic picture at 60 frames/s);
* the agent side in its own process (so its CPU is its own): ``MssScreenSource`` → ``FrameEncoder`` →
  sealed ``FrameUpdate`` messages on a ``Channel``, input applied with ``PynputInputSink``;
* a private OpenSSH sshd on 127.0.0.1 and the console side here: paramiko ``direct-tcpip`` to the agent
  (with the low-latency pty session that turns TCP_NODELAY on in sshd), pull-based ``FrameRequest`` flow
  control, ``FrameDecoder``. Without sshd it falls back to a loopback socket and says so in the JSON.

Figures: updates per second, bytes per update and per second, key-to-screen latency (a key sent by the
console until the first update after it is decoded on the console; ``typing`` only), agent and console CPU.

``--vs vnc`` runs x11vnc and TigerVNC's x0vncserver on the same display behind the same sshd and measures
them with a minimal RFB client (ZRLE, CopyRect, Raw; it counts bytes and times complete updates without
decoding ZRLE pixels, which slightly favours VNC), then prints the ratios Podpora/VNC.

The JSON is for people; tests check its shape only, never a figure.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import resource
import secrets
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.cli.child_process import python_module_command

WORKLOADS = ("idle", "typing", "scroll-terminal", "scroll-dense", "video")
MODES = ("auto", "tiles")
SCREEN_WIDTH, SCREEN_HEIGHT = 1920, 1080
KEY_INTERVAL_SECONDS = 0.2
REQUEST_BUDGET_BYTES = 2_000_000
# Frame requests the console keeps outstanding (the product's window, see app.remote.client).
FRAME_WINDOW = 2
MAX_FRAME_WINDOW = 4
STARTUP_TIMEOUT_SECONDS = 20.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Keysyms the typing workload sends: lowercase letters and space, Return now and then.
_TYPED_KEYSYMS = [*range(ord("a"), ord("z") + 1), ord(" ")]
_XK_RETURN = 0xFF0D


def register(subparsers: Any) -> None:
    """Add ``podpora bench stream``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "stream", help="screen stream end to end through a local sshd (optionally vs x11vnc and TigerVNC)"
    )
    parser.add_argument(
        "--workload",
        choices=(*WORKLOADS, "all"),
        default="typing",
        help="what happens on the screen (all: every workload, one after the other, in one run)",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time per contender (default 10)")
    parser.add_argument("--json", action="store_true", help="print only the JSON (no progress lines)")
    parser.add_argument("--vs", choices=("vnc",), default=None, help="also measure x11vnc and x0vncserver")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="auto",
        help="Podpora's codecs: auto (H.264 video mode switched on by full motion) or tiles (never video)",
    )
    parser.add_argument(
        "--window",
        type=int,
        default=FRAME_WINDOW,
        help=f"frame requests the console keeps outstanding (default {FRAME_WINDOW}; 1 = strictly one at a time)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print its JSON."""
    if args.seconds <= 0 or args.seconds > 600:
        print("podpora: --seconds must be between 0 and 600", file=sys.stderr)
        return 2
    if not 1 <= args.window <= MAX_FRAME_WINDOW:
        print(f"podpora: --window must be between 1 and {MAX_FRAME_WINDOW}", file=sys.stderr)
        return 2

    def progress(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    workloads = WORKLOADS if args.workload == "all" else (args.workload,)
    results = {
        workload: run_benchmark(
            workload, args.seconds, vs_vnc=args.vs == "vnc", mode=args.mode, window=args.window, log=progress
        )
        for workload in workloads
    }
    if args.workload == "all":
        print(json.dumps({"benchmark": "stream", "workload": "all", "workloads": results}, indent=2))
    else:
        print(json.dumps(results[args.workload], indent=2))
    return 0


# ------------------------------------------------------------------------------------------ processes


class _Processes:
    """Every process the benchmark starts; :meth:`stop_all` ends them (terminate, then kill)."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[Any]] = []

    def start(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
        process: subprocess.Popen[Any] = subprocess.Popen(argv, **kwargs)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.started):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise RuntimeError(f"{program} is not installed: run scripts/setup")
    return path


def start_xvfb(processes: _Processes, width: int, height: int) -> str:
    """Start Xvfb (the shared launcher) and return the DISPLAY value once it accepts clients."""
    from app.remote.localdisplay import start_xvfb as start_virtual_display

    display = start_virtual_display(width, height)
    processes.started.append(display.process)  # stopped with everything else the benchmark started
    return display.name


def _wait_line(process: subprocess.Popen[Any], timeout: float, what: str) -> str:
    """The first stdout line of ``process`` within ``timeout`` seconds (a watchdog kills it otherwise)."""
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    try:
        line: str = process.stdout.readline() if process.stdout is not None else ""
    finally:
        watchdog.cancel()
    if not line:
        raise RuntimeError(f"{what} did not start")
    return line.strip()


def start_workload(processes: _Processes, kind: str, display: str) -> None:
    """Start the workload ``kind`` on ``display`` and return once it shows."""
    env = {**os.environ, "DISPLAY": display}
    if kind in {"idle", "typing", "scroll-terminal"}:
        if kind == "scroll-terminal":
            script = (
                "import itertools, time\n"
                "words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor'.split()\n"
                "for i in itertools.count():\n"
                "    print(f'{i:08d} ' + ' '.join(words[(i + k) % len(words)] for k in range(14)), flush=True)\n"
                "    time.sleep(0.02)\n"
            )
            command = [sys.executable, "-I", "-u", "-c", script]
        else:
            command = ["cat"]
        xterm = processes.start(
            [_require("xterm"), "-geometry", "200x60+0+0", "-fa", "", "+sb", "-bc", "-e", *command],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_window(display, xterm)
        # No window manager: keyboard focus follows the pointer (PointerRoot), so park it over the terminal.
        subprocess.run([_require("xdotool"), "mousemove", "400", "300"], env=env, check=True, timeout=10)
        return
    window = processes.start(
        python_module_command("app.cli.bench_stream", "--workload-window", kind, str(SCREEN_WIDTH), str(SCREEN_HEIGHT)),
        env={**env, "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": "1", "QT_ENABLE_HIGHDPI_SCALING": "0"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    _wait_line(window, STARTUP_TIMEOUT_SECONDS, f"the {kind} workload window")


def _wait_for_window(display: str, process: subprocess.Popen[Any]) -> None:
    """Wait until something other than the black root window is on screen (xterm mapped and drawn)."""
    import numpy as np

    from app.remote.capture import MssScreenSource

    source = MssScreenSource(display=display)
    try:
        monitor = source.monitors()[0]
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        ready = threading.Event()
        while not ready.is_set():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the xterm workload did not show")
            frame = source.grab(monitor)
            if bool(np.any(frame[:200, :400, :3])):
                return
            ready.wait(0.05)
    finally:
        source.close()


# ----------------------------------------------------------------------------------- the agent side


def _keys_from_hex(text: str, *, agent: bool) -> Any:
    from app.remote.pairing import SessionKeys

    first, second = bytes.fromhex(text[:64]), bytes.fromhex(text[64:128])
    send, receive = (first, second) if agent else (second, first)
    return SessionKeys(send_key=send, receive_key=receive, resume_secret=b"\0" * 32, session_id="bench")


def serve_agent(keys_hex: str) -> int:
    """The agent process: listen on 127.0.0.1, serve one console, print its statistics as JSON on exit."""
    from app.remote import protocol
    from app.remote.capture import MssScreenSource
    from app.remote.channel import Channel, ChannelError
    from app.remote.encode import FrameEncoder
    from app.remote.inject import PynputInputSink, ScreenMapping

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    connection, _ = listener.accept()
    listener.close()
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    channel = Channel(connection)
    channel.install_keys(_keys_from_hex(keys_hex, agent=True))
    source = MssScreenSource()
    monitor = source.monitors()[1]
    sink = PynputInputSink(ScreenMapping(monitor.left, monitor.top, monitor.width, monitor.height))
    encoder = FrameEncoder(video=os.environ.get("PODPORA_BENCH_MODE", "auto") != "tiles")
    # The estimator counts the console's first requests as credits: as many as its window.
    encoder.link.set_frame_window(int(os.environ.get("PODPORA_BENCH_WINDOW", str(FRAME_WINDOW))))
    # Requests the console has made and the agent has not answered yet (at most the console's window).
    requests = threading.Condition()
    # As in the agent: when each request arrived, handed to the encoder's link estimator on the streaming
    # thread (with a window of requests the encoder cannot tell when the one it serves arrived).
    arrivals: collections.deque[tuple[float, bool]] = collections.deque(maxlen=16)  # (arrived at, full)
    wake = threading.Event()
    state: dict[str, Any] = {"request": None, "credits": 0, "last_activity": time.monotonic(), "stop": False}
    encode_ms: list[float] = []
    key_times: list[float] = []  # key-down arrivals not yet followed by an update
    key_to_send_ms: list[float] = []
    first_frame: dict[str, float] = {}

    def stream_frames() -> None:
        # As in the agent: the change watch is this thread's own (opened, waited on and closed here); the
        # main thread only wakes it.
        watch = source.open_change_watch()
        state["watch"] = watch
        state["damage_events"] = watch is not None
        watch_ready.set()
        try:
            send_frames(watch)
        finally:
            state["watch"] = None
            if watch is not None:
                watch.close()

    def send_frames(watch: Any) -> None:
        sequence = 0
        interval = 0.004
        frame = None
        while not state["stop"]:
            with requests:
                requests.wait_for(lambda: state["stop"] or state["credits"] > 0)
                if state["stop"]:
                    return
                request, state["request"] = state["request"], None
                state["credits"] -= 1
            if request is not None and not request.incremental:
                encoder.reset()
                frame = None
            request = request or protocol.FrameRequest(incremental=True, max_bytes=REQUEST_BUDGET_BYTES)
            while not state["stop"]:
                while arrivals:
                    arrived_at, full = arrivals.popleft()
                    encoder.link.request_arrived(arrived_at, full=full)
                started = time.perf_counter()
                if watch is not None:
                    # As in the agent: only what X DAMAGE says was drawn is grabbed and compared.
                    frame, dirty = watch.grab_changes(monitor, frame)
                    update = encoder.encode(frame, max_bytes=request.max_bytes, dirty=dirty)
                else:
                    frame = source.grab(monitor)
                    update = encoder.encode(frame, max_bytes=request.max_bytes)
                elapsed = (time.perf_counter() - started) * 1000
                if update.rects:
                    encode_ms.append(elapsed)
                    if not first_frame:
                        first_frame.update(capture_encode_ms=round(elapsed, 2), bytes=update.byte_count)
                    sequence += 1
                    sent_at = time.monotonic()
                    while key_times and key_times[0] <= sent_at:
                        key_to_send_ms.append((sent_at - key_times.pop(0)) * 1000)
                    rects = [protocol.Rect(*rect) for rect in update.rects]
                    try:
                        channel.send(protocol.FrameUpdate(sequence, update.width, update.height, rects))
                    except ChannelError:
                        state["stop"] = True
                    state["last_activity"] = time.monotonic()
                    break
                if watch is not None:
                    # X DAMAGE: sleep until something is drawn (an idle screen costs nothing), or until an owed
                    # lossless refresh is due; a stop wakes the watch.
                    watch.wait(0.02 if update.pending else 30.0)
                elif update.pending:
                    # A lossless refresh is owed: come back soon even if nothing is drawn.
                    wake.wait(0.02)
                    wake.clear()
                else:
                    # Adaptive polling: fast right after a change or input, slower while the screen rests.
                    quiet = time.monotonic() - state["last_activity"]
                    interval = 0.004 if quiet < 0.5 else min(0.05, interval * 1.5)
                    wake.wait(interval)
                    wake.clear()

    watch_ready = threading.Event()
    streamer = threading.Thread(target=stream_frames, name="bench-agent-stream", daemon=True)
    streamer.start()
    watch_ready.wait(10)
    try:
        while True:
            message = channel.receive()
            if isinstance(message, protocol.FrameRequest):
                arrivals.append((time.monotonic(), not message.incremental))
                with requests:
                    # A full request replaces whatever was asked before it (as in the agent's session).
                    if not message.incremental or state["request"] is None:
                        state["request"] = message
                    state["credits"] += 1
                    requests.notify()
            elif isinstance(message, protocol.Key):
                if message.down:
                    key_times.append(time.monotonic())
                sink.key(message.down, keysym=message.keysym, text=message.text)
                state["last_activity"] = time.monotonic()
                wake.set()
            elif isinstance(message, protocol.Pointer):
                sink.pointer(message.x, message.y, message.buttons, message.wheel, message.wheel_horizontal)
    except (ChannelError, protocol.ProtocolError):
        pass
    finally:
        with requests:
            state["stop"] = True
            requests.notify()
        wake.set()
        watch = state.get("watch")
        if watch is not None:
            watch.wake()  # harmless if the streamer closed it meanwhile
        streamer.join(timeout=5)
        channel.close()
        sink.close()
        source.close()
    bandwidth, rtt = encoder.link.bandwidth, encoder.link.rtt
    print(
        json.dumps(
            {
                "updates": encoder.stats.frames,
                "rects_by_codec": {str(codec): count for codec, count in sorted(encoder.stats.rects_by_codec.items())},
                "refreshed_tiles": encoder.stats.refreshed_tiles,
                "capture_encode_ms_p50": round(statistics.median(encode_ms), 2) if encode_ms else None,
                "first_frame": first_frame,
                "key_to_update_sent_ms_p50": round(statistics.median(key_to_send_ms), 2) if key_to_send_ms else None,
                "jpeg_quality_end": encoder.quality,
                "video_frames": encoder.stats.video_frames,
                "video_streams": encoder.stats.video_streams,
                "video_bitrate_end": encoder.plan.video_bitrate,
                "link_bandwidth_bytes_per_s": round(bandwidth) if bandwidth is not None else None,
                "link_rtt_ms": round(rtt * 1000, 2) if rtt is not None else None,
                "change_detection": "X DAMAGE events" if state.get("damage_events") else "adaptive polling",
            }
        ),
        flush=True,
    )
    return 0


# ------------------------------------------------------------------------------------ the console side


class _Stream(Protocol):
    def sendall(self, data: bytes, /) -> None: ...
    def recv(self, size: int, /) -> bytes: ...
    def close(self) -> None: ...


class StreamTransport:
    """Opens byte streams to 127.0.0.1 ports: through a private sshd when possible, else directly."""

    def __init__(self, scratch: Path, log: Callable[[str], None], *, through_ssh: bool = True) -> None:
        self.description = "loopback TCP socket (no sshd)"
        self.low_latency_session: bool | None = None
        self._connection: Any = None
        self._factory: Any = None
        if not through_ssh:
            return
        try:
            from app.remote.localsshd import KeyPair, SshServerFactory
            from app.remote.ssh import ConnectOptions, connect

            key = KeyPair.generate(scratch / "client" / "id_ed25519")
            self._factory = SshServerFactory(scratch / "sshd")
            server = self._factory.start(authorized_keys=[key.public_line])
            known = scratch / "known_hosts"
            known.write_text(server.known_hosts_line() + "\n")
            config = scratch / "ssh_config"
            config.write_text(
                f"Host bench\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
                f"  IdentityFile {key.path}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n"
                "  StrictHostKeyChecking yes\n  BatchMode yes\n"
            )
            options = ConnectOptions(
                config_path=config, known_hosts_paths=[known], use_agent=False, own_known_hosts=scratch / "own_kh"
            )
            self._connection = connect("bench", options)
            self.low_latency_session = bool(self._connection.open_low_latency_session())
            self.description = "OpenSSH sshd on 127.0.0.1, paramiko direct-tcpip channel"
        except Exception as error:
            log(f"no SSH tunnel ({error}); measuring over a loopback socket")
            self.close()
            self.description = f"loopback TCP socket (sshd unavailable: {type(error).__name__})"

    def open(self, port: int) -> _Stream:
        if self._connection is not None:
            stream: _Stream = self._connection.open_stream("127.0.0.1", port)
            return stream
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
        if self._factory is not None:
            self._factory.stop_all()
            self._factory = None


class _Measurement:
    """Counters of one contender's run."""

    def __init__(self) -> None:
        self.updates = 0
        self.bytes = 0
        self.first_update_bytes = 0
        self.key_sent: list[float] = []
        self.latencies: list[float] = []
        self.update_times: list[float] = []

    def on_update(self, payload_bytes: int, when: float, *, first: bool) -> None:
        if first:
            self.first_update_bytes = payload_bytes
            return
        self.updates += 1
        self.bytes += payload_bytes
        self.update_times.append(when)

    def key_latencies(self) -> list[float]:
        """For each key, the time until the first update decoded after it (None-free)."""
        result = []
        index = 0
        times = self.update_times
        for sent in self.key_sent:
            while index < len(times) and times[index] < sent:
                index += 1
            if index < len(times):
                result.append((times[index] - sent) * 1000)
        return result

    def summary(self, seconds: float, cpu: dict[str, float | None]) -> dict[str, Any]:
        latencies = sorted(self.key_latencies())

        def percentile(fraction: float) -> float | None:
            if not latencies:
                return None
            return round(latencies[min(len(latencies) - 1, int(fraction * len(latencies)))], 2)

        return {
            "updates": self.updates,
            "updates_per_s": round(self.updates / seconds, 2),
            "bytes": self.bytes,
            "bytes_per_update": round(self.bytes / self.updates, 1) if self.updates else 0,
            "bytes_per_s": round(self.bytes / seconds, 1),
            "first_full_frame_bytes": self.first_update_bytes,
            "keys_sent": len(self.key_sent),
            "key_to_screen_ms": {"p50": percentile(0.5), "p90": percentile(0.9), "samples": len(latencies)},
            "cpu_percent": cpu,
        }


def _typing_thread(
    send_key: Callable[[int], None], measurement: _Measurement, stop: threading.Event
) -> threading.Thread:
    def type_keys() -> None:
        count = 0
        while not stop.wait(KEY_INTERVAL_SECONDS):
            keysym = _XK_RETURN if count % 60 == 59 else _TYPED_KEYSYMS[count % len(_TYPED_KEYSYMS)]
            measurement.key_sent.append(time.monotonic())
            try:
                send_key(keysym)
            except Exception:
                return
            count += 1

    thread = threading.Thread(target=type_keys, name="bench-typing", daemon=True)
    thread.start()
    return thread


def measure_podpora(
    processes: _Processes,
    transport: StreamTransport,
    display: str,
    workload: str,
    seconds: float,
    *,
    mode: str = "auto",
    window: int = FRAME_WINDOW,
) -> dict[str, Any]:
    """Run the agent process and the console loop for ``seconds``; return the figures."""
    from app.remote import protocol
    from app.remote.channel import Channel, ChannelError
    from app.remote.encode import FrameDecoder

    keys_hex = secrets.token_hex(64)
    agent = processes.start(
        python_module_command("app.cli.bench_stream", "--serve-agent"),
        env={
            **os.environ,
            "DISPLAY": display,
            "PODPORA_BENCH_KEYS": keys_hex,
            "PODPORA_BENCH_MODE": mode,
            "PODPORA_BENCH_WINDOW": str(window),
            "XDG_SESSION_TYPE": "x11",
        },
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    port = int(_wait_line(agent, STARTUP_TIMEOUT_SECONDS, "the agent"))
    channel = Channel(transport.open(port))
    channel.install_keys(_keys_from_hex(keys_hex, agent=False))
    decoder = FrameDecoder()
    measurement = _Measurement()
    stop = threading.Event()

    # The first full frame is not part of the steady-state figures.
    channel.send(protocol.FrameRequest(incremental=False, max_bytes=protocol.MAX_MESSAGE_BYTES))
    first = channel.receive(idle_timeout=STARTUP_TIMEOUT_SECONDS)
    if not isinstance(first, protocol.FrameUpdate):
        raise RuntimeError(f"the agent sent {type(first).__name__} instead of the first frame")
    decoder.apply(first.width, first.height, first.rects)
    measurement.on_update(channel.bytes_received, time.monotonic(), first=True)

    def send_key(keysym: int) -> None:
        channel.send(protocol.Key(down=True, keysym=keysym))
        channel.send(protocol.Key(down=False, keysym=keysym))

    agent_cpu_start, console_cpu_start = _cpu_seconds(agent.pid), _own_cpu_seconds()
    received_before = channel.bytes_received
    started = time.monotonic()
    deadline = started + seconds
    typing = _typing_thread(send_key, measurement, stop) if workload == "typing" else None
    try:
        # Pull-based flow control with ``window`` requests outstanding: the agent captures and encodes the next
        # update while this side decodes the last one. A request goes out when an update has been decoded.
        for _ in range(window):
            channel.send(protocol.FrameRequest(incremental=True, max_bytes=REQUEST_BUDGET_BYTES))
        while time.monotonic() < deadline:
            message = channel.receive(idle_timeout=max(0.0, deadline - time.monotonic()))
            if message is None:
                break
            if isinstance(message, protocol.FrameUpdate):
                decoder.apply(message.width, message.height, message.rects)
                channel.send(protocol.FrameRequest(incremental=True, max_bytes=REQUEST_BUDGET_BYTES))
                # Wire bytes: sealed record, message framing and rectangle headers, as VNC's count includes.
                wire_bytes = channel.bytes_received - received_before
                received_before = channel.bytes_received
                measurement.on_update(wire_bytes, time.monotonic(), first=False)
    finally:
        stop.set()
        elapsed = time.monotonic() - started
        agent_cpu = _cpu_seconds(agent.pid) - agent_cpu_start
        console_cpu = _own_cpu_seconds() - console_cpu_start
        if typing is not None:
            typing.join(timeout=5)
        with contextlib.suppress(ChannelError):
            channel.close()
    agent_stats: dict[str, Any] = {}
    with contextlib.suppress(ValueError, subprocess.TimeoutExpired):
        agent.wait(timeout=10)
        if agent.stdout is not None:
            agent_stats = json.loads(agent.stdout.readline() or "{}")
    result = measurement.summary(
        elapsed, {"agent": round(100 * agent_cpu / elapsed, 1), "console": round(100 * console_cpu / elapsed, 1)}
    )
    result["agent"] = agent_stats
    return result


# --------------------------------------------------------------------------------------------- VNC


class RfbError(RuntimeError):
    """The VNC server said something this minimal client does not understand."""


class RfbClient:
    """A minimal RFB 3.8 client: no authentication, 32-bit true colour, ZRLE/CopyRect/Raw.

    It parses updates completely (so it knows where each ends and how many bytes it took) but does not
    decode ZRLE pixels: its figures are arrival times and byte counts.
    """

    ENCODINGS = (16, 1, 0, -223)  # ZRLE, CopyRect, Raw, DesktopSize

    def __init__(self, stream: _Stream) -> None:
        self._stream = stream
        self._buffer = bytearray()
        self.received = 0
        version = self._read(12)
        if not version.startswith(b"RFB 003."):
            raise RfbError(f"not an RFB server: {version!r}")
        self._stream.sendall(b"RFB 003.008\n")
        (count,) = self._read(1)
        if count == 0:
            raise RfbError("server refused: " + self._read_string())
        types = self._read(count)
        if 1 not in types:
            raise RfbError(f"no 'None' security type offered: {list(types)}")
        self._stream.sendall(b"\x01")
        if struct.unpack(">I", self._read(4))[0] != 0:
            raise RfbError("security handshake failed")
        self._stream.sendall(b"\x01")  # shared
        self.width, self.height = struct.unpack(">HH", self._read(4))
        self._read(16)
        self._read_string()
        pixel_format = struct.pack(">BBBBHHHBBB3x", 32, 24, 0, 1, 255, 255, 255, 16, 8, 0)
        self._stream.sendall(b"\x00\x00\x00\x00" + pixel_format)
        self._stream.sendall(
            struct.pack(">BxH", 2, len(self.ENCODINGS))
            + b"".join(struct.pack(">i", encoding) for encoding in self.ENCODINGS)
        )

    def _fill(self, size: int) -> None:
        while len(self._buffer) < size:
            chunk = self._stream.recv(max(65536, size - len(self._buffer)))
            if not chunk:
                raise RfbError("connection closed")
            self.received += len(chunk)
            self._buffer += chunk

    def _read(self, size: int) -> bytes:
        self._fill(size)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _read_string(self) -> str:
        (length,) = struct.unpack(">I", self._read(4))
        return self._read(length).decode("latin-1")

    def request(self, incremental: bool) -> None:
        self._stream.sendall(struct.pack(">BBHHHH", 3, int(incremental), 0, 0, self.width, self.height))

    def key(self, keysym: int) -> None:
        self._stream.sendall(struct.pack(">BBxxI", 4, 1, keysym) + struct.pack(">BBxxI", 4, 0, keysym))

    def read_update(self) -> int:
        """Read server messages until one framebuffer update is complete; return the bytes it took."""
        while True:
            before = self.received - len(self._buffer)
            (kind,) = self._read(1)
            if kind == 0:
                self._read_update_body()
                return self.received - len(self._buffer) - before
            if kind == 1:
                _, _, count = struct.unpack(">xHH", self._read(5))
                self._read(6 * count)
            elif kind == 2:
                continue
            elif kind == 3:
                self._read(3)
                self._read_string()
            else:
                raise RfbError(f"unknown server message {kind}")

    def _read_update_body(self) -> None:
        (count,) = struct.unpack(">xH", self._read(3))
        for _ in range(count):
            _x, _y, w, h, encoding = struct.unpack(">HHHHi", self._read(12))
            if encoding == 0:
                self._read(w * h * 4)
            elif encoding == 1:
                self._read(4)
            elif encoding == 16:
                (length,) = struct.unpack(">I", self._read(4))
                self._read(length)
            elif encoding == -223:
                self.width, self.height = w, h
            elif encoding == -224:  # LastRect
                return
            else:
                raise RfbError(f"unexpected encoding {encoding}")

    def close(self) -> None:
        self._stream.close()


def _wait_port(port: int, process: subprocess.Popen[Any], what: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    pause = threading.Event()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited at start")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        pause.wait(0.05)
    raise RuntimeError(f"{what} did not listen on port {port}")


def measure_vnc(
    processes: _Processes, transport: StreamTransport, display: str, workload: str, seconds: float, *, server: str
) -> dict[str, Any]:
    """Measure ``server`` (x11vnc or x0vncserver) on ``display`` through the same transport."""
    from app.remote.localsshd import free_port

    port = free_port()
    env = {**os.environ, "DISPLAY": display}
    if server == "x11vnc":
        argv = [
            _require("x11vnc"),
            "-display",
            display,
            "-rfbport",
            str(port),
            "-localhost",
            "-nopw",
            "-forever",
            "-shared",
            "-quiet",
        ]
    else:
        # The real server, not Debian's Perl wrapper: the wrapper waits on it, hiding its CPU from /proc.
        binary = shutil.which("X0tigervnc") or _require("x0vncserver")
        argv = [
            binary,
            "-display",
            display,
            "-rfbport",
            str(port),
            "-SecurityTypes",
            "None",
            "-localhost",  # X0tigervnc takes a bare boolean flag (the Perl wrapper would take "yes")
        ]
    vnc = processes.start(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_port(port, vnc, server)
    client = RfbClient(transport.open(port))
    measurement = _Measurement()
    client.request(incremental=False)
    measurement.on_update(client.read_update(), time.monotonic(), first=True)
    stop = threading.Event()
    send_lock = threading.Lock()

    def send_key(keysym: int) -> None:
        with send_lock:
            client.key(keysym)

    server_cpu_start, console_cpu_start = _cpu_seconds(vnc.pid), _own_cpu_seconds()
    started = time.monotonic()
    deadline = started + seconds
    typing = _typing_thread(send_key, measurement, stop) if workload == "typing" else None
    # The reader must not block past the deadline on an idle screen: a watchdog closes the stream.
    watchdog = threading.Timer(seconds + 1.0, client.close)
    watchdog.start()
    try:
        while time.monotonic() < deadline:
            with send_lock:
                client.request(incremental=True)
            try:
                size = client.read_update()
            except (RfbError, OSError, EOFError):
                break
            measurement.on_update(size, time.monotonic(), first=False)
    finally:
        watchdog.cancel()
        stop.set()
        elapsed = min(time.monotonic() - started, seconds + 1.0)
        server_cpu = _cpu_seconds(vnc.pid) - server_cpu_start
        console_cpu = _own_cpu_seconds() - console_cpu_start
        if typing is not None:
            typing.join(timeout=5)
        with contextlib.suppress(Exception):
            client.close()
        vnc.terminate()
    elapsed = max(elapsed, 1e-6)
    return measurement.summary(
        min(elapsed, seconds),
        {"server": round(100 * server_cpu / elapsed, 1), "console": round(100 * console_cpu / elapsed, 1)},
    )


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs == 0:
        return None
    return round(ours / theirs, 3)


def _ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, float | None]:
    return {
        "updates_per_s": _ratio(ours["updates_per_s"], theirs["updates_per_s"]),
        "bytes_per_update": _ratio(ours["bytes_per_update"], theirs["bytes_per_update"]),
        "bytes_per_s": _ratio(ours["bytes_per_s"], theirs["bytes_per_s"]),
        "key_to_screen_p50": _ratio(ours["key_to_screen_ms"]["p50"], theirs["key_to_screen_ms"]["p50"]),
        "key_to_screen_p90": _ratio(ours["key_to_screen_ms"]["p90"], theirs["key_to_screen_ms"]["p90"]),
    }


def run_benchmark(
    workload: str,
    seconds: float,
    *,
    vs_vnc: bool = False,
    mode: str = "auto",
    window: int = FRAME_WINDOW,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run one benchmark and return its figures (see the module docstring)."""
    say = log or (lambda _text: None)
    processes = _Processes()
    with tempfile.TemporaryDirectory(prefix="podpora-bench-stream-") as scratch:
        transport: StreamTransport | None = None
        try:
            say(f"starting Xvfb {SCREEN_WIDTH}x{SCREEN_HEIGHT} and the {workload} workload")
            display = start_xvfb(processes, SCREEN_WIDTH, SCREEN_HEIGHT)
            start_workload(processes, workload, display)
            transport = StreamTransport(Path(scratch), say)
            say(f"measuring Podpora for {seconds:g} s")
            result: dict[str, Any] = {
                "benchmark": "stream",
                "workload": workload,
                "seconds": seconds,
                "screen": [SCREEN_WIDTH, SCREEN_HEIGHT],
                "transport": transport.description,
                "low_latency_pty_session": transport.low_latency_session,
                "mode": mode,
                "frame_window": window,
                "podpora": measure_podpora(processes, transport, display, workload, seconds, mode=mode, window=window),
            }
            if vs_vnc:
                result["vnc_client"] = "minimal RFB 3.8 client: ZRLE, CopyRect, Raw; counts bytes, no ZRLE decoding"
                for name, binary in (("x11vnc", "x11vnc"), ("tigervnc", "x0vncserver")):
                    say(f"measuring {name} for {seconds:g} s")
                    try:
                        result[name] = measure_vnc(processes, transport, display, workload, seconds, server=binary)
                        result[f"ratio_podpora_to_{name}"] = _ratios(result["podpora"], result[name])
                    except (RuntimeError, OSError) as error:
                        result[name] = {"error": str(error)}
        finally:
            if transport is not None:
                transport.close()
            processes.stop_all()
    return result


# ---------------------------------------------------------------------------------- workload windows


def _workload_window(kind: str, width: int, height: int) -> int:
    """A full-screen Qt window that scrolls a dense page (``scroll-dense``) or pans a picture (``video``)."""
    import numpy as np
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QApplication, QWidget

    rng = np.random.default_rng(4)
    if kind == "video":
        yy, xx = np.mgrid[0:height, 0 : width * 2].astype(np.float32)
        source = np.empty((height, width * 2, 4), np.uint8)
        source[..., 0] = (127 + 90 * np.sin(xx / 41.0) + 30 * np.cos(yy / 17.0)).clip(0, 255)
        source[..., 1] = (127 + 100 * np.sin((xx + yy) / 57.0)).clip(0, 255)
        source[..., 2] = (127 + 100 * np.cos(xx / 83.0 - yy / 29.0)).clip(0, 255)
        source[..., 3] = 255
        step = (8, 0)
    else:
        # A dense "page": rows of glyph-like blocks in a few colours on white, twice the screen's height.
        source = np.full((height * 2, width, 4), 255, np.uint8)
        glyphs = rng.random((height * 2 // 16, width // 8)) < 0.45
        ink = np.repeat(np.repeat(glyphs, 16, axis=0), 8, axis=1)
        ink &= (np.arange(height * 2)[:, None] % 16 < 11) & (np.arange(width)[None, :] % 8 < 6)
        source[: ink.shape[0], : ink.shape[1]][ink] = (40, 40, 40, 255)
        step = (0, 16)

    app = QApplication(sys.argv[:1])

    class Window(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.offset = 0
            self.frame = np.ascontiguousarray(source[:height, :width])
            self.announced = False

        def advance(self) -> None:
            if step[0]:
                self.offset = (self.offset + step[0]) % width
                self.frame = np.ascontiguousarray(source[:, self.offset : self.offset + width])
            else:
                self.offset = (self.offset + step[1]) % height
                self.frame = np.ascontiguousarray(source[self.offset : self.offset + height])
            self.update()

        def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt's name
            image = QImage(self.frame.data, width, height, width * 4, QImage.Format.Format_RGB32)
            painter = QPainter(self)
            painter.drawImage(0, 0, image)
            painter.end()
            if not self.announced:
                self.announced = True
                print("ready", flush=True)

    window = Window()
    window.setGeometry(0, 0, width, height)
    window.show()
    timer = QTimer()
    timer.timeout.connect(window.advance)
    timer.start(16)
    return app.exec()


def _internal_main(argv: list[str]) -> int:
    """Entry for the benchmark's own child processes (``python -m app.cli.bench_stream ...``)."""
    if argv[:1] == ["--serve-agent"]:
        return serve_agent(os.environ["PODPORA_BENCH_KEYS"])
    if argv[:1] == ["--workload-window"] and len(argv) == 4:
        return _workload_window(argv[1], int(argv[2]), int(argv[3]))
    print("usage: python -m app.cli.bench_stream --serve-agent | --workload-window KIND W H", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_internal_main(sys.argv[1:]))
