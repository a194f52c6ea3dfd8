"""The hospital record adapter: :class:`~app.services.ports.hospital.HospitalRecord` on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, and_, case, func, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from app.domain.money import round_money
from app.errors import StoreError
from app.services.ports.hospital import (
    HospitalJournalRow,
    HospitalSettlement,
    ReplicaItem,
    WindowStatus,
)
from app.store.crypto import FieldCipher
from app.store.hospital import schema
from app.store.hospital.connect import unreachable

# Journal states whose outcome is definite (app.domain.journal.JournalState.is_resolved).
_RESOLVED = ("ok", "failed", "reversed", "void", "cleaned")
_BEIJING = timedelta(hours=8)


def key_id(data_key: bytes) -> str:
    """A short public name of the hospital key (which key encrypted a row), not the key itself."""
    return hashlib.sha256(b"hospital-key-id\x00" + data_key).hexdigest()[:16]


def _money(value: Any) -> Decimal:
    """To the fen: a sum coalesced to 0 (no settlement today) is 0.00, never "0"."""
    return round_money(Decimal(str(value)) if value not in (None, "") else Decimal(0))


def _time(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A Beijing-time calendar day as a UTC interval (the platform's day)."""
    start = datetime.combine(day, time(), tzinfo=UTC) - _BEIJING
    return start, start + timedelta(days=1)


def _settlement_row(window: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "settlement_id": record["settlement_id"],
        "window": record.get("window") or window,
        "bill_id": record["bill_id"],
        "msgid": record["msgid"],
        "operator_code": record["operator_code"],
        "settled_at": _time(record["settled_at"]),
        "med_type": record["med_type"],
        "insurance_type": record["insurance_type"],
        "clearing_type": record["clearing_type"],
        "clearing_way": record["clearing_way"],
        "clearing_agency": record["clearing_agency"],
        "total": _money(record["total"]),
        "fund": _money(record["fund"]),
        "account": _money(record["account"]),
        "cash": _money(record["cash"]),
        "hospital": _money(record["hospital"]),
        "is_cancellation": bool(record["is_cancellation"]),
        "original_settlement_id": record["original_settlement_id"],
        "cancelled_by": record["cancelled_by"],
    }


def _journal_row(window: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "msgid": record["msgid"],
        "window": window,
        "infno": record["infno"],
        "state": record["state"],
        "bill_id": record["bill_id"],
        "settlement_id": record.get("settlement_id") or "",
        "original_msgid": record.get("original_msgid") or "",
        "operator_code": record["operator_code"],
        "created_at": _time(record["created_at"]),
    }


@dataclass(frozen=True)
class _Upserts:
    """The sync's statements, built once; each row's values are bound at execution."""

    record: Any
    settlement: Any
    journal: Any


def _upserts() -> _Upserts:
    s, j = schema.settlements, schema.journal
    # A batch's records as one statement over arrays: one fixed text (the driver parses it once; a
    # multi-row VALUES list changes with the batch size). A record moves only forward: an older
    # version arriving late changes nothing; RETURNING names the keys that moved.
    record_upsert = text(
        'INSERT INTO hospital_records ("window", kind, natural_key, version, key_id, payload, updated_at) '
        "SELECT :window, k, n, v, :key_id, p, :at FROM unnest(CAST(:kinds AS varchar[]), "
        "CAST(:keys AS varchar[]), CAST(:versions AS bigint[]), CAST(:payloads AS bytea[])) "
        "AS batch(k, n, v, p) "
        'ON CONFLICT ("window", kind, natural_key) DO UPDATE SET version = EXCLUDED.version, '
        "key_id = EXCLUDED.key_id, payload = EXCLUDED.payload, updated_at = EXCLUDED.updated_at "
        "WHERE hospital_records.version < EXCLUDED.version "
        "RETURNING kind, natural_key"
    )
    settlement = insert(s)
    # A settlement's figures never change; only "cancelled by" arrives later, and never goes back.
    settlement_upsert = settlement.on_conflict_do_update(
        index_elements=["settlement_id"],
        set_={
            "cancelled_by": func.coalesce(
                func.nullif(settlement.excluded.cancelled_by, ""), s.c.cancelled_by
            )
        },
    )
    journal = insert(j)
    journal_upsert = journal.on_conflict_do_update(
        index_elements=["msgid"],
        set_={
            # A definite outcome is never taken back: a window returning after another window
            # resolved its row may still send its old, unresolved copy.
            # (literal values, not one expanding parameter: the statement runs as an executemany)
            "state": case(
                (j.c.state.in_([literal(v) for v in _RESOLVED]), j.c.state),
                else_=journal.excluded.state,
            ),
            "settlement_id": journal.excluded.settlement_id,
        },
    )
    return _Upserts(record_upsert, settlement_upsert, journal_upsert)


