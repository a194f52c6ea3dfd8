"""The hospital's operator accounts in PostgreSQL (issue 13 item 3): one account for every window.

Rows hold the argon2id hash (never a password), the role, the disabled flag, the hospital-wide
failure count and lock, and the authenticator secrets encrypted under the hospital key (with that
key's id, so ``hospital key-rotate`` finds them). Every change takes a new ``version`` from
``hospital_shared_version`` under the shared advisory lock, so windows pulling "after version n" see
every change in commit order. Failures are counted with one ``UPDATE … RETURNING``: five wrong
passwords typed at two windows at once are five failures, and the fifth locks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from app.domain.operator import Role
from app.errors import StoreError
from app.services.ports.hospital import LockState, SharedAccount
from app.store.crypto import FieldCipher
from app.store.hospital import schema
from app.store.hospital.connect import unreachable
from app.store.hospital.record import key_id

log = logging.getLogger(__name__)

_SECRET = "hospital_operators.totp_secret"  # noqa: S105 (an encryption context, not a secret)
_PENDING = "hospital_operators.totp_pending"


def _lock(connection: Connection) -> None:
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:a, :b)"),
        {"a": schema.SHARED_LOCK_CLASS, "b": schema.SHARED_LOCK_KEY},
    )


def _next_version() -> Any:
    return func.nextval("hospital_shared_version")


class PgOperatorDirectory:
    """:class:`~app.services.ports.hospital.OperatorDirectory` on PostgreSQL."""

    def __init__(self, engine: Engine, hospital_key: bytes) -> None:
        """Use ``engine`` (schema at h0003 or later); secrets under ``hospital_key``."""
        self._engine = engine
        self._cipher = FieldCipher.from_data_key(hospital_key)
        self._key_id = key_id(hospital_key)

    def changes(self, since: int) -> list[SharedAccount]:
        """Accounts changed after ``since``, oldest change first (an account whose secrets are
        under another hospital key is left out, with a warning: the rotation is not finished)."""
        o = schema.operators
        rows = self._rows(select(o).where(o.c.version > since).order_by(o.c.version))
        accounts = []
        for row in rows:
            account = self._account(row)
            if account is not None:
                accounts.append(account)
        return accounts

    def get(self, code: str) -> SharedAccount | None:
        """One account."""
        o = schema.operators
        rows = self._rows(select(o).where(o.c.code == code))
        return self._account(rows[0]) if rows else None

    def codes(self) -> set[str]:
        """Every account's code."""
        return {row.code for row in self._rows(select(schema.operators.c.code))}

    def any_admin(self) -> bool:
        """Whether an administrator account exists."""
        o = schema.operators
        return bool(self._rows(select(o.c.code).where(o.c.role == Role.ADMIN.value).limit(1)))

    def seed(self, accounts: Sequence[SharedAccount], at: datetime) -> bool:
        """Store ``accounts`` when the hospital has none yet; returns whether it did."""
        o = schema.operators
        try:
            with self._engine.begin() as connection:
                _lock(connection)
                if connection.execute(select(o.c.code).limit(1)).first() is not None:
                    return False
                for account in accounts:
                    connection.execute(insert(o).values(self._values(account, at)))
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return True

    def put(self, account: SharedAccount, at: datetime, *, new: bool = False) -> int | None:
        """Create or replace an account; returns its new version (``new``: create only, ``None``
        when the code exists)."""
        o = schema.operators
        values = self._values(account, at)
        statement = insert(o).values(values)
        if new:
            upsert = statement.on_conflict_do_nothing(index_elements=["code"])
        else:
            upsert = statement.on_conflict_do_update(
                index_elements=["code"],
                set_={k: statement.excluded[k] for k in values if k != "code"},
            )
        try:
            with self._engine.begin() as connection:
                _lock(connection)
                version = connection.execute(upsert.returning(o.c.version)).scalar()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return None if version is None else int(version)

    def count_failures(
        self, code: str, failures: int, at: datetime, max_failures: int, lockout_until: datetime
    ) -> LockState | None:
        """Add ``failures``; lock when the count passes a multiple of ``max_failures``."""
        o = schema.operators
        total = o.c.failed_attempts + failures
        crosses = func.div(total, max_failures) > func.div(o.c.failed_attempts, max_failures)
        statement = (
            update(o)
            .where(o.c.code == code)
            .values(
                failed_attempts=total,
                locked_until=case((crosses, lockout_until), else_=o.c.locked_until),
                version=_next_version(),
                updated_at=at,
            )
            .returning(o.c.failed_attempts, o.c.locked_until)
        )
        try:
            with self._engine.begin() as connection:
                _lock(connection)
                row = connection.execute(statement).first()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return None if row is None else LockState(int(row[0]), row[1])

    def record_success(self, code: str, at: datetime) -> None:
        """Clear the failure count and the lock (a new version only when something changes)."""
        o = schema.operators
        statement = (
            update(o)
            .where(o.c.code == code, (o.c.failed_attempts != 0) | o.c.locked_until.is_not(None))
            .values(failed_attempts=0, locked_until=None, version=_next_version(), updated_at=at)
        )
        try:
            with self._engine.begin() as connection:
                _lock(connection)
                connection.execute(statement)
        except DBAPIError as exc:
            raise unreachable(exc) from exc

    def use_step(self, code: str, step: int, at: datetime) -> bool:
        """Use time step ``step`` unless it or a later one was used (at any window)."""
        o = schema.operators
        statement = (
            update(o)
            .where(
                o.c.code == code,
                o.c.totp_last_step.is_(None) | (o.c.totp_last_step < step),
            )
            .values(totp_last_step=step, version=_next_version(), updated_at=at)
            .returning(o.c.code)
        )
        try:
            with self._engine.begin() as connection:
                _lock(connection)
                row = connection.execute(statement).first()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return row is not None

    def _rows(self, query: Any) -> list[Any]:
        try:
            with self._engine.connect() as connection:
                return list(connection.execute(query).all())
        except DBAPIError as exc:
            raise unreachable(exc) from exc

    def _values(self, account: SharedAccount, at: datetime) -> dict[str, Any]:
        secret, pending = account.totp_secret, account.totp_pending
        return {
            "code": account.code,
            "name": account.name,
            "role": account.role.value,
            "password_hash": account.password_hash,
            "password_changed_at": account.password_changed_at,
            "active": account.active,
            "failed_attempts": account.failed_attempts,
            "locked_until": account.locked_until,
            "totp_secret": None if secret is None else self._cipher.encrypt(secret, _SECRET),
            "totp_pending": None if pending is None else self._cipher.encrypt(pending, _PENDING),
            "totp_last_step": account.totp_last_step,
            "totp_enrolled_at": account.totp_enrolled_at,
            "key_id": self._key_id if secret is not None or pending is not None else None,
            "version": _next_version(),
            "updated_at": at,
        }

    def _account(self, row: Any) -> SharedAccount | None:
        try:
            secret = self._secret(row.totp_secret, row.key_id, _SECRET)
            pending = self._secret(row.totp_pending, row.key_id, _PENDING)
        except StoreError:
            log.warning(
                "operator %s: authenticator secret under hospital key %s, this window has %s; "
                "left out until the key rotation is finished",
                row.code,
                row.key_id,
                self._key_id,
            )
            return None
        return SharedAccount(
            code=row.code,
            name=row.name,
            role=Role(row.role),
            password_hash=row.password_hash,
            password_changed_at=row.password_changed_at,
            active=row.active,
            failed_attempts=row.failed_attempts,
            locked_until=row.locked_until,
            totp_secret=secret,
            totp_pending=pending,
            totp_last_step=row.totp_last_step,
            totp_enrolled_at=row.totp_enrolled_at,
            version=row.version,
        )

    def _secret(self, blob: bytes | None, row_key: str | None, context: str) -> str | None:
        if blob is None:
            return None
        if row_key != self._key_id:
            raise StoreError("hospital key mismatch", code="hospital_key_mismatch")
        return self._cipher.decrypt(bytes(blob), context)
