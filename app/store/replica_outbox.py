"""The local side of hospital mode: an outbox that carries every record to the hospital's PostgreSQL.

Triggers on the replicated tables queue ``(kind, natural key)`` in ``replica_outbox`` inside the very
transaction that writes the record, so a record can never be committed without being queued — no
service has to remember to enqueue, and a kill between the write and the sync loses nothing.
Children (fee lines, fund rows, journal events, receipt copies) queue their parent: the parent is sent
whole. ``version`` counts the changes of a key; a key is pending while ``version > delivered``.
Delivery is at least once; the hospital side upserts by ``(window, kind, key)`` keeping the highest
version, so the effect is exactly once.

The triggers are inert until ``store_meta.replication = 'on'``: a stand-alone window writes nothing
extra. :meth:`SqlReplicaOutbox.enable` switches them on and queues what the store already holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.services.ports.hospital import ReplicaItem, ReplicaStats
from app.store.models import (
    AuditRow,
    Base,
    BillGroupRow,
    BillLineRow,
    BillRow,
    DayCloseRow,
    JournalEvent,
    JournalRow,
    ReceiptCopyRow,
    ReceiptRow,
    SettlementFundRow,
    SettlementLineRow,
    SettlementRow,
)


@dataclass(frozen=True)
class _Kind:
    """A replicated record: its table, key column and the child tables sent with it."""

    model: type[Base]
    key: str
    children: tuple[tuple[type[Base], str], ...] = ()


KINDS: dict[str, _Kind] = {
    "bill": _Kind(BillRow, "bill_id", ((BillLineRow, "bill_id"), (BillGroupRow, "bill_id"))),
    "settlement": _Kind(
        SettlementRow,
        "settlement_id",
        ((SettlementLineRow, "settlement_id"), (SettlementFundRow, "settlement_id")),
    ),
    "receipt": _Kind(ReceiptRow, "receipt_no", ((ReceiptCopyRow, "receipt_no"),)),
    "journal": _Kind(JournalRow, "msgid", ((JournalEvent, "msgid"),)),
    "day_close": _Kind(DayCloseRow, "id"),
    "audit": _Kind(AuditRow, "seq"),
}

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_ACTIVE = "(SELECT value FROM store_meta WHERE key = 'replication') = 'on'"


def _queue_statement(kind: str, key_expr: str) -> str:
    # Table, column and kind names come from KINDS above, never from input.
    return (
        f"INSERT INTO replica_outbox (kind, natural_key, version, delivered, queued_at) "  # noqa: S608
        f"VALUES ('{kind}', CAST({key_expr} AS TEXT), 1, 0, {_NOW}) "
        "ON CONFLICT (kind, natural_key) DO UPDATE SET version = version + 1, "
        "queued_at = CASE WHEN version = delivered THEN excluded.queued_at ELSE queued_at END;"
    )


def _trigger_statements() -> Iterable[str]:
    for kind, spec in KINDS.items():
        tables = [
            (spec.model.__tablename__, spec.key),
            *((m.__tablename__, c) for m, c in spec.children),
        ]
        for table, column in tables:
            for event in ("INSERT", "UPDATE"):
                yield (
                    f"CREATE TRIGGER replica_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"WHEN {_ACTIVE} BEGIN {_queue_statement(kind, 'NEW.' + column)} END"
                )


def create_replica_outbox(connection: Connection) -> None:
    """Schema step: the outbox table and its triggers (inert until switched on)."""
    connection.exec_driver_sql(
        """CREATE TABLE replica_outbox (
	kind VARCHAR(16) NOT NULL,
	natural_key VARCHAR(64) NOT NULL,
	version INTEGER NOT NULL,
	delivered INTEGER NOT NULL,
	queued_at VARCHAR(27) NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error VARCHAR NOT NULL DEFAULT '',
	PRIMARY KEY (kind, natural_key)
)"""
    )
    connection.exec_driver_sql(
        "CREATE INDEX ix_replica_outbox_pending ON replica_outbox (queued_at) "
        "WHERE version > delivered"
    )
    for statement in _trigger_statements():
        connection.exec_driver_sql(statement)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class _Reader:
    """A replicated table read with Core (no ORM object per row): its mapped columns with the
    mapped types, so a row is the record the ORM object gave; the statement built once."""

    query: Any  # the rows whose ``on`` column is in ``:keys``
    keys: tuple[str, ...]  # attribute names, in column order
    on_at: int  # where the ``on`` column is in a row

    def record(self, row: Any) -> dict[str, Any]:
        return {key: _plain(value) for key, value in zip(self.keys, row, strict=True)}


_READERS: dict[tuple[type[Base], str], _Reader] = {}


def _reader(model: type[Base], on: str, *, in_order: bool = False) -> _Reader:
    """``model``'s rows by ``on`` (``in_order``: in insertion order)."""
    found = _READERS.get((model, on))
    if found is None:
        attributes = inspect(model).column_attrs
        keys = tuple(attr.key for attr in attributes)
        query = select(*(attr.columns[0] for attr in attributes)).where(
            getattr(model, on).in_(bindparam("keys", expanding=True))
        )
        if in_order:
            query = query.order_by(text("rowid"))
        found = _READERS[(model, on)] = _Reader(query, keys, keys.index(on))
    return found


