"""``podpora console`` (the default command): open the technician console.

``--smoke`` starts the console offscreen, shows the main window, runs the event loop briefly and exits 0;
packaging uses it to prove a build starts.

The pictures a user machine sends are decoded in a confined child process (``app.remote.decoder_process``), so a
bug in a decoder cannot reach the technician's keys or SSH agent; ``--single-process`` decodes them in the
console's own process instead (for troubleshooting only: weaker).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.errors import PodporaError

if TYPE_CHECKING:
    from app.remote.client import FrameDecoderLike


def register(subparsers: Any) -> None:
    """Add ``podpora console``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "console", help="open the technician console (the default)", description=__doc__
    )
    parser.add_argument("--language", choices=["en", "cs", "sk"], help="interface language for this run")
    parser.add_argument("--smoke", action="store_true", help="start offscreen, show the window, exit 0")
    add_single_process_option(parser)
    parser.set_defaults(func=run)


def add_single_process_option(parser: argparse.ArgumentParser) -> None:
    """``--single-process``: decode the user machine's pictures in this process (see :func:`picture_decoders`)."""
    parser.add_argument(
        "--single-process",
        action="store_true",
        help="decode the remote screen in this process instead of a confined decoder process (troubleshooting only)",
    )


def confined_picture_decoder() -> FrameDecoderLike:
    """A session's picture decoder in a confined child process (``app.remote.decoder_process``; it starts with
    the first picture and ends with the session)."""
    from app.cli.child_process import python_module_command
    from app.remote.decoder_process import SandboxedDecoder

    return SandboxedDecoder(python_module_command("app.remote.decoder_process"))


def picture_decoders(single_process: bool) -> Callable[[], FrameDecoderLike] | None:
    """What makes each session's picture decoder: :func:`confined_picture_decoder`, or None (``--single-process``)
    for the client's own in-process decoder."""
    return None if single_process else confined_picture_decoder


def run(args: argparse.Namespace) -> int:
    """Open the console window and run until it closes."""
    if args.smoke:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.ui.application import display_problem

    problem = display_problem()
    if problem:
        print(f"podpora console: {problem}", file=sys.stderr)
        return 2
    from app.ui.application import run_event_loop, smoke, start_qt
    from app.ui.console.window import ConsoleWindow

    context = start_qt("Podpora console", language=args.language)
    window = ConsoleWindow(
        context.settings,
        context.languages,
        factory=_session_factory(context.languages, picture_decoders(args.single_process)),
        recovery=None if args.smoke else JournalRecovery(lambda: str(context.languages.language)),
    )
    if args.smoke:
        return smoke(context.app, window)
    window.show()
    if not context.settings.first_run_done:
        window.open_first_run()
    return run_event_loop(context.app)


def _session_factory(languages: Any, decoders: Callable[[], FrameDecoderLike] | None) -> Any:
    """Sessions over the real SSH layer and technician driver; diagnostics over the same connection."""
    from app.cli.diag import SshExecutor
    from app.ui.console import wiring

    return wiring.make_session_factory(
        _connect_with_gui_questions,
        executor_factory=SshExecutor,
        language=lambda: str(languages.language),
        case_factory=lambda request: JournalCase.open(request.target, request.ticket, lambda: str(languages.language)),
        decoder_factory=decoders,
    )


