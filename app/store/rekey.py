"""Rotating the data key (reliability.md §4.2: keys are rotatable).

Two phases so that no crash can leave data encrypted under a key nobody has:

1. the new key is written durably *beside* the current one (``store.key.next``);
2. in one ``BEGIN IMMEDIATE`` transaction every encrypted value is re-encrypted, the keyed lookup hashes
   and the audit chain are recomputed, and the key-check value is replaced; then
3. the staged key is promoted (atomic rename).

A crash before the commit leaves the old key valid (the staged one is discarded at the next start); a
crash between commit and promotion is finished at the next start (:func:`app.store.db.open_store`
tries the staged key). The audit chain is verified first: re-chaining a log that has been tampered
with would hide the tampering, so rotation is refused then. Cached persons are dropped — their lookup
hashes cannot be recomputed without the identifiers, and the cache is only advisory.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from app.errors import StoreError
from app.store.crypto import FieldCipher, RotatableKeyProvider
from app.store.db import KEY_CHECK, Store, key_check_value
from app.store.models import Base
from app.store.repositories.audit import GENESIS_HASH, canonical_row
from app.store.repositories.bills import GROUP_HASH_KIND
from app.store.types import EncryptedText, bind_cipher, format_utc

log = logging.getLogger(__name__)

_APPEND_ONLY = ("audit_log", "journal_events")
_CACHE_TABLES = ("person_lookups", "persons")


@dataclass(frozen=True)
class RotationReport:
    """What a key rotation changed."""

    values_reencrypted: int
    persons_dropped: int
    audit_rows_rechained: int


def rotate_data_key(
    store: Store, provider: RotatableKeyProvider, operator_code: str
) -> RotationReport:
    """Re-encrypt the whole store under a new data key from ``provider`` and switch to it.

    Raises:
        StoreError: the audit chain does not verify (nothing changed), or the environment failed.
    """
    with store.uow_factory()() as uow:
        problems = uow.audit.verify()
    if problems:
        raise StoreError(
            "审计记录校验未通过，不能更换数据库密钥（否则会掩盖被改动的记录）。请先联系信息科核查审计记录。",
            code="store_rekey_audit",
            detail={"problems": str(len(problems))},
        )
    new = FieldCipher.from_data_key(provider.stage_next_key())
    with store.driver_connection() as raw:
        raw.execute("BEGIN IMMEDIATE")
        try:
            report = _rewrite(raw, store.cipher, new, store.clock.now(), operator_code)
        except BaseException:
            raw.execute("ROLLBACK")
            provider.discard_next_key()
            raise
        # If COMMIT fails ambiguously, the staged key stays: the next start decides by the key check.
        raw.execute("COMMIT")
    provider.promote_next_key()
    store.cipher = new
    bind_cipher(store.engine.dialect, new)
    log.info(
        "data key rotated: %d values, %d audit rows, %d cached persons dropped",
        report.values_reencrypted,
        report.audit_rows_rechained,
        report.persons_dropped,
    )
    return report


def _rewrite(
    raw: sqlite3.Connection, old: FieldCipher, new: FieldCipher, now: datetime, operator: str
) -> RotationReport:
    triggers = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (?, ?)",
        _APPEND_ONLY,
    ).fetchall()
    for name, _sql in triggers:
        raw.execute(f'DROP TRIGGER "{name}"')
    persons = raw.execute("SELECT count(*) FROM persons").fetchone()[0]
    for table in _CACHE_TABLES:
        raw.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    values = _reencrypt_columns(raw, old, new)
    _rehash_groups(raw, new)
    rows = _rechain_audit(raw, new, now, operator)
    raw.execute("UPDATE store_meta SET value = ? WHERE key = ?", (key_check_value(new), KEY_CHECK))
    for _name, sql in triggers:
        raw.execute(sql)
    return RotationReport(values, int(persons), rows)


def _reencrypt_columns(raw: sqlite3.Connection, old: FieldCipher, new: FieldCipher) -> int:
    count = 0
    for table in Base.metadata.sorted_tables:
        if table.name in _CACHE_TABLES:
            continue
        columns = [
            (column.name, column.type.context)
            for column in table.columns
            if isinstance(column.type, EncryptedText)
        ]
        if not columns:
            continue
        names = ", ".join(name for name, _ in columns)
        updates = []
        for rowid, *blobs in raw.execute(f"SELECT rowid, {names} FROM {table.name}"):  # noqa: S608
            fresh = [
                None if blob is None else new.encrypt(old.decrypt(blob, context), context)
                for blob, (_, context) in zip(blobs, columns, strict=True)
            ]
            updates.append((*fresh, rowid))
            count += sum(blob is not None for blob in blobs)
        assignments = ", ".join(f"{name} = ?" for name, _ in columns)
        raw.executemany(f"UPDATE {table.name} SET {assignments} WHERE rowid = ?", updates)  # noqa: S608
    return count


def _rehash_groups(raw: sqlite3.Connection, new: FieldCipher) -> None:
    rows = raw.execute("SELECT rowid, group_key FROM bill_groups").fetchall()
    raw.executemany(
        "UPDATE bill_groups SET group_hash = ? WHERE rowid = ?",
        [
            (new.lookup_hash(GROUP_HASH_KIND, new.decrypt(blob, "bill_groups.group_key")), rowid)
            for rowid, blob in rows
        ],
    )


def _rechain_audit(raw: sqlite3.Connection, new: FieldCipher, now: datetime, operator: str) -> int:
    previous = GENESIS_HASH
    rows = raw.execute(
        "SELECT seq, at, operator_code, event, outcome, detail, bill_id, msgid FROM audit_log"
        " ORDER BY seq"
    ).fetchall()
    for seq, at, operator_code, event, outcome, blob, bill_id, msgid in rows:
        canonical = canonical_row(
            seq,
            at_text=at,
            operator_code=operator_code,
            event=event,
            outcome=outcome,
            detail=new.decrypt(blob, "audit_log.detail"),
            bill_id=bill_id,
            msgid=msgid,
        )
        row_hash = new.chain_hash(previous, canonical)
        raw.execute(
            "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE seq = ?",
            (previous, row_hash, seq),
        )
        previous = row_hash
    last = raw.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    seq = (last[0] if last else 0) + 1
    detail = f"已更换数据库密钥，重新链接 {len(rows)} 条审计记录"
    at_text = format_utc(now)
    canonical = canonical_row(
        seq, at_text=at_text, operator_code=operator, event="data_key_rotated", outcome="ok",
        detail=detail, bill_id="", msgid="",
    )  # fmt: skip
    raw.execute(
        "INSERT INTO audit_log (seq, at, operator_code, event, outcome, detail, bill_id, msgid,"
        " prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, '', '', ?, ?)",
        (
            seq, at_text, operator, "data_key_rotated", "ok",
            new.encrypt(detail, "audit_log.detail"), previous, new.chain_hash(previous, canonical),
        ),
    )  # fmt: skip
    return len(rows)
