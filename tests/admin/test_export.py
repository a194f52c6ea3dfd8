"""Export of settlements and the audit log for the finance system (CSV and JSON)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import cast

import pytest
from helpers.store_fixtures import StoreTestClock
from store.builders import T0, settlement

from app.errors import InputError
from app.services.admin import SETTLEMENT_FIELDS, export_audit, export_settlements
from app.services.ports.store import StoredSettlement, UnitOfWorkFactory
from app.store import SqlUnitOfWorkFactory


@pytest.fixture
def factory(uow_factory: SqlUnitOfWorkFactory) -> UnitOfWorkFactory:
    return cast(UnitOfWorkFactory, uow_factory)


def _cancellation_of(original: StoredSettlement, settlement_id: str) -> StoredSettlement:
    record = original.record
    negated = replace(
        record.totals,
        total=-record.totals.total,
        fund=-record.totals.fund,
        cash=-record.totals.cash,
        in_scope=-record.totals.in_scope,
    )
    return replace(
        original,
        record=replace(
            record,
            settlement_id=settlement_id,
            settled_at=record.settled_at + timedelta(hours=1),
            totals=negated,
        ),
        is_cancellation=True,
        original_settlement_id=record.settlement_id,
    )


@pytest.fixture
def day_of_settlements(factory: UnitOfWorkFactory) -> list[StoredSettlement]:
    first = settlement("S100", bill_id="B1", at=T0)
    second = settlement("S200", bill_id="B2", at=T0 + timedelta(hours=2))
    cancel = _cancellation_of(first, "S101")
    next_day = settlement("S300", bill_id="B3", at=T0 + timedelta(days=1))
    with factory() as uow:
        for each in (first, second, cancel, next_day):
            uow.settlements.add(each)
        uow.commit()
    return [first, cancel, second]


def test_csv_export_of_a_day_has_every_settlement_and_cancellation(
    factory: UnitOfWorkFactory,
    store_clock: StoreTestClock,
    day_of_settlements: list[StoredSettlement],
) -> None:
    text, count = export_settlements(
        factory, store_clock, T0, T0 + timedelta(days=1), fmt="csv", operator_code="S001"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == 3
    assert tuple(rows[0]) == SETTLEMENT_FIELDS
    assert [r["settlement_id"] for r in rows] == [
        s.record.settlement_id for s in day_of_settlements
    ]
    first, cancel, _ = rows
    assert (first["total"], first["fund"], first["cash"]) == ("179.63", "129.63", "50.00")
    assert (cancel["kind"], cancel["original_settlement_id"], cancel["total"]) == (
        "cancellation",
        "S100",
        "-179.63",
    )
    # Cancellation nets the settlement to zero.
    assert sum(Decimal(r["total"]) for r in rows[:2]) == 0


def test_json_export_keeps_amounts_as_exact_decimal_strings(
    factory: UnitOfWorkFactory,
    store_clock: StoreTestClock,
    day_of_settlements: list[StoredSettlement],
) -> None:
    text, count = export_settlements(
        factory, store_clock, T0, T0 + timedelta(days=1), fmt="json", operator_code="S001"
    )
    rows = json.loads(text)
    assert count == len(rows) == 3
    assert all(isinstance(r["fund"], str) for r in rows)
    assert Decimal(rows[2]["fund"]) == day_of_settlements[2].record.totals.fund
    assert rows[0]["settled_at"] == T0.isoformat()


def test_exports_contain_no_personal_data(
    factory: UnitOfWorkFactory,
    store_clock: StoreTestClock,
    day_of_settlements: list[StoredSettlement],
) -> None:
    text, _ = export_settlements(
        factory, store_clock, T0, T0 + timedelta(days=2), fmt="json", operator_code="S001"
    )
    for field in ("name", "id_number", "certno", "psn_name"):
        assert f'"{field}"' not in text


def test_audit_export_and_the_export_itself_is_audited(
    factory: UnitOfWorkFactory, store_clock: StoreTestClock
) -> None:
    with factory() as uow:
        uow.audit.append(store_clock.now(), "C001", "login", "ok")
        uow.audit.append(store_clock.now(), "C001", "settle", "ok", "S1", bill_id="B1", msgid="M1")
        uow.commit()
    period = (store_clock.now() - timedelta(hours=1), store_clock.now() + timedelta(hours=1))
    text, count = export_audit(factory, store_clock, *period, fmt="csv", operator_code="AU01")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == 2
    assert [(r["event"], r["bill_id"], r["msgid"]) for r in rows] == [
        ("login", "", ""),
        ("settle", "B1", "M1"),
    ]
    again, _ = export_audit(factory, store_clock, *period, fmt="json", operator_code="AU01")
    events = [(r["event"], r["operator_code"]) for r in json.loads(again)]
    assert events[-1] == ("export", "AU01")


@pytest.mark.parametrize(
    ("shift", "fmt", "fragment"), [(0, "csv", "晚于"), (-1, "csv", "晚于"), (1, "xml", "格式")]
)
def test_bad_export_requests_are_refused(
    factory: UnitOfWorkFactory, store_clock: StoreTestClock, shift: int, fmt: str, fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment):
        export_settlements(
            factory, store_clock, T0, T0 + timedelta(hours=shift), fmt=fmt, operator_code="S001"
        )
