"""Run verified scripts locally or on a remote machine, with timeouts, cancel, parallelism and consent.

The command is fixed and built as an argv list; nothing from a script or a parameter is ever interpolated
into a shell string::

    [sudo -n] setsid -w sh -c 'echo "PODPORA-PGID $$"; exec "$@"' podpora python3 -I - '<parameters as JSON>'

* ``setsid`` puts the script into its own process group (a new session) and the bootstrap prints that
  group's id first, so cancel and timeout can kill *every* process the script started, over a second exec
  channel on a remote machine (``kill -TERM -- -PGID``, then ``KILL``).
* Before the interpreter starts, the bootstrap puts it into a cgroup of its own with ``pids.max`` 64 (or,
  where the target allows no cgroup, an RLIMIT_NPROC, reported as limited protection), and it kills every
  process in that cgroup when the script ends, is stopped or loses its link: also children that called
  ``setsid`` and so left the process group (:mod:`app.diagnostics.containment`).
* The script body (the exact verified bytes held in memory) goes on stdin; ``python3 -I -`` reads it from
  there in isolated mode (no ``PYTHONPATH``, no user site, not the current folder) so files on the target
  cannot replace the standard library the script imports.  ``sh`` scripts get ``sh -s -- VALUES...``.
* Parameters are validated against the signed manifest first, then travel as one argv element.
* ``needs_admin`` scripts run through ``sudo -n`` when the account may do so without a password; when sudo
  wants one, the runner asks a :data:`PasswordPrompt` (the CLI: getpass; the console: a dialog), checks the
  answer with a separate ``sudo -S -k true`` first, then runs ``sudo -S -k -p '' -- setsid ...`` with the
  password as the first line of stdin, ahead of a marker line and the body.  The password is never in argv,
  the environment, a log or a result.

Where the command runs is an :class:`Executor`: :class:`LocalExecutor` here (the assist agent, "check my
computer", tests) or an SSH adapter that the composition root builds around the SSH connection's exec.

A repair, install or config script runs only after an :class:`ApprovalProvider` approves that exact action
(script digest, parameters, a fresh nonce; a decision is used once), and is wrapped by its verifying checks
before and after (:class:`~app.diagnostics.results.RepairOutcome`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.diagnostics.catalog import Catalog, VerifiedScript
from app.diagnostics.containment import (
    CONTAINMENT_MARKER,
    ENTER,
    REFUSED_MARKER,
    SETUP,
    Containment,
    parse_containment,
    parse_refused,
)
from app.diagnostics.errors import DiagnosticError
from app.diagnostics.manifest import JsonValue, Text, script_of_check
from app.diagnostics.results import (
    MAX_LINE_BYTES,
    Check,
    OutputParser,
    Progress,
    RepairOutcome,
    ScriptResult,
)
from app.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

PGID_MARKER = b"PODPORA-PGID "
#: The fixed bootstrap (POSIX sh) that runs the interpreter ``"$@"`` as a child in the new process group:
#: it prints the group id, keeps the script's stdin (a background job would otherwise get /dev/null), and
#: starts a watchdog that writes one NUL byte to stderr every second; when the connection is gone that write
#: fails and the watchdog kills the whole group, so a lost link leaves no script running on the target.
#: Before that it puts the script into its own cgroup with a ``pids.max`` (:mod:`app.diagnostics.containment`),
#: and whenever the script ends, is stopped (``TERM``, trapped) or loses its link (the watchdog), it kills
#: every process in that cgroup and removes it.  The ``TERM`` trap is set only after both subshells are
#: forked: dash can swallow a signal that arrives while a child it forks still carries the parent's trap
#: (seen here: a watchdog that outlived its bootstrap), and the watchdog is stopped with ``KILL`` for the
#: same reason.
BOOTSTRAP = (
    'echo "PODPORA-PGID $$"; ' + SETUP + "exec 3<&0; (" + ENTER + 'exec "$@") <&3 3<&- & script=$!; exec 3<&-; '
    "(trap '' PIPE; while :; do sleep 1 >/dev/null 2>&1; printf '\\000' >&2 || { cg_kill; kill -KILL 0; }; done)"
    " </dev/null >/dev/null & watchdog=$!; "
    "trap 'cg_kill; exit 143' TERM; "
    'wait "$script"; status=$?; kill -KILL "$watchdog" 2>/dev/null; cg_kill; exit "$status"'
)
#: With a sudo password the channel's stdin carries ``password LF``, this marker line, then the body.  sudo
#: reads the password a byte at a time; the bootstrap (now root) then drops lines up to the marker, so a
#: password that sudo did not ask for (a NOPASSWD rule) is discarded there and never reaches the interpreter.
BODY_MARKER = b"PODPORA-BODY"
SKIP_TO_BODY = (
    "IFS= read -r line || exit 97; "
    'if [ "$line" != PODPORA-BODY ]; then IFS= read -r line || exit 97; [ "$line" = PODPORA-BODY ] || exit 97; fi; '
)
#: Checks a sudo password before any script is sent: ``true`` through ``sudo -S`` with the password on stdin.
#: ``-k`` ignores cached credentials, so a wrong password is always noticed here, not in the middle of a run.
SUDO_PASSWORD_PROBE = ("sudo", "-S", "-k", "-p", "", "--", "true")
SUDO_NOPASSWD_PROBE = ("sudo", "-n", "--", "true")
SUDO_ATTEMPTS = 3
HEARTBEAT = b"\0"
RUNNABLE_PLATFORM = "linux"
STDERR_LIMIT = 16 * 1024
TERM_GRACE = 2.0
KILL_GRACE = 5.0


class ExecutorError(DiagnosticError):
    """A command could not be started or followed (the target, not the script, failed)."""


class ConnectionLost(ExecutorError):
    """The connection to the target broke; whatever the script did is unknown."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"connection lost: {detail}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The connection to the computer was lost: {detail}"),
            detail=detail,
        )


