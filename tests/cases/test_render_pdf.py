"""The Qt PDF renderer the command line passes into the bundle export."""

from __future__ import annotations

from app.ui.render_pdf import html_to_pdf


def test_html_to_pdf_produces_a_pdf() -> None:
    pdf = html_to_pdf("<h1>Případ 42</h1><table><tr><td>ok</td></tr></table>")
    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-64:]


def test_screenshots_reach_the_pdf() -> None:
    from tests.cases.sample import tiny_png

    with_image = html_to_pdf(f'<p>x</p><img src="data:image/png;base64,{tiny_png()}" width="100">')
    without = html_to_pdf("<p>x</p>")
    assert b"/Subtype /Image" in with_image
    assert b"/Subtype /Image" not in without
