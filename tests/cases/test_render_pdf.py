"""The Qt PDF renderer the command line passes into the bundle export."""

from __future__ import annotations

from app.ui.render_pdf import html_to_pdf


def test_html_to_pdf_produces_a_pdf() -> None:
    pdf = html_to_pdf("<h1>Případ 42</h1><table><tr><td>ok</td></tr></table>")
    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-64:]
