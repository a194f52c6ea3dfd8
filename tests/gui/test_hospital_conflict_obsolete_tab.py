"""The supervisor's 全院窗口 tab tells of a charge conflict that no longer stands (issue 13): once one
of the two settlements was cancelled (here W01's, cancelled at W02) and W02's sync closed the
conflict as obsolete when it delivered the cancellation, the tab keeps showing it for the day —
state 已不成立, the reason with the cancellation, nothing left to mark — instead of either hiding it
silently or still asking the supervisor to handle it. How the conflict is closed is proved in
tests/hospital/test_claim_conflict_closes_on_cancel.py and test_claim_conflict_obsolete.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from helpers.pg_fixtures import HospitalDb
from pytestqt.qtbot import QtBot

from app.services.cancel import SupervisorApproval
from app.store.hospital.conflicts import PgClaimConflicts
from app.ui.tabs.hospital_conflicts import ConflictColumn
from gui.desk import PASSWORDS
from gui.hospital_desks import HospitalDesk, send
from gui.test_hospital_conflicts_tab import _settlements
from gui.test_two_windows_hospital import settle


@pytest.mark.usefixtures("confirm_everything")
def test_the_windows_tab_shows_a_conflict_closed_because_a_settlement_was_cancelled(
    qtbot: QtBot,
    hospital_db: HospitalDb,
    hospital_windows: Callable[..., tuple[HospitalDesk, HospitalDesk]],
) -> None:
    (w1, _tab1, link1), (w2, tab2, link2) = hospital_windows(second_operator="S001")
    settle(qtbot, w1)
    settle(qtbot, w2, "李淑芬")
    send((w1, link1), (w2, link2))
    ((first_id, first_bill),) = _settlements(hospital_db, "W01")
    (second_bill,) = {bill for _id, bill in _settlements(hospital_db, "W02")}
    conflicts = PgClaimConflicts(hospital_db.engine)
    assert conflicts.record(
        window="W01", bill_id=first_bill, operator_code="C001", outpatient_no="MZ202612070001",
        line_nos=["1", "2"], other_window="W02", other_bill_id=second_bill,
        at=datetime.now(UTC),
    )  # fmt: skip
    cancelled = w2.engine.cancel(
        first_id, w2.engine.operator("C001"), SupervisorApproval("S001", PASSWORDS["S001"])
    )
    send((w2, link2))  # W02's sync delivers the cancellation, and closes the conflict it ends
    (found,) = conflicts.for_bill(first_bill)
    assert found.obsolete
    assert found.handled_window == "W02"

    w2.window.tabs.setCurrentWidget(tab2)
    tab2.refresh()
    panel = tab2.conflicts
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=15_000)

    assert panel.model.data(panel.model.index(0, ConflictColumn.STATE)) == "已不成立"
    assert "没有待处理" in panel.title.text()
    assert "自动结案" in panel.title.text()
    detail = panel.detail.text()
    assert "不再成立" in detail
    assert cancelled.cancellation_id in detail
    assert "W02" in detail
    assert not panel.handled_button.isEnabled()
