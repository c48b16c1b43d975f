"""The runner over a real sshd: cancel and timeout kill the remote process group, a dead connection is an
error, parallel channels; and per-action consent (locally: the same runner, another executor)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from app.diagnostics.results import Progress
from app.diagnostics.runner import (
    ApprovalDecision,
    ApprovalRequest,
    LocalExecutor,
    RefuseAll,
    RunControl,
    Runner,
)
from tests.diagnostics.conftest import (
    ScriptFolder,
    SshTarget,
    processes_with,
    wait_for_processes_with,
    wait_until_gone,
)

pytestmark = pytest.mark.sshd

SLEEPER = """\
import subprocess
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", P["token"]])
emit("progress", percent=10, message="child %d" % child.pid)
time.sleep(300)
emit("done")
"""
TOKEN_PARAM = """
[parameters.token]
type = "string"
label = "marker"
pattern = "[a-f0-9]{32}"
required = true
"""


def _run_in_thread(runner: Runner, script: object, values: dict[str, object], **kwargs: object) -> tuple:
    box: dict[str, object] = {}
    started = threading.Event()

    def on_event(event: object) -> None:
        if isinstance(event, Progress):
            started.set()

    def work() -> None:
        box["result"] = runner.run(script, values, on_event=on_event, **kwargs)  # type: ignore[arg-type]

    thread = threading.Thread(target=work)
    thread.start()
    return thread, started, box


def test_cancel_kills_the_remote_process_group(scripts: ScriptFolder, ssh_target: SshTarget) -> None:
    scripts.add("sleeper", SLEEPER, extra=TOKEN_PARAM)
    script = scripts.catalog().get("sleeper")
    token = uuid.uuid4().hex
    control = RunControl()
    thread, started, box = _run_in_thread(Runner(ssh_target.executor), script, {"token": token}, control=control)
    assert started.wait(30), "the remote script never reported progress"
    assert len(wait_for_processes_with(token, 2)) >= 2  # the script and its child both run
    control.cancel()
    thread.join(30)
    result = box["result"]
    assert result.run_status == "cancelled"  # type: ignore[attr-defined]
    assert result.status == "error"  # type: ignore[attr-defined]
    assert processes_with(token) == []


def test_timeout_kills_the_remote_process_group(scripts: ScriptFolder, ssh_target: SshTarget) -> None:
    scripts.add("sleeper", SLEEPER, extra=TOKEN_PARAM)
    script = scripts.catalog().get("sleeper")
    token = uuid.uuid4().hex
    result = Runner(ssh_target.executor).run(script, {"token": token}, timeout=3)
    assert result.run_status == "timeout"
    assert result.status == "error"
    assert processes_with(token) == []


def test_dead_connection_is_reported_and_leaves_nothing_running(scripts: ScriptFolder, ssh_target: SshTarget) -> None:
    body = """\
    import subprocess
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", P["token"]])
    emit("check", id="half", status="ok", finding="first half fine")
    emit("progress", percent=50, message="halfway")
    time.sleep(300)
    emit("done")
    """
    scripts.add("half", body, extra=TOKEN_PARAM)
    script = scripts.catalog().get("half")
    token = uuid.uuid4().hex
    thread, started, box = _run_in_thread(Runner(ssh_target.executor), script, {"token": token})
    assert started.wait(30)
    remote = wait_for_processes_with(token, 2)
    assert len(remote) >= 2
    ssh_target.connection.close()  # the link dies mid-run
    thread.join(30)
    result = box["result"]
    assert result.run_status == "connection_lost", result.error  # type: ignore[attr-defined]
    assert result.status == "error"  # type: ignore[attr-defined]
    assert [c.status for c in result.checks] == ["ok"]  # type: ignore[attr-defined]
    # The bootstrap's watchdog notices the closed channel and kills the script's whole process group.
    assert wait_until_gone(remote, timeout=15) == []


def test_parallel_runs_use_separate_channels(scripts: ScriptFolder, ssh_target: SshTarget) -> None:
    body = """\
    emit("check", id="who", status="ok", finding="pid", evidence={"pid": os.getpid(), "pgid": os.getpgid(0)})
    emit("done")
    """
    for index in range(6):
        scripts.add(f"who{index}", body.replace('"who"', f'"who{index}"'))
    catalog = scripts.catalog()
    results = Runner(ssh_target.executor, max_parallel=6).run_many(catalog.all())
    assert [r.run_status for r in results] == ["completed"] * 6
    groups = {r.checks[0].evidence["pgid"] for r in results}
    assert len(groups) == 6  # each script in its own process group


def test_sh_scripts_get_values_as_positional_arguments(scripts: ScriptFolder, ssh_target: SshTarget) -> None:
    body = """\
    printf '{"type": "progress", "percent": 50, "message": "pid %s"}\\n' "$$"
    printf '{"type": "check", "id": "shell", "status": "ok", "finding": "%s|%s"}\\n' "$1" "$2"
    printf '{"type": "done"}\\n'
    """
    extra = """
[parameters.word]
type = "string"
label = "a word"
pattern = "[a-z ;$()]+"
required = true

