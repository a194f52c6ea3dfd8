"""A scanner burst while a quantity is being edited identifies the patient; no digit lands in the cell."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from app.config import ScannerSettings
from app.sandbox import SandboxServer
from app.sandbox.data import load_population
from app.ui.models.bill_model import RAW_ROLE, BillColumn
from app.ui.scanner_filter import ScannerFilter, install_scanner_filter
from gui.desk import Desk, insert_card


@pytest.fixture
def scanner(qapp: QApplication) -> Iterator[ScannerFilter]:
    installed = install_scanner_filter(qapp, ScannerSettings())
    yield installed
    qapp.removeEventFilter(installed)


def test_scanner_burst_does_not_leak_into_a_quantity_field(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    scanner: ScannerFilter,
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    scanner.voucher_scanned.connect(window.on_voucher_scanned)
    insert_card(desk, "马秀兰")
    with qtbot.waitSignal(window.identified, timeout=10_000):
        window.read_card()
    qtbot.waitUntil(lambda: window.bill_model.rowCount() > 0 and not window.busy, timeout=10_000)
    quantity = window.bill_model.index(0, BillColumn.QUANTITY)
    before = window.bill_model.data(quantity, RAW_ROLE)
    window.bill_panel.bill_table.setFocus()
    window.bill_panel.bill_table.setCurrentIndex(quantity)
    QTest.keyClick(window.bill_panel.bill_table, Qt.Key.Key_Return)  # Enter edits the quantity cell
    editor = window.bill_panel.bill_table.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()

    other = next(p for p in load_population() if p.name == "张建国")
    with qtbot.waitSignal(window.identified, timeout=10_000) as identified:
        QTest.keyClicks(editor, other.voucher_code)  # a wedge scanner types fast …
        QTest.keyClick(editor, Qt.Key.Key_Return)  # … and ends with CR
    assert identified.args[0].person.name == "张建国"
    assert other.voucher_code not in editor.text()
    assert not any(line.quantity > Decimal(1000) for line in window.bill_model.lines)
    assert before is not None
