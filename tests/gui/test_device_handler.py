"""Device prompts from a device thread reach the window's message path on the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from app.ui.device_handler import QtDeviceHandler
from app.ui.errors import Level, MessageBridge, ShownMessage


def test_prompts_from_a_device_thread_are_shown_on_the_gui_thread(qtbot: QtBot) -> None:
    bridge = MessageBridge()
    bridge.flush()
    seen: list[tuple[ShownMessage, bool]] = []
    gui_thread = QThread.currentThread()
    bridge.shown.connect(lambda m: seen.append((m, QThread.currentThread() is gui_thread)))
    handler = QtDeviceHandler(bridge)

    def device_thread() -> None:
        handler.show_message("请插入或放置社保卡……")
        handler.show_error("读卡失败，请检查读卡器连接。")
        handler.finished()

    worker = threading.Thread(target=device_thread)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(seen) == 3)

    assert [m.text for m, _ in seen] == ["请插入或放置社保卡……", "读卡失败，请检查读卡器连接。", ""]
    assert all(m.level is Level.INFO for m, _ in seen)
    assert all(on_gui for _, on_gui in seen)
