"""``podpora bench tunnel``: Podpora's SSH tunnel against OpenSSH's own ``ssh -L``, in one run.

Starts a private sshd on 127.0.0.1 with throwaway keys, a loopback sink/source/echo server behind it, and
measures through both tunnels to the same server: MB/s upload and download, and the round-trip time of
small messages (median, p90, largest) and of 16 KiB replies (median, largest, how many took over 20 ms: the
Nagle stall of issue 4).  Prints JSON with both figures and their ratios.  Nothing here asserts a
figure; the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

CHUNK = 256 * 1024
PING_SIZE = 64
#: A mid-sized reply: the size that stalls ~40 ms on Nagle against delayed ACK in a tunnel without TCP_NODELAY
#: on the server's side (issue 4: no reply in the tunnel slower than 20 ms).
MID_REPLY_SIZE = 16 * 1024


def register(subparsers: Any) -> None:
    """Add ``podpora bench tunnel``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tunnel", help="tunnel throughput and round trip: Podpora vs OpenSSH ssh -L (same server, same run)"
    )
    parser.add_argument("--megabytes", type=int, default=64, help="bytes to move each way (default 64 MB)")
    parser.add_argument("--pings", type=int, default=300, help="small round trips to time (default 300)")
    parser.add_argument("--json", action="store_true", help="print JSON only (the default prints JSON too)")
    parser.set_defaults(func=run)


class _TrafficServer:
    """A loopback server that, per connection, reads a one-byte command: 'u' sink, 'd' source, 'e' echo."""

    def __init__(self, download_bytes: int) -> None:
        self.download_bytes = download_bytes
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port: int = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, name="bench-traffic", daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            mode = conn.recv(1)
            if mode == b"u":
                total = 0
                while data := conn.recv(CHUNK):
                    total += len(data)
                conn.sendall(total.to_bytes(8, "big"))
            elif mode == b"d":
                block = b"\x5a" * CHUNK
                remaining = self.download_bytes
                while remaining > 0:
                    conn.sendall(block[: min(CHUNK, remaining)])
                    remaining -= CHUNK
            elif mode == b"e":
                while data := conn.recv(65536):
                    conn.sendall(data)

    def close(self) -> None:
        self.listener.close()


class _Stream(Protocol):
    """A socket or a paramiko channel, as far as the measurement needs."""

    def sendall(self, data: bytes) -> None: ...

    def recv(self, size: int) -> bytes: ...

    def close(self) -> None: ...


