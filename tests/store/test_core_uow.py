"""The one unit of work (``app.store.uow``) is Core first: the settlement path's repositories open no
ORM session, and the repositories still written for the ORM (catalogue, receipts, day closes …)
share its one connection and transaction when they are used."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from app.domain.bill import Tag
from app.domain.his import ChargeResult, HisAck, HisChargeLine, LineMoney, ResultKind, result_key
from app.domain.operator import Role
from app.domain.plan import GroupKind
from app.domain.visit import BillStatus, GroupSettlement, GroupState
from app.errors import StoreError
from app.services.ports.store import DayCloseResult
from app.store import SqlUnitOfWorkFactory, Store
from app.store.uow import SqlUnitOfWork

from .builders import T0, bill, settlement
from .test_operators import PASSWORD


def _closed(day: int, total: str) -> DayCloseResult:
    return DayCloseResult(date(2026, 11, day), T0, "C001", True, "ok", {"total": Decimal(total)})  # noqa: FBT003


def _his_line(charge_id: str) -> HisChargeLine:
    return HisChargeLine(
        charge_id=charge_id,
        bill_no="CF1",
        item_code="H001",
        national_code="X001",
        name="注射用顺铂",
        unit_price=Decimal("38.50"),
        quantity=Decimal(2),
        amount=Decimal("77.00"),
        version="1",
        tag=Tag.disease("M00500"),
    )


def _result(charge_id: str) -> ChargeResult:
    return ChargeResult(
        key=result_key("S1", charge_id, ResultKind.SETTLED),
        kind=ResultKind.SETTLED,
        charge_id=charge_id,
        visit_no="MZ1",
        setl_id="S1",
        fee_category="general",
        fee_category_name="普通门诊",
        money=LineMoney(Decimal("77.00"), Decimal("50.00"), Decimal("0.00"), Decimal("27.00")),
        occurred_at=T0,
        operator_code="C001",
        window="W01",
    )


def test_the_settlement_paths_repositories_open_no_orm_session(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    group = GroupSettlement(
        "B1", "M03900", GroupState.PLANNED, GroupKind.CHRONIC, "M03900", ("1", "2")
    )
    with uow_factory() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        uow.bills.save(bill())
        uow.bills.save_group(group)
        uow.bills.save_group(replace(group, state=GroupState.SETTLED))
        uow.bills.set_status("B1", BillStatus.SETTLED)
        uow.settlements.add(settlement("S1"))
        uow.settlements.mark_cancelled("S1", "S2")
        uow.claims.add_many("B1", {"K1": "1", "K2": "2"}, T0)
        assert uow.claims.release("B1", ["2"], T0, "test") == 1
        uow.his.note_loaded("MZ1", [_his_line("MZ1-1")], T0)
        uow.his.mark_paid("MZ1-1", "S1")
        assert uow.his.enqueue(_result("MZ1-1"), T0)
        assert not uow.his.enqueue(_result("MZ1-1"), T0)
        uow.commit()
        assert uow._core.orm is None
    with uow_factory() as uow:
        found = uow.bills.get("B1")
        assert found is not None
        assert found.status is BillStatus.SETTLED
        assert [g.state for g in uow.bills.groups("B1")] == [GroupState.SETTLED]
        assert uow.bills.group_states("B1") == [GroupState.SETTLED]
        stored = uow.settlements.get("S1")
        assert stored == replace(settlement("S1"), cancelled_by="S2")
        assert uow.settlements.for_bill("B1") == [stored]
        assert uow.settlements.between(T0, T0 + timedelta(seconds=1)) == [stored]
        assert set(uow.claims.live(["K1", "K2"])) == {"K1"}
        assert uow.his.loaded(["MZ1-1"])["MZ1-1"].paid_setl_id == "S1"
        [item] = uow.his.due(T0, 10)
        uow.his.record_failure(item.seq, "timeout", T0, refused=True)
        assert uow.his.pending_count() == 1
        assert uow.his.retry_now(T0, refused_too=True) == 1
        uow.his.record_delivery(item.seq, HisAck(item.result.key, "R1"), T0)
        [delivered] = uow.his.items("MZ1-1")
        assert (delivered.attempts, delivered.his_ref, delivered.last_error) == (2, "R1", "")
        assert uow.his.pending_count() == 0
        assert uow._core.orm is None


def test_core_and_orm_repositories_commit_together(store: Store) -> None:
    factory = store.uow_factory()
    with factory() as uow:
        uow.operators.add("C001", "张晓", Role.CASHIER, PASSWORD)  # Core
        uow.day_closes.add(  # the ORM session, made now, on the same transaction
            _closed(23, "1")
        )
        assert uow._core.orm is not None
        uow.audit.append(T0, "C001", "test", "ok")  # Core again, after the ORM write
        uow.commit()
    with factory() as uow:
        assert uow.operators.get("C001") is not None
        assert uow.day_closes.get(date(2026, 11, 23)) is not None
        assert uow.audit.verify() == []


def test_what_the_orm_holds_pending_is_flushed_before_a_core_statement(store: Store) -> None:
    from app.store.models import DayCloseRow  # noqa: PLC0415 - the ORM, as a repository uses it

    with store.uow_factory()() as uow:
        uow._orm_session().add(
            DayCloseRow(
                day=date(2026, 11, 23),
                closed_at=T0,
                operator_code="C001",
                balanced=True,
                summary="ok",
                totals_json="{}",
            )
        )
        count = select(func.count()).select_from(DayCloseRow.__table__)
        assert uow._core.connection().execute(count).scalar_one() == 1


def test_leaving_without_commit_rolls_back_core_and_orm_writes(store: Store) -> None:
    factory = store.uow_factory()
    with factory() as uow:
        uow.bills.save(bill())
        uow.day_closes.add(_closed(23, "1"))
        uow.operators.add("C001", "张晓", Role.CASHIER, PASSWORD)
    with factory() as uow:
        assert uow.operators.get("C001") is None
        assert uow.bills.get("B1") is None
        assert uow.day_closes.get(date(2026, 11, 23)) is None


def test_a_unit_of_work_goes_on_after_a_commit(store: Store) -> None:
    factory = store.uow_factory()
    with factory() as uow:
        uow.bills.save(bill())
        uow.day_closes.add(_closed(23, "1"))
        uow.commit()
        uow.operators.add("C001", "张晓", Role.CASHIER, PASSWORD)  # a new transaction
        uow.bills.save(replace(bill(), status=BillStatus.SETTLED))
        uow.day_closes.add(_closed(24, "2"))
        uow.commit()
        uow.operators.add("S001", "李主管", Role.SUPERVISOR, PASSWORD)  # not committed
    with factory() as uow:
        assert uow.operators.get("C001") is not None
        assert uow.operators.get("S001") is None
        found = uow.bills.get("B1")
        assert found is not None
        assert found.status is BillStatus.SETTLED
        assert uow.day_closes.get(date(2026, 11, 24)) is not None


def test_a_unit_of_work_that_cannot_begin_gives_its_connection_back(store: Store) -> None:
    """``BEGIN IMMEDIATE`` refused (another process holds the write lock past the busy timeout):
    the error is the store's, and the pool's only connection is not lost with it (every later unit
    of work would wait for it until the pool timeout)."""

    def locked(_connection: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    event.listen(store.engine, "begin", locked)
    try:
        with pytest.raises(StoreError) as refused, store.uow_factory()():
            pass
    finally:
        event.remove(store.engine, "begin", locked)
    assert refused.value.code == "store_locked"
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    with store.uow_factory()() as uow:
        uow.operators.add("C001", "张晓", Role.CASHIER, PASSWORD)
        uow.commit()
