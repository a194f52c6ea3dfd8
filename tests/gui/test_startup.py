"""Start-up: a light frame is painted first, with its own small font; the real window follows in it.

The time figures are in benchmarks/ui_startup.py; these tests check the structure that makes the first
paint cheap, and that it stays correct (Chinese text drawn by our fonts, never boxes; the real window
and logging in follow).
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import tomli_w
from PySide6.QtGui import QRawFont
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.main import WindowSession, start_session
from app.sandbox import SandboxServer, client_config
from app.ui.i18n import FULL_FONT_FAMILY, UI_FONT, UI_FONT_FAMILY
from app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
# Modules that must never be imported before the window is first shown (issue 5: the first paint).
HEAVY = (
    "sqlalchemy",
    "requests",
    "reportlab",
    "flask",
    "werkzeug",
    "pypinyin",
    "stdnum",
    "cryptography",
    "app.domain",
    "app.services",
    "app.store",
    "app.sandbox",
    "app.ui.main_window",
    "app.workers",
)


def _child(mode: str, data_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT / "tests")}
    done = subprocess.run(
        [sys.executable, "-m", "gui.startup_child", mode, str(data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _subset_script() -> ModuleType:
    path = ROOT / "resources" / "fonts" / "make_ui_subset.py"
    spec = importlib.util.spec_from_file_location("make_ui_subset", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nothing_heavy_is_imported_before_the_first_paint(tmp_path: Path) -> None:
    report = _child("modules", tmp_path / "data")
    loaded = [
        name
        for name in report["modules"]
        if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY)
    ]
    assert loaded == []
    assert report["window_parent_is_shell"]
    assert report["ready"]


def test_the_ui_font_holds_every_character_of_the_window_texts(qapp: QApplication) -> None:
    font = QRawFont(str(UI_FONT), 12)
    assert font.isValid()
    assert font.familyName() == UI_FONT_FAMILY != FULL_FONT_FAMILY
    missing = sorted(
        ch for ch in _subset_script().ui_characters() if not font.supportsCharacter(ord(ch))
    )
    assert missing == [], "run resources/fonts/make_ui_subset.py"
    assert not font.supportsCharacter(ord("龘"))  # a rare name character: the full font's job


def test_chinese_is_drawn_by_our_fonts_from_the_first_paint(tmp_path: Path) -> None:
    report = _child("glyphs", tmp_path / "data")
    assert report["hint"] == "正在启动…几秒钟后即可登录。"
    # Before the first paint only the UI subset is registered: it draws every glyph (0 is the box).
    assert report["hint_glyphs"]
    assert all(family == UI_FONT_FAMILY and glyph != 0 for family, glyph in report["hint_glyphs"])
    # Registered right after the first paint, the full font draws what the subset lacks.
    families = [family for family, _ in report["name_glyphs"]]
    assert all(glyph != 0 for _, glyph in report["name_glyphs"]), report["name_glyphs"]
    assert families[-1] == FULL_FONT_FAMILY  # 龘
    assert report["ready"]


def test_the_real_window_is_built_inside_the_frame_and_logging_in_works(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    session = WindowSession(qapp)
    excepthook = sys.excepthook
    try:
        shell = start_session(session, demo=True, config=None, data_dir=str(tmp_path / "data"))
        qtbot.addWidget(shell)
        assert not shell.chrome.login_button.isEnabled()  # "Starting…": no log-in yet
        qtbot.waitUntil(lambda: shell.main_window is not None, timeout=30_000)
        window = shell.main_window
        assert isinstance(window, MainWindow)
        assert window.parentWidget() is shell
        assert shell.centralWidget() is window
        assert window.isVisible()
        assert not window.isWindow()
        qtbot.waitUntil(lambda: shell.is_ready, timeout=60_000)
        assert window.login_button.isEnabled()
        with qtbot.waitSignal(window.operator_changed, timeout=30_000):
            window.login("C001", "demo-cashier-2026")
        assert window.operator is not None
        assert window.operator.code == "C001"
        assert window.pages.currentWidget() is window.work_page
        qtbot.waitUntil(lambda: not window.busy, timeout=30_000)
        shell.close()
        assert not window.isVisible()
        assert gc.get_freeze_count() > 0  # the start-up heap is kept out of later collections
    finally:
        session.close()
        # Process-wide start-up effects, undone for the tests that follow in this process.
        sys.excepthook = excepthook
        gc.unfreeze()


def test_a_training_configuration_shows_the_training_banner(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, sandbox: SandboxServer
) -> None:
    """A window configured by ``sandbox --write-config`` (``demo = true``) is a training window: the
    培训/演示 banner shows on every screen as with ``--demo`` (it showed only with ``--demo``, so a
    training window looked like a production one)."""
    config = client_config(sandbox)
    assert config["demo"] is True
    path = tmp_path / "training.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    session = WindowSession(qapp)
    excepthook = sys.excepthook
    try:
        shell = start_session(session, demo=False, config=str(path), data_dir=str(tmp_path / "d"))
        qtbot.addWidget(shell)
        assert shell.chrome.demo_banner.isVisibleTo(shell)
        qtbot.waitUntil(lambda: shell.main_window is not None, timeout=30_000)
        window = shell.main_window
        assert window is not None
        assert window.chrome.demo_banner.isVisibleTo(window)
        qtbot.waitUntil(lambda: shell.is_ready, timeout=60_000)
        shell.close()
    finally:
        session.close()
        sys.excepthook = excepthook
        gc.unfreeze()
