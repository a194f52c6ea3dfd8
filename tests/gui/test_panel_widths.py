"""Issue 14 item 4: the cashier page's three panels keep their widths at 1366×768 as the window goes
from empty to identified, to a bill, to a preview and to settled (the content never pushes a panel
wider or narrower)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from gui.desk import Desk, insert_card
from gui.test_money_views import HENAN, NOT_REGISTERED


def widths(qtbot: QtBot, desk: Desk) -> tuple[int, int, int]:
    qtbot.wait(50)
    QApplication.processEvents()
    page = desk.window
    return (
        page.identify_panel.width(),
        page.bill_panel.width(),
        page.settle_panel.width(),
    )


def minimum_widths(desk: Desk) -> tuple[int, int, int]:
    page = desk.window
    return (
        page.identify_panel.minimumSizeHint().width(),
        page.bill_panel.minimumSizeHint().width(),
        page.settle_panel.minimumSizeHint().width(),
    )


def test_the_panels_keep_their_widths_from_empty_to_settled(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.bill_panel.width() > 0)
    seen = {"empty": widths(qtbot, desk)}
    hints: dict[str, tuple[int, int, int]] = {}

    for name in (
        HENAN,
        NOT_REGISTERED,
    ):  # two diseases and a personal account; 全额自费 with its why
        insert_card(desk, name)
        with qtbot.waitSignal(window.identified, timeout=10_000):
            QTest.keyClick(window, Qt.Key.Key_F2)
        seen[f"{name} identified"] = widths(qtbot, desk)
        qtbot.waitUntil(lambda: window.bill_model.rowCount() > 0 and not window.busy, timeout=5_000)
        seen[f"{name} bill"] = widths(qtbot, desk)
        with qtbot.waitSignal(window.pre_settled, timeout=20_000):
            QTest.keyClick(window, Qt.Key.Key_F8)
        qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
        seen[f"{name} previewed"] = widths(qtbot, desk)
        hints[name] = minimum_widths(desk)
        with qtbot.waitSignal(window.receipts_ready, timeout=20_000):
            window.settle()
        qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
        seen[f"{name} settled"] = widths(qtbot, desk)

    assert window.width() == 1366
    assert len(set(seen.values())) == 1, seen
    # The content asks for less than each panel has, so it cannot push the splitter either.
    (shown,) = set(seen.values())
    for name, minimum in hints.items():
        assert all(m <= w for m, w in zip(minimum, shown, strict=True)), (name, minimum, shown)
