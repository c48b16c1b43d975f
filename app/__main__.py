"""`python -m app` runs the `podpora` command line."""

from app.cli import main

raise SystemExit(main())
