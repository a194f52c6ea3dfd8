"""Receipts: issued from the *stored* settlement, numbered, copied (补打), reissued (重打), printed.

Everything on a receipt comes from the store — the settlement the platform confirmed (or the local
self-pay collection), the bill's lines and the cached person — never from what is on the screen.

* :meth:`ReceiptService.issue` gives a settlement its receipt number (``uow.receipts.next_receipt_no``)
  and prints it. Asking again for a settlement that already has a live receipt prints a **copy** under
  the same number instead: a settlement never gets two originals.
* :meth:`ReceiptService.copy` (补打) prints the same number again, marked as a copy with its time.
* :meth:`ReceiptService.reissue` (重打) voids the old number and issues a new one that names it; it
  needs a supervisor's authorisation (two-person rule, ``NEEDS_SUPERVISOR_AUTHORISATION``).
* Cancellations (2208) and partial refunds get receipts of their own (kinds CANCELLATION / REFUND).

The number is committed *before* printing. A printer failure (``DeviceError``) never touches money:
the settlement and the number stay, and the receipt can be printed again with :meth:`copy`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from app.domain.bill import FeeLine
from app.domain.disease import pilot_disease
from app.domain.hospital import HospitalProfile
from app.domain.masking import mask_number
from app.domain.money import ZERO
from app.domain.operator import Action, Operator
from app.domain.person import INSURANCE_TYPE_NAMES, QualificationState
from app.domain.plan import GroupKind, kind_of
from app.domain.receipt import (
    CHINA_TZ,
    CategoryInfo,
    EligibilitySlip,
    FeeCategory,
    ReceiptData,
    ReceiptFund,
    ReceiptKind,
    ReceiptLine,
    ReceiptTotals,
    SlipQualification,
)
from app.domain.region import province_name
from app.domain.settlement import ACCOUNT_FUND_TYPES, HOSPITAL_FUND_TYPES, LineSplit
from app.domain.visit import Bill, GroupSettlement
from app.errors import InputError
from app.messages import receipts as words
from app.services.auth import authorize
from app.services.eligibility import EligibilityView, QualificationView
from app.services.ports.clock import Clock
from app.services.ports.devices import ReceiptPrinter, ReceiptRenderer
from app.services.ports.store import (
    ReceiptIssue,
    StoredSettlement,
    UnitOfWork,
    UnitOfWorkFactory,
)

log = logging.getLogger(__name__)


ArchiveFactory = Callable[[Path], ReceiptPrinter]


@dataclass(frozen=True)
class PrintedReceipt:
    """One receipt that was produced: its number, kind and where it went."""

    data: ReceiptData
    where: str
    pdf: bytes

    @property
    def receipt_no(self) -> str:
        """The receipt number."""
        return self.data.receipt_no

    @property
    def kind(self) -> ReceiptKind:
        """Original, copy, reissue, cancellation or refund."""
        return self.data.kind

    def __fspath__(self) -> str:
        return self.where


class ReceiptService:
    """Issues and prints receipts for stored settlements.

    Args:
        uow_factory: the store.
        clock: wall clock (receipt day and times).
        hospital: this hospital (name and code on the paper).
        renderer: receipt data → PDF.
        printer: where receipts go (PDF folder, ESC/POS, or the UI's system printer).
        archive: optional; when :meth:`issue_for_bill` is given an ``out_dir``, each PDF is also saved
            through ``archive(out_dir)`` (e.g. ``app.hardware.printer.pdf_file.PdfFilePrinter``).
        window_no: this window's device number. It prefixes every receipt number, because each window
            keeps its own counter and two windows of one hospital must never hand out the same number.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        hospital: HospitalProfile,
        renderer: ReceiptRenderer,
        printer: ReceiptPrinter,
        *,
        archive: ArchiveFactory | None = None,
        window_no: str = "",
    ) -> None:
        self._uow_factory = uow_factory
        self._window_no = window_no
        self._clock = clock
        self._hospital = hospital
        self._renderer = renderer
        self._printer = printer
        self._archive = archive

    def _new_receipt_no(self, uow: UnitOfWork, now: datetime) -> str:
        """The next number of this window for the (China-local) day, e.g. ``W01-2026112300001``."""
        number = uow.receipts.next_receipt_no(now.astimezone(CHINA_TZ).date())
        return f"{self._window_no}-{number}" if self._window_no else number

    # ------------------------------------------------------------------ acts

    def issue(
        self, settlement_id: str, operator: Operator, *, refund: bool = False
    ) -> PrintedReceipt:
        """Issue (or, if it has one, copy) the receipt of a stored settlement and print it.

        Args:
            settlement_id: a confirmed settlement, a self-pay collection (``ZF…``) or a cancellation.
            operator: the logged-in operator (needs PRINT_RECEIPT).
            refund: mark a cancellation's receipt as a partial refund (部分退费).

        Raises:
            PermissionDenied: the operator may not print receipts.
            InputError: no such stored settlement.
            DeviceError: printing failed; the number is kept and :meth:`copy` prints it again.
        """
        _require(operator, Action.PRINT_RECEIPT)
        now = self._clock.now()
        with self._uow_factory() as uow:
            stored = _stored(uow, settlement_id)
            live = [r for r in uow.receipts.for_settlement(settlement_id) if not r.voided_by]
            if live:
                existing = live[-1]
                copy_no = uow.receipts.record_copy(existing.receipt_no, now, operator.code)
                data = self._data(uow, stored, existing, ReceiptKind.COPY, now, copy_no=copy_no)
                self._audit(uow, operator, "receipt_copy", existing, now)
            else:
                kind = _kind_for(stored, refund=refund)
                issue = ReceiptIssue(
                    receipt_no=self._new_receipt_no(uow, now),
                    settlement_id=settlement_id,
                    bill_id=stored.bill_id,
                    group_key=stored.group_key,
                    issued_at=now,
                    operator_code=operator.code,
                    kind=_issue_kind(stored, _group(uow, stored), kind),
                )
                uow.receipts.issue(issue)
                data = self._data(uow, stored, issue, kind, now)
                self._audit(uow, operator, "receipt_issue", issue, now)
            uow.commit()
        return self._print(data)

    def copy(self, receipt_no: str, operator: Operator) -> PrintedReceipt:
        """补打: print ``receipt_no`` again under the same number, marked as a copy with the time.

        Raises:
            PermissionDenied: the operator may not copy receipts.
            InputError: no such receipt, or it was voided by a reissue (copy the new one instead).
            DeviceError: printing failed (nothing else changed except the copy count).
        """
        _require(operator, Action.COPY_RECEIPT)
        now = self._clock.now()
        with self._uow_factory() as uow:
            issue = _receipt(uow, receipt_no)
            if issue.voided_by:
                raise InputError(
                    words.VOIDED_COPY(receipt_no=receipt_no, voided_by=issue.voided_by),
                    code="receipt_voided",
                )
            stored = _stored(uow, issue.settlement_id)
            copy_no = uow.receipts.record_copy(receipt_no, now, operator.code)
            data = self._data(uow, stored, issue, ReceiptKind.COPY, now, copy_no=copy_no)
            self._audit(uow, operator, "receipt_copy", issue, now)
            uow.commit()
        return self._print(data)

    def reissue(self, receipt_no: str, operator: Operator, supervisor: Operator) -> PrintedReceipt:
        """重打: void ``receipt_no`` and issue a new number that names it (supervisor authorised).

        Args:
            receipt_no: the receipt to replace.
            operator: the logged-in operator doing it.
            supervisor: the supervisor who authorised it (already authenticated by the caller).

        Raises:
            PermissionDenied: ``supervisor`` may not authorise reissues.
            InputError: no such receipt, or it was already voided.
            DeviceError: printing failed; the new number stands and can be copied (补打).
        """
        _require(operator, Action.REQUEST_REISSUE)
        authorize(supervisor, Action.REISSUE_RECEIPT)
        now = self._clock.now()
        with self._uow_factory() as uow:
            old = _receipt(uow, receipt_no)
            if old.voided_by:
                raise InputError(
                    words.VOIDED_REISSUE(receipt_no=receipt_no, voided_by=old.voided_by),
                    code="receipt_voided",
                )
            stored = _stored(uow, old.settlement_id)
            new = ReceiptIssue(
                receipt_no=self._new_receipt_no(uow, now),
                settlement_id=old.settlement_id,
                bill_id=old.bill_id,
                group_key=old.group_key,
                issued_at=now,
                operator_code=operator.code,
                kind="reissue",
                replaces=old.receipt_no,
            )
            uow.receipts.issue(new)
            uow.receipts.void(old.receipt_no, new.receipt_no)
            data = self._data(uow, stored, new, ReceiptKind.REISSUE, now)
            uow.audit.append(
                now,
                operator.code,
                "receipt_reissue",
                "ok",
                f"{old.receipt_no} → {new.receipt_no}; authorised by {supervisor.code}",
                bill_id=old.bill_id,
            )
            uow.commit()
        return self._print(data)

    def issue_for_bill(
        self,
        bill_id: str,
        operator: Operator,
        *,
        reprint: bool = False,
        unissued_only: bool = False,
        out_dir: Path | None = None,
    ) -> list[PrintedReceipt]:
        """Every receipt of a bill: one per settled group (and per cancellation), in settlement order.

        Args:
            reprint: 补打 — copy each settlement's live receipt instead of issuing.
            unissued_only: issue only the settlements that have no receipt yet (the window's print
                after a settle run: a group settled in an earlier run already has its receipt).
            out_dir: also save each PDF there through the ``archive`` printer, if one was given.

        Raises:
            InputError: the bill has no stored settlement yet.
        """
        with self._uow_factory() as uow:
            stored = sorted(uow.settlements.for_bill(bill_id), key=lambda s: s.record.settled_at)
            live = {
                s.record.settlement_id: [
                    r.receipt_no
                    for r in uow.receipts.for_settlement(s.record.settlement_id)
                    if not r.voided_by
                ]
                for s in stored
            }
        if not stored:
            raise InputError(words.BILL_NOT_SETTLED(), code="receipt_no_settlement")
        printed: list[PrintedReceipt] = []
        for settlement in stored:
            setl_id = settlement.record.settlement_id
            if unissued_only and live[setl_id]:
                continue
            if reprint and live[setl_id]:
                result = self.copy(live[setl_id][-1], operator)
            else:
                result = self.issue(setl_id, operator)
            if out_dir is not None and self._archive is not None:
                saved = self._archive(out_dir).print_receipt(result.data, result.pdf)
                result = replace(result, where=saved)
            printed.append(result)
        return printed

    def eligibility_slip_pdf(self, view: EligibilityView, operator: Operator) -> bytes:
        """The registration desk's slip for an identified patient, as PDF (no number, no money).

        Raises:
            PermissionDenied: the operator may not print eligibility slips.
        """
        _require(operator, Action.PRINT_ELIGIBILITY_SLIP)
        return self._renderer.render_slip(
            slip_from_view(view, self._hospital, operator, self._clock.now())
        )

    # ------------------------------------------------------------------ reading

    def receipt_data(self, receipt_no: str) -> ReceiptData:
        """An issued receipt's data as it was issued (for previews; no side effects).

        Raises:
            InputError: no such receipt or settlement.
        """
        with self._uow_factory() as uow:
            issue = _receipt(uow, receipt_no)
            stored = _stored(uow, issue.settlement_id)
            if issue.kind == ReceiptKind.REISSUE.value:
                kind = ReceiptKind.REISSUE
            else:
                kind = _kind_for(stored, refund=issue.kind == ReceiptKind.REFUND.value)
            return self._data(uow, stored, issue, kind, issue.issued_at)

    def preview_pdf(self, settlement_id: str) -> bytes:
        """The settlement's live receipt as issued, rendered for the screen only: nothing is
        printed, numbered or counted (a copy is :meth:`copy`, a deliberate act of its own).

        Raises:
            InputError: the settlement has no receipt yet.
        """
        live = [r for r in self.receipts_for(settlement_id) if not r.voided_by]
        if not live:
            raise InputError(
                words.NOT_ISSUED(settlement_id=settlement_id),
                code="receipt_not_issued",
            )
        return self._renderer.render(self.receipt_data(live[-1].receipt_no))

    def receipts_for(self, settlement_id: str) -> Sequence[ReceiptIssue]:
        """The receipt numbers issued for a settlement (voided ones included), oldest first."""
        with self._uow_factory() as uow:
            return list(uow.receipts.for_settlement(settlement_id))

    # ------------------------------------------------------------------ internals

    def _print(self, data: ReceiptData) -> PrintedReceipt:
        pdf = self._renderer.render(data)
        where = self._printer.print_receipt(data, pdf)
        log.info("receipt %s (%s) printed", data.receipt_no, data.kind.value)
        return PrintedReceipt(data, where, pdf)

    def _audit(
        self, uow: UnitOfWork, operator: Operator, event: str, issue: ReceiptIssue, now: datetime
    ) -> None:
        uow.audit.append(now, operator.code, event, "ok", issue.receipt_no, bill_id=issue.bill_id)

    def _data(
        self,
        uow: UnitOfWork,
        stored: StoredSettlement,
        issue: ReceiptIssue,
        kind: ReceiptKind,
        now: datetime,
        *,
        copy_no: int = 0,
    ) -> ReceiptData:
        bill = uow.bills.get(stored.bill_id)
        if bill is None:
            raise InputError(
                words.BILL_MISSING(settlement_id=stored.record.settlement_id), code="receipt_bill"
            )
        group = _group(uow, stored)
        name, id_number = _patient(uow, bill)
        record = stored.record
        lines = _lines(bill.lines, record.splits, group)
        window = stored.window
        original = (
            uow.settlements.get(stored.original_settlement_id) if stored.is_cancellation else None
        )
        if original is not None:
            # A cancellation (2208) carries no per-line split: show the original lines, negated.
            lines = tuple(
                _negated(line) for line in _lines(bill.lines, original.record.splits, group)
            )
            window = window or original.window
        operator = uow.operators.get(issue.operator_code)
        operator_text = (
            f"{operator.operator.code} {operator.operator.name}"
            if operator
            else issue.operator_code
        )
        return ReceiptData(
            hospital_name=self._hospital.name,
            hospital_code=self._hospital.code,
            patient_name=name,
            masked_id=mask_number(id_number),
            insured_place=province_name(bill.insured_admdvs),
            insurance_type=_insurance_name(record.insurance_type or bill.insurance_type),
            category=_category(stored, group, bill),
            lines=lines,
            totals=_totals(stored),
            settlement_id=record.settlement_id,
            settled_at=record.settled_at,
            operator=operator_text,
            window=window,
            receipt_no=issue.receipt_no,
            kind=kind,
            issued_at=issue.issued_at,
            printed_at=now,
            bill_id=bill.bill_id,
            clearing_type=record.clearing_type,
            clearing_way=record.clearing_way,
            clearing_agency=record.clearing_agency,
            copy_no=copy_no if kind is ReceiptKind.COPY else 0,
            replaces=issue.replaces if kind is ReceiptKind.REISSUE else "",
            original_settlement_id=stored.original_settlement_id if stored.is_cancellation else "",
            department=bill.dept_name,
            doctor=bill.doctor_name,
        )


