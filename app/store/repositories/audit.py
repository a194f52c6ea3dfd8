"""Append-only, hash-chained audit log (reliability.md §4.5, goal S5).

Each row stores ``prev_hash`` (the previous row's hash; 64 zeros for the first) and
``row_hash = HMAC-SHA256(chain key, prev_hash + canonical row)``. Triggers refuse UPDATE and DELETE. Anyone
who edits, deletes or reorders rows in the file (bypassing the triggers) breaks the chain, and cannot
re-chain it without the data key. Deleting rows at the end is caught by ``sqlite_sequence``, which keeps
the highest sequence number ever issued.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import LargeBinary, String, select, text, type_coerce

from app.errors import StoreError
from app.services.ports.store import AuditRecord
from app.store.bulk import DriverStatement, fixed_sql
from app.store.crypto import FieldCipher
from app.store.tables import Connected, audit_log
from app.store.types import format_utc

_AUDIT = audit_log
GENESIS_HASH = "0" * 64
CHECKPOINT_KEY = "audit_checkpoint"
_DETAIL_CONTEXT = "audit_log.detail"
# The detail column as stored bytes, so that one damaged row is reported instead of stopping the walk.
_RAW_ROWS = select(
    _AUDIT.c.seq,
    type_coerce(_AUDIT.c.at, String).label("at"),
    _AUDIT.c.operator_code,
    _AUDIT.c.event,
    _AUDIT.c.outcome,
    type_coerce(_AUDIT.c.detail, LargeBinary).label("detail"),
    _AUDIT.c.bill_id,
    _AUDIT.c.msgid,
    _AUDIT.c.prev_hash,
    _AUDIT.c.row_hash,
).order_by(_AUDIT.c.seq)
# The append path straight to the driver through the column types (app.store.bulk).
_HEAD = fixed_sql(
    "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'),"
    " (SELECT row_hash FROM audit_log ORDER BY seq DESC LIMIT 1)"
)
_COLUMNS = (
    "seq", "at", "operator_code", "event", "outcome", "detail", "bill_id", "msgid", "prev_hash",
    "row_hash",
)  # fmt: skip
_INSERT = DriverStatement.insert(_AUDIT, _COLUMNS)


def canonical_row(
    seq: int,
    *,
    at_text: str,
    operator_code: str,
    event: str,
    outcome: str,
    detail: str,
    bill_id: str,
    msgid: str,
) -> bytes:
    """The bytes the chain hash covers: every field (time as stored text), fixed order, compact JSON."""
    fields = [seq, at_text, operator_code, event, outcome, detail, bill_id, msgid]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class SqlAuditLog:
    """:class:`~app.services.ports.store.AuditLog` on ``audit_log``."""

    def __init__(self, session: Connected, cipher: FieldCipher) -> None:
        """Work inside ``session``; chain with ``cipher``'s audit key."""
        self._session = session
        self._cipher = cipher

    def append(
        self,
        at: datetime,
        operator_code: str,
        event: str,
        outcome: str,
        detail: str = "",
        *,
        bill_id: str = "",
        msgid: str = "",
    ) -> None:
        """Add a row chained to the last one (personal data must not be put in ``detail``)."""
        # One statement for the highest number ever issued and the last row's hash.
        connection = self._session.connection()
        head = _HEAD.first(connection)
        assert head is not None  # one row of two scalar subqueries
        issued, previous = head
        seq = int(issued or 0) + 1
        prev_hash = previous or GENESIS_HASH
        canonical = canonical_row(
            seq,
            at_text=format_utc(at),
            operator_code=operator_code,
            event=event,
            outcome=outcome,
            detail=detail,
            bill_id=bill_id,
            msgid=msgid,
        )
        # A Core insert through the column types (detail encrypted): no ORM object to flush.
        _INSERT.execute(
            connection,
            (
                seq, at, operator_code, event, outcome, detail, bill_id, msgid, prev_hash,
                self._cipher.chain_hash(prev_hash, canonical),
            ),
        )  # fmt: skip

    def verify(self) -> list[str]:
        """Problems in the chain (Chinese, one per finding); empty when intact."""
        return self._walk(0, GENESIS_HASH)

    def head(self) -> tuple[int, str]:
        """The last row's sequence number and hash (0 and the genesis hash when empty)."""
        row = (
            self._session.connection()
            .execute(select(_AUDIT.c.seq, _AUDIT.c.row_hash).order_by(_AUDIT.c.seq.desc()).limit(1))
            .first()
        )
        return (0, GENESIS_HASH) if row is None else (int(row.seq), str(row.row_hash))

    def verify_incremental(self) -> list[str]:
        """Verify the rows after the stored checkpoint (and that the checkpoint row is unchanged);
        when intact, move the checkpoint to the head (the caller commits). A checkpoint that is
        missing or whose keyed MAC does not match is ignored: the whole chain is walked again."""
        seq, row_hash, problems = self._checkpoint()
        start, chained_to = 0, GENESIS_HASH
        if seq:
            stored = (
                self._session.connection()
                .execute(select(_AUDIT.c.prev_hash, _AUDIT.c.row_hash).where(_AUDIT.c.seq == seq))
                .first()
            )
            if stored is None or stored.row_hash != row_hash:
                problems.append(f"审计记录第 {seq} 条（上次校验点）被改动或删除。")
            else:  # the checkpoint row itself is verified again, then everything after it
                start, chained_to = seq - 1, str(stored.prev_hash)
        problems += self._walk(start, chained_to)
        if not problems:
            self._save_checkpoint(*self.head())
        return problems

    def _checkpoint(self) -> tuple[int, str, list[str]]:
        value = (
            self._session.connection()
            .execute(text("SELECT value FROM store_meta WHERE key = :key"), {"key": CHECKPOINT_KEY})
            .scalar()
        )
        if value is None:
            return 0, GENESIS_HASH, []
        seq_text, _, rest = str(value).partition(":")
        row_hash, _, mac = rest.partition(":")
        if not seq_text.isdigit() or mac != self._checkpoint_mac(int(seq_text), row_hash):
            return 0, GENESIS_HASH, ["审计校验点被改动，已从第一条记录起重新校验。"]
        return int(seq_text), row_hash, []

    def _save_checkpoint(self, seq: int, row_hash: str) -> None:
        value = f"{seq}:{row_hash}:{self._checkpoint_mac(seq, row_hash)}"
        self._session.connection().execute(
            text("INSERT OR REPLACE INTO store_meta (key, value) VALUES (:key, :value)"),
            {"key": CHECKPOINT_KEY, "value": value},
        )

    def _checkpoint_mac(self, seq: int, row_hash: str) -> str:
        # Keyed: whoever edits the file cannot move the checkpoint past rows they forged.
        return self._cipher.chain_hash(row_hash, f"audit checkpoint {seq}".encode())

    def _walk(self, after_seq: int, after_hash: str) -> list[str]:
        """Verify every row after ``after_seq``, the first chained to ``after_hash``."""
        problems: list[str] = []
        expected_prev = after_hash
        expected_seq = after_seq + 1
        for row in self._session.connection().execute(_RAW_ROWS.where(_AUDIT.c.seq > after_seq)):
            seq = row.seq
            if seq != expected_seq:
                problems.append(f"审计记录第 {expected_seq}–{seq - 1} 条缺失（被删除）。")
            detail = self._detail(row.detail)
            if detail is None:
                problems.append(f"审计记录第 {seq} 条的内容被改动（无法解密）。")
            else:
                canonical = canonical_row(
                    seq,
                    at_text=row.at,
                    operator_code=row.operator_code,
                    event=row.event,
                    outcome=row.outcome,
                    detail=detail,
                    bill_id=row.bill_id,
                    msgid=row.msgid,
                )
                if self._cipher.chain_hash(row.prev_hash, canonical) != row.row_hash:
                    problems.append(f"审计记录第 {seq} 条的内容被改动。")
            if row.prev_hash != expected_prev:
                problems.append(
                    f"审计记录第 {seq} 条与前一条不衔接（记录被删除、插入或调换顺序）。"
                )
            expected_prev = row.row_hash
            expected_seq = seq + 1
        issued = self._last_issued_seq()
        if issued >= expected_seq:
            problems.append(f"审计记录第 {expected_seq}–{issued} 条缺失（末尾记录被删除）。")
        return problems

    def between(self, start: datetime, end: datetime) -> Sequence[AuditRecord]:
        """Rows with ``start <= at < end``, in sequence order."""
        rows = self._session.connection().execute(
            select(_AUDIT).where(_AUDIT.c.at >= start, _AUDIT.c.at < end).order_by(_AUDIT.c.seq)
        )
        return [
            AuditRecord(
                seq=row.seq,
                at=row.at,
                operator_code=row.operator_code,
                event=row.event,
                outcome=row.outcome,
                detail=row.detail,
                bill_id=row.bill_id,
                msgid=row.msgid,
            )
            for row in rows
        ]

    def _detail(self, blob: bytes) -> str | None:
        try:
            return self._cipher.decrypt(blob, _DETAIL_CONTEXT)
        except StoreError:
            return None

    def _last_issued_seq(self) -> int:
        value = (
            self._session.connection()
            .execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'"))
            .scalar()
        )
        return int(value or 0)
