"""Entry script of the windowed ``Podpora Get Help`` launcher (Windows .exe, macOS .app)."""

from app.cli import assist_main

raise SystemExit(assist_main())
