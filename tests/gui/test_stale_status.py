"""A failed card read's message does not stay beside the patient identified another way."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.errors import DeviceError
from app.messages import window as words
from app.sandbox import SandboxServer
from app.ui.errors import show_error
from gui.desk import Desk


def test_a_card_read_error_is_cleared_once_the_patient_is_identified_by_id(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    show_error(window.bridge, DeviceError(words.NO_CARD_READER()))  # as a read without a reader
    qtbot.waitUntil(lambda: "读卡器" in window.statusBar().currentMessage(), timeout=2_000)

    person = next(p for p in sandbox.platform.people if p.name == "李淑芬")
    window.identify_panel.id_edit.setText(person.id_number)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        QTest.keyClick(window.identify_panel.id_edit, Qt.Key.Key_Return)

    assert "李淑芬" in window.identify_panel.patient_view.plain_text()
    assert window.statusBar().currentMessage() == ""
