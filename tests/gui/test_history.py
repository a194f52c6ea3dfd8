"""Today's settlements: search, 补打 copy, cancellation with a supervisor's credential; journal tab."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from app.ui.dialogs.credential_dialog import CredentialAnswer, CredentialDialog
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
    qtbot.waitUntil(lambda: window.history_model.rowCount() > 0, timeout=10_000)
    window.history_table.selectRow(0)


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
    row = window.history_model.row(0)
    assert row is not None
    assert row.total == row.fund + row.account + row.cash
    assert "6300" not in row.person_no_masked[3:-4]  # masked in the middle
    with qtbot.waitSignal(window.receipts_ready, timeout=10_000) as printed:
        window.copy_button.click()
    (copy,) = printed.args[0]
    assert copy.kind.value == "copy"
    window.history_search.setText("no-such-settlement")
    assert window.history_model.rowCount() == 0


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
    window.cancel_selected()
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)
    assert (sandbox.request_count("2208") == 1) is cancelled
    if cancelled:
        qtbot.waitUntil(lambda: window.history_model.rowCount() >= 1, timeout=10_000)
        statuses = {
            window.history_model.data(window.history_model.index(r, 8))
            for r in range(window.history_model.rowCount())
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
    assert window.journal_model.rowCount() == 0
    assert "0" in window.unresolved_label.text()
    assert not window.day_close_button.isVisible()  # cashiers do not close the day


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
    assert window.day_close_button.isVisible()
    window.day_close_button.click()
    qtbot.waitUntil(lambda: bool(window.day_close_label.text()), timeout=20_000)
    assert "平衡" in window.day_close_label.text()
    assert sandbox.request_count("3201") >= 1
