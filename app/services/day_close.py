"""Day close: reconciliation with the platform (3201, and 9101 → 3202 → 9102 on imbalance) and the shift
report.

Refused while the journal has unresolved rows (a lost answer would make the books wrong). Every stored
record of the day — settlements, cancellations, partial-refund re-settlements, self-pay collections and
their refunds — goes into the shift report with its sign, so the totals include refunds by construction;
reversed 2207s are listed with the amount that was at stake and add nothing (no money moved).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from app.domain.journal import JournalState
from app.domain.masking import mask_number
from app.domain.money import ZERO, money_sum
from app.domain.operator import Action, Operator
from app.domain.shift_report import EntryKind
from app.errors import RecoveryPending
from app.messages import CHINESE
from app.messages import day_close as words
from app.services.auth import authorize
from app.services.crashpoints import crash_point
from app.services.journaling import UNREAD_DETAILS_EVENT, CallIntent, JournaledCaller
from app.services.ports.clock import Clock
from app.services.ports.platform import (
    CallContext,
    DetailRow,
    JournaledSend,
    PlatformGateway,
    StatementDetailRequest,
    StatementTotalRequest,
)
from app.services.ports.progress import Progress, ProgressSink
from app.services.ports.store import DayCloseResult, StoredSettlement, UnitOfWorkFactory
from app.services.settlement import SELF_PAY_PREFIX, RecoveryHook

log = logging.getLogger(__name__)
T = TypeVar("T")

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


class Discrepancy(StrEnum):
    """``stmt_rslt`` of a 3202 result row."""

    BALANCED = "0"
    PLATFORM_ONLY = "1"
    HOSPITAL_ONLY = "2"
    AMOUNTS_DIFFER = "3"

    @property
    def label(self) -> str:
        """What staff call it (Chinese)."""
        return str(
            {
                "0": words.KIND_BALANCED,
                "1": words.KIND_CENTRE_ONLY,
                "2": words.KIND_HOSPITAL_ONLY,
                "3": words.KIND_AMOUNTS_DIFFER,
            }[self.value]()
        )


@dataclass(frozen=True)
class StatementGroup:
    """One 3201 group and the platform's verdict."""

    insurance_type: str
    clearing_type: str
    clearing_agency: str
    total: Decimal
    fund: Decimal
    account: Decimal
    count: int
    balanced: bool
    description: str


@dataclass(frozen=True)
class DiscrepancyRow:
    """One unbalanced 3202 result row, matched to our journal by msgid."""

    kind: Discrepancy
    settlement_id: str
    msgid: str
    masked_person_no: str
    total: Decimal
    fund: Decimal
    account: Decimal
    journal_state: str
    memo: str


@dataclass(frozen=True)
class ShiftLine:
    """Totals of one kind of record for one operator (amounts signed)."""

    operator_code: str
    kind: EntryKind
    count: int
    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal


@dataclass(frozen=True)
class ShiftReport:
    """Per operator and kind, with the net totals of everything."""

    lines: tuple[ShiftLine, ...]
    reversals: int
    reversed_amount: Decimal
    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal

    def for_operator(self, code: str) -> tuple[ShiftLine, ...]:
        """One operator's lines."""
        return tuple(line for line in self.lines if line.operator_code == code)


