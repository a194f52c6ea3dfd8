"""Hospital key rotation: re-encrypt the personal data in the hospital record under a new key.

Every encrypted row names the key that encrypted it (``key_id``), so rotation is a walk over the rows
still under the old key, a batch per transaction: decrypt with the old key, encrypt with the new one,
write both the blob and the new ``key_id``. Each batch commits on its own, and a row is picked only
while it is still under the old key, so an interrupted rotation (a crash, Ctrl+C, a lost connection)
is simply run again and carries on where it stopped; running it when nothing is left changes nothing.

Audit rows are append-only by a trigger; revision h0003 lets the schema's *owner* change an audit row's
``payload`` and ``key_id`` (nothing else) inside a transaction that set ``settlement_window.rekey``,
which only this module does. The windows' role cannot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, text, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from app.errors import StoreError
from app.store.crypto import FieldCipher
from app.store.hospital import schema
from app.store.hospital.connect import unreachable
from app.store.hospital.record import key_id

log = logging.getLogger(__name__)

BATCH = 500
_TOTP_COLUMNS = ("totp_secret", "totp_pending")


@dataclass(frozen=True)
class RotationReport:
    """What a rotation run did and what it left.

    Attributes:
        old_key_id: the key rotated away from.
        new_key_id: the key rotated to.
        records: hospital records re-encrypted by this run.
        operators: operator accounts whose authenticator secrets were re-encrypted by this run.
        left_under_old: rows still under the old key (a window still writing with it: run again once
            every window has the new key).
        other_keys: rows under neither key (an older rotation that was never finished).
    """

    old_key_id: str
    new_key_id: str
    records: int
    operators: int
    left_under_old: int
    other_keys: int


class KeyRotation:
    """Re-encrypts the hospital record from ``old_key`` to ``new_key``."""

    def __init__(self, engine: Engine, old_key: bytes, new_key: bytes, *, batch: int = BATCH):
        """Work on ``engine`` (connected as the schema's owner) in batches of ``batch`` rows."""
        if old_key == new_key:
            raise StoreError(
                "新旧医院密钥是同一个文件内容，无需轮换。请用 hospital key-create 生成新密钥。",
                code="hospital_key_same",
            )
        self._engine = engine
        self._old = FieldCipher.from_data_key(old_key)
        self._new = FieldCipher.from_data_key(new_key)
        self._old_id = key_id(old_key)
        self._new_id = key_id(new_key)
        self._batch = batch

    def run(
        self, now: datetime, on_batch: Callable[[int, int], None] | None = None
    ) -> RotationReport:
        """Rotate until no row is left under the old key.

        ``on_batch(records, operators)`` is called after every committed batch with the running
        totals (progress output; a test stops a run there to prove it resumes).

        Raises:
            StoreError: the database is unreachable (``hospital_unreachable``; run again), a row
                under the old key does not decrypt with it (``hospital_key_mismatch``), or the role
                may not rewrite audit rows (``hospital_rekey_denied``: run as the owner).
        """
        records = operators = 0
        try:
            while True:
                done = self._records_batch()
                if not done:
                    break
                records += done
                if on_batch is not None:
                    on_batch(records, operators)
            while True:
                done = self._operators_batch(now)
                if not done:
                    break
                operators += done
                if on_batch is not None:
                    on_batch(records, operators)
            left, other = self._remaining()
        except DBAPIError as exc:
            if "audit rows of the hospital record" in str(exc):
                raise StoreError(
                    "只有医院数据库的属主账号（运行 hospital init-db 的账号）可以轮换密钥："
                    "请用 --url 指定属主账号后重试。",
                    code="hospital_rekey_denied",
                ) from exc
            raise unreachable(exc) from exc
        log.info(
            "hospital key rotation %s -> %s: %d records, %d operators re-encrypted",
            self._old_id,
            self._new_id,
            records,
            operators,
        )
        return RotationReport(self._old_id, self._new_id, records, operators, left, other)

    def _records_batch(self) -> int:
        r = schema.records
        with self._engine.begin() as connection:
            _allow_rekey(connection)
            rows = connection.execute(
                select(r.c.window, r.c.kind, r.c.natural_key, r.c.payload)
                .where(r.c.key_id == self._old_id)
                .order_by(r.c.window, r.c.kind, r.c.natural_key)
                .limit(self._batch)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                context = f"hospital_records.{row.kind}"
                plain = self._decrypt(bytes(row.payload), context, f"{row.window}/{row.kind}")
                connection.execute(
                    update(r)
                    .where(
                        tuple_(r.c.window, r.c.kind, r.c.natural_key)
                        == (row.window, row.kind, row.natural_key),
                        r.c.key_id == self._old_id,
                    )
                    .values(payload=self._new.encrypt(plain, context), key_id=self._new_id)
                )
        return len(rows)

    def _operators_batch(self, now: datetime) -> int:
        o = schema.operators
        with self._engine.begin() as connection:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:a, :b)"),
                {"a": schema.SHARED_LOCK_CLASS, "b": schema.SHARED_LOCK_KEY},
            )
            rows = connection.execute(
                select(o.c.code, o.c.totp_secret, o.c.totp_pending)
                .where(o.c.key_id == self._old_id)
                .order_by(o.c.code)
                .limit(self._batch)
            ).all()
            for row in rows:
                values: dict[str, object] = {"key_id": self._new_id, "updated_at": now}
                for column in _TOTP_COLUMNS:
                    blob = getattr(row, column)
                    context = f"hospital_operators.{column}"
                    if blob is not None:
                        plain = self._decrypt(bytes(blob), context, f"operator {row.code}")
                        values[column] = self._new.encrypt(plain, context)
                # A new version: windows pull the account again (and can read it with the new key).
                values["version"] = func.nextval("hospital_shared_version")
                connection.execute(update(o).where(o.c.code == row.code).values(**values))
        return len(rows)

    def _remaining(self) -> tuple[int, int]:
        r, o = schema.records, schema.operators
        with self._engine.connect() as connection:
            left = 0
            other = 0
            for table in (r, o):
                counts = connection.execute(
                    select(table.c.key_id, func.count())
                    .where(table.c.key_id.is_not(None))
                    .group_by(table.c.key_id)
                ).all()
                for identity, count in counts:
                    if identity == self._old_id:
                        left += int(count)
                    elif identity != self._new_id:
                        other += int(count)
        return left, other

    def _decrypt(self, blob: bytes, context: str, where: str) -> str:
        try:
            return self._old.decrypt(blob, context)
        except StoreError:
            raise StoreError(
                f"医院数据库中的记录（{where}）标明由旧密钥 {self._old_id} 加密，却无法用它解密："
                "旧密钥文件不对，或记录已被改动。请核对 --old-key 指定的文件，并报告信息科。",
                code="hospital_key_mismatch",
                detail={"row": where},
            ) from None


def _allow_rekey(connection: Connection) -> None:
    """This transaction may re-encrypt audit rows (the h0003 trigger checks it, and the owner)."""
    connection.execute(text("SELECT set_config('settlement_window.rekey', 'on', true)"))