class JournalCase:
    """The case panel's backend: the session's signed, encrypted journal and its export (``app.cases``)."""

    def __init__(self, case_id: str, recorder: Any, store: Any, signer: Any, language: Any) -> None:
        import threading

        self.case_id = case_id
        self.recorder = recorder
        # The driver's threads, the panels' workers and the diagnostics all write; a journal appends one record
        # at a time (each chains on the previous one), so writes are serialised here.
        self._write_lock = threading.Lock()
        self.store = store
        self.signer = signer
        self.language = language

    @classmethod
    def open(cls, target: str, ticket: str, language: Any) -> JournalCase:
        """Start a new case for a session to ``target`` (blocking: called on the connect worker)."""
        import re
        import secrets
        from datetime import UTC, datetime

        from app.cases.recorder import CaseRecorder
        from app.cli.case import _store, load_technician_key

        signer = load_technician_key(None)
        store = _store()
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        case_id = f"{stamp}-{re.sub(r'[^A-Za-z0-9._-]+', '-', target)[:40]}-{secrets.token_hex(2)}"

        def on_write_error(error: Any) -> None:
            # The session's own stop follows from the raised error (ClientSessionBackend fails closed).
            del error

        recorder = CaseRecorder.start(
            store, case_id, signer, clock=lambda: datetime.now(UTC), on_write_error=on_write_error
        )
        case = cls(case_id, recorder, store, signer, language)
        if ticket:
            case.set_ticket(ticket)
        return case

    def record(self, kind: str, fields: dict[str, Any]) -> None:
        """A session event (from any thread)."""
        with self._write_lock:
            self.recorder.record(kind, fields)

    def set_ticket(self, reference: str) -> None:
        self.record("ticket", {"ref": reference})

    def set_description(self, text: str) -> None:
        self.record("description", {"text": text})

    def add_note(self, text: str) -> None:
        self.record("note", {"text": text})

    def close(self) -> None:
        """The tab closed: write the final signed checkpoint (blocking; called off the GUI thread)."""
        with self._write_lock:
            self.recorder.close()

    def connectors(self) -> list[str]:
        from app.cases.connectors import available

        return available()

    def export(self, connector: str, ticket: str, progress: Any) -> str:
        """Bundle, then deliver through the outbox; returns where the case went."""
        import os
        from datetime import UTC, datetime

        from app.cases.bundle import bundle_file_name, export_bundle
        from app.cases.connectors import human_name
        from app.cases.outbox import DELIVERED, Outbox
        from app.cases.report import render_comment
        from app.cli.case import TECHNICIAN_CERT_FILE, connector_factory
        from app.config import default_paths
        from app.ui.render_pdf import html_to_pdf

        progress(10, "")
        with self._write_lock:  # a record half-written by another thread must not be read as the end
            loaded = self.store.load(self.case_id)
        cert_path = default_paths().config_dir / TECHNICIAN_CERT_FILE
        now = datetime.now(UTC)
        exports = self.store.exports_dir(self.case_id)
        temp = export_bundle(
            exports / ".export-in-progress.zip",
            case=loaded.case,
            header=loaded.contents.header,
            records=loaded.contents.records,
            signer=self.signer,
            exported_at=now,
            lang=self.language(),
            certificate=cert_path.read_bytes() if cert_path.exists() else None,
            html_to_pdf=html_to_pdf,
        )
        final = exports / bundle_file_name(loaded.case.case_id, temp.sha256)
        os.replace(temp.path, final)
        progress(60, final.name)
        comment = render_comment(loaded.case, bundle_name=final.name, bundle_sha256=temp.sha256, lang=self.language())
        outbox = Outbox(default_paths().outbox_dir)
        item = outbox.enqueue(
            case_id=loaded.case.case_id,
            connector=connector,
            ticket=ticket or loaded.case.ticket_ref or "",
            bundle_path=final,
            bundle_name=final.name,
            comment=comment,
            now=now,
            internal=True,
        )
        attempted = outbox.process(now, connector_factory(), only=item.id, force=True)
        item = attempted[0] if attempted else outbox.load(item.id)
        if item.state != DELIVERED:
            template, values = item.status_parts(datetime.now(UTC), human_name(connector))
            raise PodporaError(f"delivery to {connector}: {item.state}", user_text=template, **values)
        return str(item.result_url or final)


class JournalRecovery:
    """The console's :class:`~app.ui.console.recovery.CaseRecovery`: interrupted cases in the case store."""

    def __init__(self, language: Any) -> None:
        self.language = language

    def interrupted(self) -> list[Any]:
        """Cases whose journal a killed console left open (blocking: reads every journal)."""
        from app.cases.store import JOURNAL_FILE
        from app.cli.case import _store
        from app.config import default_paths

        # No case yet: the journal key is not touched (it would be created, or the keyring asked, at every start).
        if not any(default_paths().cases_dir.glob(f"*/{JOURNAL_FILE}")):
            return []
        return list(_store().interrupted_cases())

    def finish(self, case_id: str) -> JournalCase:
        """Close the journal as recovered after a crash; the returned case exports it (no more recording)."""
        from datetime import UTC, datetime

        from app.cli.case import _store, load_technician_key

        signer = load_technician_key(None)
        store = _store()
        store.finish_interrupted(case_id, signer, now=datetime.now(UTC))
        return JournalCase(case_id, None, store, signer, self.language)


def _connect_with_gui_questions(target: str, asker: Any) -> Any:
    """Connect like ``ssh`` would; unknown host keys and key passphrases are asked in the console."""
    from app.config import default_paths
    from app.remote.ssh import ConnectOptions, HostKeyDecision, HostKeyInfo, connect

    def decide(info: HostKeyInfo) -> HostKeyDecision:
        return HostKeyDecision(asker.ask_host_key(info))

    options = ConnectOptions(
        host_key_decider=decide,
        passphrase_provider=asker.ask_passphrase,
        own_known_hosts=default_paths().ensure().known_hosts,
        cancel=getattr(asker, "cancelled", None),  # the console's Cancel for this attempt
    )
    return connect(target, options)
