"""Start a private virtual X display (Xvfb) for the demo's "user machine", the benchmarks and the tests.

Xvfb is started with ``-displayfd`` so it picks a free display number and writes it to a pipe once it accepts
connections: readiness is reported by the server itself, never guessed by sleeping.  It never listens on TCP.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP


class DisplayError(PodporaError):
    """The virtual display could not be started."""


@dataclass
class VirtualDisplay:
    """A running Xvfb: ``name`` is the DISPLAY value (``:N``)."""

    name: str
    width: int
    height: int
    process: subprocess.Popen[bytes]

    def env(self) -> dict[str, str]:
        """The environment for a child process that should use this display."""
        return {**os.environ, "DISPLAY": self.name}

    def stop(self) -> None:
        """Terminate the server."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stderr:
            self.process.stderr.close()


def start_xvfb(
    width: int = 1280, height: int = 800, depth: int = 24, *, extra: list[str] | None = None
) -> VirtualDisplay:
    """Start Xvfb on a free display and return once it accepts clients; raise if it cannot start."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise DisplayError(
            "Xvfb not found",
            user_text=QT_TRANSLATE_NOOP("podpora", "Xvfb is not installed. Run scripts/setup (Debian package xvfb)."),
        )
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [
            binary,
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{width}x{height}x{depth}",
            "-nolisten",
            "tcp",
            "-noreset",
            "+extension",
            "DAMAGE",
            "+extension",
            "XTEST",
            *(extra or []),
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as reader:
        number = reader.readline().strip()
    if not number:
        err = process.stderr.read().decode() if process.stderr else ""
        process.kill()
        raise DisplayError(
            f"Xvfb failed to start: {err}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The virtual display could not be started: {reason}"),
            reason=err.strip()[-200:],
        )
    return VirtualDisplay(name=f":{number.decode()}", width=width, height=height, process=process)
