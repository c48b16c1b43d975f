"""The only package that imports Qt (PySide6): the technician console and the end-user assist app."""