@dataclass(frozen=True)
class DayCloseReport:
    """The outcome of a day close."""

    day: date
    closed_at: datetime
    balanced: bool
    groups: tuple[StatementGroup, ...]
    discrepancies: tuple[DiscrepancyRow, ...]
    shift: ShiftReport
    # msgids of the day's settlements whose answers had details that could not be read (issue #17)
    unread_answers: tuple[str, ...] = ()

    def summary(self, language: str = CHINESE) -> str:
        """One or two sentences (Chinese unless ``language`` is ``en``)."""
        if self.balanced:
            text = words.BALANCED(day=self.day, groups=len(self.groups)).render(language)
        else:
            text = words.UNBALANCED(
                day=self.day,
                unbalanced=sum(not g.balanced for g in self.groups),
                discrepancies=len(self.discrepancies),
            ).render(language)
        if self.unread_answers:
            text += words.UNREAD_ANSWERS(count=len(self.unread_answers)).render(language)
        return text


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local (Asia/Shanghai) day as a UTC half-open interval."""
    start = datetime.combine(day, time(0), tzinfo=LOCAL_ZONE).astimezone(UTC)
    return start, start + timedelta(days=1)


def shift_report(
    records: Sequence[StoredSettlement],
    child_bills: set[str],
    parent_bills: set[str],
    reversed_amounts: Sequence[Decimal],
) -> ShiftReport:
    """Sum every record with its sign, per operator and kind."""
    buckets: dict[tuple[str, EntryKind], list[StoredSettlement]] = defaultdict(list)
    for stored in records:
        kind = entry_kind(stored, child_bills, parent_bills)
        buckets[(stored.operator_code, kind)].append(stored)
    lines = tuple(
        ShiftLine(
            operator_code=code,
            kind=kind,
            count=len(items),
            total=money_sum(s.record.totals.total for s in items),
            fund=money_sum(s.record.totals.fund for s in items),
            account=money_sum(s.record.totals.account for s in items),
            cash=money_sum(s.record.totals.cash for s in items),
        )
        for (code, kind), items in sorted(buckets.items())
    )
    return ShiftReport(
        lines=lines,
        reversals=len(reversed_amounts),
        reversed_amount=money_sum(reversed_amounts),
        total=money_sum(s.record.totals.total for s in records),
        fund=money_sum(s.record.totals.fund for s in records),
        account=money_sum(s.record.totals.account for s in records),
        cash=money_sum(s.record.totals.cash for s in records),
    )


def entry_kind(
    stored: StoredSettlement, child_bills: set[str], parent_bills: set[str]
) -> EntryKind:
    """What a stored record is: self-pay or not, cancellation or not, part of a partial refund."""
    self_pay = stored.record.settlement_id.startswith(SELF_PAY_PREFIX)
    if stored.is_cancellation:
        if self_pay:
            return EntryKind.SELF_PAY_REFUND
        return (
            EntryKind.PARTIAL_REFUND if stored.bill_id in parent_bills else EntryKind.CANCELLATION
        )
    if self_pay:
        return EntryKind.SELF_PAY
    return EntryKind.RESETTLEMENT if stored.bill_id in child_bills else EntryKind.SETTLEMENT


class _JournaledDayCloseCall:
    """9101 and 3202 under the journal (:class:`JournaledSend`) for one operator."""

    def __init__(self, caller: JournaledCaller, recovery: RecoveryHook, operator_code: str):
        self._caller = caller
        self._recovery = recovery
        self._operator_code = operator_code

    def __call__(self, infno: str, send: Callable[[str], T]) -> T:
        intent = CallIntent(
            infno=infno,
            bill_id="",
            group_key="",
            person_no="",
            insured_admdvs="",
            operator_code=self._operator_code,
        )
        outcome = self._caller.call(intent, send)
        if outcome.ok:
            return cast("T", outcome.value)
        if outcome.state is JournalState.UNKNOWN:
            # Nothing to undo (no money moved): recovery closes the row as failed at once, so an
            # unresolved row does not hold up the next settlement.
            self._recovery.resolve_now(outcome.msgid)
        if outcome.error is None:  # pragma: no cover - a failed outcome always carries its error
            raise AssertionError(outcome)
        raise outcome.error


def statement_groups(
    records: Iterable[StoredSettlement],
) -> dict[tuple[str, str, str], list[StoredSettlement]]:
    """Platform records grouped by (insutype, clr_type, setl_optins); self-pay stays out."""
    groups: dict[tuple[str, str, str], list[StoredSettlement]] = defaultdict(list)
    for stored in records:
        if stored.record.settlement_id.startswith(SELF_PAY_PREFIX):
            continue
        record = stored.record
        key = (record.insurance_type, record.clearing_type or "11", record.clearing_agency)
        groups[key].append(stored)
    return groups


class DayCloseService:
    """Runs the day close."""

    def __init__(
        self,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        caller: JournaledCaller,
        recovery: RecoveryHook,
        default_clearing_agency: str = "",
    ):
        """Bind to the platform, the store, the clock, the journal and recovery."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._caller = caller
        self._recovery = recovery
        self._default_agency = default_clearing_agency

    def today(self) -> date:
        """The local date now."""
        return self._clock.now().astimezone(LOCAL_ZONE).date()

    def shift(self, day: date) -> ShiftReport:
        """The shift report of a day without reconciling (for a mid-day look)."""
        records, child, parent, reversed_amounts, _ = self._day_records(day)
        return shift_report(records, child, parent, reversed_amounts)

    def close(
        self, day: date, operator: Operator, progress: ProgressSink | None = None
    ) -> DayCloseReport:
        """Reconcile ``day`` with the platform and store the result.

        ``progress`` sees each 3201 group, the 3202 detail check and the storing. Cancel is honoured
        before each 3201 (a query: nothing is stored until the end), not once 9101/3202 or the
        storing has begun.

        Raises:
            PermissionDenied: the operator may not close the day.
            RecoveryPending: unresolved journal rows.
            PlatformError: the platform refused or could not be reached (nothing is stored).
            UserCancelled: the person stopped it before the detail check (nothing is stored).
        """
        steps = Progress(progress)
        authorize(operator, Action.DAY_CLOSE)
        with self._uow_factory() as uow:
            unresolved = list(uow.journal.unresolved())
        if unresolved:
            raise RecoveryPending(
                words.RECOVERY_PENDING(count=len(unresolved)),
                detail={"count": str(len(unresolved))},
            )
        records, child, parent, reversed_amounts, persons = self._day_records(day)
        ctx = CallContext(operator)
        groups: list[StatementGroup] = []
        discrepancies: list[DiscrepancyRow] = []
        grouped = sorted(statement_groups(records).items())
        for index, ((insutype, clr_type, agency), items) in enumerate(grouped):
            steps.step(
                str(words.STEP_TOTAL(insutype=insutype)), index, len(grouped), cancellable=True
            )
            group = self._statement_total(
                ctx, day=day, insutype=insutype, clr_type=clr_type, agency=agency, items=items
            )
            groups.append(group)
            if not group.balanced:
                steps.step(str(words.STEP_DETAIL()), index, len(grouped))
                discrepancies.extend(
                    self._details(
                        ctx, day=day, clr_type=clr_type, agency=agency, items=items, persons=persons
                    )
                )
        crash_point("day_close:statement")
        balanced = all(g.balanced for g in groups) and not discrepancies
        report = DayCloseReport(
            day=day,
            closed_at=self._clock.now(),
            balanced=balanced,
            groups=tuple(groups),
            discrepancies=tuple(discrepancies),
            shift=shift_report(records, child, parent, reversed_amounts),
            unread_answers=self._unread_answers(day),
        )
        steps.step(str(words.STEP_SAVE()), len(grouped), len(grouped))
        self._store(report, operator)
        return report

    def _statement_total(
        self,
        ctx: CallContext,
        *,
        day: date,
        insutype: str,
        clr_type: str,
        agency: str,
        items: Sequence[StoredSettlement],
    ) -> StatementGroup:
        return statement_total(
            self._gateway,
            ctx,
            day,
            (insutype, clr_type, agency),
            [s.record.totals for s in items],
            default_agency=self._default_agency,
        )

    def _details(
        self,
        ctx: CallContext,
        *,
        day: date,
        clr_type: str,
        agency: str,
        items: Sequence[StoredSettlement],
        persons: dict[str, str],
    ) -> list[DiscrepancyRow]:
        rows = tuple(
            DetailRow(
                person_no=persons.get(s.bill_id, ""),
                visit_id=s.record.visit_id,
                settlement_id=s.record.settlement_id,
                msgid=s.record.msgid,
                total=s.record.totals.total,
                fund=s.record.totals.fund,
                account=s.record.totals.account,
                refund=s.is_cancellation,
            )
            for s in items
        )
        results = statement_detail(
            self._gateway,
            ctx,
            day,
            (clr_type, agency),
            rows,
            cash=money_sum(s.record.totals.cash for s in items),
            default_agency=self._default_agency,
            journaled=self._journaled(ctx.operator),
        )
        with self._uow_factory() as uow:

            def journal_state(msgid: str) -> str:
                entry = uow.journal.get(msgid) if msgid else None
                return str(entry.state) if entry is not None else str(words.NO_LOCAL_JOURNAL())

            return discrepancy_rows(results, journal_state)

    def _unread_answers(self, day: date) -> tuple[str, ...]:
        start, end = day_bounds(day)
        with self._uow_factory() as uow:
            rows = uow.audit.between(start, end)
        return tuple(row.msgid for row in rows if row.event == UNREAD_DETAILS_EVENT)

    def _journaled(self, operator: Operator) -> JournaledSend:
        return _JournaledDayCloseCall(self._caller, self._recovery, operator.code)

    def _day_records(
        self, day: date
    ) -> tuple[list[StoredSettlement], set[str], set[str], list[Decimal], dict[str, str]]:
        start, end = day_bounds(day)
        with self._uow_factory() as uow:
            records = list(uow.settlements.between(start, end))
            bills = {s.bill_id: uow.bills.get(s.bill_id) for s in records}
            reversed_amounts = [
                entry.amount or ZERO
                for entry in uow.journal.between(start, end)
                if entry.infno == "2207" and entry.state is JournalState.REVERSED
            ]
        child = {bill_id for bill_id, bill in bills.items() if bill and bill.parent_bill_id}
        parent = {bill.parent_bill_id for bill in bills.values() if bill and bill.parent_bill_id}
        persons = {bill_id: bill.person_no for bill_id, bill in bills.items() if bill}
        return records, child, parent, reversed_amounts, persons

    def _store(self, report: DayCloseReport, operator: Operator) -> None:
        shift = report.shift
        totals = {"total": shift.total, "fund": shift.fund, "account": shift.account}
        totals |= {"cash": shift.cash, "reversed_amount": shift.reversed_amount}
        record_day_close(
            self._uow_factory,
            DayCloseResult(
                day=report.day,
                closed_at=report.closed_at,
                operator_code=operator.code,
                balanced=report.balanced,
                summary=report.summary(),
                totals=totals,
            ),
            "day_close",
            f"{report.day} discrepancies={len(report.discrepancies)}",
        )


