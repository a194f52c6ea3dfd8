"""This window's settlements of a day, as the history list shows them, and the lines of one.

The rows name each settlement's fee category from its stored group (the kind the plan gave it),
and the patient's masked person number and name from the bill and the eligibility cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.bill import FeeLine
from app.domain.masking import mask_number
from app.domain.plan import group_label, kind_of
from app.errors import InputError
from app.messages import history as words
from app.services.ports.clock import Clock
from app.services.ports.store import StoredSettlement, UnitOfWork, UnitOfWorkFactory
from app.services.settled_row import SettledRow

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class _Context:
    """What the store knows around one settlement: its bill's patient and its group's label."""

    person_no: str
    name: str
    category: str


class DaySettlements:
    """Reads the stored settlements for the history list (see module docstring)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        """Read through ``uow_factory``; ``clock`` says which day is today."""
        self._uow_factory = uow_factory
        self._clock = clock

    def today(self) -> tuple[SettledRow, ...]:
        """Today's settlements (local day), newest first."""
        return self.day(self._clock.now().astimezone(LOCAL_ZONE).date())

    def day(self, day: date) -> tuple[SettledRow, ...]:
        """The settlements, cancellations and self-pay collections of ``day`` (local), newest first."""
        start = datetime.combine(day, time.min, LOCAL_ZONE).astimezone(UTC)
        with self._uow_factory() as uow:
            stored = list(uow.settlements.between(start, start + timedelta(days=1)))
            contexts = {s.record.settlement_id: _context(uow, s) for s in stored}
        rows = [_row(s, contexts[s.record.settlement_id]) for s in stored]
        return tuple(sorted(rows, key=lambda r: r.settled_at, reverse=True))

    def people(self, settlement_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Masked person number and name of each settlement this store knows (its own and those
        imported from other windows); unknown ones are left out."""
        found: dict[str, tuple[str, str]] = {}
        with self._uow_factory() as uow:
            for settlement_id in settlement_ids:
                stored = uow.settlements.get(settlement_id)
                if stored is None or uow.bills.get(stored.bill_id) is None:
                    continue
                context = _context(uow, stored)
                found[settlement_id] = (mask_number(context.person_no), context.name)
        return found

    def lines(self, settlement_id: str) -> tuple[FeeLine, ...]:
        """The fee lines of the settlement's group, in bill order.

        Raises:
            InputError: no such settlement (or its bill is not here).
        """
        with self._uow_factory() as uow:
            stored = uow.settlements.get(settlement_id)
            bill = uow.bills.get(stored.bill_id) if stored is not None else None
            groups = list(uow.bills.groups(stored.bill_id)) if stored is not None else []
        if stored is None or bill is None:
            raise InputError(
                words.SETTLEMENT_NOT_FOUND(settlement_id=settlement_id), code="settlement_not_found"
            )
        keys = {no for g in groups if g.group_key == stored.group_key for no in g.line_nos}
        return tuple(line for line in bill.lines if line.line_no in keys)


def _context(uow: UnitOfWork, stored: StoredSettlement) -> _Context:
    bill = uow.bills.get(stored.bill_id)
    person_no = bill.person_no if bill is not None else ""
    cached = uow.persons.get(person_no) if person_no else None
    group = next(
        (g for g in uow.bills.groups(stored.bill_id) if g.group_key == stored.group_key), None
    )
    if group is not None:
        category = group.label
    else:  # a record without its bill's groups here: only what the record itself says
        record = stored.record
        category = group_label(kind_of(record.med_type, record.disease_code), record.disease_code)
    return _Context(person_no, cached.person.name if cached else "", category)


def _row(stored: StoredSettlement, context: _Context) -> SettledRow:
    totals = stored.record.totals
    return SettledRow(
        settlement_id=stored.record.settlement_id,
        bill_id=stored.bill_id,
        settled_at=stored.record.settled_at,
        person_no_masked=mask_number(context.person_no),
        category=context.category,
        total=totals.total,
        fund=totals.fund,
        account=totals.account,
        cash=totals.cash,
        operator_code=stored.operator_code,
        cancelled=bool(stored.cancelled_by) or stored.is_cancellation,
        patient_name=context.name,
    )
