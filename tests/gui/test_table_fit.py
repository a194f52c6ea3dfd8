"""At 1366×768 the bill and groups tables fit their panels: no horizontal scrolling, no header cut,
and the long cells (a full self-pay line's reason, a long item name) wrap instead of being elided."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from gui.desk import Desk
from gui.test_money_views import HENAN, NOT_REGISTERED, open_and_pre_settle


def overflow(table: QTableView) -> list[str]:
    """What does not fit: the columns' total width, header texts, cells whose text needs more
    lines than their row has (empty when everything is shown in full)."""
    header = table.horizontalHeader()
    model = table.model()
    problems = []
    if header.length() > table.viewport().width():
        problems.append(f"columns {header.length()} px > viewport {table.viewport().width()} px")
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        needed = header.sectionSizeFromContents(column).width()
        if header.sectionSize(column) < needed:
            title = model.headerData(column, header.orientation())
            problems.append(f"header {title!r}: {header.sectionSize(column)} px < {needed} px")
    for row in range(model.rowCount()):
        if table.rowHeight(row) < table.sizeHintForRow(row):
            problems.append(
                f"row {row}: {table.rowHeight(row)} px < {table.sizeHintForRow(row)} px"
            )
    return problems


@pytest.mark.parametrize("name", [NOT_REGISTERED, HENAN])
def test_the_tables_fit_at_1366_by_768(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
    name: str,
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    window.resize(1366, 768)
    open_and_pre_settle(qtbot, desk, name)
    QApplication.processEvents()
    bill_table = window.bill_panel.bill_table
    group_table = window.settle_panel.group_table
    qtbot.waitUntil(lambda: bill_table.viewport().width() > 0)
    assert window.width() == 1366
    # The long route text is there (a full self-pay line says why) and still nothing is cut.
    assert overflow(bill_table) == []
    assert overflow(group_table) == []
