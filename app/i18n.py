"""Translation markers for code outside ``app/ui`` (which may not import Qt).

Qt's ``lupdate`` collects every ``QT_TRANSLATE_NOOP("podpora", "...")`` call it finds in Python sources.
Code in ``app/remote``, ``app/diagnostics`` and ``app/cases`` marks its user-visible English templates with
it; the UI translates them at display time with ``QCoreApplication.translate("podpora", text)``.
Keep the context literally ``"podpora"`` so the UI can find the text.
"""

from __future__ import annotations

CONTEXT = "podpora"


def QT_TRANSLATE_NOOP(context: str, source_text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark ``source_text`` for translation in ``context`` and return it unchanged."""
    del context
    return source_text
