"""The hospital information system (HIS) as the services see it, and the store's HIS outbox.

:class:`HisGateway` is implemented by the adapters in ``app.his`` (database middle tables, HTTP JSON,
a folder of files); :class:`HisRepository` by the store. Results travel through the outbox: written in
the same transaction as the settlement they report, delivered by :mod:`app.services.his_outbox`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from app.domain.his import ChargeResult, CurrentCharge, HisAck, HisChargeLine, HisVisit, PatientKey
from app.errors import AppError


class HisUnavailable(AppError):
    """The HIS did not answer, answered garbage, or timed out: nothing is known, try again later."""

    code = "his_unavailable"


class HisRejected(AppError):
    """The HIS understood the request and refused it (the text says why, in its own words)."""

    code = "his_rejected"


class HisGateway(Protocol):
    """The two calls every HIS integration offers (plus a re-read before settling)."""

    def unpaid_visits(self, key: PatientKey) -> Sequence[HisVisit]:
        """The patient's visits with unpaid, unwithdrawn charge lines (may be empty).

        Raises:
            HisUnavailable: the HIS could not be reached or answered nothing usable.
        """
        ...

    def current_charges(self, charge_ids: Sequence[str]) -> Sequence[CurrentCharge]:
        """The HIS's present view of these charge lines (missing ones are withdrawn).

        Raises:
            HisUnavailable: the HIS could not be reached or answered nothing usable.
        """
        ...

    def report(self, result: ChargeResult) -> HisAck:
        """Deliver one result. Idempotent by ``result.key``: a second delivery answers the first ack.

        Raises:
            HisUnavailable: unknown whether it arrived (retry with the same key).
            HisRejected: the HIS refused it (a supervisor must look).
        """
        ...


@dataclass(frozen=True)
class HisLockHolder:
    """Who holds the HIS's lock on one charge line, since when (``since`` may be unknown)."""

    charge_id: str
    window: str
    claim_id: str
    since: datetime | None = None


@runtime_checkable
class HisChargeLock(Protocol):
    """The optional lock-then-pay call pair a HIS may offer (OUTFEEPAYLOCK, PreOpPay, ...).

    A HIS that offers it is the arbiter between windows when the hospital database cannot be
    reached: a window settles a HIS visit only under the HIS's lock on its charge lines. The lock is
    taken per charge line, all or none, for a claim (the window's bill); the same holder asking again
    is granted again (idempotent). The HIS drops a line's lock itself once the line is paid (its
    paid state guards from then on); ``unlock`` gives lines back after a cancel or an abandon.
    """

    def lock(
        self, visit_no: str, charge_ids: Sequence[str], window: str, claim_id: str
    ) -> list[HisLockHolder]:
        """Lock ``charge_ids`` of ``visit_no`` for ``claim_id`` at ``window``, all or none.

        Returns the other holders (empty: granted; nothing is locked when it is not empty).

        Raises:
            HisUnavailable: unknown whether the lock was taken (ask again with the same claim).
            HisRejected: the HIS refused (e.g. it does not offer the lock after all).
        """
        ...

    def unlock(self, charge_ids: Sequence[str], claim_id: str) -> None:
        """Give back ``claim_id``'s locks on ``charge_ids`` (lines it does not hold are ignored).

        Raises:
            HisUnavailable: the HIS could not be reached (the lock stays until asked again).
        """
        ...


class OutboxState(StrEnum):
    """Delivery state of one outbox row."""

    PENDING = "pending"
    DELIVERED = "delivered"
    REFUSED = "refused"  # the HIS said no; kept for a supervisor, counted as pending attention


@dataclass(frozen=True)
class OutboxItem:
    """One result waiting for (or past) delivery."""

    seq: int
    result: ChargeResult
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    last_error: str = ""
    his_ref: str = ""


@dataclass(frozen=True)
class LoadedCharge:
    """A HIS charge line as it was loaded at this window, and whether it is paid here."""

    line: HisChargeLine
    visit_no: str
    paid_setl_id: str = ""


class HisRepository(Protocol):
    """HIS charge lines loaded here and the results outbox (``his_charges``, ``his_outbox``)."""

    def note_loaded(self, visit_no: str, lines: Sequence[HisChargeLine], at: datetime) -> None:
        """Remember lines as loaded (a line paid here keeps its paid mark)."""
        ...

    def loaded(self, charge_ids: Sequence[str]) -> Mapping[str, LoadedCharge]:
        """The loaded lines among ``charge_ids`` (others were typed at the window)."""
        ...

    def mark_paid(self, charge_id: str, setl_id: str) -> None:
        """The line is paid by ``setl_id`` here."""
        ...

    def mark_unpaid(self, charge_id: str) -> None:
        """The line's settlement was cancelled: payable again."""
        ...

    def enqueue(self, result: ChargeResult, at: datetime) -> bool:
        """Add a result to the outbox; ``False`` when its key is already there (nothing added)."""
        ...

    def due(self, now: datetime, limit: int) -> Sequence[OutboxItem]:
        """Pending rows, oldest first, including those not yet due (the caller keeps order)."""
        ...

    def record_delivery(self, seq: int, ack: HisAck, at: datetime) -> None:
        """The HIS acknowledged the row."""
        ...

    def record_failure(
        self, seq: int, error: str, next_attempt_at: datetime, *, refused: bool
    ) -> None:
        """A delivery attempt failed; retry at ``next_attempt_at`` (or never, when refused)."""
        ...

    def pending_count(self) -> int:
        """Rows not delivered (pending or refused)."""
        ...

    def retry_now(self, now: datetime, *, refused_too: bool = False) -> int:
        """Make waiting rows due now (a supervisor's "retry"); returns how many."""
        ...

    def items(self, charge_id: str = "") -> Sequence[OutboxItem]:
        """Every row (of one charge line), in order."""
        ...
