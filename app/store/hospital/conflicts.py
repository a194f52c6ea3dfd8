"""Offline charge-claim conflicts on PostgreSQL (:class:`~app.services.ports.claim_conflicts.ClaimConflicts`).

One row per pair of bills (``hospital_claim_conflicts``, revision h0006); what was found is written
once (a trigger refuses changes), the handling once. The two bills' settlements are read from the
hospital record's clear projection (``hospital_settlements``) with the operators' names when asked,
so the view shows a cancellation made since.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from app.services.ports.claim_conflicts import (
    ClaimConflict,
    ConflictSettlement,
    ConflictSide,
)
from app.store.hospital import schema
from app.store.hospital.connect import unreachable

conflicts_table = Table(
    "hospital_claim_conflicts",
    MetaData(),
    Column("conflict_id", BigInteger, primary_key=True),
    Column("window", String(30), nullable=False),
    Column("bill_id", String(64), nullable=False),
    Column("operator_code", String(30), nullable=False),
    Column("other_window", String(30), nullable=False),
    Column("other_bill_id", String(64), nullable=False),
    Column("outpatient_no", String(64), nullable=False),
    Column("line_nos", Text, nullable=False),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("handled_at", DateTime(timezone=True)),
    Column("handled_by", String(30), nullable=False),
    Column("handled_window", String(30), nullable=False),
    Column("handled_note", Text, nullable=False),
)
_c = conflicts_table.c


class PgClaimConflicts:
    """The hospital's charge-claim conflicts (schema upgraded to at least revision h0006)."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (its ``search_path`` names the hospital record's schema)."""
        self._engine = engine

    def record(
        self,
        *,
        window: str,
        bill_id: str,
        operator_code: str,
        outpatient_no: str,
        line_nos: Sequence[str],
        other_window: str,
        other_bill_id: str,
        at: datetime,
    ) -> bool:
        """One row per pair of bills (see the port)."""
        try:
            with self._engine.begin() as connection:
                inserted = connection.execute(
                    insert(conflicts_table)
                    .values(
                        window=window,
                        bill_id=bill_id,
                        operator_code=operator_code,
                        other_window=other_window,
                        other_bill_id=other_bill_id,
                        outpatient_no=outpatient_no,
                        line_nos=json.dumps(sorted(line_nos)),
                        detected_at=at,
                        handled_by="",
                        handled_window="",
                        handled_note="",
                    )
                    .on_conflict_do_nothing(constraint="hospital_claim_conflicts_bills")
                    .returning(_c.conflict_id)
                ).first()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return inserted is not None

    def conflicts(
        self, *, include_handled: bool = False, obsolete_since: datetime | None = None
    ) -> list[ClaimConflict]:
        """Newest first, with both bills' settlements now (see the port)."""
        query = select(conflicts_table).order_by(_c.detected_at.desc(), _c.conflict_id.desc())
        if not include_handled:
            shown: ColumnElement[bool] = _c.handled_at.is_(None)
            if obsolete_since is not None:
                shown = or_(shown, and_(_c.handled_by == "", _c.handled_at >= obsolete_since))
            query = query.where(shown)
        return self._read(query)

    def for_bill(self, bill_id: str) -> list[ClaimConflict]:
        """Every conflict of the offline side's ``bill_id`` (see the port)."""
        return self._read(
            select(conflicts_table).where(_c.bill_id == bill_id).order_by(_c.conflict_id)
        )

    def mark_obsolete(self, conflict_id: int, *, window: str, reason: str, at: datetime) -> bool:
        """Close it as no longer standing, once (see the port)."""
        try:
            with self._engine.begin() as connection:
                closed = connection.execute(
                    update(conflicts_table)
                    .where(_c.conflict_id == conflict_id, _c.handled_at.is_(None))
                    .values(
                        handled_at=at, handled_by="", handled_window=window, handled_note=reason
                    )
                    .returning(_c.conflict_id)
                ).first()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return closed is not None

    def _read(self, query: Any) -> list[ClaimConflict]:
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(query).all()
                settled = _settlements(connection, {b for r in rows for b in _bills(r)})
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return [_conflict(row, settled) for row in rows]

    def mark_handled(
        self, conflict_id: int, *, operator_code: str, window: str, note: str, at: datetime
    ) -> ClaimConflict | None:
        """Set the handling once (see the port)."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    update(conflicts_table)
                    .where(_c.conflict_id == conflict_id, _c.handled_at.is_(None))
                    .values(
                        handled_at=at,
                        handled_by=operator_code,
                        handled_window=window,
                        handled_note=note,
                    )
                )
                row = connection.execute(
                    select(conflicts_table).where(_c.conflict_id == conflict_id)
                ).first()
                if row is None:
                    return None
                settled = _settlements(connection, set(_bills(row)))
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return _conflict(row, settled)


def _bills(row: Row[Any]) -> tuple[str, str]:
    return str(row.bill_id), str(row.other_bill_id)


def _settlements(
    connection: Connection, bill_ids: Iterable[str]
) -> dict[str, list[ConflictSettlement]]:
    """The bills' settlements (not the cancellations themselves) with their operators' names."""
    bills = sorted(set(bill_ids))
    if not bills:
        return {}
    s, o = schema.settlements, schema.operators
    cancellation = s.alias("cancellation")
    rows = connection.execute(
        select(
            s,
            o.c.name.label("operator_name"),
            cancellation.c.window.label("cancelled_at_window"),
        )
        .select_from(
            s.outerjoin(o, o.c.code == s.c.operator_code).outerjoin(
                cancellation,
                and_(s.c.cancelled_by != "", cancellation.c.settlement_id == s.c.cancelled_by),
            )
        )
        .where(s.c.bill_id.in_(bills), ~s.c.is_cancellation)
        .order_by(s.c.settled_at, s.c.settlement_id)
    ).all()
    found: dict[str, list[ConflictSettlement]] = {}
    for r in rows:
        found.setdefault(str(r.bill_id), []).append(
            ConflictSettlement(
                settlement_id=str(r.settlement_id),
                operator_code=str(r.operator_code),
                operator_name=str(r.operator_name or ""),
                settled_at=r.settled_at,
                total=r.total,
                fund=r.fund,
                account=r.account,
                cash=r.cash,
                cancelled_by=str(r.cancelled_by),
                cancelled_at_window=str(r.cancelled_at_window or ""),
            )
        )
    return found


def _conflict(row: Row[Any], settled: dict[str, list[ConflictSettlement]]) -> ClaimConflict:
    try:
        lines = json.loads(row.line_nos)
    except ValueError:
        lines = []
    return ClaimConflict(
        conflict_id=int(row.conflict_id),
        detected_at=row.detected_at,
        detected_by=str(row.window),
        operator_code=str(row.operator_code),
        outpatient_no=str(row.outpatient_no),
        line_nos=tuple(str(x) for x in lines) if isinstance(lines, list) else (),
        offline=ConflictSide(
            str(row.window), str(row.bill_id), tuple(settled.get(str(row.bill_id), ()))
        ),
        other=ConflictSide(
            str(row.other_window),
            str(row.other_bill_id),
            tuple(settled.get(str(row.other_bill_id), ())),
        ),
        handled_at=row.handled_at,
        handled_by=str(row.handled_by),
        handled_window=str(row.handled_window),
        note=str(row.handled_note),
    )
