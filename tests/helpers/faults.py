"""Fault helpers for reliability tests: ``kill -9``, a tiny tmpfs that fills up, and a clock that jumps.

- :func:`kill9` ends a child process the hard way (no cleanup handlers run) and reaps it.
- :func:`tiny_tmpfs` mounts a real tmpfs of a few KiB (tests run as root; SECURITY-BAR.md §3.0 "Disk full"),
  so writes fail with ``ENOSPC`` from the kernel rather than from a monkeypatch. It fails loudly when the
  mount is not possible instead of silently testing a normal folder.
- :class:`FakeClock` is handed to pure modules, which take time as an argument: ``monotonic`` only moves
  forward, ``wall`` can be stepped either way (an NTP step or a user changing the clock).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


def kill9(process: subprocess.Popen[bytes] | subprocess.Popen[str] | int, timeout: float = 10) -> int:
    """Send SIGKILL to ``process`` (a Popen or a pid of our own child) and reap it; return its status.

    For a Popen the return code is ``-9``. For a bare pid the raw wait status is decoded the same way.
    """
    if isinstance(process, int):
        os.kill(process, signal.SIGKILL)
        _, status = os.waitpid(process, 0)
        return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    process.kill()
    return process.wait(timeout)


@dataclass
class TinyDisk:
    """A mounted tmpfs of ``size_bytes``; :meth:`fill` takes all free space, :meth:`release` gives it back."""

    path: Path
    size_bytes: int
    _filler: Path = field(init=False)

    def __post_init__(self) -> None:
        self._filler = self.path / ".filler"

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def fill(self) -> None:
        """Write until the kernel answers ENOSPC, so the next write by the code under test fails."""
        with open(self._filler, "ab", buffering=0) as filler:
            chunk = b"\0" * 4096
            while True:
                try:
                    filler.write(chunk)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    if len(chunk) == 1:
                        break
                    chunk = chunk[: len(chunk) // 2]  # top up the last partial block
        if self.free_bytes() != 0:
            raise RuntimeError(f"tmpfs at {self.path} still has {self.free_bytes()} bytes free after fill()")

    def release(self) -> None:
        """Delete the filler: space is available again (to test recovery after a full disk)."""
        with contextlib.suppress(FileNotFoundError):
            self._filler.unlink()


@contextlib.contextmanager
def tiny_tmpfs(path: Path, size: str = "64k") -> Iterator[TinyDisk]:
    """Mount a tmpfs of ``size`` at ``path`` (created if needed) and unmount it afterwards.

    Needs root (the test machines run tests as root). Raises RuntimeError with mount's own message if the
    mount fails, so a test never passes by writing to an ordinary, roomy folder.
    """
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        raise RuntimeError(f"cannot mount a tmpfs at {path} (needs root): {mounted.stderr.strip()}")
    try:
        stats = os.statvfs(path)
        yield TinyDisk(path, stats.f_blocks * stats.f_frsize)
    finally:
        unmounted = subprocess.run(["umount", str(path)], capture_output=True, text=True, check=False)
        if unmounted.returncode != 0:
            # Something still holds a file open; detach now so the test run does not leak mounts.
            subprocess.run(["umount", "-l", str(path)], check=True)


class FakeClock:
    """A controllable clock for pure modules: ``monotonic()`` never goes back, ``wall()`` can jump."""

    def __init__(self, *, wall: float = 1_800_000_000.0, monotonic: float = 1000.0) -> None:
        self._wall = wall
        self._monotonic = monotonic

    def monotonic(self) -> float:
        return self._monotonic

    def wall(self) -> float:
        """Seconds since the epoch, like ``time.time()``."""
        return self._wall

    # ``time`` is the name most code uses for the wall clock.
    time = wall

    def __call__(self) -> float:
        """Calling the clock reads the monotonic time (for code that takes ``now: Callable[[], float]``)."""
        return self._monotonic

    def advance(self, seconds: float) -> None:
        """Real time passes: both clocks move forward together."""
        if seconds < 0:
            raise ValueError("time does not pass backwards; use jump_wall() for a clock step")
        self._monotonic += seconds
        self._wall += seconds

    def jump_wall(self, seconds: float) -> None:
        """Step only the wall clock (NTP correction or a manual change), forwards or backwards."""
        self._wall += seconds