def _slip_note(view: QualificationView) -> str:
    if not view.pilot:
        return str(words.SLIP_NOT_PILOT())
    if view.state is QualificationState.EXPIRED:
        return str(words.SLIP_EXPIRED())
    if view.state is QualificationState.NOT_YET_VALID:
        return str(words.SLIP_NOT_YET_VALID())
    if not view.opened_here:
        return str(words.SLIP_NOT_OPENED())
    return ""


def slip_from_view(
    view: EligibilityView, hospital: HospitalProfile, operator: Operator, now: datetime
) -> EligibilitySlip:
    """The eligibility slip's data from an eligibility view (ID masked; no diagnosis beyond the code)."""
    row = view.settlement_insurance
    if not view.cross_province:
        registration = str(words.SLIP_LOCAL())
    elif view.from_cache:
        registration = str(words.SLIP_CACHED(time=f"{view.fetched_at.astimezone(CHINA_TZ):%H:%M}"))
    else:
        registration = str(words.SLIP_REGISTRATION())
    return EligibilitySlip(
        hospital_name=hospital.name,
        patient_name=view.person.name,
        masked_id=view.masked_id,
        insured_place=view.insured_province,
        insurance_type=row.type_name if row else str(words.NO_INSURANCE()),
        registration_text=registration,
        qualifications=tuple(
            SlipQualification(
                code=q.code,
                name=q.name,
                valid_from=q.valid_from,
                valid_to=q.valid_to,
                settleable_here=q.settleable,
                note=_slip_note(q),
            )
            for q in view.qualifications
        ),
        checked_at=now,
        operator=f"{operator.code} {operator.name}",
    )