_UPSERTS = _upserts()

# hospital_windows (schema.windows) as a delivery and as a heartbeat touch it.
_TOUCH_SYNCED = (
    "INSERT INTO hospital_windows "
    "(device_no, first_seen_at, last_sync_at, last_report_at, pending, lag_seconds) "
    "VALUES (%(window)s, %(at)s, %(at)s, %(at)s, 0, 0.0) "
    "ON CONFLICT (device_no) DO UPDATE SET last_report_at = EXCLUDED.last_report_at, "
    "last_sync_at = EXCLUDED.last_sync_at"
)
_TOUCH_REPORT = (
    "INSERT INTO hospital_windows "
    "(device_no, first_seen_at, last_sync_at, last_report_at, pending, lag_seconds) "
    "VALUES (%(window)s, %(at)s, NULL, %(at)s, %(pending)s, %(lag)s) "
    "ON CONFLICT (device_no) DO UPDATE SET last_report_at = EXCLUDED.last_report_at, "
    "pending = EXCLUDED.pending, lag_seconds = EXCLUDED.lag_seconds"
)


class PgHospitalRecord:
    """Every window's records in one PostgreSQL database, personal data under the hospital key."""

    def __init__(self, engine: Engine, hospital_key: bytes) -> None:
        """Use ``engine`` (schema already upgraded) and encrypt payloads under ``hospital_key``."""
        self._engine = engine
        self._cipher = FieldCipher.from_data_key(hospital_key)
        self._key_id = key_id(hospital_key)

    def apply(self, window: str, items: Sequence[ReplicaItem], at: datetime) -> None:
        """Upsert the records; a projection changes only when its record's version moved forward.

        The statements are built once (:data:`_UPSERTS`); the records of a batch go as one
        multi-row upsert whose ``RETURNING`` names the keys that moved forward, and their
        projections as one executemany per table (a statement per record cost the sync thread
        about half a millisecond each, more than encrypting it).
        """
        stored = [item for item in items if item.record is not None]
        batch = {
            "window": window,
            "key_id": self._key_id,
            "at": at,
            "kinds": [item.kind for item in stored],
            "keys": [item.natural_key for item in stored],
            "versions": [item.version for item in stored],
            "payloads": [self._payload(item) for item in stored],
        }
        try:
            with self._engine.begin() as connection:
                settlements: list[dict[str, Any]] = []
                journal: list[dict[str, Any]] = []
                moved = (
                    {(str(k), str(n)) for k, n in connection.execute(_UPSERTS.record, batch)}
                    if stored
                    else set()
                )
                for item in stored:
                    if item.record is None or (item.kind, item.natural_key) not in moved:
                        continue
                    if item.kind == "settlement":
                        settlements.append(_settlement_row(window, item.record))
                    elif item.kind == "journal":
                        journal.append(_journal_row(window, item.record))
                if settlements:
                    connection.execute(_UPSERTS.settlement, settlements)
                if journal:
                    connection.execute(_UPSERTS.journal, journal)
                self._touch_window(connection, window, at, synced=True)
        except DBAPIError as exc:
            raise unreachable(exc) from exc

    def _payload(self, item: ReplicaItem) -> bytes:
        plain = json.dumps(item.record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return self._cipher.encrypt(plain, f"hospital_records.{item.kind}")

    @staticmethod
    def _touch_window(
        connection: Connection,
        window: str,
        at: datetime,
        *,
        synced: bool,
        pending: int = 0,
        lag: float = 0.0,
    ) -> None:
        """The window's row: a delivery (``synced``) moves its last sync and report time; a
        heartbeat its report time and what it still has to send. Fixed texts straight to the
        driver (a statement built per call cost the sync thread ≈ 0.4 ms twice a round)."""
        if synced:
            connection.exec_driver_sql(_TOUCH_SYNCED, {"window": window, "at": at})
        else:
            connection.exec_driver_sql(
                _TOUCH_REPORT, {"window": window, "at": at, "pending": pending, "lag": lag}
            )

    def report_window(self, window: str, pending: int, lag_seconds: float, at: datetime) -> None:
        """Heartbeat with what ``window`` still has to send."""
        try:
            with self._engine.begin() as connection:
                self._touch_window(
                    connection, window, at, synced=False, pending=pending, lag=lag_seconds or 0.0
                )
        except DBAPIError as exc:
            raise unreachable(exc) from exc

    def windows(self, day: date) -> list[WindowStatus]:
        """Every window with its lag, unresolved rows and ``day``'s totals."""
        start, end = day_bounds(day)
        s, j, w = schema.settlements, schema.journal, schema.windows
        in_day = and_(s.c.settled_at >= start, s.c.settled_at < end)
        totals = (
            select(
                s.c.window,
                func.count().filter(s.c.is_cancellation.is_(False)).label("n"),
                func.coalesce(func.sum(s.c.total), 0).label("total"),
                func.coalesce(func.sum(s.c.fund), 0).label("fund"),
                func.coalesce(func.sum(s.c.account), 0).label("account"),
                func.coalesce(func.sum(s.c.cash), 0).label("cash"),
            )
            .where(in_day)
            .group_by(s.c.window)
            .subquery()
        )
        unresolved = (
            select(j.c.window, func.count().label("n"))
            .where(j.c.state.not_in(_RESOLVED))
            .group_by(j.c.window)
            .subquery()
        )
        query = (
            select(
                w,
                func.coalesce(totals.c.n, 0),
                func.coalesce(totals.c.total, 0),
                func.coalesce(totals.c.fund, 0),
                func.coalesce(totals.c.account, 0),
                func.coalesce(totals.c.cash, 0),
                func.coalesce(unresolved.c.n, 0),
            )
            .outerjoin(totals, totals.c.window == w.c.device_no)
            .outerjoin(unresolved, unresolved.c.window == w.c.device_no)
            .order_by(w.c.device_no)
        )
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(query).all()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return [
            WindowStatus(
                device_no=row.device_no,
                last_sync_at=row.last_sync_at,
                pending=row.pending,
                lag_seconds=row.lag_seconds,
                unresolved=int(row[-1]),
                settlements_today=int(row[-6]),
                total_today=_money(row[-5]),
                fund_today=_money(row[-4]),
                account_today=_money(row[-3]),
                cash_today=_money(row[-2]),
                last_report_at=row.last_report_at,
            )
            for row in rows
        ]

    def settlements(self, day: date, window: str | None = None) -> list[HospitalSettlement]:
        """``day``'s settlements and cancellations (of one window, or all), oldest first."""
        start, end = day_bounds(day)
        s = schema.settlements
        query = select(s).where(s.c.settled_at >= start, s.c.settled_at < end)
        if window is not None:
            query = query.where(s.c.window == window)
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(query.order_by(s.c.settled_at, s.c.settlement_id)).all()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return [_settlement(r) for r in rows]

    def find_settlement(self, settlement_id: str) -> HospitalSettlement | None:
        """A settlement or cancellation of any window by its ``setl_id``."""
        s = schema.settlements
        try:
            with self._engine.connect() as connection:
                row = connection.execute(
                    select(s).where(s.c.settlement_id == settlement_id)
                ).first()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return None if row is None else _settlement(row)

    def claim_cancel(
        self, settlement_id: str, window: str, operator_code: str, at: datetime
    ) -> str:
        """Exactly one window wins a settlement's cancellation; the others learn which."""
        c = schema.cancel_claims
        statement = (
            insert(c)
            .values(
                settlement_id=settlement_id,
                window=window,
                operator_code=operator_code,
                claimed_at=at,
            )
            .on_conflict_do_nothing(index_elements=["settlement_id"])
        )
        try:
            with self._engine.begin() as connection:
                connection.execute(statement)
                holder = connection.execute(
                    select(c.c.window).where(c.c.settlement_id == settlement_id)
                ).scalar_one()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return str(holder)

    def release_cancel(self, settlement_id: str, window: str) -> None:
        """Give the claim back (only the holder can)."""
        c = schema.cancel_claims
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    c.delete().where(c.c.settlement_id == settlement_id, c.c.window == window)
                )
        except DBAPIError as exc:
            raise unreachable(exc) from exc

    def journal_row(self, msgid: str) -> HospitalJournalRow | None:
        """One journal row of any window."""
        rows = self._journal_rows(schema.journal.c.msgid == msgid)
        return rows[0] if rows else None

    def unresolved_journal(self) -> list[HospitalJournalRow]:
        """Every window's rows without a definite outcome, oldest first."""
        return self._journal_rows(schema.journal.c.state.not_in(_RESOLVED))

    def _journal_rows(self, where: Any) -> list[HospitalJournalRow]:
        """The rows with the resolution claim each may be under (``journal:<msgid>``)."""
        j, c = schema.journal, schema.cancel_claims
        query = (
            select(
                j,
                c.c.window.label("claim_window"),
                c.c.operator_code.label("claim_operator"),
                c.c.claimed_at.label("claim_at"),
            )
            .select_from(j.outerjoin(c, c.c.settlement_id == literal("journal:") + j.c.msgid))
            .where(where)
            .order_by(j.c.created_at, j.c.msgid)
        )
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(query).all()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return [
            HospitalJournalRow(
                msgid=r.msgid,
                window=r.window,
                infno=r.infno,
                state=r.state,
                bill_id=r.bill_id,
                settlement_id=r.settlement_id,
                operator_code=r.operator_code,
                created_at=r.created_at,
                claim_window=r.claim_window or "",
                claim_operator=r.claim_operator or "",
                claimed_at=r.claim_at,
            )
            for r in rows
        ]

    def claim_resolution(self, msgid: str, window: str, operator_code: str, at: datetime) -> str:
        """Exactly one window resolves a dead window's row (a claim beside the cancel claims, keyed
        ``journal:<msgid>`` — a msgid never looks like a settlement id)."""
        return self.claim_cancel(f"journal:{msgid}", window, operator_code, at)

    def record_payload(self, window: str, kind: str, natural_key: str) -> dict[str, Any] | None:
        """A window's record, decrypted (for re-import at another window, and for tests)."""
        r = schema.records
        query = select(r.c.payload, r.c.key_id).where(
            r.c.window == window, r.c.kind == kind, r.c.natural_key == natural_key
        )
        try:
            with self._engine.connect() as connection:
                row = connection.execute(query).first()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        if row is None:
            return None
        blob, row_key = row
        if row_key != self._key_id:
            raise self._key_mismatch(window, kind, str(row_key))
        loaded: dict[str, Any] = json.loads(
            self._cipher.decrypt(bytes(blob), f"hospital_records.{kind}")
        )
        return loaded

    def _key_mismatch(self, window: str, kind: str, row_key: str) -> StoreError:
        return StoreError(
            f"医院数据库中窗口 {window} 的记录由另一把医院密钥（编号 {row_key}）加密，"
            f"本窗口的密钥（编号 {self._key_id}）无法解密：医院密钥轮换尚未完成，或本窗口的密钥文件不对。"
            "请联系信息科运行 hospital key-rotate 或核对本窗口的 hospital_key_file。",
            code="hospital_key_mismatch",
            detail={"window": window, "kind": kind, "key_id": row_key},
        )

    def payloads_since(
        self, kind: str, since: datetime, window: str | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """Every window's (or ``window``'s) records of ``kind`` delivered at or after ``since``,
        decrypted, as ``(window, record)`` — a record is delivered after it was made, so this holds
        every record of a day from the day's start (the hospital-wide shift report, another
        window's receipts for 补打)."""
        r = schema.records
        query = select(r.c.window, r.c.payload, r.c.key_id).where(
            r.c.kind == kind, r.c.updated_at >= since
        )
        if window is not None:
            query = query.where(r.c.window == window)
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(query.order_by(r.c.window, r.c.natural_key)).all()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        other = next((row for row in rows if row.key_id != self._key_id), None)
        if other is not None:  # said plainly, not as an undecryptable value
            raise self._key_mismatch(other.window, kind, str(other.key_id))
        context = f"hospital_records.{kind}"
        return [
            (row.window, json.loads(self._cipher.decrypt(bytes(row.payload), context)))
            for row in rows
        ]


def _settlement(r: Any) -> HospitalSettlement:
    return HospitalSettlement(
        settlement_id=r.settlement_id,
        window=r.window,
        bill_id=r.bill_id,
        operator_code=r.operator_code,
        settled_at=r.settled_at,
        med_type=r.med_type,
        insurance_type=r.insurance_type,
        clearing_type=r.clearing_type,
        total=_money(r.total),
        fund=_money(r.fund),
        account=_money(r.account),
        cash=_money(r.cash),
        hospital=_money(r.hospital),
        is_cancellation=r.is_cancellation,
        original_settlement_id=r.original_settlement_id,
        cancelled_by=r.cancelled_by,
        clearing_agency=r.clearing_agency,
        msgid=r.msgid,
    )
