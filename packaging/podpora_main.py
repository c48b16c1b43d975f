"""Entry script of the frozen ``podpora`` executable (PyInstaller runs this as ``__main__``)."""

from app.cli import main

raise SystemExit(main())
