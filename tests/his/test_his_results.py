"""HIS results through the outbox, against the reference HIS over loopback HTTP and a real SQLite store.

Identify → unpaid visits from the HIS → settle → the HIS shows the lines paid → cancel → unpaid again;
changes in the HIS after loading stop 2207; a line paid here is not offered or settled again.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD

from app.domain.bill import FeeLine
from app.domain.his import ChargeStatus, ResultKind
from app.domain.operator import Operator
from app.domain.visit import GroupState
from app.errors import ChargeAlreadySettled, InputError
from app.sandbox import SandboxServer
from app.sandbox.his import ReferenceHis
from app.services.bill_import import ImportedVisit
from app.services.cancel import SupervisorApproval
from app.services.engine import Engine
from app.services.ports.his import OutboxState

QINGHAI_ID = "630120197003151227"  # 马秀兰, demo bill 01 (M00500, 179.63)


def _load(engine: Engine, id_number: str = QINGHAI_ID) -> ImportedVisit:
    assert engine.his is not None
    visits = engine.his.unpaid_for_person(id_number)
    assert visits, "the reference HIS has an unpaid visit for every demo person"
    return engine.his.load(visits)


def _deliver(engine: Engine) -> int:
    assert engine.his_outbox is not None
    engine.his_outbox.deliver_due()
    return engine.his_outbox.pending_count()


def test_settled_lines_are_reported_once_and_the_his_shows_them_paid(
    his_engine: Engine, his_operators: tuple[Operator, Operator], reference_his: ReferenceHis
) -> None:
    cashier, _ = his_operators
    visit = _load(his_engine)
    bill = his_engine.settle_visit(visit, cashier)

    (group,) = bill.groups
    assert group.state is GroupState.SETTLED
    assert _deliver(his_engine) == 0
    for line in visit.lines:
        assert reference_his.status(line.line_no) is ChargeStatus.PAID
        (applied,) = reference_his.applied(line.line_no)
        assert applied.result.kind is ResultKind.SETTLED
        assert applied.result.setl_id == group.settlement_id
        assert applied.result.fee_category == "chronic"
    results = [a.result.money for a in reference_his.applied()]
    assert sum((m.amount for m in results), Decimal(0)) == Decimal("179.63")
    assert sum((m.fund for m in results), Decimal(0)) == Decimal("129.63")
    assert sum((m.cash for m in results), Decimal(0)) == Decimal("50.00")
    # a second pass delivers nothing again
    assert _deliver(his_engine) == 0
    assert len(reference_his.applied()) == len(visit.lines)


def test_a_cancellation_is_reported_after_the_settlement_and_makes_the_lines_payable(
    his_engine: Engine, his_operators: tuple[Operator, Operator], reference_his: ReferenceHis
) -> None:
    cashier, supervisor = his_operators
    visit = _load(his_engine)
    bill = his_engine.settle_visit(visit, cashier)
    setl_id = bill.groups[0].settlement_id
    his_engine.cancel(setl_id, cashier, SupervisorApproval(supervisor.code, SUPERVISOR_PASSWORD))

    assert _deliver(his_engine) == 0
    first = visit.lines[0].line_no
    kinds = [a.result.kind for a in reference_his.applied(first)]
    assert kinds == [ResultKind.SETTLED, ResultKind.CANCELLED]
    assert reference_his.status(first) is ChargeStatus.UNPAID
    assert his_engine.his is not None
    assert his_engine.his.unpaid_for_person(QINGHAI_ID), "payable again after the cancellation"


def test_results_wait_in_the_outbox_while_the_his_is_down_then_arrive_in_order(
    his_engine: Engine, his_operators: tuple[Operator, Operator], reference_his: ReferenceHis
) -> None:
    cashier, supervisor = his_operators
    visit = _load(his_engine)
    bill = his_engine.settle_visit(visit, cashier)
    reference_his.faults.set(down=True)
    his_engine.cancel(
        bill.groups[0].settlement_id,
        cashier,
        SupervisorApproval(supervisor.code, SUPERVISOR_PASSWORD),
    )
    assert _deliver(his_engine) == 2 * len(visit.lines)

    reference_his.faults.set()
    assert his_engine.his_outbox is not None
    his_engine.his_outbox.retry_now()  # skip the back-off wait
    assert _deliver(his_engine) == 0
    for line in visit.lines:
        kinds = [a.result.kind for a in reference_his.applied(line.line_no)]
        assert kinds == [ResultKind.SETTLED, ResultKind.CANCELLED]


def test_a_lost_answer_is_retried_with_the_same_key_and_applied_once(
    his_engine: Engine, his_operators: tuple[Operator, Operator], reference_his: ReferenceHis
) -> None:
    cashier, _ = his_operators
    visit = _load(his_engine)
    his_engine.settle_visit(visit, cashier)
    reference_his.faults.set(lose=1)

    assert _deliver(his_engine) == len(visit.lines)  # first answer lost: the pass stops there
    assert his_engine.his_outbox is not None
    his_engine.his_outbox.retry_now()
    assert _deliver(his_engine) == 0
    assert len(reference_his.applied()) == len(visit.lines)
    with his_engine.uow_factory() as uow:
        items = list(uow.his.items())
    assert all(item.state is OutboxState.DELIVERED for item in items)
    assert items[0].attempts == 2


@pytest.mark.parametrize("change", ["price", "quantity", "withdrawn", "paid_elsewhere"])
def test_a_charge_changed_in_the_his_after_loading_stops_2207(
    his_engine: Engine,
    his_operators: tuple[Operator, Operator],
    reference_his: ReferenceHis,
    sandbox: SandboxServer,
    change: str,
) -> None:
    cashier, _ = his_operators
    visit = _load(his_engine)
    charge = visit.lines[1].line_no
    if change == "price":
        reference_his.edit_line(charge, unit_price=Decimal("3.10"))
    elif change == "quantity":
        reference_his.edit_line(charge, quantity=Decimal(3))
    elif change == "withdrawn":
        reference_his.withdraw(charge)
    else:
        reference_his.pay_elsewhere(charge)

    with pytest.raises(InputError) as caught:
        his_engine.settle_visit(visit, cashier)

    assert caught.value.code == "his_changed"
    assert charge in caught.value.detail["charges"]
    assert sandbox.request_count("2207") == 0


def test_a_charge_paid_here_is_neither_offered_nor_settled_again(
    his_engine: Engine, his_operators: tuple[Operator, Operator], reference_his: ReferenceHis
) -> None:
    cashier, _ = his_operators
    visit = _load(his_engine)
    his_engine.settle_visit(
        visit, cashier
    )  # the outbox has not delivered yet: the HIS still shows it unpaid
    assert his_engine.his is not None
    assert reference_his.status(visit.lines[0].line_no) is ChargeStatus.UNPAID

    assert his_engine.his.unpaid_for_person(QINGHAI_ID) == []
    with pytest.raises(ChargeAlreadySettled):
        his_engine.settle_visit(visit, cashier)  # the visit's claim (issue #11 item 1)
    # The same HIS lines under another outpatient number (picked with another visit): the HIS
    # charge ids still name them, and the re-check before 2207 refuses.
    with pytest.raises(InputError) as caught:
        his_engine.settle_visit(replace(visit, outpatient_no="MZ-OTHER"), cashier)
    assert caught.value.code == "his_paid_here"


def test_his_down_at_2207_refuses_his_lines_but_typed_lines_settle(
    his_engine: Engine, his_operators: tuple[Operator, Operator], reference_his: ReferenceHis
) -> None:
    cashier, _ = his_operators
    visit = _load(his_engine)
    reference_his.faults.set(down=True)
    with pytest.raises(InputError) as caught:
        his_engine.settle_visit(visit, cashier)
    assert caught.value.code == "his_unverified"

    line = visit.lines[0]
    typed_line = FeeLine.create(
        line_no="1",
        hospital_code=line.hospital_code,
        national_code=line.national_code,
        name=line.name,
        unit_price=line.unit_price,
        quantity=line.quantity,
        tag=line.tag,
    )
    typed = his_engine.settle_visit(
        replace(visit, outpatient_no="MZTYPED1", lines=(typed_line,)), cashier
    )
    assert typed.groups[0].state is GroupState.SETTLED


def test_a_partial_refund_cancels_every_line_then_reports_the_kept_ones_resettled(
    his_engine: Engine, his_operators: tuple[Operator, Operator], reference_his: ReferenceHis
) -> None:
    cashier, supervisor = his_operators
    visit = _load(his_engine)
    bill = his_engine.settle_visit(visit, cashier)
    original = bill.groups[0].settlement_id
    returned = visit.lines[-1].line_no
    refund = his_engine.partial_refund(
        original, [returned], cashier, SupervisorApproval(supervisor.code, SUPERVISOR_PASSWORD)
    )
    assert refund.resettled is not None
    resettled = refund.resettled.groups[0].settlement_id

    assert _deliver(his_engine) == 0
    assert [a.result.kind for a in reference_his.applied(returned)] == [
        ResultKind.SETTLED,
        ResultKind.CANCELLED,
    ]
    assert reference_his.status(returned) is ChargeStatus.UNPAID
    kept = visit.lines[0].line_no
    history = [a.result for a in reference_his.applied(kept)]
    assert [r.kind for r in history] == [
        ResultKind.SETTLED,
        ResultKind.CANCELLED,
        ResultKind.PARTLY_REFUNDED,
    ]
    assert (history[-1].setl_id, history[-1].orig_setl_id) == (resettled, original)
    assert reference_his.status(kept) is ChargeStatus.PAID
