"""``podpora demo``: a whole support case on one machine, with no configuration.

It builds a local "user machine" — a private Xvfb display with a sample desktop, the assist agent on it
(a separate process with a scripted end user, :mod:`app.cli.demo_user`), and a private OpenSSH server on
127.0.0.1 — then walks the support path as a technician would, through the real parts:

1. **identify**: a case with a ticket reference and the user's own words; the technician's identity is
   certified by a demo organisation, so the user sees "Verified: ...";
2. connect through SSH (host key pinned, strict KEX), **pair** with the session code the user reads out
   (SPAKE2), and ask for **consent** per capability (the scripted user grants view, control and diagnostics,
   not the clipboard);
3. **gather information**: see the screen (a screenshot goes into the case), chat, run the signed info scripts
   over SSH;
4. **analyse and fix**: where run as root, the demo gives the user a real nearly-full disk (a small tmpfs):
   the disk check warns, the "free space" repair runs on the user's side only after the user approves it;
5. **verify**: the same check again, before and after side by side;
6. **feedback**: the user's rating, then the case — a signed, hash-chained journal — is exported as a bundle
   and delivered to the folder connector, and the report is shown.

With a display, the walk happens in the real windows: the technician console (:mod:`app.ui.demo_console`)
opens here, connected through its own connect dialog, and the real assist app runs on the user machine's
display, where the scripted user (:mod:`app.ui.demo_user`) answers consent, the repair approval and the rating
with that display's mouse — so the console's screen view shows each answer being given.  The delivered case's
report opens at the end.  ``--headless`` runs the same case without windows (the agent alone, with scripted
answers) and prints the walk-through and a summary, for machines without a display.  Everything the demo
creates lives in one folder (printed first; ``--keep`` keeps it, else only the delivered bundle and report).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.cli.child_process import python_module_command
from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

TICKET = "HELP-4711"
USER_WORDS = "Excel says it cannot save my invoices: no space left on device."
DISK_MIB = 8
WAIT_SECONDS = 60.0


class DemoError(PodporaError):
    """The demo could not complete a step; the message says which and why."""


def register(subparsers: Any) -> None:
    """Add ``podpora demo``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="a whole support session against a local user machine (no configuration)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--headless", action="store_true", help="no windows: print the walk-through and a summary")
    parser.add_argument("--keep", action="store_true", help="keep the demo's folder (keys, journal, logs)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--pause", type=float, default=1.5, metavar="SECONDS", help="how long the scripted people wait before each step"
    )
    parser.add_argument(
        "--exit-when-done", action="store_true", help="with windows: close them once the case is delivered"
    )
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="with windows: save pictures of key moments")
    parser.set_defaults(func=run)


@dataclass
class DemoSummary:
    """What the demo did, for the closing summary (and the tests)."""

    folder: str = ""
    case_id: str = ""
    route: list[str] = field(default_factory=list)
    verified_identity: str = ""
    granted: list[str] = field(default_factory=list)
    frames: int = 0
    screenshot_bytes: int = 0
    info_checks: dict[str, str] = field(default_factory=dict)
    repair: dict[str, Any] = field(default_factory=dict)
    rating: int | None = None
    bundle: str = ""
    bundle_sha256: str = ""
    delivered_to: str = ""
    report: str = ""
    verify_ok: bool = False
    notes: list[str] = field(default_factory=list)
    user_summary: list[dict[str, str]] = field(default_factory=list)  # what the user's summary listed
    windows: dict[str, str] = field(default_factory=dict)  # the window classes each side used (windowed demo)


