"""Staff accounts with argon2id password hashes and lockout bookkeeping (reliability.md §4.4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.domain.operator import Operator, Role
from app.errors import InputError
from app.services.ports.clock import Clock
from app.services.ports.hospital import SharedAccount
from app.services.ports.store import OperatorAccount, SecondFactorState
from app.store.models import OperatorRow, StoreMeta

# store_meta keys of hospital mode's copy of the hospital's accounts
_SHARED_VERSION_KEY = "hospital_operators_version"
_OFFLINE_FAILURES = "offline_failures:"


class SqlOperatorRepository:
    """:class:`~app.services.ports.store.OperatorRepository`; the hash never leaves this class."""

    def __init__(self, session: Session, hasher: PasswordHasher, clock: Clock) -> None:
        """Work inside ``session``; hash with ``hasher`` (argon2id)."""
        self._session = session
        self._hasher = hasher
        self._clock = clock

    def add(self, code: str, name: str, role: Role, password: str) -> None:
        """Create an account; a code that exists already is refused."""
        if self._session.get(OperatorRow, code) is not None:
            raise InputError(f"工号 {code} 已存在，请换一个工号。", code="operator_exists")
        self._session.add(
            OperatorRow(
                code=code,
                name=name,
                role=role,
                password_hash=self._hasher.hash(password),
                active=True,
                failed_attempts=0,
                locked_until=None,
                password_changed_at=self._clock.now(),
            )
        )
        self._session.flush()

    def get(self, code: str) -> OperatorAccount | None:
        """An account."""
        row = self._session.get(OperatorRow, code)
        return None if row is None else _account(row)

    def verify_password(self, code: str, password: str) -> bool:
        """Check ``password``; an unknown code costs the same time as a wrong password."""
        row = self._session.get(OperatorRow, code)
        stored = row.password_hash if row is not None else self._dummy_hash()
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if row is None:
            return False
        if self._hasher.check_needs_rehash(row.password_hash):
            row.password_hash = self._hasher.hash(password)
            self._session.flush()
        return True

    def set_password(self, code: str, password: str) -> None:
        """Reset a password (and record when)."""
        row = self._require(code)
        row.password_hash = self._hasher.hash(password)
        row.password_changed_at = self._clock.now()
        self._session.flush()

    def set_role(self, code: str, role: Role) -> None:
        """Change the role."""
        self._require(code).role = role
        self._session.flush()

    def set_active(self, code: str, *, active: bool) -> None:
        """Enable or disable an account."""
        self._require(code).active = active
        self._session.flush()

    def record_login(self, code: str, *, success: bool, locked_until: datetime | None) -> None:
        """Count a failure (or reset the count on success) and set the lock as the caller decided."""
        row = self._require(code)
        row.failed_attempts = 0 if success else row.failed_attempts + 1
        row.locked_until = locked_until
        self._session.flush()

    def all(self) -> Sequence[OperatorAccount]:
        """Every account, by code."""
        rows = self._session.scalars(select(OperatorRow).order_by(OperatorRow.code))
        return [_account(row) for row in rows]

    def second_factor(self, code: str) -> SecondFactorState:
        """The TOTP secrets (decrypted) and the last accepted time step."""
        row = self._require(code)
        return SecondFactorState(row.totp_secret, row.totp_pending, row.totp_last_step)

    def set_second_factor_pending(self, code: str, secret: str) -> None:
        """Keep ``secret`` for confirmation; an active secret stays in force until then."""
        self._require(code).totp_pending = secret
        self._session.flush()

    def activate_second_factor(self, code: str, step: int, at: datetime) -> None:
        """Make the pending secret the active one; ``step`` (the confirming code's) is used up."""
        row = self._require(code)
        if row.totp_pending is None:
            raise InputError(
                f"工号 {code} 没有待确认的动态验证码绑定，请先执行 totp-enroll。",
                code="second_factor_not_pending",
            )
        row.totp_secret = row.totp_pending
        row.totp_pending = None
        row.totp_last_step = step
        row.totp_enrolled_at = at
        self._session.flush()

    def record_second_factor_step(self, code: str, step: int) -> None:
        """Remember the time step of the code just accepted."""
        self._require(code).totp_last_step = step
        self._session.flush()

    def clear_second_factor(self, code: str) -> None:
        """Remove both secrets and the step."""
        row = self._require(code)
        row.totp_secret = None
        row.totp_pending = None
        row.totp_last_step = None
        row.totp_enrolled_at = None
        self._session.flush()

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
        row = self._session.get(OperatorRow, account.code)
        if row is None:
            row = OperatorRow(code=account.code)
            self._session.add(row)
        row.name = account.name
        row.role = account.role
        row.password_hash = account.password_hash
        row.password_changed_at = account.password_changed_at
        row.active = account.active
        row.failed_attempts = account.failed_attempts
        row.locked_until = account.locked_until
        row.totp_secret = account.totp_secret
        row.totp_pending = account.totp_pending
        row.totp_last_step = account.totp_last_step
        row.totp_enrolled_at = account.totp_enrolled_at
        self._session.flush()

    def set_lock(self, code: str, failed_attempts: int, locked_until: datetime | None) -> None:
        """Take the hospital-wide failure count and lock."""
        row = self._require(code)
        row.failed_attempts = failed_attempts
        row.locked_until = locked_until
        self._session.flush()

    def offline_failures(self) -> dict[str, int]:
        """Failures counted while the hospital database was unreachable, by code."""
        rows = self._session.scalars(
            select(StoreMeta).where(StoreMeta.key.startswith(_OFFLINE_FAILURES, autoescape=True))
        )
        return {row.key[len(_OFFLINE_FAILURES) :]: int(row.value) for row in rows}

    def set_offline_failures(self, code: str, count: int) -> None:
        """Remember (or, with 0, forget) failures not yet counted hospital-wide."""
        key = _OFFLINE_FAILURES + code
        if count <= 0:
            self._session.execute(delete(StoreMeta).where(StoreMeta.key == key))
        else:
            self._session.merge(StoreMeta(key=key, value=str(count)))
        self._session.flush()

    def shared_version(self) -> int:
        """The hospital accounts' version this copy holds (0: never pulled)."""
        row = self._session.get(StoreMeta, _SHARED_VERSION_KEY)
        return 0 if row is None else int(row.value)

    def set_shared_version(self, version: int) -> None:
        """Remember the version pulled so far."""
        self._session.merge(StoreMeta(key=_SHARED_VERSION_KEY, value=str(version)))
        self._session.flush()

    def _require(self, code: str) -> OperatorRow:
        row = self._session.get(OperatorRow, code)
        if row is None:
            raise InputError(f"没有工号为 {code} 的操作员，请核对工号。", code="operator_unknown")
        return row

    def _dummy_hash(self) -> str:
        return _dummy_hash_for(self._hasher)


_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _dummy_hash_for(hasher: PasswordHasher) -> str:
    # Same parameters as real hashes, so verifying against it takes as long.
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash("unknown operator")
    return _DUMMY_HASHES[key]


def _account(row: OperatorRow) -> OperatorAccount:
    return OperatorAccount(
        operator=Operator(code=row.code, name=row.name, role=row.role),
        active=row.active,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        second_factor=row.totp_secret is not None,
        second_factor_pending=row.totp_pending is not None,
    )
