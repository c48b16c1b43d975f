"""``podpora diag list|run|show``: signed diagnostics and repairs from the command line.

``podpora diag run HOST`` connects like ``podpora check`` (your ``~/.ssh/config``, agent and known_hosts) and
runs the verified scripts over SSH exec channels, in parallel; ``--local`` runs them on this machine instead.
Without ``--script`` it runs every information script (a full health check).  Repair, install and config
scripts run only when named with ``--script`` and approved: with ``--approve`` (recorded as the
technician's approval), or by answering the question on the terminal; otherwise they are refused.

Exit status of ``run``: 0 when every script completed and nothing is a problem (warnings allowed), 1 when a
check failed or a script could not run, 2 for bad arguments, 78 for bad settings.

This module is the composition root that wires :mod:`app.diagnostics` to :mod:`app.remote.ssh`; the
diagnostics package itself never imports the SSH layer.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import shlex
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

#: The SSH executor kills a script's process group with this fixed command (pgid is an int we parsed).
KILL_COMMAND = "kill -{signal} -- -{pgid}"


def register(subparsers: Any) -> None:
    """Add ``podpora diag`` and its subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "diag",
        help="run signed diagnostic and repair scripts on a machine",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="diag_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="list the verified scripts (and any that were refused)")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.add_argument("--lang", default="en", choices=("en", "cs", "sk"), help="language of titles")
    listing.add_argument(
        "--platform",
        default="linux",
        choices=("linux", "windows", "macos"),
        help="the scripts for this kind of computer (default linux; windows and macos are listed, not run yet)",
    )
    listing.set_defaults(func=_list)

    run = sub.add_parser("run", help="run scripts on HOST (an ssh alias or [user@]host[:port]) or --local")
    run.add_argument("host", nargs="?", help="an alias from your ssh config, or [user@]host[:port]")
    run.add_argument("--local", action="store_true", help="run on this machine instead of over SSH")
    run.add_argument("--script", action="append", default=[], metavar="ID", help="a script to run (repeatable)")
    run.add_argument("--all", action="store_true", help="run every information script (the default)")
    run.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="[ID.]NAME=VALUE",
        help="a script parameter; lists are comma separated; without ID it applies to every script having NAME",
    )
    run.add_argument("--approve", action="store_true", help="approve the named repair/install/config scripts")
    run.add_argument("--json", action="store_true", help="print the result document as JSON")
    run.add_argument("--out", type=Path, help="also save the result document (JSON) to this file")
    run.add_argument("--lang", default="en", choices=("en", "cs", "sk"), help="language of the explanations")
    run.add_argument("-F", dest="config", type=Path, help="use this ssh config file instead of ~/.ssh/config")
    run.add_argument("--no-agent", action="store_true", help="do not use ssh-agent")
    run.add_argument("--parallel", type=int, default=8, help="scripts to run at the same time (default 8)")
    run.set_defaults(func=_run)

    show = sub.add_parser("show", help="explain a saved result document in plain language")
    show.add_argument("result", type=Path, help="a result document written by 'podpora diag run --out/--json'")
    show.add_argument("--lang", default="en", choices=("en", "cs", "sk"), help="language of the explanations")
    show.add_argument("--technical", action="store_true", help="also show the technical findings")
    show.set_defaults(func=_show)


# -- the SSH executor: app.diagnostics' Executor protocol over app.remote.ssh ----------------------------


class _SshStdin:
    """The remote command's stdin; closing it sends EOF (what ``python3 -`` waits for)."""

    def __init__(self, process: Any) -> None:
        self._process = process

    def write(self, data: bytes, /) -> Any:
        self._process.stdin.write(data)

    def close(self) -> None:
        self._process.close_stdin()


class _SshCommand:
    """Adapts :class:`app.remote.ssh.RemoteProcess` to the runner's ``RunningCommand``."""

    def __init__(self, process: Any) -> None:
        self._process = process
        self._stdin = _SshStdin(process)

    @property
    def stdin(self) -> _SshStdin:
        return self._stdin

    @property
    def stdout(self) -> Any:
        return self._process.stdout

    @property
    def stderr(self) -> Any:
        return self._process.stderr

    def wait(self, timeout: float | None = None) -> int | None:
        from app.remote.ssh import SshError

        try:
            return int(self._process.wait(timeout))
        except SshError:
            return None  # no exit status: the connection broke or the command never ended

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a channel on a dead transport may raise anything
            self._process.close()


