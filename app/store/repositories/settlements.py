"""Confirmed settlements, cancellations and self-pay collections with split lines and fund rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, Table, bindparam, select
from sqlalchemy.engine import Connection

from app.domain.settlement import FundPayment, LineSplit, SettlementRecord, SettlementTotals
from app.services.ports.store import StoredSettlement
from app.store.bulk import BulkInsert, DriverStatement, fixed_sql
from app.store.models import SettlementFundRow, SettlementLineRow, SettlementRow
from app.store.tables import Connected


class UnknownSettlement(LookupError):
    """A bug: a change was asked for a settlement the store does not have."""


class SqlSettlementRepository:
    """:class:`~app.services.ports.store.SettlementRepository` (Core statements only)."""

    def __init__(self, session: Connected) -> None:
        """Work inside ``session`` (the unit of work's transaction)."""
        self._session = session

    def add(self, settlement: StoredSettlement) -> None:
        """Store a settlement (a second add of the same ``setl_id`` raises IntegrityError)."""
        record = settlement.record
        totals = record.totals
        connection = self._session.connection()
        _INSERT_SETTLEMENT.execute(
            connection,
            (
                record.settlement_id, settlement.bill_id, settlement.group_key,
                settlement.operator_code, settlement.window, record.visit_id, record.msgid,
                record.med_type, record.disease_code, record.insurance_type, record.settled_at,
                totals.total, totals.full_self_pay, totals.over_limit, totals.first_self_pay,
                totals.in_scope, totals.deductible, totals.fund, totals.account, totals.cash,
                totals.hospital, totals.pool_ratio, totals.balance_after, record.clearing_agency,
                record.clearing_way, record.clearing_type, settlement.cancelled_by,
                settlement.is_cancellation, settlement.original_settlement_id,
            ),
        )  # fmt: skip
        # Straight to the driver through the column types (encryption included, app.store.bulk).
        _INSERT_SPLITS.execute(
            connection,
            [
                _split_values(record.settlement_id, n, split)
                for n, split in enumerate(record.splits)
            ],
        )
        _INSERT_FUNDS.execute(
            connection,
            [_fund_values(record.settlement_id, n, fund) for n, fund in enumerate(totals.funds)],
        )

    def get(self, settlement_id: str) -> StoredSettlement | None:
        """By ``setl_id``."""
        found = self._read(_SETTLEMENTS.where(_TABLE.c.settlement_id == settlement_id))
        return found[0] if found else None

    def mark_cancelled(self, settlement_id: str, cancellation_id: str) -> None:
        """Link a settlement to the cancellation that undid it."""
        if not _MARK_CANCELLED.execute(
            self._session.connection(), (cancellation_id, settlement_id)
        ):
            raise UnknownSettlement(settlement_id)

    def between(self, start: datetime, end: datetime) -> Sequence[StoredSettlement]:
        """Settlements and cancellations settled in ``[start, end)``, in time order."""
        return self._read(
            _SETTLEMENTS.where(_TABLE.c.settled_at >= start, _TABLE.c.settled_at < end).order_by(
                _TABLE.c.settled_at, _TABLE.c.settlement_id
            )
        )

    def for_bill(self, bill_id: str) -> Sequence[StoredSettlement]:
        """All of a bill's settlements, in time order."""
        return self._read(
            _SETTLEMENTS.where(_TABLE.c.bill_id == bill_id).order_by(
                _TABLE.c.settled_at, _TABLE.c.settlement_id
            )
        )

    def _read(self, query: Select[Any]) -> list[StoredSettlement]:
        connection = self._session.connection()
        return [self._stored(connection, row) for row in connection.execute(query).all()]

    def _stored(self, connection: Connection, row: Row[Any]) -> StoredSettlement:
        key = {"settlement_id": row.settlement_id}
        splits = connection.execute(_SPLITS_OF, key)
        funds = connection.execute(_FUNDS_OF, key)
        totals = SettlementTotals(
            total=row.total,
            full_self_pay=row.full_self_pay,
            over_limit=row.over_limit,
            first_self_pay=row.first_self_pay,
            in_scope=row.in_scope,
            deductible=row.deductible,
            fund=row.fund,
            account=row.account,
            cash=row.cash,
            hospital=row.hospital,
            pool_ratio=row.pool_ratio,
            funds=tuple(FundPayment(f.fund_type, f.amount, f.name) for f in funds),
            balance_after=row.balance_after,
        )
        record = SettlementRecord(
            settlement_id=row.settlement_id,
            visit_id=row.visit_id,
            msgid=row.msgid,
            med_type=row.med_type,
            disease_code=row.disease_code,
            insurance_type=row.insurance_type,
            settled_at=row.settled_at,
            totals=totals,
            splits=tuple(_split(s) for s in splits),
            clearing_agency=row.clearing_agency,
            clearing_way=row.clearing_way,
            clearing_type=row.clearing_type,
        )
        return StoredSettlement(
            record=record,
            bill_id=row.bill_id,
            group_key=row.group_key,
            operator_code=row.operator_code,
            window=row.window,
            cancelled_by=row.cancelled_by,
            is_cancellation=row.is_cancellation,
            original_settlement_id=row.original_settlement_id,
        )


_TABLE = cast(Table, SettlementRow.__table__)
_SETTLEMENTS = select(_TABLE)
_SPLITS_TABLE = cast(Table, SettlementLineRow.__table__)
_SPLITS_OF = (
    select(_SPLITS_TABLE)
    .where(_SPLITS_TABLE.c.settlement_id == bindparam("settlement_id"))
    .order_by(_SPLITS_TABLE.c.position)
)
_FUNDS_TABLE = cast(Table, SettlementFundRow.__table__)
_FUNDS_OF = (
    select(_FUNDS_TABLE)
    .where(_FUNDS_TABLE.c.settlement_id == bindparam("settlement_id"))
    .order_by(_FUNDS_TABLE.c.position)
)
_MARK_CANCELLED = fixed_sql("UPDATE settlements SET cancelled_by = ? WHERE settlement_id = ?", 2)
_SETTLEMENT_COLUMNS = (
    "settlement_id", "bill_id", "group_key", "operator_code", "window", "visit_id", "msgid",
    "med_type", "disease_code", "insurance_type", "settled_at", "total", "full_self_pay",
    "over_limit", "first_self_pay", "in_scope", "deductible", "fund", "account", "cash",
    "hospital", "pool_ratio", "balance_after", "clearing_agency", "clearing_way", "clearing_type",
    "cancelled_by", "is_cancellation", "original_settlement_id",
)  # fmt: skip
_INSERT_SETTLEMENT = DriverStatement.insert(
    cast(Table, SettlementRow.__table__), _SETTLEMENT_COLUMNS
)
_SPLIT_COLUMNS = (
    "settlement_id", "position", "line_no", "amount", "full_self_pay", "over_limit",
    "first_self_pay", "in_scope", "self_pay_ratio", "item_class", "restricted", "note",
)  # fmt: skip
_INSERT_SPLITS = BulkInsert(cast(Table, SettlementLineRow.__table__), _SPLIT_COLUMNS)
_FUND_COLUMNS = ("settlement_id", "position", "fund_type", "amount", "name")
_INSERT_FUNDS = BulkInsert(cast(Table, SettlementFundRow.__table__), _FUND_COLUMNS)


def _split_values(settlement_id: str, position: int, split: LineSplit) -> tuple[object, ...]:
    """A split line's values in :data:`_SPLIT_COLUMNS` order."""
    return (
        settlement_id, position, split.line_no, split.amount, split.full_self_pay,
        split.over_limit, split.first_self_pay, split.in_scope, split.self_pay_ratio,
        split.item_class, split.restricted, split.note,
    )  # fmt: skip


def _fund_values(settlement_id: str, position: int, fund: FundPayment) -> tuple[object, ...]:
    """A fund row's values in :data:`_FUND_COLUMNS` order."""
    return (settlement_id, position, fund.fund_type, fund.amount, fund.name)


def _split(row: Row[Any]) -> LineSplit:
    return LineSplit(
        line_no=row.line_no,
        amount=row.amount,
        full_self_pay=row.full_self_pay,
        over_limit=row.over_limit,
        first_self_pay=row.first_self_pay,
        in_scope=row.in_scope,
        self_pay_ratio=row.self_pay_ratio,
        item_class=row.item_class,
        restricted=row.restricted,
        note=row.note,
    )
