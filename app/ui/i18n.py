"""Translations and fonts: Simplified Chinese by default, English selectable (style.md §3.10)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator
from PySide6.QtGui import QFontDatabase

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
I18N_DIR = RESOURCES / "i18n"
FONT_DIR = RESOURCES / "fonts"
# Developer machines may lack resources/fonts before the receipts area ships it; Debian's
# fonts-wqy-microhei is the same face, so use it when present.
SYSTEM_FONT_FALLBACKS = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)
LANGUAGES = ("zh_CN", "en")


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Load ``app_<language>.qm``; English is the source text and needs none.

    Returns:
        The installed translator (keep a reference), or ``None`` for English.
    """
    if language == "en":
        return None
    translator = QTranslator(app)
    path = I18N_DIR / f"app_{language}.qm"
    if not translator.load(str(path)):
        log.warning("translation file %s could not be loaded; showing English", path.name)
        return None
    app.installTranslator(translator)
    _install_qt_translator(app, language)
    return translator


def _install_qt_translator(app: QCoreApplication, language: str) -> None:
    """Qt's own strings (the Yes/No/Cancel of message boxes, the print dialog) in the same language."""
    name = f"qtbase_{language}"
    if app.findChild(QTranslator, name) is not None:
        return  # installed once per application
    qt_translator = QTranslator(app)
    qt_translator.setObjectName(name)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_translator.load(name, folder):
        app.installTranslator(qt_translator)
    else:
        log.info(
            "Qt's own %s translation is not available; its dialog buttons stay English", language
        )


def register_fonts() -> list[str]:
    """Register the bundled Chinese font(s) so Chinese never renders as boxes on a fresh machine.

    Returns:
        The font families registered.
    """
    candidates = sorted(FONT_DIR.glob("*.tt[cf]")) if FONT_DIR.is_dir() else []
    if not candidates:
        candidates = [path for path in SYSTEM_FONT_FALLBACKS if path.is_file()]
    families: list[str] = []
    for path in candidates:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("font %s could not be registered", path.name)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families
