"""What settlement shows and stores: the result types, a new bill, its planned groups, its status.

Pure functions over the domain: no platform call, no unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.domain.bill import FeeLine
from app.domain.hospital import HospitalProfile
from app.domain.lifecycle import ordered
from app.domain.money import ZERO, money_sum
from app.domain.person import InsuredPerson, RegistrationStatus
from app.domain.plan import GroupKind, PlanContext, SettlementGroup, make_plan
from app.domain.settlement import SettlementTotals
from app.domain.visit import Bill, BillStatus, GroupSettlement, GroupState
from app.services.bill_import import ImportedVisit
from app.services.eligibility import EligibilityView

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
SELF_PAY_KEY = "self_pay"
SELF_PAY_PREFIX = "ZF"


@dataclass(frozen=True)
class GroupResult:
    """Where one settlement group stands, as shown to the cashier."""

    group_key: str
    label: str
    state: GroupState
    total: Decimal
    line_nos: tuple[str, ...]
    kind: GroupKind
    disease_code: str | None
    reason: str = ""
    preview: SettlementTotals | None = None
    totals: SettlementTotals | None = None
    settlement_id: str = ""
    failure: str = ""
    preview_differences: tuple[str, ...] = ()

    @property
    def is_self_pay(self) -> bool:
        """Paid in full by the patient, no platform call."""
        return self.kind is GroupKind.SELF_PAY

    @property
    def med_type(self) -> str | None:
        """``11``, ``14``, or ``None`` for a full-self-pay group."""
        return self.kind.med_type

    @property
    def cash_due(self) -> Decimal:
        """What the patient pays for this group now (0 until settled or collected)."""
        return self.totals.cash if self.totals is not None else ZERO


@dataclass(frozen=True)
class BillResult:
    """A bill and its groups."""

    bill_id: str
    status: BillStatus
    person_no: str
    total: Decimal
    groups: tuple[GroupResult, ...]
    parent_bill_id: str = ""

    def group(self, key: str) -> GroupResult:
        """The group with ``key``."""
        for group in self.groups:
            if group.group_key == key:
                return group
        raise KeyError(key)

    @property
    def cash_due(self) -> Decimal:
        """Cash over every settled or collected group."""
        return money_sum(g.cash_due for g in self.groups)

    @property
    def fund_paid(self) -> Decimal:
        """Fund payments over every settled group."""
        return money_sum(g.totals.fund for g in self.groups if g.totals is not None)


def new_bill(
    visit: ImportedVisit,
    view: EligibilityView,
    lines: tuple[FeeLine, ...],
    now: datetime,
    *,
    parent_bill_id: str = "",
    status: BillStatus = BillStatus.OPEN,
) -> Bill:
    """A new bill for an HIS hand-off and the patient's eligibility, under the settlement insurance."""
    row = view.settlement_insurance
    return Bill(
        bill_id=uuid.uuid4().hex[:20].upper(),
        created_at=now,
        person_no=view.person.person_no,
        insured_admdvs=row.insured_admdvs if row else view.insured_admdvs,
        insurance_type=row.insurance_type if row else "",
        credential=view.credential,
        outpatient_no=visit.outpatient_no,
        dept_code=visit.dept_code,
        dept_name=visit.dept_name,
        doctor_code=visit.doctor_code,
        doctor_name=visit.doctor_name,
        lines=lines,
        status=status,
        parent_bill_id=parent_bill_id,
        diagnosis_code=visit.diagnosis_code,
        diagnosis_name=visit.diagnosis_name,
    )


def planned_groups(
    bill: Bill,
    person: InsuredPerson,
    hospital: HospitalProfile,
    day: date,
    registration: RegistrationStatus,
) -> list[GroupSettlement]:
    """The bill's groups as the plan makes them on ``day`` (local), ready to store."""
    plan = make_plan(PlanContext(person, hospital, day, registration), bill.lines)
    return [planned_group(bill.bill_id, group) for group in plan.groups]


def local_day(moment: datetime) -> date:
    """The local (China) date of ``moment``: the day the rules are applied on."""
    return moment.astimezone(LOCAL_ZONE).date()


def planned_group(bill_id: str, group: SettlementGroup) -> GroupSettlement:
    """One plan group as a stored group, not yet sent."""
    reasons = {planned.reason.text for planned in group.lines}
    return GroupSettlement(
        bill_id=bill_id,
        group_key=group.key,
        state=GroupState.PLANNED,
        kind=group.kind,
        disease_code=group.disease_code,
        line_nos=tuple(planned.line.line_no for planned in group.lines),
        self_pay_reason="；".join(sorted(reasons)) if group.kind is GroupKind.SELF_PAY else "",
    )


def status_of(groups: Sequence[GroupSettlement]) -> BillStatus:
    """A bill's status follows from its groups' states."""
    states = {g.state for g in groups}
    paid = {GroupState.SETTLED, GroupState.SELF_PAY_COLLECTED}
    if not states:
        return BillStatus.OPEN
    if states == {GroupState.CANCELLED}:
        return BillStatus.CANCELLED
    if states <= paid:
        return BillStatus.SETTLED
    if states & (paid | {GroupState.CANCELLED}):
        return BillStatus.PARTLY_SETTLED
    if states <= {GroupState.PLANNED, GroupState.FAILED}:
        return BillStatus.OPEN
    return BillStatus.SETTLING


def line_amounts(bill: Bill) -> dict[str, Decimal]:
    """Each line's amount by line number."""
    return {line.line_no: line.amount for line in bill.lines}


def bill_result(bill: Bill, groups: Sequence[GroupSettlement]) -> BillResult:
    """The bill as shown: status from its groups, groups in settlement order."""
    amounts = line_amounts(bill)
    return BillResult(
        bill_id=bill.bill_id,
        status=status_of(groups),
        person_no=bill.person_no,
        total=money_sum(amounts.values()),
        groups=tuple(group_result(g, amounts) for g in ordered(groups)),
        parent_bill_id=bill.parent_bill_id,
    )


def group_result(group: GroupSettlement, amounts: dict[str, Decimal]) -> GroupResult:
    """One stored group as shown (``amounts``: :func:`line_amounts` of its bill)."""
    record = group.record
    return GroupResult(
        group_key=group.group_key,
        label=group.label,
        state=group.state,
        total=money_sum(amounts[no] for no in group.line_nos if no in amounts),
        line_nos=group.line_nos,
        kind=group.kind,
        disease_code=group.disease_code,
        reason=group.self_pay_reason,
        preview=group.preview,
        totals=record.totals if record is not None else None,
        settlement_id=record.settlement_id if record is not None else "",
        failure=group.failure_text,
        preview_differences=group.preview_differences,
    )