def _require(operator: Operator, action: Action) -> None:
    authorize(operator, action)


def _stored(uow: UnitOfWork, settlement_id: str) -> StoredSettlement:
    stored = uow.settlements.get(settlement_id)
    if stored is None:
        raise InputError(
            words.SETTLEMENT_MISSING(settlement_id=settlement_id),
            code="receipt_no_settlement",
        )
    return stored


def _receipt(uow: UnitOfWork, receipt_no: str) -> ReceiptIssue:
    issue = uow.receipts.get(receipt_no)
    if issue is None:
        raise InputError(words.RECEIPT_UNKNOWN(receipt_no=receipt_no), code="receipt_unknown")
    return issue


def _group(uow: UnitOfWork, stored: StoredSettlement) -> GroupSettlement | None:
    """The stored group the settlement belongs to (``None``: its bill's groups are not here)."""
    return next(
        (g for g in uow.bills.groups(stored.bill_id) if g.group_key == stored.group_key), None
    )


def _kind_for(stored: StoredSettlement, *, refund: bool) -> ReceiptKind:
    if stored.is_cancellation:
        return ReceiptKind.REFUND if refund else ReceiptKind.CANCELLATION
    return ReceiptKind.ORIGINAL


def _issue_kind(stored: StoredSettlement, group: GroupSettlement | None, kind: ReceiptKind) -> str:
    if kind is ReceiptKind.ORIGINAL and _kind_of(stored, group) is GroupKind.SELF_PAY:
        return "self_pay"
    return kind.value


