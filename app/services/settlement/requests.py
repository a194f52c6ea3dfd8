"""The platform requests of a group, built from the stored bill and group (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from app.domain.disease import pilot_disease
from app.domain.money import ZERO, money_sum
from app.domain.operator import Operator
from app.domain.settlement import LineSplit, SettlementTotals
from app.domain.visit import Bill, GroupSettlement, GroupState
from app.services.journaling import CallIntent
from app.services.ports.platform import (
    CallContext,
    FeeUpload,
    RegisterRequest,
    SettleRequest,
    VisitUpload,
)

ACCOUNT_INSURANCE_TYPES = frozenset({"310"})


def call_context(bill: Bill, operator: Operator) -> CallContext:
    """Who sends, to which insured place."""
    return CallContext(operator, bill.insured_admdvs)


def intent(
    infno: str,
    bill: Bill,
    group: GroupSettlement,
    operator: Operator,
    *,
    batch_no: str = "",
    amount: Decimal | None = None,
) -> CallIntent:
    """The journal row written before a state-changing call for ``group``."""
    return CallIntent(
        infno=infno,
        bill_id=bill.bill_id,
        group_key=group.group_key,
        person_no=bill.person_no,
        insured_admdvs=bill.insured_admdvs,
        operator_code=operator.code,
        visit_id=group.visit_id,
        batch_no=batch_no or group.batch_no,
        amount=amount,
    )


def register_request(bill: Bill, now: datetime) -> RegisterRequest:
    """2201 for the bill's outpatient visit."""
    return RegisterRequest(
        person_no=bill.person_no,
        insurance_type=bill.insurance_type,
        begin_time=now,
        credential=bill.credential,
        outpatient_no=bill.ipt_otp_no,
        doctor_code=bill.doctor_code,
        doctor_name=bill.doctor_name,
        dept_code=bill.dept_code,
        dept_name=bill.dept_name,
    )


def visit_upload(bill: Bill, group: GroupSettlement, now: datetime) -> VisitUpload:
    """2203: the group's disease, or for general outpatient the HIS visit's diagnosis."""
    diagnosis_code, diagnosis_name = diagnosis(bill, group)
    return VisitUpload(
        visit_id=group.visit_id,
        person_no=bill.person_no,
        med_type=group.med_type or "",
        begin_time=now,
        disease_code=group.disease_code,
        disease_name=disease_name(group),
        diagnosis_code=diagnosis_code,
        diagnosis_name=diagnosis_name,
        dept_name=bill.dept_name,
        doctor_code=bill.doctor_code,
        doctor_name=bill.doctor_name,
    )


def fee_upload(bill: Bill, group: GroupSettlement) -> FeeUpload:
    """2204: the group's lines under its batch number (``group.batch_no`` must be set)."""
    by_no = {line.line_no: line for line in bill.lines}
    return FeeUpload(
        visit_id=group.visit_id,
        person_no=bill.person_no,
        batch_no=group.batch_no,
        disease_code=group.disease_code,
        lines=tuple(by_no[no] for no in group.line_nos),
        dept_code=bill.dept_code,
        dept_name=bill.dept_name,
        doctor_code=bill.doctor_code,
        doctor_name=bill.doctor_name,
    )


def settle_request(bill: Bill, group: GroupSettlement, *, use_account: bool) -> SettleRequest:
    """2206/2207 for the group (``use_account``: the patient did not decline the account)."""
    lines = {line.line_no: line for line in bill.lines}
    splits = group.splits
    return SettleRequest(
        person_no=bill.person_no,
        credential=bill.credential,
        med_type=group.med_type or "",
        total=money_sum(lines[no].amount for no in group.line_nos),
        visit_id=group.visit_id,
        batch_no=group.batch_no,
        insurance_type=bill.insurance_type,
        use_account=use_account and bill.insurance_type in ACCOUNT_INSURANCE_TYPES,
        disease_code=group.disease_code,
        split_totals=split_totals(splits) if splits else None,
    )


def split_totals(splits: Sequence[LineSplit]) -> SettlementTotals:
    """The four 2204 batch totals, for newer 2206/2207 versions."""
    total = money_sum(s.amount for s in splits)
    return SettlementTotals(
        total=total,
        full_self_pay=money_sum(s.full_self_pay for s in splits),
        over_limit=money_sum(s.over_limit for s in splits),
        first_self_pay=money_sum(s.first_self_pay for s in splits),
        in_scope=money_sum(s.in_scope for s in splits),
        deductible=ZERO,
        fund=ZERO,
        account=ZERO,
        cash=ZERO,
    )


def diagnosis(bill: Bill, group: GroupSettlement) -> tuple[str, str]:
    """A chronic group's disease; otherwise the HIS visit's diagnosis stored with the bill."""
    if group.disease_code:
        return group.disease_code, disease_name(group)
    return bill.diagnosis_code, bill.diagnosis_name


def disease_name(group: GroupSettlement) -> str:
    """The pilot disease's name, or empty."""
    disease = pilot_disease(group.disease_code or "")
    return disease.name if disease else ""


def restarted(group: GroupSettlement) -> GroupSettlement:
    """The group back to planned, forgetting what the platform held (withdrawn or failed)."""
    return replace(
        group,
        state=GroupState.PLANNED,
        visit_id="",
        batch_no="",
        preview=None,
        record=None,
        preview_differences=(),
    )
