"""The window's item search finds a part from inside an item's hospital code (the middle digits a
cashier reads off a prescription); it found only code prefixes, names and pinyin initials."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.catalogue import CatalogueItem
from app.sandbox import SandboxServer
from app.ui.models.bill_model import RAW_ROLE
from gui.desk import Desk

AMOXICILLIN = "H11010500001XY0061"  # 阿莫西林胶囊 in the demo catalogue


def shown_items(desk: Desk) -> list[CatalogueItem]:
    model = desk.window.catalogue_model
    return [model.data(model.index(row, 0), RAW_ROLE) for row in range(model.rowCount())]


@pytest.mark.parametrize("fragment", ["0061", "xy0061", "500001XY006"])
def test_a_part_from_inside_a_hospital_code_finds_the_item(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk], fragment: str
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    QTest.keyClick(window, Qt.Key.Key_F4)
    with qtbot.waitSignal(window.search_answered, timeout=5_000):
        window.bill_panel.search_edit.setText(fragment)
    qtbot.waitUntil(lambda: bool(shown_items(desk)), timeout=5_000)
    items = shown_items(desk)
    assert AMOXICILLIN in [item.hospital_code for item in items]
    assert all(fragment.upper() in item.hospital_code for item in items)
