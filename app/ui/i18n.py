"""Languages of the user interface: loading Podpora's and Qt's own catalogues, and switching at run time.

Podpora ships ``resources/translations/podpora_<lang>.qm`` (built from the ``.ts`` sources by
``scripts/setup``) for English, Czech and Slovak.  Qt's own catalogue ``qtbase_<lang>.qm`` translates the
standard dialogs' buttons.  Widgets retranslate themselves on ``QEvent.LanguageChange``, which Qt sends to
every widget when a translator is installed or removed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

from app.config import resources_dir
from app.errors import PodporaError
from app.i18n import CONTEXT

log = logging.getLogger(__name__)

#: Languages Podpora speaks, in the order the language menus list them.
LANGUAGES: tuple[str, ...] = ("en", "cs", "sk")

#: Each language's own name, shown in menus so people find their language even when the UI is foreign.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "cs": "Čeština", "sk": "Slovenčina"}

TRANSLATIONS_DIR = resources_dir() / "translations"


def system_language() -> str:
    """The system locale's language if Podpora speaks it, else English."""
    name = QLocale.system().name().split("_")[0].lower()
    return name if name in LANGUAGES else "en"


def resolve_language(preference: str | None) -> str:
    """Turn a saved preference (``None``/``"system"``/a code) into a language Podpora speaks."""
    if preference in LANGUAGES:
        return str(preference)
    return system_language()


def translate(text: str) -> str:
    """Translate an English template marked with ``QT_TRANSLATE_NOOP("podpora", ...)`` outside app/ui."""
    return QCoreApplication.translate(CONTEXT, text)


def error_text(error: BaseException) -> str:
    """The plain-language, translated message for an error (technical text only for unknown errors)."""
    if isinstance(error, PodporaError):
        template = translate(error.user_text)
        try:
            return template.format(**error.user_args)
        except (KeyError, IndexError, ValueError):
            return template
    return QCoreApplication.translate("errors", "Something unexpected went wrong: {0}").format(error)


class LanguageManager(QObject):
    """Installs the translators for one language and swaps them when the user picks another."""

    language_changed = Signal(str)

    def __init__(self, translations_dir: Path = TRANSLATIONS_DIR, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dir = translations_dir
        self._installed: list[QTranslator] = []
        self.language = "en"

    def apply(self, language: str) -> bool:
        """Switch the whole application to ``language``; returns False when its catalogue is missing."""
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("LanguageManager.apply needs a QApplication")
        for translator in self._installed:
            QCoreApplication.removeTranslator(translator)
        self._installed.clear()
        # English is loaded too: its catalogue holds the English plural forms ("1 minute", "2 minutes").
        own = QTranslator(self)
        found = own.load(f"podpora_{language}", str(self._dir))
        if found:
            QCoreApplication.installTranslator(own)
            self._installed.append(own)
        else:
            # Not a warning for the user: the UI simply stays in English.  Logged for packagers.
            log.info("no compiled catalogue podpora_%s.qm in %s", language, self._dir)
        if language != "en":
            qt_own = QTranslator(self)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt_own.load(f"qtbase_{language}", qt_dir):
                QCoreApplication.installTranslator(qt_own)
                self._installed.append(qt_own)
        self.language = language
        QLocale.setDefault(QLocale(language))
        self.language_changed.emit(language)
        return found
