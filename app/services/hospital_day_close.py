"""Hospital mode: the day close of the whole hospital (3201 per insutype × clr_type × agency).

3201/3202 reconcile the **hospital's** totals with the platform, so in hospital mode one window closes
the day for every window from the hospital record. It is refused, naming the windows, while any window
has unresolved journal rows or may still hold records of the day it has not delivered: a window is
known to have delivered everything when its last contact was a heartbeat after its last sync with
nothing pending (:meth:`HospitalSync.sync_once` sends one when its outbox is empty). The acting window
first delivers its own outbox.

Where a group does not balance, 9101/3202 send the group's detail rows of every window (the person
numbers and visit ids come from the windows' records in the hospital record) and the platform's
result rows are matched to the windows by msgid. The result is stored at the acting window (and so
reaches the hospital record like any day close). The stand-alone day close
(:mod:`app.services.day_close`) is unchanged.

Progress (issue 18 item 2) is reported like the local day close's: delivering this window's records,
checking the windows, each group's 3201, each 9101/3202 detail check, storing. Cancel is honoured only
at safe points — before the delivery, before the windows check, before each 3201 (a query) and after
the last group (nothing is stored until the end) — never while 9101/3202 (journaled) or the storing
run, so a cancel never leaves a call without its outcome.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.domain.money import money_sum
from app.domain.operator import Action, Operator
from app.errors import RecoveryPending, StoreError
from app.messages import Listing, Message
from app.messages import hospital_window as words
from app.services.auth import authorize
from app.services.day_close import (
    DiscrepancyRow,
    JournaledDayCloseCall,
    StatementGroup,
    discrepancy_rows,
    record_day_close,
    statement_detail,
    statement_total,
)
from app.services.hospital_sync import HospitalSync
from app.services.journaling import JournaledCaller
from app.services.ports.clock import Clock
from app.services.ports.hospital import HospitalRecord, HospitalSettlement, WindowStatus
from app.services.ports.platform import CallContext, DetailRow, PlatformGateway
from app.services.ports.progress import Progress, ProgressSink
from app.services.ports.store import DayCloseResult, UnitOfWorkFactory
from app.services.settlement import SELF_PAY_PREFIX, RecoveryHook

log = logging.getLogger(__name__)

GroupKey = tuple[str, str, str]


@dataclass(frozen=True)
class WindowShiftLine:
    """One window's and one operator's records of the day (amounts signed)."""

    window: str
    operator_code: str
    count: int
    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal


@dataclass(frozen=True)
class HospitalDayCloseReport:
    """The hospital's day close."""

    day: date
    closed_at: datetime
    balanced: bool
    groups: tuple[StatementGroup, ...]
    discrepancies: tuple[DiscrepancyRow, ...]
    shift: tuple[WindowShiftLine, ...]
    windows: tuple[str, ...]
    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal

    def summary(self) -> str:
        """One or two sentences (Chinese; :meth:`summary_message` for the window's language)."""
        return str(self.summary_message())

    def summary_message(self) -> Message:
        """The summary as a catalogue message."""
        if self.balanced:
            return words.DAY_CLOSE_BALANCED(
                day=self.day, windows=len(self.windows), groups=len(self.groups)
            )
        return words.DAY_CLOSE_UNBALANCED(
            day=self.day,
            windows=len(self.windows),
            unbalanced=sum(not g.balanced for g in self.groups),
            rows=len(self.discrepancies),
        )


def unfinished_windows(windows: Sequence[WindowStatus]) -> dict[str, Message]:
    """Windows that hold up the hospital's day close, with the reason."""
    held: dict[str, Message] = {}
    for window in windows:
        if window.unresolved:
            held[window.device_no] = words.WINDOW_UNRESOLVED(count=window.unresolved)
        elif window.pending or not _drained(window):
            held[window.device_no] = words.WINDOW_NOT_SYNCED()
    return held


