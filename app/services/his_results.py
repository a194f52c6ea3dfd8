"""Results for the HIS, written into the outbox in the same transaction as the settlement they report.

Every path that stores a settlement (2207, a self-pay collection, a cancellation, the offline self-pay,
a partial refund's re-settlement) goes through ``uow.settlements.add``. :func:`recording_results` wraps
the unit-of-work factory once, at composition, so that this one call also writes one outbox row per
HIS charge line of the settlement: no settlement path can forget to report, and a crash between the
settlement and its report is impossible because they commit together.

Lines that were not loaded from the HIS (typed at the window) have no HIS charge and are not reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from app.domain.his import ChargeResult, LineMoney, ResultKind, allocate, fee_category, result_key
from app.domain.settlement import LineSplit
from app.services.ports.clock import Clock
from app.services.ports.his import LoadedCharge
from app.services.ports.store import (
    SettlementRepository,
    StoredSettlement,
    UnitOfWork,
    UnitOfWorkFactory,
)


class _RecordingSettlements:
    """The settlement repository, plus the HIS results of every settlement it stores."""

    def __init__(self, inner: SettlementRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._inner = inner
        self._uow = uow
        self._clock = clock

    def add(self, settlement: StoredSettlement) -> None:
        """Store the settlement and enqueue its HIS results (same transaction)."""
        self._inner.add(settlement)
        record_results(self._uow, settlement, self._clock.now())

    def get(self, settlement_id: str) -> StoredSettlement | None:
        """By ``setl_id``."""
        return self._inner.get(settlement_id)

    def mark_cancelled(self, settlement_id: str, cancellation_id: str) -> None:
        """Link a settlement to its cancellation."""
        self._inner.mark_cancelled(settlement_id, cancellation_id)

    def between(self, start: datetime, end: datetime) -> Sequence[StoredSettlement]:
        """Settlements and cancellations settled in ``[start, end)``."""
        return self._inner.between(start, end)

    def for_bill(self, bill_id: str) -> Sequence[StoredSettlement]:
        """All of a bill's settlements."""
        return self._inner.for_bill(bill_id)


class _RecordingFactory:
    def __init__(self, inner: UnitOfWorkFactory, clock: Clock) -> None:
        self._inner = inner
        self._clock = clock

    def __call__(self) -> UnitOfWork:
        uow = self._inner()
        uow.settlements = _RecordingSettlements(uow.settlements, uow, self._clock)
        return uow

    def defer(self, write: Callable[[UnitOfWork], None]) -> None:
        self._inner.defer(write)


def recording_results(inner: UnitOfWorkFactory, clock: Clock) -> UnitOfWorkFactory:
    """A unit-of-work factory whose stored settlements also enqueue their HIS results."""
    if isinstance(inner, _RecordingFactory):
        return inner
    return _RecordingFactory(inner, clock)


def record_results(uow: UnitOfWork, stored: StoredSettlement, now: datetime) -> int:
    """Enqueue one result per HIS charge line of ``stored``; returns how many were added."""
    record = stored.record
    original = (
        uow.settlements.get(stored.original_settlement_id) if stored.is_cancellation else None
    )
    splits = record.splits or (original.record.splits if original else ())
    loaded = uow.his.loaded([split.line_no for split in splits])
    his_splits = [split for split in splits if split.line_no in loaded]
    if not his_splits:
        return 0
    kind, orig_setl_id = _kind(uow, stored, original)
    source = original.record if original else record
    category = (*fee_category(source.med_type, source.disease_code), source.disease_code or "")
    totals = record.totals
    shares = _shares(
        his_splits,
        splits,
        fund=totals.fund,
        account=totals.account,
        hospital=totals.hospital,
        kind=kind,
    )
    added = 0
    for split, money in zip(his_splits, shares, strict=True):
        charge = loaded[split.line_no]
        added += _enqueue(
            uow,
            stored,
            charge=charge,
            split=split,
            money=money,
            kind=kind,
            orig_setl_id=orig_setl_id,
            category=category,
            now=now,
        )

    return added


def _kind(
    uow: UnitOfWork, stored: StoredSettlement, original: StoredSettlement | None
) -> tuple[ResultKind, str]:
    if original is not None:
        return ResultKind.CANCELLED, original.record.settlement_id
    if not stored.record.med_type:
        return ResultKind.SELF_PAY_COLLECTED, ""
    bill = uow.bills.get(stored.bill_id)
    if bill is not None and bill.parent_bill_id:
        earlier = [s for s in uow.settlements.for_bill(bill.parent_bill_id) if s.cancelled_by]
        return ResultKind.PARTLY_REFUNDED, earlier[-1].record.settlement_id if earlier else ""
    return ResultKind.SETTLED, ""


def _shares(
    his_splits: Sequence[LineSplit],
    splits: Sequence[LineSplit],
    *,
    fund: Decimal,
    account: Decimal,
    hospital: Decimal,
    kind: ResultKind,
) -> list[LineMoney]:
    """Each HIS line's share of the settlement, shared over all of the settlement's lines."""
    sign = Decimal(-1) if kind is ResultKind.CANCELLED else Decimal(1)
    amounts = [sign * abs(split.amount) for split in splits]
    everyone = allocate(amounts, fund, account, hospital)
    by_line = {split.line_no: money for split, money in zip(splits, everyone, strict=True)}
    return [by_line[split.line_no] for split in his_splits]


def _enqueue(
    uow: UnitOfWork,
    stored: StoredSettlement,
    *,
    charge: LoadedCharge,
    split: LineSplit,
    money: LineMoney,
    kind: ResultKind,
    orig_setl_id: str,
    category: tuple[str, str, str],
    now: datetime,
) -> int:
    # A cancellation is keyed by the settlement it undoes: one settlement is cancelled once.
    setl_id = orig_setl_id if kind is ResultKind.CANCELLED else stored.record.settlement_id
    result = ChargeResult(
        key=result_key(setl_id, split.line_no, kind),
        kind=kind,
        charge_id=split.line_no,
        visit_no=charge.visit_no,
        setl_id=stored.record.settlement_id,
        fee_category=category[0],
        fee_category_name=category[1],
        disease_code=category[2],
        money=money,
        occurred_at=stored.record.settled_at,
        operator_code=stored.operator_code,
        window=stored.window,
        orig_setl_id=orig_setl_id,
    )
    if kind is ResultKind.CANCELLED:
        uow.his.mark_unpaid(split.line_no)
    else:
        uow.his.mark_paid(split.line_no, stored.record.settlement_id)
    return int(uow.his.enqueue(result, now))