class _UserMachine:
    """The scripted user's process; its JSON lines arrive on a queue."""

    def __init__(
        self,
        display: str,
        org_public_hex: str,
        log: Callable[[str], None],
        log_file: Path,
        *,
        extra: list[str],
        folder: Path,
    ) -> None:
        # The user's machine has its own Podpora home: its settings never mix with the technician's.
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "offscreen",
            "PODPORA_HOME": str(folder / "user-home"),
        }
        self.log_file = log_file
        self._stderr = log_file.open("w")
        self.process = subprocess.Popen(
            python_module_command("app.cli.demo_user", "--display", display, "--org-key", org_public_hex, *extra),
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: dict[str, dict[str, Any]] = {}  # the latest event of each kind
        self.log = log
        threading.Thread(target=self._read, name="demo-user-events", daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None  # noqa: S101 - Popen was given stdout=PIPE
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self._narrate(event)
            self.seen[str(event.get("event"))] = event
            self.events.put(event)
        self.events.put({"event": "exited"})

    def _narrate(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "consent":
            self.log(f"  [user] sees: {event['who']} asks for {', '.join(event['asked'])} ({event['reason']})")
            self.log(f"  [user] allows: {', '.join(event['granted'])}")
        elif kind == "approval":
            self.log(f"  [user] is asked to approve: {event['title']}")
            self.log(f"         what changes: {event['changes']}")
            self.log(f"         how to undo:  {event['undo']}")
            if event.get("approved", True):
                self.log("  [user] approves")
        elif kind == "chat" and event.get("sender") == "user":
            self.log(f"  [user] chat: {event['text']}")
        elif kind == "feedback":
            self.log(f"  [user] rates the help {event['rating']}/5")
        elif kind == "notice":
            self.log(f"  (on the user's machine: {event.get('text', '')})")

    def wait_for(self, kind: str, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DemoError(f"the user machine did not report {kind!r} in time")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.get("event") == kind:
                return event
            if event.get("event") == "exited":
                err = self.log_file.read_text(errors="replace")
                raise DemoError(f"the user machine stopped: {err[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()


@contextlib.contextmanager
def _full_disk(folder: Path, log: Callable[[str], None]) -> Iterator[Path | None]:
    """A real, nearly full disk for the user (a small tmpfs) where the demo may mount one; else ``None``."""
    mount = folder / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        log("  (not run as root: the demo cannot give the user a real full disk, so the repair step is skipped)")
        yield None
        return
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MIB}m,mode=1777", "podpora-demo", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        log(f"  (cannot mount a small disk: {result.stderr.strip()}; the repair step is skipped)")
        yield None
        return
    try:
        old = time.time() - 30 * 86400
        for index in range(30):  # old temporary files fill 97 % of it
            path = mount / f"render-cache-{index:02d}.tmp"
            try:
                path.write_bytes(os.urandom(int(DISK_MIB * 1024 * 1024 * 0.97 / 30)))
            except OSError:
                break
            os.utime(path, (old, old))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


class DemoMachine:
    """What both flows of the demo start: the demo's folder, the organisation and its technician, and the
    user's machine (Xvfb, the user's process, a private sshd, and where allowed a nearly full disk).

    ``window_user``: the user's process runs the real assist app, answered with the mouse
    (:mod:`app.ui.demo_user`); else the agent alone with scripted answers (``--headless``).
    """

    def __init__(self, log: Callable[[str], None], *, window_user: bool = False, pause: float = 1.0) -> None:
        self.log = log
        self.window_user = window_user
        self.pause = pause
        self.folder = Path(tempfile.mkdtemp(prefix="podpora-demo-", dir="/tmp"))
        self._stack = contextlib.ExitStack()
        self.user: _UserMachine | None = None
        self.disk: Path | None = None
        self.ready: dict[str, Any] = {}

    def start(self) -> None:
        """Create the identities and start the user's machine (blocking; stops what it started on failure)."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

        from app.remote.identity import issue_certificate, public_key_bytes
        from app.remote.localdisplay import start_xvfb
        from app.remote.localsshd import KeyPair, SshServerFactory

        folder = self.folder
        os.environ["PODPORA_HOME"] = str(folder / "technician-home")  # the demo's cases never mix with real ones
        from app.cli.case import TECHNICIAN_CERT_FILE, TECHNICIAN_KEY_FILE
        from app.config import default_paths

        self.paths = paths = default_paths().ensure()
        self.log(f"Podpora demo — everything lives in {folder}")

        # The organisation and its technician.
        org_key = Ed25519PrivateKey.generate()
        self.technician_key = Ed25519PrivateKey.generate()
        now = int(time.time())
        self.certificate = issue_certificate(
            org_key,
            name="Petr Svoboda",
            team="IT Helpdesk",
            org="Demo Company",
            public_key=public_key_bytes(self.technician_key.public_key()),
            not_before=now - 60,
            not_after=now + 86400,
        )
        # OpenSSH format: both the console (its identity claim) and `podpora case` (signing) read it.
        (paths.config_dir / TECHNICIAN_KEY_FILE).write_bytes(
            self.technician_key.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption())
        )
        os.chmod(paths.config_dir / TECHNICIAN_KEY_FILE, 0o600)
        (paths.config_dir / TECHNICIAN_CERT_FILE).write_bytes(self.certificate)
        org_public_hex = public_key_bytes(org_key.public_key()).hex()

        factory = SshServerFactory(folder / "sshd")
        self._stack.callback(factory.stop_all)
        self.log("Starting the user's machine: a virtual display, the assist agent, an SSH server on 127.0.0.1")
        display = start_xvfb(1280, 800)
        self._stack.callback(display.stop)
        self.display = display
        ssh_key = KeyPair.generate(folder / "technician-ssh" / "id_ed25519")
        server = factory.start(name="user-pc", authorized_keys=[ssh_key.public_line])
        self.known_hosts = folder / "technician-ssh" / "known_hosts"
        self.known_hosts.write_text(server.known_hosts_line() + "\n")  # the pin an administrator would provision
        self.ssh_config = folder / "technician-ssh" / "config"
        self.ssh_config.write_text(
            f"Host jana-pc\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
            f"  IdentityFile {ssh_key.path}\n  IdentitiesOnly yes\n"
        )
        self.disk = self._stack.enter_context(_full_disk(folder, self.log))
        extra = ["--window", "--pause", str(self.pause)] if self.window_user else []
        user = _UserMachine(
            display.name, org_public_hex, self.log, folder / "user-machine.log", extra=extra, folder=folder
        )
        self._stack.callback(user.stop)
        self.user = user
        self.ready = user.wait_for("ready")
        self.log(f"  [user] clicks Get help and reads out the session code: {self.ready['code']}")

    def connect(self) -> Any:
        """An SSH connection to the user's machine, as the technician's console makes it."""
        from app.remote.ssh import ConnectOptions, connect

        return connect(
            "jana-pc",
            ConnectOptions(config_path=self.ssh_config, known_hosts_paths=[self.known_hosts], use_agent=False),
        )

    def stop(self) -> None:
        """Stop everything started, in reverse order."""
        self._stack.close()


def run_demo(log: Callable[[str], None], *, keep: bool = False) -> DemoSummary:
    """Run the whole session and return its summary; everything started is stopped before returning."""
    from app.cli.console import confined_picture_decoder
    from app.cli.diag import SshExecutor
    from app.cli.view import write_png
    from app.diagnostics.catalog import load_settings
    from app.diagnostics.runner import Runner
    from app.diagnostics.service import DiagnosticsService
    from app.remote import protocol as p
    from app.remote.client import TechnicianCallbacks, TechnicianClient
    from app.remote.identity import make_claim
    from app.ui.diagnostics_wiring import encode_run

    machine = DemoMachine(log)
    folder = machine.folder
    summary = DemoSummary(folder=str(folder))
    client: TechnicianClient | None = None
    connection = None
    recorder: Any = None
    try:
        machine.start()
        from app.cases.keystore import load_journal_key
        from app.cases.recorder import CaseRecorder
        from app.cases.store import CaseStore

        paths = machine.paths
        user = machine.user
        assert user is not None  # noqa: S101 - start() either set it or raised
        ready = machine.ready
        technician_key, certificate = machine.technician_key, machine.certificate
        disk = machine.disk

        # Identify: open the case.
        store = CaseStore(paths.cases_dir, load_journal_key(paths.data_dir).key)
        case_id = f"C-{datetime.now(UTC):%Y%m%d-%H%M%S}"
        summary.case_id = case_id
        recorder = CaseRecorder.start(
            store,
            case_id,
            technician_key,
            clock=lambda: datetime.now(UTC),
            on_write_error=lambda error: log(f"case log write failed, control stops: {error.user_message}"),
        )
        record = recorder.record
        record(
            "case_opened",
            {
                "case_id": case_id,
                "ticket": TICKET,
                "technician": {"name": "Petr Svoboda", "team": "IT Helpdesk", "org": "Demo Company"},
                "end_user": {"name": "Jana Novak", "contact": "jana@example.org"},
            },
        )
        record("description", {"text": USER_WORDS})
        log(f"Case {case_id} for ticket {TICKET}: “{USER_WORDS}”")

        # Connect and pair.
        log("Technician connects over SSH (host key pinned, strict KEX) and pairs with the code")
        connection = machine.connect()
        hop = connection.reports[-1]
        summary.route = [r.hop.describe() for r in connection.reports]
        record("session_start", {"route": " → ".join(summary.route), "host_key": hop.fingerprint})
        frame_ready = threading.Event()
        messages: queue.Queue[Any] = queue.Queue()
        latest: dict[str, Any] = {}

        def on_frame(framebuffer: Any, _changed: Any) -> None:
            latest["frame"] = framebuffer.copy()
            frame_ready.set()
            if client is not None:
                client.frame_drawn()  # pull-based: ask for the next update once this one is "drawn"

        client = TechnicianClient(
            connection.open_stream("127.0.0.1", int(ready["port"])),
            code=str(ready["code"]),
            capabilities=frozenset(p.Capability),
            reason="Cannot save files: the disk may be full",
            case_ref=TICKET,
            identity=lambda session_id: make_claim(certificate, technician_key, session_id),
            callbacks=TechnicianCallbacks(on_frame=on_frame, on_message=messages.put),
            decoder=confined_picture_decoder(),  # as the real console: the pictures are decoded confined
        )
        client.start()
        record("consent_request", {"capabilities": [c.value for c in p.Capability], "reason": "Cannot save files"})
        consent = user.wait_for("consent")
        summary.verified_identity = str(consent["who"])
        if not frame_ready.wait(WAIT_SECONDS):
            raise DemoError(f"no picture arrived from the user's machine ({client.close_reason or 'no reason'})")
        summary.granted = sorted(c.value for c in client.granted)
        record(
            "consent_decision",
            {"granted": summary.granted, "refused": sorted({c.value for c in p.Capability} - set(summary.granted))},
        )
        record("connected", {})
        log(f"  the user granted: {', '.join(summary.granted)}; the screen arrives")

        # Gather information: the screen, the user's words in chat, system facts.
        shot = folder / "screenshot.png"
        write_png(shot, latest["frame"])
        summary.screenshot_bytes = shot.stat().st_size
        record(
            "screenshot",
            {
                "name": "start.png",
                "caption": "The user's screen at the start",
                "png_b64": base64.b64encode(shot.read_bytes()).decode(),
            },
        )
        # Control: click into the user's window and type; the change comes back as a new picture.
        greeting = "Petr from IT is here."
        client.send_pointer(400, 300, 1)
        client.send_pointer(400, 300, 0)
        shift = 0xFFE1  # Shift_L: a console sends the modifier as the technician's keyboard does
        for character in greeting:  # ASCII keysyms equal the code point; they go through XTEST like a keyboard
            if character.isupper():
                client.send_key(True, keysym=shift)
            client.send_key(True, keysym=ord(character))
            client.send_key(False, keysym=ord(character))
            if character.isupper():
                client.send_key(False, keysym=shift)
        before_typing = latest["frame"]
        for _ in range(20):  # updates arrive as the screen changes, until the typed text shows
            frame_ready.clear()
            if frame_ready.wait(2) and (latest["frame"] != before_typing).any():
                log(f"  the technician types into the user's window: “{greeting}” (the change arrived)")
                break
        else:
            summary.notes.append("typed text did not show on the user's screen in time")
        client.send_chat("Hello Jana, this is Petr from IT. I can see the error on your screen.")
        record("chat", {"sender": "technician", "text": "Hello Jana, this is Petr from IT."})
        reply = user.wait_for("chat")
        while reply.get("sender") != "user":
            reply = user.wait_for("chat")
        record("chat", {"sender": "user", "text": reply["text"]})

        catalog = load_settings().load()
        service = DiagnosticsService(
            catalog, Runner(SshExecutor(connection, "jana-pc")), _NoLocalApproval(), host="jana-pc", clock=time.time
        )
        info_ids = ["system_facts", "disk_space", "memory_swap", "cpu_load", "network_interfaces"]
        values = {"disk_space": {"mounts": [str(disk)]}} if disk else {}
        log(f"Running the signed info scripts over SSH: {', '.join(info_ids)}")
        results = service.run(info_ids, values=values)
        for result in results:
            summary.info_checks[result.script_id] = result.status
            record(
                "script_result",
                {
                    "script_id": result.script_id,
                    "status": result.status,
                    "phase": "before",
                    "checks": [_check_row(c) for c in result.checks],
                },
            )
            for check in result.checks:
                log(f"  {check.status.upper():7} {check.explain('en')}")

        # Analyse and fix, with the user's approval, then verify.
        if disk is not None:
            log("The disk check warns: the technician proposes 'Free space: delete old temporary files'")
            outcome = _repair_on_user_side(
                client,
                messages,
                encode_run("clean_temp", {"paths": [str(disk)], "older_than_days": 0, "apt_cache": False}),
            )
            approved = bool((outcome.repair.approval or {}).get("approved"))
            record(
                "repair_approval",
                {
                    "action": "clean_temp",
                    "approved": approved,
                    "description": "Free space: delete old temporary files",
                },
            )
            record(
                "repair",
                {
                    "action": "clean_temp",
                    "status": outcome.repair.status,
                    "undo": "Programs recreate the temporary files they need.",
                },
            )
            record("diagnostics", {"phase": "before", "checks": [_check_row(c) for c in outcome.before]})
            record("diagnostics", {"phase": "after", "checks": [_check_row(c) for c in outcome.after]})
            summary.repair = {
                "script": "clean_temp",
                "approved": approved,
                "status": outcome.repair.status,
                "before": [c.status for c in outcome.before],
                "after": [c.status for c in outcome.after],
            }
            for check_id, before, after in outcome.comparison():
                log(
                    f"  verify {check_id}: before {before.status if before else '-'}"
                    f" → after {after.status if after else '-'}"
                )

        # Feedback and the end of the session.
        client.send_chat("All done: you can save again. How did we do?")
        record("chat", {"sender": "technician", "text": "All done: you can save again. How did we do?"})
        feedback = _wait_message(messages, p.Feedback)
        summary.rating = feedback.rating
        record("feedback", {"rating": feedback.rating, "comment": feedback.comment})
        record("resolved", {"summary": "Old temporary files removed; the disk has free space again."})
        summary.frames = client.frames
        client.stop()
        client.wait_closed(10)
        record("session_end", {"reason": "technician ended the session"})
        recorder.close()
        recorder = None
    finally:
        if client is not None:
            client.stop()
        if recorder is not None:
            with contextlib.suppress(PodporaError):
                recorder.close()
        if connection is not None:
            connection.close()
        machine.stop()

    _deliver(summary, log)
    if not keep:
        for leftover in ("sshd", "technician-ssh"):
            shutil.rmtree(folder / leftover, ignore_errors=True)
    return summary


def run_windowed(args: argparse.Namespace, log: Callable[[str], None]) -> DemoSummary:
    """The demo with the real windows: the technician console here, the assist app on the user's display.

    Returns when the console is closed (or, with ``--exit-when-done``, once the report is open).
    """
    machine = DemoMachine(log, window_user=True, pause=max(0.0, args.pause))
    summary = DemoSummary(folder=str(machine.folder))
    try:
        machine.start()
        technician = _console_session(machine, summary, args, log)
    finally:
        machine.stop()
    if technician.error is not None:
        if isinstance(technician.error, PodporaError):
            raise technician.error
        raise DemoError(f"the demo stopped: {technician.error!r}") from technician.error
    result = technician.result
    user = machine.user
    consent = user.seen.get("consent", {}) if user is not None else {}
    summary.verified_identity = str(consent.get("who", ""))
    summary.route = list(result.get("route", []))
    summary.granted = list(result.get("granted", []))
    summary.frames = int(result.get("frames", 0))
    summary.screenshot_bytes = int(result.get("screenshot_bytes", 0))
    summary.info_checks = dict(result.get("checks", {}))
    summary.repair = dict(result.get("repair", {}))
    summary.rating = result.get("rating")
    summary.user_summary = list(result.get("user_summary", []))
    summary.windows = {
        "technician": str(result.get("console_window", "")),
        "user": str(user.seen.get("window", {}).get("name", "")) if user is not None else "",
    }
    if not args.keep:
        for leftover in ("sshd", "technician-ssh"):
            shutil.rmtree(machine.folder / leftover, ignore_errors=True)
    return summary


def _console_session(machine: DemoMachine, summary: DemoSummary, args: argparse.Namespace, log: Any) -> Any:
    """Open the real console wired to the demo's machine and let the scripted technician walk the case."""
    from app.cli.console import JournalCase, confined_picture_decoder
    from app.cli.diag import SshExecutor
    from app.ui.application import start_qt
    from app.ui.console import wiring
    from app.ui.console.addressbook import AddressBook
    from app.ui.console.window import ConsoleWindow
    from app.ui.demo_console import DemoPlan, run_demo_console

    context = start_qt("Podpora console", language="en")
    disk = machine.disk
    parameters: dict[str, dict[str, Any]] = {}
    if disk is not None:  # the checks look at the demo's small disk, and the repair cleans only that disk
        parameters = {
            "disk_space": {"mounts": [str(disk)]},
            "clean_temp": {"paths": [str(disk)], "older_than_days": 0, "apt_cache": False},
        }
    factory = wiring.RemoteSessionFactory(
        lambda _target, _asker: machine.connect(),
        agent_port=int(machine.ready["port"]),
        executor_factory=SshExecutor,
        language=lambda: "en",
        identity=lambda: wiring.load_identity(machine.paths.config_dir),
        case_factory=lambda request: JournalCase.open(request.target, request.ticket, lambda: "en"),
        parameters=parameters,
        decoder_factory=confined_picture_decoder,  # as the real console: the pictures are decoded confined
    )
    window = ConsoleWindow(
        context.settings, context.languages, factory=factory, book=AddressBook(ssh_config=machine.ssh_config)
    )
    user = machine.user
    assert user is not None  # noqa: S101 - DemoMachine.start() set it

    def deliver(case_id: str) -> Path:
        summary.case_id = case_id
        _check_delivery(summary, log)
        return Path(summary.report)

    plan = DemoPlan(
        target="jana-pc",
        code=str(machine.ready["code"]),
        ticket=TICKET,
        reason="Cannot save files: the disk may be full",
        user_words=USER_WORDS,
        info_scripts=("system_facts", "disk_space", "memory_swap", "cpu_load", "network_interfaces"),
        repair_script="clean_temp",
        wait_for_user=user.wait_for,
        deliver=deliver,
        pause=max(0.0, args.pause),
        screenshots=args.screenshots,
        resolution="Old temporary files removed; the disk has free space again." if disk is not None else "",
        case_opened={
            "ticket": TICKET,
            "technician": {"name": "Petr Svoboda", "team": "IT Helpdesk", "org": "Demo Company"},
            "end_user": {"name": "Jana Novak", "contact": "jana@example.org"},
        },
    )
    technician = run_demo_console(window, plan, log, exit_when_done=args.exit_when_done)
    context.app.exec()
    if not technician.done.wait(10):  # the console was closed while the case was still being walked
        log("The console was closed before the case was finished.")
    return technician


class _NoLocalApproval:
    """Info scripts need no approval; a repair from the technician's side is never run without the user."""

    def request_approval(self, request: Any) -> Any:
        from app.diagnostics.runner import ApprovalDecision

        return ApprovalDecision.answer(request, False, "technician", "repairs run on the user's side")


def _check_row(check: Any) -> dict[str, Any]:
    return {
        "id": check.id,
        "title": check.id,
        "status": check.status,
        "finding": check.finding,
        "explanation": check.explain("en"),
    }


def _wait_message(messages: queue.Queue[Any], kind: type, timeout: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            message = messages.get(timeout=remaining)
        except queue.Empty:
            break
        if isinstance(message, kind):
            return message
    raise DemoError(f"no {kind.__name__} from the user's machine in time")


def _repair_on_user_side(client: Any, messages: queue.Queue[Any], payload: bytes) -> Any:
    """Ask the agent to run a change: the user approves it there, it runs, its checks run again."""
    from app.diagnostics.results import RepairOutcome
    from app.remote import protocol as p

    client.run_script("repair-1", payload)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        message = _wait_message(messages, p.ScriptResult, timeout=deadline - time.monotonic())
        if message.request_id != "repair-1":
            continue
        document = json.loads(bytes(message.payload).decode())
        if "repair" not in document:
            raise DemoError(f"the repair did not run: {document.get('error', document)}")
        return RepairOutcome.from_dict(document["repair"])
    raise DemoError("the repair did not finish in time")


def _deliver(summary: DemoSummary, log: Callable[[str], None]) -> None:
    """Export the case as a signed bundle, deliver it to the folder connector, verify it as a recipient would."""
    from app.cli import main as podpora

    log("Exporting the case: signed bundle with report, delivered to the folder connector")
    import io

    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):  # `case export` prints its own lines; narrate them via log
        code = podpora(["case", "export", summary.case_id, "--to", "folder", "--ticket", TICKET])
    for line in captured.getvalue().splitlines():
        log(f"  {line}")
    if code != 0:
        raise DemoError(f"the case export failed (exit {code})")
    _check_delivery(summary, log)


def _check_delivery(summary: DemoSummary, log: Callable[[str], None]) -> None:
    """Find the delivered bundle, verify it as a recipient would, and keep its report next to the demo."""
    from app.cases.bundle import verify_bundle
    from app.config import default_paths

    paths = default_paths()
    exports = sorted((paths.cases_dir / summary.case_id / "exports").glob("*.zip"))
    delivered = sorted((paths.data_dir / "exports").rglob("*.zip"))
    if not exports or not delivered:
        raise DemoError("the bundle was not delivered")
    summary.bundle = str(exports[-1])
    summary.delivered_to = str(delivered[-1])
    result = verify_bundle(Path(summary.delivered_to))
    summary.verify_ok = result.ok
    import zipfile

    report = Path(summary.folder) / "report.html"
    with zipfile.ZipFile(summary.delivered_to) as bundle:
        report.write_bytes(bundle.read("report.html"))
    summary.report = str(report)
    import hashlib

    summary.bundle_sha256 = hashlib.sha256(Path(summary.delivered_to).read_bytes()).hexdigest()
    log(f"  delivered: {summary.delivered_to}")
    log(f"  podpora case verify: {result.message}")
    log(f"  report: {summary.report}")


def run(args: argparse.Namespace) -> int:
    """Run the demo; open the report in the console unless headless."""
    headless = args.headless
    if not headless and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        print("podpora demo: no display here, so the demo runs headless (use --headless to say so).")
        headless = True

    def log(text: str) -> None:
        if not args.json:
            print(text, flush=True)

    if not headless and shutil.which("xdotool") is None:
        print("podpora demo: xdotool is missing (scripts/setup installs it), so the demo runs headless.")
        headless = True
    try:
        summary = run_demo(log, keep=args.keep) if headless else run_windowed(args, log)
    except PodporaError as error:
        raise DemoError(
            str(error),
            user_text=QT_TRANSLATE_NOOP("podpora", "The demo stopped: {reason}"),
            reason=error.user_message,
        ) from error
    if args.json:
        print(json.dumps(summary.__dict__, indent=2, ensure_ascii=False))
    else:
        print()
        print("Summary")
        print(f"  route: {' → '.join(summary.route)}; technician shown to the user as: {summary.verified_identity}")
        print(f"  consent: {', '.join(summary.granted)}; frames received: {summary.frames}")
        print(f"  checks: {', '.join(f'{k}={v}' for k, v in summary.info_checks.items())}")
        if summary.repair:
            print(
                f"  repair: {summary.repair['script']} approved={summary.repair['approved']} "
                f"before={summary.repair['before']} after={summary.repair['after']}"
            )
        print(f"  rating: {summary.rating}/5; bundle verified: {summary.verify_ok}")
        print(f"  case: PODPORA_HOME={Path(summary.folder) / 'technician-home'} podpora case show {summary.case_id}")
    return 0 if summary.verify_ok else 1
