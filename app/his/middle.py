"""The database middle-tables adapter (中间表), through SQLAlchemy with the URL the hospital gives.

The HIS vendor provides ``his_pending_charges`` (a table or a view, one row per charge line) and
``his_settle_results`` (one row per result), and optionally ``his_charge_locks`` (lock-then-pay: one
row per locked line, the primary key on the line arbitrates between windows); the DDL is
``resources/his/middle-tables.sql``. Reading
is plain ``SELECT`` with bound parameters; reporting is one ``INSERT`` keyed by the result key, so a
second delivery of the same result fails on the primary key and is read as "already delivered" (its
row is read back). A result counts as delivered only once the HIS job has applied it
(``his_status = '1'``); until then the outbox keeps asking, and a refusal (``'2'``) reaches the
supervisor. Values are read as text and parsed strictly into ``Decimal`` whatever the
column type (SQLite ``REAL``, Oracle ``NUMBER``, a vendor's ``NVARCHAR`` amounts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from app.domain.bill import Tag
from app.domain.his import (
    ChargeResult,
    ChargeStatus,
    CurrentCharge,
    HisAck,
    HisChargeLine,
    HisVisit,
    PatientKey,
    PatientKeyKind,
)
from app.domain.his_codec import HisDataError, decimal_of, money_of, result_to_dict
from app.services.ports.his import HisLockHolder, HisRejected, HisUnavailable

BEIJING = ZoneInfo("Asia/Shanghai")
PENDING = "his_pending_charges"
RESULTS = "his_settle_results"
LOCKS = "his_charge_locks"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$")
_STATUS = {"0": ChargeStatus.UNPAID, "1": ChargeStatus.PAID, "2": ChargeStatus.WITHDRAWN}
_KEY_COLUMN = {
    PatientKeyKind.ID_NUMBER: "id_number",
    PatientKeyKind.CARD_NO: "card_no",
    PatientKeyKind.VOUCHER: "voucher_id",
    PatientKeyKind.OUTPATIENT_NO: "visit_no",
}
_LINE_COLUMNS = (
    "charge_id, bill_no, visit_no, patient_id, id_number, patient_name, dept_code, dept_name, "
    "doctor_code, doctor_name, diagnosis_code, diagnosis_name, visit_time, item_code, "
    "national_code, item_name, spec, unit_price, quantity, amount, tag, charge_status, row_version"
)
_RESULT_COLUMNS = (
    "result_key", "kind", "charge_id", "visit_no", "setl_id", "orig_setl_id", "receipt_no",
    "fee_category", "fee_category_name", "disease_code", "amount", "fund", "account", "cash",
    "hospital", "occurred_at", "operator_code", "window_no",
)  # fmt: skip


def local_time(moment: datetime) -> str:
    """Beijing time as the 19-character text HIS tables hold."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _text(row: RowMapping, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()  # CHAR columns are padded


