"""When a group's step fails: record it, resolve an unknown outcome at once, withdraw what the
platform holds (2205 then 2202), and turn the person's direct groups into full self-pay on 未备案."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.domain.hospital import HospitalProfile
from app.domain.journal import JournalState
from app.domain.operator import Operator
from app.domain.person import RegistrationStatus
from app.domain.plan import GroupKind
from app.domain.visit import Bill, GroupSettlement, GroupState
from app.errors import AppError, PlatformError
from app.messages import settlement as words
from app.services.journaling import CallOutcome, JournaledCaller, failure_text
from app.services.ports.clock import Clock
from app.services.ports.platform import PlatformGateway
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory
from app.services.settlement.bills import BillReader
from app.services.settlement.hooks import RecoveryHook
from app.services.settlement.requests import call_context, intent
from app.services.settlement.results import local_day, planned_groups

FailureRecorder = Callable[[UnitOfWork, str, PlatformError], None]


class GroupFailures:
    """Handles a failed step of one group (see module docstring)."""

    def __init__(
        self,
        *,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        hospital: HospitalProfile,
        caller: JournaledCaller,
        recovery: RecoveryHook,
        reader: BillReader,
    ) -> None:
        """Bind to the platform, the store, the clock, this hospital, the journal and recovery."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._hospital = hospital
        self._caller = caller
        self._recovery = recovery
        self._reader = reader

    def recorder(self, group: GroupSettlement, operator: Operator) -> FailureRecorder:
        """What the journaled caller stores with a failed call's journal row."""

        def record(uow: UnitOfWork, msgid: str, exc: PlatformError) -> None:
            unknown = exc.code == "outcome_unknown"
            state = GroupState.UNKNOWN if unknown else group.state
            uow.bills.save_group(replace(group, state=state, failure_text=failure_text(exc)))
            uow.audit.append(
                self._clock.now(), operator.code, "platform_call", exc.code, group.group_key,
                bill_id=group.bill_id, msgid=msgid,
            )  # fmt: skip

        return record

    def after(
        self,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        outcome: CallOutcome[Any],
    ) -> None:
        """A journaled call did not succeed: an unknown outcome gets one recovery attempt (the
        group fails only if that resolved it); a definite failure fails the group."""
        text = failure_text(outcome.error) if outcome.error is not None else ""
        if outcome.state is JournalState.UNKNOWN:
            state = self._recovery.resolve_now(outcome.msgid)
            if state.is_resolved:
                self.fail_group(
                    bill,
                    self._reader.load(bill.bill_id, group.group_key)[1],
                    operator,
                    str(words.GROUP_RESOLVED()),
                )
            return
        self.fail_group(bill, group, operator, text)

    def fail_group(self, bill: Bill, group: GroupSettlement, operator: Operator, text: str) -> None:
        """A definite failure: withdraw what the platform holds for this group, mark it failed."""
        self.clean_up(bill, group, operator)
        with self._uow_factory() as uow:
            current = next(
                (g for g in uow.bills.groups(bill.bill_id) if g.group_key == group.group_key), group
            )
            uow.bills.save_group(replace(current, state=GroupState.FAILED, failure_text=text))
            uow.commit()

    def clean_up(self, bill: Bill, group: GroupSettlement, operator: Operator) -> None:
        """2205 (all unsettled lines) then 2202 for a registered group; best effort, journaled."""
        if not group.visit_id:
            return
        ctx = call_context(bill, operator)
        fees = self._caller.call(
            intent("2205", bill, group, operator, batch_no="0000"),
            lambda msgid: self._gateway.cancel_fees(
                ctx, msgid, bill.person_no, group.visit_id, "0000"
            ),
        )
        if fees.state is JournalState.UNKNOWN:
            self._recovery.resolve_now(fees.msgid)
        registration = self._caller.call(
            intent("2202", bill, group, operator),
            lambda msgid: self._gateway.cancel_registration(
                ctx, msgid, bill.person_no, group.visit_id, bill.ipt_otp_no
            ),
        )
        if registration.state is JournalState.UNKNOWN:
            self._recovery.resolve_now(registration.msgid)

    def convert_to_self_pay(self, bill: Bill, operator: Operator) -> None:
        """未备案: every direct group not yet under way becomes full self-pay with the reason."""
        with self._uow_factory() as uow:
            person = uow.persons.get(bill.person_no)
        if person is None:
            raise AppError(words.PERSON_MISSING(), code="person_missing")
        day = local_day(self._clock.now())
        replanned = planned_groups(
            bill, person.person, self._hospital, day, RegistrationStatus.MISSING
        )
        reason = replanned[0].self_pay_reason
        with self._uow_factory() as uow:
            for group in uow.bills.groups(bill.bill_id):
                if group.kind is GroupKind.SELF_PAY or group.state not in (
                    GroupState.PLANNED,
                    GroupState.FAILED,
                ):
                    continue
                uow.bills.save_group(
                    replace(
                        group,
                        state=GroupState.PLANNED,
                        kind=GroupKind.SELF_PAY,
                        self_pay_reason=reason,
                        failure_text="",
                    )
                )
            uow.audit.append(
                self._clock.now(), operator.code, "registration_missing", "self_pay", "",
                bill_id=bill.bill_id,
            )  # fmt: skip
            uow.commit()
