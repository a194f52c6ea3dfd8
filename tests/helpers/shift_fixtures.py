"""Shift report helpers (owned by the shift report): a day with every kind of record through the real
sandbox, and the service bound to an engine."""

from __future__ import annotations

from app.domain.operator import Operator
from app.sandbox import SandboxServer
from app.services.cancel import SupervisorApproval
from app.services.engine import Engine
from app.services.shift_report import ShiftReportService
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill

APPROVAL = SupervisorApproval("S001", SUPERVISOR_PASSWORD)


def shift_service(engine: Engine) -> ShiftReportService:
    """The shift report service on the engine's store."""
    return ShiftReportService.for_engine(engine)


def a_day_with_everything(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    """Settlements of every category, a cancellation, a partial refund, a self-pay collection and
    its refund, a reversed 2207, receipts issued, copied (补打) and reissued (重打)."""
    assert engine.receipts is not None
    for prefix in ("01", "03", "13", "04"):  # chronic, two diseases, general, self-pay
        bill = engine.settle_visit(demo_bill(prefix), cashier)
        engine.receipts.issue_for_bill(bill.bill_id, cashier)
    cancelled = engine.settle_visit(demo_bill("02"), cashier)
    engine.cancel(cancelled.groups[0].settlement_id, cashier, APPROVAL)
    visit = demo_bill("08")
    refunded = engine.settle_visit(visit, cashier)
    engine.partial_refund(
        refunded.groups[0].settlement_id, [visit.lines[-1].line_no], cashier, APPROVAL
    )
    self_paid = engine.settle_visit(demo_bill("05"), cashier)
    engine.cancel(self_paid.groups[0].settlement_id, cashier, APPROVAL)
    sandbox.set_faults([{"infno": "2207", "kind": "drop_after", "nth": [1]}])
    engine.settle_visit(demo_bill("09"), cashier)  # reversed: listed, no money moved
    sandbox.set_faults([])
    first = engine.receipts.issue_for_bill(cancelled.bill_id, cashier)[0]
    engine.receipts.copy(first.receipt_no, cashier)
    engine.receipts.reissue(first.receipt_no, cashier, supervisor)