def _recv_exact(stream: _Stream, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = stream.recv(size - len(data))
        if not chunk:
            raise ConnectionError("tunnel closed early")
        data.extend(chunk)
    return bytes(data)


def _end_writing(stream: _Stream) -> None:
    if isinstance(stream, socket.socket):
        stream.shutdown(socket.SHUT_WR)
    else:
        stream.shutdown_write()  # type: ignore[attr-defined]  # paramiko.Channel


def socket_opener(port: int) -> Callable[[], _Stream]:
    """Open TCP connections to ``127.0.0.1:port`` (a forwarded port)."""

    def open_stream() -> _Stream:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    return open_stream


def measure(open_stream: Callable[[], _Stream], megabytes: int, pings: int) -> dict[str, float]:
    """Upload, download and small-message round trips over streams from ``open_stream``."""
    total = megabytes * 1024 * 1024
    block = b"\xa5" * CHUNK
    stream = open_stream()
    try:
        started = time.perf_counter()
        stream.sendall(b"u")
        sent = 0
        while sent < total:
            stream.sendall(block)
            sent += CHUNK
        _end_writing(stream)
        received = int.from_bytes(_recv_exact(stream, 8), "big")
        upload_seconds = time.perf_counter() - started
    finally:
        stream.close()
    if received != sent:
        raise ConnectionError(f"upload lost bytes: sent {sent}, server got {received}")
    stream = open_stream()
    try:
        started = time.perf_counter()
        stream.sendall(b"d")
        got = 0
        while chunk := stream.recv(CHUNK):
            got += len(chunk)
        download_seconds = time.perf_counter() - started
    finally:
        stream.close()
    if got < total:
        raise ConnectionError(f"download lost bytes: expected {total}, got {got}")
    samples: list[float] = []
    stream = open_stream()
    try:
        stream.sendall(b"e")
        message = b"p" * PING_SIZE
        for _ in range(pings):
            started = time.perf_counter()
            stream.sendall(message)
            _recv_exact(stream, PING_SIZE)
            samples.append((time.perf_counter() - started) * 1000)
        mid_samples: list[float] = []
        mid_message = b"m" * MID_REPLY_SIZE
        for _ in range(pings):
            started = time.perf_counter()
            stream.sendall(mid_message)
            _recv_exact(stream, MID_REPLY_SIZE)
            mid_samples.append((time.perf_counter() - started) * 1000)
    finally:
        stream.close()
    samples.sort()
    mid_samples.sort()
    return {
        "upload_mb_s": round(megabytes / upload_seconds, 1),
        "download_mb_s": round(megabytes / download_seconds, 1),
        "rtt_ms_p50": round(statistics.median(samples), 3),
        "rtt_ms_p90": round(samples[int(len(samples) * 0.9) - 1], 3),
        "rtt_ms_max": round(samples[-1], 3),
        "mid_reply_bytes": MID_REPLY_SIZE,
        "mid_rtt_ms_p50": round(statistics.median(mid_samples), 3),
        "mid_rtt_ms_max": round(mid_samples[-1], 3),
        "mid_replies_over_20_ms": sum(1 for sample in mid_samples if sample > 20),
    }


@contextlib.contextmanager
def openssh_forward(ssh_config: Path, alias: str, target_port: int, control: Path) -> Iterator[int]:
    """``ssh -L`` through OpenSSH itself; yields the local port once the forward is up (``-f`` waits for it)."""
    ssh = shutil.which("ssh")
    if ssh is None:
        raise RuntimeError("OpenSSH client (ssh) is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local_port = probe.getsockname()[1]
    subprocess.run(
        [
            ssh,
            "-F",
            str(ssh_config),
            "-f",
            "-N",
            "-M",
            "-S",
            str(control),
            "-o",
            "ExitOnForwardFailure=yes",
            "-L",
            f"127.0.0.1:{local_port}:127.0.0.1:{target_port}",
            alias,
        ],
        check=True,
        timeout=30,
    )
    try:
        yield local_port
    finally:
        subprocess.run(
            [ssh, "-F", str(ssh_config), "-S", str(control), "-O", "exit", alias],
            capture_output=True,
            timeout=30,
            check=False,
        )


def _ratio(ours: float, theirs: float) -> float:
    return round(ours / theirs, 3) if theirs else 0.0


def run_benchmark(megabytes: int, pings: int, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run both tunnels against one private sshd and return the figures."""
    # Imported here so that `podpora --help` does not load paramiko.
    from app.remote.localsshd import KeyPair, SshServerFactory
    from app.remote.ssh import ConnectOptions, connect
    from app.remote.tunnel import LocalForward

    with tempfile.TemporaryDirectory(prefix="podpora-bench-") as scratch:
        root = Path(scratch)
        key = KeyPair.generate(root / "client" / "id_ed25519")
        factory = SshServerFactory(root / "sshd")
        traffic = _TrafficServer(megabytes * 1024 * 1024)
        try:
            server = factory.start(authorized_keys=[key.public_line])
            known = root / "known_hosts"
            known.write_text(server.known_hosts_line() + "\n")
            config = root / "ssh_config"
            config.write_text(
                f"Host bench\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
                f"  IdentityFile {key.path}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n"
                "  StrictHostKeyChecking yes\n  BatchMode yes\n"
            )
            options = ConnectOptions(
                config_path=config, known_hosts_paths=[known], use_agent=False, own_known_hosts=root / "own_known_hosts"
            )
            if log:
                log("measuring Podpora's tunnel")
            with connect("bench", options) as conn:
                low_latency = conn.open_low_latency_session()
                # The console reads the channel itself; `ssh -L`-style forwarding adds a socket hop.
                podpora = measure(lambda: conn.open_stream("127.0.0.1", traffic.port), megabytes, pings)
                with LocalForward(conn, "127.0.0.1", traffic.port) as forward:
                    podpora_forward = measure(socket_opener(forward.local_port), megabytes, pings)
                cipher = conn.reports[0].cipher
            if log:
                log("measuring OpenSSH ssh -L")
            with openssh_forward(config, "bench", traffic.port, root / "ctl") as port:
                openssh = measure(socket_opener(port), megabytes, pings)
        finally:
            traffic.close()
            factory.stop_all()
    return {
        "benchmark": "tunnel",
        "megabytes_each_way": megabytes,
        "pings": pings,
        "podpora": {
            **podpora,
            "path": "direct-tcpip channel read by Podpora (as the console does)",
            "cipher": cipher,
            "low_latency_pty_session": low_latency,
        },
        "podpora_local_forward": {**podpora_forward, "path": "127.0.0.1 port forwarded like ssh -L"},
        "openssh": {**openssh, "path": "ssh -L, socket to the forwarded port"},
        "ratio_podpora_to_openssh": {
            "upload": _ratio(podpora["upload_mb_s"], openssh["upload_mb_s"]),
            "download": _ratio(podpora["download_mb_s"], openssh["download_mb_s"]),
            "rtt_p50": _ratio(podpora["rtt_ms_p50"], openssh["rtt_ms_p50"]),
        },
        "targets": {"throughput_ratio_at_least": 0.9, "rtt_ratio_at_most": 1.3},
    }


def run(args: argparse.Namespace) -> int:
    """Print the benchmark's JSON."""

    def progress(text: str) -> None:
        if not args.json:
            print(text, flush=True)

    print(json.dumps(run_benchmark(args.megabytes, args.pings, progress), indent=2))
    return 0
