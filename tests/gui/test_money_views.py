"""Every money view states fund + account + cash = total and, in large type, the cash to collect."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.visit import GroupState
from app.sandbox import SandboxServer
from app.ui.errors import Level
from app.ui.models.bill_model import BillColumn
from app.ui.models.group_model import GroupColumn
from gui.desk import Desk, insert_card

NOT_REGISTERED = "黄丽华"  # Guangdong, 高血压 qualified, no cross-province registration → 全额自费
HENAN = "李淑芬"  # employee insurance with a personal account, two diseases
SPLIT = re.compile(
    r"合计 ([\d,]+\.\d\d) = 统筹 ([\d,]+\.\d\d) \+ 个人账户 ([\d,]+\.\d\d) \+ 现金 ([\d,]+\.\d\d)"
)
CASH_DUE = re.compile(r"应收现金：¥([\d,]+\.\d\d)")


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def splits_in(text: str) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
    """Every "合计 = 统筹 + 个人账户 + 现金" in a text, each checked to add up."""
    found = []
    for match in SPLIT.finditer(text):
        total, fund, account, cash = (_amount(g) for g in match.groups())
        assert fund + account + cash == total, match.group(0)
        found.append((total, fund, account, cash))
    return found


def cash_due(text: str) -> Decimal:
    match = CASH_DUE.search(text)
    assert match is not None, text
    return _amount(match.group(1))


def open_and_pre_settle(qtbot: QtBot, desk: Desk, name: str) -> None:
    window = desk.window
    insert_card(desk, name)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        QTest.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.bill_model.rowCount() > 0 and not window.busy, timeout=5_000)
    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F8)


def test_a_patient_without_registration_owes_the_whole_bill_in_cash(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    open_and_pre_settle(qtbot, desk, NOT_REGISTERED)

    (group,) = window.groups.values()
    assert group.is_self_pay
    model = window.group_model
    cells = {
        column: model.data(model.index(0, column)) for column in GroupColumn
    }  # no blank money cell: the patient pays it all
    assert cells[GroupColumn.CATEGORY] == "全额自费"
    assert (cells[GroupColumn.FUND], cells[GroupColumn.ACCOUNT], cells[GroupColumn.CASH]) == (
        "0.00",
        "0.00",
        "32.00",
    )
    assert splits_in(window.settle_panel.sums_label.text()) == [
        (Decimal("32.00"), Decimal("0.00"), Decimal("0.00"), Decimal("32.00"))
    ]
    assert cash_due(window.settle_panel.cash_due_label.text()) == Decimal("32.00")
    assert (
        "备案" in window.settle_panel.self_pay_note.text()
    )  # the reason, on screen, not only as a tooltip
    routes = [
        window.bill_model.data(window.bill_model.index(row, BillColumn.ROUTE))
        for row in range(window.bill_model.rowCount())
    ]
    assert all(route.startswith("全额自费") for route in routes), routes

    with qtbot.waitSignal(window.settlement_finished, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F9)
    (question,) = confirm_everything
    assert splits_in(question) == [
        (Decimal("32.00"), Decimal("0.00"), Decimal("0.00"), Decimal("32.00"))
    ]
    assert cash_due(question) == Decimal("32.00")
    (group,) = window.groups.values()
    assert group.state is GroupState.SELF_PAY_COLLECTED
    assert cash_due(window.settle_panel.cash_due_label.text()) == Decimal("32.00")
    assert any(cash_due(m.text) == Decimal("32.00") for m in desk.messages if "应收现金" in m.text)


def test_the_settle_question_includes_the_personal_account(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    open_and_pre_settle(qtbot, desk, HENAN)
    previews = [g.preview for g in window.groups.values() if g.preview is not None]
    assert previews
    assert any(p.account for p in previews)  # the case the cashier saw dropped

    with qtbot.waitSignal(window.settlement_finished, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F9)
    (question,) = confirm_everything
    asked = splits_in(question)
    assert [(t, f, a, c) for t, f, a, c in asked] == [
        (p.total, p.fund, p.account, p.cash) for p in previews
    ]
    assert cash_due(question) == sum((p.cash for p in previews), Decimal("0.00"))
    shown = splits_in(window.settle_panel.sums_label.text())
    assert len(shown) == 1
    assert shown[0][0] == window.bill_model.total
    assert cash_due(window.settle_panel.cash_due_label.text()) == shown[0][3]


def test_the_same_visit_settled_again_is_refused_with_a_clear_dialog(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    open_and_pre_settle(qtbot, desk, HENAN)
    lines = window.bill_model.lines  # the HIS visit's lines
    with qtbot.waitSignal(window.receipts_ready, timeout=30_000):
        QTest.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    settled = {g.settlement_id for g in window.groups.values()}
    QTest.keyClick(window, Qt.Key.Key_F12)

    insert_card(desk, HENAN)  # the patient comes back and the same lines are entered again
    with qtbot.waitSignal(window.identified, timeout=10_000):
        window.read_card()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    window.bill_model.set_lines(lines)
    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F8)
    refusals = [m for m in desk.errors() if m.code == "charge_already_settled"]
    assert refusals, desk.messages
    assert refusals[0].level is Level.ERROR  # a dialog, not a status-bar line
    assert any(sid in refusals[0].text for sid in settled)  # names the existing settlement
    assert sandbox.request_count("2207") == len(settled)  # nothing was charged twice
    assert not window.settle_panel.settle_button.isEnabled()


def test_a_failed_group_leaves_the_split_of_the_rest_and_the_amount_not_settled(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    """The platform refuses one group (here the general-outpatient group's 2203); the others are
    settled. The summary states their split and the cash due, and what was not settled — it said
    "合计 107.80（预结算后显示…，按 F8）" with no split and no cash due, money having moved."""
    desk = open_desk(sandbox)
    window = desk.window
    sandbox.set_faults(
        [{"infno": "2203", "kind": "reject", "nth": [3], "params": {"err_msg": "诊断代码不能为空"}}]
    )
    open_and_pre_settle(qtbot, desk, HENAN)
    states = sorted(g.state for g in window.groups.values())
    assert states == sorted([GroupState.PREVIEWED, GroupState.PREVIEWED, GroupState.FAILED])
    failed = next(g for g in window.groups.values() if g.state is GroupState.FAILED)
    with qtbot.waitSignal(window.settlement_finished, timeout=30_000):
        window.settle()

    text = window.settle_panel.sums_label.text()
    settled = [g for g in window.groups.values() if g.state is GroupState.SETTLED]
    assert len(settled) == 2
    (split,) = splits_in(text)
    assert split[0] == sum(g.total for g in settled)
    assert f"另有 {failed.total:.2f} 未结算" in text
    assert cash_due(window.settle_panel.cash_due_label.text()) == split[3]
