"""The shift report (issue 18 part 1): for a day with every kind of record, built through the real
sandbox flow, its figures equal the store's and the platform's 3201 totals."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from helpers.engine_fixtures import demo_bill
from helpers.sandbox_fixtures import SandboxClient, Visit, person
from helpers.shift_fixtures import a_day_with_everything, shift_service

from app.domain.money import money_sum
from app.domain.operator import Operator, Role
from app.domain.receipt import FeeCategory
from app.domain.shift_report import (
    Amounts,
    CategoryKey,
    EntryKind,
    ReconciliationState,
    ShiftReport,
    ShiftSheet,
)
from app.errors import InputError, PermissionDenied
from app.sandbox import SandboxServer
from app.services.day_close import LOCAL_ZONE, DayCloseReport, day_bounds
from app.services.engine import Engine
from app.services.ports.store import StoredSettlement
from app.services.shift_report import category_of, fingerprint, parse_clock_time, shift_bounds


class _TextRenderer:
    """A renderer that writes the figures as text (the PDF renderer is tested in tests/printing)."""

    def render(self, report: ShiftReport, sheet: ShiftSheet) -> bytes:
        return f"{sheet.report_no} {sheet.print_no} {report.total.amounts.total}".encode()


def _second_cashier(engine: Engine) -> Operator:
    with engine.uow_factory() as uow:
        uow.operators.add("C002", "收费员丙", Role.CASHIER, "Cashier-two-2026")
        uow.commit()
    return engine.operator("C002")


def _store_records(engine: Engine, day_report: DayCloseReport) -> list[StoredSettlement]:
    with engine.uow_factory() as uow:
        return list(uow.settlements.between(*day_bounds(day_report.day)))


def _amounts(items: list[StoredSettlement]) -> Amounts:
    return Amounts(
        total=money_sum(s.record.totals.total for s in items),
        fund=money_sum(s.record.totals.fund for s in items),
        account=money_sum(s.record.totals.account for s in items),
        cash=money_sum(s.record.totals.cash for s in items),
        hospital=money_sum(s.record.totals.hospital for s in items),
    )


def test_the_shift_report_equals_the_store_and_the_platforms_3201_totals(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    a_day_with_everything(engine, cashier, supervisor, sandbox)
    day_close = engine.close_day(engine.day_close.today(), supervisor)
    assert day_close.balanced, day_close.groups
    service = shift_service(engine)

    report = service.report(service.scope(cashier, day=day_close.day))

    stored = _store_records(engine, day_close)
    assert report.total.count == len(stored)
    assert report.total.amounts == _amounts(stored)
    assert report.total.amounts.balanced  # fund + account + cash (+ hospital) = total
    assert {kind for kind, _ in report.by_kind} == set(EntryKind)
    # By fee category: each chronic disease, 普通门诊, 全额自费, each equal to the store's records.
    by_category: dict[CategoryKey, list[StoredSettlement]] = defaultdict(list)
    for record in stored:
        by_category[category_of(record)].append(record)
    assert {key: (tally.count, tally.amounts) for key, tally in report.by_category} == {
        key: (len(items), _amounts(items)) for key, items in by_category.items()
    }
    categories = {key.category for key, _ in report.by_category}
    assert categories == {FeeCategory.CHRONIC, FeeCategory.GENERAL, FeeCategory.SELF_PAY}
    assert len([k for k, _ in report.by_category if k.category is FeeCategory.CHRONIC]) >= 3
    # The insured part equals what the platform confirmed in 3201, group by group...
    assert [
        (
            g.insurance_type,
            g.clearing_type,
            g.count,
            g.amounts.total,
            g.amounts.fund,
            g.amounts.account,
        )
        for g in report.insured
    ] == [
        (g.insurance_type, g.clearing_type, g.count, g.total, g.fund, g.account)
        for g in day_close.groups
    ]
    assert all(g.balanced for g in day_close.groups)
    # ... and the platform's own ledger (reversed 2207s excluded).
    ledger = [
        row for row in sandbox.ledger()
        if row["infno"] in {"2207", "2208"} and row["status"] != "reversed"
    ]  # fmt: skip
    insured = report.insured_total
    assert insured.count == len(ledger)
    assert insured.amounts.total == money_sum(row["medfee_sumamt"] for row in ledger)
    assert insured.amounts.fund == money_sum(row["fund_pay_sumamt"] for row in ledger)
    assert insured.amounts.account == money_sum(row["acct_pay"] for row in ledger)
    assert insured.amounts.cash == money_sum(row["psn_cash_pay"] for row in ledger)
    # Reversals are listed with the amount at stake and add nothing.
    assert len(report.reversals) == 1
    assert report.reversed_amount > Decimal(0)
    assert report.reversals[0].msgid not in {s.record.msgid for s in stored}
    # Receipts: every number used, as ranges; the voided one and its reissue listed.
    receipts = report.receipts
    assert receipts.issued == sum(r.count for r in receipts.ranges)
    assert len(receipts.voided) == 1
    assert len(receipts.reissued) == 1
    assert receipts.voided[0][1] == receipts.reissued[0][0]
    assert receipts.copies == 1
    assert report.reconciliation.state is ReconciliationState.BALANCED
    assert [s.operator_code for s in report.sections] == [cashier.code]


def test_a_cashier_sees_only_their_own_shift_and_a_supervisor_anyones(
    engine: Engine, cashier: Operator, supervisor: Operator
) -> None:
    other = _second_cashier(engine)
    engine.settle_visit(demo_bill("01"), cashier)
    engine.settle_visit(demo_bill("13"), other)
    service = shift_service(engine)
    day = service.today()

    mine = service.report(service.scope(cashier, day=day))
    everyone = service.report(service.scope(supervisor, day=day))
    theirs = service.report(service.scope(supervisor, day=day, operator_code=other.code))

    assert [s.operator_code for s in mine.sections] == [cashier.code]
    assert [s.operator_code for s in theirs.sections] == [other.code]
    assert [s.operator_code for s in everyone.sections] == [cashier.code, other.code]
    assert everyone.total.amounts == mine.total.amounts + theirs.total.amounts
    assert everyone.reconciliation.state is ReconciliationState.NOT_CLOSED
    with pytest.raises(PermissionDenied):
        service.scope(cashier, day=day, operator_code=other.code)


def test_every_print_is_audited_and_a_reprint_says_so(
    engine: Engine, cashier: Operator, supervisor: Operator
) -> None:
    engine.settle_visit(demo_bill("01"), cashier)
    service = shift_service(engine)
    scope = service.scope(cashier, day=service.today())

    first = service.render(service.report(scope), cashier, _TextRenderer())
    second = service.render(service.report(scope), cashier, _TextRenderer())
    engine.settle_visit(demo_bill("13"), cashier)  # a late record changes the figures
    third = service.render(service.report(scope), cashier, _TextRenderer())

    assert [r.sheet.print_no for r in (first, second, third)] == [1, 2, 3]
    assert first.sheet.report_no == second.sheet.report_no == third.sheet.report_no
    assert not second.sheet.changed_since_first
    assert third.sheet.changed_since_first
    with engine.uow_factory() as uow:
        start, end = day_bounds(service.today())
        rows = [r for r in uow.audit.between(start, end) if r.event == "shift_report_print"]
        assert uow.audit.verify() == []
    assert [(r.operator_code, r.outcome) for r in rows] == [
        (cashier.code, "ok"), (cashier.code, "reprint"), (cashier.code, "reprint"),
    ]  # fmt: skip
    assert all(r.detail.startswith(first.sheet.report_no) for r in rows)


def test_an_unbalanced_day_close_shows_on_the_report(
    engine: Engine,
    cashier: Operator,
    supervisor: Operator,
    sandbox: SandboxServer,
    sandbox_client: SandboxClient,
) -> None:
    engine.settle_visit(demo_bill("01"), cashier)
    elsewhere = Visit(sandbox_client, person(sandbox, "马秀兰"))
    elsewhere.open([("H11010500001XY0022", "38.50", "1")])
    elsewhere.settle()  # the platform has a settlement this window does not
    closed = engine.close_day(engine.day_close.today(), supervisor)
    service = shift_service(engine)

    report = service.report(service.scope(supervisor, day=closed.day))

    assert not closed.balanced
    assert report.reconciliation.state is ReconciliationState.UNBALANCED
    assert report.reconciliation.summary == closed.summary()
    assert report.reconciliation.closed_by == supervisor.code


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [(None, None, 24), ("08:00", "12:30", 4.5), ("20:00", "08:00", 12), ("16:00", "24:00", 8)],
)
def test_shift_bounds_by_the_clock(start: str | None, end: str | None, hours: float) -> None:
    begin, finish = shift_bounds(
        date(2026, 12, 7),
        parse_clock_time(start, "开始") if start else None,
        parse_clock_time(end, "结束") if end else None,
    )

    assert (finish - begin).total_seconds() == hours * 3600
    assert begin.astimezone(LOCAL_ZONE).date() == date(2026, 12, 7)


def test_a_bad_clock_time_says_what_to_type() -> None:
    with pytest.raises(InputError, match="HH:MM"):
        parse_clock_time("8点", "班次开始时间")


def test_a_record_made_after_the_day_close_shows_on_every_report_of_the_day(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    other = _second_cashier(engine)
    engine.settle_visit(demo_bill("01"), cashier)
    closed = engine.close_day(engine.day_close.today(), supervisor)
    assert closed.balanced
    service = shift_service(engine)
    mine = service.scope(cashier, day=closed.day)
    balanced = service.report(mine)
    assert balanced.reconciliation.covers_day
    assert balanced.reconciliation.changed_words() is None

    time.sleep(1.05)  # record times are compared to the second: a later second, as in the field
    engine.settle_visit(demo_bill("13"), other)  # another cashier, after the close

    late = service.report(mine)  # the cashier's own report: the close covers every record
    theirs = service.report(service.scope(supervisor, day=closed.day, operator_code=other.code))
    recon = late.reconciliation
    assert recon.state is ReconciliationState.BALANCED
    assert not recon.covers_day
    assert recon.outdated
    assert recon.changed_count == 1
    assert recon.changed_total == theirs.total.amounts.total != Decimal("0.00")
    assert fingerprint(late) != fingerprint(balanced)  # a reprint says the figures changed
    words = recon.changed_words()
    assert words is not None
    assert "请重新日结" in str(words)

    engine.close_day(closed.day, supervisor)  # closing again: the latest close counts
    assert service.report(mine).reconciliation.covers_day
