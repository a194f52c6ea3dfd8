"""Every money action × every role at the window (issue #11 item 3): which controls each role is
offered, and that the window's own guard refuses the rest. The table is written out here, so a
change of the rights in the code shows up as a failing case; the engine and CLI side of the same
table is ``tests/admin/test_money_permissions.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from app.domain.operator import Role
from app.errors import PermissionDenied
from app.sandbox import SandboxServer
from app.services.auth import Action
from app.ui.main_window import MainWindow
from gui.desk import Desk

PASSWORD = "Role-pass-2026"
ACCOUNTS = {
    Role.CASHIER: "C201",
    Role.REGISTRATION: "R201",
    Role.SUPERVISOR: "S201",
    Role.ADMIN: "A201",
    Role.AUDITOR: "U201",
}
MONEY = {Role.CASHIER, Role.SUPERVISOR}

# control → roles that are offered it (offline self-pay shows only while offline: guarded below).
OFFERED: dict[str, set[Role]] = {
    "pre-settle / settle (F8/F9)": MONEY,
    "cancel a settlement": MONEY,
    "partial refund": MONEY,
    "reissue a receipt (重打)": MONEY,
    "copy a receipt (补打)": MONEY,
    "day close": MONEY,  # a cashier starts it, a supervisor's credential authorises it
    "resolve unresolved calls": MONEY,
}
# action the window's guard checks → roles it lets through (the request side of two-person actions).
GUARDED: dict[Action, set[Role]] = {
    Action.SETTLE: MONEY,
    Action.PRE_SETTLE: MONEY,
    Action.COLLECT_SELF_PAY: MONEY,
    Action.REQUEST_CANCELLATION: MONEY,
    Action.REQUEST_PARTIAL_REFUND: MONEY,
    Action.REQUEST_REISSUE: MONEY,
    Action.COPY_RECEIPT: MONEY,
}


def _offered(window: MainWindow) -> dict[str, bool]:
    panel, history, journal = window.settle_panel, window.history_tab, window.journal_tab
    history_shown = window.tabs.isTabVisible(window.tabs.indexOf(history))
    journal_shown = window.tabs.isTabVisible(window.tabs.indexOf(journal))
    return {
        "pre-settle / settle (F8/F9)": not panel.isHidden() and not panel.settle_button.isHidden(),
        "cancel a settlement": history_shown and not history.cancel_button.isHidden(),
        "partial refund": history_shown and not history.refund_button.isHidden(),
        "reissue a receipt (重打)": history_shown and not history.reissue_button.isHidden(),
        "copy a receipt (补打)": history_shown and not history.copy_button.isHidden(),
        "day close": journal_shown and not journal.day_close_button.isHidden(),
        "resolve unresolved calls": journal_shown and not journal.resolve_button.isHidden(),
    }


@pytest.mark.parametrize("role", list(ACCOUNTS), ids=str)
def test_each_role_is_offered_exactly_its_money_actions(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk], role: Role
) -> None:
    desk = open_desk(sandbox, operator=None)
    code = ACCOUNTS[role]
    with desk.engine.uow_factory() as uow:
        uow.operators.add(code, f"{role.label}甲", role, PASSWORD)
        uow.commit()
    window = desk.window
    with qtbot.waitSignal(window.operator_changed, timeout=10_000):
        window.login(code, PASSWORD)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)

    offered = _offered(window)

    assert offered == {control: role in roles for control, roles in OFFERED.items()}
    for action, roles in GUARDED.items():
        if role in roles:
            assert window.session.require(action).code == code
        else:
            with pytest.raises(PermissionDenied):
                window.session.require(action)