def _local(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        raise HisDataError(f"时间应为 yyyy-MM-dd HH:mm:ss：{value[:30]}") from None


def _line(row: RowMapping) -> HisChargeLine:
    charge_id = _text(row, "charge_id")
    try:
        return HisChargeLine(
            charge_id=charge_id,
            bill_no=_text(row, "bill_no"),
            item_code=_text(row, "item_code"),
            national_code=_text(row, "national_code"),
            name=_text(row, "item_name"),
            spec=_text(row, "spec"),
            unit_price=decimal_of(_text(row, "unit_price"), "unit_price"),
            quantity=decimal_of(_text(row, "quantity"), "quantity"),
            amount=money_of(_text(row, "amount"), "amount"),
            tag=Tag.parse(_text(row, "tag")),
            version=_text(row, "row_version"),
        )
    except HisDataError as exc:
        raise HisDataError(f"明细 {charge_id}：{exc}") from None


class MiddleTablesHis:
    """:class:`~app.services.ports.his.HisGateway` over the two middle tables."""

    def __init__(
        self,
        url: str,
        *,
        pending_table: str = PENDING,
        results_table: str = RESULTS,
        lock_table: str = LOCKS,
        timeout: float = 10.0,
        engine: Engine | None = None,
    ) -> None:
        """Connect lazily to ``url`` (a SQLAlchemy URL); table names may be schema-qualified."""
        for name in (pending_table, results_table, lock_table):
            if not _NAME.match(name):
                raise ValueError(f"invalid table name {name!r}")
        self._pending = pending_table
        self._results = results_table
        self._locks = lock_table
        self._engine = engine or create_engine(
            url, pool_pre_ping=True, pool_recycle=1800, connect_args=_connect_args(url, timeout)
        )

    def close(self) -> None:
        """Release the connections."""
        self._engine.dispose()

    def _rows(self, sql: str, params: Mapping[str, Any], *expanding: str) -> list[RowMapping]:
        statement = text(sql)
        if expanding:
            statement = statement.bindparams(*(bindparam(n, expanding=True) for n in expanding))
        try:
            with self._engine.connect() as connection:
                return list(connection.execute(statement, dict(params)).mappings())
        except SQLAlchemyError as exc:
            raise HisUnavailable(
                f"HIS 中间库无法访问（{type(exc).__name__}）", code="his_unreachable"
            ) from None

    def unpaid_visits(self, key: PatientKey) -> Sequence[HisVisit]:
        """Unpaid lines of the patient, grouped into visits."""
        column = _KEY_COLUMN[key.kind]
        rows = self._rows(
            f"SELECT {_LINE_COLUMNS} FROM {self._pending} "  # noqa: S608 (names are validated)
            f"WHERE {column} = :value AND charge_status = '0' ORDER BY visit_no, charge_id",
            {"value": key.value},
        )
        try:
            return _visits(rows)
        except HisDataError as exc:
            raise HisRejected(f"HIS 中间库的费用数据有误：{exc}", code="his_bad_data") from None

    def current_charges(self, charge_ids: Sequence[str]) -> Sequence[CurrentCharge]:
        """The rows of these lines, whatever their state (missing rows: withdrawn)."""
        if not charge_ids:
            return []
        rows = self._rows(
            f"SELECT {_LINE_COLUMNS} FROM {self._pending} WHERE charge_id IN :ids",  # noqa: S608
            {"ids": list(charge_ids)},
            "ids",
        )
        try:
            return [
                CurrentCharge(
                    _text(row, "charge_id"),
                    _STATUS.get(_text(row, "charge_status"), ChargeStatus.WITHDRAWN),
                    _line(row),
                )
                for row in rows
            ]
        except HisDataError as exc:
            raise HisUnavailable(f"HIS 中间库数据无法识别：{exc}", code="his_bad_answer") from None

    def report(self, result: ChargeResult) -> HisAck:
        """INSERT the result; a duplicate key reads the earlier row back."""
        values = _result_row(result)
        names = ", ".join(_RESULT_COLUMNS)
        marks = ", ".join(f":{n}" for n in _RESULT_COLUMNS)
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    text(f"INSERT INTO {self._results} ({names}) VALUES ({marks})"),  # noqa: S608
                    values,
                )
        except IntegrityError:
            return self._earlier(result)
        except DBAPIError as exc:
            raise HisUnavailable(
                f"HIS 中间库写入失败（{type(exc.orig).__name__}）", code="his_unreachable"
            ) from None
        except SQLAlchemyError as exc:
            raise HisUnavailable(
                f"HIS 中间库无法访问（{type(exc).__name__}）", code="his_unreachable"
            ) from None
        raise _waiting()

    def _earlier(self, result: ChargeResult) -> HisAck:
        rows = self._rows(
            f"SELECT setl_id, charge_id, kind, his_status, his_msg, his_ref FROM {self._results} "  # noqa: S608
            "WHERE result_key = :key",
            {"key": result.key},
        )
        if not rows:
            raise HisUnavailable("HIS 中间库拒绝写入，且查不到该结果", code="his_bad_answer")
        row = rows[0]
        status = _text(row, "his_status")
        if status == "2":
            raise HisRejected(_text(row, "his_msg") or "HIS 拒收该结果", code="his_rejected")
        if status != "1":
            raise _waiting()
        return HisAck(result.key, _text(row, "his_ref"), duplicate=True)

    def lock(
        self, visit_no: str, charge_ids: Sequence[str], window: str, claim_id: str
    ) -> list[HisLockHolder]:
        """INSERT one lock row per line not yet held by ``claim_id``, in one transaction; a line
        held by another claim (or a primary-key conflict with a racing window) answers its holder."""
        holders = self._holders(charge_ids)
        held = [h for h in holders if h.claim_id != claim_id]
        if held:
            return held
        mine = {h.charge_id for h in holders}  # every holder read is this claim
        rows = [
            {"c": cid, "v": visit_no, "w": window, "k": claim_id, "t": local_time(_now())}
            for cid in sorted(set(charge_ids))  # one order for every window: no deadlock
            if cid not in mine
        ]
        if not rows:
            return []
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    text(
                        f"INSERT INTO {self._locks} "  # noqa: S608 (names are validated)
                        "(charge_id, visit_no, window_no, claim_id, locked_at) "
                        "VALUES (:c, :v, :w, :k, :t)"
                    ),
                    rows,
                )
        except IntegrityError:
            held = self._held(charge_ids, claim_id)
            if held:
                return held
            raise HisUnavailable("HIS 锁定冲突，请重试", code="his_lock_race") from None
        except SQLAlchemyError as exc:
            raise HisUnavailable(
                f"HIS 中间库锁定失败（{type(exc).__name__}）", code="his_unreachable"
            ) from None
        return []

    def unlock(self, charge_ids: Sequence[str], claim_id: str) -> None:
        """DELETE ``claim_id``'s lock rows on ``charge_ids``."""
        if not charge_ids:
            return
        statement = text(
            f"DELETE FROM {self._locks} WHERE claim_id = :k AND charge_id IN :ids"  # noqa: S608
        ).bindparams(bindparam("ids", expanding=True))
        try:
            with self._engine.begin() as connection:
                connection.execute(statement, {"k": claim_id, "ids": list(charge_ids)})
        except SQLAlchemyError as exc:
            raise HisUnavailable(
                f"HIS 中间库无法访问（{type(exc).__name__}）", code="his_unreachable"
            ) from None

    def _holders(self, charge_ids: Sequence[str]) -> list[HisLockHolder]:
        if not charge_ids:
            return []
        rows = self._rows(
            f"SELECT charge_id, window_no, claim_id, locked_at FROM {self._locks} "  # noqa: S608
            "WHERE charge_id IN :ids",
            {"ids": list(charge_ids)},
            "ids",
        )
        return [
            HisLockHolder(
                _text(r, "charge_id"),
                _text(r, "window_no"),
                _text(r, "claim_id"),
                _since(_text(r, "locked_at")),
            )
            for r in rows
        ]

    def _held(self, charge_ids: Sequence[str], claim_id: str) -> list[HisLockHolder]:
        return [h for h in self._holders(charge_ids) if h.claim_id != claim_id]

    def refused(self) -> list[tuple[str, str]]:
        """(result key, HIS message) of results the HIS job refused (``his_status = '2'``)."""
        rows = self._rows(
            f"SELECT result_key, his_msg FROM {self._results} WHERE his_status = '2'",  # noqa: S608
            {},
        )
        return [(_text(r, "result_key"), _text(r, "his_msg")) for r in rows]


