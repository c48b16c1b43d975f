"""Fork-bomb containment (T25): every run in its own pids cgroup, and everything in it killed at the end.

Real processes throughout: the runner's fixed bootstrap sets up a cgroup v1 ``pids`` group on this machine
(root), locally and over a real sshd.  A real fork bomb fills its group and no further; children that call
``setsid`` (and so leave the process group that cancel signals) die at cancel, timeout, a lost link and the
script's normal end; the group directory is gone afterwards.  As an ordinary user (``nobody``, who may not
create cgroups here) the run falls back to RLIMIT_NPROC and the result says protection is limited.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from app.diagnostics.containment import MAX_PROCESSES, Containment, parse_containment, parse_refused
from app.diagnostics.results import Progress, Report, ScriptResult, render_text
from app.diagnostics.runner import LocalExecutor, RunControl, Runner, RunningCommand, build_argv
from tests.diagnostics.conftest import (
    ScriptFolder,
    SshTarget,
    processes_with,
    wait_for_processes_with,
    wait_until_gone,
)

PIDS_ROOT = Path("/sys/fs/cgroup/pids")
needs_pids_cgroup = pytest.mark.skipif(
    os.geteuid() != 0 or not (PIDS_ROOT / "cgroup.procs").exists(),
    reason="needs root and the cgroup v1 pids controller at /sys/fs/cgroup/pids",
)

TOKEN_PARAM = """
[parameters.token]
type = "string"
label = "marker"
pattern = "[a-f0-9]{32}"
required = true
"""

#: Reports its pids group first (the test reads that group's counters), refuses to fork at all unless a
#: pids.max of at most 1000 bounds it (a broken runner must not take the test machine down), then forks
#: until the kernel says no.  Every process then waits instead of spinning, so the test costs no CPU.
FORK_BOMB = """\
lines = open("/proc/self/cgroup").read().splitlines()
group = [line.split(":", 2)[2] for line in lines if "pids" in line.split(":")[1].split(",")][0]
emit("progress", percent=1, message=group)
try:
    limit = int(open("/sys/fs/cgroup/pids" + group + "/pids.max").read())
except (OSError, ValueError):
    limit = None
if limit is None or limit > 1000:
    emit("progress", percent=2, message="not contained: no fork bomb")
    sys.exit(3)
original = os.getpid()
while True:
    try:
        os.fork()
    except OSError:
        break
if os.getpid() == original:
    emit("progress", percent=50, message="refused")
time.sleep(300)
"""

#: A child that leaves the script's process group (``setsid``) and sleeps; the script then waits too,
#: or says ``done`` at once when ``P["finish"]`` is set.
SETSID_CHILD = """\
import subprocess
lines = open("/proc/self/cgroup").read().splitlines()
group = [line.split(":", 2)[2] for line in lines if "pids" in line.split(":")[1].split(",")][0]
emit("progress", percent=1, message=group)
child = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(300)", P["token"] + "-child"], start_new_session=True
)
emit("progress", percent=10, message="child %d" % child.pid)
if P.get("finish"):
    emit("done")
    sys.exit(0)
time.sleep(300)
emit("done")
"""
FINISH_PARAM = """
[parameters.finish]
type = "bool"
label = "finish at once"
"""


class _Watch:
    """Collects a run's progress messages and lets the test wait for one."""

    def __init__(self, wanted: str, action: Any = None) -> None:
        self.messages: list[str] = []
        self.wanted = wanted
        self.seen = threading.Event()
        self.action = action
        self.action_result: Any = None

    def __call__(self, event: object) -> None:
        if not isinstance(event, Progress):
            return
        self.messages.append(event.message)
        if event.message.startswith(self.wanted) and not self.seen.is_set():
            if self.action is not None:
                self.action_result = self.action(self.messages[0])
            self.seen.set()

    @property
    def group(self) -> Path:
        """The script's own pids group directory, as it reported it first."""
        return PIDS_ROOT / self.messages[0].lstrip("/")


def _run_in_thread(runner: Runner, script: object, values: dict[str, object], **kwargs: Any) -> tuple:
    box: dict[str, Any] = {}

    def work() -> None:
        box["result"] = runner.run(script, values, **kwargs)  # type: ignore[arg-type]

    thread = threading.Thread(target=work)
    thread.start()
    return thread, box


def _counters(group_path: str) -> dict[str, Any]:
    """The bomb's group counters, read the moment it reports its first refused fork; and a fork of ours."""
    group = PIDS_ROOT / group_path.lstrip("/")
    events = (group / "pids.events").read_text().split()
    counters: dict[str, Any] = {
        "max": int((group / "pids.max").read_text()),
        "current": int((group / "pids.current").read_text()),
        "peak": int((group / "pids.peak").read_text()),
        "refused": int(events[1]),
    }
    # The machine is fine: this process (outside the group) still starts programs.
    counters["we_can_fork"] = subprocess.run(["true"], check=False, timeout=30).returncode == 0
    return counters


