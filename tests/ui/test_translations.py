"""Translations: every string has Czech and Slovak, the .ts files are current, switching works live."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET  # our own .ts files, not untrusted input
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from app.ui.assist.controller import AssistController, ScriptedAssistBackend
from app.ui.assist.window import AssistWindow
from app.ui.i18n import TRANSLATIONS_DIR, LanguageManager, error_text
from tests.ui.conftest import LUPDATE

REPO = Path(__file__).resolve().parents[2]


def app_sources() -> list[str]:
    """The Python files of app/ that a clean checkout has (what scripts/update-translations scans)."""
    listed = subprocess.run(
        ["git", "ls-files", "--", "app/*.py"], cwd=REPO, capture_output=True, text=True, timeout=30, check=False
    )
    if listed.returncode == 0 and listed.stdout.strip():
        return sorted(str(REPO / line) for line in listed.stdout.splitlines())
    return sorted(str(p) for p in (REPO / "app").rglob("*.py") if "__pycache__" not in p.parts)


def messages(ts: Path) -> list[ET.Element]:
    return list(ET.parse(ts).getroot().iter("message"))  # noqa: S314 - our own files


def keys(ts: Path) -> set[tuple[str, str]]:
    tree = ET.parse(ts)  # noqa: S314
    found = set()
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.get("type") in {"vanished", "obsolete"}:
                continue
            found.add((name, message.findtext("source") or ""))
    return found


@pytest.mark.parametrize("language", ["cs", "sk"])
def test_every_string_is_translated(language: str) -> None:
    ts = TRANSLATIONS_DIR / f"podpora_{language}.ts"
    missing = []
    for message in messages(ts):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        if translation.get("type") in {"vanished", "obsolete"}:
            continue
        if message.get("numerus") == "yes":
            forms = [f.text or "" for f in translation.iter("numerusform")]
            complete = len(forms) == 3 and all(f.strip() for f in forms)  # cs and sk: one, few, many
        else:
            complete = bool((translation.text or "").strip())
        if translation.get("type") == "unfinished" or not complete:
            missing.append(source)
    assert not missing, f"{len(missing)} strings lack a {language} translation: {missing[:10]}"


def test_english_plurals_are_filled() -> None:
    for message in messages(TRANSLATIONS_DIR / "podpora_en.ts"):
        if message.get("numerus") == "yes":
            forms = [f.text or "" for f in message.iter("numerusform")]
            assert len(forms) == 2 and all(forms), message.findtext("source")


def test_ts_files_are_current(tmp_path: Path) -> None:
    sources = app_sources()
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [str(LUPDATE), "-silent", "-locations", "none", *sources, "-ts", str(fresh)], check=True, timeout=120
    )
    expected = keys(fresh)
    for language in ("en", "cs", "sk"):
        committed = keys(TRANSLATIONS_DIR / f"podpora_{language}.ts")
        new = expected - committed
        gone = committed - expected
        assert not new and not gone, (
            f"podpora_{language}.ts is stale; run scripts/update-translations. "
            f"New: {sorted(new)[:5]} Gone: {sorted(gone)[:5]}"
        )


@pytest.mark.parametrize(
    ("language", "button", "title"),
    [
        ("cs", "Získat pomoc", "Zkontrolovat můj počítač"),
        ("sk", "Získať pomoc", "Skontrolovať môj počítač"),
    ],
)
def test_language_switch_retranslates_live(
    qtbot: QtBot, languages: LanguageManager, language: str, button: str, title: str
) -> None:
    window = AssistWindow(AssistController(ScriptedAssistBackend(), self_check=list), languages)
    qtbot.addWidget(window)
    assert window.get_help_button.text() == "Get help"
    window.language_picker.setCurrentIndex(window.language_picker.findData(language))
    assert languages.language == language
    qtbot.waitUntil(lambda: window.get_help_button.text() == button)
    assert window.self_check_button.text() == title
    window.language_picker.setCurrentIndex(window.language_picker.findData("en"))
    qtbot.waitUntil(lambda: window.get_help_button.text() == "Get help")


def test_czech_plural_forms(languages: LanguageManager) -> None:
    languages.apply("cs")
    forms = [
        QCoreApplication.translate("AssistWindow", "{name} helped you for %n minute(s).", "", n).format(name="J")
        for n in (1, 3, 12)
    ]
    assert forms == ["J vám pomáhal(a) 1 minutu.", "J vám pomáhal(a) 3 minuty.", "J vám pomáhal(a) 12 minut."]
    languages.apply("en")
    assert QCoreApplication.translate("AssistWindow", "{name} helped you for %n minute(s).", "", 1) == (
        "{name} helped you for 1 minute."
    )


def test_errors_from_other_packages_are_translated(languages: LanguageManager) -> None:
    from app.errors import PodporaError

    error = PodporaError("tech", user_text="The SSH configuration file {path} does not exist.", path="/x")
    languages.apply("sk")
    assert error_text(error) == "Konfiguračný súbor SSH /x neexistuje."


def test_console_switches_language_live(qtbot: QtBot, languages: LanguageManager, tmp_path: Path) -> None:
    from app.ui.console.addressbook import AddressBook
    from app.ui.console.window import ConsoleWindow
    from app.ui.settings import UiSettings

    window = ConsoleWindow(UiSettings(), languages, book=AddressBook(tmp_path / "none", tmp_path / "book.json"))
    qtbot.addWidget(window)
    assert window.welcome_connect.text() == "Connect…"
    window.switch_language("sk")
    qtbot.waitUntil(lambda: window.welcome_connect.text() == "Pripojiť…")
    assert window.session_menu.title() == "&Relácia"
    assert window.consent_label.text() == "Žiadna relácia"
    window.switch_language("cs")
    qtbot.waitUntil(lambda: window.session_menu.title() == "&Relace")
