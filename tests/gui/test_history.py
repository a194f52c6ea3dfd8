"""Today's settlements: search, 补打 copy, cancellation with a supervisor's credential; journal tab."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from helpers.engine_fixtures import demo_bill
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.bill import FeeLine
from app.sandbox import SandboxServer
from app.ui.dialogs.credential_dialog import CredentialAnswer, CredentialDialog
from app.ui.dialogs.refund_dialog import RefundLinesDialog
from app.ui.models.history_model import HistoryColumn
from gui.desk import PASSWORDS, Desk, insert_card


def settle_qinghai(qtbot: QtBot, desk: Desk) -> None:
    window = desk.window
    insert_card(desk, "马秀兰")
    with qtbot.waitSignal(window.identified, timeout=10_000):
        window.read_card()
    qtbot.waitUntil(lambda: window.bill_model.rowCount() > 0 and not window.busy, timeout=10_000)
    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        window.pre_settle()
    with qtbot.waitSignal(window.receipts_ready, timeout=20_000):
        window.settle()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)


def show_history(qtbot: QtBot, desk: Desk) -> None:
    window = desk.window
    window.tabs.setCurrentWidget(window.history_tab)
    qtbot.waitUntil(lambda: window.history_tab.model.rowCount() > 0, timeout=10_000)
    window.history_tab.table.selectRow(0)


def test_cashier_reprints_a_marked_copy(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    settle_qinghai(qtbot, desk)
    show_history(qtbot, desk)
    row = window.history_tab.model.row(0)
    assert row is not None
    assert row.total == row.fund + row.account + row.cash
    assert "6300" not in row.person_no_masked[3:-4]  # masked in the middle
    with qtbot.waitSignal(window.receipts_ready, timeout=10_000) as printed:
        window.history_tab.copy_button.click()
    (copy,) = printed.args[0]
    assert copy.kind.value == "copy"
    window.history_tab.search.setText("no-such-settlement")
    assert window.history_tab.model.rowCount() == 0


CANCEL_CASES = [
    ("C001", "S001", "wrong-password", False),  # a wrong credential changes nothing
    ("S001", "S001", PASSWORDS["S001"], False),  # two-person rule: nobody authorises themself
    ("C001", "S001", PASSWORDS["S001"], True),
]


@pytest.mark.parametrize(("at_window", "authoriser", "password", "cancelled"), CANCEL_CASES)
def test_cancellation_needs_another_persons_supervisor_credential(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
    confirm_everything: list[str],
    *,
    at_window: str,
    authoriser: str,
    password: str,
    cancelled: bool,
) -> None:
    desk = open_desk(sandbox, operator=at_window)
    window = desk.window
    settle_qinghai(qtbot, desk)
    show_history(qtbot, desk)
    answer = CredentialAnswer(authoriser, password)
    monkeypatch.setattr(
        CredentialDialog, "ask", classmethod(lambda cls, parent, title, prompt, code="": answer)
    )
    window.history_tab.cancel_selected()
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)
    assert (sandbox.request_count("2208") == 1) is cancelled
    if cancelled:
        qtbot.waitUntil(lambda: window.history_tab.model.rowCount() >= 1, timeout=10_000)
        statuses = {
            window.history_tab.model.data(window.history_tab.model.index(r, HistoryColumn.STATUS))
            for r in range(window.history_tab.model.rowCount())
        }
        assert "已撤销" in statuses
    else:
        assert desk.errors()[-1].code in ("permission", "login_failed")
        assert "Traceback" not in desk.errors()[-1].text


def test_journal_tab_lists_nothing_when_all_calls_are_resolved(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    window.tabs.setCurrentWidget(window.journal_tab)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert window.journal_tab.model.rowCount() == 0
    assert "0" in window.chrome.unresolved_label.text()
    # Reachable from a cashier's window, closed by a supervisor's credential (test_sessions.py).
    assert window.journal_tab.day_close_button.isVisible()


def test_supervisor_closes_the_day_and_sees_the_reconciliation(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox, operator="S001")
    window = desk.window
    settle_qinghai(qtbot, desk)
    window.tabs.setCurrentWidget(window.journal_tab)
    assert window.journal_tab.day_close_button.isVisible()
    window.journal_tab.day_close_button.click()
    qtbot.waitUntil(lambda: bool(window.journal_tab.day_close_label.text()), timeout=20_000)
    assert "平衡" in window.journal_tab.day_close_label.text()
    assert sandbox.request_count("3201") >= 1


def supervisor_answers(monkeypatch: pytest.MonkeyPatch, code: str, password: str) -> list[str]:
    """The credential dialog answers with ``code``/``password``; returns the prompts shown."""
    prompts: list[str] = []

    def ask(
        cls: type, parent: object, title: str, prompt: str, code_: str = ""
    ) -> CredentialAnswer:
        prompts.append(prompt)
        return CredentialAnswer(code, password)

    monkeypatch.setattr(CredentialDialog, "ask", classmethod(ask))
    return prompts


def test_reissue_voids_the_old_number_with_a_supervisors_credential(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    settle_qinghai(qtbot, desk)
    show_history(qtbot, desk)
    row = window.history_tab.model.row(0)
    assert row is not None
    assert desk.engine.receipts is not None
    (original,) = desk.engine.receipts.receipts_for(row.settlement_id)
    assert window.history_tab.reissue_button.isVisible()

    supervisor_answers(monkeypatch, "C001", PASSWORDS["C001"])  # a cashier cannot authorise
    window.history_tab.reissue_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert desk.errors()[-1].code in ("permission", "reissue_authorisation")
    assert len(desk.engine.receipts.receipts_for(row.settlement_id)) == 1

    supervisor_answers(monkeypatch, "S001", PASSWORDS["S001"])
    with qtbot.waitSignal(window.receipts_ready, timeout=10_000) as printed:
        window.history_tab.reissue_button.click()

    (new,) = printed.args[0]
    assert new.kind.value == "reissue"
    assert new.data.replaces == original.receipt_no
    assert new.receipt_no != original.receipt_no
    old, issued = desk.engine.receipts.receipts_for(row.settlement_id)
    assert old.voided_by == new.receipt_no
    assert issued.replaces == original.receipt_no


def test_partial_refund_cancels_and_resettles_the_kept_lines(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    settle_qinghai(qtbot, desk)
    show_history(qtbot, desk)
    row = window.history_tab.model.row(0)
    assert row is not None
    offered: list[tuple[str, ...]] = []

    def choose(cls: type, parent: object, lines: tuple[FeeLine, ...]) -> tuple[str, ...]:
        offered.append(tuple(line.line_no for line in lines))
        return (lines[-1].line_no,)

    monkeypatch.setattr(RefundLinesDialog, "ask", classmethod(choose))
    prompts = supervisor_answers(monkeypatch, "S001", PASSWORDS["S001"])

    with qtbot.waitSignal(window.history_tab.refunded, timeout=30_000) as refunded:
        window.history_tab.refund_selected()
    with qtbot.waitSignal(window.receipts_ready, timeout=20_000) as printed:
        pass
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)

    result = refunded.args[0]
    # the lines came from the demo HIS: their numbers are its charge ids
    assert offered == [tuple(f"MZ202611230001-{n}" for n in range(1, 7))]
    assert "1" in prompts[-1]  # one line returned
    assert result.cancellation.original_settlement_id == row.settlement_id
    assert sandbox.request_count("2208") == 1
    assert result.resettled is not None
    (kept,) = result.resettled.groups
    assert kept.settlement_id
    assert kept.line_nos == tuple(f"MZ202611230001-{n}" for n in range(1, 6))
    assert kept.totals is not None
    assert kept.totals.total < row.total
    kinds = [receipt.kind.value for receipt in printed.args[0]]
    assert kinds == ["refund", "original"]
    summary = window.history_tab.result_label.text()
    assert row.settlement_id in summary
    assert kept.settlement_id in summary
    assert "重新结算" in summary


def test_supervisor_retries_an_escalated_reversal_from_the_journal(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "http_error_before", "probability": 1.0},
        ]
    )
    desk.engine.settle_visit(demo_bill("01"), desk.engine.operator("C001"))
    (escalated,) = desk.engine.start().escalated
    window.tabs.setCurrentWidget(window.journal_tab)
    qtbot.waitUntil(lambda: escalated in window.journal_tab.journal_rows(), timeout=10_000)
    at = window.journal_tab.journal_rows().index(escalated)
    assert "主管" in window.journal_tab.model.data(window.journal_tab.model.index(at, 4))
    window.journal_tab.table.selectRow(at)
    assert window.journal_tab.resolve_button.isVisible()

    supervisor_answers(monkeypatch, "S001", "wrong-password")
    window.journal_tab.resolve_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert desk.errors()
    assert "Traceback" not in desk.errors()[-1].text
    assert desk.errors()[-1].code in ("permission", "login_failed")
    assert escalated in desk.engine.journal()  # still with the supervisor

    sandbox.set_faults([])
    window.journal_tab.table.selectRow(window.journal_tab.journal_rows().index(escalated))
    supervisor_answers(monkeypatch, "S001", PASSWORDS["S001"])
    with qtbot.waitSignal(window.journal_tab.resolved, timeout=20_000) as resolved:
        window.journal_tab.resolve_button.click()
    assert resolved.args == ["reversed"]
    qtbot.waitUntil(lambda: window.journal_tab.model.rowCount() == 0, timeout=10_000)
    assert "冲正" in window.journal_tab.day_close_label.text()
    assert [r["status"] for r in sandbox.ledger() if r["infno"] == "2207"] == ["reversed"]


def test_refund_dialog_returns_only_the_ticked_lines(qtbot: QtBot) -> None:
    lines = [
        FeeLine.create(
            line_no=str(n),
            hospital_code=f"H{n}",
            national_code=f"N{n}",
            name=f"项目{n}",
            unit_price=Decimal("2.50"),
            quantity=Decimal(2),
        )
        for n in (1, 2, 3)
    ]
    dialog = RefundLinesDialog(lines)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 3
    assert "5.00" in dialog.list.item(0).text()
    assert dialog.returned() == ()
    dialog.list.item(1).setCheckState(Qt.CheckState.Checked)
    assert dialog.returned() == ("2",)
