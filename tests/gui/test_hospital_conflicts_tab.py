"""The supervisor's 全院窗口 tab shows the charge conflicts between windows and marks one handled
(issue 13). Two real windows settle on one hospital record (real PostgreSQL); the conflict between
their bills is recorded at the seam the push uses (the hospital record's conflicts table — how a
push finds one is proved in tests/hospital/test_claim_conflicts.py). The supervisor at W02 sees both
settlements and what to do, asks to mark it handled, says what was done, and the conflict leaves the
list; the tab never talks to the database itself (it goes through the engine on a worker)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.pg_fixtures import HospitalDb
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.store.hospital.conflicts import PgClaimConflicts
from app.ui.tabs.hospital_conflicts import ConflictColumn
from gui.hospital_desks import HospitalDesk, send
from gui.test_two_windows_hospital import settle

NOTE = "已与患者核实，W02 的结算已撤销（2208），现金已退还"


def _settlements(db: HospitalDb, window: str) -> list[tuple[str, str]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text('SELECT settlement_id, bill_id FROM hospital_settlements WHERE "window" = :w'),
            {"w": window},
        ).all()
    return [(str(r[0]), str(r[1])) for r in rows]


def test_the_windows_tab_shows_a_conflict_and_a_supervisor_marks_it_handled(
    qtbot: QtBot,
    hospital_db: HospitalDb,
    hospital_windows: Callable[..., tuple[HospitalDesk, HospitalDesk]],
    monkeypatch: pytest.MonkeyPatch,
    confirm_everything: list[str],
) -> None:
    (w1, _tab1, link1), (w2, tab2, link2) = hospital_windows(second_operator="S001")
    settle(qtbot, w1)
    settle(qtbot, w2, "李淑芬")  # another patient: W01's HIS visit is claimed hospital-wide
    send((w1, link1), (w2, link2))
    ((first_id, first_bill),) = _settlements(hospital_db, "W01")
    second = _settlements(hospital_db, "W02")
    (second_bill,) = {bill for _id, bill in second}
    assert PgClaimConflicts(hospital_db.engine).record(
        window="W01", bill_id=first_bill, operator_code="C001", outpatient_no="MZ202612070001",
        line_nos=["1", "2"], other_window="W02", other_bill_id=second_bill,
        at=datetime.now(UTC),
    )  # fmt: skip

    w2.window.tabs.setCurrentWidget(tab2)
    tab2.refresh()
    panel = tab2.conflicts
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=15_000)

    assert panel.table.isVisibleTo(tab2)
    assert "1" in panel.title.text()
    model = panel.model
    cell = lambda c: str(model.data(model.index(0, c)))  # noqa: E731
    assert cell(ConflictColumn.OUTPATIENT) == "MZ202612070001"
    assert first_id in cell(ConflictColumn.OFFLINE)
    assert cell(ConflictColumn.OFFLINE).startswith("W01")
    assert all(sid in cell(ConflictColumn.OTHER) for sid, _bill in second)
    assert cell(ConflictColumn.STATE) == "待处理"
    detail = panel.detail.text()
    for expected in (first_id, *(sid for sid, _b in second), "W01", "W02", "C001", "2208"):
        assert expected in detail, (expected, detail)
    assert "不会自动退费" in detail
    assert panel.handled_button.isEnabled()
    shots = os.environ.get("SW_HOSPITAL_SHOTS")  # docs/hospital-mode.md: regenerate its picture
    if shots:
        w2.window.resize(1366, 768)
        qtbot.wait(200)
        assert w2.window.grab().save(str(Path(shots) / "conflicts-tab.png"))

    asked: list[str] = []

    def answer(*args: object, **_kwargs: object) -> tuple[str, bool]:
        asked.append(str(args[1]))
        return NOTE, True

    monkeypatch.setattr(QInputDialog, "getMultiLineText", answer)
    panel.handled_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=15_000)

    assert asked, "the supervisor was asked what was done"
    assert not panel.table.isVisibleTo(tab2)
    (kept,) = PgClaimConflicts(hospital_db.engine).conflicts(include_handled=True)
    assert (kept.handled_by, kept.handled_window, kept.note) == ("S001", "W02", NOTE)
