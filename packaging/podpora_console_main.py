"""Entry script of the windowed ``Podpora Console`` launcher (Windows .exe, macOS .app)."""

from app.cli import console_main

raise SystemExit(console_main())