def _waiting() -> HisUnavailable:
    # Written, not yet applied by the HIS job: the outbox asks again later (same key) and counts
    # the result as pending until the HIS says applied ('1') or refused ('2').
    return HisUnavailable("结果已写入中间表，等待 HIS 处理", code="his_pending")


def _now() -> datetime:
    return datetime.now(BEIJING)


def _since(value: str) -> datetime | None:
    try:
        return _local(value)
    except HisDataError:
        return None


def _connect_args(url: str, timeout: float) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"timeout": timeout}
    if url.startswith("postgresql"):
        return {"connect_timeout": max(1, int(timeout))}
    return {}


def _visits(rows: Sequence[RowMapping]) -> list[HisVisit]:
    visits: dict[str, tuple[RowMapping, list[HisChargeLine]]] = {}
    for row in rows:
        visit_no = _text(row, "visit_no")
        visits.setdefault(visit_no, (row, []))[1].append(_line(row))
    return [
        HisVisit(
            visit_no=visit_no,
            patient_id=_text(head, "patient_id"),
            id_number=_text(head, "id_number"),
            patient_name=_text(head, "patient_name"),
            dept_code=_text(head, "dept_code"),
            dept_name=_text(head, "dept_name"),
            doctor_code=_text(head, "doctor_code"),
            doctor_name=_text(head, "doctor_name"),
            diagnosis_code=_text(head, "diagnosis_code"),
            diagnosis_name=_text(head, "diagnosis_name"),
            visit_time=_local(_text(head, "visit_time")),
            lines=tuple(lines),
        )
        for visit_no, (head, lines) in visits.items()
    ]


# The results table names three columns differently from the JSON contract (docs/his-integration.md).
_JSON_TO_COLUMN = {"key": "result_key", "operator": "operator_code", "window": "window_no"}


def _result_row(result: ChargeResult) -> dict[str, str]:
    row = {_JSON_TO_COLUMN.get(k, k): v for k, v in result_to_dict(result).items()}
    row["occurred_at"] = local_time(result.occurred_at)  # the table holds Beijing wall time
    return row


def ddl_statements(source: str) -> list[str]:
    """The statements of a DDL file split on lines holding only ``;`` (comments dropped)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith("--")]
    chunks = "\n".join(lines).split("\n;")
    return [chunk.strip() for chunk in chunks if chunk.strip()]
