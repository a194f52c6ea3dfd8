"""Cancellation, partial refund, day close (3201/3202) and the shift report (R13)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill
from helpers.sandbox_fixtures import SandboxClient, Visit, person

from app.domain.journal import JournalState
from app.domain.money import money_sum
from app.domain.operator import Operator
from app.domain.settlement import SettlementRecord, SettlementTotals
from app.domain.visit import BillStatus, GroupState
from app.errors import OutcomeUnknown, PermissionDenied, RecoveryPending
from app.sandbox import SandboxServer
from app.services.cancel import SupervisorApproval
from app.services.day_close import Discrepancy, EntryKind, day_bounds
from app.services.engine import Engine
from app.services.ports.store import StoredSettlement

APPROVAL = SupervisorApproval("S001", SUPERVISOR_PASSWORD)


def test_cancel_needs_a_supervisor_and_mirrors_the_settlement(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier)
    settlement_id = bill.groups[0].settlement_id
    with pytest.raises(PermissionDenied):
        engine.cancel(settlement_id, cashier, SupervisorApproval("S001", "wrong-password"))

    result = engine.cancel(settlement_id, cashier, APPROVAL)

    original = bill.groups[0].totals
    assert original is not None
    assert result.record.totals.total == -original.total
    assert result.record.totals.fund == -original.fund
    after = engine.bill(bill.bill_id)
    assert after.groups[0].state is GroupState.CANCELLED
    assert after.status is BillStatus.CANCELLED
    with engine.uow_factory() as uow:
        stored = uow.settlements.get(settlement_id)
        cancellation = uow.settlements.get(result.cancellation_id)
    assert stored is not None
    assert stored.cancelled_by == result.cancellation_id
    assert cancellation is not None
    assert cancellation.is_cancellation
    assert cancellation.original_settlement_id == settlement_id
    statuses = {r["setl_id"]: r["status"] for r in sandbox.ledger() if r["infno"] != "2601"}
    assert statuses[settlement_id] == "cancelled"


def test_self_pay_collection_is_refunded_locally(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    bill = engine.settle_visit(demo_bill("05"), cashier)
    before = sandbox.request_count("2208")

    result = engine.cancel(bill.groups[0].settlement_id, cashier, APPROVAL)

    assert result.record.totals.cash == -bill.groups[0].total
    assert sandbox.request_count("2208") == before


def test_partial_refund_resettles_the_kept_lines_as_a_linked_bill(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    visit = demo_bill("08")  # dialysis: three lines in one group
    bill = engine.settle_visit(visit, cashier)
    group = bill.groups[0]
    returned = visit.lines[-1]

    refund = engine.partial_refund(group.settlement_id, [returned.line_no], cashier, APPROVAL)

    assert refund.resettled is not None
    assert refund.resettled.parent_bill_id == bill.bill_id
    (kept,) = refund.resettled.groups
    assert kept.state is GroupState.SETTLED
    assert kept.total == group.total - returned.amount
    assert set(kept.line_nos) == set(group.line_nos) - {returned.line_no}
    ledger = sandbox.ledger()
    assert next(r["status"] for r in ledger if r["setl_id"] == group.settlement_id) == "cancelled"
    assert kept.settlement_id in {r["setl_id"] for r in ledger}


def test_day_close_is_balanced_and_the_shift_report_includes_every_kind(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    plain = engine.settle_visit(demo_bill("03"), cashier)
    engine.settle_visit(demo_bill("04"), cashier)  # self-pay
    cancelled = engine.settle_visit(demo_bill("01"), cashier)
    engine.cancel(cancelled.groups[0].settlement_id, cashier, APPROVAL)
    visit = demo_bill("08")
    refunded = engine.settle_visit(visit, cashier)
    engine.partial_refund(
        refunded.groups[0].settlement_id, [visit.lines[-1].line_no], cashier, APPROVAL
    )
    sandbox.set_faults([{"infno": "2207", "kind": "drop_after", "nth": [1]}])
    engine.settle_visit(demo_bill("13"), cashier)  # reversed, no money moved
    sandbox.set_faults([])

    report = engine.close_day(engine.day_close.today(), supervisor)

    assert report.balanced, report.groups
    assert report.discrepancies == ()
    shift = report.shift
    kinds = {line.kind for line in shift.lines}
    assert kinds == {
        EntryKind.SETTLEMENT,
        EntryKind.SELF_PAY,
        EntryKind.CANCELLATION,
        EntryKind.PARTIAL_REFUND,
        EntryKind.RESETTLEMENT,
    }
    assert shift.reversals == 1
    assert shift.total == money_sum(line.total for line in shift.lines)
    with engine.uow_factory() as uow:
        everything = list(uow.settlements.between(*day_bounds(report.day)))
        stored = uow.day_closes.get(report.day)
    assert shift.cash == money_sum(s.record.totals.cash for s in everything)
    assert stored is not None
    assert stored.balanced
    assert stored.totals["cash"] == shift.cash
    settlements = next(line for line in shift.lines if line.kind is EntryKind.SETTLEMENT)
    assert settlements.cash >= sum((g.cash_due for g in plain.groups), Decimal(0))
    assert shift.for_operator("C001") == shift.lines


def test_day_close_detects_and_classifies_three_kinds_of_discrepancy(
    engine: Engine,
    cashier: Operator,
    supervisor: Operator,
    sandbox: SandboxServer,
    sandbox_client: SandboxClient,
) -> None:
    ours = engine.settle_visit(demo_bill("01"), cashier)
    record = ours.groups[0]
    # 1 platform only: a settlement made outside this window (a lost answer never recovered).
    elsewhere = Visit(sandbox_client, person(sandbox, "马秀兰"))
    elsewhere.open([("H11010500001XY0022", "38.50", "1")])
    platform_only = elsewhere.settle()["output"]["setlinfo"]["setl_id"]
    # 3 amounts differ: the platform has it, our copy says another amount.
    differing = Visit(sandbox_client, person(sandbox, "马秀兰"))
    differing.open([("H11010500001XY0026", "32.93", "1")])
    answer = differing.settle()
    with engine.uow_factory() as uow:
        stored = uow.settlements.get(record.settlement_id)
        assert stored is not None
        base = stored.record
        uow.settlements.add(_copy(stored, base, "LOCALONLY0001", base.totals, msgid="X" * 30))
        info = answer["output"]["setlinfo"]
        wrong = replace(base.totals, total=info["medfee_sumamt"] + 1, cash=base.totals.cash + 1)
        wrong = replace(wrong, full_self_pay=wrong.full_self_pay + 1)
        uow.settlements.add(_copy(stored, base, info["setl_id"], wrong, msgid=answer["_msgid"]))
        uow.commit()

    report = engine.close_day(engine.day_close.today(), supervisor)

    assert not report.balanced
    kinds = {d.settlement_id: d.kind for d in report.discrepancies}
    assert kinds == {
        platform_only: Discrepancy.PLATFORM_ONLY,
        "LOCALONLY0001": Discrepancy.HOSPITAL_ONLY,
        info["setl_id"]: Discrepancy.AMOUNTS_DIFFER,
    }
    platform_row = next(d for d in report.discrepancies if d.settlement_id == platform_only)
    assert platform_row.journal_state == "本地无流水"
    with engine.uow_factory() as uow:
        start, end = day_bounds(engine.day_close.today())
        reconciliation = [e for e in uow.journal.between(start, end) if e.infno in {"9101", "3202"}]
    assert [(e.infno, e.state, e.operator_code) for e in reconciliation] == [
        ("9101", JournalState.OK, supervisor.code),
        ("3202", JournalState.OK, supervisor.code),
    ]


def test_a_lost_reconciliation_answer_is_resolved_at_once_and_the_day_close_can_be_rerun(
    engine: Engine,
    cashier: Operator,
    supervisor: Operator,
    sandbox: SandboxServer,
    sandbox_client: SandboxClient,
) -> None:
    engine.settle_visit(demo_bill("01"), cashier)
    elsewhere = Visit(sandbox_client, person(sandbox, "马秀兰"))
    elsewhere.open([("H11010500001XY0022", "38.50", "1")])
    elsewhere.settle()  # the platform has one settlement we do not: 3202 is needed
    sandbox.set_faults([{"infno": "3202", "kind": "drop_after", "nth": [1]}])

    with pytest.raises(OutcomeUnknown):
        engine.close_day(engine.day_close.today(), supervisor)

    with engine.uow_factory() as uow:
        assert list(uow.journal.unresolved()) == []
        start, end = day_bounds(engine.day_close.today())
        lost = [e for e in uow.journal.between(start, end) if e.infno == "3202"]
    assert [e.state for e in lost] == [JournalState.FAILED]
    report = engine.close_day(engine.day_close.today(), supervisor)
    assert [d.kind for d in report.discrepancies] == [Discrepancy.PLATFORM_ONLY]


def _copy(
    stored: StoredSettlement,
    base: SettlementRecord,
    settlement_id: str,
    totals: SettlementTotals,
    *,
    msgid: str,
) -> StoredSettlement:
    return replace(
        stored,
        record=replace(base, settlement_id=settlement_id, msgid=msgid, totals=totals),
        bill_id=stored.bill_id,
    )


def test_day_close_is_refused_while_the_journal_has_unresolved_rows(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "http_error_before", "probability": 1.0},
        ]
    )
    engine.settle_visit(demo_bill("01"), cashier)

    with pytest.raises(RecoveryPending):
        engine.close_day(engine.day_close.today(), supervisor)
    with pytest.raises(PermissionDenied):
        engine.close_day(engine.day_close.today(), cashier)
