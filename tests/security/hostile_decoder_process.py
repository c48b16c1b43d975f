"""Stand-ins for the console's picture decoder process (SECURITY-BAR T26/T42), for test_decoder_process.py.

The console starts it in place of ``app.remote.decoder_process`` (``python hostile_decoder_process.py MODE [PATH]
--ipc-fd N``).  Modes:

- ``probe PATH``: the real decoder process, confined exactly as ``app.remote.decoder_process.main`` does, that
  first tries to read the file PATH and to create a file next to it, and appends what happened to the
  confinement line it greets the console with.
- ``outside``, ``small``, ``unsealed``, ``silent``: a compromised decoder that answers an update with drawn areas
  outside the screen, with a shared framebuffer too small for the screen, with a memfd that may shrink, or not at
  all.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import socket
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for `app`

from app.remote.privsep import IpcPeer


def probe(path: Path) -> str:
    """What the confined process can do with the test's files."""
    results = []
    try:
        path.read_bytes()
        results.append("read=yes")
    except OSError as error:
        results.append(f"read=no ({error.errno})")
    try:
        path.with_name("written-by-decoder").write_bytes(b"x")
        results.append("write=yes")
    except OSError as error:
        results.append(f"write=no ({error.errno})")
    return " ".join(results)


def memfd(size: int, *, sealed: bool) -> int:
    fd = os.memfd_create("hostile-screen", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    if sealed:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
    return fd


class Hostile:
    """A decoder process that greets properly and then answers every update wrongly, per mode."""

    def __init__(self, ipc: socket.socket, mode: str) -> None:
        self.mode = mode
        self.done = threading.Event()
        self.peer = IpcPeer(ipc, self._handle, name="hostile-decoder", on_closed=lambda _reason: self.done.set())

    def _handle(self, header: dict[str, Any], blob: bytes, fds: list[int]) -> None:
        request_id = header.get("id")
        if header["op"] == "hello":
            self.peer.reply(request_id, {"op": "hello", "confinement": f"hostile {self.mode}"})
            return
        if header["op"] != "apply" or self.mode == "silent":
            return
        width, height = header["width"], header["height"]
        reply: dict[str, Any] = {"op": "drawn", "width": width, "height": height, "fds": 1}
        if self.mode == "outside":
            reply["areas"] = [[width - 1, 0, 2, 1]]
            fd = memfd(width * height * 4, sealed=True)
        else:
            reply["areas"] = [[0, 0, 1, 1]]
            fd = memfd(
                width * height * 4 // 2 if self.mode == "small" else width * height * 4, sealed=self.mode != "unsealed"
            )
        self.peer.reply(request_id, reply, fds=(fd,))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["probe", "outside", "small", "unsealed", "silent"])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--ipc-fd", type=int, required=True)
    args = parser.parse_args()
    ipc = socket.socket(fileno=args.ipc_fd)
    if args.mode == "probe":
        from app.remote.decoder_process import DecoderProcess
        from app.remote.sandbox import confine_protocol_process

        confinement = confine_protocol_process()
        return DecoderProcess(ipc, f"{confinement.describe()} | {probe(args.path)}").run()
    hostile = Hostile(ipc, args.mode)
    hostile.peer.start()
    hostile.done.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
