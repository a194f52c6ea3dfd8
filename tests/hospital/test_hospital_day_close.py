"""Hospital mode: the day close of the whole hospital — 3201 with every window's totals, refused while
a window is not ready (issue 13 item 6)."""

from __future__ import annotations

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.hospital_windows import Window, day_close_at, sync_all, today
from sqlalchemy import insert

from app.domain.money import money_sum
from app.errors import RecoveryPending
from app.sandbox import SandboxServer
from app.services.day_close import day_bounds
from app.services.hospital_sync import HospitalSync
from app.services.ports.clock import SystemClock
from app.store.hospital import schema


def test_the_hospital_day_close_reconciles_every_windows_totals(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    bills = [
        w1.engine.settle_visit(fresh_visit(demo_bill("01")), w1.cashier),
        w2.engine.settle_visit(fresh_visit(demo_bill("02")), w2.cashier),
        w2.engine.settle_visit(fresh_visit(demo_bill("01")), w2.cashier),
    ]
    sync_all([w1, w2])
    before = sandbox.request_count("3201")

    report = day_close_at(w1).close(today(), w1.supervisor)

    assert report.balanced, report.groups
    assert report.windows == ("W01", "W02")
    assert sandbox.request_count("3201") - before == len(report.groups) >= 1
    settled = [g.totals for b in bills for g in b.groups if g.settlement_id and g.totals]
    assert report.total == money_sum(t.total for t in settled)
    assert (
        report.fund + report.account + report.cash + money_sum(t.hospital for t in settled)
        == report.total
    )
    active = [r for r in sandbox.ledger() if r["infno"] == "2207" and r["status"] != "reversed"]
    assert report.total == money_sum(r["medfee_sumamt"] for r in active)
    assert report.fund == money_sum(r["fund_pay_sumamt"] for r in active)
    assert report.cash == money_sum(r["psn_cash_pay"] for r in active)
    assert {line.window for line in report.shift} == {"W01", "W02"}
    at_w02 = sum(1 for b in bills[1:] for g in b.groups if g.settlement_id)
    assert sum(line.count for line in report.shift if line.window == "W02") == at_w02
    with w1.engine.uow_factory() as uow:
        events = [row.event for row in uow.audit.between(*day_bounds(today()))]
    assert events[-1] == "hospital_day_close"


def test_refused_naming_a_window_that_has_not_delivered_everything(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    w1.engine.settle_visit(fresh_visit(demo_bill("01")), w1.cashier)
    sync_all([w1, w2])
    w2.engine.settle_visit(fresh_visit(demo_bill("01")), w2.cashier)
    # W02 delivers one record and stops (killed mid-sync): its last contact was no heartbeat.
    HospitalSync(w2.engine.uow_factory, w2.record, SystemClock(), "W02", batch=1).sync_once()
    before = sandbox.request_count("3201")

    with pytest.raises(RecoveryPending) as refused:
        day_close_at(w1).close(today(), w1.supervisor)

    assert "窗口 W02" in refused.value.text
    assert "未上传" in refused.value.text
    assert "W01" not in refused.value.detail["windows"]
    assert sandbox.request_count("3201") == before


def test_refused_naming_a_window_with_unresolved_journal_rows(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    sync_all([w1, w2])
    with w1.record._engine.begin() as connection:
        connection.execute(
            insert(schema.journal).values(
                msgid="H63010200001202612070000000201",
                window="W02",
                infno="2207",
                state="unknown",
                bill_id="B1",
                settlement_id="",
                original_msgid="",
                operator_code="C001",
                created_at=SystemClock().now(),
            )
        )

    with pytest.raises(RecoveryPending) as refused:
        day_close_at(w1).close(today(), w1.supervisor)

    assert "窗口 W02：1 笔交易结果未确认" in refused.value.text


def test_a_settlement_the_hospital_record_misses_shows_as_a_platform_only_row(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    w1.engine.settle_visit(fresh_visit(demo_bill("01")), w1.cashier)
    sync_all([w1, w2])
    lost = w2.engine.settle_visit(fresh_visit(demo_bill("01")), w2.cashier)  # never delivered

    report = day_close_at(w1).close(today(), w1.supervisor)

    assert not report.balanced
    missing = {g.settlement_id for g in lost.groups if g.settlement_id}
    rows = [d for d in report.discrepancies if d.settlement_id in missing]
    assert rows
    assert all(d.journal_state == "医院记录中无此流水" for d in rows)
