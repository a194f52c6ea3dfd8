"""Cancelling a settlement (2208 → 2205 → 2202) and partial refunds, with a supervisor's authorisation.

A cancellation is stored as its own settlement row (``is_cancellation``, negative totals, linked to the
original), so history, receipts, the shift report and the day close all see it by construction. A
partial refund (the patient returns some items) cancels the group's settlement and settles the lines
kept as a new bill whose ``parent_bill_id`` is the original — the way Chinese HIS cashier modules do it.
A full-self-pay collection is refunded locally (no platform call).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Protocol

from app.domain.journal import JournalState
from app.domain.money import money_sum
from app.domain.operator import Action, Operator
from app.domain.receipt import local_time_text
from app.domain.settlement import SettlementRecord
from app.domain.visit import BillStatus, GroupState
from app.errors import (
    InputError,
    OutcomeUnknown,
    PlatformError,
    PlatformFailure,
    StateConflict,
)
from app.messages import Listing
from app.messages import cancel as words
from app.services.bill_import import IdentityInput, IdentityKind, ImportedVisit
from app.services.charge_claims import release_cancelled
from app.services.crashpoints import crash_point
from app.services.eligibility import EligibilityService
from app.services.journaling import CallIntent, JournaledCaller, failure_text
from app.services.ports.clock import Clock
from app.services.ports.platform import (
    CallContext,
    CancellationRecord,
    CancelRequest,
    PlatformGateway,
)
from app.services.ports.store import StoredSettlement, UnitOfWork, UnitOfWorkFactory
from app.services.settlement import (
    SELF_PAY_PREFIX,
    BillResult,
    RecoveryHook,
    SettlementService,
)

log = logging.getLogger(__name__)


class SupervisorAuthoriser(Protocol):
    """The two-person rule check (``AuthService.authorize_supervisor``)."""

    def __call__(
        self,
        action: Action,
        supervisor_code: str,
        password: str,
        otp: str = "",
        *,
        requested_by: Operator,
    ) -> Operator:
        """Verify the supervisor's credential and role for ``action``; raise PermissionDenied
        (``SecondFactorNeeded`` when the supervisor's one-time code is missing)."""
        ...


@dataclass(frozen=True)
class SupervisorApproval:
    """The supervisor's credential given at the window for this one action (``otp``: their
    one-time code, when they have an authenticator enrolled)."""

    code: str
    password: str
    otp: str = ""


@dataclass(frozen=True)
class CancelResult:
    """A cancellation as stored."""

    original_settlement_id: str
    cancellation_id: str
    bill_id: str
    group_key: str
    record: SettlementRecord


@dataclass(frozen=True)
class RefundResult:
    """A partial refund: the cancellation and the re-settled remainder (``None`` if nothing is kept)."""

    cancellation: CancelResult
    resettled: BillResult | None


class CancelService:
    """Cancellations and partial refunds."""

    def __init__(
        self,
        *,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        caller: JournaledCaller,
        recovery: RecoveryHook,
        settlement: SettlementService,
        eligibility: EligibilityService,
        institution_code: str,
        authoriser: SupervisorAuthoriser,
        window_no: str = "",
        deliver_results: Callable[[], object] | None = None,
    ):
        """Bind to the platform, the store and the services a refund re-uses; ``window_no``: the
        window doing the cancellations (in hospital mode it may cancel another window's settlement,
        and the cancellation is this window's record); ``deliver_results``: sends the HIS its waiting
        results (the HIS outbox's delivery pass), run between a partial refund's cancellation and
        its re-settlement."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._caller = caller
        self._recovery = recovery
        self._settlement = settlement
        self._eligibility = eligibility
        self._institution = institution_code
        self._authoriser = authoriser
        self._window_no = window_no
        self.deliver_results = deliver_results

    def cancel(
        self,
        settlement_id: str,
        operator: Operator,
        approval: SupervisorApproval,
        *,
        action: Action = Action.CANCEL_SETTLEMENT,
    ) -> CancelResult:
        """Cancel one settlement (a platform one by 2208, a self-pay collection locally).

        Raises:
            PermissionDenied: the supervisor's authorisation failed.
            InputError: no such settlement, or it is already cancelled.
            PlatformRejected / PlatformUnavailable: the platform refused or was not reached.
            OutcomeUnknown: the 2208 outcome is unknown and recovery could not settle it yet.
        """
        supervisor = self._authoriser(
            action, approval.code, approval.password, approval.otp, requested_by=operator
        )
        return self._cancel(self._original(settlement_id), operator, supervisor)

    def _cancel(
        self, stored: StoredSettlement, operator: Operator, supervisor: Operator
    ) -> CancelResult:
        if stored.record.settlement_id.startswith(SELF_PAY_PREFIX):
            return self._cancel_self_pay(stored, operator, supervisor)
        return self._cancel_on_platform(stored, operator, supervisor)

    def partial_refund(
        self,
        settlement_id: str,
        returned_line_nos: Collection[str],
        operator: Operator,
        approval: SupervisorApproval,
    ) -> RefundResult:
        """Cancel a group's settlement and re-settle the lines the patient keeps as a linked bill.

        Both rights are checked before anything else (the requester's, then the approver's).
        """
        supervisor = self._authoriser(
            Action.PARTIAL_REFUND, approval.code, approval.password, approval.otp,
            requested_by=operator,
        )  # fmt: skip
        stored = self._original(settlement_id)
        with self._uow_factory() as uow:
            bill = uow.bills.get(stored.bill_id)
            group = next(
                (g for g in uow.bills.groups(stored.bill_id) if g.group_key == stored.group_key),
                None,
            )
        if bill is None or group is None:
            raise InputError(words.BILL_NOT_FOUND(), code="bill_not_found")
        unknown = set(returned_line_nos) - set(group.line_nos)
        if unknown or not returned_line_nos:
            raise InputError(
                words.REFUND_LINES(lines=Listing(tuple(sorted(unknown)))), code="refund_lines"
            )
        cancellation = self._cancel(stored, operator, supervisor)
        kept = [
            line
            for line in bill.lines
            if line.line_no in group.line_nos and line.line_no not in returned_line_nos
        ]
        if not kept:
            return RefundResult(cancellation, None)
        view = self._eligibility.lookup(bill.credential, operator)
        visit = ImportedVisit(
            identity=IdentityInput(IdentityKind.ID_NUMBER, view.person.id_number),
            outpatient_no=bill.outpatient_no,
            dept_code=bill.dept_code,
            dept_name=bill.dept_name,
            doctor_code=bill.doctor_code,
            doctor_name=bill.doctor_name,
            lines=tuple(kept),
            diagnosis_code=bill.diagnosis_code,  # the re-settlement keeps the visit's diagnosis
            diagnosis_name=bill.diagnosis_name,
        )
        if self.deliver_results is not None:
            # The kept lines are re-checked with the HIS before 2207; until it has received this
            # cancellation it still reports them paid and the re-settlement would be refused.
            self.deliver_results()
        opened = self._settlement.open_bill(visit, view, operator, parent_bill_id=bill.bill_id)
        return RefundResult(cancellation, self._settlement.settle(opened.bill_id, operator))

    # ------------------------------------------------------------------ internals

    def _original(self, settlement_id: str) -> StoredSettlement:
        with self._uow_factory() as uow:
            stored = uow.settlements.get(settlement_id)
            cancelled_by = stored.cancelled_by if stored is not None else ""
            cancellation = uow.settlements.get(cancelled_by) if cancelled_by else None
        if stored is None or stored.is_cancellation:
            raise InputError(
                words.SETTLEMENT_NOT_FOUND(settlement_id=settlement_id),
                code="settlement_not_found",
            )
        if stored.cancelled_by:
            raise _already_cancelled(stored, cancellation)
        return stored

    def _cancel_self_pay(
        self, stored: StoredSettlement, operator: Operator, supervisor: Operator
    ) -> CancelResult:
        with self._uow_factory() as uow:
            now = self._clock.now()
            local_no = uow.msgids.next_msgid(self._institution, now)
            record = replace(
                stored.record,
                settlement_id=SELF_PAY_PREFIX + local_no,
                msgid=local_no,
                settled_at=now,
                totals=stored.record.totals.negated(),
                splits=(),
            )
            result = self._store_cancellation(uow, stored, record, operator, supervisor)
            uow.commit()
        self._refresh_bill(stored.bill_id)
        return result

    def _cancel_on_platform(
        self, stored: StoredSettlement, operator: Operator, supervisor: Operator
    ) -> CancelResult:
        original = stored.record
        with self._uow_factory() as uow:
            bill = uow.bills.get(stored.bill_id)
        if bill is None:
            raise InputError(words.BILL_NOT_FOUND(), code="bill_not_found")
        request = CancelRequest(original.settlement_id, original.visit_id, bill.person_no)
        ctx = CallContext(operator, bill.insured_admdvs)
        results: list[CancelResult] = []

        def store(uow: UnitOfWork, msgid: str, cancelled: CancellationRecord) -> None:
            record = SettlementRecord(
                settlement_id=cancelled.settlement_id,
                visit_id=original.visit_id,
                msgid=msgid,
                med_type=original.med_type,
                disease_code=original.disease_code,
                insurance_type=original.insurance_type,
                settled_at=cancelled.cancelled_at,
                totals=cancelled.totals,
                splits=(),
                clearing_agency=original.clearing_agency,
                clearing_way=original.clearing_way,
                clearing_type=original.clearing_type,
            )
            results.append(self._store_cancellation(uow, stored, record, operator, supervisor))

        intent = CallIntent(
            infno="2208",
            bill_id=stored.bill_id,
            group_key=stored.group_key,
            person_no=bill.person_no,
            insured_admdvs=bill.insured_admdvs,
            operator_code=operator.code,
            visit_id=original.visit_id,
            amount=original.totals.total,
        )
        outcome = self._caller.call(
            intent, lambda msgid: self._gateway.cancel_settlement(ctx, msgid, request), store
        )
        if not outcome.ok:
            error = outcome.error
            if outcome.state is JournalState.UNKNOWN:
                state = self._recovery.resolve_now(outcome.msgid)
                raise OutcomeUnknown(
                    words.UNKNOWN_REVERSED() if state.is_resolved else words.UNKNOWN_PENDING(),
                    error.failure if isinstance(error, PlatformError) else _no_failure(),
                )
            assert error is not None
            raise error
        crash_point("cancelled_stored")
        self._withdraw(bill.person_no, bill.insured_admdvs, stored, operator, bill.ipt_otp_no)
        self._refresh_bill(stored.bill_id)
        return results[0]

    def _store_cancellation(
        self,
        uow: UnitOfWork,
        stored: StoredSettlement,
        record: SettlementRecord,
        operator: Operator,
        supervisor: Operator,
    ) -> CancelResult:
        uow.settlements.add(
            StoredSettlement(
                record=record,
                bill_id=stored.bill_id,
                group_key=stored.group_key,
                operator_code=operator.code,
                window=self._window_no or stored.window,
                is_cancellation=True,
                original_settlement_id=stored.record.settlement_id,
            )
        )
        uow.settlements.mark_cancelled(stored.record.settlement_id, record.settlement_id)
        for group in uow.bills.groups(stored.bill_id):
            if group.group_key == stored.group_key:
                uow.bills.save_group(replace(group, state=GroupState.CANCELLED))
                release_cancelled(uow, group, self._clock.now())
        uow.audit.append(
            self._clock.now(), operator.code, "cancel", "ok",
            f"{stored.record.settlement_id} approved by {supervisor.code}",
            bill_id=stored.bill_id, msgid=record.msgid,
        )  # fmt: skip
        return CancelResult(
            original_settlement_id=stored.record.settlement_id,
            cancellation_id=record.settlement_id,
            bill_id=stored.bill_id,
            group_key=stored.group_key,
            record=record,
        )

    def _withdraw(
        self,
        person_no: str,
        insured_admdvs: str,
        stored: StoredSettlement,
        operator: Operator,
        outpatient_no: str,
    ) -> None:
        """2205 + 2202 after a cancellation; failures are journaled and left to recovery/reconciliation."""
        ctx = CallContext(operator, insured_admdvs)
        visit_id = stored.record.visit_id
        for infno in ("2205", "2202"):
            intent = CallIntent(
                infno=infno,
                bill_id=stored.bill_id,
                group_key=stored.group_key,
                person_no=person_no,
                insured_admdvs=insured_admdvs,
                operator_code=operator.code,
                visit_id=visit_id,
                batch_no="0000" if infno == "2205" else "",
            )
            if infno == "2205":
                outcome = self._caller.call(
                    intent,
                    lambda msgid: self._gateway.cancel_fees(
                        ctx, msgid, person_no, visit_id, "0000"
                    ),
                )
            else:
                outcome = self._caller.call(
                    intent,
                    lambda msgid: self._gateway.cancel_registration(
                        ctx, msgid, person_no, visit_id, outpatient_no
                    ),
                )
            if outcome.state is JournalState.UNKNOWN:
                self._recovery.resolve_now(outcome.msgid)
            elif outcome.error is not None:
                log.info("%s after cancellation: %s", infno, failure_text(outcome.error))

    def _refresh_bill(self, bill_id: str) -> None:
        with self._uow_factory() as uow:
            groups = list(uow.bills.groups(bill_id))
            cancelled = [g for g in groups if g.state is GroupState.CANCELLED]
            status = (
                BillStatus.CANCELLED if len(cancelled) == len(groups) else BillStatus.PARTLY_SETTLED
            )
            uow.bills.set_status(bill_id, status)
            uow.commit()


def _no_failure() -> PlatformFailure:
    return PlatformFailure(infno="2208")


def refund_total(result: RefundResult) -> str:
    """Net refund to the patient in yuan text (cancelled cash minus the re-settled cash)."""
    back = -result.cancellation.record.totals.cash
    again = result.resettled.cash_due if result.resettled is not None else money_sum(())
    return f"{back - again:.2f}"


def _already_cancelled(
    stored: StoredSettlement, cancellation: StoredSettlement | None
) -> StateConflict:
    """The refusal of a second cancellation: when, at which window and by whom the first was made
    (the cancellation's own record; only its number when this store does not hold it)."""
    settlement_id = stored.record.settlement_id
    detail = {"settlement_id": settlement_id, "cancelled_by": stored.cancelled_by}
    if cancellation is None:
        return StateConflict(
            words.ALREADY_CANCELLED_ELSEWHERE(
                settlement_id=settlement_id, cancelled_by=stored.cancelled_by
            ),
            code="already_cancelled",
            detail=detail,
        )
    cancelled_at = local_time_text(cancellation.record.settled_at)
    detail |= {
        "cancelled_at": cancellation.record.settled_at.isoformat(),
        "window": cancellation.window,
        "operator": cancellation.operator_code,
    }
    return StateConflict(
        words.ALREADY_CANCELLED(
            settlement_id=settlement_id,
            cancelled_by=stored.cancelled_by,
            cancelled_at=cancelled_at,
            window=cancellation.window,
            operator=cancellation.operator_code,
        ),
        code="already_cancelled",
        detail=detail,
    )
