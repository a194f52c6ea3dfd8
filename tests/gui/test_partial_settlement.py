"""A bill whose one group the platform refuses at settlement while the others settle: the settled
groups' receipts print as after a full success, one dialog names the group not settled with its
amount, the platform's words, what to do and the money of what did settle (there were two dialogs:
the refusal, then the partial summary), and F10 / 补打 on the cashier tab work for the settled
groups (they stayed disabled: only 补打 from the history issued them)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.visit import GroupState
from app.sandbox import SandboxServer
from app.ui.errors import Level
from app.ui.models.group_labels import group_text
from gui.conftest import Previews
from gui.desk import Desk
from gui.test_money_views import HENAN, cash_due, open_and_pre_settle, splits_in
from gui.test_receipt_preview import pdf_text


def test_the_settled_groups_print_and_the_refused_group_is_named_with_its_amount(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    open_and_pre_settle(qtbot, desk, HENAN)
    assert {g.state for g in window.groups.values()} == {GroupState.PREVIEWED}
    sandbox.set_faults(
        [{"infno": "2207", "kind": "reject", "nth": [2], "params": {"err_msg": "结算被拒绝"}}]
    )
    with qtbot.waitSignal(window.receipts_ready, timeout=30_000) as printed:
        QTest.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)

    groups = list(window.groups.values())
    settled = [g for g in groups if g.state is GroupState.SETTLED]
    (failed,) = [g for g in groups if g.state is GroupState.FAILED]
    assert len(settled) == 2
    receipts = printed.args[0]
    assert len(receipts) == 2  # one per settled group, as for a full success
    assert all(r.pdf.startswith(b"%PDF") for r in receipts)
    (dialog,) = desk.errors()  # one dialog for one refusal
    assert dialog.level is Level.WARNING
    assert dialog.code == "settlement_refused"
    text = dialog.text
    assert group_text(failed.kind, failed.disease_code) in text
    assert f"{failed.total:.2f} 未结算" in text
    assert "结算被拒绝" in text  # the platform's own words
    assert "处理办法" in text  # what to do
    assert "收据已打印" in text
    (split,) = splits_in(text)  # the money of what did settle, adding up
    settled_total = sum((g.total for g in settled), Decimal("0.00"))
    settled_cash = sum((g.totals.cash for g in settled if g.totals), Decimal("0.00"))
    assert split[0] == settled_total
    assert split[3] == settled_cash

    # The money view says the same: the refused group's preview is not in the split nor in the
    # cash due (it was: "合计 <whole bill> = …" as if every group had been paid).
    sums = window.settle_panel.sums_label.text()
    (shown,) = splits_in(sums)
    assert shown[0] == settled_total
    assert f"{failed.total:.2f} 未结算" in sums
    assert cash_due(window.settle_panel.cash_due_label.text()) == settled_cash
    failed_row = next(r for r in window.group_model.rows if r.key == failed.group_key)
    assert failed_row.totals is None


def test_one_dialog_when_every_group_is_refused_at_settlement(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    """Nothing settled: the one dialog has the platform's words and says no cash is due."""
    desk = open_desk(sandbox)
    window = desk.window
    open_and_pre_settle(qtbot, desk, HENAN)
    sandbox.set_faults(
        [{"infno": "2207", "kind": "reject", "nth": [1, 2, 3], "params": {"err_msg": "结算被拒绝"}}]
    )
    with qtbot.waitSignal(window.settlement_finished, timeout=30_000):
        QTest.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert {g.state for g in window.groups.values()} == {GroupState.FAILED}
    (dialog,) = desk.errors()
    assert dialog.text.count("结算被拒绝") == len(window.groups)
    assert "不收现金" in dialog.text


def test_f10_and_copy_on_the_cashier_tab_work_after_a_partial_settlement(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
    previews: Previews,
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    open_and_pre_settle(qtbot, desk, HENAN)
    sandbox.set_faults(
        [{"infno": "2207", "kind": "reject", "nth": [2], "params": {"err_msg": "结算被拒绝"}}]
    )
    with qtbot.waitSignal(window.receipts_ready, timeout=30_000):
        QTest.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    panel = window.settle_panel
    assert panel.receipt_button.isEnabled()
    assert panel.group_copy_button.isEnabled()
    rows = window.group_model.rows
    failed_row = next(
        n for n, row in enumerate(rows) if window.groups[row.key].state is GroupState.FAILED
    )
    settled_row = next(n for n in range(len(rows)) if n != failed_row)
    settled = window.groups[rows[settled_row].key]

    panel.group_table.selectRow(settled_row)
    QTest.keyClick(window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: len(previews) == 1, timeout=10_000)
    assert settled.settlement_id in pdf_text(previews[0])

    panel.group_table.selectRow(failed_row)  # a refused group has no receipt: a settled one's
    QTest.keyClick(window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: len(previews) == 2, timeout=10_000)
    shown = pdf_text(previews[1])
    assert any(g.settlement_id in shown for g in window.groups.values() if g.settlement_id)

    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    panel.group_table.selectRow(settled_row)
    with qtbot.waitSignal(window.receipts_ready, timeout=10_000) as copied:
        panel.group_copy_button.click()
    (receipt,) = copied.args[0]
    assert receipt.data.settlement_id == settled.settlement_id
    assert "补打" in pdf_text(receipt.pdf)


def test_a_group_refused_at_pre_settlement_is_named_in_the_confirmation(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    """The confirmation lists the refused group with the amount that will not be settled, and the
    two settled groups' receipts print."""
    desk = open_desk(sandbox)
    window = desk.window
    sandbox.set_faults(
        [{"infno": "2203", "kind": "reject", "nth": [3], "params": {"err_msg": "诊断代码不能为空"}}]
    )
    open_and_pre_settle(qtbot, desk, HENAN)
    (failed,) = [g for g in window.groups.values() if g.state is GroupState.FAILED]
    with qtbot.waitSignal(window.receipts_ready, timeout=30_000) as printed:
        QTest.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert len(printed.args[0]) == 2
    (question,) = confirm_everything
    label = group_text(failed.kind, failed.disease_code)
    assert f"{label}：{failed.total:.2f} 未结算" in question


def test_groups_refused_at_pre_settlement_are_told_in_one_dialog(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    """Two groups refused at F8: one dialog naming both with the platform's words (there was one
    dialog per refused group)."""
    desk = open_desk(sandbox)
    window = desk.window
    sandbox.set_faults(
        [
            {
                "infno": "2203",
                "kind": "reject",
                "nth": [2, 3],
                "params": {"err_msg": "诊断代码不能为空"},
            }
        ]
    )
    open_and_pre_settle(qtbot, desk, HENAN)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    failed = [g for g in window.groups.values() if g.state is GroupState.FAILED]
    assert len(failed) == 2
    (dialog,) = desk.errors()
    assert dialog.level is Level.WARNING
    assert dialog.text.count("诊断代码不能为空") == 2
    for group in failed:
        assert (
            f"{group_text(group.kind, group.disease_code)}：{group.total:.2f} 未结算" in dialog.text
        )
    assert "F9" in dialog.text  # the other group can still be settled
