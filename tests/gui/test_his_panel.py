"""The HIS panel at the window, against the reference HIS through the real HTTP adapter.

Identify → the patient's unpaid visits listed → pick one → settle → the HIS shows it paid → cancel →
the HIS shows it cancelled (payable again). A HIS that does not answer is said plainly and the
cashier still types the bill.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.domain.his import ChargeStatus, ResultKind
from app.sandbox import SandboxServer
from app.sandbox.his.demo import demo_his
from app.sandbox.his.http import HisHttpServer
from app.ui.dialogs.credential_dialog import CredentialAnswer, CredentialDialog
from gui.desk import PASSWORDS, Desk, insert_card


@pytest.fixture
def two_visit_his() -> Iterator[HisHttpServer]:
    """Every demo person with two unpaid visits."""
    with HisHttpServer(demo_his(copies=2)) as server:
        yield server


def _identify(qtbot: QtBot, desk: Desk, name: str) -> None:
    window = desk.window
    insert_card(desk, name)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        window.read_card()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)


def _deliver(desk: Desk) -> None:
    outbox = desk.engine.his_outbox
    assert outbox is not None
    outbox.deliver_due()
    assert outbox.pending_count() == 0


def test_pick_a_visit_settle_his_paid_cancel_his_cancelled(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
    confirm_everything: list[str],
    *,
    two_visit_his: HisHttpServer,
) -> None:
    his = two_visit_his.his
    desk = open_desk(sandbox, his={"kind": "http", "url": two_visit_his.url, "timeout": 2.0})
    window = desk.window
    _identify(qtbot, desk, "马秀兰")
    panel = window.identify_panel.his_panel
    assert panel.isVisible()
    assert [v.visit_no for v in panel.visits()] == ["MZ202611230001", "MZ202611230001001"]
    assert window.bill_model.rowCount() == 0  # two visits: the cashier chooses

    panel.set_picked(["MZ202611230001"])
    panel.request_load()
    qtbot.waitUntil(lambda: window.bill_model.rowCount() == 6 and not window.busy, timeout=10_000)
    charges = [line.line_no for line in window.bill_model.lines]
    assert charges[0] == "MZ202611230001-1"
    assert window.bill_model.lines[0].name == "注射用顺铂"
    assert str(window.bill_model.lines[0].tag) == "M00500"

    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        window.pre_settle()
    with qtbot.waitSignal(window.receipts_ready, timeout=20_000):
        window.settle()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    window.check_connection()
    qtbot.waitUntil(
        lambda: "HIS 待回传：6" in window.chrome.unresolved_label.text(), timeout=10_000
    )
    _deliver(desk)
    assert all(his.status(c) is ChargeStatus.PAID for c in charges)
    assert his.status("MZ202611230001001-1") is ChargeStatus.UNPAID  # the other visit waits
    (settled,) = his.applied(charges[0])
    assert settled.result.receipt_no  # the receipt was printed before the delivery

    window.tabs.setCurrentWidget(window.history_tab)
    qtbot.waitUntil(lambda: window.history_tab.model.rowCount() > 0, timeout=10_000)
    window.history_tab.table.selectRow(0)
    answer = CredentialAnswer("S001", PASSWORDS["S001"])
    monkeypatch.setattr(
        CredentialDialog, "ask", classmethod(lambda cls, parent, title, prompt, code="": answer)
    )
    window.history_tab.cancel_selected()
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)
    assert sandbox.request_count("2208") == 1
    _deliver(desk)
    for charge in charges:
        assert [a.result.kind for a in his.applied(charge)] == [
            ResultKind.SETTLED,
            ResultKind.CANCELLED,
        ]
        assert his.status(charge) is ChargeStatus.UNPAID


def test_his_down_is_said_plainly_and_the_bill_can_still_be_typed(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    two_visit_his: HisHttpServer,
) -> None:
    two_visit_his.his.faults.set(down=True)
    desk = open_desk(sandbox, his={"kind": "http", "url": two_visit_his.url, "timeout": 2.0})
    window = desk.window
    _identify(qtbot, desk, "马秀兰")

    assert "HIS 暂时无法连接" in window.identify_panel.his_panel.status_text()
    assert desk.errors() == []  # no dialog: the cashier is not stopped
    window.bill_panel.search_edit.setText("H11010500001XY0022")
    qtbot.waitUntil(lambda: window.catalogue_model.rowCount() > 0, timeout=10_000)
    assert window.eligibility is not None
    assert window.bill_panel.search_edit.isEnabled()
