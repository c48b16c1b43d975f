"""How Podpora starts its own helper processes (the demo's user machine, the benches' agents).

A helper runs Podpora's code again, so it must load it the way the launcher does (SECURITY-BAR T28): from a pip or
pipx install, Python runs isolated (``-I``: no ``$PYTHONPATH``, no working directory, no user site), so a
``paramiko.py`` planted where the technician happens to stand is never imported.  A frozen bundle has a fixed
``sys.path`` already and takes ``-m app.<module>`` itself (see ``packaging/podpora_main.py``).
"""

from __future__ import annotations

import sys


def python_module_command(module: str, *arguments: str) -> list[str]:
    """The argv that runs ``python -m module arguments...`` in the same interpreter, isolated."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "-m", module, *arguments]
    return [sys.executable, "-I", "-m", module, *arguments]
