"""Full self-pay while the platform is unreachable: stored locally, no platform call, audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers.engine_fixtures import add_operators, demo_bill, make_engine, sandbox_settings

from app.domain.money import money_sum
from app.domain.operator import Operator, Role
from app.domain.receipt import FeeCategory
from app.domain.visit import BillStatus, GroupState
from app.errors import InputError, PermissionDenied
from app.sandbox import SandboxServer
from app.services.engine import Engine


def test_whole_bill_is_collected_as_self_pay_without_the_platform(tmp_path: Path) -> None:
    server = SandboxServer().start()
    engine = make_engine(sandbox_settings(server), tmp_path / "data")
    try:
        cashier, _ = add_operators(engine)
        visit = demo_bill("03")  # two diseases, identified by ID number
        engine.identify(visit.identity, cashier)  # online once: the answer is cached
        server.stop()
        before = server.request_count()
        cached = engine.identify(visit.identity, cashier)
        assert cached.from_cache

        collected = engine.collect_offline_self_pay(visit, cached, cashier)

        assert server.request_count() == before
        expected = money_sum(line.amount for line in visit.lines)
        assert collected.total == expected
        assert collected.settlement_id.startswith("ZF")
        with engine.uow_factory() as uow:
            stored = uow.settlements.get(collected.settlement_id)
            (group,) = uow.bills.groups(collected.bill_id)
            journal = list(uow.journal.for_bill(collected.bill_id))
            audit = [
                r
                for r in uow.audit.between(
                    cached.fetched_at - timedelta(days=1), engine.clock.now() + timedelta(days=1)
                )
                if r.bill_id == collected.bill_id
            ]
        assert stored is not None
        totals = stored.record.totals
        assert (totals.total, totals.cash, totals.full_self_pay) == (expected,) * 3
        assert totals.fund == totals.account == 0
        assert stored.record.med_type == ""
        assert stored.group_key == "self_pay"
        assert stored.operator_code == cashier.code
        assert group.state is GroupState.SELF_PAY_COLLECTED
        assert set(group.line_nos) == {line.line_no for line in visit.lines}
        assert engine.bill(collected.bill_id).status is BillStatus.SETTLED
        assert journal == []  # nothing was sent, so nothing to reverse
        assert [r.event for r in audit] == ["offline_self_pay"]

        assert engine.receipts is not None
        receipt = engine.receipts.issue(collected.settlement_id, cashier)
        assert receipt.data.category.category is FeeCategory.SELF_PAY
        assert "医保经办机构按规定申请报销" in receipt.data.category.notice
        assert "医保平台无法连接" in receipt.data.category.notice
    finally:
        engine.close()


def test_refused_with_live_eligibility_and_for_the_registration_desk(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    visit = demo_bill("01")
    live = engine.identify(visit.identity, cashier)
    with pytest.raises(InputError) as reachable:
        engine.collect_offline_self_pay(visit, live, cashier)
    assert reachable.value.code == "platform_reachable"
    desk = Operator("R001", "挂号员丙", Role.REGISTRATION)
    with pytest.raises(PermissionDenied):
        engine.collect_offline_self_pay(visit, live, desk)
