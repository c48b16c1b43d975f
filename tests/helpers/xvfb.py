"""A real X server (Xvfb) for capture and input tests (the implementation lives in app.remote.localdisplay)."""

from app.remote.localdisplay import DisplayError, VirtualDisplay, start_xvfb

__all__ = ["DisplayError", "VirtualDisplay", "start_xvfb"]
