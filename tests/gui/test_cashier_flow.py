"""The cashier's whole flow with the keyboard, against the sandbox over loopback."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.money import money_sum
from app.domain.visit import GroupState
from app.sandbox import SandboxServer
from app.ui.i18n import install_translator
from app.ui.main_window import MainWindow
from gui.desk import Desk, insert_card

TWO_DISEASES = "李淑芬"  # 高血压 M03900 + 糖尿病 M01600, registered, Henan employee


def add_by_typing(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """F4, type the pinyin initials, wait for the answer, Enter adds the first hit."""
    QTest.keyClick(window, Qt.Key.Key_F4)
    qtbot.keyClicks(window.bill_panel.search_edit, text)
    qtbot.waitUntil(window.bill_panel.search_results.isVisible, timeout=5_000)
    before = window.bill_model.rowCount()
    QTest.keyClick(window.bill_panel.search_edit, Qt.Key.Key_Return)
    assert window.bill_model.rowCount() == before + 1


def tag_row(window: MainWindow, row: int, key: str) -> None:
    """Select a row of the bill and press a tag key (1–9 / G)."""
    window.bill_panel.bill_table.setFocus()
    window.bill_panel.bill_table.selectRow(row)
    QTest.keyClicks(window.bill_panel.bill_table, key)


def test_card_to_receipts_with_two_diseases_and_general(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
    previews: list[bytes],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    insert_card(desk, TWO_DISEASES)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        QTest.keyClick(window, Qt.Key.Key_F2)
    text = window.identify_panel.patient_view.plain_text()
    assert "李淑芬" in text
    assert "高血压" in text
    assert "糖尿病" in text
    assert desk.window.eligibility is not None
    assert desk.window.eligibility.person.id_number not in text  # masked

    qtbot.waitUntil(lambda: window.bill_model.rowCount() == 4, timeout=5_000)  # HIS hand-off
    window.bill_panel.bill_table.setFocus()
    window.bill_panel.bill_table.selectAll()
    QTest.keyClick(window.bill_panel.bill_table, Qt.Key.Key_0)  # the cashier re-tags everything
    assert not window.settle_panel.pre_settle_button.isEnabled()  # untagged lines block sending
    add_by_typing(qtbot, window, "AMXLJN")  # 阿莫西林胶囊, added by the cashier
    for row, key in enumerate(["1", "2", "2", "G", "G"]):
        tag_row(window, row, key)
    live = {row.key: row.total for row in window.group_model.rows}
    assert set(live) == {"M03900", "M01600", "general"}
    assert money_sum(live.values()) == window.bill_model.total
    assert window.settle_panel.pre_settle_button.isEnabled()

    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F8)
    previewed = window.groups
    assert {g.state for g in previewed.values()} == {GroupState.PREVIEWED}
    assert sandbox.request_count("2207") == 0  # nothing settled before the cashier confirms
    for group in previewed.values():
        assert group.preview is not None
        preview = group.preview
        assert preview.fund + preview.account + preview.cash + preview.hospital == preview.total

    with qtbot.waitSignal(window.settlement_finished, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F9)
    assert len(confirm_everything) == 1
    settled = window.groups
    assert {g.state for g in settled.values()} == {GroupState.SETTLED}
    assert len(sandbox.ledger()) == 3
    assert sandbox.request_count("2207") == 3
    fund, account, cash = window.group_model.sums()
    assert fund + account + cash == window.bill_model.total
    assert (
        not window.settle_panel.settle_button.isEnabled()
    )  # no double submit after the bill is settled
    assert not window.settle_panel.pre_settle_button.isEnabled()
    # Receipts print by themselves after the last group (PRINT lane), one per settlement.
    with qtbot.waitSignal(window.receipts_ready, timeout=20_000) as printed:
        pass
    receipts = printed.args[0]
    assert len(receipts) == 3
    assert len({r.receipt_no for r in receipts}) == 3
    assert all(r.pdf.startswith(b"%PDF") for r in receipts)
    assert desk.errors() == []
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    QTest.keyClick(window, Qt.Key.Key_F10)  # the preview: nothing is printed again
    qtbot.waitUntil(lambda: len(previews) == 1, timeout=10_000)
    assert previews[0].startswith(b"%PDF")


def test_settle_button_is_disabled_while_the_call_is_in_flight(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    insert_card(desk, "马秀兰")
    with qtbot.waitSignal(window.identified, timeout=10_000):
        window.read_card()
    qtbot.waitUntil(lambda: window.bill_model.rowCount() > 0 and not window.busy, timeout=5_000)
    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        window.pre_settle()
    sandbox.set_latency(fixed=0.5)
    window.settle()
    assert not window.settle_panel.settle_button.isEnabled()
    window.settle()  # a second press while in flight does nothing
    QTest.keyClick(window, Qt.Key.Key_F9)
    with qtbot.waitSignal(window.settlement_finished, timeout=20_000):
        pass
    sandbox.set_latency(fixed=0)
    assert sandbox.request_count("2207") == 1
    (group,) = window.groups.values()
    assert group.totals is not None
    assert (group.totals.total, group.totals.fund, group.totals.cash) == (
        group.total,
        group.totals.total - group.totals.cash - group.totals.account,
        group.totals.cash,
    )


def test_the_demo_card_is_chosen_with_the_keyboard(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    window.show()  # focus needs a shown window; hidden again so later tests paint nothing
    try:
        qtbot.waitExposed(window)
        QTest.keyClick(window, Qt.Key.Key_F6)
        qtbot.waitUntil(window.identify_panel.demo_cards.hasFocus, timeout=2_000)
        QTest.keyClick(window.identify_panel.demo_cards, Qt.Key.Key_Down)  # the first demo card
        chosen = window.identify_panel.demo_cards.currentText()
        with qtbot.waitSignal(window.identified, timeout=10_000):
            QTest.keyClick(window, Qt.Key.Key_F2)
    finally:
        window.hide()

    assert window.eligibility is not None
    assert window.eligibility.person.name in chosen


def test_the_patient_view_reads_as_english_in_an_english_window(
    qtbot: QtBot, qapp: QApplication, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    """The connecting punctuation comes from the translation: an English window showed
    "ID number：410…", "Insured place：河南省（cross-province patient）", "…，in force；opened…"."""
    desk = open_desk(sandbox)
    window = desk.window
    insert_card(desk, TWO_DISEASES)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        QTest.keyClick(window, Qt.Key.Key_F2)
    view = window.identify_panel.patient_view
    chinese = view.plain_text()
    assert "身份证号：410" in chinese
    assert "参保地：河南省（跨省就医）" in chinese
    assert "有效；本院已开通" in chinese
    assert window.eligibility is not None
    try:
        install_translator(qapp, "en")
        view.show_eligibility(window.eligibility, desk.clock.now())
        english = view.plain_text()
    finally:
        install_translator(qapp, "zh_CN")
    assert "ID number: 410" in english
    assert "Insured place: 河南省 (cross-province patient)" in english
    assert "in force; opened at this hospital" in english
    assert not re.search("[：，；]", english), english
