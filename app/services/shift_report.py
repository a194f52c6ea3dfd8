"""The shift report (收费员日结单 / 交班表): read a shift's records from the store, add them up, print.

* :meth:`ShiftReportService.scope` decides whose shift a viewer may see: a cashier their own, a
  supervisor anyone's (or everyone's at this window).
* :meth:`ShiftReportService.report` reads the shift's stored settlements, cancellations, self-pay
  collections, reversed 2207s and receipt numbers, and the day's reconciliation result, and hands them
  to :func:`app.domain.shift_report.build_shift_report`.
* :meth:`ShiftReportService.render` renders it (any :class:`ShiftReportRenderer`) and audits the
  print like a receipt: every print is an audit row ``shift_report_print`` carrying the report number
  and a fingerprint of its figures, so a reprint (补打) is marked as such and says when the figures
  changed since the first print.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol

from app.domain.disease import pilot_disease
from app.domain.journal import JournalState
from app.domain.money import ZERO
from app.domain.operator import Action, Operator, allows
from app.domain.receipt import FeeCategory
from app.domain.shift_report import (
    Amounts,
    CategoryKey,
    ReceiptRecord,
    Reconciliation,
    ReconciliationState,
    ReversalRecord,
    ShiftRecord,
    ShiftReport,
    ShiftScope,
    ShiftSheet,
    after_close,
    build_shift_report,
)
from app.errors import InputError, PermissionDenied
from app.messages import Message
from app.messages import auth as auth_words
from app.messages import shift_report as words
from app.services.day_close import LOCAL_ZONE, day_bounds, entry_kind
from app.services.ports.clock import Clock
from app.services.ports.store import StoredSettlement, UnitOfWork, UnitOfWorkFactory
from app.services.settlement import SELF_PAY_PREFIX

if TYPE_CHECKING:  # the engine offers the shift report's use cases: no import cycle
    from app.services.engine import Engine

CHRONIC_MED_TYPE = "14"
DEFAULT_CLEARING_TYPE = "11"  # as the day close groups records for 3201
PRINT_EVENT = "shift_report_print"


class ShiftReportRenderer(Protocol):
    """Turns a shift report and its sheet into a PDF (``app.printing.shift_report_pdf``)."""

    def render(self, report: ShiftReport, sheet: ShiftSheet) -> bytes:
        """The PDF bytes."""
        ...


@dataclass(frozen=True)
class RenderedShiftReport:
    """A printed (rendered and audited) shift report."""

    report: ShiftReport
    sheet: ShiftSheet
    pdf: bytes


def shift_bounds(
    day: date, start: time | None = None, end: time | None = None
) -> tuple[datetime, datetime]:
    """A shift of the local (China) ``day`` as aware datetimes; no times: the whole day.

    ``end`` at or before ``start`` means the shift ran past midnight (a night shift).
    """
    begin = datetime.combine(day, start or time(0), tzinfo=LOCAL_ZONE)
    if end is None:
        finish = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_ZONE)
    else:
        finish = datetime.combine(day, end, tzinfo=LOCAL_ZONE)
        if finish <= begin:
            finish += timedelta(days=1)
    return begin, finish


class ShiftReportService:
    """Shift reports of this window's store.

    Args:
        uow_factory: the store.
        clock: wall clock (print time).
        hospital_name / hospital_code: printed at the top.
        window_no: this window's device number (records that carry none belong to it).
        hospital_wide: render the supervisor's report of every window (hospital mode); the report
            number then names ``window_no`` as given (e.g. ``HOSP``).
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        hospital_name: str,
        hospital_code: str,
        window_no: str = "",
        hospital_wide: bool = False,
    ) -> None:
        self._hospital_wide = hospital_wide
        self._uow_factory = uow_factory
        self._clock = clock
        self._hospital_name = hospital_name
        self._hospital_code = hospital_code
        self._window_no = window_no

    @classmethod
    def for_engine(cls, engine: Engine) -> ShiftReportService:
        """The service on an engine's store, clock and settings (the CLI and the window)."""
        settings = engine.settings
        return cls(
            engine.uow_factory,
            engine.clock,
            hospital_name=settings.hospital.name,
            hospital_code=settings.hospital.code,
            window_no=settings.window.device_no,
        )

    def today(self) -> date:
        """The local date now."""
        return self._clock.now().astimezone(LOCAL_ZONE).date()

    def scope(
        self,
        viewer: Operator,
        *,
        day: date,
        operator_code: str | None = None,
        start: time | None = None,
        end: time | None = None,
    ) -> ShiftScope:
        """The shift ``viewer`` asked for, if they may see it.

        A cashier sees their own shift only (no ``operator_code``, or their own); a supervisor sees
        anyone's, or everyone's at this window when ``operator_code`` is ``None``.

        Raises:
            PermissionDenied: a cashier asked for someone else's shift, or the role has no shifts.
        """
        if allows(viewer.role, Action.DAY_CLOSE):
            operators = frozenset({operator_code}) if operator_code else frozenset()
        elif allows(viewer.role, Action.PRINT_RECEIPT):
            if operator_code not in (None, viewer.code):
                raise PermissionDenied(
                    words.ONLY_OWN(),
                    code="shift_report_permission",
                )
            operators = frozenset({viewer.code})
        else:
            raise PermissionDenied(
                words.NO_REPORT_FOR_ROLE(role=auth_words.ROLES[viewer.role.value]()),
                code="shift_report_permission",
            )
        begin, finish = shift_bounds(day, start, end)
        return ShiftScope(day=day, start=begin, end=finish, operators=operators)

    def report(self, scope: ShiftScope) -> ShiftReport:
        """The report of ``scope`` from what the store holds now."""
        with self._uow_factory() as uow:
            stored = list(uow.settlements.between(scope.start, scope.end))
            records = self._records(uow, stored)
            reversals = self._reversals(uow, scope)
            receipts = [
                ReceiptRecord(
                    receipt_no=r.receipt_no,
                    settlement_id=r.settlement_id,
                    kind=r.kind,
                    operator_code=r.operator_code,
                    window=self._window_no,
                    issued_at=r.issued_at,
                    voided_by=r.voided_by,
                    replaces=r.replaces,
                    copies=r.copies,
                )
                for r in uow.receipts.issued_between(scope.start, scope.end)
            ]
            reconciliation = _reconciliation(uow, scope.day)
        return build_shift_report(scope, records, reversals, receipts, reconciliation)

    def render(
        self, report: ShiftReport, viewer: Operator, renderer: ShiftReportRenderer
    ) -> RenderedShiftReport:
        """Render ``report`` for printing or filing and audit the print (first print or 补打).

        The PDF is drawn outside any transaction, so a long render never holds the store's write
        lock; the audit row is committed before the PDF is handed back for printing.
        """
        now = self._clock.now()
        number = report_no(report.scope, self._window_no)
        digest = fingerprint(report)
        with self._uow_factory() as uow:
            earlier = [
                row.detail.split()
                for row in uow.audit.between(report.scope.start, now + timedelta(seconds=1))
                if row.event == PRINT_EVENT and row.detail.split()[:1] == [number]
            ]
            codes = sorted({s.operator_code for s in report.sections} | report.scope.operators)
            names = tuple((code, _operator_name(uow, code)) for code in codes)
        sheet = ShiftSheet(
            hospital_name=self._hospital_name,
            hospital_code=self._hospital_code,
            report_no=number,
            printed_at=now,
            printed_by=f"{viewer.code} {viewer.name}",
            operator_names=names,
            print_no=len(earlier) + 1,
            changed_since_first=bool(earlier) and earlier[0][-1] != f"figures={digest}",
            hospital_wide=self._hospital_wide,
        )
        pdf = renderer.render(report, sheet)
        with self._uow_factory() as uow:
            uow.audit.append(
                now, viewer.code, PRINT_EVENT, "ok" if sheet.print_no == 1 else "reprint",
                f"{number} print={sheet.print_no} figures={digest}",
            )  # fmt: skip
            uow.commit()
        return RenderedShiftReport(report, sheet, pdf)

    # ------------------------------------------------------------------ reading

    def _records(self, uow: UnitOfWork, stored: Sequence[StoredSettlement]) -> list[ShiftRecord]:
        bills = {s.bill_id: uow.bills.get(s.bill_id) for s in stored}
        child = {bill_id for bill_id, bill in bills.items() if bill and bill.parent_bill_id}
        parent = {bill.parent_bill_id for bill in bills.values() if bill and bill.parent_bill_id}
        return [
            ShiftRecord(
                settlement_id=s.record.settlement_id,
                kind=entry_kind(s, child, parent),
                category=category_of(s),
                operator_code=s.operator_code,
                window=s.window or self._window_no,
                at=s.record.settled_at,
                amounts=Amounts(
                    total=s.record.totals.total,
                    fund=s.record.totals.fund,
                    account=s.record.totals.account,
                    cash=s.record.totals.cash,
                    hospital=s.record.totals.hospital,
                ),
                bill_id=s.bill_id,
                insurance_type=s.record.insurance_type,
                clearing_type=s.record.clearing_type or DEFAULT_CLEARING_TYPE,
                clearing_agency=s.record.clearing_agency,
            )
            for s in stored
        ]

    def _reversals(self, uow: UnitOfWork, scope: ShiftScope) -> list[ReversalRecord]:
        return [
            ReversalRecord(
                msgid=entry.msgid,
                bill_id=entry.bill_id,
                group_key=entry.group_key,
                operator_code=entry.operator_code,
                window=self._window_no,
                at=entry.created_at,
                amount=entry.amount or ZERO,
            )
            for entry in uow.journal.between(scope.start, scope.end)
            if entry.infno == "2207" and entry.state is JournalState.REVERSED
        ]