def record_day_close(
    uow_factory: UnitOfWorkFactory, result: DayCloseResult, event: str, detail: str
) -> None:
    """Store a day close's result and audit it (``event``, ``detail``) in one transaction, with
    the audit chain's head this close saw: a later edit of any earlier row shows against it."""
    with uow_factory() as uow:
        uow.day_closes.add(result)
        seq, head = uow.audit.head()
        uow.audit.append(
            result.closed_at, result.operator_code, event,
            "balanced" if result.balanced else "unbalanced",
            f"{detail} audit_head={seq}:{head}",
        )  # fmt: skip
        uow.commit()


# Public for the hospital-wide day close (app.services.hospital_day_close).
JournaledDayCloseCall = _JournaledDayCloseCall


def _discrepancy(code: str) -> Discrepancy:
    try:
        return Discrepancy(code.strip())
    except ValueError:
        return Discrepancy.AMOUNTS_DIFFER


def statement_detail(
    gateway: PlatformGateway,
    ctx: CallContext,
    day: date,
    key: tuple[str, str],
    rows: tuple[DetailRow, ...],
    *,
    cash: Decimal,
    default_agency: str,
    journaled: JournaledSend,
) -> Sequence[DetailRow]:
    """9101 → 3202 → 9102 for ``day``'s detail ``rows`` of one clearing type × agency and their
    ``cash`` (used by this window's and the hospital's day close alike); returns the platform's
    result rows. An empty agency is sent as ``default_agency``."""
    clr_type, agency = key
    return gateway.statement_detail(
        ctx,
        StatementDetailRequest(
            clearing_agency=agency or default_agency,
            clearing_type=clr_type,
            begin=day,
            end=day,
            rows=rows,
            total=money_sum(r.total for r in rows),
            fund=money_sum(r.fund for r in rows),
            cash=cash,
        ),
        journaled,
    )