def _pgid(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[2])


def _assert_bomb_contained(watch: _Watch, result: ScriptResult, token: str) -> None:
    counters = watch.action_result
    assert counters is not None, watch.messages
    assert counters["max"] == MAX_PROCESSES
    assert counters["refused"] > 0  # the kernel refused forks: the bomb really hit the limit
    assert counters["peak"] <= MAX_PROCESSES
    assert counters["current"] <= MAX_PROCESSES
    assert counters["we_can_fork"]
    assert result.containment is not None
    assert result.containment.method == "cgroup-v1"
    assert not result.containment.limited
    assert result.containment.refused_forks > 0
    assert processes_with(token) == []
    assert not watch.group.exists()
    text = render_text(Report(host="localhost", results=[result], created_at=0.0), "en")
    assert f"more than {MAX_PROCESSES} processes" in text


@needs_pids_cgroup
def test_a_fork_bomb_fills_its_group_and_no_more_then_cancel_kills_it(scripts: ScriptFolder) -> None:
    scripts.add("bomb", FORK_BOMB, extra=TOKEN_PARAM)
    script = scripts.catalog().get("bomb")
    token = uuid.uuid4().hex
    control = RunControl()
    watch = _Watch("refused", _counters)
    thread, box = _run_in_thread(Runner(LocalExecutor()), script, {"token": token}, control=control, on_event=watch)
    assert watch.seen.wait(60), watch.messages
    control.cancel()
    thread.join(60)
    assert not thread.is_alive()
    result = box["result"]
    assert result.run_status == "cancelled"
    _assert_bomb_contained(watch, result, token)


@needs_pids_cgroup
@pytest.mark.sshd
def test_a_fork_bomb_over_ssh_is_contained_and_ends_at_its_timeout(
    scripts: ScriptFolder, ssh_target: SshTarget
) -> None:
    scripts.add("bomb", FORK_BOMB, extra=TOKEN_PARAM)
    script = scripts.catalog().get("bomb")
    token = uuid.uuid4().hex
    watch = _Watch("refused", _counters)
    result = Runner(ssh_target.executor).run(script, {"token": token}, on_event=watch, timeout=8)
    assert watch.seen.is_set(), watch.messages
    assert result.run_status == "timeout"
    _assert_bomb_contained(watch, result, token)


def _start_setsid_child(runner: Runner, scripts: ScriptFolder, **kwargs: Any) -> tuple[Any, ...]:
    scripts.add("escaper", SETSID_CHILD, extra=TOKEN_PARAM + FINISH_PARAM)
    script = scripts.catalog().get("escaper")
    token = uuid.uuid4().hex
    watch = _Watch("child")
    thread, box = _run_in_thread(runner, script, {"token": token}, on_event=watch, **kwargs)
    assert watch.seen.wait(60), watch.messages
    child = wait_for_processes_with(token + "-child", 1)
    assert len(child) == 1
    members = [int(pid) for pid in watch.group.joinpath("cgroup.procs").read_text().split()]
    assert child[0] in members  # setsid left the process group, not the cgroup
    script_pid = next(pid for pid in members if pid != child[0])
    # The control: the child really left the script's process group, so a group kill alone misses it.
    assert _pgid(child[0]) != _pgid(script_pid)
    return thread, box, watch, token, child


@needs_pids_cgroup
@pytest.mark.sshd
def test_a_setsid_child_dies_at_cancel(scripts: ScriptFolder, ssh_target: SshTarget) -> None:
    control = RunControl()
    thread, box, watch, token, _child = _start_setsid_child(Runner(ssh_target.executor), scripts, control=control)
    control.cancel()
    thread.join(60)
    assert box["result"].run_status == "cancelled"
    assert box["result"].containment.method == "cgroup-v1"
    assert processes_with(token) == []
    assert not watch.group.exists()


@needs_pids_cgroup
@pytest.mark.sshd
def test_a_setsid_child_dies_at_timeout(scripts: ScriptFolder, ssh_target: SshTarget) -> None:
    thread, box, watch, token, _child = _start_setsid_child(Runner(ssh_target.executor), scripts, timeout=4)
    thread.join(60)
    assert box["result"].run_status == "timeout"
    assert processes_with(token) == []
    assert not watch.group.exists()


