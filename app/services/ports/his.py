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
from typing import Protocol

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