def discrepancy_rows(
    results: Iterable[DetailRow], journal_state: Callable[[str], str]
) -> list[DiscrepancyRow]:
    """The unbalanced 3202 result rows; ``journal_state`` says, by msgid, where we hold each."""
    return [
        DiscrepancyRow(
            kind=kind,
            settlement_id=row.settlement_id,
            msgid=row.msgid,
            masked_person_no=mask_number(row.person_no),
            total=row.total,
            fund=row.fund,
            account=row.account,
            journal_state=journal_state(row.msgid),
            memo=row.memo,
        )
        for row in results
        if (kind := _discrepancy(row.result)) is not Discrepancy.BALANCED
    ]


class Amounts(Protocol):
    """What a 3201 adds up: a settlement's (or a hospital record row's) totals."""

    @property
    def total(self) -> Decimal: ...

    @property
    def fund(self) -> Decimal: ...

    @property
    def account(self) -> Decimal: ...


def statement_total(
    gateway: PlatformGateway,
    ctx: CallContext,
    day: date,
    key: tuple[str, str, str],
    totals: Sequence[Amounts],
    *,
    default_agency: str,
) -> StatementGroup:
    """One 3201: ``day``'s totals of one insurance type × clearing type × agency, and whether the
    platform agrees (used by this window's and the hospital's day close alike). An empty agency is
    sent as ``default_agency`` and reported as it was."""
    insutype, clr_type, agency = key
    total = money_sum(t.total for t in totals)
    fund = money_sum(t.fund for t in totals)
    account = money_sum(t.account for t in totals)
    answer = gateway.statement_total(
        ctx,
        StatementTotalRequest(
            insurance_type=insutype,
            clearing_type=clr_type,
            clearing_agency=agency or default_agency,
            begin=day,
            end=day,
            total=total,
            fund=fund,
            account=account,
            count=len(totals),
        ),
    )
    return StatementGroup(
        insutype, clr_type, agency, total, fund, account, len(totals),
        answer.balanced, answer.description,
    )  # fmt: skip
