"""Many rows in one INSERT straight to the driver (app.store.bulk): the same stored values as
SQLAlchemy's own insert through the column types, the same refusals."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import cast

import pytest
from sqlalchemy import Table, event, insert
from sqlalchemy.exc import IntegrityError

from app.store import SqlUnitOfWorkFactory, Store
from app.store.bulk import BulkInsert, DriverStatement, fixed_sql
from app.store.models import ChargeClaimRow, SettlementLineRow
from app.store.repositories.journal import _ENTRY_FIELDS
from app.store.tables import journal, msgid_counters

from .builders import T0, entry, settlement

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
        connection = uow._core.connection()
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


def test_rows_of_the_wrong_length_are_refused_before_anything_is_sent(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    statements: list[str] = []
    lines = BulkInsert(LINES, LINE_COLUMNS)
    good = ("S1", 0, "L1", *[Decimal("0")] * 5, Decimal("0"), "甲", False, "")
    with uow_factory() as uow:
        connection = uow._core.connection()
        event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
        for rows in ([good, good[:-1]], [good[:-1], good[:-1]], [(*good, "extra")]):
            with pytest.raises(ValueError, match=r"argument|values"):
                lines.execute(connection, rows)
        lines.execute(connection, [])
    assert statements == []


def test_a_float_is_refused_and_a_second_live_claim_fails_at_the_unique_index(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow, pytest.raises(TypeError):
        BulkInsert(LINES, LINE_COLUMNS).execute(
            uow._core.connection(),
            [("S1", 0, "L1", 12.3, *[Decimal("0")] * 5, "甲", False, "")],
        )
    claims = BulkInsert(CLAIMS, ("charge_key", "bill_id", "line_no", "claimed_at"))
    with uow_factory() as uow, pytest.raises(IntegrityError):
        claims.execute(
            uow._core.connection(),
            [("K1", "B1", "1", T0), ("K1", "B2", "1", T0)],
        )


JOURNAL_PLAIN = (
    "infno, state, bill_id, insured_admdvs, operator_code, created_at, updated_at, visit_id, "
    "batch_no, original_msgid, original_infno, settlement_id, amount, attempts, owner, writer"
)


def test_journal_rows_sent_to_the_driver_are_stored_as_sqlalchemys_insert_stores_them(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    fast = replace(entry("M-FAST"), amount=Decimal("12.34"), last_error="错误", owner="p1")
    core = replace(fast, msgid="M-CORE")
    with uow_factory() as uow:
        uow.journal.add(fast)  # DriverStatement
        row = {name: getattr(core, name) for name in _ENTRY_FIELDS}
        uow._core.connection().execute(insert(journal), row)  # SQLAlchemy's own insert
        uow.commit()

    with store.driver_connection() as raw:
        stored = [
            raw.execute(f"SELECT {JOURNAL_PLAIN} FROM journal WHERE msgid = ?", (m,)).fetchone()  # noqa: S608
            for m in ("M-FAST", "M-CORE")
        ]
    assert stored[0] == stored[1]
    assert stored[0][1] == "PREPARED"
    assert stored[0][12] == 1234
    with uow_factory() as uow:  # the encrypted columns decrypt to the same text
        assert uow.journal.get("M-FAST") == fast
        assert uow.journal.get("M-CORE") == core


def test_a_driver_statement_is_seen_by_the_engines_listeners_and_fails_as_sqlalchemy_does(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    seen: list[tuple[str, bool]] = []

    def note(*args: object) -> None:
        seen.append((str(args[2]).split(" (")[0], bool(args[5])))

    columns = ("institution_code", "last_second", "last_seq")
    statement = DriverStatement.upsert(msgid_counters, columns, ("institution_code",))
    event.listen(store.engine, "before_cursor_execute", note)
    try:
        with uow_factory() as uow:
            connection = uow._core.connection()
            statement.execute(connection, ("A" * 12, "20261207200000", 1))
            statement.executemany(
                connection, [("A" * 12, "20261207200001", 2), ("B" * 12, "20261207200000", 3)]
            )
            rows = fixed_sql("SELECT institution_code, last_seq FROM msgid_counters").all(
                connection
            )
            uow.commit()
    finally:
        event.remove(store.engine, "before_cursor_execute", note)

    assert sorted(rows) == [("A" * 12, 2), ("B" * 12, 3)]  # the upsert replaced A's counter
    assert seen[-3:] == [
        ("INSERT INTO msgid_counters", False),
        ("INSERT INTO msgid_counters", True),
        ("SELECT institution_code, last_seq FROM msgid_counters", False),
    ]
    claims = DriverStatement.insert(CLAIMS, ("charge_key", "bill_id", "line_no", "claimed_at"))
    with uow_factory() as uow, pytest.raises(IntegrityError):
        claims.execute(uow._core.connection(), ("K9", None, "1", T0))  # bill_id NOT NULL
