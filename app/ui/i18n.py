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
# The characters of the window's own texts (resources/fonts/make_ui_subset.py): small enough to
# register before the first paint. The full font follows right after it, for every other character.
UI_FONT = FONT_DIR / "wqy-microhei-ui.ttf"
UI_FONT_FAMILY = "WenQuanYi Micro Hei UI"
FULL_FONT = FONT_DIR / "wqy-microhei.ttc"
FULL_FONT_FAMILY = "WenQuanYi Micro Hei"
# Developer machines may lack resources/fonts before the receipts area ships it; Debian's
# fonts-wqy-microhei is the same face, so use it when present.
SYSTEM_FONT_FALLBACKS = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)
LANGUAGES = ("zh_CN", "en")
APP_TRANSLATOR = "app_translator"  # object name of the installed app_<language>.qm translator


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Load ``app_<language>.qm``; English is the source text and needs none.

    The language installed before (ours and Qt's own dialog words) is taken away first: ``run_window``
    installs Chinese before the configuration is read, and ``[ui] language = "en"`` must replace it.

    Returns:
        The installed translator (keep a reference), or ``None`` for English.
    """
    _remove_installed(app)  # the window starts in Chinese before its configuration is read
    if language == "en":
        return None
    translator = QTranslator(app)
    translator.setObjectName(APP_TRANSLATOR)
    path = I18N_DIR / f"app_{language}.qm"
    if not translator.load(str(path)):
        log.warning("translation file %s could not be loaded; showing English", path.name)
        return None
    app.installTranslator(translator)
    _install_qt_translator(app, language)
    return translator


def _remove_installed(app: QCoreApplication) -> None:
    """Take away the translations installed before (ours and Qt's own): one language at a time."""
    for translator in app.findChildren(QTranslator):
        name = translator.objectName()
        if name == APP_TRANSLATOR or name.startswith("qtbase_"):
            app.removeTranslator(translator)


def _install_qt_translator(app: QCoreApplication, language: str) -> None:
    """Qt's own strings (the Yes/No/Cancel of message boxes, the print dialog) in the same language."""
    name = f"qtbase_{language}"
    loaded = app.findChild(QTranslator, name)
    if loaded is not None:
        app.installTranslator(loaded)  # loaded once per application, installed again after a switch
        return
    qt_translator = QTranslator(app)
    qt_translator.setObjectName(name)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_translator.load(name, folder):
        app.installTranslator(qt_translator)
    else:
        log.info(
            "Qt's own %s translation is not available; its dialog buttons stay English", language
        )


def _register(path: Path) -> list[str]:
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        log.warning("font %s could not be registered", path.name)
        return []
    return QFontDatabase.applicationFontFamilies(font_id)


def register_ui_font() -> list[str]:
    """Register the font for the window's own texts, before the first paint, so Chinese never
    renders as boxes on a machine without Chinese fonts.

    Returns:
        The families to put first in the application font: the UI subset, then the full font's
        family (registered by :func:`register_full_font` after the first paint; until then Qt skips
        it). Without the subset file, the full font is registered at once.
    """
    if UI_FONT.is_file():
        families = _register(UI_FONT)
        if families:
            return [*families, FULL_FONT_FAMILY]
    return register_full_font()


def _full_font_path() -> Path | None:
    if FULL_FONT.is_file():
        return FULL_FONT
    return next((path for path in SYSTEM_FONT_FALLBACKS if path.is_file()), None)


def warm_full_font() -> None:
    """Read the full font file once (any thread), so registering it later finds it in the OS file
    cache: a cold read of the 5 MB file took 10–120 ms here."""
    path = _full_font_path()
    if path is None:
        return
    try:
        with path.open("rb") as file:
            while file.read(1 << 20):
                pass
    except OSError as exc:
        log.warning("font %s could not be read: %s", path.name, exc)


def register_full_font() -> list[str]:
    """Register the full bundled Chinese font (about 5 MB): every character the platform may send.

    QFontDatabase is thread-safe in Qt 6, but the font cache is per thread: call this on the GUI
    thread, so its cache is cleared and text needing the new font is drawn with it (≈ 1.5 ms once the
    file is in the OS cache and the database populated; from bytes in memory it took 5 ms).

    Returns:
        The font families registered.
    """
    path = _full_font_path()
    return [] if path is None else _register(path)