class SqlReplicaOutbox:
    """:class:`~app.services.ports.hospital.ReplicaOutbox` on ``replica_outbox``."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session``."""
        self._session = session

    def _connection(self) -> Connection:
        """The unit of work's connection: the sync's reads and marks go as Core statements (through
        the ORM session each cost about a millisecond of CPU; the sync reads dozens per visit)."""
        return self._session.connection()

    def _each(self, statement: str, rows: list[dict[str, Any]]) -> None:
        """``statement`` once per row, as one executemany."""
        if rows:
            self._connection().execute(text(statement), rows)

    def enable(self) -> int:
        """Switch the triggers on and queue every record already stored; returns how many were queued."""
        self._session.execute(
            text("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('replication', 'on')")
        )
        queued = 0
        for kind, spec in KINDS.items():
            table = spec.model.__tablename__
            result = self._session.execute(
                text(  # names from KINDS, never from input
                    f"INSERT INTO replica_outbox (kind, natural_key, version, delivered, queued_at) "  # noqa: S608
                    f"SELECT '{kind}', CAST({spec.key} AS TEXT), 1, 0, {_NOW} FROM {table} "
                    "WHERE true ON CONFLICT (kind, natural_key) DO NOTHING"
                )
            )
            queued += max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
        return queued

    def enabled(self) -> bool:
        """Whether the triggers are switched on."""
        value = self._session.execute(
            text("SELECT value FROM store_meta WHERE key = 'replication'")
        ).scalar()
        return value == "on"

    def pending(self, limit: int) -> list[ReplicaItem]:
        """Up to ``limit`` keys not yet delivered, oldest first, with their current record."""
        rows = (
            self._connection()
            .execute(
                text(
                    "SELECT kind, natural_key, version, queued_at FROM replica_outbox "
                    "WHERE version > delivered ORDER BY queued_at, kind, natural_key LIMIT :limit"
                ),
                {"limit": limit},
            )
            .all()
        )
        keys: dict[str, list[str]] = {}
        for kind, key, _, _ in rows:
            keys.setdefault(str(kind), []).append(str(key))
        records = {kind: self._records(kind, found) for kind, found in keys.items()}
        return [
            ReplicaItem(str(k), str(n), int(v), str(q), records[str(k)].get(str(n)))
            for k, n, v, q in rows
        ]

    def _records(self, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The current record of each of ``keys`` (absent when deleted), children whole, in one
        query per table (a query per key cost the sync loop about a millisecond per record)."""
        spec = KINDS[kind]
        typed: list[Any] = [int(k) for k in keys] if spec.key in ("id", "seq") else keys
        parents = _reader(spec.model, spec.key)
        records: dict[str, dict[str, Any]] = {}
        connection = self._connection()
        for parent in connection.execute(parents.query, {"keys": typed}):
            record = parents.record(parent)
            for child, _ in spec.children:
                record[child.__tablename__] = []
            records[str(parent[parents.on_at])] = record
        for child, link in spec.children:
            # In insertion order, as each record's children were always read.
            children = _reader(child, link, in_order=True)
            for row in connection.execute(children.query, {"keys": typed}):
                owner = records.get(str(row[children.on_at]))
                if owner is not None:
                    owner[child.__tablename__].append(children.record(row))
        return records

    def mark_delivered(self, items: Iterable[ReplicaItem]) -> None:
        """Record that the hospital holds these versions (never moves ``delivered`` back)."""
        self._each(
            "UPDATE replica_outbox SET delivered = MAX(delivered, :version), attempts = 0, "
            "last_error = '' WHERE kind = :kind AND natural_key = :key",
            [{"version": i.version, "kind": i.kind, "key": i.natural_key} for i in items],
        )

    def mark_offered(self, items: Iterable[ReplicaItem]) -> None:
        """Count a delivery attempt before it is sent: a key with ``attempts > 0`` or ``delivered >
        0`` may be in the hospital record even if this process died before hearing the answer
        (a dead window's rows are then resolved only under the hospital's claim: issue 13 item 5)."""
        self._each(
            "UPDATE replica_outbox SET attempts = attempts + 1 "
            "WHERE kind = :kind AND natural_key = :key",
            [{"kind": i.kind, "key": i.natural_key} for i in items],
        )

    def mark_failed(self, items: Iterable[ReplicaItem], error: str) -> None:
        """Note why an attempt failed (counted by :meth:`mark_offered`; they stay pending)."""
        self._each(
            "UPDATE replica_outbox SET last_error = :error WHERE kind = :kind AND natural_key = :key",
            [{"error": error[:500], "kind": i.kind, "key": i.natural_key} for i in items],
        )

    def offered(self, kind: str, natural_key: str) -> bool:
        """Whether any version of the key may have reached the hospital record."""
        found = self._session.execute(
            text(
                "SELECT 1 FROM replica_outbox WHERE kind = :kind AND natural_key = :key "
                "AND (delivered > 0 OR attempts > 0)"
            ),
            {"kind": kind, "key": natural_key},
        ).first()
        return found is not None

    def stats(self) -> ReplicaStats:
        """How many keys wait and since when; the last successful sync time."""
        count, oldest = self._session.execute(
            text("SELECT COUNT(*), MIN(queued_at) FROM replica_outbox WHERE version > delivered")
        ).one()
        last_sync = self._session.execute(
            text("SELECT value FROM store_meta WHERE key = 'replication_last_sync'")
        ).scalar()
        return ReplicaStats(
            pending=int(count or 0),
            oldest_pending_at=_parse_time(oldest),
            last_sync_at=_parse_time(last_sync),
        )

    def record_sync(self, at: datetime) -> None:
        """Remember when the hospital last accepted a batch."""
        self._session.execute(
            text(
                "INSERT OR REPLACE INTO store_meta (key, value) "
                "VALUES ('replication_last_sync', :at)"
            ),
            {"at": at.isoformat()},
        )


def _parse_time(value: object) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def payload_json(record: dict[str, Any] | None) -> str:
    """The canonical JSON text of a replicated record."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
