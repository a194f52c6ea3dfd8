"""Hospital mode: the day's settlements of every window (or of one), as a supervisor or any window sees
them.

The hospital record holds what the windows have delivered; this window's own records not yet delivered
(the outbox is behind, or the hospital database is away) are merged in from the local store, marked as
not yet synced. Where both know a settlement, the hospital's row is shown, with a cancellation known
only locally so far added to it. With the hospital database unreachable the list is this window's own
and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from app.errors import StoreError
from app.messages import hospital_window as words
from app.services.day_close import day_bounds
from app.services.ports.hospital import HospitalRecord, HospitalSettlement
from app.services.ports.store import StoredSettlement, UnitOfWorkFactory


@dataclass(frozen=True)
class HistoryEntry:
    """One settlement or cancellation in the hospital history."""

    settlement: HospitalSettlement
    synced: bool  # the hospital record holds it


@dataclass(frozen=True)
class HospitalHistory:
    """A day's history across windows."""

    day: date
    entries: tuple[HistoryEntry, ...]
    complete: bool  # False: the hospital database was unreachable, only this window's rows
    notice: str = ""

    def windows(self) -> tuple[str, ...]:
        """The windows that appear, sorted."""
        return tuple(sorted({e.settlement.window for e in self.entries}))


def from_local(stored: StoredSettlement) -> HospitalSettlement:
    """A locally stored settlement in the hospital record's shape."""
    record, totals = stored.record, stored.record.totals
    return HospitalSettlement(
        settlement_id=record.settlement_id,
        window=stored.window,
        bill_id=stored.bill_id,
        operator_code=stored.operator_code,
        settled_at=record.settled_at,
        med_type=record.med_type,
        insurance_type=record.insurance_type,
        clearing_type=record.clearing_type,
        total=totals.total,
        fund=totals.fund,
        account=totals.account,
        cash=totals.cash,
        hospital=totals.hospital,
        is_cancellation=stored.is_cancellation,
        original_settlement_id=stored.original_settlement_id,
        cancelled_by=stored.cancelled_by,
        clearing_agency=record.clearing_agency,
        msgid=record.msgid,
    )


class HospitalHistoryService:
    """The cross-window history of one day."""

    def __init__(self, uow_factory: UnitOfWorkFactory, record: HospitalRecord) -> None:
        """Merge this window's store behind ``uow_factory`` with the hospital ``record``."""
        self._uow_factory = uow_factory
        self._record = record

    def day(self, day: date, window: str | None = None) -> HospitalHistory:
        """``day``'s settlements and cancellations of every window (or of ``window``), oldest first."""
        local = [s for s in self._local(day) if window is None or s.window == window]
        try:
            shared = self._record.settlements(day, window)
        except StoreError:
            entries = tuple(HistoryEntry(s, synced=False) for s in local)
            return HospitalHistory(
                day,
                entries,
                complete=False,
                notice=str(words.HISTORY_LOCAL_ONLY()),
            )
        return HospitalHistory(day, _merged(shared, local), complete=True)

    def _local(self, day: date) -> list[HospitalSettlement]:
        start, end = day_bounds(day)
        with self._uow_factory() as uow:
            return [from_local(s) for s in uow.settlements.between(start, end)]


def _merged(
    shared: list[HospitalSettlement], local: list[HospitalSettlement]
) -> tuple[HistoryEntry, ...]:
    mine = {s.settlement_id: s for s in local}
    entries = []
    for row in shared:
        known = mine.pop(row.settlement_id, None)
        shown = row
        if known is not None and known.cancelled_by and not row.cancelled_by:
            shown = replace(row, cancelled_by=known.cancelled_by)  # cancelled here, not yet synced
        entries.append(HistoryEntry(shown, synced=True))
    entries.extend(HistoryEntry(s, synced=False) for s in mine.values())
    entries.sort(key=lambda e: (e.settlement.settled_at, e.settlement.settlement_id))
    return tuple(entries)