class SshExecutor:
    """Runs the runner's fixed argv on the target over exec channels of one SSH connection.

    The argv is joined with :func:`shlex.join` (every element quoted; parameters were validated against the
    signed manifest before) and prefixed with ``exec`` so the login shell is replaced, not kept around.
    """

    def __init__(self, connection: Any, label: str) -> None:
        self._connection = connection
        self._label = label
        self._root: bool | None = None
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return self._label

    def start(self, argv: Sequence[str]) -> _SshCommand:
        from app.diagnostics.runner import ConnectionLost
        from app.remote.ssh import SshError

        try:
            return _SshCommand(self._connection.exec("exec " + shlex.join(argv)))
        except SshError as error:
            raise ConnectionLost(error.user_message) from error

    def kill_group(self, pgid: int, signal_name: str, *, admin: bool) -> None:
        from app.diagnostics.runner import ConnectionLost
        from app.remote.ssh import SshError

        if signal_name not in {"TERM", "KILL"}:
            raise ValueError(signal_name)
        command = KILL_COMMAND.format(signal=signal_name, pgid=int(pgid))
        if admin:
            command = "sudo -n " + command
        try:
            process = self._connection.exec(command)  # a second channel: the first one is busy
            process.close_stdin()
            process.wait(10)
            process.close()
        except SshError as error:
            raise ConnectionLost(error.user_message) from error

    def is_root(self) -> bool:
        from app.remote.ssh import SshError

        with self._lock:
            if self._root is None:
                try:
                    process = self._connection.exec("id -u")
                    process.close_stdin()
                    output = process.stdout.read().strip()
                    process.wait(10)
                    process.close()
                    self._root = output == b"0"
                except SshError:
                    self._root = False
            return self._root


# -- approvals on the terminal -------------------------------------------------------------------------------


class TerminalApproval:
    """The technician approves each change: by ``--approve`` or by answering on the terminal."""

    def __init__(self, *, pre_approved: bool, language: str = "en") -> None:
        self.pre_approved = pre_approved
        self.language = language

    def request_approval(self, request: Any) -> Any:
        from app.diagnostics.runner import ApprovalDecision

        if self.pre_approved:
            return ApprovalDecision.answer(request, True, "technician (command line --approve)")
        if not sys.stdin.isatty():
            return ApprovalDecision.answer(request, False, "nobody (no terminal to ask and no --approve)")
        lang = self.language
        print(f"\n{request.title.get(lang)} ({request.script_id} {request.version})", file=sys.stderr)
        print(f"  {request.description.get(lang)}", file=sys.stderr)
        if request.changes is not None:
            print(f"  Changes: {request.changes.get(lang)}", file=sys.stderr)
        if request.undo is not None:
            print(f"  Undo: {request.undo.get(lang)}", file=sys.stderr)
        print(f"  Parameters: {json.dumps(dict(request.parameters))}", file=sys.stderr)
        print(f"  Script sha256: {request.digest}", file=sys.stderr)
        answer = input("Run this change? [y/N] ").strip().lower()
        return ApprovalDecision.answer(request, answer in {"y", "yes"}, "technician (terminal)")


def ask_sudo_password(request: Any) -> str | None:
    """The runner's sudo password prompt on the terminal (``None``, i.e. declined, without a terminal).

    The answer goes straight back to the runner, which writes it to sudo's stdin on the exec channel; it is
    never printed, logged or put into the result.
    """
    if not sys.stdin.isatty():
        return None
    again = " (the last one was not accepted)" if request.previous_wrong else ""
    try:
        return getpass.getpass(f"Administrator (sudo) password on {request.host}{again}: ")
    except EOFError:
        return None


# -- subcommands ---------------------------------------------------------------------------------------------


def _catalog(platform: str = "linux") -> Any:
    from app.diagnostics.catalog import load_settings

    return load_settings().load(platform)