class ReadStream(Protocol):
    """A blocking binary stream (a pipe or an SSH channel file)."""

    def readline(self, size: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


class WriteStream(Protocol):
    """The command's stdin; ``close`` sends end-of-file."""

    def write(self, data: bytes, /) -> Any: ...

    def close(self) -> None: ...


class RunningCommand(Protocol):
    """A started command, local or remote."""

    @property
    def stdin(self) -> WriteStream: ...

    @property
    def stdout(self) -> ReadStream: ...

    @property
    def stderr(self) -> ReadStream: ...

    def wait(self, timeout: float | None = None) -> int | None:
        """Exit status; ``None`` when it cannot be known (the connection broke)."""
        ...

    def close(self) -> None:
        """Release the command's channel or pipes (does not wait)."""
        ...


class Executor(Protocol):
    """Starts argv-list commands on one machine and kills process groups there."""

    @property
    def label(self) -> str:
        """Where commands run (``localhost``, an SSH alias), for the result document."""
        ...

    def start(self, argv: Sequence[str]) -> RunningCommand:
        """Start ``argv`` (never through a shell of ours); raise :class:`ExecutorError` when impossible."""
        ...

    def kill_group(self, pgid: int, signal_name: str, *, admin: bool) -> None:
        """Send ``signal_name`` (``TERM``/``KILL``) to process group ``pgid`` on the target."""
        ...

    def is_root(self) -> bool:
        """True when commands already run as root (then ``sudo`` is not needed)."""
        ...


class _PopenCommand:
    """Adapts :class:`subprocess.Popen` to :class:`RunningCommand`."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        if process.stdin is None or process.stdout is None or process.stderr is None:
            raise ExecutorError("the command was started without pipes")
        self._process = process
        self._stdin = process.stdin
        self._stdout = process.stdout
        self._stderr = process.stderr

    @property
    def stdin(self) -> WriteStream:
        return self._stdin

    @property
    def stdout(self) -> ReadStream:
        return self._stdout

    @property
    def stderr(self) -> ReadStream:
        return self._stderr

    def wait(self, timeout: float | None = None) -> int | None:
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        for stream in (self._stdin, self._stdout, self._stderr):
            with contextlib.suppress(OSError):  # already closed by the other side
                stream.close()


class LocalExecutor:
    """Runs commands on this machine (the assist agent's self-check, and tests)."""

    label = "localhost"

    def start(self, argv: Sequence[str]) -> RunningCommand:
        try:
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                close_fds=True,
            )
        except OSError as error:
            raise ExecutorError(f"cannot start {argv[0]}: {error}") from None
        return _PopenCommand(process)

    def kill_group(self, pgid: int, signal_name: str, *, admin: bool) -> None:
        if admin and not self.is_root():
            subprocess.run(["sudo", "-n", "kill", f"-{signal_name}", "--", f"-{pgid}"], check=False)
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(pgid, getattr(signal, f"SIG{signal_name}"))

    def is_root(self) -> bool:
        return os.geteuid() == 0


def build_argv(
    script: VerifiedScript, parameters: Mapping[str, JsonValue], *, sudo: bool, sudo_password: bool = False
) -> list[str]:
    """The fixed command line for ``script`` with already-validated ``parameters``.

    ``sudo_password``: sudo reads the password from stdin (``-S``, no prompt text, cached credentials
    ignored); the password itself is never part of the command line.
    """
    manifest = script.manifest
    bootstrap = BOOTSTRAP
    if sudo and sudo_password:
        prefix = ["sudo", "-S", "-k", "-p", "", "--"]
        bootstrap = SKIP_TO_BODY + BOOTSTRAP
    else:
        prefix = ["sudo", "-n"] if sudo else []
    if manifest.interpreter == "sh":
        values = [_sh_value(parameters.get(p.name)) for p in manifest.parameters]
        command = ["sh", "-s", "--", *values]
    else:
        command = ["python3", "-I", "-", json.dumps(dict(parameters), separators=(",", ":"))]
    return [*prefix, "setsid", "-w", "sh", "-c", bootstrap, "podpora", *command]


def _sh_value(value: JsonValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def parameters_hash(parameters: Mapping[str, JsonValue]) -> str:
    return hashlib.sha256(json.dumps(dict(parameters), sort_keys=True).encode()).hexdigest()


class RunControl:
    """Cancels runs: every script started with this control stops when :meth:`cancel` is called."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._wakers: list[threading.Event] = []

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()
        with self._lock:
            for waker in self._wakers:
                waker.set()

    def _register(self, waker: threading.Event) -> None:
        with self._lock:
            self._wakers.append(waker)
            if self._cancelled.is_set():
                waker.set()

    def _unregister(self, waker: threading.Event) -> None:
        with self._lock:
            self._wakers.remove(waker)


EventCallback = Callable[[Progress | Check], None]


@dataclass(frozen=True)
class ApprovalRequest:
    """What the person approving a change is shown; the decision must echo ``nonce``, digest and params."""

    nonce: str
    script_id: str
    version: str
    digest: str
    parameters: Mapping[str, JsonValue]
    parameters_hash: str
    category: str
    title: Text
    description: Text
    changes: Text | None
    undo: Text | None
    risk: str
    needs_admin: bool
    before: Sequence[Check] = ()


@dataclass(frozen=True)
class ApprovalDecision:
    """An answer to one :class:`ApprovalRequest`; ``decided_by`` says who (end user or technician)."""

    approved: bool
    decided_by: str
    nonce: str
    digest: str
    parameters_hash: str
    note: str = ""

    @classmethod
    def answer(cls, request: ApprovalRequest, approved: bool, decided_by: str, note: str = "") -> ApprovalDecision:
        return cls(approved, decided_by, request.nonce, request.digest, request.parameters_hash, note)


class ApprovalProvider(Protocol):
    """Asks a person to approve one change (the end user in the assist app, or the technician)."""

    def request_approval(self, request: ApprovalRequest) -> ApprovalDecision: ...


class RefuseAll:
    """An approval provider that says no: the safe default when nobody can be asked."""

    def request_approval(self, request: ApprovalRequest) -> ApprovalDecision:
        return ApprovalDecision.answer(request, False, "nobody (no one could be asked)")


@dataclass(frozen=True)
class PasswordRequest:
    """What a sudo password prompt shows: where, and whether the previous answer was wrong."""

    host: str
    attempt: int
    previous_wrong: bool


#: Asks the technician for the sudo password on ``request.host``; ``None`` means they declined.
PasswordPrompt = Callable[[PasswordRequest], "str | None"]


class _AdminBatch:
    """What one batch of runs (one ``run``, ``run_many`` or ``run_change``) learnt about sudo.

    A declined prompt or a password refused three times stops the other admin scripts of the same batch
    from asking again; the next batch asks afresh.
    """

    def __init__(self) -> None:
        self.refusal: str | None = None


class _AdminAccess:
    """How ``needs_admin`` scripts get root on the target: already root, ``sudo -n``, or a sudo password.

    Probing and prompting happen once, under a lock (parallel scripts wait for the one answer).  An accepted
    password stays in this object's memory only, for the runner's lifetime (the technician is not asked
    once per script); it is written to the script's stdin, never to argv, the environment or a log.
    """

    def __init__(self, executor: Executor, prompt: PasswordPrompt | None) -> None:
        self._executor = executor
        self._prompt = prompt
        self._lock = threading.Lock()
        self._mode: str | None = None  # "nopasswd" | "password"
        self._password: bytes | None = None

    def forget(self) -> None:
        """Drop a remembered password (e.g. when the session ends)."""
        with self._lock:
            self._password = None
            if self._mode == "password":
                self._mode = None

    def prepare(self, batch: _AdminBatch) -> tuple[bytes | None, str | None]:
        """``(password or None, None)`` when a sudo run can go ahead, else ``(None, plain reason)``."""
        with self._lock:
            if batch.refusal is not None:
                return None, batch.refusal
            if self._mode == "nopasswd":
                return None, None
            if self._mode == "password" and self._password is not None:
                return self._password, None
            code, stderr = self._probe(SUDO_NOPASSWD_PROBE, b"")
            if code == 0:
                self._mode = "nopasswd"
                return None, None
            if not _wants_password(stderr):
                batch.refusal = _sudo_refusal(code, stderr)
                return None, batch.refusal
            if self._prompt is None:
                batch.refusal = "administrator rights are needed, and sudo asks for a password on that computer"
                return None, batch.refusal
            for attempt in range(1, SUDO_ATTEMPTS + 1):
                answer = self._prompt(PasswordRequest(self._executor.label, attempt, attempt > 1))
                if answer is None:
                    batch.refusal = "administrator rights are needed, and no sudo password was given"
                    return None, batch.refusal
                if any(c in answer for c in "\r\n\0"):
                    batch.refusal = "the sudo password cannot contain line breaks"
                    return None, batch.refusal
                password = answer.encode("utf-8")
                code, stderr = self._probe(SUDO_PASSWORD_PROBE, password + b"\n")
                if code == 0:
                    self._mode, self._password = "password", password
                    return password, None
                if not _wrong_password(stderr):
                    batch.refusal = _sudo_refusal(code, stderr)
                    return None, batch.refusal
                log.info("the sudo password for %s was not accepted (attempt %d)", self._executor.label, attempt)
            batch.refusal = "the administrator (sudo) password was not accepted"
            return None, batch.refusal

    def _probe(self, argv: Sequence[str], stdin: bytes) -> tuple[int | None, str]:
        try:
            command = self._executor.start(list(argv))
        except ExecutorError as error:
            return None, error.user_message
        try:
            with contextlib.suppress(OSError, EOFError):
                command.stdin.write(stdin)
                command.stdin.close()
            stderr = command.stderr.read(STDERR_LIMIT)
            command.stdout.read(STDERR_LIMIT)
            return command.wait(KILL_GRACE * 3), stderr.decode("utf-8", "replace")
        except (OSError, EOFError, ValueError) as error:
            return None, str(error)
        finally:
            command.close()


def _wants_password(stderr: str) -> bool:
    return "password is required" in stderr or "a terminal is required" in stderr


def _wrong_password(stderr: str) -> bool:
    return "incorrect password" in stderr or "Sorry, try again" in stderr or "no password was provided" in stderr


def _sudo_refusal(code: int | None, stderr: str) -> str:
    text = stderr.strip().splitlines()[-1][:300] if stderr.strip() else ""
    if code == 127 or "not found" in text:
        return "administrator rights are needed, and sudo is not available on that computer"
    if "not in the sudoers" in text or "not allowed" in text or "may not run sudo" in text:
        return "administrator rights are needed, and this account may not use sudo on that computer"
    return f"administrator rights could not be obtained with sudo{': ' + text if text else ''}"


@dataclass
class _Run:
    """The mutable state of one script run, shared by its reader threads."""

    parser: OutputParser
    pgid: int | None = None
    containment: Containment | None = None
    refused_forks: int = 0
    read_error: str | None = None
    stderr: bytearray = field(default_factory=bytearray)
    pgid_seen: threading.Event = field(default_factory=threading.Event)


class Runner:
    """Runs verified scripts through one :class:`Executor`."""

    def __init__(
        self,
        executor: Executor,
        *,
        clock: Callable[[], float] = time.time,
        max_parallel: int = 8,
        timeout_scale: float = 1.0,
        sudo_password: PasswordPrompt | None = None,
    ) -> None:
        self.executor = executor
        self.admin_access = _AdminAccess(executor, sudo_password)
        self.clock = clock
        self.max_parallel = max_parallel
        self.timeout_scale = timeout_scale
        self._used_nonces: set[str] = set()
        self._nonce_lock = threading.Lock()
        self._root: bool | None = None

    def _needs_sudo(self, script: VerifiedScript) -> bool:
        if not script.manifest.needs_admin:
            return False
        if self._root is None:
            self._root = self.executor.is_root()
        return not self._root

    def run(
        self,
        script: VerifiedScript,
        values: Mapping[str, object] | None = None,
        *,
        control: RunControl | None = None,
        on_event: EventCallback | None = None,
        timeout: float | None = None,
        _approval: Mapping[str, Any] | None = None,
        _admin: _AdminBatch | None = None,
    ) -> ScriptResult:
        """Run one script and return its result (never raises for a failing target).

        A change script (repair/install/config) is refused here: use :meth:`run_change`, which asks for
        approval first.
        """
        parameters = script.manifest.bind(values or {})
        result = self._result(script, parameters)
        if RUNNABLE_PLATFORM not in script.manifest.platforms:
            # The fixed bootstrap needs setsid and a POSIX sh: Windows and macOS scripts are catalogued and
            # signed, but this runner does not start them (yet).
            result.run_status = "refused"
            result.error = (
                "this script is for "
                + ", ".join(script.manifest.platforms)
                + "; Podpora runs scripts on Linux only so far"
            )
            return result
        if script.manifest.changes_system and _approval is None:
            result.run_status = "refused"
            result.error = "a change script runs only through run_change, after approval"
            return result
        result.approval = _approval
        control = control or RunControl()
        limit = (timeout or script.manifest.timeout) * self.timeout_scale
        result.started_at = self.clock()
        try:
            self._execute(
                script,
                parameters=parameters,
                result=result,
                control=control,
                on_event=on_event,
                limit=limit,
                admin_batch=_admin or _AdminBatch(),
            )
        finally:
            result.finished_at = self.clock()
        return result

    def _result(self, script: VerifiedScript, parameters: Mapping[str, JsonValue]) -> ScriptResult:
        manifest = script.manifest
        return ScriptResult(
            script_id=manifest.id,
            version=manifest.version,
            title=manifest.title.as_dict(),
            category=manifest.category,
            digest=script.digest,
            key_id=script.key_id,
            parameters=dict(parameters),
            run_status="error",
        )

    def _execute(
        self,
        script: VerifiedScript,
        *,
        parameters: Mapping[str, JsonValue],
        result: ScriptResult,
        control: RunControl,
        on_event: EventCallback | None,
        limit: float,
        admin_batch: _AdminBatch,
    ) -> None:
        admin = self._needs_sudo(script)
        log.info(
            "running %s %s (sha256 %s) on %s", script.id, script.manifest.version, script.digest, self.executor.label
        )
        if control.is_cancelled():
            result.run_status = "cancelled"
            return
        password: bytes | None = None
        if admin:
            password, refusal = self.admin_access.prepare(admin_batch)
            if refusal is not None:
                result.run_status, result.error = "error", refusal
                return
            if control.is_cancelled():  # cancelled while the technician was typing the password
                result.run_status = "cancelled"
                return
        argv = build_argv(script, parameters, sudo=admin, sudo_password=password is not None)
        try:
            command = self.executor.start(argv)
        except ConnectionLost as error:
            result.run_status, result.error = "connection_lost", error.user_message
            return
        except ExecutorError as error:
            result.run_status, result.error = "error", error.user_message
            return
        state = _Run(OutputParser(script.manifest))
        finished = threading.Event()
        waker = threading.Event()
        stdout_thread = threading.Thread(
            target=self._read_stdout,
            args=(command, state, on_event, finished, waker),
            daemon=True,
            name=f"diag-out-{script.id}",
        )
        stderr_thread = threading.Thread(
            target=self._read_stderr, args=(command, state), daemon=True, name=f"diag-err-{script.id}"
        )
        stdout_thread.start()
        stderr_thread.start()
        try:
            if password is not None:
                command.stdin.write(password + b"\n" + BODY_MARKER + b"\n")
            command.stdin.write(script.body)  # the verified bytes held in memory, never re-read
            command.stdin.close()
        except (OSError, EOFError) as error:
            state.read_error = state.read_error or f"sending the script failed: {error}"
        control._register(waker)
        try:
            deadline = time.monotonic() + limit
            while not finished.is_set() and not control.is_cancelled() and not state.parser.truncated:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                waker.wait(remaining)
                waker.clear()
        finally:
            control._unregister(waker)
        stopped_by: str | None = None
        if not finished.is_set():
            stopped_by = "overflow" if state.parser.truncated else "timeout"
            if control.is_cancelled():
                stopped_by = "cancelled"
            # With a sudo password a second `sudo -n kill` would be refused: closing the channel makes the
            # script's own watchdog (root, in the group) kill the whole group instead.
            self._stop(command, state, finished, admin, signal_group=password is None)
        stderr_thread.join(KILL_GRACE)
        exit_code = command.wait(KILL_GRACE) if finished.is_set() else None
        command.close()
        self._conclude(result, state, exit_code, stopped_by, limit)

    def _read_stdout(
        self,
        command: RunningCommand,
        state: _Run,
        on_event: EventCallback | None,
        finished: threading.Event,
        waker: threading.Event,
    ) -> None:
        try:
            while True:
                line = command.stdout.readline(MAX_LINE_BYTES + 1)
                if not line:
                    break
                if state.pgid is None and line.startswith(PGID_MARKER):
                    try:
                        state.pgid = int(line[len(PGID_MARKER) :].strip())
                    except ValueError:
                        state.read_error = "the target did not report its process group"
                    state.pgid_seen.set()
                    continue
                if state.containment is None and line.startswith(CONTAINMENT_MARKER):
                    state.containment = parse_containment(line)
                    continue
                if state.containment is not None and line.startswith(REFUSED_MARKER):
                    state.refused_forks = parse_refused(line) or state.refused_forks
                    continue
                event = state.parser.feed(line)
                if event is not None and on_event is not None:
                    on_event(event)
                if state.parser.truncated:
                    waker.set()  # over the output cap: the run loop kills the group; keep draining
        except (OSError, EOFError, ValueError) as error:
            state.read_error = f"reading the output failed: {error}"
        finally:
            state.pgid_seen.set()
            finished.set()
            waker.set()

    @staticmethod
    def _read_stderr(command: RunningCommand, state: _Run) -> None:
        try:
            while True:
                chunk = command.stderr.read(4096)
                if not chunk:
                    return
                chunk = chunk.replace(HEARTBEAT, b"")
                state.stderr.extend(chunk)
                if len(state.stderr) > STDERR_LIMIT:
                    del state.stderr[: len(state.stderr) - STDERR_LIMIT]
        except (OSError, EOFError, ValueError):
            return

    def _stop(
        self, command: RunningCommand, state: _Run, finished: threading.Event, admin: bool, *, signal_group: bool = True
    ) -> None:
        """Kill the script's whole process group on the target: TERM, then KILL, then drop the channel."""
        state.pgid_seen.wait(KILL_GRACE)
        if state.pgid is not None and signal_group:
            for signal_name, grace in (("TERM", TERM_GRACE), ("KILL", KILL_GRACE)):
                try:
                    self.executor.kill_group(state.pgid, signal_name, admin=admin)
                except DiagnosticError as error:
                    log.info("could not signal the script's process group: %s", error)
                if finished.wait(grace):
                    return
        command.close()
        finished.wait(KILL_GRACE)

    @staticmethod
    def _conclude(
        result: ScriptResult, state: _Run, exit_code: int | None, stopped_by: str | None, limit: float
    ) -> None:
        parser = state.parser
        result.checks = list(parser.checks)
        result.truncated = parser.truncated
        result.exit_code = exit_code
        if state.containment is not None:
            result.containment = dataclasses.replace(state.containment, refused_forks=state.refused_forks)
        result.stderr_tail = state.stderr.decode("utf-8", "replace")[-4000:]
        stderr_text = result.stderr_tail.strip()
        if stopped_by == "cancelled":
            result.run_status, result.error = "cancelled", "cancelled; the script's processes were stopped"
        elif stopped_by == "overflow":
            result.run_status, result.error = "error", "the script printed more output than allowed"
        elif stopped_by == "timeout":
            result.run_status, result.error = "timeout", f"stopped after {limit:g} s"
        elif state.read_error and exit_code is None:
            result.run_status, result.error = "connection_lost", state.read_error
        elif exit_code is None:
            result.run_status, result.error = "connection_lost", "the script's exit status never arrived"
        elif state.pgid is None or (exit_code != 0 and not parser.done and not parser.checks):
            result.run_status = "error"
            result.error = _start_failure(exit_code, stderr_text)
        elif parser.violations:
            result.run_status, result.error = "error", "invalid output: " + "; ".join(parser.violations[:3])
        elif not parser.done:
            result.run_status = "error"
            result.error = f"the script ended (exit status {exit_code}) before reporting all its findings"
            if stderr_text:
                result.error += ": " + stderr_text.splitlines()[-1][:300]
        elif exit_code != 0:
            result.run_status, result.error = "error", f"the script exited with status {exit_code}"
        else:
            result.run_status, result.error = "completed", None

    # -- several scripts -------------------------------------------------------------------------

    def run_many(
        self,
        scripts: Sequence[VerifiedScript],
        values: Mapping[str, Mapping[str, object]] | None = None,
        *,
        control: RunControl | None = None,
        on_event: EventCallback | None = None,
        _admin: _AdminBatch | None = None,
    ) -> list[ScriptResult]:
        """Run read-only scripts in parallel (one channel each); results in the order given."""
        control = control or RunControl()
        values = values or {}
        if not scripts:
            return []
        batch = _admin or _AdminBatch()
        with ThreadPoolExecutor(max_workers=min(self.max_parallel, len(scripts))) as pool:
            futures = [
                pool.submit(
                    self.run, script, values.get(script.id, {}), control=control, on_event=on_event, _admin=batch
                )
                for script in scripts
            ]
            try:
                return [future.result() for future in futures]
            except BaseException:
                # Ctrl-C (or any failure) in the waiting thread: stop the scripts before the pool waits for them.
                control.cancel()
                raise

    # -- changes ---------------------------------------------------------------------------------

    def run_change(
        self,
        script: VerifiedScript,
        values: Mapping[str, object] | None,
        catalog: Catalog,
        approvals: ApprovalProvider,
        *,
        control: RunControl | None = None,
        on_event: EventCallback | None = None,
    ) -> RepairOutcome:
        """Verify, ask, change, verify again: the full repair cycle for one approved action."""
        manifest = script.manifest
        parameters = manifest.bind(values or {})
        if RUNNABLE_PLATFORM not in manifest.platforms:
            # Nobody is asked to approve a change that cannot run here.
            return RepairOutcome(self.run(script, parameters), [], [])
        control = control or RunControl()
        batch = _AdminBatch()
        before = self._verify(script, parameters, catalog, control, batch)
        request = ApprovalRequest(
            nonce=secrets.token_hex(16),
            script_id=manifest.id,
            version=manifest.version,
            digest=script.digest,
            parameters=dict(parameters),
            parameters_hash=parameters_hash(parameters),
            category=manifest.category,
            title=manifest.title,
            description=manifest.description,
            changes=manifest.changes,
            undo=manifest.undo.text if manifest.undo else None,
            risk=manifest.risk,
            needs_admin=manifest.needs_admin,
            before=tuple(before),
        )
        decision = approvals.request_approval(request)
        approved, reason = self._accept(request, decision)
        record = {
            "approved": approved,
            "decided_by": decision.decided_by,
            "nonce": request.nonce,
            "parameters_hash": request.parameters_hash,
            "note": decision.note if approved else (reason or decision.note),
            "decided_at": self.clock(),
        }
        if not approved:
            refused = self._result(script, parameters)
            refused.run_status = "refused"
            refused.error = reason or "not approved"
            refused.approval = record
            return RepairOutcome(refused, before, [])
        changed = self.run(script, parameters, control=control, on_event=on_event, _approval=record, _admin=batch)
        after = self._verify(script, parameters, catalog, control, batch) if not control.is_cancelled() else []
        return RepairOutcome(changed, before, after)

    def _accept(self, request: ApprovalRequest, decision: ApprovalDecision) -> tuple[bool, str | None]:
        """An approval counts only for this exact request, and only once."""
        if not decision.approved:
            return False, "refused by " + decision.decided_by
        if (decision.nonce, decision.digest, decision.parameters_hash) != (
            request.nonce,
            request.digest,
            request.parameters_hash,
        ):
            return False, "the approval was for a different action"
        with self._nonce_lock:
            if decision.nonce in self._used_nonces:
                return False, "the approval was already used"
            self._used_nonces.add(decision.nonce)
        return True, None

    def _verify(
        self,
        change: VerifiedScript,
        parameters: Mapping[str, JsonValue],
        catalog: Catalog,
        control: RunControl,
        batch: _AdminBatch,
    ) -> list[Check]:
        """Run the verifying checks named by ``change``; same-named parameters are passed on."""
        wanted = change.manifest.verified_by
        script_ids: list[str] = []
        for check_id in wanted:
            if script_of_check(check_id) not in script_ids:
                script_ids.append(script_of_check(check_id))
        verifiers: list[VerifiedScript] = []
        values: dict[str, dict[str, object]] = {}
        checks: list[Check] = []
        for script_id in script_ids:
            verifier = catalog.scripts.get(script_id)
            if verifier is None or verifier.manifest.changes_system:
                checks.append(_missing_verifier(script_id))
                continue
            verifiers.append(verifier)
            values[script_id] = _verifier_values(change, verifier, parameters)
        for result in self.run_many(verifiers, values, control=control, _admin=batch):
            matching = [c for c in result.checks if _wanted(c.id, wanted)]
            if result.run_status != "completed" and not matching:
                matching = [_failed_verifier(result)]
            checks.extend(matching)
        return checks


def _verifier_values(
    change: VerifiedScript, verifier: VerifiedScript, parameters: Mapping[str, JsonValue]
) -> dict[str, object]:
    """Parameters for a verifying script: same-named ones, plus the manifest's ``verify_parameters``."""
    kinds = {p.name: p.type for p in verifier.manifest.parameters}
    values: dict[str, object] = {name: value for name, value in parameters.items() if name in kinds}
    for target, source in change.manifest.verify_parameters.get(verifier.id, {}).items():
        if source in parameters and target in kinds:
            value = parameters[source]
            values[target] = [value] if kinds[target] == "list" and isinstance(value, str) else value
    return values


def _wanted(check_id: str, wanted: Sequence[str]) -> bool:
    return any(check_id == w or (":" not in w and script_of_check(check_id) == w) for w in wanted)


def _missing_verifier(script_id: str) -> Check:
    text = f"the verifying check {script_id} is not available"
    return Check(id=script_id, status="error", finding=text, explanation={"en": text, "cs": text, "sk": text})


def _failed_verifier(result: ScriptResult) -> Check:
    text = f"the verifying check {result.script_id} did not complete: {result.error or result.run_status}"
    return Check(id=result.script_id, status="error", finding=text, explanation={"en": text, "cs": text, "sk": text})


def _start_failure(exit_code: int, stderr_text: str) -> str:
    last = stderr_text.splitlines()[-1][:300] if stderr_text else ""
    if "password is required" in stderr_text or "a terminal is required" in stderr_text:
        return "administrator rights are needed, and sudo asks for a password on that computer"
    if "incorrect password" in stderr_text or "Sorry, try again" in stderr_text:
        return "the administrator (sudo) password was not accepted"
    if exit_code == 127:
        return f"a required program is missing on that computer ({last or 'setsid, sh or python3'})"
    return f"the script could not start (exit status {exit_code}){': ' + last if last else ''}"
