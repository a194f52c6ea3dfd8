"""Bills, groups, settlements, receipts, the person cache and day closes round-trip exactly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from app.domain.bill import Tag
from app.domain.plan import GroupKind
from app.domain.settlement import SettlementTotals
from app.domain.visit import BillStatus, GroupSettlement, GroupState
from app.services.ports.store import DayCloseResult, ReceiptIssue, StoredSettlement
from app.store import SqlUnitOfWorkFactory, Store
from app.store.repositories.bills import SqlBillRepository

from .builders import T0, bill, person, settlement, totals


def test_a_bill_round_trips_with_lines_tags_and_credential(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    original = bill()
    with uow_factory() as uow:
        uow.bills.save(original)
        uow.commit()
    with uow_factory() as uow:
        assert uow.bills.get("B1") == original
        assert uow.bills.get("NOPE") is None


def test_saving_a_bill_again_replaces_its_lines_and_status_changes(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    original = bill()
    edited = replace(
        original,
        lines=(original.lines[0].with_tag(Tag.general()), original.lines[2].with_quantity("3")),
    )
    with uow_factory() as uow:
        uow.bills.save(original)
        uow.bills.save(edited)
        uow.bills.set_status("B1", BillStatus.PARTLY_SETTLED)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.bills.get("B1")
    assert stored == replace(edited, status=BillStatus.PARTLY_SETTLED)
    assert stored is not None
    assert stored.lines[1].amount == Decimal("24.00")


def test_a_bill_read_and_saved_again_in_one_unit_of_work_reads_back_as_saved(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    original = bill()
    with uow_factory() as uow:
        uow.bills.save(original)
        uow.commit()
    store.bill_cache.forget("B1")  # so that the next read loads the row into the session
    edited = replace(original, dept_name="内分泌科", status=BillStatus.PARTLY_SETTLED)
    with uow_factory() as uow:
        assert uow.bills.get("B1") == original
        uow.bills.save(edited)
        store.bill_cache.forget("B1")
        assert SqlBillRepository(uow._core, store.cipher).get("B1") == edited
        uow.commit()
    with uow_factory() as uow:
        assert uow.bills.get("B1") == edited


def test_groups_round_trip_with_preview_and_record(uow_factory: SqlUnitOfWorkFactory) -> None:
    record = settlement().record
    planned = GroupSettlement(
        "B1", "M03900", GroupState.PLANNED, GroupKind.CHRONIC, "M03900", ("1", "2")
    )
    previewed = replace(
        planned, state=GroupState.PREVIEWED, visit_id="V1", batch_no="BN1", preview=totals()
    )
    settled = replace(
        previewed, state=GroupState.SETTLED, record=record, preview_differences=("cash",)
    )
    self_pay = GroupSettlement(
        "B1", "self_pay", GroupState.SELF_PAY_COLLECTED, GroupKind.SELF_PAY, None, ("3",),
        self_pay_reason="丙类项目全额自费",
    )  # fmt: skip
    with uow_factory() as uow:
        uow.bills.save(bill())
        uow.bills.save_group(planned)
        uow.bills.save_group(self_pay)
        uow.bills.save_group(previewed)
        uow.commit()
    with uow_factory() as uow:
        assert uow.bills.groups("B1") == [previewed, self_pay]
        uow.bills.save_group(settled)
        uow.commit()
    with uow_factory() as uow:
        assert uow.bills.groups("B1") == [settled, self_pay]
        assert uow.bills.group_states("B1") == [GroupState.SETTLED, GroupState.SELF_PAY_COLLECTED]
        assert uow.bills.groups("B2") == []
        assert uow.bills.group_states("B2") == []


def test_settlements_and_cancellations(uow_factory: SqlUnitOfWorkFactory) -> None:
    original = settlement("S1")
    negated = original.record.totals.negated()
    cancellation = StoredSettlement(
        record=replace(original.record, settlement_id="S2", totals=negated, splits=(),
                       settled_at=T0 + timedelta(hours=1)),
        bill_id="B1", group_key="M03900", operator_code="S001", window="W01",
        is_cancellation=True, original_settlement_id="S1",
    )  # fmt: skip
    self_pay_totals = SettlementTotals(
        total=Decimal("8.00"), full_self_pay=Decimal("8.00"), over_limit=Decimal("0.00"),
        first_self_pay=Decimal("0.00"), in_scope=Decimal("0.00"), deductible=Decimal("0.00"),
        fund=Decimal("0.00"), account=Decimal("0.00"), cash=Decimal("8.00"),
    )  # fmt: skip
    self_pay = StoredSettlement(
        record=replace(original.record, settlement_id="ZF1", med_type="", disease_code=None,
                       totals=self_pay_totals, splits=(), settled_at=T0 + timedelta(minutes=5)),
        bill_id="B1", group_key="self_pay", operator_code="C001", window="W01",
    )  # fmt: skip
    with uow_factory() as uow:
        uow.settlements.add(original)
        uow.settlements.add(self_pay)
        uow.settlements.add(cancellation)
        uow.settlements.mark_cancelled("S1", "S2")
        uow.commit()
    with uow_factory() as uow:
        assert uow.settlements.get("S1") == replace(original, cancelled_by="S2")
        assert uow.settlements.get("ZF1") == self_pay
        assert uow.settlements.get("S2") == cancellation
        assert [s.record.settlement_id for s in uow.settlements.for_bill("B1")] == [
            "S1",
            "ZF1",
            "S2",
        ]
        window = uow.settlements.between(T0 + timedelta(minutes=1), T0 + timedelta(hours=1))
        assert [s.record.settlement_id for s in window] == ["ZF1"]
    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.settlements.add(original)


def test_receipt_numbers_are_never_reused_even_after_a_restart(
    store: Store, reopen_store: Callable[[], Store]
) -> None:
    day = date(2026, 11, 23)
    with store.uow_factory()() as uow:
        first = uow.receipts.next_receipt_no(day)
        second = uow.receipts.next_receipt_no(day)
        uow.receipts.issue(ReceiptIssue(first, "S1", "B1", "M03900", T0, "C001", "original"))
        uow.commit()
    store.close()
    with reopen_store().uow_factory()() as uow:
        third = uow.receipts.next_receipt_no(day)
        other_day = uow.receipts.next_receipt_no(day + timedelta(days=1))
    assert (first, second, third) == ("2026112300001", "2026112300002", "2026112300003")
    assert other_day == "2026112400001"


def test_receipt_copies_and_reissues(uow_factory: SqlUnitOfWorkFactory) -> None:
    day = date(2026, 11, 23)
    with uow_factory() as uow:
        number = uow.receipts.next_receipt_no(day)
        uow.receipts.issue(ReceiptIssue(number, "S1", "B1", "M03900", T0, "C001", "original"))
        assert uow.receipts.record_copy(number, T0 + timedelta(minutes=1), "C001") == 1
        assert uow.receipts.record_copy(number, T0 + timedelta(minutes=2), "C001") == 2
        new = uow.receipts.next_receipt_no(day)
        uow.receipts.issue(
            ReceiptIssue(new, "S1", "B1", "M03900", T0 + timedelta(minutes=3), "S001", "reissue",
                         replaces=number)
        )  # fmt: skip
        uow.receipts.void(number, new)
        uow.commit()
    with uow_factory() as uow:
        old = uow.receipts.get(number)
        assert old is not None
        assert (old.copies, old.voided_by, old.group_key) == (2, new, "M03900")
        assert [r.receipt_no for r in uow.receipts.for_settlement("S1")] == [number, new]
        with pytest.raises(ValueError, match="already replaced"):
            uow.receipts.void(number, "other")


def test_person_cache_finds_by_any_key_and_purges_by_age(uow_factory: SqlUnitOfWorkFactory) -> None:
    fresh = person()
    old = replace(person(name="王五"), person_no="63000000000000000002")
    with uow_factory() as uow:
        uow.persons.put(fresh, T0, ["630102198001010011", "X00000019"])
        uow.persons.put(old, T0 - timedelta(days=10), ["ecTokenOLD"])
        uow.commit()
    with uow_factory() as uow:
        by_card = uow.persons.find("X00000019")
        assert by_card is not None
        assert by_card.person == fresh
        assert by_card.fetched_at == T0
        assert uow.persons.get("63000000000000000002") is not None
        assert uow.persons.find("unknown") is None
        assert uow.persons.purge_older_than(T0 - timedelta(days=7)) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.persons.find("ecTokenOLD") is None
        assert uow.persons.get("63000000000000000002") is None
        assert uow.persons.find("630102198001010011") is not None


def test_person_cache_replaces_on_refetch(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.persons.put(person(), T0, ["630102198001010011"])
        uow.persons.put(person(diagnosis="糖尿病"), T0 + timedelta(hours=1), ["ecTokenNEW"])
        uow.commit()
    with uow_factory() as uow:
        cached = uow.persons.find("630102198001010011")
    assert cached is not None
    assert cached.fetched_at == T0 + timedelta(hours=1)
    assert cached.person.qualifications[0].name == "糖尿病"


def test_day_close_keeps_the_latest_result(uow_factory: SqlUnitOfWorkFactory) -> None:
    day = date(2026, 11, 23)
    first = DayCloseResult(
        day=day,
        closed_at=T0,
        operator_code="S001",
        balanced=False,
        summary="不平：本地多 1 笔",
        totals={"fund": Decimal("129.63")},
    )
    second = replace(
        first,
        closed_at=T0 + timedelta(hours=1),
        balanced=True,
        summary="平",
        totals={"fund": Decimal("0.00"), "cash": Decimal("-5.10")},
    )
    with uow_factory() as uow:
        uow.day_closes.add(first)
        uow.day_closes.add(second)
        uow.commit()
    with uow_factory() as uow:
        assert uow.day_closes.get(day) == second
        assert uow.day_closes.get(day + timedelta(days=1)) is None