def category_of(stored: StoredSettlement) -> CategoryKey:
    """The fee category of a stored record: local collections are 全额自费; 门诊慢特病 by disease."""
    record = stored.record
    return category_for(record.settlement_id, record.med_type, record.disease_code)


def category_for(settlement_id: str, med_type: str, disease_code: str | None) -> CategoryKey:
    """The fee category of a record by its id, 医疗类别 and disease (also for the hospital record's
    records, which are plain values)."""
    if settlement_id.startswith(SELF_PAY_PREFIX):
        return CategoryKey(FeeCategory.SELF_PAY)
    if med_type == CHRONIC_MED_TYPE and disease_code:
        disease = pilot_disease(disease_code)
        return CategoryKey(FeeCategory.CHRONIC, disease_code, disease.name if disease else "")
    return CategoryKey(FeeCategory.GENERAL)


def report_no(scope: ShiftScope, window_no: str) -> str:
    """A stable number for a shift, so reprints of one shift are recognised:
    ``JB-<window>-<yyyymmdd>-<operator or ALL>-<HHMM>-<HHMM>`` (local times)."""
    who = "+".join(sorted(scope.operators)) or "ALL"
    start = scope.start.astimezone(LOCAL_ZONE)
    end = scope.end.astimezone(LOCAL_ZONE)
    end_text = "2400" if end.time() == time(0) and end.date() > start.date() else f"{end:%H%M}"
    return f"JB-{window_no or 'W'}-{scope.day:%Y%m%d}-{who}-{start:%H%M}-{end_text}"


