"""The outbox's records, read straight from the driver, are the records the mapped types give (issue 13:
the sync thread's read of a visit's records made cheaper, not different).

The reference is the typed read the outbox used before: each replicated table's mapped columns
selected with SQLAlchemy (money as Decimal, times as aware datetimes, personal data decrypted, enums
as members), then made plain (:func:`~app.store.replica_outbox._plain`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill, fresh_visit
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from app.domain.money import from_fen
from app.domain.operator import Operator
from app.services.cancel import SupervisorApproval
from app.services.engine import Engine
from app.store import replica_outbox
from app.store.replica_outbox import KINDS, _plain
from app.store.types import MoneyType, UTCDateTime, format_utc, parse_utc


def _typed_records(engine: Engine, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The reference: the mapped columns read with their types, then made plain."""
    spec = KINDS[kind]
    typed: list[Any] = [int(k) for k in keys] if spec.key in ("id", "seq") else keys

    def read(model: Any, on: str, connection: Any) -> list[dict[str, Any]]:
        attributes = inspect(model).column_attrs
        query = select(*(a.columns[0] for a in attributes)).where(getattr(model, on).in_(typed))
        names = [a.key for a in attributes]
        return [
            {name: _plain(value) for name, value in zip(names, row, strict=True)}
            for row in connection.execute(query.order_by(model.__table__.c[on], text("rowid")))
        ]

    with engine.uow_factory() as uow:
        connection = uow.replica._connection()  # type: ignore[attr-defined]
        records = {str(r[spec.key]): r for r in read(spec.model, spec.key, connection)}
        for record in records.values():
            for child, _ in spec.children:
                record[child.__tablename__] = []
        for child, link in spec.children:
            for row in read(child, link, connection):
                records[str(row[link])][child.__tablename__].append(row)
    return records


def test_every_kind_of_record_is_the_typed_record(
    engine: Engine, cashier: Operator, supervisor: Operator
) -> None:
    with engine.uow_factory() as uow:
        uow.replica.enable()
        uow.commit()
    bills = [engine.settle_visit(fresh_visit(demo_bill(p)), cashier) for p in ("01", "02", "05")]
    for bill in bills[:2]:
        engine.print_receipts(bill.bill_id, cashier)
    settled = bills[0].groups[0].settlement_id
    assert settled
    engine.copy_receipt(settled, cashier)
    engine.cancel(settled, cashier, SupervisorApproval(supervisor.code, SUPERVISOR_PASSWORD))

    with engine.uow_factory() as uow:
        items = uow.replica.pending(10_000)

    kinds = {item.kind for item in items}
    assert {"bill", "settlement", "receipt", "journal", "audit"} <= kinds
    by_kind: dict[str, list[str]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item.natural_key)
    expected = {kind: _typed_records(engine, kind, keys) for kind, keys in by_kind.items()}
    for item in items:
        assert item.record == expected[item.kind][item.natural_key], (item.kind, item.natural_key)
        # Byte for byte as the hospital record encrypts it.
        assert replica_outbox.payload_json(item.record) == replica_outbox.payload_json(
            expected[item.kind][item.natural_key]
        )
    copies = [i.record for i in items if i.kind == "receipt" and i.record]
    assert any(record["receipt_copies"] for record in copies), "a receipt with its copy"


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - made aware below
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    ),
    st.booleans(),
)
def test_a_stored_time_reads_as_the_typed_time(moment: datetime, whole_second: bool) -> None:
    if whole_second:
        moment = moment.replace(microsecond=0)  # isoformat leaves the fraction out
    stored = format_utc(moment.replace(tzinfo=UTC))
    convert = replica_outbox._converter(UTCDateTime(), _sqlite_dialect())
    assert convert is not None
    assert convert(stored) == parse_utc(stored).isoformat()
    assert convert(None) is None


def _sqlite_dialect() -> Any:
    from sqlalchemy.dialects import sqlite  # noqa: PLC0415

    return sqlite.dialect()


@given(st.one_of(st.integers(-(10**26), 10**26), st.integers(-1000, 1000)))
def test_stored_money_reads_as_the_typed_amount(fen: int) -> None:
    convert = replica_outbox._converter(MoneyType(), _sqlite_dialect())
    assert convert is not None
    assert convert(fen) == str(from_fen(fen))
    assert convert(None) is None
