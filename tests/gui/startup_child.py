"""Run in a fresh interpreter by tests/gui/test_startup.py: what the real start-up does before and
just after the window's first paint.

    python -m gui.startup_child modules DATA_DIR   # modules imported when the window is first shown
    python -m gui.startup_child glyphs DATA_DIR    # which font draws the window's text, before and after

Prints one JSON object. The application is built exactly as ``settlement-window --demo`` builds it
(``create_application`` and ``start_session``).
"""

from __future__ import annotations

import json
import os
import sys
import time


def _glyphs(text: str, widget: object) -> list[tuple[str, int]]:
    """(font family, glyph index) for each glyph of ``text`` drawn in ``widget``'s font."""
    from PySide6.QtGui import QTextLayout  # noqa: PLC0415
    from PySide6.QtWidgets import QWidget  # noqa: PLC0415

    assert isinstance(widget, QWidget)
    layout = QTextLayout(text, widget.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [
        (run.rawFont().familyName(), int(index))
        for run in layout.glyphRuns()
        for index in run.glyphIndexes()
    ]


def main(mode: str, data_dir: str) -> int:
    """Start the demo window and report; see the module doc."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.main import WindowSession, create_application, start_session  # noqa: PLC0415

    app = create_application("zh_CN")
    session = WindowSession(app)
    shell = start_session(session, demo=True, config=None, data_dir=data_dir)
    report: dict[str, object] = {}
    if mode == "modules":
        report["modules"] = sorted(sys.modules)
    else:
        hint = shell.chrome.login_hint
        report["hint"] = hint.text()
        report["hint_glyphs"] = _glyphs(hint.text(), hint)
    deadline = time.monotonic() + 60
    while shell.main_window is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    window = shell.main_window
    assert window is not None, "the real window was not built"
    report["window_parent_is_shell"] = window.parentWidget() is shell
    if mode == "glyphs":
        report["name_glyphs"] = _glyphs("赵龘", window.login_hint)
    while not shell.is_ready and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    report["ready"] = shell.is_ready
    shell.close()
    session.close()
    print(json.dumps(report, ensure_ascii=False))  # noqa: T201  (read by the test)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
