"""Unknown outcomes: reversal (2601), clean-up (2202/2205), back-off, escalation and locks (R4)."""

from __future__ import annotations

import pytest
from helpers.engine_fixtures import demo_bill

from app.domain.journal import JournalState
from app.domain.operator import Operator
from app.domain.visit import GroupState
from app.errors import BillLocked, PermissionDenied, RecoveryPending
from app.sandbox import SandboxServer
from app.services.engine import Engine


def _journal(engine: Engine, bill_id: str, infno: str) -> list[JournalState]:
    with engine.uow_factory() as uow:
        return [e.state for e in uow.journal.for_bill(bill_id) if e.infno == infno]


def test_lost_2207_answer_is_reversed_and_the_group_left_unsettled(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults([{"infno": "2207", "kind": "drop_after", "nth": [1]}])

    bill = engine.settle_visit(demo_bill("01"), cashier)

    group = bill.groups[0]
    assert group.state is GroupState.FAILED
    assert "冲正" in group.failure
    assert _journal(engine, bill.bill_id, "2207") == [JournalState.REVERSED]
    ledger = sandbox.ledger()
    settled = [r for r in ledger if r["infno"] == "2207"]
    assert [r["status"] for r in settled] == ["reversed"]
    assert engine.journal() == ()
    # Unlocked: settling again works and charges once.
    again = engine.settle(bill.bill_id, cashier)
    assert again.groups[0].state is GroupState.SETTLED
    assert len([r for r in sandbox.ledger() if r.get("status") == "settled"]) == 1


def test_2207_that_never_arrived_is_void(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults([{"infno": "2207", "kind": "drop_before", "nth": [1]}])

    bill = engine.settle_visit(demo_bill("01"), cashier)

    assert bill.groups[0].state is GroupState.FAILED
    assert _journal(engine, bill.bill_id, "2207") == [JournalState.VOID]
    assert not [r for r in sandbox.ledger() if r["infno"] == "2207"]


def test_reversal_failing_five_times_still_converges(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "http_error_before", "times": 5},
        ]
    )
    bill = engine.settle_visit(demo_bill("01"), cashier)
    assert bill.groups[0].state is GroupState.UNKNOWN  # the immediate attempt failed
    with pytest.raises(BillLocked):
        engine.settle(bill.bill_id, cashier)
    other = engine.identify(demo_bill("02").identity, cashier)
    opened = engine.open_bill(demo_bill("02"), other, cashier)
    with pytest.raises(RecoveryPending):
        engine.settle(opened.bill_id, cashier)

    summary = engine.start()

    assert summary.reversed == 1
    assert summary.clear
    assert sandbox.request_count("2601") == 6
    assert _journal(engine, bill.bill_id, "2207") == [JournalState.REVERSED]
    assert engine.bill(bill.bill_id).groups[0].state is GroupState.FAILED
    assert engine.journal() == ()


def test_sixth_reversal_failure_escalates_and_a_supervisor_resolves_it(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "http_error_before", "probability": 1.0},
        ]
    )
    bill = engine.settle_visit(demo_bill("01"), cashier)

    summary = engine.start()

    (row,) = summary.escalated
    assert row.state is JournalState.ESCALATED
    assert row.attempts == 6
    assert row.infno == "2207"
    assert row.amount == bill.groups[0].total
    assert "*" in row.masked_person_no
    assert not summary.clear
    with pytest.raises(PermissionDenied):
        engine.resolve(row.msgid, cashier)

    sandbox.set_faults([])
    assert engine.resolve(row.msgid, supervisor) == JournalState.REVERSED
    assert engine.journal() == ()
    assert [r["status"] for r in sandbox.ledger() if r["infno"] == "2207"] == ["reversed"]


def test_unknown_fee_upload_is_cleaned_with_2205_and_2202(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults([{"infno": "2204", "kind": "drop_after", "nth": [1]}])

    bill = engine.settle_visit(demo_bill("01"), cashier)

    assert bill.groups[0].state is GroupState.FAILED
    assert _journal(engine, bill.bill_id, "2204") == [JournalState.CLEANED]
    assert sandbox.request_count("2205") >= 1
    assert sandbox.request_count("2202") >= 1
    assert sandbox.request_count("2207") == 0
    assert engine.journal() == ()


def test_connection_reset_on_registration_is_resolved_without_money(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    view = engine.identify(demo_bill("01").identity, cashier)
    bill = engine.open_bill(demo_bill("01"), view, cashier)
    sandbox.set_faults([{"infno": "*", "kind": "refuse", "probability": 1.0}])

    result = engine.settle(bill.bill_id, cashier)

    assert result.groups[0].state is GroupState.FAILED
    # A reset after connect may have carried the request: unknown, and with no visit id to cancel
    # the registration (which moves no money) is marked cleaned for the day's reconciliation.
    assert _journal(engine, bill.bill_id, "2201") == [JournalState.CLEANED]
    assert sandbox.request_count("2207") == 0
    assert engine.journal() == ()
