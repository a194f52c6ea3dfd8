"""The supervisor's 全院窗口 table at 1366×768: every column as wide as its contents and title (no
title cut), the figures right-aligned, and no single column stretched over most of the table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.ports.hospital import WindowStatus
from app.ui.tabs.hospital_tab import StatusColumn
from gui.hospital_desks import HospitalDesk
from gui.test_table_fit import overflow


def status(device_no: str, total: str) -> WindowStatus:
    amount = Decimal(total)
    return WindowStatus(
        device_no=device_no,
        last_sync_at=datetime(2026, 12, 7, 14, 50, 6, tzinfo=UTC),
        pending=0,
        lag_seconds=0.0,
        unresolved=0,
        settlements_today=1,
        total_today=amount,
        fund_today=amount - Decimal("50.00"),
        account_today=Decimal("0.00"),
        cash_today=Decimal("50.00"),
    )


def test_the_windows_table_is_sized_to_its_contents_at_1366(
    qtbot: QtBot, hospital_desk: Callable[..., HospitalDesk]
) -> None:
    desk, tab, _link = hospital_desk("W01")
    window = desk.window
    window.resize(1366, 768)
    window.tabs.setTabVisible(window.tabs.indexOf(tab), True)  # noqa: FBT003
    window.tabs.setCurrentWidget(tab)
    tab.model.set_rows([status("W01", "179.63"), status("W02", "-179.63")])
    table, model = tab.table, tab.model
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    qtbot.wait(50)
    QApplication.processEvents()
    assert window.width() == 1366

    assert overflow(table) == []
    header = table.horizontalHeader()
    widths = [header.sectionSize(column) for column in StatusColumn]
    contents = [
        max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
        for column in StatusColumn
    ]
    # No column takes the table: each is at most a little more than its own contents.
    for column, (width, wanted) in enumerate(zip(widths, contents, strict=True)):
        assert width <= 2 * wanted + 24, (column, widths, contents)
    assert header.sectionSize(StatusColumn.TOTAL) < table.viewport().width() / 5, widths
    # One line of figures a row, as the window's other tables.
    assert table.rowHeight(0) < 1.5 * table.fontMetrics().height(), table.rowHeight(0)
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    horizontal, alignment = Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole
    for column in (StatusColumn.FUND, StatusColumn.ACCOUNT, StatusColumn.CASH, StatusColumn.TOTAL):
        assert model.data(model.index(0, column), alignment) == right
        assert model.headerData(column, horizontal, alignment) == right
