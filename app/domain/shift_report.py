"""The cashier's shift report (收费员日结单 / 交班表), computed from plain records.

At the end of a shift a cashier hands the finance office the cash and a printed report of everything
that happened at the window: what was settled, cancelled, refunded, collected as 全额自费; by fee
category and by payer; which receipt numbers were used; whether the day reconciled with the platform.

This module only adds up. The records come from the store through ``app.services.shift_report`` and
may come from several windows at once (the hospital-wide version): :func:`build_shift_report` keeps
one :class:`OperatorShift` section per (window, operator) and adds the sections up, so a supervisor's
report of many windows is the same computation as a cashier's own.

Rules (peers.md §4.8): every stored record counts with its sign — a cancellation or refund is negative
— so refunds are in the totals by construction; reversed settlements (2601 after a lost 2207) are
listed with the amount that was at stake and add nothing, because no money moved.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from app.domain.money import ZERO, money_sum
from app.domain.plan import group_label, group_order
from app.domain.receipt import FeeCategory
from app.messages import Message
from app.messages import shift_report as words

K = TypeVar("K")


class EntryKind(StrEnum):
    """What a stored record is, for the shift report."""

    SETTLEMENT = "settlement"
    RESETTLEMENT = "resettlement"
    CANCELLATION = "cancellation"
    PARTIAL_REFUND = "partial_refund"
    SELF_PAY = "self_pay"
    SELF_PAY_REFUND = "self_pay_refund"

    @property
    def label(self) -> str:
        """What staff call it (Chinese)."""
        return str(
            {
                "settlement": words.ENTRY_SETTLEMENT,
                "resettlement": words.ENTRY_RESETTLEMENT,
                "cancellation": words.ENTRY_CANCELLATION,
                "partial_refund": words.ENTRY_PARTIAL_REFUND,
                "self_pay": words.ENTRY_SELF_PAY,
                "self_pay_refund": words.ENTRY_SELF_PAY_REFUND,
            }[self.value]()
        )

    @property
    def insured(self) -> bool:
        """Whether the record went through the platform (counts in the 3201 reconciliation)."""
        return self not in (EntryKind.SELF_PAY, EntryKind.SELF_PAY_REFUND)


@dataclass(frozen=True)
class Amounts:
    """Who paid: fund + personal account + cash (+ the hospital's share, rare) = total."""

    total: Decimal = ZERO
    fund: Decimal = ZERO
    account: Decimal = ZERO
    cash: Decimal = ZERO
    hospital: Decimal = ZERO

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            total=self.total + other.total,
            fund=self.fund + other.fund,
            account=self.account + other.account,
            cash=self.cash + other.cash,
            hospital=self.hospital + other.hospital,
        )

    @property
    def balanced(self) -> bool:
        """fund + account + cash + hospital = total."""
        return money_sum((self.fund, self.account, self.cash, self.hospital)) == self.total


def sum_amounts(items: Iterable[Amounts]) -> Amounts:
    """The sum of several amounts (an empty sum is zero); field by field, which is much faster than
    adding frozen values one by one on a busy day."""
    listed = list(items)
    return Amounts(
        total=sum((a.total for a in listed), ZERO),
        fund=sum((a.fund for a in listed), ZERO),
        account=sum((a.account for a in listed), ZERO),
        cash=sum((a.cash for a in listed), ZERO),
        hospital=sum((a.hospital for a in listed), ZERO),
    )


@dataclass(frozen=True, order=True)
class CategoryKey:
    """A fee category as the report groups it: each chronic disease, 普通门诊, 全额自费."""

    category: FeeCategory
    disease_code: str = ""
    disease_name: str = ""

    @property
    def label(self) -> str:
        """The group's one label (:func:`group_label`), e.g. ``门诊慢特病 恶性肿瘤门诊治疗（M00500）``."""
        return group_label(self.category, self.disease_code or None)

    @property
    def sort_key(self) -> tuple[int, str]:
        """The one group order (:func:`group_order`): chronic diseases by code, 普通门诊, 全额自费."""
        return group_order(self.category, self.disease_code)


@dataclass(frozen=True)
class ShiftRecord:
    """One stored settlement, cancellation or self-pay collection (amounts signed)."""

    settlement_id: str
    kind: EntryKind
    category: CategoryKey
    operator_code: str
    window: str
    at: datetime
    amounts: Amounts
    bill_id: str = ""
    insurance_type: str = ""
    clearing_type: str = ""
    clearing_agency: str = ""


