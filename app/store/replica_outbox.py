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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Enum as SqlEnum
from sqlalchemy import Integer, String, inspect, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from app.domain.money import from_fen
from app.services.ports.hospital import ReplicaItem, ReplicaStats
from app.store.bulk import DriverStatement, Processor, fixed_sql
from app.store.crypto import FieldCipher
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
from app.store.types import (
    DecimalText,
    EncryptedText,
    MoneyType,
    PriceType,
    UTCDateTime,
    cipher_for,
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


def _plain_text(process: Processor) -> Processor:
    """Prices, exact decimals: the Decimal's text."""
    assert process is not None

    def plain(value: Any) -> Any:
        return None if value is None else str(process(value))

    return plain


_FAST_FEN = 10**20  # well inside the decimal context's 28 digits


def _plain_money(value: Any) -> Any:
    """Integer fen as the text of the yuan amount ``str(from_fen(value))`` (``-12.30``), written
    out directly; anything unusual goes through :func:`~app.domain.money.from_fen` (which refuses
    what is not an integer)."""
    if value is None:
        return None
    if value.__class__ is not int or not -_FAST_FEN < value < _FAST_FEN:
        return str(from_fen(value))
    yuan, fen = divmod(-value if value < 0 else value, 100)
    return f"-{yuan}.{fen:02d}" if value < 0 else f"{yuan}.{fen:02d}"


def _plain_time(value: Any) -> Any:
    """A stored UTC time (``YYYY-MM-DDTHH:MM:SS.ffffffZ``) as the aware datetime's ISO text —
    ``parse_utc(value).isoformat()``, parsed by the C parser instead of ``strptime``."""
    return None if value is None else datetime.fromisoformat(value).isoformat()


def _plain_any(process: Processor) -> Processor:
    """Any other typed column: its result processor, then :func:`_plain`."""
    if process is None:
        return _plain

    def plain(value: Any) -> Any:
        return _plain(process(value))

    return plain


def _plain_choice(process: Processor, stored: Iterable[str]) -> Processor:
    """An enum: each stored name's plain value worked out once by the type itself."""
    general = _plain_any(process)
    assert general is not None
    known = {name: general(name) for name in stored}

    def plain(value: Any) -> Any:
        found = known.get(value, known) if value.__class__ is str else known
        return general(value) if found is known else found

    return plain


def _decrypted(cipher: FieldCipher, context: str) -> Processor:
    """Personal data: decrypted with the cipher bound to the store now (a re-key binds another)."""
    decrypt = cipher.decrypt

    def plain(value: Any) -> Any:
        return None if value is None else decrypt(value, context)

    return plain


def _converter(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    """What turns the driver's value of a column of ``type_`` into the record's plain value: the
    value the mapped type gives, then :func:`_plain` — without the type tests per value where the
    type says what comes out (``None``: the driver's value as it is)."""
    if isinstance(type_, EncryptedText):
        return _decrypted(cipher_for(dialect), type_.context)
    if isinstance(type_, UTCDateTime):
        return _plain_time
    if isinstance(type_, MoneyType):
        return _plain_money
    process = type_.dialect_impl(dialect).result_processor(dialect, None)
    if isinstance(type_, SqlEnum):
        return _plain_choice(process, type_.enums)
    if isinstance(type_, PriceType | DecimalText):
        return _plain_text(process)
    if process is None and isinstance(type_, String | Integer) and not isinstance(type_, SqlEnum):
        return None  # text or an integer (or None) as the driver gives it: already plain
    return _plain_any(process)


class _Reader:
    """A replicated table read straight from the driver (no SQLAlchemy result machinery, no ORM
    object per row): one fixed statement, the keys passed as one JSON array, each value turned
    into the record's plain value by its mapped column's type — the record the ORM object gave."""

    def __init__(self, model: type[Base], on: str, *, in_order: bool) -> None:
        """``model``'s rows whose ``on`` column is one of the keys (``in_order``: in insertion order)."""
        attributes = inspect(model).column_attrs
        columns = [attr.columns[0] for attr in attributes]
        self.keys = tuple(attr.key for attr in attributes)  # attribute names, in column order
        self.on_at = self.keys.index(on)  # where the ``on`` column is in a row
        self._types = tuple(column.type for column in columns)
        table = model.__tablename__
        link = columns[self.on_at].name
        order = " ORDER BY rowid" if in_order else ""

        def build(quote: Callable[[str], str]) -> str:
            names = ", ".join(quote(column.name) for column in columns)
            return (  # names from the mapped model, never from input
                f"SELECT {names} FROM {quote(table)} "  # noqa: S608
                f"WHERE {quote(link)} IN (SELECT value FROM json_each(?)){order}"
            )

        self._statement = DriverStatement(build, [None])
        # Per dialect: the cipher the converters decrypt with, and the converters.
        self._converters: dict[Dialect, tuple[FieldCipher, tuple[Processor, ...]]] = {}

    def rows(self, connection: Connection, keys: list[Any]) -> list[tuple[Any, ...]]:
        """The driver's rows for ``keys`` (texts or integers, as the ``on`` column holds them)."""
        return self._statement.all(connection, (json.dumps(keys),))

    def records(self, connection: Connection, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        """Each row as its record (attribute name → plain value)."""
        dialect = connection.dialect
        cipher = cipher_for(dialect)
        made = self._converters.get(dialect)
        if made is None or made[0] is not cipher:
            made = (cipher, tuple(_converter(type_, dialect) for type_ in self._types))
            self._converters[dialect] = made
        converters = made[1]
        names = self.keys
        return [
            {
                name: value if convert is None else convert(value)
                for name, convert, value in zip(names, converters, row, strict=True)
            }
            for row in rows
        ]


_READERS: dict[tuple[type[Base], str], _Reader] = {}


def _reader(model: type[Base], on: str, *, in_order: bool = False) -> _Reader:
    """``model``'s rows by ``on`` (``in_order``: in insertion order), the reader made once."""
    found = _READERS.get((model, on))
    if found is None:
        found = _READERS[(model, on)] = _Reader(model, on, in_order=in_order)
    return found


_PENDING = fixed_sql(
    "SELECT kind, natural_key, version, queued_at FROM replica_outbox "
    "WHERE version > delivered ORDER BY queued_at, kind, natural_key LIMIT ?",
    1,
)
_DELIVERED = fixed_sql(
    "UPDATE replica_outbox SET delivered = MAX(delivered, ?), attempts = 0, last_error = '' "
    "WHERE kind = ? AND natural_key = ?",
    3,
)
_OFFERED = fixed_sql(
    "UPDATE replica_outbox SET attempts = attempts + 1 WHERE kind = ? AND natural_key = ?", 2
)
_FAILED = fixed_sql(
    "UPDATE replica_outbox SET last_error = ? WHERE kind = ? AND natural_key = ?", 3
)
# The outbox's figures and the last sync time in one statement.
_STATS = fixed_sql(
    "SELECT COUNT(*), MIN(queued_at), "
    "(SELECT value FROM store_meta WHERE key = 'replication_last_sync') "
    "FROM replica_outbox WHERE version > delivered"
)
_RECORD_SYNC = fixed_sql(
    "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('replication_last_sync', ?)", 1
)


class SqlReplicaOutbox:
    """:class:`~app.services.ports.hospital.ReplicaOutbox` on ``replica_outbox``."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session``."""
        self._session = session

    def _connection(self) -> Connection:
        """The unit of work's connection: the sync's reads and marks go as Core statements (through
        the ORM session each cost about a millisecond of CPU; the sync reads dozens per visit)."""
        return self._session.connection()

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
        rows = _PENDING.all(self._connection(), (limit,))
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
        rows = parents.rows(connection, typed)
        for row, record in zip(rows, parents.records(connection, rows), strict=True):
            for child, _ in spec.children:
                record[child.__tablename__] = []
            records[str(row[parents.on_at])] = record
        for child, link in spec.children:
            # In insertion order, as each record's children were always read.
            children = _reader(child, link, in_order=True)
            rows = children.rows(connection, typed)
            name = child.__tablename__
            for row, record in zip(rows, children.records(connection, rows), strict=True):
                owner = records.get(str(row[children.on_at]))
                if owner is not None:
                    owner[name].append(record)
        return records

    def mark_delivered(self, items: Iterable[ReplicaItem]) -> None:
        """Record that the hospital holds these versions (never moves ``delivered`` back)."""
        _DELIVERED.executemany(
            self._connection(), [(i.version, i.kind, i.natural_key) for i in items]
        )

    def mark_offered(self, items: Iterable[ReplicaItem]) -> None:
        """Count a delivery attempt before it is sent: a key with ``attempts > 0`` or ``delivered >
        0`` may be in the hospital record even if this process died before hearing the answer
        (a dead window's rows are then resolved only under the hospital's claim: issue 13 item 5)."""
        _OFFERED.executemany(self._connection(), [(i.kind, i.natural_key) for i in items])

    def mark_failed(self, items: Iterable[ReplicaItem], error: str) -> None:
        """Note why an attempt failed (counted by :meth:`mark_offered`; they stay pending)."""
        _FAILED.executemany(
            self._connection(), [(error[:500], i.kind, i.natural_key) for i in items]
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
        found = _STATS.first(self._connection())
        count, oldest, last_sync = found if found is not None else (0, None, None)
        return ReplicaStats(
            pending=int(count or 0),
            oldest_pending_at=_parse_time(oldest),
            last_sync_at=_parse_time(last_sync),
        )

    def record_sync(self, at: datetime) -> None:
        """Remember when the hospital last accepted a batch."""
        _RECORD_SYNC.execute(self._connection(), (at.isoformat(),))


def _parse_time(value: object) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def payload_json(record: dict[str, Any] | None) -> str:
    """The canonical JSON text of a replicated record."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
