"""Hospital mode as the services see it: the window's outbox and the hospital's shared record.

The window's own SQLite store stays the place where every intent is made durable (local-first); the
hospital record (PostgreSQL) is fed from the outbox and is where windows see each other's work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from app.domain.catalogue import CatalogueItem
from app.domain.operator import Role


@dataclass(frozen=True)
class ReplicaItem:
    """One queued key and the record as it stands now (``None`` when it no longer exists)."""

    kind: str
    natural_key: str
    version: int
    queued_at: str
    record: dict[str, Any] | None


@dataclass(frozen=True)
class ReplicaStats:
    """The outbox as ``doctor`` and the status bar show it."""

    pending: int
    oldest_pending_at: datetime | None
    last_sync_at: datetime | None

    def lag_seconds(self, now: datetime) -> float:
        """How long the oldest pending record has waited (0 when nothing waits)."""
        if self.oldest_pending_at is None:
            return 0.0
        return max((now - self.oldest_pending_at).total_seconds(), 0.0)


class ReplicaOutbox(Protocol):
    """The window's queue of records for the hospital (inside a unit of work)."""

    def enable(self) -> int:
        """Switch queuing on and queue what is already stored; returns how many."""
        ...

    def enabled(self) -> bool:
        """Whether records are being queued."""
        ...

    def pending(self, limit: int) -> list[ReplicaItem]:
        """Up to ``limit`` undelivered keys, oldest first."""
        ...

    def mark_delivered(self, items: Iterable[ReplicaItem]) -> None:
        """The hospital holds these versions."""
        ...

    def mark_offered(self, items: Iterable[ReplicaItem]) -> None:
        """A delivery attempt of these versions is about to start (committed before it is sent)."""
        ...

    def mark_failed(self, items: Iterable[ReplicaItem], error: str) -> None:
        """A delivery attempt failed; they stay pending."""
        ...

    def offered(self, kind: str, natural_key: str) -> bool:
        """Whether any version of this record may have reached the hospital: delivered, or a
        delivery was started (its answer may have been lost with the process)."""
        ...

    def stats(self) -> ReplicaStats:
        """Pending count, oldest pending time, last successful sync."""
        ...

    def record_sync(self, at: datetime) -> None:
        """Remember the last successful sync."""
        ...


@dataclass(frozen=True)
class WindowStatus:
    """One window as the hospital record sees it."""

    device_no: str
    last_sync_at: datetime | None
    pending: int
    lag_seconds: float
    unresolved: int
    settlements_today: int
    total_today: Decimal
    fund_today: Decimal
    account_today: Decimal
    cash_today: Decimal
    # The window's last contact (a sync or a heartbeat); a heartbeat after the last sync means it
    # had nothing left to send then.
    last_report_at: datetime | None = None


@dataclass(frozen=True)
class HospitalSettlement:
    """A settlement (or cancellation) of any window, as the hospital record holds it."""

    settlement_id: str
    window: str
    bill_id: str
    operator_code: str
    settled_at: datetime
    med_type: str
    insurance_type: str
    clearing_type: str
    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal
    hospital: Decimal
    is_cancellation: bool
    original_settlement_id: str
    cancelled_by: str
    clearing_agency: str = ""
    msgid: str = ""


@dataclass(frozen=True)
class HospitalJournalRow:
    """A journal row of any window, as the hospital record projects it."""

    msgid: str
    window: str
    infno: str
    state: str
    bill_id: str
    settlement_id: str
    operator_code: str
    created_at: datetime
    # The hospital's resolution claim on the row (``journal:<msgid>``), when a window holds it:
    # which window is resolving it, under which operator, since when.
    claim_window: str = ""
    claim_operator: str = ""
    claimed_at: datetime | None = None


class WindowLiveness(Protocol):
    """Whether a window's program is running (a lock it holds for its lifetime)."""

    def is_alive(self, device_no: str) -> bool:
        """True while a running program holds ``device_no``."""
        ...


class HospitalRecord(Protocol):
    """The hospital's shared PostgreSQL record."""

    def apply(self, window: str, items: Sequence[ReplicaItem], at: datetime) -> None:
        """Store these records of ``window`` in one transaction (idempotent by key and version)."""
        ...

    def report_window(self, window: str, pending: int, lag_seconds: float, at: datetime) -> None:
        """Heartbeat: what ``window`` still has to send."""
        ...

    def windows(self, day: date) -> list[WindowStatus]:
        """Every known window with its lag, unresolved journal rows and ``day``'s totals."""
        ...

    def settlements(self, day: date, window: str | None = None) -> list[HospitalSettlement]:
        """``day``'s settlements and cancellations of every window (or of one)."""
        ...

    def claim_cancel(
        self, settlement_id: str, window: str, operator_code: str, at: datetime
    ) -> str:
        """Claim the right to cancel ``settlement_id``; returns the window that holds the claim
        (``window`` itself when this call won)."""
        ...

    def release_cancel(self, settlement_id: str, window: str) -> None:
        """Give a claim back (the cancellation was refused by the platform)."""
        ...

    def find_settlement(self, settlement_id: str) -> HospitalSettlement | None:
        """A settlement (or cancellation) of any window by its ``setl_id``."""
        ...

    def record_payload(self, window: str, kind: str, natural_key: str) -> dict[str, Any] | None:
        """A window's record, decrypted (``None`` when the hospital does not hold it)."""
        ...