@dataclass(frozen=True)
class ReversalRecord:
    """A 2207 whose answer was lost and that was reversed (2601): listed, adds nothing."""

    msgid: str
    bill_id: str
    group_key: str
    operator_code: str
    window: str
    at: datetime
    amount: Decimal


@dataclass(frozen=True)
class ReceiptRecord:
    """One issued receipt number."""

    receipt_no: str
    settlement_id: str
    kind: str  # original | reissue | cancellation | refund | self_pay
    operator_code: str
    window: str
    issued_at: datetime
    voided_by: str = ""
    replaces: str = ""
    copies: int = 0


class ReconciliationState(StrEnum):
    """The day's reconciliation with the platform (3201/3202) as the report shows it."""

    BALANCED = "balanced"
    UNBALANCED = "unbalanced"
    NOT_CLOSED = "not_closed"

    @property
    def label(self) -> str:
        """What staff call it (Chinese)."""
        return str(
            {
                "balanced": words.RECONCILED_BALANCED,
                "unbalanced": words.RECONCILED_UNBALANCED,
                "not_closed": words.NOT_CLOSED,
            }[self.value]()
        )


@dataclass(frozen=True)
class Reconciliation:
    """The latest day close of the report's day (or none yet).

    ``changed_count`` / ``changed_total``: records of the day (settlements, cancellations, refunds,
    self-pay collections) made after that close, which its result therefore does not cover.
    """

    day: date
    state: ReconciliationState
    closed_at: datetime | None = None
    closed_by: str = ""
    summary: str = ""
    changed_count: int = 0
    changed_total: Decimal = ZERO

    @property
    def covers_day(self) -> bool:
        """Whether the cited day close still covers every record of the day (no close: False)."""
        return self.state is not ReconciliationState.NOT_CLOSED and self.changed_count == 0

    @property
    def outdated(self) -> bool:
        """A day close was run but records of the day were made after it: close the day again."""
        return self.state is not ReconciliationState.NOT_CLOSED and self.changed_count > 0

    def changed_words(self) -> Message | None:
        """What to tell staff when the close is outdated (``None`` when it is not)."""
        if not self.outdated:
            return None
        return words.CHANGED_AFTER_CLOSE(
            count=self.changed_count, total=f"{self.changed_total:.2f}"
        )


def after_close(
    reconciliation: Reconciliation,
    made: Iterable[tuple[datetime, Decimal]],
    day_start: datetime,
    day_end: datetime,
) -> Reconciliation:
    """``reconciliation`` with the records of its day made after its close counted.

    ``made`` holds ``(made at, signed total)`` of any records (of every window and operator: the
    day close covers them all); those in ``[day_start, day_end)`` and after the close count.
    """
    closed_at = reconciliation.closed_at
    if reconciliation.state is ReconciliationState.NOT_CLOSED or closed_at is None:
        return reconciliation
    late = [total for at, total in made if day_start <= at < day_end and at > closed_at]
    return replace(reconciliation, changed_count=len(late), changed_total=money_sum(late))