def fingerprint(report: ShiftReport) -> str:
    """A short digest of the report's figures (changes when any count, sum or receipt changes)."""
    parts = [f"{report.total.count}", *_amount_text(report.total.amounts)]
    for kind, tally in report.by_kind:
        parts += [kind.value, str(tally.count), *_amount_text(tally.amounts)]
    parts += [r.text for r in report.receipts.ranges]
    parts += [f"{a}>{b}" for a, b in report.receipts.voided]
    parts += [r.msgid for r in report.reversals]
    parts.append(report.reconciliation.state.value)
    if report.reconciliation.changed_count:  # a record made after the day close (old digests kept)
        recon = report.reconciliation
        parts += [f"changed={recon.changed_count}", str(recon.changed_total)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _amount_text(amounts: Amounts) -> list[str]:
    return [str(amounts.total), str(amounts.fund), str(amounts.account), str(amounts.cash)]


def _operator_name(uow: UnitOfWork, code: str) -> str:
    account = uow.operators.get(code)
    return account.operator.name if account is not None else ""


def _reconciliation(uow: UnitOfWork, day: date) -> Reconciliation:
    """The day's latest close, and the records of the day made after it (every operator's: the
    close covers them all), which that close's result does not cover."""
    result = uow.day_closes.get(day)
    if result is None:
        return Reconciliation(day, ReconciliationState.NOT_CLOSED)
    state = ReconciliationState.BALANCED if result.balanced else ReconciliationState.UNBALANCED
    closed = Reconciliation(day, state, result.closed_at, result.operator_code, result.summary)
    start, end = day_bounds(day)
    if result.closed_at >= end:
        return closed  # closed after the day was over: nothing of the day can follow it
    later = uow.settlements.between(max(start, result.closed_at), end)
    made = [(s.record.settled_at, s.record.totals.total) for s in later]
    return after_close(closed, made, start, end)


def parse_clock_time(text: str, what: str | Message) -> time:
    """``HH:MM`` from the command line or a dialog (``what`` names the field, in the reader's
    language when a message); ``24:00`` is the end of the day.

    Raises:
        InputError: not a time.
    """
    if text.strip() == "24:00":
        return time(0)
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise InputError(words.BAD_CLOCK_TIME(what=what, text=text), code="usage") from None
