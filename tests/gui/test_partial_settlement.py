"""A bill whose one group the platform refuses at settlement while the others settle: the settled
groups' receipts print as after a full success, and a dialog names the group not settled and its
amount (the window printed nothing; only 补打 from the history issued them)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.visit import GroupState
from app.sandbox import SandboxServer
from app.ui.errors import Level
from app.ui.models.group_labels import group_text
from gui.desk import Desk
from gui.test_money_views import HENAN, open_and_pre_settle


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
    partial = [m for m in desk.errors() if m.code == "settlement_partial"]
    assert len(partial) == 1
    assert partial[0].level is Level.WARNING  # a dialog
    text = partial[0].text
    assert group_text(failed.kind, failed.disease_code) in text
    assert f"{failed.total:.2f} 未结算" in text
    assert "收据已打印" in text


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