def _patient(uow: UnitOfWork, bill: Bill) -> tuple[str, str]:
    cached = uow.persons.get(bill.person_no)
    if cached is not None:
        return cached.person.name, cached.person.id_number
    # The cache may have been purged (retention); the credential keeps what identification gave.
    return bill.credential.name or str(words.NAME_NOT_KEPT()), bill.credential.id_number


def _insurance_name(code: str) -> str:
    return INSURANCE_TYPE_NAMES.get(code, str(words.INSURANCE_CODE(code=code)) if code else "")


def _category(stored: StoredSettlement, group: GroupSettlement | None, bill: Bill) -> CategoryInfo:
    """The receipt's category: the stored group's kind (what the plan, or 未备案, made it)."""
    record = stored.record
    kind = _kind_of(stored, group)
    if kind is GroupKind.SELF_PAY:
        reason = group.self_pay_reason if group is not None else ""
        place = province_name(bill.insured_admdvs)
        return CategoryInfo(FeeCategory.SELF_PAY, self_pay_reason=reason, insured_place=place)
    if kind is GroupKind.CHRONIC and record.disease_code:
        disease = pilot_disease(record.disease_code)
        name = disease.name if disease else ""
        return CategoryInfo(FeeCategory.CHRONIC, record.disease_code, name)
    return CategoryInfo(FeeCategory.GENERAL)


