"""Many rows in one INSERT straight to the driver (app.store.bulk): the same stored values as
SQLAlchemy's own insert through the column types, the same refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import pytest
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError

from app.store import SqlUnitOfWorkFactory, Store
from app.store.bulk import BulkInsert
from app.store.models import ChargeClaimRow, SettlementLineRow

from .builders import T0, settlement

CLAIMS = cast(Table, ChargeClaimRow.__table__)
LINES = cast(Table, SettlementLineRow.__table__)
LINE_COLUMNS = (
    "settlement_id", "position", "line_no", "amount", "full_self_pay", "over_limit",
    "first_self_pay", "in_scope", "self_pay_ratio", "item_class", "restricted", "note",
)  # fmt: skip


def _raw(store: Store, table: str, settlement_id: str) -> list[tuple[object, ...]]:
    with store.driver_connection() as raw:
        return raw.execute(
            f"SELECT {', '.join(LINE_COLUMNS[1:])} FROM {table} "  # noqa: S608
            "WHERE settlement_id = ? ORDER BY position",
            (settlement_id,),
        ).fetchall()


def test_rows_are_stored_exactly_as_sqlalchemy_stores_them(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    money = (Decimal("12.30"), Decimal("1.05"), Decimal("0.00"), Decimal("0.01"), Decimal("11.24"))
    rows = [
        ("S1", 0, "L1", *money, Decimal("0.1"), "甲", True, "说明"),
        ("S1", 1, "L2", *reversed(money), Decimal("0"), "乙", False, ""),
    ]
    with uow_factory() as uow:
        uow.settlements.add(settlement("S1"))
        uow.settlements.add(settlement("S2"))
        connection = uow._session.connection()
        connection.execute(LINES.delete().where(LINES.c.settlement_id.in_(["S1", "S2"])))
        BulkInsert(LINES, LINE_COLUMNS).execute(connection, rows)
        connection.execute(
            insert(LINES),
            [dict(zip(LINE_COLUMNS, ("S2", *row[1:]), strict=True)) for row in rows],
        )
        uow.commit()

    assert _raw(store, "settlement_lines", "S1") == _raw(store, "settlement_lines", "S2")
    assert _raw(store, "settlement_lines", "S1")[0] == (
        0, "L1", 1230, 105, 0, 1, 1124, "0.1", "甲", 1, "说明"
    )  # fmt: skip


def test_a_float_is_refused_and_a_second_live_claim_fails_at_the_unique_index(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow, pytest.raises(TypeError):
        BulkInsert(LINES, LINE_COLUMNS).execute(
            uow._session.connection(),
            [("S1", 0, "L1", 12.3, *[Decimal("0")] * 5, "甲", False, "")],
        )
    claims = BulkInsert(CLAIMS, ("charge_key", "bill_id", "line_no", "claimed_at"))
    with uow_factory() as uow, pytest.raises(IntegrityError):
        claims.execute(
            uow._session.connection(),
            [("K1", "B1", "1", T0), ("K1", "B2", "1", T0)],
        )