def _list(args: argparse.Namespace) -> int:
    catalog = _catalog(args.platform)
    if args.json:
        document = {
            "scripts": [
                {
                    "id": s.id,
                    "version": s.manifest.version,
                    "category": s.manifest.category,
                    "title": s.manifest.title.as_dict(),
                    "needs_admin": s.manifest.needs_admin,
                    "risk": s.manifest.risk,
                    "digest": s.digest,
                    "key_id": s.key_id,
                    "source": s.source,
                    "platforms": list(s.manifest.platforms),
                    "interpreter": s.manifest.interpreter,
                }
                for s in catalog.all()
            ],
            "refused": [{"source": r.source, "reason": r.reason} for r in catalog.refusals],
            "platform": args.platform,
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    for category in ("info", "repair", "install", "config"):
        scripts = catalog.by_category(category)
        if scripts:
            print(f"{category}:")
        for script in scripts:
            admin = " [admin]" if script.manifest.needs_admin else ""
            print(f"  {script.id:<24} {script.manifest.title.get(args.lang)}{admin}")
    for refusal in catalog.refusals:
        print(f"refused: {refusal.source}: {refusal.reason}")
    return 0


def _usage_error(message: str) -> PodporaError:
    error = PodporaError(message, user_text=QT_TRANSLATE_NOOP("podpora", "{detail}"), detail=message)
    error.exit_code = 2
    return error


def _parameter_values(catalog: Any, selected: list[Any], assignments: list[str]) -> dict[str, dict[str, Any]]:
    """``[ID.]NAME=VALUE`` strings to typed values per script id (validated against each manifest)."""
    from app.diagnostics.manifest import parse_assignments

    values: dict[str, dict[str, Any]] = {script.id: {} for script in selected}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise _usage_error(f"parameters are written NAME=VALUE or ID.NAME=VALUE, not '{assignment}'")
        script_id, dot, bare = name.partition(".")
        if dot:
            if script_id not in values:
                raise _usage_error(f"--param {assignment}: the script {script_id} is not selected")
            targets = [catalog.get(script_id)]
            name = bare
        else:
            targets = [s for s in selected if any(p.name == name for p in s.manifest.parameters)]
            if not targets:
                raise _usage_error(f"--param {assignment}: no selected script has a parameter '{name}'")
        for script in targets:
            values[script.id].update(parse_assignments(script.manifest, [f"{name}={value}"]))
    return values


@contextlib.contextmanager
def _executor(args: argparse.Namespace) -> Iterator[Any]:
    from app.diagnostics.runner import LocalExecutor

    if args.local:
        yield LocalExecutor()
        return
    from app.cli.check import ask_on_terminal, ask_passphrase
    from app.remote.ssh import ConnectOptions, connect

    options = ConnectOptions(
        config_path=args.config,
        host_key_decider=ask_on_terminal,
        passphrase_provider=ask_passphrase,
        use_agent=not args.no_agent,
    )
    with connect(args.host, options) as connection:
        yield SshExecutor(connection, args.host)


def _progress_printer(enabled: bool) -> Any:
    """Progress on stderr (so ``--json`` output stays clean), one line per event, from worker threads."""
    lock = threading.Lock()

    def progress(script_id: str, percent: int, message: str) -> None:
        if not enabled:
            return
        with lock:
            shown = f"{percent:3d}%" if percent >= 0 else "    "
            print(f"  {script_id}: {shown} {message}", file=sys.stderr)

    return progress


def _run(args: argparse.Namespace) -> int:
    from app.diagnostics.results import render_text
    from app.diagnostics.runner import Runner
    from app.diagnostics.service import DiagnosticsService

    if not args.local and not args.host:
        raise _usage_error("name a HOST (an ssh alias) or use --local")
    catalog = _catalog()
    if args.script:
        selected = [catalog.get(script_id) for script_id in dict.fromkeys(args.script)]
    else:
        selected = catalog.by_category("info")
    if args.all:
        selected += [s for s in catalog.by_category("info") if s not in selected]
    values = _parameter_values(catalog, selected, args.param)
    info = [s.id for s in selected if not s.manifest.changes_system]
    changes = [s.id for s in selected if s.manifest.changes_system]
    progress = _progress_printer(not args.json)
    host = "localhost" if args.local else args.host
    with _executor(args) as executor:
        service = DiagnosticsService(
            catalog,
            Runner(executor, max_parallel=max(1, args.parallel), sudo_password=ask_sudo_password),
            TerminalApproval(pre_approved=args.approve, language=args.lang),
            host=host,
            clock=time.time,
        )
        service.run(info, progress, values)
        for change in changes:
            service.change(change, values[change], progress)
    report = service.report()
    document = report.to_dict()
    if args.out:
        args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(render_text(report, args.lang))
    return 0 if report.status in {"ok", "warning"} else 1


def _show(args: argparse.Namespace) -> int:
    from app.diagnostics.errors import ResultFileError
    from app.diagnostics.results import Report, render_text

    try:
        data = json.loads(args.result.read_text(encoding="utf-8"))
    except OSError as error:
        raise ResultFileError(str(args.result), error.strerror or str(error)) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ResultFileError(str(args.result), "it is not a JSON document") from None
    try:
        report = Report.from_dict(data)
    except ValueError as error:
        raise ResultFileError(str(args.result), str(error)) from None
    print(render_text(report, args.lang, technical=args.technical), end="")
    return 0
