"""The fault helpers themselves: kill -9, the tiny tmpfs and the fake clock behave as documented."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.faults import FakeClock, kill9, tiny_tmpfs


def test_kill9_ends_a_process_that_ignores_sigterm() -> None:
    code = (
        "import signal, sys; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); sys.stdin.read()"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline() == b"up\n"
    assert kill9(process) == -9
    process.stdin.close()  # type: ignore[union-attr]
    process.stdout.close()


def test_kill9_by_pid_reaps_the_child() -> None:
    pid = os.fork()
    if pid == 0:  # child: nothing to do but wait for the signal
        signal.pause()
        os._exit(0)
    assert kill9(pid) == -9
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)


def test_tiny_tmpfs_fills_up_then_recovers(tmp_path: Path) -> None:
    mount_point = tmp_path / "data"
    with tiny_tmpfs(mount_point, "64k") as disk:
        assert disk.size_bytes == 64 * 1024
        assert disk.free_bytes() == 64 * 1024
        disk.fill()
        with pytest.raises(OSError) as raised:
            (mount_point / "journal").write_bytes(b"x" * 4096)
        assert raised.value.errno == errno.ENOSPC
        disk.release()
        (mount_point / "journal").write_bytes(b"x" * 4096)
    assert not os.path.ismount(mount_point)


def test_tiny_tmpfs_fails_loudly_when_it_cannot_mount(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises((RuntimeError, FileExistsError)), tiny_tmpfs(not_a_dir):
        pass


def test_fake_clock_jumps_wall_time_but_never_monotonic_time() -> None:
    clock = FakeClock(wall=1000.0, monotonic=5.0)
    clock.advance(2.5)
    assert (clock.wall(), clock.monotonic(), clock()) == (1002.5, 7.5, 7.5)
    clock.jump_wall(-3600)
    assert clock.time() == 1002.5 - 3600
    assert clock.monotonic() == 7.5
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
