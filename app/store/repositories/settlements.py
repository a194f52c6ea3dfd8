"""Confirmed settlements, cancellations and self-pay collections with split lines and fund rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.domain.settlement import FundPayment, LineSplit, SettlementRecord, SettlementTotals
from app.services.ports.store import StoredSettlement
from app.store.bulk import BulkInsert, DriverStatement
from app.store.models import SettlementFundRow, SettlementLineRow, SettlementRow


class UnknownSettlement(LookupError):
    """A bug: a change was asked for a settlement the store does not have."""


class SqlSettlementRepository:
    """:class:`~app.services.ports.store.SettlementRepository`."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session``."""
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
        row = self._session.get(SettlementRow, settlement_id)
        return None if row is None else self._stored(row)

    def mark_cancelled(self, settlement_id: str, cancellation_id: str) -> None:
        """Link a settlement to the cancellation that undid it."""
        row = self._session.get(SettlementRow, settlement_id)
        if row is None:
            raise UnknownSettlement(settlement_id)
        row.cancelled_by = cancellation_id
        self._session.flush()

    def between(self, start: datetime, end: datetime) -> Sequence[StoredSettlement]:
        """Settlements and cancellations settled in ``[start, end)``, in time order."""
        rows = self._session.scalars(
            select(SettlementRow)
            .where(SettlementRow.settled_at >= start, SettlementRow.settled_at < end)
            .order_by(SettlementRow.settled_at, SettlementRow.settlement_id)
        )
        return [self._stored(row) for row in rows]

    def for_bill(self, bill_id: str) -> Sequence[StoredSettlement]:
        """All of a bill's settlements, in time order."""
        rows = self._session.scalars(
            select(SettlementRow)
            .where(SettlementRow.bill_id == bill_id)
            .order_by(SettlementRow.settled_at, SettlementRow.settlement_id)
        )
        return [self._stored(row) for row in rows]

    def _stored(self, row: SettlementRow) -> StoredSettlement:
        splits = self._session.scalars(
            select(SettlementLineRow)
            .where(SettlementLineRow.settlement_id == row.settlement_id)
            .order_by(SettlementLineRow.position)
        )
        funds = self._session.scalars(
            select(SettlementFundRow)
            .where(SettlementFundRow.settlement_id == row.settlement_id)
            .order_by(SettlementFundRow.position)
        )
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


def _split(row: SettlementLineRow) -> LineSplit:
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