def _kind_of(stored: StoredSettlement, group: GroupSettlement | None) -> GroupKind:
    if group is not None:
        return group.kind
    # A settlement whose bill groups are not here: only what the record itself says.
    return kind_of(stored.record.med_type, stored.record.disease_code)


def _lines(
    lines: Sequence[FeeLine], splits: Sequence[LineSplit], group: GroupSettlement | None
) -> tuple[ReceiptLine, ...]:
    by_no = {split.line_no: split for split in splits}
    wanted = set(group.line_nos) if group is not None else set(by_no)
    result: list[ReceiptLine] = []
    for line in lines:
        if line.line_no not in wanted and line.line_no not in by_no:
            continue
        split = by_no.get(line.line_no)
        result.append(
            ReceiptLine(
                name=line.name,
                spec=line.spec,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                full_self_pay=split.full_self_pay if split else line.amount,
                over_limit=split.over_limit if split else ZERO,
                first_self_pay=split.first_self_pay if split else ZERO,
                in_scope=split.in_scope if split else ZERO,
                item_class=split.item_class if split else "",
            )
        )
    return tuple(result)


def _negated(line: ReceiptLine) -> ReceiptLine:
    return replace(
        line,
        quantity=-line.quantity,
        amount=-line.amount,
        full_self_pay=-line.full_self_pay,
        over_limit=-line.over_limit,
        first_self_pay=-line.first_self_pay,
        in_scope=-line.in_scope,
    )


def _totals(stored: StoredSettlement) -> ReceiptTotals:
    totals = stored.record.totals
    funds = tuple(
        ReceiptFund(f.display_name, f.amount)
        for f in totals.funds
        if f.fund_type not in ACCOUNT_FUND_TYPES and f.fund_type not in HOSPITAL_FUND_TYPES
    )
    return ReceiptTotals(
        total=totals.total,
        fund=totals.fund,
        account=totals.account,
        cash=totals.cash,
        hospital=totals.hospital,
        funds=funds,
        full_self_pay=totals.full_self_pay,
        first_self_pay=totals.first_self_pay,
        in_scope=totals.in_scope,
        over_limit=totals.over_limit,
    )