def _drained(window: WindowStatus) -> bool:
    if window.last_sync_at is None:
        return True  # never had anything to send
    return window.last_report_at is not None and window.last_report_at > window.last_sync_at


def statement_groups(
    settlements: Sequence[HospitalSettlement],
) -> dict[GroupKey, list[HospitalSettlement]]:
    """The hospital's platform records grouped by (insutype, clr_type, setl_optins); self-pay out."""
    groups: dict[GroupKey, list[HospitalSettlement]] = defaultdict(list)
    for s in settlements:
        if s.settlement_id.startswith(SELF_PAY_PREFIX):
            continue
        groups[(s.insurance_type, s.clearing_type or "11", s.clearing_agency)].append(s)
    return groups


def shift_by_window(settlements: Sequence[HospitalSettlement]) -> tuple[WindowShiftLine, ...]:
    """The day per window and operator (self-pay included: it is cash the window took)."""
    buckets: dict[tuple[str, str], list[HospitalSettlement]] = defaultdict(list)
    for s in settlements:
        buckets[(s.window, s.operator_code)].append(s)
    return tuple(
        WindowShiftLine(
            window=window,
            operator_code=code,
            count=len(items),
            total=money_sum(s.total for s in items),
            fund=money_sum(s.fund for s in items),
            account=money_sum(s.account for s in items),
            cash=money_sum(s.cash for s in items),
        )
        for (window, code), items in sorted(buckets.items())
    )


