"""The local store as the services see it: one unit of work per user action, repositories inside.

Repositories take and return domain values only; ORM objects never leave ``app.store``. Every write
happens inside ``with uow:`` (one SQLite ``BEGIN IMMEDIATE`` transaction) and is durable once
``uow.commit()`` returns (WAL + ``synchronous=FULL``). Leaving the block without commit rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from app.domain.catalogue import CatalogueItem
from app.domain.journal import JournalEntry, JournalState
from app.domain.operator import Operator, Role
from app.domain.person import InsuredPerson
from app.domain.settlement import SettlementRecord
from app.domain.visit import Bill, BillStatus, GroupSettlement, GroupState
from app.services.ports.charge_claims import ChargeClaimRepository
from app.services.ports.his import HisRepository
from app.services.ports.hospital import RecordImporter, ReplicaOutbox, SharedAccount


class MsgIdRepository(Protocol):
    """The persisted msgid counter (interface.md B §1.3, reliability.md R7)."""

    def next_msgid(self, institution_code: str, now: datetime) -> str:
        """institution(12) + yyyyMMddHHmmss(14) + 4-digit sequence; never reused, even if the clock
        goes back (the time part then stays at the last issued second and the sequence goes on)."""
        ...

    def use_window_slot(self, slot: int | None) -> None:
        """Hospital mode: the windows of one institution share its msgid space, so each window
        issues only sequences ``slot*100 .. slot*100+99`` (``slot`` 0–99, unique per window; ``None``:
        the whole range, a stand-alone window)."""
        ...

    def window_slot(self) -> int | None:
        """The slot set by :meth:`use_window_slot`, or ``None``."""
        ...

    def require_window_slot(self) -> None:
        """Hospital mode: from now on, without a slot :meth:`window_slot_missing` says so."""
        ...

    def window_slot_missing(self) -> bool:
        """A slot is required but none was ever obtained: no state-changing call may be sent."""
        ...


class JournalRepository(Protocol):
    """The journal of state-changing platform calls (reliability.md §2.2). Append-mostly: every state
    change is also written as an event row."""

    def add(self, entry: JournalEntry) -> None:
        """Insert a new row (normally ``PREPARED``). The msgid is unique."""
        ...

    def move(
        self,
        msgid: str,
        state: JournalState,
        now: datetime,
        *,
        error: str = "",
        visit_id: str = "",
        settlement_id: str = "",
        count_attempt: bool = False,
    ) -> JournalEntry:
        """Move a row along the state machine (illegal edges raise), record the event, return it."""
        ...

    def advance(
        self,
        msgid: str,
        moves: Sequence[tuple[JournalState, datetime]],
        *,
        error: str = "",
        visit_id: str = "",
        settlement_id: str = "",
        owner: str = "",
    ) -> None:
        """Several moves in one write, each checked and recorded as an event (a call's ``SENT`` and
        its answer); ``error`` belongs to the last move. With ``owner`` the row must still belong to
        that lease, else ``OwnershipLost`` (issue #16)."""
        ...

    def get(self, msgid: str) -> JournalEntry | None:
        """The row for ``msgid``."""
        ...

    def unresolved(self) -> Sequence[JournalEntry]:
        """Rows whose state is not resolved, oldest first."""
        ...

    def for_bill(self, bill_id: str) -> Sequence[JournalEntry]:
        """Every row of a bill, oldest first."""
        ...

    def between(self, start: datetime, end: datetime) -> Sequence[JournalEntry]:
        """Rows created in ``[start, end)``."""
        ...

    def take_over(self, from_owner: str, to_owner: str) -> int:
        """Give every row of ``from_owner`` (a lease proved dead) to ``to_owner``; returns the count."""
        ...

    def assign(self, msgid: str, owner: str) -> None:
        """Give one row to ``owner`` (only for rows nobody works on: escalated to a supervisor)."""
        ...

    def open_visits(self, since: datetime) -> Sequence[JournalEntry]:
        """2201 rows created since ``since``, answered OK, whose registration is neither withdrawn
        (2202 OK) nor settled (a 2207 in force), with no unresolved row on the visit (issue #11
        item 2)."""
        ...

    def visit_owner(self, visit_id: str) -> str:
        """The owner of the latest row on ``visit_id``."""
        ...


@dataclass(frozen=True)
class CachedPerson:
    """A person from the eligibility cache with the time it was fetched."""

    person: InsuredPerson
    fetched_at: datetime


class PersonCache(Protocol):
    """Eligibility cache (advisory; never used for money). Personal data is encrypted at rest."""

    def put(self, person: InsuredPerson, fetched_at: datetime, lookup_keys: Sequence[str]) -> None:
        """Store or replace; ``lookup_keys`` are ID number, card number, ecToken… (kept hashed)."""
        ...

    def find(self, lookup_key: str) -> CachedPerson | None:
        """By any lookup key given to :meth:`put`."""
        ...

    def get(self, person_no: str) -> CachedPerson | None:
        """By ``psn_no``."""
        ...

    def purge_older_than(self, cutoff: datetime) -> int:
        """Delete cached people fetched before ``cutoff``; returns how many."""
        ...


class CatalogueRepository(Protocol):
    """The hospital item catalogue, searchable by code, national code, name and pinyin initials."""

    def upsert_many(self, items: Sequence[CatalogueItem]) -> int:
        """Insert or replace by hospital code; returns the count."""
        ...

    def get(self, hospital_code: str) -> CatalogueItem | None:
        """One item."""
        ...

    def search(self, text: str, limit: int = 50) -> Sequence[CatalogueItem]:
        """Prefix search over hospital code, national code, pinyin initials; substring on name."""
        ...

    def count(self) -> int:
        """Number of items."""
        ...

    def version(self) -> str:
        """Last downloaded platform catalogue version ('' if never)."""
        ...

    def set_version(self, version: str) -> None:
        """Remember the downloaded version for incremental updates."""
        ...

    def shared_version(self) -> int:
        """Hospital mode: the hospital catalogue's version this copy holds (0 if never pulled)."""
        ...

    def set_shared_version(self, version: int) -> None:
        """Remember the hospital catalogue's version pulled so far."""
        ...


class BillRepository(Protocol):
    """Bills, their lines and tags, and the per-group settlement state."""

    def save(self, bill: Bill) -> None:
        """Insert or replace a bill with its lines and tags."""
        ...

    def get(self, bill_id: str) -> Bill | None:
        """A bill."""
        ...

    def set_status(self, bill_id: str, status: BillStatus) -> None:
        """Change a bill's status."""
        ...

    def save_group(self, group: GroupSettlement) -> None:
        """Insert or replace one group's state (keyed by bill and group key)."""
        ...

    def groups(self, bill_id: str) -> Sequence[GroupSettlement]:
        """All groups of a bill."""
        ...

    def group_states(self, bill_id: str) -> Sequence[GroupState]:
        """The states of a bill's groups (nothing else read: no record decrypted or decoded)."""
        ...


@dataclass(frozen=True)
class StoredSettlement:
    """A settlement as kept for receipts, history and reconciliation."""

    record: SettlementRecord
    bill_id: str
    group_key: str
    operator_code: str
    window: str
    cancelled_by: str = ""  # the cancellation's setl_id
    is_cancellation: bool = False
    original_settlement_id: str = ""


class SettlementRepository(Protocol):
    """Confirmed settlements (2207) and cancellations (2208), with split lines and fund rows."""

    def add(self, settlement: StoredSettlement) -> None:
        """Store a confirmed settlement or cancellation."""
        ...

    def get(self, settlement_id: str) -> StoredSettlement | None:
        """By ``setl_id``."""
        ...

    def mark_cancelled(self, settlement_id: str, cancellation_id: str) -> None:
        """Link a settlement to its cancellation."""
        ...

    def between(self, start: datetime, end: datetime) -> Sequence[StoredSettlement]:
        """Settlements and cancellations settled in ``[start, end)``."""
        ...

    def for_bill(self, bill_id: str) -> Sequence[StoredSettlement]:
        """All of a bill's settlements."""
        ...


@dataclass(frozen=True)
class ReceiptIssue:
    """A receipt number issued for a settlement (or a self-pay collection)."""

    receipt_no: str
    settlement_id: str
    bill_id: str
    group_key: str
    issued_at: datetime
    operator_code: str
    kind: str  # original | reissue | cancellation | refund | self_pay
    voided_by: str = ""  # 重打: the new receipt number that replaced this one
    replaces: str = ""  # 重打: the receipt number this one replaced
    copies: int = 0  # 补打 count


class ReceiptRepository(Protocol):
    """Receipt numbers, copies (补打) and reissues (重打)."""

    def issue(self, issue: ReceiptIssue) -> None:
        """Record a newly issued receipt number."""
        ...

    def next_receipt_no(self, day: date) -> str:
        """Next receipt number for ``day`` (never reused)."""
        ...

    def record_copy(self, receipt_no: str, at: datetime, operator_code: str) -> int:
        """补打: count a copy; returns the copy number."""
        ...

    def void(self, receipt_no: str, replaced_by: str) -> None:
        """重打: void ``receipt_no`` in favour of ``replaced_by``."""
        ...

    def get(self, receipt_no: str) -> ReceiptIssue | None:
        """A receipt."""
        ...

    def for_settlement(self, settlement_id: str) -> Sequence[ReceiptIssue]:
        """Every receipt issued for a settlement."""
        ...

    def issued_between(self, start: datetime, end: datetime) -> Sequence[ReceiptIssue]:
        """Receipts issued in ``[start, end)``, in number order."""
        ...


@dataclass(frozen=True)
class OperatorAccount:
    """A stored operator with authentication state (the hash never leaves the store).

    ``second_factor``: a confirmed authenticator is enrolled; ``second_factor_pending``: one was
    shown at enrolment and awaits its confirming code.
    """

    operator: Operator
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    second_factor: bool = False
    second_factor_pending: bool = False


@dataclass(frozen=True)
class SecondFactorState:
    """An account's TOTP secrets (base32) and the time step of the last accepted code."""

    secret: str | None
    pending: str | None
    last_step: int | None


class OperatorRepository(Protocol):
    """Staff accounts; passwords hashed with a maintained KDF inside the store."""

    def add(self, code: str, name: str, role: Role, password: str) -> None:
        """Create an account."""
        ...

    def get(self, code: str) -> OperatorAccount | None:
        """An account."""
        ...

    def verify_password(self, code: str, password: str) -> bool:
        """Constant-time check against the stored hash."""
        ...

    def set_password(self, code: str, password: str) -> None:
        """Reset a password."""
        ...

    def set_role(self, code: str, role: Role) -> None:
        """Change the role."""
        ...

    def set_active(self, code: str, *, active: bool) -> None:
        """Enable or disable."""
        ...

    def record_login(self, code: str, *, success: bool, locked_until: datetime | None) -> None:
        """Count a failure (or reset on success) and set the lock."""
        ...

    def all(self) -> Sequence[OperatorAccount]:
        """Every account."""
        ...

    def second_factor(self, code: str) -> SecondFactorState:
        """The account's TOTP state (secrets decrypted; keep them in memory only)."""
        ...

    def set_second_factor_pending(self, code: str, secret: str) -> None:
        """Keep ``secret`` as the enrolment awaiting confirmation (the active one stays)."""
        ...

    def activate_second_factor(self, code: str, step: int, at: datetime) -> None:
        """The pending secret becomes the active one; ``step`` counts as used."""
        ...

    def record_second_factor_step(self, code: str, step: int) -> None:
        """Remember the time step of an accepted code (later codes must be newer)."""
        ...

    def clear_second_factor(self, code: str) -> None:
        """Remove the active and the pending secret."""
        ...

    # Hospital mode: this store's copy of the hospital's accounts (issue 13 item 3).

    def export(self, code: str) -> SharedAccount:
        """The account as the hospital shares it (hash, secrets, lockout)."""
        ...

    def import_shared(self, account: SharedAccount) -> None:
        """Create or replace the local copy of a hospital account."""
        ...

    def set_lock(self, code: str, failed_attempts: int, locked_until: datetime | None) -> None:
        """Take the hospital-wide failure count and lock."""
        ...

    def offline_failures(self) -> dict[str, int]:
        """Failed attempts counted while the hospital database was unreachable, by code."""
        ...

    def set_offline_failures(self, code: str, count: int) -> None:
        """Remember (or, with 0, forget) failures not yet counted hospital-wide."""
        ...

    def shared_version(self) -> int:
        """The hospital accounts' version this copy holds (0: never pulled)."""
        ...

    def set_shared_version(self, version: int) -> None:
        """Remember the version pulled so far."""
        ...


class ConfigFingerprints(Protocol):
    """Per-key fingerprints of the effective configuration at the last start."""

    def last(self) -> dict[str, str] | None:
        """The stored fingerprints, or ``None`` before the first start that recorded them."""
        ...

    def save(self, fingerprints: Mapping[str, str], at: datetime) -> None:
        """Replace the stored fingerprints."""
        ...


@dataclass(frozen=True)
class AuditRecord:
    """One audit row as read back."""

    seq: int
    at: datetime
    operator_code: str
    event: str
    outcome: str
    detail: str
    bill_id: str = ""
    msgid: str = ""


class AuditLog(Protocol):
    """Append-only, hash-chained audit log (reliability.md S5)."""

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
        """Add a row chained to the previous one."""
        ...

    def verify(self) -> list[str]:
        """Problems found in the chain (edited, deleted, reordered rows); empty when intact."""
        ...

    def verify_incremental(self) -> list[str]:
        """Like :meth:`verify` for the rows after the stored (keyed) checkpoint; when intact the
        checkpoint moves to the head (commit the unit of work to keep it)."""
        ...

    def head(self) -> tuple[int, str]:
        """The last row's sequence number and chain hash."""
        ...

    def between(self, start: datetime, end: datetime) -> Sequence[AuditRecord]:
        """Rows in ``[start, end)``."""
        ...


@dataclass(frozen=True)
class DayCloseResult:
    """A stored day-close outcome."""

    day: date
    closed_at: datetime
    operator_code: str
    balanced: bool
    summary: str
    totals: dict[str, Decimal]


class DayCloseRepository(Protocol):
    """Day-close results."""

    def add(self, result: DayCloseResult) -> None:
        """Store a result."""
        ...

    def get(self, day: date) -> DayCloseResult | None:
        """The latest result of ``day``."""
        ...


class UnitOfWork(Protocol):
    """One transaction with every repository bound to it."""

    msgids: MsgIdRepository
    journal: JournalRepository
    persons: PersonCache
    catalogue: CatalogueRepository
    bills: BillRepository
    settlements: SettlementRepository
    receipts: ReceiptRepository
    operators: OperatorRepository
    audit: AuditLog
    day_closes: DayCloseRepository
    config_state: ConfigFingerprints
    claims: ChargeClaimRepository
    his: HisRepository
    replica: ReplicaOutbox
    imports: RecordImporter

    def __enter__(self) -> Self:
        """Begin (``BEGIN IMMEDIATE``)."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back unless committed."""
        ...

    def commit(self) -> None:
        """Commit durably."""
        ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work per user action (never shared between threads)."""

    def __call__(self) -> UnitOfWork:
        """A new unit of work."""
        ...

    def defer(self, write: Callable[[UnitOfWork], None]) -> None:
        """Have ``write`` ride on the next unit of work that commits instead of a commit of its
        own; every later unit of work reads what it wrote. For advisory data only (a cache): a
        process killed before that commit loses it."""
        ...
