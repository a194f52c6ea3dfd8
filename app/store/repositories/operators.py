"""Staff accounts with argon2id password hashes and lockout bookkeeping (reliability.md §4.4).

Core statements over :mod:`app.store.tables` only (no ORM object): the login path opens the store
without ``sqlalchemy.orm`` (docs/performance.md, CLI start-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row, bindparam, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.domain.operator import Operator, Role
from app.errors import InputError
from app.services.ports.clock import Clock
from app.services.ports.hospital import SharedAccount
from app.services.ports.store import OperatorAccount, SecondFactorState
from app.store.tables import Connected, operators, store_meta

# store_meta keys of hospital mode's copy of the hospital's accounts
_SHARED_VERSION_KEY = "hospital_operators_version"
_OFFLINE_FAILURES = "offline_failures:"

_GET = select(operators).where(operators.c.code == bindparam("code"))
_ALL = select(operators).order_by(operators.c.code)
_account_insert = sqlite_insert(operators)
_UPSERT_ACCOUNT = _account_insert.on_conflict_do_update(
    index_elements=[operators.c.code],
    set_={c.name: _account_insert.excluded[c.name] for c in operators.c if c.name != "code"},
)
_meta_insert = sqlite_insert(store_meta)
_PUT_META = _meta_insert.on_conflict_do_update(
    index_elements=[store_meta.c.key], set_={"value": _meta_insert.excluded.value}
)
_GET_META = select(store_meta.c.value).where(store_meta.c.key == bindparam("key"))


class SqlOperatorRepository:
    """:class:`~app.services.ports.store.OperatorRepository`; the hash never leaves this class."""

    def __init__(self, session: Connected, hasher: PasswordHasher, clock: Clock) -> None:
        """Work inside ``session``; hash with ``hasher`` (argon2id)."""
        self._session = session
        self._hasher = hasher
        self._clock = clock

    def add(self, code: str, name: str, role: Role, password: str) -> None:
        """Create an account; a code that exists already is refused."""
        if self._row(code) is not None:
            raise InputError(f"工号 {code} 已存在，请换一个工号。", code="operator_exists")
        self._session.connection().execute(
            operators.insert(),
            {
                "code": code,
                "name": name,
                "role": role,
                "password_hash": self._hasher.hash(password),
                "active": True,
                "failed_attempts": 0,
                "locked_until": None,
                "password_changed_at": self._clock.now(),
            },
        )

    def get(self, code: str) -> OperatorAccount | None:
        """An account."""
        row = self._row(code)
        return None if row is None else _account(row)

    def verify_password(self, code: str, password: str) -> bool:
        """Check ``password``; an unknown code costs the same time as a wrong password."""
        row = self._row(code)
        stored = row.password_hash if row is not None else self._dummy_hash()
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if row is None:
            return False
        if self._hasher.check_needs_rehash(row.password_hash):
            self._update(code, password_hash=self._hasher.hash(password))
        return True

    def set_password(self, code: str, password: str) -> None:
        """Reset a password (and record when)."""
        self._update(
            code, password_hash=self._hasher.hash(password), password_changed_at=self._clock.now()
        )

    def set_role(self, code: str, role: Role) -> None:
        """Change the role."""
        self._update(code, role=role)

    def set_active(self, code: str, *, active: bool) -> None:
        """Enable or disable an account."""
        self._update(code, active=active)

    def record_login(self, code: str, *, success: bool, locked_until: datetime | None) -> None:
        """Count a failure (or reset the count on success) and set the lock as the caller decided."""
        failures = 0 if success else operators.c.failed_attempts + 1
        self._update(code, failed_attempts=failures, locked_until=locked_until)

    def all(self) -> Sequence[OperatorAccount]:
        """Every account, by code."""
        return [_account(row) for row in self._session.connection().execute(_ALL)]

    def second_factor(self, code: str) -> SecondFactorState:
        """The TOTP secrets (decrypted) and the last accepted time step."""
        row = self._require(code)
        return SecondFactorState(row.totp_secret, row.totp_pending, row.totp_last_step)

    def set_second_factor_pending(self, code: str, secret: str) -> None:
        """Keep ``secret`` for confirmation; an active secret stays in force until then."""
        self._update(code, totp_pending=secret)

    def activate_second_factor(self, code: str, step: int, at: datetime) -> None:
        """Make the pending secret the active one; ``step`` (the confirming code's) is used up."""
        row = self._require(code)
        if row.totp_pending is None:
            raise InputError(
                f"工号 {code} 没有待确认的动态验证码绑定，请先执行 totp-enroll。",
                code="second_factor_not_pending",
            )
        self._update(
            code,
            totp_secret=row.totp_pending,
            totp_pending=None,
            totp_last_step=step,
            totp_enrolled_at=at,
        )

    def record_second_factor_step(self, code: str, step: int) -> None:
        """Remember the time step of the code just accepted."""
        self._update(code, totp_last_step=step)

    def clear_second_factor(self, code: str) -> None:
        """Remove both secrets and the step."""
        self._update(
            code, totp_secret=None, totp_pending=None, totp_last_step=None, totp_enrolled_at=None
        )

    def export(self, code: str) -> SharedAccount:
        """The account as the hospital shares it (hash and secrets included)."""
        row = self._require(code)
        return SharedAccount(
            code=row.code,
            name=row.name,
            role=row.role,
            password_hash=row.password_hash,
            password_changed_at=row.password_changed_at,
            active=row.active,
            failed_attempts=row.failed_attempts,
            locked_until=row.locked_until,
            totp_secret=row.totp_secret,
            totp_pending=row.totp_pending,
            totp_last_step=row.totp_last_step,
            totp_enrolled_at=row.totp_enrolled_at,
        )

    def import_shared(self, account: SharedAccount) -> None:
        """Create or replace the local copy of a hospital account."""
        self._session.connection().execute(
            _UPSERT_ACCOUNT,
            {
                "code": account.code,
                "name": account.name,
                "role": account.role,
                "password_hash": account.password_hash,
                "password_changed_at": account.password_changed_at,
                "active": account.active,
                "failed_attempts": account.failed_attempts,
                "locked_until": account.locked_until,
                "totp_secret": account.totp_secret,
                "totp_pending": account.totp_pending,
                "totp_last_step": account.totp_last_step,
                "totp_enrolled_at": account.totp_enrolled_at,
            },
        )

    def set_lock(self, code: str, failed_attempts: int, locked_until: datetime | None) -> None:
        """Take the hospital-wide failure count and lock."""
        self._update(code, failed_attempts=failed_attempts, locked_until=locked_until)

    def offline_failures(self) -> dict[str, int]:
        """Failures counted while the hospital database was unreachable, by code."""
        rows = self._session.connection().execute(
            select(store_meta.c.key, store_meta.c.value).where(
                store_meta.c.key.startswith(_OFFLINE_FAILURES, autoescape=True)
            )
        )
        return {row.key[len(_OFFLINE_FAILURES) :]: int(row.value) for row in rows}

    def set_offline_failures(self, code: str, count: int) -> None:
        """Remember (or, with 0, forget) failures not yet counted hospital-wide."""
        key = _OFFLINE_FAILURES + code
        connection = self._session.connection()
        if count <= 0:
            connection.execute(delete(store_meta).where(store_meta.c.key == key))
        else:
            connection.execute(_PUT_META, {"key": key, "value": str(count)})

    def shared_version(self) -> int:
        """The hospital accounts' version this copy holds (0: never pulled)."""
        value = self._session.connection().execute(_GET_META, {"key": _SHARED_VERSION_KEY}).scalar()
        return 0 if value is None else int(value)

    def set_shared_version(self, version: int) -> None:
        """Remember the version pulled so far."""
        self._session.connection().execute(
            _PUT_META, {"key": _SHARED_VERSION_KEY, "value": str(version)}
        )

    def _row(self, code: str) -> Row[Any] | None:
        return self._session.connection().execute(_GET, {"code": code}).first()

    def _require(self, code: str) -> Row[Any]:
        row = self._row(code)
        if row is None:
            raise _unknown(code)
        return row

    def _update(self, code: str, **values: Any) -> None:
        """Change one account's columns (through their types: the secrets are encrypted)."""
        result = self._session.connection().execute(
            update(operators).where(operators.c.code == code).values(values)
        )
        if not result.rowcount:
            raise _unknown(code)

    def _dummy_hash(self) -> str:
        return _dummy_hash_for(self._hasher)


def _unknown(code: str) -> InputError:
    return InputError(f"没有工号为 {code} 的操作员，请核对工号。", code="operator_unknown")


_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _dummy_hash_for(hasher: PasswordHasher) -> str:
    # Same parameters as real hashes, so verifying against it takes as long.
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash("unknown operator")
    return _DUMMY_HASHES[key]


def _account(row: Row[Any]) -> OperatorAccount:
    return OperatorAccount(
        operator=Operator(code=row.code, name=row.name, role=row.role),
        active=row.active,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        second_factor=row.totp_secret is not None,
        second_factor_pending=row.totp_pending is not None,
    )