class HospitalDayCloseService:
    """The hospital-wide day close, run at one window."""

    def __init__(
        self,
        *,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        caller: JournaledCaller,
        recovery: RecoveryHook,
        record: HospitalRecord,
        sync: HospitalSync | None = None,
        default_clearing_agency: str = "",
    ) -> None:
        """Reconcile the hospital ``record`` with the platform; ``sync`` delivers this window's
        outbox first."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._caller = caller
        self._recovery = recovery
        self._record = record
        self._sync = sync
        self._default_agency = default_clearing_agency

    def close(
        self, day: date, operator: Operator, progress: ProgressSink | None = None
    ) -> HospitalDayCloseReport:
        """Reconcile the whole hospital's ``day`` and store the result at this window.

        ``progress`` sees the delivery, the windows check, each group's 3201 and 9101/3202, and the
        storing; Cancel is honoured at the safe points only (see the module's docstring).

        Raises:
            PermissionDenied: the operator may not close the day.
            RecoveryPending: a window has unresolved rows or records not yet delivered (named), or
                the hospital database is unreachable.
            PlatformError: the platform refused or could not be reached (nothing is stored).
            UserCancelled: the person stopped it at a safe point (nothing is stored; every call
                sent has its outcome).
        """
        steps = Progress(progress)
        authorize(operator, Action.DAY_CLOSE)
        settlements = self._ready_settlements(day, steps)
        ctx = CallContext(operator)
        groups: list[StatementGroup] = []
        discrepancies: list[DiscrepancyRow] = []
        grouped = sorted(statement_groups(settlements).items())
        for index, ((insutype, clr_type, agency), items) in enumerate(grouped):
            steps.step(
                str(words.STEP_TOTAL(insutype=insutype, clr_type=clr_type)),
                index,
                len(grouped),
                cancellable=True,  # 3201 is a query and nothing is stored yet
            )
            group = self._statement_total(ctx, day, (insutype, clr_type, agency), items)
            groups.append(group)
            if not group.balanced:
                # 9101 and 3202 are journaled: no stopping until both have their outcome.
                steps.step(
                    str(words.STEP_DETAIL(insutype=insutype, clr_type=clr_type)),
                    index,
                    len(grouped),
                )
                discrepancies.extend(self._details(ctx, day, (clr_type, agency), items))
        steps.checkpoint()  # every call has its outcome and nothing is stored: safe to stop
        report = HospitalDayCloseReport(
            day=day,
            closed_at=self._clock.now(),
            balanced=all(g.balanced for g in groups) and not discrepancies,
            groups=tuple(groups),
            discrepancies=tuple(discrepancies),
            shift=shift_by_window(settlements),
            windows=tuple(sorted({s.window for s in settlements})),
            total=money_sum(s.total for s in settlements),
            fund=money_sum(s.fund for s in settlements),
            account=money_sum(s.account for s in settlements),
            cash=money_sum(s.cash for s in settlements),
        )
        steps.step(str(words.STEP_SAVE()), len(grouped), len(grouped))
        self._store(report, operator)
        return report

    # ------------------------------------------------------------------ internals

    def _ready_settlements(self, day: date, steps: Progress) -> list[HospitalSettlement]:
        with self._uow_factory() as uow:
            unresolved = len(list(uow.journal.unresolved()))
        if unresolved:
            raise RecoveryPending(
                words.LOCAL_UNRESOLVED(count=unresolved), detail={"count": str(unresolved)}
            )
        try:
            if self._sync is not None:
                steps.step(str(words.STEP_DELIVER()), cancellable=True)
                self._sync.drain()
            steps.step(str(words.STEP_WINDOWS()), cancellable=True)
            held = unfinished_windows(self._record.windows(day))
            settlements = self._record.settlements(day)
        except StoreError as exc:
            raise RecoveryPending(words.DAY_CLOSE_UNREACHABLE(), detail=exc.detail) from exc
        if held:
            reasons = tuple(
                words.WINDOW_REASON(window=w, reason=why) for w, why in sorted(held.items())
            )
            raise RecoveryPending(
                words.WINDOWS_NOT_READY(windows=Listing(reasons, "；", "; ")),
                detail={"windows": ",".join(sorted(held))},
            )
        return settlements

    def _statement_total(
        self, ctx: CallContext, day: date, key: GroupKey, items: Sequence[HospitalSettlement]
    ) -> StatementGroup:
        return statement_total(
            self._gateway, ctx, day, key, items, default_agency=self._default_agency
        )

    def _details(
        self,
        ctx: CallContext,
        day: date,
        key: tuple[str, str],
        items: Sequence[HospitalSettlement],
    ) -> list[DiscrepancyRow]:
        results = statement_detail(
            self._gateway,
            ctx,
            day,
            key,
            tuple(self._detail_row(s) for s in items),
            cash=money_sum(s.cash for s in items),
            default_agency=self._default_agency,
            journaled=JournaledDayCloseCall(self._caller, self._recovery, ctx.operator.code),
        )
        windows = {s.msgid: s.window for s in items}

        def journal_state(msgid: str) -> str:
            window = windows.get(msgid)
            if window:
                return str(words.DETAIL_AT_WINDOW(window=window))
            return str(words.DETAIL_NOT_IN_RECORD())

        return discrepancy_rows(results, journal_state)

    def _detail_row(self, s: HospitalSettlement) -> DetailRow:
        settlement = self._record.record_payload(s.window, "settlement", s.settlement_id) or {}
        bill = self._record.record_payload(s.window, "bill", s.bill_id) or {}
        return DetailRow(
            person_no=str(bill.get("person_no", "")),
            visit_id=str(settlement.get("visit_id", "")),
            settlement_id=s.settlement_id,
            msgid=s.msgid,
            total=s.total,
            fund=s.fund,
            account=s.account,
            refund=s.is_cancellation,
        )

    def _store(self, report: HospitalDayCloseReport, operator: Operator) -> None:
        totals = {"total": report.total, "fund": report.fund, "account": report.account}
        record_day_close(
            self._uow_factory,
            DayCloseResult(
                day=report.day,
                closed_at=report.closed_at,
                operator_code=operator.code,
                balanced=report.balanced,
                summary=report.summary(),
                totals=totals | {"cash": report.cash},
            ),
            "hospital_day_close",
            f"{report.day} windows={','.join(report.windows)} "
            f"discrepancies={len(report.discrepancies)}",
        )
