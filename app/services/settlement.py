"""Settling a visit: plan → per group 2201 → 2203 → 2204 → 2206 preview → confirm → 2207.

Groups are independent: each has its own registration, batch and settlement, and one group's failure
leaves the others settled. Every state-changing call goes through :class:`JournaledCaller` (journal
first, send once). A 2207 result is stored in the same transaction as its journal ``OK`` row; its
differences from the 2206 preview are recorded on the group and shown. The full-self-pay group is
recorded locally without any platform call (convention: ``ZF`` + local number). A 2201 refused with
未备案 turns the person's direct groups into full self-pay with the reason.

An unknown outcome is never retried: it is handed to recovery at once (one attempt), and if that does
not settle it the bill stays locked until recovery does.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from app.domain.bill import FeeLine
from app.domain.disease import pilot_disease
from app.domain.hospital import HospitalProfile
from app.domain.journal import JournalEntry, JournalState
from app.domain.lifecycle import Phase, StepKind, next_step, ordered
from app.domain.lifecycle import Step as LifecycleStep
from app.domain.money import ZERO, money_sum
from app.domain.operator import Action, Operator
from app.domain.person import InsuredPerson, RegistrationStatus
from app.domain.plan import PlanContext, SettlementGroup, group_label, kind_of, make_plan
from app.domain.settlement import (
    LineSplit,
    SettlementRecord,
    SettlementTotals,
    full_self_pay_split,
    full_self_pay_totals,
    preview_differences,
)
from app.domain.visit import Bill, BillStatus, GroupSettlement, GroupState
from app.errors import (
    AppError,
    BillLocked,
    InputError,
    PlatformCategory,
    PlatformError,
    PlatformRejected,
    RecoveryPending,
)
from app.services.auth import authorize
from app.services.bill_import import ImportedVisit
from app.services.charge_claims import ChargeClaimService
from app.services.crashpoints import crash_point
from app.services.eligibility import EligibilityView
from app.services.journaling import CallIntent, CallOutcome, JournaledCaller, failure_text
from app.services.ports.clock import Clock
from app.services.ports.platform import (
    CallContext,
    FeeUpload,
    PlatformGateway,
    RegisterRequest,
    SettleRequest,
    VisitUpload,
)
from app.services.ports.store import StoredSettlement, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
SELF_PAY_KEY = "self_pay"
SELF_PAY_PREFIX = "ZF"
ACCOUNT_INSURANCE_TYPES = frozenset({"310"})
BILL_CACHE_SIZE = 64


ChargeCheck = Callable[[Sequence[FeeLine], bool], None]
"""Lines of a group, and whether the HIS must answer (the platform settlement) or may be down."""


class RecoveryHook(Protocol):
    """What settlement needs from recovery: one immediate attempt at an unknown row, and whose row
    is whose (issue #16)."""

    def resolve_now(self, msgid: str) -> JournalState:
        """Try once to resolve ``msgid``; return its state afterwards."""
        ...

    def in_other_hands(self, entry: JournalEntry) -> bool:
        """Whether ``entry`` is a call another live process has in flight."""
        ...

    def resolve_orphans(self, rows: Sequence[JournalEntry]) -> bool:
        """If any of ``rows`` was left by a program that has ended, resolve what it left (as the
        next start would); whether anything was run."""
        ...


@dataclass(frozen=True)
class GroupResult:
    """Where one settlement group stands, as shown to the cashier."""

    group_key: str
    label: str
    state: GroupState
    total: Decimal
    line_nos: tuple[str, ...]
    med_type: str | None
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
        return self.med_type is None

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


ConfirmCallback = Callable[[GroupResult], bool]
# One preview step: the group as it committed it, or None when the step stopped (failed, converted).
Step = Callable[[Bill, GroupSettlement, Operator], GroupSettlement | None]


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


class SettlementService:
    """Opens bills, previews and settles their groups (see module docstring)."""

    def __init__(
        self,
        *,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        hospital: HospitalProfile,
        caller: JournaledCaller,
        recovery: RecoveryHook,
        window_no: str = "",
        claims: ChargeClaimService | None = None,
        charge_check: ChargeCheck | None = None,
    ):
        """Bind to the platform, the store, the clock, this hospital, recovery and this window.

        ``charge_check`` (the HIS re-check) runs on a group's lines just before 2207 and before a
        self-pay collection; it raises :class:`InputError` to stop them.
        """
        self._claims = claims or ChargeClaimService(uow_factory, clock)
        self._window_no = window_no
        self._charge_check = charge_check
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._hospital = hospital
        self._caller = caller
        self._recovery = recovery
        self._bills: OrderedDict[str, Bill] = OrderedDict()
        self._cache_lock = threading.Lock()  # the window calls services from worker threads
        # Bills being settled whose patient declined the personal account (acct_used_flag 0).
        self._account_declined: set[str] = set()

    # ------------------------------------------------------------------ opening a bill

    def open_bill(
        self,
        visit: ImportedVisit,
        view: EligibilityView,
        operator: Operator,
        *,
        parent_bill_id: str = "",
    ) -> BillResult:
        """Create a bill from a visit and a *live* eligibility view, and plan its groups.

        Raises:
            PermissionDenied: the operator may not settle.
            InputError: the view came from the offline cache, or the lines cannot be planned.
        """
        self._require(operator, Action.SETTLE)
        if view.from_cache:
            raise InputError(
                "当前为离线缓存信息，不能用于结算。请待医保平台恢复后重新读卡查询。",
                code="stale_eligibility",
            )
        lines = self._complete_lines(visit.lines)
        now = self._clock.now()
        bill = new_bill(visit, view, lines, now, parent_bill_id=parent_bill_id)
        groups = self._plan_groups(bill, view.person, RegistrationStatus.UNKNOWN)
        with self._uow_factory() as uow:
            uow.bills.save(bill)
            for group in groups:
                uow.bills.save_group(group)
            uow.audit.append(
                now, operator.code, "bill_opened", "ok", f"{len(lines)} lines", bill_id=bill.bill_id
            )
            uow.commit()
        self._remember(bill)  # just stored: no need to read and decrypt it back
        return _bill_result(bill, groups)

    def _complete_lines(self, lines: Sequence[FeeLine]) -> tuple[FeeLine, ...]:
        """Fill national code and name from the local catalogue when the HIS left them out."""
        if all(line.national_code and line.name for line in lines):
            return tuple(lines)
        completed: list[FeeLine] = []
        with self._uow_factory() as uow:
            for line in lines:
                if line.national_code and line.name:
                    completed.append(line)
                    continue
                item = uow.catalogue.get(line.hospital_code)
                if item is None:
                    raise InputError(
                        f"第 {line.line_no} 行的院内编码 {line.hospital_code} 不在本地目录中，"
                        "且未给出国家编码和名称。请由收费主管或系统管理员先导入院内目录"
                        "（settlement-window catalog import 目录文件；catalog sync 只更新已导入项目的"
                        "医保属性），或在账单中写明 national_code 和 name。",
                        code="line_not_in_catalogue",
                    )
                completed.append(
                    replace(
                        line,
                        national_code=line.national_code or item.national_code,
                        name=line.name or item.name,
                        spec=line.spec or item.spec,
                    )
                )
        return tuple(completed)

    def _plan_groups(
        self, bill: Bill, person: InsuredPerson, registration: RegistrationStatus
    ) -> list[GroupSettlement]:
        day = self._clock.now().astimezone(LOCAL_ZONE).date()
        plan = make_plan(PlanContext(person, self._hospital, day, registration), bill.lines)
        return [_planned_group(bill.bill_id, group) for group in plan.groups]

    # ------------------------------------------------------------------ reading

    def bill(self, bill_id: str) -> BillResult:
        """A bill with the current state of its groups."""
        with self._uow_factory() as uow:
            bill = self._contents(uow, bill_id)
            groups = tuple(uow.bills.groups(bill_id))
        return _bill_result(bill, groups)

    # ------------------------------------------------------------------ settling

    def settle(
        self,
        bill_id: str,
        operator: Operator,
        confirm: ConfirmCallback | None = None,
        *,
        use_account: bool = True,
    ) -> BillResult:
        """Settle every open group of a bill, in plan order.

        Args:
            bill_id: the bill.
            operator: who is settling.
            confirm: called with each group's 2206 preview; ``False`` abandons that group (its
                registration and fees are withdrawn). ``None`` confirms every preview.
            use_account: ``False`` when the patient declines paying from the personal account
                (``acct_used_flag`` 0: their share is cash); otherwise the account pays when the
                insurance has one.

        Raises:
            RecoveryPending / BillLocked: unresolved journal rows forbid starting.
            PermissionDenied: the operator may not settle.
        """
        self._require(operator, Action.SETTLE)
        with self._claims.holding(bill_id, operator.code):  # a charge is paid once (R16)
            self._guard(bill_id)
            if not use_account:
                self._account_declined.add(bill_id)
            try:
                self._settle_groups(bill_id, operator, confirm)
            finally:
                self._account_declined.discard(bill_id)
                result = self._refresh_status(bill_id)
        return result

    def _settle_groups(
        self, bill_id: str, operator: Operator, confirm: ConfirmCallback | None
    ) -> None:
        """One step at a time, as :func:`app.domain.lifecycle.next_step` decides (each group
        previewed, then confirmed or collected, in plan order; nothing after an unknown outcome).
        A preview that succeeded hands on what it committed; other steps are read back, since a
        failure may change any group (未备案 turns every direct group into self-pay)."""
        with self._uow_factory() as uow:
            bill = self._contents(uow, bill_id)
            groups = {g.group_key: g for g in uow.bills.groups(bill_id)}
        attempted: set[LifecycleStep] = set()
        while (step := next_step(list(groups.values()), attempted, Phase.ALL)) is not None:
            attempted.add(step)
            key = step.group_key
            if step.kind is StepKind.COLLECT:
                self.collect_self_pay(bill_id, key, operator)
            elif step.kind is StepKind.PREVIEW:
                previewed = self._preview(bill, groups[key], operator)
                if previewed is not None:
                    groups[key] = previewed
                    continue
            elif confirm is not None and not confirm(_group_result(groups[key], _amounts(bill))):
                self.abandon(bill_id, key, operator)
            else:
                self._confirm(bill, groups[key], operator)
            groups = self._groups(bill_id)

    def preview(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """Run 2201 → 2203 → 2204 → 2206 for one group (resuming where it stands)."""
        self._require(operator, Action.PRE_SETTLE)
        with self._claims.holding(bill_id, operator.code):
            self._guard(bill_id)
            bill, group = self._load(bill_id, group_key)
            previewed = self._preview(bill, group, operator)
        if previewed is None:
            return self._result(bill_id, group_key)
        return _group_result(previewed, _amounts(bill))

    def _preview(
        self, bill: Bill, group: GroupSettlement, operator: Operator
    ) -> GroupSettlement | None:
        """The remaining steps up to 2206; the group as committed, or ``None`` if a step failed."""
        steps: list[tuple[GroupState, Step]] = [
            (GroupState.PLANNED, self._register),
            (GroupState.REGISTERED, self._upload_visit),
            (GroupState.VISIT_UPLOADED, self._upload_fees),
            (GroupState.FEES_UPLOADED, self._pre_settle),
        ]
        if group.state is GroupState.FAILED:
            group = self._restart(group)
        for state, step in steps:
            if group.state is not state:
                continue
            stored = step(bill, group, operator)
            if stored is None:
                return None
            group = stored  # exactly what the step committed: no need to read it back
        return group

    def confirm(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """2207 for a previewed group; the result is stored with its journal row."""
        self._require(operator, Action.SETTLE)
        with self._claims.holding(bill_id, operator.code):
            self._guard(bill_id)
            bill, group = self._load(bill_id, group_key)
            return self._confirm(bill, group, operator)

    def _confirm(self, bill: Bill, group: GroupSettlement, operator: Operator) -> GroupResult:
        bill_id, group_key = bill.bill_id, group.group_key
        if group.state is not GroupState.PREVIEWED or group.preview is None:
            raise InputError("该组尚未预结算，请先预结算再确认。", code="not_previewed")
        self._check_charges(bill, group, require_his=True)
        request = self._settle_request(bill, group)
        splits = group.splits
        preview = group.preview
        settled: list[GroupSettlement] = []

        def stored(uow: UnitOfWork, msgid: str, record: SettlementRecord) -> None:
            final = replace(record, splits=record.splits or splits)
            differences = tuple(preview_differences(preview, final.totals))
            uow.settlements.add(
                StoredSettlement(
                    record=final,
                    bill_id=bill_id,
                    group_key=group_key,
                    operator_code=operator.code,
                    window=self._window_no,
                )
            )
            settled.append(
                replace(
                    group,
                    state=GroupState.SETTLED,
                    record=final,
                    splits=(),
                    preview_differences=differences,
                    failure_text="",
                )
            )
            uow.bills.save_group(settled[-1])
            if differences:
                uow.audit.append(
                    self._clock.now(),
                    operator.code,
                    "preview_difference",
                    "recorded",
                    ",".join(differences),
                    bill_id=bill_id,
                    msgid=msgid,
                )
            uow.audit.append(
                self._clock.now(), operator.code, "settle", "ok", group_key,
                bill_id=bill_id, msgid=msgid,
            )  # fmt: skip

        outcome = self._caller.call(
            self._intent("2207", bill, group, operator, amount=group.preview.total),
            lambda msgid: self._gateway.settle(self._ctx(bill, operator), msgid, request),
            stored,
            on_failure=self._failure_recorder(group, operator),
        )
        if outcome.ok:
            crash_point("settlement_stored")
            return _group_result(settled[-1], _amounts(bill))
        self._after_failure(bill, group, operator, outcome)
        return self._result(bill_id, group_key)

    def collect_self_pay(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """Record a full-self-pay collection locally (no platform call)."""
        self._require(operator, Action.COLLECT_SELF_PAY)
        bill, group = self._load(bill_id, group_key)
        if group.med_type is not None:
            raise InputError("该组不是全额自费组。", code="not_self_pay")
        amounts = {line.line_no: line for line in bill.lines}
        lines = [amounts[no] for no in group.line_nos]
        self._check_charges(bill, group, require_his=False)
        total = money_sum(line.amount for line in lines)
        with self._claims.holding(bill_id, operator.code), self._uow_factory() as uow:
            now = self._clock.now()
            local_no = uow.msgids.next_msgid(self._hospital.code, now)
            record = SettlementRecord(
                settlement_id=SELF_PAY_PREFIX + local_no,
                visit_id="",
                msgid=local_no,
                med_type="",
                disease_code=None,
                insurance_type=bill.insurance_type,
                settled_at=now,
                totals=full_self_pay_totals(total),
                splits=tuple(full_self_pay_split(line.line_no, line.amount) for line in lines),
            )
            uow.settlements.add(
                StoredSettlement(
                    record=record,
                    bill_id=bill_id,
                    group_key=group_key,
                    operator_code=operator.code,
                    window=self._window_no,
                )
            )
            uow.bills.save_group(replace(group, state=GroupState.SELF_PAY_COLLECTED, record=record))
            uow.audit.append(
                now, operator.code, "self_pay", "ok", group_key, bill_id=bill_id, msgid=local_no
            )
            uow.commit()
        return self._result(bill_id, group_key)

    def abandon(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """The cashier declined a preview: withdraw fees and registration, back to planned."""
        bill, group = self._load(bill_id, group_key)
        self._clean_up(bill, group, operator)
        with self._uow_factory() as uow:
            uow.bills.save_group(self._restart(group))
            uow.commit()
        self._claims.release_idle(bill_id)
        return self._result(bill_id, group_key)

    # ------------------------------------------------------------------ the steps

    def _register(
        self, bill: Bill, group: GroupSettlement, operator: Operator
    ) -> GroupSettlement | None:
        request = RegisterRequest(
            person_no=bill.person_no,
            insurance_type=bill.insurance_type,
            begin_time=self._clock.now(),
            credential=bill.credential,
            outpatient_no=bill.outpatient_no,
            doctor_code=bill.doctor_code,
            doctor_name=bill.doctor_name,
            dept_code=bill.dept_code,
            dept_name=bill.dept_name,
        )

        saved: list[GroupSettlement] = []

        def registered(uow: UnitOfWork, _msgid: str, visit_id: str) -> None:
            saved.append(replace(group, state=GroupState.REGISTERED, visit_id=visit_id))
            uow.bills.save_group(saved[-1])

        outcome = self._caller.call(
            self._intent("2201", bill, group, operator),
            lambda msgid: self._gateway.register(self._ctx(bill, operator), msgid, request),
            registered,
            on_failure=self._failure_recorder(group, operator),
        )
        if outcome.ok:
            return saved[-1]
        error = outcome.error
        if isinstance(error, PlatformRejected) and error.category is PlatformCategory.REGISTRATION:
            self._convert_to_self_pay(bill, operator)
            return None
        self._after_failure(bill, group, operator, outcome)
        return None

    def _upload_visit(
        self, bill: Bill, group: GroupSettlement, operator: Operator
    ) -> GroupSettlement | None:
        diagnosis_code, diagnosis_name = _diagnosis(bill, group)
        upload = VisitUpload(
            visit_id=group.visit_id,
            person_no=bill.person_no,
            med_type=group.med_type or "",
            begin_time=self._clock.now(),
            disease_code=group.disease_code,
            disease_name=_disease_name(group),
            diagnosis_code=diagnosis_code,
            diagnosis_name=diagnosis_name,
            dept_name=bill.dept_name,
            doctor_code=bill.doctor_code,
            doctor_name=bill.doctor_name,
        )

        visit_uploaded = replace(group, state=GroupState.VISIT_UPLOADED)

        def uploaded(uow: UnitOfWork, _msgid: str, _none: None) -> None:
            uow.bills.save_group(visit_uploaded)

        outcome = self._caller.call(
            self._intent("2203", bill, group, operator),
            lambda msgid: self._gateway.upload_visit(self._ctx(bill, operator), msgid, upload),
            uploaded,
            on_failure=self._failure_recorder(group, operator),
        )
        if not outcome.ok:
            self._after_failure(bill, group, operator, outcome)
            return None
        return visit_uploaded

    def _upload_fees(
        self, bill: Bill, group: GroupSettlement, operator: Operator
    ) -> GroupSettlement | None:
        by_no = {line.line_no: line for line in bill.lines}
        batch_no = group.batch_no or uuid.uuid4().hex[:20].upper()
        group = replace(group, batch_no=batch_no)
        upload = FeeUpload(
            visit_id=group.visit_id,
            person_no=bill.person_no,
            batch_no=batch_no,
            disease_code=group.disease_code,
            lines=tuple(by_no[no] for no in group.line_nos),
            dept_code=bill.dept_code,
            dept_name=bill.dept_name,
            doctor_code=bill.doctor_code,
            doctor_name=bill.doctor_name,
        )

        fees_uploaded = replace(group, state=GroupState.FEES_UPLOADED)

        def uploaded(uow: UnitOfWork, _msgid: str, splits: tuple[LineSplit, ...]) -> None:
            nonlocal fees_uploaded
            fees_uploaded = replace(fees_uploaded, splits=splits)
            uow.bills.save_group(fees_uploaded)

        outcome = self._caller.call(
            self._intent("2204", bill, group, operator, batch_no=batch_no),
            lambda msgid: self._gateway.upload_fees(self._ctx(bill, operator), msgid, upload),
            uploaded,
            on_failure=self._failure_recorder(group, operator),
        )
        if not outcome.ok:
            self._after_failure(bill, group, operator, outcome)
            return None
        return fees_uploaded

    def _pre_settle(
        self, bill: Bill, group: GroupSettlement, operator: Operator
    ) -> GroupSettlement | None:
        """2206 changes nothing on the platform, so it is not journaled."""
        try:
            preview = self._gateway.pre_settle(
                self._ctx(bill, operator), self._settle_request(bill, group)
            )
        except PlatformError as exc:
            with self._uow_factory() as uow:
                uow.bills.save_group(replace(group, failure_text=failure_text(exc)))
                uow.commit()
            if isinstance(exc, PlatformRejected):
                self._fail_group(bill, group, operator, failure_text(exc))
            return None
        previewed = replace(group, state=GroupState.PREVIEWED, preview=preview, failure_text="")
        with self._uow_factory() as uow:
            uow.bills.save_group(previewed)
            uow.commit()
        return previewed

    # ------------------------------------------------------------------ failures

    def _failure_recorder(
        self, group: GroupSettlement, operator: Operator
    ) -> Callable[[UnitOfWork, str, PlatformError], None]:
        def record(uow: UnitOfWork, msgid: str, exc: PlatformError) -> None:
            unknown = exc.code == "outcome_unknown"
            state = GroupState.UNKNOWN if unknown else group.state
            uow.bills.save_group(replace(group, state=state, failure_text=failure_text(exc)))
            uow.audit.append(
                self._clock.now(), operator.code, "platform_call", exc.code, group.group_key,
                bill_id=group.bill_id, msgid=msgid,
            )  # fmt: skip

        return record

    def _after_failure(
        self,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        outcome: CallOutcome[Any],
    ) -> None:
        text = failure_text(outcome.error) if outcome.error is not None else ""
        if outcome.state is JournalState.UNKNOWN:
            state = self._recovery.resolve_now(outcome.msgid)
            if state.is_resolved:
                self._fail_group(
                    bill,
                    self._load(bill.bill_id, group.group_key)[1],
                    operator,
                    "平台未返回明确结果，系统已自动冲正/撤销，本组未扣款，可重新结算。",
                )
            return
        self._fail_group(bill, group, operator, text)

    def _fail_group(
        self, bill: Bill, group: GroupSettlement, operator: Operator, text: str
    ) -> None:
        """A definite failure: withdraw what the platform holds for this group, mark it failed."""
        self._clean_up(bill, group, operator)
        with self._uow_factory() as uow:
            current = next(
                (g for g in uow.bills.groups(bill.bill_id) if g.group_key == group.group_key), group
            )
            uow.bills.save_group(replace(current, state=GroupState.FAILED, failure_text=text))
            uow.commit()

    def _clean_up(self, bill: Bill, group: GroupSettlement, operator: Operator) -> None:
        """2205 (all unsettled lines) then 2202 for a registered group; best effort, journaled."""
        if not group.visit_id:
            return
        ctx = self._ctx(bill, operator)
        fees = self._caller.call(
            self._intent("2205", bill, group, operator, batch_no="0000"),
            lambda msgid: self._gateway.cancel_fees(
                ctx, msgid, bill.person_no, group.visit_id, "0000"
            ),
        )
        if fees.state is JournalState.UNKNOWN:
            self._recovery.resolve_now(fees.msgid)
        registration = self._caller.call(
            self._intent("2202", bill, group, operator),
            lambda msgid: self._gateway.cancel_registration(
                ctx, msgid, bill.person_no, group.visit_id, bill.outpatient_no
            ),
        )
        if registration.state is JournalState.UNKNOWN:
            self._recovery.resolve_now(registration.msgid)

    def _convert_to_self_pay(self, bill: Bill, operator: Operator) -> None:
        """未备案: every direct group not yet under way becomes full self-pay with the reason."""
        with self._uow_factory() as uow:
            person = uow.persons.get(bill.person_no)
        if person is None:
            raise AppError("内部错误：找不到该患者的查询记录，请重新读卡。", code="person_missing")
        replanned = {
            g.group_key: g
            for g in self._plan_groups(bill, person.person, RegistrationStatus.MISSING)
        }
        reason_group = next(iter(replanned.values()))
        with self._uow_factory() as uow:
            for group in uow.bills.groups(bill.bill_id):
                if group.med_type is None or group.state not in (
                    GroupState.PLANNED,
                    GroupState.FAILED,
                ):
                    continue
                uow.bills.save_group(
                    replace(
                        group,
                        state=GroupState.PLANNED,
                        med_type=None,
                        self_pay_reason=reason_group.self_pay_reason,
                        failure_text="",
                    )
                )
            uow.audit.append(
                self._clock.now(), operator.code, "registration_missing", "self_pay", "",
                bill_id=bill.bill_id,
            )  # fmt: skip
            uow.commit()

    # ------------------------------------------------------------------ helpers

    def _check_charges(self, bill: Bill, group: GroupSettlement, *, require_his: bool) -> None:
        if self._charge_check is not None:
            wanted = set(group.line_nos)
            self._charge_check([line for line in bill.lines if line.line_no in wanted], require_his)

    def _guard(self, bill_id: str) -> None:
        with self._uow_factory() as uow:
            unresolved = list(uow.journal.unresolved())
        if self._recovery.resolve_orphans(unresolved):
            with self._uow_factory() as uow:
                unresolved = list(uow.journal.unresolved())
        if any(entry.bill_id == bill_id for entry in unresolved):
            raise BillLocked(
                "该账单有一笔医保交易结果尚未确认，系统正在自动处理（冲正/撤销）。"
                "处理完成前不能再次结算，请勿向患者重复收费。",
            )
        # Another live process's calls are in flight, not unknown: they hold up only their own bill.
        unresolved = [e for e in unresolved if not self._recovery.in_other_hands(e)]
        if unresolved:
            raise RecoveryPending(
                f"还有 {len(unresolved)} 笔医保交易结果未确认，需先完成自动恢复处理"
                "（或由收费主管在“交易流水”中处理）后才能开始新的结算。",
                detail={"count": str(len(unresolved))},
            )

    def _require(self, operator: Operator, action: Action) -> None:
        authorize(operator, action)

    def _contents(self, uow: UnitOfWork, bill_id: str) -> Bill:
        """The bill's lines and HIS context, which never change once saved (kept in a small cache:
        a 200-line bill costs milliseconds to read and decrypt, and a settlement reads it often)."""
        with self._cache_lock:
            cached = self._bills.get(bill_id)
            if cached is not None:
                self._bills.move_to_end(bill_id)
                return cached
        bill = uow.bills.get(bill_id)
        if bill is None:
            raise InputError(f"找不到账单 {bill_id}。", code="bill_not_found")
        self._remember(bill)
        return bill

    def _remember(self, bill: Bill) -> None:
        with self._cache_lock:
            self._bills[bill.bill_id] = bill
            self._bills.move_to_end(bill.bill_id)
            if len(self._bills) > BILL_CACHE_SIZE:
                self._bills.popitem(last=False)

    def _load(self, bill_id: str, group_key: str) -> tuple[Bill, GroupSettlement]:
        with self._uow_factory() as uow:
            bill = self._contents(uow, bill_id)
            groups = list(uow.bills.groups(bill_id))
        group = next((g for g in groups if g.group_key == group_key), None)
        if group is None:
            raise InputError(f"找不到账单 {bill_id} 的结算组 {group_key}。", code="group_not_found")
        return bill, group

    def _groups(self, bill_id: str) -> dict[str, GroupSettlement]:
        with self._uow_factory() as uow:
            return {g.group_key: g for g in uow.bills.groups(bill_id)}

    def _result(self, bill_id: str, group_key: str) -> GroupResult:
        return self.bill(bill_id).group(group_key)

    def _restart(self, group: GroupSettlement) -> GroupSettlement:
        return replace(
            group,
            state=GroupState.PLANNED,
            visit_id="",
            batch_no="",
            preview=None,
            record=None,
            preview_differences=(),
        )

    def _ctx(self, bill: Bill, operator: Operator) -> CallContext:
        return CallContext(operator, bill.insured_admdvs)

    def _intent(
        self,
        infno: str,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        *,
        batch_no: str = "",
        amount: Decimal | None = None,
    ) -> CallIntent:
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

    def _settle_request(self, bill: Bill, group: GroupSettlement) -> SettleRequest:
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
            use_account=bill.insurance_type in ACCOUNT_INSURANCE_TYPES
            and bill.bill_id not in self._account_declined,
            disease_code=group.disease_code,
            split_totals=split_totals(splits) if splits else None,
        )

    def _refresh_status(self, bill_id: str) -> BillResult:
        """Store the status that follows from the groups, in one unit of work with reading them."""
        with self._uow_factory() as uow:
            result = _bill_result(self._contents(uow, bill_id), uow.bills.groups(bill_id))
            uow.bills.set_status(bill_id, result.status)
            uow.commit()
        return result


def _diagnosis(bill: Bill, group: GroupSettlement) -> tuple[str, str]:
    """A chronic group's disease; otherwise the HIS visit's diagnosis stored with the bill."""
    if group.disease_code:
        return group.disease_code, _disease_name(group)
    return bill.diagnosis_code, bill.diagnosis_name


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


def _planned_group(bill_id: str, group: SettlementGroup) -> GroupSettlement:
    reasons = {planned.reason.text for planned in group.lines}
    return GroupSettlement(
        bill_id=bill_id,
        group_key=group.key,
        state=GroupState.PLANNED,
        med_type=group.med_type,
        disease_code=group.disease_code,
        line_nos=tuple(planned.line.line_no for planned in group.lines),
        self_pay_reason="；".join(sorted(reasons)) if group.med_type is None else "",
    )


def _group_label(group: GroupSettlement) -> str:
    return group_label(kind_of(group.med_type, group.disease_code), group.disease_code)


def _disease_name(group: GroupSettlement) -> str:
    disease = pilot_disease(group.disease_code or "")
    return disease.name if disease else ""


def _bill_result(bill: Bill, groups: Sequence[GroupSettlement]) -> BillResult:
    amounts = _amounts(bill)
    return BillResult(
        bill_id=bill.bill_id,
        status=status_of(groups),
        person_no=bill.person_no,
        total=money_sum(amounts.values()),
        groups=tuple(_group_result(g, amounts) for g in ordered(groups)),
        parent_bill_id=bill.parent_bill_id,
    )


def _amounts(bill: Bill) -> dict[str, Decimal]:
    return {line.line_no: line.amount for line in bill.lines}


def _group_result(group: GroupSettlement, amounts: dict[str, Decimal]) -> GroupResult:
    record = group.record
    return GroupResult(
        group_key=group.group_key,
        label=_group_label(group),
        state=group.state,
        total=money_sum(amounts[no] for no in group.line_nos if no in amounts),
        line_nos=group.line_nos,
        med_type=group.med_type,
        disease_code=group.disease_code,
        reason=group.self_pay_reason,
        preview=group.preview,
        totals=record.totals if record is not None else None,
        settlement_id=record.settlement_id if record is not None else "",
        failure=group.failure_text,
        preview_differences=group.preview_differences,
    )