@needs_pids_cgroup
@pytest.mark.sshd
def test_a_setsid_child_dies_when_the_link_is_lost(scripts: ScriptFolder, ssh_target: SshTarget) -> None:
    thread, box, watch, token, child = _start_setsid_child(Runner(ssh_target.executor), scripts)
    everything = processes_with(token)  # the bootstrap, its watchdog, the script and the child
    assert set(child) <= set(everything)
    ssh_target.connection.close()
    thread.join(60)
    assert box["result"].run_status == "connection_lost"
    # The bootstrap's watchdog notices the closed channel, empties the cgroup, removes it and ends.
    assert wait_until_gone(everything, timeout=20) == []
    assert processes_with(token) == []
    assert not watch.group.exists()


class _ShellExecutor(LocalExecutor):
    """Runs the bootstrap with another POSIX shell (targets where ``sh`` is bash or busybox)."""

    def __init__(self, shell: str) -> None:
        self.shell = shell

    def start(self, argv: Sequence[str]) -> RunningCommand:
        argv = list(argv)
        if "setsid" in argv:
            at = argv.index("setsid") + 2
            assert argv[at] == "sh"
            argv[at] = self.shell
        return super().start(argv)


@needs_pids_cgroup
@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_children_left_behind_die_when_the_script_ends(scripts: ScriptFolder, shell: str) -> None:
    scripts.add("finisher", SETSID_CHILD, extra=TOKEN_PARAM + FINISH_PARAM)
    finisher = scripts.catalog().get("finisher")
    token = uuid.uuid4().hex
    watch = _Watch("child")
    result = Runner(_ShellExecutor(shell)).run(finisher, {"token": token, "finish": True}, on_event=watch)
    # Before, such a child kept the output channel open and the run ended in a timeout.
    assert result.run_status == "completed", (result.error, result.stderr_tail)
    assert result.containment == Containment("cgroup-v1", MAX_PROCESSES)
    assert processes_with(token) == []
    assert not watch.group.exists()


class _NobodyExecutor(LocalExecutor):
    """Runs every command as ``nobody`` (65534), who may not create cgroups on this machine."""

    def start(self, argv: Sequence[str]) -> RunningCommand:
        return super().start(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv])

    def is_root(self) -> bool:
        return False


