"""The installed commands' entry points: re-run Python isolated before any of Podpora is imported.

pip and pipx generate ``podpora``, ``podpora-console`` and ``podpora-assist`` as small scripts that start the
environment's Python normally, so ``$PYTHONPATH`` (and the user's site-packages) come before Podpora's own
dependencies on ``sys.path``: a ``paramiko.py`` planted there would be imported in place of the real one
(SECURITY-BAR T28).  These entry points therefore start the same interpreter again with ``-I`` (isolated:
no ``PYTHON*`` variables, no user site-packages, neither the working directory nor the script's folder on
``sys.path``) and run the command line there.  Before the re-run this module imports nothing but ``os`` and
``sys``, which Python has loaded already.

What the re-run cannot undo: Python imports ``sitecustomize`` (and ``usercustomize`` where user
site-packages are enabled, which a venv disables) while it starts, before any entry point runs, so one
planted on ``$PYTHONPATH`` still runs once in the first process
(docs/install.md).  The frozen bundle (.deb) has no such step.  ``python -m app`` from a source tree is a
developer's command and is not re-run.
"""

from __future__ import annotations

import os
import sys


def _run_isolated(prefix: list[str]) -> int:
    """Run ``app.cli`` with ``prefix`` + the arguments in an isolated interpreter, or here if already isolated."""
    if sys.flags.isolated or getattr(sys, "frozen", False):
        from app.cli import main

        return main([*prefix, *sys.argv[1:]])
    argv = [sys.executable, "-I", "-m", "app", *prefix, *sys.argv[1:]]
    if os.name == "nt":
        # Windows has no exec(): os.execv would start a second process and return at once, leaving the
        # caller's console; wait for the child instead and pass on its exit code.
        import subprocess

        return subprocess.call(argv)
    # The same interpreter and arguments, no shell: exec replaces this process (or raises OSError).
    os.execv(sys.executable, argv)  # noqa: S606


def main() -> int:
    """``podpora``: the whole command line."""
    return _run_isolated([])


def console_main() -> int:
    """``podpora-console``: the desktop entry point of the technician's console."""
    return _run_isolated(["console"])


def assist_main() -> int:
    """``podpora-assist``: the desktop entry point of the Get Help app."""
    return _run_isolated(["assist"])
