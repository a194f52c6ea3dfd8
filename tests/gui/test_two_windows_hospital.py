"""Two windows of one hospital in one test (issue 13's GUI test): two real MainWindows, each on its own
local store, one sandbox, one hospital record on the real PostgreSQL. A patient pays at W01 and is
refunded at W02 from W02's history tab; both windows' histories then agree. The supervisor's windows
tab shows both windows, the hospital-wide shift report counts each at its window, and the day close
at a window is the hospital's, refused while a window has records not yet sent."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from app.ui.dialogs.credential_dialog import CredentialAnswer, CredentialDialog
from app.ui.dialogs.refund_dialog import RefundLinesDialog
from app.ui.models.history_model import HistoryColumn
from app.ui.tabs.hospital_history_model import WINDOW_COLUMN
from app.workers.backend import SettledRow
from app.workers.hospital_backend import HospitalWindowBackend
from gui.conftest import Previews
from gui.desk import PASSWORDS, Desk, insert_card, login
from gui.hospital_desks import HospitalDesk, send


def settle(qtbot: QtBot, desk: Desk, person: str = "马秀兰") -> None:
    window = desk.window
    insert_card(desk, person)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        window.read_card()
    qtbot.waitUntil(lambda: window.bill_model.rowCount() > 0 and not window.busy, timeout=10_000)
    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        window.pre_settle()
    with qtbot.waitSignal(window.receipts_ready, timeout=20_000):
        window.settle()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)


def history_rows(qtbot: QtBot, desk: Desk, expected: int) -> list[SettledRow]:
    """Refresh the history tab and wait for ``expected`` rows."""
    tab = desk.window.history_tab
    desk.window.tabs.setCurrentWidget(tab)
    tab.refresh()
    qtbot.waitUntil(
        lambda: tab.model.rowCount() == expected and not desk.window.busy, timeout=15_000
    )
    rows = [tab.model.row(r) for r in range(tab.model.rowCount())]
    assert all(row is not None for row in rows)
    return [row for row in rows if row is not None]


def shown(desk: Desk) -> list[tuple[str, str, str, str]]:
    """What the history table shows: settlement, window, total, status."""
    model = desk.window.history_tab.model
    text = lambda r, c: str(model.data(model.index(r, c)))  # noqa: E731
    return sorted(
        (
            text(r, HistoryColumn.SETTLEMENT_ID),
            text(r, WINDOW_COLUMN),
            text(r, HistoryColumn.TOTAL),
            text(r, HistoryColumn.STATUS),
        )
        for r in range(model.rowCount())
    )


def authorise_as(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    answer = CredentialAnswer(code, PASSWORDS[code])
    monkeypatch.setattr(
        CredentialDialog, "ask", classmethod(lambda cls, parent, title, prompt, code="": answer)
    )


def pdf_text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\n", "").replace(" ", "")


def save_pictures(qtbot: QtBot, desk: Desk, folder: Path) -> None:
    """The windows tab and the history of every window at 1366×768, for the docs."""
    folder.mkdir(parents=True, exist_ok=True)
    desk.window.resize(1366, 768)
    qtbot.wait(200)
    assert desk.window.grab().save(str(folder / "windows-tab.png"))
    history_rows(qtbot, desk, desk.window.history_tab.model.rowCount())
    qtbot.wait(200)
    assert desk.window.grab().save(str(folder / "history-every-window.png"))
    desk.window.tabs.setCurrentIndex(desk.window.tabs.count() - 1)


def test_paid_at_one_window_refunded_at_the_other_both_histories_agree(
    qtbot: QtBot,
    sandbox: SandboxServer,
    *,
    hospital_windows: Callable[..., tuple[HospitalDesk, HospitalDesk]],
    monkeypatch: pytest.MonkeyPatch,
    confirm_everything: list[str],
    previews: Previews,
) -> None:
    (w1, tab1, link1), (w2, tab2, link2) = hospital_windows()
    settle(qtbot, w1)
    send((w1, link1), (w2, link2))

    # W02's history lists W01's settlement, with its window; the filter narrows it to a window.
    (paid,) = history_rows(qtbot, w2, 1)
    assert paid.window == "W01"
    assert paid.patient_name == "马秀兰", "found at W02 by the name W01 took"
    assert paid.category == "门诊慢特病 恶性肿瘤门诊治疗（M00500）", "the disease, from W01's bill"
    w2.window.history_tab.search.setText("马秀兰")
    assert w2.window.history_tab.model.rowCount() == 1
    w2.window.history_tab.search.setText("")
    assert paid.total == paid.fund + paid.account + paid.cash
    filter_ = w2.window.history_tab.window_filter
    assert {filter_.itemData(i) for i in range(filter_.count())} == {None, "W01", "W02"}
    w2.window.history_tab.show_window("W02")
    qtbot.waitUntil(lambda: w2.window.history_tab.model.rowCount() == 0, timeout=15_000)
    w2.window.history_tab.show_window(None)
    history_rows(qtbot, w2, 1)

    # 补打 at W02 of W01's receipt: the same number, marked as a copy, recorded at W02.
    w2.window.history_tab.table.selectRow(0)
    with qtbot.waitSignal(w2.window.receipts_ready, timeout=15_000) as printed:
        w2.window.history_tab.copy_button.click()
    (copy,) = printed.args[0]
    assert copy.kind.value == "copy"
    assert copy.receipt_no.startswith("W01-"), "the copy keeps the number W01 issued"

    # The refund at W02: one 2208, sent by W02, authorised by the supervisor's own credential.
    before = sandbox.request_count("2208")
    authorise_as(monkeypatch, "S001")
    w2.window.history_tab.table.selectRow(0)
    w2.window.history_tab.cancel_selected()
    qtbot.waitUntil(lambda: sandbox.request_count("2208") == before + 1, timeout=20_000)
    qtbot.waitUntil(lambda: not w2.window.busy, timeout=20_000)
    send((w1, link1), (w2, link2))

    rows_w2 = history_rows(qtbot, w2, 2)
    rows_w1 = history_rows(qtbot, w1, 2)
    assert {row.patient_name for row in rows_w2} == {"马秀兰"}, "also once imported at W02"
    assert shown(w1) == shown(w2), "both windows' histories agree"
    by_id = {row.settlement_id: row for row in rows_w1}
    assert by_id[paid.settlement_id].cancelled
    (cancellation,) = [row for row in rows_w1 if row.settlement_id != paid.settlement_id]
    assert cancellation.window == "W02", "the refund is W02's record"
    assert cancellation.total == -paid.total
    assert {row.category for row in rows_w1 + rows_w2} == {paid.category}, "the refund's too"
    assert {row.settlement_id for row in rows_w2} == set(by_id)
    assert sandbox.request_count("2208") == before + 1, "exactly one 2208"

    # The supervisor's windows tab (at W02): both windows and their figures; a cashier has none.
    assert not w1.window.tabs.isTabVisible(w1.window.tabs.indexOf(tab1))
    login(qtbot, w2, "S001")
    assert w2.window.tabs.isTabVisible(w2.window.tabs.indexOf(tab2))
    w2.window.tabs.setCurrentWidget(tab2)
    tab2.refresh()
    qtbot.waitUntil(lambda: tab2.model.rowCount() == 2, timeout=15_000)
    statuses = {s.device_no: s for s in (tab2.model.row(r) for r in range(2)) if s is not None}
    assert statuses["W01"].settlements_today == 1
    assert statuses["W02"].total_today == -paid.total
    assert all(s.unresolved == 0 for s in statuses.values())

    shots = os.environ.get("SW_HOSPITAL_SHOTS")  # docs/hospital-mode.md: regenerate its pictures
    if shots:
        save_pictures(qtbot, w2, Path(shots))

    # The hospital-wide shift report from the tab: per window and per operator.
    tab2.shift_report(None, None)
    qtbot.waitUntil(lambda: len(previews) == 1, timeout=20_000)
    flat = pdf_text(previews[0])
    assert "全院收费日结单" in flat
    assert "分窗口合计" in flat
    assert "窗口W01" in flat
    assert "窗口W02" in flat
    assert previews.titles[0].startswith("JB-HOSP-")


def test_the_day_close_at_a_window_is_the_hospitals_and_names_the_window_not_ready(
    qtbot: QtBot,
    sandbox: SandboxServer,
    *,
    hospital_windows: Callable[..., tuple[HospitalDesk, HospitalDesk]],
    confirm_everything: list[str],
) -> None:
    (w1, _, link1), (w2, _, link2) = hospital_windows(second_operator="S001")
    settle(qtbot, w1)
    # W01 delivered, but has not yet said "nothing more" (its heartbeat after the sync): it may
    # still hold records of the day, so the hospital's day close must wait for it.
    assert link1.sync.drain().drained
    send((w2, link2))
    label = w2.window.journal_tab.day_close_label

    def close_day() -> str:
        label.setText("")
        w2.window.tabs.setCurrentWidget(w2.window.journal_tab)
        w2.window.journal_tab.day_close_button.click()
        qtbot.waitUntil(lambda: not w2.window.busy, timeout=30_000)
        return label.text()

    before = sandbox.request_count("3201")
    close_day()
    refused: Any = w2.errors()[-1]
    assert "窗口 W01：还有记录未上传" in refused.text, refused.text
    assert "W02" not in refused.text, refused.text
    assert sandbox.request_count("3201") == before, "nothing sent while W01 is not ready"

    w1.clock.advance(timedelta(seconds=2))
    assert link1.sync.sync_once().pending == 0  # the sync worker's next round: a heartbeat
    text = close_day()
    assert "全院 1 个窗口日结对账平衡" in text, (text, [e.text for e in w2.errors()])
    assert sandbox.request_count("3201") > before


def expected_rows(desk: Desk) -> int:
    """How many settlements the hospital history holds for this window now (read directly)."""
    backend = HospitalWindowBackend.for_engine(desk.engine)
    assert backend is not None
    return len(backend.history().rows)


def select_settlement(desk: Desk, settlement_id: str) -> SettledRow:
    tab = desk.window.history_tab
    for r in range(tab.model.rowCount()):
        row = tab.model.row(r)
        if row is not None and row.settlement_id == settlement_id:
            tab.table.selectRow(r)
            return row
    raise AssertionError(f"{settlement_id} not listed")


def test_reissue_and_partial_refund_of_another_windows_settlement(
    qtbot: QtBot,
    sandbox: SandboxServer,
    *,
    hospital_windows: Callable[..., tuple[HospitalDesk, HospitalDesk]],
    monkeypatch: pytest.MonkeyPatch,
    confirm_everything: list[str],
) -> None:
    (w1, _, link1), (w2, _, link2) = hospital_windows()
    settle(qtbot, w1)  # 马秀兰's HIS visit: six lines, one group
    (second,) = [r.settlement_id for r in history_rows(qtbot, w1, 1)]
    cashier = w1.engine.operator("C001")
    bill = w1.engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    first = next(g.settlement_id for g in bill.groups if g.settlement_id)
    assert first is not None
    assert w1.engine.receipts is not None
    w1.engine.receipts.issue_for_bill(bill.bill_id, cashier)
    (issued,) = w1.engine.receipts.receipts_for(first)
    send((w1, link1), (w2, link2))
    count = expected_rows(w2)
    history_rows(qtbot, w2, count)

    # 重打 at W02 of W01's receipt: W01's number voided, a new W02 number issued.
    authorise_as(monkeypatch, "S001")
    select_settlement(w2, first)
    with qtbot.waitSignal(w2.window.receipts_ready, timeout=20_000) as printed:
        w2.window.history_tab.reissue_button.click()
    (new,) = printed.args[0]
    assert new.kind.value == "reissue"
    assert new.data.replaces == issued.receipt_no
    assert new.receipt_no.startswith("W02-")

    # Partial refund at W02 of W01's other settlement: the lines come from W01's bill.
    offered: list[int] = []

    def choose(cls: type, parent: object, lines: tuple[Any, ...]) -> tuple[str, ...]:
        offered.append(len(lines))
        return (lines[-1].line_no,)

    monkeypatch.setattr(RefundLinesDialog, "ask", classmethod(choose))
    before = sandbox.request_count("2208")
    select_settlement(w2, second)
    with qtbot.waitSignal(w2.window.history_tab.refunded, timeout=30_000) as refunded:
        w2.window.history_tab.refund_selected()
    qtbot.waitUntil(lambda: not w2.window.busy, timeout=20_000)
    result = refunded.args[0]
    assert offered
    assert offered[0] > 1
    assert result.cancellation.original_settlement_id == second
    assert result.resettled is not None
    assert sandbox.request_count("2208") == before + 1
    send((w1, link1), (w2, link2))

    # Back at W01: the history shows W02's refund and re-settlement, and a 补打 of the first
    # settlement copies W02's new number, not the one W02 voided.
    rows = history_rows(qtbot, w1, expected_rows(w1))
    assert len(rows) > count
    assert {r.window for r in rows} == {"W01", "W02"}
    history_rows(qtbot, w2, expected_rows(w2))
    assert shown(w1) == shown(w2)
    select_settlement(w1, first)
    with qtbot.waitSignal(w1.window.receipts_ready, timeout=20_000) as copied:
        w1.window.history_tab.copy_button.click()
    (copy,) = copied.args[0]
    assert copy.kind.value == "copy"
    assert copy.receipt_no == new.receipt_no