RLIMIT_PROBE = """\
import resource
soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
emit("check", id="probe", status="ok", finding="nproc %d" % soft, evidence={"soft": soft, "uid": os.getuid()})
emit("done")
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become nobody")
def test_without_a_cgroup_the_run_falls_back_to_rlimit_and_says_protection_is_limited(
    scripts: ScriptFolder, tmp_path: Path
) -> None:
    scripts.add("probe", RLIMIT_PROBE)
    script = scripts.catalog().get("probe")
    result = Runner(_NobodyExecutor()).run(script)
    assert result.run_status == "completed", (result.error, result.stderr_tail)
    evidence = result.checks[0].evidence
    assert evidence["uid"] == 65534
    # RLIMIT_NPROC counts all of nobody's tasks: the bootstrap sets it to those plus the fixed allowance.
    assert MAX_PROCESSES < evidence["soft"] < 100_000
    assert result.containment == Containment("rlimit", MAX_PROCESSES)
    assert result.containment.limited
    document = result.to_dict()
    assert document["containment"] == {
        "method": "rlimit",
        "max_processes": MAX_PROCESSES,
        "limited": True,
        "refused_forks": 0,
    }
    assert ScriptResult.from_dict(document).containment == result.containment
    report = Report(host="localhost", results=[result], created_at=0.0)
    assert "Limited protection" in render_text(report, "en")
    assert "Omezená ochrana" in render_text(report, "cs")
    assert "Obmedzená ochrana" in render_text(report, "sk")


SYSTEMD_RUN_SHIM = """#!/bin/sh
# Records its argv, then does what systemd-run --scope does for the caller: runs the command after "--".
echo "systemd-run $*" >>"$(dirname "$0")/calls.log"
while [ $# -gt 0 ]; do
  if [ "$1" = -- ]; then shift; exec "$@"; fi
  shift
done
exit 0
"""
SYSTEMCTL_SHIM = """#!/bin/sh
echo "systemctl $*" >>"$(dirname "$0")/calls.log"
"""
ARGS_PROBE = """\
emit("check", id="args", status="ok", finding="got %s" % P["token"], evidence={"token": P["token"]})
emit("done")
"""


@pytest.fixture
def systemd_shims() -> Iterator[Path]:
    """``systemd-run`` and ``systemctl`` stand-ins that ``nobody`` may run, in a folder it may write."""
    folder = Path(tempfile.mkdtemp(prefix="podpora-shims-", dir="/tmp"))
    try:
        for name, text in (("systemd-run", SYSTEMD_RUN_SHIM), ("systemctl", SYSTEMCTL_SHIM)):
            (folder / name).write_text(text)
            (folder / name).chmod(0o755)
        (folder / "calls.log").touch()
        (folder / "calls.log").chmod(0o666)
        folder.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder)


class _NobodyWithPath(_NobodyExecutor):
    """``nobody`` with ``folder`` first on ``PATH`` (where the systemd stand-ins are)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def start(self, argv: Sequence[str]) -> RunningCommand:
        path = f"PATH={self.folder}:{os.environ.get('PATH', '/usr/bin:/bin')}"
        return super().start(["env", path, *argv])


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become nobody")
def test_a_user_manager_scope_is_used_when_no_cgroup_is_writable(scripts: ScriptFolder, systemd_shims: Path) -> None:
    """No systemd runs here: stand-ins check the argv the bootstrap gives ``systemd-run`` and ``systemctl``."""
    scripts.add("args", ARGS_PROBE, extra=TOKEN_PARAM)
    token = uuid.uuid4().hex
    result = Runner(_NobodyWithPath(systemd_shims)).run(scripts.catalog().get("args"), {"token": token})
    assert result.run_status == "completed", (result.error, result.stderr_tail)
    assert result.checks[0].evidence["token"] == token  # the parameters came through systemd-run intact
    assert result.containment == Containment("systemd", MAX_PROCESSES)
    assert not result.containment.limited
    probe, run, kill = (systemd_shims / "calls.log").read_text().splitlines()
    assert probe == f"systemd-run --user --scope --quiet -p TasksMax={MAX_PROCESSES} true"
    prefix = f"systemd-run --user --scope --quiet --collect -p TasksMax={MAX_PROCESSES} --unit=podpora-"
    assert run.startswith(prefix)
    unit = run[len(prefix) - len("podpora-") :].split()[0]
    assert run.endswith(f' -- python3 -I - {{"token":"{token}"}}')
    # When the script ends, whatever is left in its scope is killed.
    assert kill == f"systemctl --user kill --signal=KILL {unit}.scope"


QUICK_SH = """\
echo '{"type": "check", "id": "quick", "status": "ok", "finding": "quick"}'
echo '{"type": "done"}'
"""
QUICK_RUNS = 40


@needs_pids_cgroup
def test_quick_scripts_leave_no_watchdog_or_group_behind(scripts: ScriptFolder) -> None:
    """A script that ends within milliseconds: the bootstrap's watchdog and cgroup go with it, every time.

    Was a bug: with the TERM trap set before the watchdog was forked, dash could swallow the TERM that stops
    the watchdog, which then kept the run's stderr open and lived on (3 of 20 runs here).  The body is
    handed over with the start, as fast as possible, which is what made the race show.
    """
    scripts.add("quick", QUICK_SH, interpreter="sh", extra=TOKEN_PARAM)
    script = scripts.catalog().get("quick")
    lingering = 0
    for _ in range(QUICK_RUNS):
        token = uuid.uuid4().hex
        argv = build_argv(script, {"token": token}, sudo=False)
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, _err = process.communicate(script.body, timeout=30)
        except subprocess.TimeoutExpired:
            lingering += 1
            os.killpg(process.pid, 9)  # setsid made the process its own group: this run's processes only
            process.communicate()
            continue
        assert b"PODPORA-CONTAINMENT cgroup-v1" in out
        assert b'"done"' in out
        assert processes_with(token) == []  # the bootstrap's argv carries the token; so would a watchdog's
    assert lingering == 0


def test_only_well_formed_bootstrap_lines_count() -> None:
    assert parse_containment(b"PODPORA-CONTAINMENT cgroup-v2 64\n") == Containment("cgroup-v2", 64)
    assert parse_containment(b"PODPORA-CONTAINMENT none 0\n") == Containment("none", 0)
    assert parse_containment(b"PODPORA-CONTAINMENT magic 64\n") is None
    assert parse_containment(b"PODPORA-CONTAINMENT cgroup-v1 lots\n") is None
    assert parse_containment(b'{"type": "done"}\n') is None
    assert parse_refused(b"PODPORA-PIDS-REFUSED 12\n") == 12
    assert parse_refused(b"PODPORA-PIDS-REFUSED -1\n") is None
    assert Containment.from_dict({"method": "forged", "max_processes": 5}).limited


def test_a_result_without_containment_loads_and_renders() -> None:
    document = {
        "script": {"id": "old", "version": "1.0.0"},
        "run_status": "completed",
        "checks": [],
    }
    result = ScriptResult.from_dict(document)
    assert result.containment is None
    assert "protection" not in render_text(Report(host="h", results=[result], created_at=0.0), "en")
