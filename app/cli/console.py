"""``podpora console`` (the default command): open the technician console.

``--smoke`` starts the console offscreen, shows the main window, runs the event loop briefly and exits 0;
packaging uses it to prove a build starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``podpora console``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "console", help="open the technician console (the default)", description=__doc__
    )
    parser.add_argument("--language", choices=["en", "cs", "sk"], help="interface language for this run")
    parser.add_argument("--smoke", action="store_true", help="start offscreen, show the window, exit 0")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the console window and run until it closes."""
    if args.smoke:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.ui.application import display_problem

    problem = display_problem()
    if problem:
        print(f"podpora console: {problem}", file=sys.stderr)
        return 2
    from app.ui.application import smoke, start_qt
    from app.ui.console.window import ConsoleWindow

    context = start_qt("Podpora console", language=args.language)
    window = ConsoleWindow(context.settings, context.languages, factory=_session_factory(context.languages))
    if args.smoke:
        return smoke(context.app, window)
    window.show()
    if not context.settings.first_run_done:
        window.open_first_run()
    return int(context.app.exec())


def _session_factory(languages: Any) -> Any:
    """Sessions over the real SSH layer and technician driver; diagnostics over the same connection."""
    from app.cli.diag import SshExecutor
    from app.ui.console import wiring

    return wiring.make_session_factory(
        _connect_with_gui_questions, executor_factory=SshExecutor, language=lambda: str(languages.language)
    )


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
    )
    return connect(target, options)
