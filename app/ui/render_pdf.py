"""Render an HTML report to PDF with Qt (no browser): ``QTextDocument`` printed by ``QPdfWriter``.

``app.cases`` may not import Qt, so its bundle export takes an ``html_to_pdf`` callable; the command line passes
:func:`html_to_pdf` from here.  Works offscreen (no display needed).
"""

from __future__ import annotations

import os
import sys
from typing import Any

# The application object the renderer had to create, kept for the life of the process: Qt allows one per
# process, and dropping it while documents exist would crash.
_created_app: Any = None


def html_to_pdf(html: str) -> bytes:
    """Return a PDF (A4, 15 mm margins) of ``html`` as bytes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF
    from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument
    from PySide6.QtWidgets import QApplication

    global _created_app  # noqa: PLW0603 - one application per process, created on first use
    if QGuiApplication.instance() is None:
        # A QApplication (not just a QGuiApplication), so that windows opened later in the same process
        # (the console, the demo window, pytest-qt's widgets) can still use it.
        _created_app = QApplication(sys.argv[:1])
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(96)
    document = QTextDocument()
    document.setHtml(html)
    layout = writer.pageLayout()
    paint_rect = layout.paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(paint_rect.width(), paint_rect.height()))
    document.print_(writer)
    del writer  # finishes the PDF
    buffer.close()
    return bytes(data.data())
