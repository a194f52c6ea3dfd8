"""The Chinese translation is complete, consistent with the code and compiled (style.md §3.10)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication

from app.ui.i18n import I18N_DIR, install_translator

TS_FILE = I18N_DIR / "app_zh_CN.ts"
QM_FILE = I18N_DIR / "app_zh_CN.qm"
UI_SOURCES = sorted((Path(__file__).resolve().parents[2] / "app" / "ui").rglob("*.py"))
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%n")


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is missing; it ships with the PySide6 wheel")
    return found


def _messages(path: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(path).getroot()  # noqa: S314  (our own file)
    return [
        (ctx.findtext("name", ""), message.findtext("source", ""), message)
        for ctx in root.iter("context")
        for message in ctx.iter("message")
    ]


def test_every_message_is_translated_and_none_is_obsolete() -> None:
    problems = []
    for context, source, message in _messages(TS_FILE):
        translation = message.find("translation")
        assert translation is not None
        kind = translation.get("type")
        if kind in ("unfinished", "obsolete", "vanished") or not (translation.text or "").strip():
            problems.append(f"{context}: {source!r} is {kind or 'empty'}")
    assert problems == []


def test_placeholders_match_the_source() -> None:
    problems = []
    for context, source, message in _messages(TS_FILE):
        translated = message.findtext("translation", "")
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
            problems.append(f"{context}: {source!r} → {translated!r}")
    assert problems == []


def test_the_ts_file_holds_every_string_in_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS_FILE, fresh)
    subprocess.run(
        [_tool("pyside6-lupdate"), *map(str, UI_SOURCES), "-ts", str(fresh), "-no-obsolete"],
        check=True,
        capture_output=True,
    )
    committed = {(c, s) for c, s, _ in _messages(TS_FILE)}
    current = {(c, s) for c, s, _ in _messages(fresh)}
    assert current - committed == set(), "run pyside6-lupdate and translate the new strings"
    assert committed - current == set(), "strings no longer in the code: run lupdate -no-obsolete"


def test_the_compiled_qm_is_current(tmp_path: Path) -> None:
    rebuilt = tmp_path / "rebuilt.qm"
    subprocess.run(
        [_tool("pyside6-lrelease"), str(TS_FILE), "-qm", str(rebuilt)],
        check=True,
        capture_output=True,
    )
    assert rebuilt.read_bytes() == QM_FILE.read_bytes(), "run pyside6-lrelease on the .ts file"


def test_chinese_by_default_and_english_selectable(
    qapp: QApplication, chinese: QTranslator
) -> None:
    """``[ui] language = "en"`` replaces the Chinese the window installs before it reads its
    configuration (``app.main.run_window``); it used to add nothing, and the window stayed Chinese."""
    assert QCoreApplication.translate("SettlePanel", "Settle (F9)") == "结算（F9）"
    try:
        assert install_translator(qapp, "en") is None  # English is the source text: no file needed
        assert QCoreApplication.translate("SettlePanel", "Settle (F9)") == "Settle (F9)"
        assert QCoreApplication.translate("QPlatformTheme", "&Yes") == "&Yes"
    finally:
        assert install_translator(qapp, "zh_CN") is not None
    assert QCoreApplication.translate("SettlePanel", "Settle (F9)") == "结算（F9）"
    assert QCoreApplication.translate("QPlatformTheme", "&Yes") != "&Yes"


def test_qt_dialog_buttons_are_chinese_too(chinese: QTranslator) -> None:
    # A message box's Yes/No come from Qt's own catalogue, not ours (seen as "Yes"/"No" under Xvfb).
    assert QCoreApplication.translate("QPlatformTheme", "&Yes") != "&Yes"
