"""Offline charge-claim conflicts as the services see them (hospital mode, issue 13).

A window that settled a HIS visit under the HIS's lock alone (the hospital database away) pushes its
claims once the server answers again. If another window's bill holds the same charges by then, both
may have settled them: the pair of bills is recorded in the hospital record for a supervisor, who
checks with the patient, has one settlement cancelled (2208) and marks the conflict handled. Nothing
is refunded automatically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class ConflictSettlement:
    """One settlement of a conflicting bill, as the hospital record holds it now."""

    settlement_id: str
    operator_code: str
    operator_name: str  # "" when the hospital's accounts do not know the code
    settled_at: datetime
    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal
    cancelled_by: str  # the cancellation's settlement id ("" while live)
    cancelled_at_window: str = ""  # the window that made the cancellation (once it has synced)


@dataclass(frozen=True)
class ConflictSide:
    """One of the two bills: its window and its settlements (empty until the window's record has
    reached the hospital database)."""

    window: str
    bill_id: str
    settlements: tuple[ConflictSettlement, ...]

    def live(self) -> tuple[ConflictSettlement, ...]:
        """The settlements not cancelled."""
        return tuple(s for s in self.settlements if not s.cancelled_by)

    def total(self) -> Decimal:
        """The live settlements' total."""
        return sum((s.total for s in self.live()), Decimal("0.00"))


@dataclass(frozen=True)
class ClaimConflict:
    """Two bills that both claimed (and may both have settled) the same HIS charges."""

    conflict_id: int
    detected_at: datetime
    detected_by: str  # the window whose push found it (the offline side's window)
    operator_code: str  # who settled the offline side's bill
    outpatient_no: str
    line_nos: tuple[str, ...]
    offline: ConflictSide  # claimed under the HIS lock alone while the server was away
    other: ConflictSide  # held the hospital-wide claim when the push came
    handled_at: datetime | None = None
    handled_by: str = ""
    handled_window: str = ""
    note: str = ""

    @property
    def open(self) -> bool:
        """Not yet marked handled (nor closed as no longer standing)."""
        return self.handled_at is None

    @property
    def obsolete(self) -> bool:
        """Closed by a window, not by a supervisor: one side's settlements were all cancelled, so
        the charges are no longer settled twice (:meth:`ClaimConflicts.mark_obsolete`)."""
        return self.handled_at is not None and not self.handled_by

    def gone(self) -> ConflictSide | None:
        """The side whose settlements the hospital record shows all cancelled (the offline side
        first), ``None`` while both stand or a side has not synced."""
        for side in (self.offline, self.other):
            if side.settlements and not side.live():
                return side
        return None


class ClaimConflicts(Protocol):
    """The hospital record's charge-claim conflicts (PostgreSQL).

    Every method raises :class:`~app.errors.StoreError` (``hospital_unreachable``) when the hospital
    database cannot be reached.
    """

    def record(
        self,
        *,
        window: str,
        bill_id: str,
        operator_code: str,
        outpatient_no: str,
        line_nos: Sequence[str],
        other_window: str,
        other_bill_id: str,
        at: datetime,
    ) -> bool:
        """Record that ``bill_id`` of ``window`` and ``other_bill_id`` of ``other_window`` claimed
        the same charges; returns whether it is new (the same pair again adds nothing)."""
        ...

    def conflicts(
        self, *, include_handled: bool = False, obsolete_since: datetime | None = None
    ) -> list[ClaimConflict]:
        """The open conflicts (with ``include_handled``, the handled ones too; with
        ``obsolete_since``, also those closed as no longer standing since then), newest first,
        each with both bills' settlements as the hospital record holds them now."""
        ...

    def for_bill(self, bill_id: str) -> list[ClaimConflict]:
        """Every conflict (open or closed) found for the offline side's ``bill_id``."""
        ...

    def mark_obsolete(self, conflict_id: int, *, window: str, reason: str, at: datetime) -> bool:
        """Close ``conflict_id`` as no longer standing (one side's settlements were cancelled),
        found by ``window``, saying ``reason``; no operator is named (``handled_by`` stays empty).
        Returns whether this call closed it (``False``: closed already, by anyone)."""
        ...

    def mark_handled(
        self, conflict_id: int, *, operator_code: str, window: str, note: str, at: datetime
    ) -> ClaimConflict | None:
        """Mark ``conflict_id`` handled unless it is already; returns the conflict as it stands
        after (handled by whoever was first), ``None`` when there is no such conflict."""
        ...