[parameters.count]
type = "int"
label = "a number"
default = 3
"""
    scripts.add("shell", body, interpreter="sh", extra=extra)
    result = Runner(ssh_target.executor).run(scripts.catalog().get("shell"), {"word": "a; $(touch x)"})
    assert result.run_status == "completed", (result.error, result.stderr_tail)
    assert result.checks[0].finding == "a; $(touch x)|3"


def test_missing_interpreter_is_a_clear_error(scripts: ScriptFolder, tmp_path: Path) -> None:
    scripts.add("probe", 'emit("done")\n')
    script = scripts.catalog().get("probe")

    class NoPython(LocalExecutor):
        def start(self, argv):  # type: ignore[no-untyped-def]
            return super().start([a if a != "python3" else "python3-does-not-exist" for a in argv])

    result = Runner(NoPython()).run(script)
    assert result.run_status == "error"
    assert "missing" in (result.error or "")


def test_endless_output_is_capped(scripts: ScriptFolder) -> None:
    body = """\
    while True:
        emit("progress", percent=1, message="x" * 500)
    """
    scripts.add("chatty", body)
    result = Runner(LocalExecutor()).run(scripts.catalog().get("chatty"))
    assert result.run_status == "error"
    assert result.truncated
    assert "more output" in (result.error or "")


# -- consent ---------------------------------------------------------------------------------------------

PROBE = """\
exists = os.path.exists(P["canary"])
emit("check", id="probe", status="ok" if exists else "warning", finding="canary %s" % exists)
emit("done")
"""
CANARY_PARAM = """
[parameters.canary]
type = "string"
label = "canary"
pattern = "/.*"
required = true
"""
FIX = """\
open(P["canary"], "w").write("fixed")
emit("check", id="{id}", status="ok", finding="wrote canary")
emit("done")
"""


class ApproveOnly:
    """Approves the listed script ids, refuses the rest, and remembers every decision."""

    def __init__(self, *allowed: str) -> None:
        self.allowed = set(allowed)
        self.requests: list[ApprovalRequest] = []
        self.decisions: list[ApprovalDecision] = []

    def request_approval(self, request: ApprovalRequest) -> ApprovalDecision:
        self.requests.append(request)
        decision = ApprovalDecision.answer(request, request.script_id in self.allowed, "end user")
        self.decisions.append(decision)
        return decision


def _consent_folder(scripts: ScriptFolder, count: int = 1) -> None:
    scripts.add("probe", PROBE, extra=CANARY_PARAM)
    for index in range(1, count + 1):
        scripts.add(f"fix{index}", FIX.replace("{id}", f"fix{index}"), category="repair", extra=CANARY_PARAM)


def test_repair_without_approval_never_runs(scripts: ScriptFolder, tmp_path: Path) -> None:
    _consent_folder(scripts)
    catalog = scripts.catalog()
    canary = tmp_path / "canary"
    runner = Runner(LocalExecutor())
    outcome = runner.run_change(catalog.get("fix1"), {"canary": str(canary)}, catalog, RefuseAll())
    assert not canary.exists()
    assert outcome.repair.run_status == "refused"
    assert outcome.repair.approval is not None and outcome.repair.approval["approved"] is False
    assert [c.status for c in outcome.before] == ["warning"]
    assert outcome.after == []
    # Running a change script directly, bypassing approval, is refused too.
    direct = runner.run(catalog.get("fix1"), {"canary": str(canary)})
    assert direct.run_status == "refused"
    assert not canary.exists()


def test_approved_repair_runs_and_is_verified_before_and_after(scripts: ScriptFolder, tmp_path: Path) -> None:
    _consent_folder(scripts)
    catalog = scripts.catalog()
    canary = tmp_path / "canary"
    approver = ApproveOnly("fix1")
    outcome = Runner(LocalExecutor()).run_change(catalog.get("fix1"), {"canary": str(canary)}, catalog, approver)
    assert canary.read_text() == "fixed"
    request = approver.requests[0]
    assert request.digest == catalog.get("fix1").digest
    assert request.changes is not None and request.undo is not None
    assert outcome.repair.approval is not None and outcome.repair.approval["decided_by"] == "end user"
    assert [(cid, b.status, a.status) for cid, b, a in outcome.comparison()] == [("probe", "warning", "ok")]
    assert outcome.verified


def test_each_change_needs_its_own_approval(scripts: ScriptFolder, tmp_path: Path) -> None:
    """T24: three repairs, only #2 approved -> only canary #2 exists; a replayed approval is refused."""
    _consent_folder(scripts, count=3)
    catalog = scripts.catalog()
    runner = Runner(LocalExecutor())
    approver = ApproveOnly("fix2")
    for index in (1, 2, 3):
        runner.run_change(catalog.get(f"fix{index}"), {"canary": str(tmp_path / f"c{index}")}, catalog, approver)
    assert [(tmp_path / f"c{i}").exists() for i in (1, 2, 3)] == [False, True, False]

    approved = approver.decisions[1]

    class Replay:
        def request_approval(self, request: ApprovalRequest) -> ApprovalDecision:
            return approved

    replayed = runner.run_change(catalog.get("fix2"), {"canary": str(tmp_path / "again")}, catalog, Replay())
    assert replayed.repair.run_status == "refused"
    assert "different action" in (replayed.repair.error or "")
    assert not (tmp_path / "again").exists()