@dataclass(frozen=True)
class ShiftScope:
    """Whose records, where, and when: ``[start, end)`` (timezone-aware).

    ``operators`` / ``windows`` empty means everyone / every window (a supervisor's view).
    """

    day: date
    start: datetime
    end: datetime
    operators: frozenset[str] = frozenset()
    windows: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("shift bounds must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("a shift ends after it starts")

    def holds(self, at: datetime, operator_code: str, window: str) -> bool:
        """Whether a record made at ``at`` by ``operator_code`` at ``window`` is in the shift."""
        return (
            self.start <= at < self.end
            and (not self.operators or operator_code in self.operators)
            and (not self.windows or window in self.windows)
        )


@dataclass(frozen=True)
class Tally:
    """How many records and their money."""

    count: int = 0
    amounts: Amounts = field(default_factory=Amounts)


@dataclass(frozen=True)
class StatementTally:
    """Insured records of one 3201 reconciliation group (险种 × 清算类别 × 经办机构)."""

    insurance_type: str
    clearing_type: str
    clearing_agency: str
    count: int
    amounts: Amounts


@dataclass(frozen=True)
class ReceiptRange:
    """Consecutive receipt numbers, e.g. ``W01-2026112300001`` to ``W01-2026112300007``."""

    first: str
    last: str
    count: int

    @property
    def text(self) -> str:
        """``first`` alone, or ``first – last（n 张）``."""
        if self.count == 1:
            return self.first
        return str(words.RECEIPT_RANGE(first=self.first, last=self.last, count=self.count))


@dataclass(frozen=True)
class ReceiptUse:
    """Receipt numbers used in the shift: ranges, voided numbers and their reissues, copies."""

    ranges: tuple[ReceiptRange, ...] = ()
    voided: tuple[tuple[str, str], ...] = ()  # (voided number, number that replaced it)
    reissued: tuple[tuple[str, str], ...] = ()  # (new number, number it replaces)
    issued: int = 0
    copies: int = 0


@dataclass(frozen=True)
class OperatorShift:
    """One operator at one window."""

    window: str
    operator_code: str
    by_kind: tuple[tuple[EntryKind, Tally], ...]
    by_category: tuple[tuple[CategoryKey, Tally], ...]
    total: Tally
    reversals: tuple[ReversalRecord, ...]
    receipts: ReceiptUse


@dataclass(frozen=True)
class ShiftReport:
    """The report of a shift: sections per (window, operator) and the figures of them all."""

    scope: ShiftScope
    sections: tuple[OperatorShift, ...]
    by_kind: tuple[tuple[EntryKind, Tally], ...]
    by_category: tuple[tuple[CategoryKey, Tally], ...]
    total: Tally
    insured: tuple[StatementTally, ...]
    reversals: tuple[ReversalRecord, ...]
    receipts: ReceiptUse
    reconciliation: Reconciliation

    @property
    def reversed_amount(self) -> Decimal:
        """The money that was at stake in reversed settlements (not in any total)."""
        return money_sum(r.amount for r in self.reversals)

    def by_window(self) -> tuple[tuple[str, Tally], ...]:
        """Each window's figures (its operators' sections added up), by window number."""
        windows: dict[str, list[OperatorShift]] = defaultdict(list)
        for section in self.sections:
            windows[section.window].append(section)
        return tuple(
            (
                window,
                Tally(
                    count=sum(s.total.count for s in items),
                    amounts=sum_amounts(s.total.amounts for s in items),
                ),
            )
            for window, items in sorted(windows.items())
        )

    @property
    def insured_total(self) -> Tally:
        """Every record that went through the platform (what 3201 compares)."""
        return Tally(
            count=sum(group.count for group in self.insured),
            amounts=sum_amounts(group.amounts for group in self.insured),
        )


def build_shift_report(
    scope: ShiftScope,
    records: Iterable[ShiftRecord],
    reversals: Iterable[ReversalRecord],
    receipts: Iterable[ReceiptRecord],
    reconciliation: Reconciliation,
) -> ShiftReport:
    """Add up the records of ``scope`` (records outside it are ignored, so whole days or several
    windows' records can be passed in)."""
    mine = [r for r in records if scope.holds(r.at, r.operator_code, r.window)]
    lost = sorted(
        (r for r in reversals if scope.holds(r.at, r.operator_code, r.window)), key=_reversal_order
    )
    issued = sorted(
        (r for r in receipts if scope.holds(r.issued_at, r.operator_code, r.window)),
        key=lambda r: r.receipt_no,
    )
    by_records = _by_section(mine, lambda r: (r.window, r.operator_code))
    by_reversals = _by_section(lost, lambda r: (r.window, r.operator_code))
    by_receipts = _by_section(issued, lambda r: (r.window, r.operator_code))
    keys = sorted(by_records.keys() | by_reversals.keys() | by_receipts.keys())
    sections = tuple(
        _section(
            window,
            code,
            by_records.get((window, code), []),
            by_reversals.get((window, code), []),
            by_receipts.get((window, code), []),
        )
        for window, code in keys
    )
    return ShiftReport(
        scope=scope,
        sections=sections,
        by_kind=_tallies(mine, lambda r: r.kind, sort=_kind_order),
        by_category=_tallies(mine, lambda r: r.category, sort=lambda c: c.sort_key),
        total=_tally(mine),
        insured=_statement_tallies(mine),
        reversals=tuple(lost),
        receipts=receipt_use(issued),
        reconciliation=reconciliation,
    )


V = TypeVar("V")


def _by_section(
    items: Iterable[V], key: Callable[[V], tuple[str, str]]
) -> dict[tuple[str, str], list[V]]:
    """Items grouped by (window, operator), in their order."""
    groups: dict[tuple[str, str], list[V]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def _section(
    window: str,
    operator_code: str,
    records: Sequence[ShiftRecord],
    reversals: Sequence[ReversalRecord],
    receipts: Sequence[ReceiptRecord],
) -> OperatorShift:
    return OperatorShift(
        window=window,
        operator_code=operator_code,
        by_kind=_tallies(records, lambda r: r.kind, sort=_kind_order),
        by_category=_tallies(records, lambda r: r.category, sort=lambda c: c.sort_key),
        total=_tally(records),
        reversals=tuple(reversals),
        receipts=receipt_use(receipts),
    )


def _tally(records: Sequence[ShiftRecord]) -> Tally:
    return Tally(count=len(records), amounts=sum_amounts(r.amounts for r in records))


def _tallies(
    records: Sequence[ShiftRecord],
    key: Callable[[ShiftRecord], K],
    *,
    sort: Callable[[K], object],
) -> tuple[tuple[K, Tally], ...]:
    buckets: dict[K, list[ShiftRecord]] = defaultdict(list)
    for record in records:
        buckets[key(record)].append(record)
    ordered = sorted(buckets, key=sort)  # type: ignore[arg-type]
    return tuple((k, _tally(buckets[k])) for k in ordered)


_KIND_ORDER = {kind: index for index, kind in enumerate(EntryKind)}


def _kind_order(kind: EntryKind) -> int:
    return _KIND_ORDER[kind]


def _reversal_order(reversal: ReversalRecord) -> tuple[datetime, str]:
    return reversal.at, reversal.msgid


def _statement_tallies(records: Sequence[ShiftRecord]) -> tuple[StatementTally, ...]:
    groups: dict[tuple[str, str, str], list[ShiftRecord]] = defaultdict(list)
    for record in records:
        if record.kind.insured:
            key = (record.insurance_type, record.clearing_type, record.clearing_agency)
            groups[key].append(record)
    return tuple(
        StatementTally(
            insurance_type=insutype,
            clearing_type=clr_type,
            clearing_agency=agency,
            count=len(items),
            amounts=sum_amounts(r.amounts for r in items),
        )
        for (insutype, clr_type, agency), items in sorted(groups.items())
    )


# ------------------------------------------------------------------ receipt numbers

# A receipt number ends in a 5-digit daily sequence (``[W01-]yyyyMMdd`` + ``nnnnn``); numbers issued
# by hand in another shape stand alone.
_NUMBER = re.compile(r"(?P<prefix>.*?)(?P<seq>\d{5})")


def _split_number(receipt_no: str) -> tuple[str, int] | None:
    match = _NUMBER.fullmatch(receipt_no)
    if match is None:
        return None
    return match["prefix"], int(match["seq"])


def receipt_ranges(numbers: Iterable[str]) -> tuple[ReceiptRange, ...]:
    """Consecutive numbers (same prefix, sequence + 1) joined into ranges, in number order."""
    ranges: list[ReceiptRange] = []
    previous: tuple[str, int] | None = None
    for number in sorted(set(numbers)):
        parts = _split_number(number)
        follows = (
            parts is not None
            and previous is not None
            and parts[0] == previous[0]
            and parts[1] == previous[1] + 1
        )
        if follows and ranges:
            last = ranges[-1]
            ranges[-1] = ReceiptRange(last.first, number, last.count + 1)
        else:
            ranges.append(ReceiptRange(number, number, 1))
        previous = parts
    return tuple(ranges)


def receipt_use(receipts: Sequence[ReceiptRecord]) -> ReceiptUse:
    """Every number used (voided ones too: they were handed out), voided and reissued lists."""
    return ReceiptUse(
        ranges=receipt_ranges(r.receipt_no for r in receipts),
        voided=tuple(sorted((r.receipt_no, r.voided_by) for r in receipts if r.voided_by)),
        reissued=tuple(sorted((r.receipt_no, r.replaces) for r in receipts if r.replaces)),
        issued=len(receipts),
        copies=sum(r.copies for r in receipts),
    )


@dataclass(frozen=True)
class ShiftSheet:
    """What the printed report says besides the figures: who, where, which print.

    ``print_no`` 1 is the first print; later prints are reprints (补打) and say so, and
    ``changed_since_first`` says when the figures differ from the first print (a record arrived late).
    """

    hospital_name: str
    hospital_code: str
    report_no: str
    printed_at: datetime
    printed_by: str
    operator_names: tuple[tuple[str, str], ...] = ()
    print_no: int = 1
    changed_since_first: bool = False
    hospital_wide: bool = False  # the supervisor's report of every window (hospital mode)

    def operator_text(self, code: str) -> str:
        """``C001 收费员甲`` (or the code alone when the name is unknown)."""
        names = dict(self.operator_names)
        return f"{code} {names[code]}" if names.get(code) else code
