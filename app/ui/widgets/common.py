"""Small building blocks shared by both windows: the language picker and a rating row."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui.i18n import LANGUAGE_NAMES, LANGUAGES
from app.ui.theme import SPACING


class LanguagePicker(QComboBox):
    """A combo box listing every language in its own name; emits :attr:`language_picked`."""

    language_picked = Signal(str)

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for code in LANGUAGES:
            self.addItem(LANGUAGE_NAMES[code], code)
        self.setCurrentIndex(max(0, LANGUAGES.index(current) if current in LANGUAGES else 0))
        self.currentIndexChanged.connect(lambda index: self.language_picked.emit(str(self.itemData(index))))


class RatingRow(QWidget):
    """Five numbered buttons from 1 (poor) to 5 (excellent); :attr:`rating` is 0 until one is picked."""

    rating_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rating = 0
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.poor = QLabel()
        self.excellent = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        layout.addWidget(self.poor)
        self.buttons: list[QPushButton] = []
        for value in range(1, 6):
            button = QPushButton(str(value))
            button.setCheckable(True)
            button.setMinimumSize(44, 44)
            self.group.addButton(button, value)
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addWidget(self.excellent)
        layout.addStretch(1)
        self.group.idClicked.connect(self._picked)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        self.poor.setText(self.tr("Poor"))
        self.excellent.setText(self.tr("Excellent"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _picked(self, value: int) -> None:
        self.rating = value
        self.rating_changed.emit(value)
