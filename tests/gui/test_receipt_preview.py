"""F10 previews the selected group's receipt and prints and counts nothing; 补打 is its own act."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import BytesIO

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from gui.conftest import Previews
from gui.desk import Desk, insert_card

TWO_DISEASES = "李淑芬"


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def audit_events(desk: Desk) -> list[str]:
    now = desk.clock.now()
    with desk.engine.uow_factory() as uow:
        return [
            r.event for r in uow.audit.between(now - timedelta(days=1), now + timedelta(days=1))
        ]


def settle_with_receipts(qtbot: QtBot, desk: Desk) -> None:
    window = desk.window
    insert_card(desk, TWO_DISEASES)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        QTest.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.bill_model.rowCount() > 0 and not window.busy, timeout=5_000)
    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F8)
    with qtbot.waitSignal(window.receipts_ready, timeout=30_000):
        QTest.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)


def test_f10_previews_the_selected_groups_receipt_and_prints_nothing(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
    previews: Previews,
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    settle_with_receipts(qtbot, desk)
    groups = [window.groups[row.key] for row in window.group_model.rows]
    assert len(groups) >= 2
    before = audit_events(desk)
    printed: list[object] = []
    window.receipts_ready.connect(printed.append)

    for shown, row in enumerate((1, 0, 1)):
        window.settle_panel.group_table.selectRow(row)
        QTest.keyClick(window, Qt.Key.Key_F10)
        qtbot.waitUntil(lambda n=shown + 1: len(previews) == n, timeout=10_000)
        qtbot.waitUntil(lambda: not window.busy, timeout=5_000)
        text = pdf_text(previews[-1])
        assert groups[row].settlement_id in text, f"row {row} previews another group's receipt"
        assert "补打" not in text  # the receipt as issued, not a copy

    assert printed == []  # nothing was printed
    assert audit_events(desk) == before  # no copy recorded, no number issued
    assert all("票据" in title or "收据" in title for title in previews.titles)


def test_a_copy_is_its_own_counted_action(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    settle_with_receipts(qtbot, desk)
    window.settle_panel.group_table.selectRow(1)
    settlement_id = window.groups[window.group_model.rows[1].key].settlement_id
    with qtbot.waitSignal(window.receipts_ready, timeout=10_000) as copied:
        window.settle_panel.group_copy_button.click()
    (receipt,) = copied.args[0]
    assert receipt.data.settlement_id == settlement_id
    assert "补打" in pdf_text(receipt.pdf)
    assert audit_events(desk).count("receipt_copy") == 1
