"""The ``podpora`` command line: the composition root that parses arguments and wires the layers.

Each subcommand lives in its own module ``app.cli.<name>`` exposing ``register(subparsers)``, which adds
its parser and sets ``func`` (``(args) -> int``) as the handler.  ``console`` is the default subcommand.
``podpora --version`` and ``podpora --help`` work without a display (nothing imports Qt until a window is
actually opened).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
from collections.abc import Sequence

from app import __version__
from app.errors import PodporaError

# Subcommand modules, in the order ``--help`` lists them.
SUBCOMMAND_MODULES = (
    "console",
    "assist",
    "demo",
    "check",
    "view",
    "diag",
    "scripts",
    "case",
    "outbox",
    "bench",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="podpora",
        description="Podpora: remote assistance for IT technicians over SSH.",
    )
    parser.add_argument("--version", action="version", version=f"podpora {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        if importlib.util.find_spec(f"app.cli.{name}") is None:
            continue  # a subcommand whose module is not part of this build
        module = importlib.import_module(f"app.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``podpora`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list or (
        args_list[0].startswith("-")
        and args_list[0] not in {"-h", "--help", "--version"}
        and not any(a in {"-h", "--help", "--version"} for a in args_list)
    ):
        args_list = ["console", *args_list]
    args = parser.parse_args(args_list)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
    )
    try:
        result: int = args.func(args)
    except PodporaError as error:
        print(f"podpora: {error.user_message}", file=sys.stderr)
        logging.getLogger("podpora").debug("technical detail: %s", error)
        return error.exit_code
    except KeyboardInterrupt:
        print("podpora: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`podpora diag list | head`): stop quietly, as other command-line tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return result


def console_main() -> int:
    """Desktop entry point ``podpora-console``."""
    return main(["console", *sys.argv[1:]])


def assist_main() -> int:
    """Desktop entry point ``podpora-assist``."""
    return main(["assist", *sys.argv[1:]])
