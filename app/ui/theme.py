"""Look and feel: a calm palette (light, dark or the system's), readable fonts and consistent spacing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

#: Spacing unit in pixels; layouts use multiples of it so every screen breathes the same way.
SPACING = 8

ACCENT = "#2563eb"
DANGER = "#b91c1c"
SUCCESS = "#15803d"
WARNING = "#b45309"

_STYLESHEET = """
QPushButton { padding: 6px 14px; border-radius: 6px; border: 1px solid palette(mid); background: palette(button); }
QPushButton:hover { border-color: %(accent)s; }
QPushButton:checked { background: %(accent)s; color: white; border-color: %(accent)s; }
QListWidget::item { padding: 6px 4px; }
QPushButton[primary="true"] { background: %(accent)s; color: white; font-weight: 600; border: none; }
QPushButton[primary="true"]:disabled { background: #93a8d8; }
QPushButton[danger="true"] { background: %(danger)s; color: white; font-weight: 600; border: none; }
QLabel[role="title"] { font-size: %(title)spt; font-weight: 600; }
QLabel[role="subtle"] { color: palette(placeholder-text); }
QLabel[role="code"] { font-size: %(code)spt; font-weight: 700; letter-spacing: 4px; }
QLabel[role="warning"] { color: white; background: %(danger)s; padding: 8px; border-radius: 6px; font-weight: 600; }
QLabel[role="verified"] { color: white; background: %(success)s; padding: 8px; border-radius: 6px; font-weight: 600; }
QFrame[role="card"] { border: 1px solid palette(mid); border-radius: 8px; }
"""


def is_dark(theme: str) -> bool:
    """Whether ``theme`` ("system", "light", "dark") means dark right now."""
    if theme == "dark":
        return True
    if theme == "light":
        return False
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


def _dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#1f2329",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#16191d",
        QPalette.ColorRole.AlternateBase: "#23272e",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#2b3038",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2b3038",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Mid: "#444a53",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    return palette


def _light_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#f6f7f9",
        QPalette.ColorRole.WindowText: "#1f2328",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f0f2f5",
        QPalette.ColorRole.Text: "#1f2328",
        QPalette.ColorRole.Button: "#e9ecf1",
        QPalette.ColorRole.ButtonText: "#1f2328",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#6b7280",
        QPalette.ColorRole.Mid: "#c9ced6",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    return palette


def apply_theme(app: QApplication, theme: str = "system", *, base_point_size: int = 10) -> None:
    """Apply the palette, the base font size and the shared stylesheet to the whole application."""
    app.setStyle("Fusion")  # the same look on every desktop, and dark palettes render properly with it
    app.setPalette(_dark_palette() if is_dark(theme) else _light_palette())
    font = QFont(app.font())
    font.setPointSize(base_point_size)
    app.setFont(font)
    app.setStyleSheet(
        _STYLESHEET
        % {
            "accent": ACCENT,
            "danger": DANGER,
            "success": SUCCESS,
            "title": base_point_size + 6,
            "code": base_point_size + 18,
        }
    )


def large_text_stylesheet(point_size: int = 13) -> str:
    """Larger, calmer text for the end user's windows.

    With an application stylesheet Qt does not propagate fonts from parent to child, so the assist app's
    windows carry their own sheet; the role rules are repeated because a widget's own sheet wins over the
    application's regardless of selector specificity.
    """
    return (
        f"QWidget {{ font-size: {point_size}pt; }}"
        f'QLabel[role="title"] {{ font-size: {point_size + 7}pt; font-weight: 600; }}'
        f'QLabel[role="code"] {{ font-size: {point_size + 22}pt; font-weight: 700; letter-spacing: 4px; }}'
        f'QLabel[role="subtle"] {{ color: palette(placeholder-text); }}'
        f'QLabel[role="warning"] {{ color: white; background: {DANGER}; padding: 10px; border-radius: 6px;'
        " font-weight: 600; }"
        f'QLabel[role="verified"] {{ color: white; background: {SUCCESS}; padding: 10px; border-radius: 6px;'
        " font-weight: 600; }"
        "QPushButton { padding: 8px 18px; border-radius: 6px; border: 1px solid palette(mid);"
        " background: palette(button); }"
        f"QPushButton:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}"
        "QListWidget::item { padding: 8px 4px; }"
        f'QPushButton[primary="true"] {{ background: {ACCENT}; color: white; font-weight: 600; border: none; }}'
        'QPushButton[primary="true"]:disabled { background: #93a8d8; }'
        f'QPushButton[danger="true"] {{ background: {DANGER}; color: white; font-weight: 600; border: none; }}'
    )