class HospitalJournal(Protocol):
    """Every window's journal rows in the hospital record (the supervisor's view of them)."""

    def journal_row(self, msgid: str) -> HospitalJournalRow | None:
        """One row by msgid."""
        ...

    def unresolved_journal(self) -> list[HospitalJournalRow]:
        """Every window's rows without a definite outcome, oldest first."""
        ...

    def claim_resolution(self, msgid: str, window: str, operator_code: str, at: datetime) -> str:
        """Exactly one window resolves a row of a dead window; returns the holder."""
        ...

    def record_payload(self, window: str, kind: str, natural_key: str) -> dict[str, Any] | None:
        """A window's record, decrypted."""
        ...


class RecordImporter(Protocol):
    """Another window's bill or settlement brought into this window's store (inside a unit of
    work), so this window can cancel or refund it like its own."""

    def import_record(self, kind: str, record: dict[str, Any]) -> bool:
        """Store ``record`` unless it is already here; returns whether anything was written."""
        ...


class SharedCatalogue(Protocol):
    """The hospital's catalogue, imported once and pulled by every window (by version)."""

    def import_items(
        self,
        items: Sequence[CatalogueItem],
        at: datetime,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Upsert by hospital code in one transaction; returns how many are new or changed."""
        ...

    def changes(self, since: int, limit: int) -> tuple[list[CatalogueItem], int]:
        """Up to ``limit`` items changed after version ``since`` and the highest version among them."""
        ...

    def count(self) -> int:
        """Items in the hospital's catalogue."""
        ...


@dataclass(frozen=True)
class SharedAccount:
    """An operator account as the hospital shares it (hospital mode): everything a window needs to
    log the operator in on its own — the argon2id hash (never a password), the authenticator
    secrets (decrypted only in memory) and the lockout state.

    ``version`` orders changes: a window pulls the accounts changed after the version it holds.
    """

    code: str
    name: str
    role: Role
    password_hash: str
    password_changed_at: datetime
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    totp_secret: str | None
    totp_pending: str | None
    totp_last_step: int | None
    totp_enrolled_at: datetime | None
    version: int = 0


@dataclass(frozen=True)
class LockState:
    """An account's failed-attempt count and lock after counting failures hospital-wide."""

    failed_attempts: int
    locked_until: datetime | None


class OperatorDirectory(Protocol):
    """The hospital's operator accounts (hospital mode), one for every window.

    Every method raises :class:`~app.errors.StoreError` (``hospital_unreachable``) when the hospital
    database cannot be reached; the window then works from its local copy.
    """

    def changes(self, since: int) -> list[SharedAccount]:
        """Accounts changed after version ``since``, oldest change first."""
        ...

    def get(self, code: str) -> SharedAccount | None:
        """One account (``None``: the hospital has no such account)."""
        ...

    def codes(self) -> set[str]:
        """Every account's code."""
        ...

    def any_admin(self) -> bool:
        """Whether an administrator account exists."""
        ...

    def seed(self, accounts: Sequence[SharedAccount], at: datetime) -> bool:
        """Store ``accounts`` if the hospital has none yet (the first window brings its own);
        returns whether it did."""
        ...

    def put(self, account: SharedAccount, at: datetime, *, new: bool = False) -> int | None:
        """Create or replace an account (an administrator's change); returns its new version.
        ``new``: create only — ``None`` when the code exists already."""
        ...

    def count_failures(
        self, code: str, failures: int, at: datetime, max_failures: int, lockout_until: datetime
    ) -> LockState | None:
        """Add ``failures`` failed attempts; lock until ``lockout_until`` when the count reaches a
        multiple of ``max_failures``. ``None``: no such account."""
        ...

    def record_success(self, code: str, at: datetime) -> None:
        """A successful login: the failure count and the lock are cleared."""
        ...

    def use_step(self, code: str, step: int, at: datetime) -> bool:
        """Use one-time-code time step ``step``; ``False`` when it (or a later one) was already
        used — at any window."""
        ...
