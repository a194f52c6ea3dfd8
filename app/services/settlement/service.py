"""The settlement service: open a bill, preview, confirm, collect, abandon, or settle it all.

Each public method checks the operator's right, holds the bill's charge claim (a charge is paid
once, R16) and refuses while the journal holds an unresolved call for the bill; the platform steps
themselves are in :mod:`app.services.settlement.steps`, failures in
:mod:`app.services.settlement.failures`, and the order of steps in :mod:`app.domain.lifecycle`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.bill import FeeLine
from app.domain.hospital import HospitalProfile
from app.domain.journal import JournalEntry
from app.domain.lifecycle import Phase, StepKind, next_step
from app.domain.lifecycle import Step as LifecycleStep
from app.domain.money import money_sum
from app.domain.operator import Action, Operator
from app.domain.person import InsuredPerson, RegistrationStatus
from app.domain.settlement import SettlementRecord, full_self_pay_split, full_self_pay_totals
from app.domain.visit import Bill, BillStatus, GroupSettlement, GroupState
from app.errors import BillLocked, InputError, RecoveryPending
from app.messages import settlement as words
from app.services.auth import authorize
from app.services.bill_import import ImportedVisit
from app.services.charge_claims import ChargeClaimService
from app.services.crashpoints import crash_point
from app.services.eligibility import EligibilityView
from app.services.journaling import JournaledCaller
from app.services.ports.clock import Clock
from app.services.ports.platform import PlatformGateway
from app.services.ports.store import StoredSettlement, UnitOfWork, UnitOfWorkFactory
from app.services.settlement.bills import BillReader
from app.services.settlement.failures import GroupFailures
from app.services.settlement.hooks import (
    ChargeCheck,
    ConfirmCallback,
    RecoveryHook,
    check_charges,
)
from app.services.settlement.requests import intent, restarted
from app.services.settlement.results import (
    SELF_PAY_PREFIX,
    BillResult,
    GroupResult,
    bill_result,
    group_result,
    line_amounts,
    local_day,
    new_bill,
    planned_groups,
    status_of,
)
from app.services.settlement.steps import Ahead, GroupSteps

log = logging.getLogger(__name__)


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
        self._uow_factory = uow_factory
        self._clock = clock
        self._hospital = hospital
        self._recovery = recovery
        self._reader = BillReader(uow_factory)
        self._caller = caller
        self._failures = GroupFailures(
            gateway=gateway,
            uow_factory=uow_factory,
            clock=clock,
            hospital=hospital,
            caller=caller,
            recovery=recovery,
            reader=self._reader,
        )
        self._steps = GroupSteps(
            gateway=gateway,
            uow_factory=uow_factory,
            clock=clock,
            caller=caller,
            failures=self._failures,
            window_no=window_no,
            charge_check=charge_check,
        )

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
        opened = self._open(visit, view, operator, parent_bill_id=parent_bill_id)
        return bill_result(opened.bill, opened.groups)

    def open_and_settle(
        self,
        visit: ImportedVisit,
        view: EligibilityView,
        operator: Operator,
        confirm: ConfirmCallback | None = None,
        *,
        use_account: bool = True,
    ) -> BillResult:
        """:meth:`open_bill` then :meth:`settle` at once (``settle_visit``): the bill's charge claim
        is taken in the transaction that stores the bill (outside hospital mode), not in one of its
        own a moment later, and the journal's unresolved rows for the guard are read there too (the
        groups just planned are handed on, not read back).

        Raises:
            as :meth:`open_bill` and :meth:`settle`.
        """
        opened = self._open(visit, view, operator, at_once=True)
        return self._settle(
            opened.bill.bill_id, operator, confirm, use_account=use_account, opened=opened
        )

    def _open(
        self,
        visit: ImportedVisit,
        view: EligibilityView,
        operator: Operator,
        *,
        parent_bill_id: str = "",
        at_once: bool = False,
    ) -> _Opened:
        """The bill stored with its planned groups (``at_once``: settling follows at once, so its
        charge claim is taken there if it can be, and the journal's unresolved rows are read)."""
        authorize(operator, Action.SETTLE)
        if view.from_cache:
            raise InputError(
                words.STALE_ELIGIBILITY(),
                code="stale_eligibility",
            )
        lines = self._complete_lines(visit.lines)
        now = self._clock.now()
        bill = new_bill(visit, view, lines, now, parent_bill_id=parent_bill_id)
        groups = self._plan_groups(bill, view.person)
        with self._uow_factory() as uow:
            uow.bills.save(bill)
            for group in groups:
                uow.bills.save_group(group)
            uow.audit.append(
                now, operator.code, "bill_opened", "ok", f"{len(lines)} lines", bill_id=bill.bill_id
            )
            claimed = at_once and self._claims.claim_at_opening(uow, bill, groups, operator.code)
            unresolved = tuple(uow.journal.unresolved()) if at_once else ()
            # Nothing in the journal can stop the run (the guard lets it start): the first 2201's
            # PREPARED row is committed with the bill.
            first = (
                self._first_registration(uow, bill, groups, operator)
                if claimed and not unresolved
                else None
            )
            try:
                uow.commit()
            except BaseException:
                if first is not None:
                    self._caller.forget(first)  # rolled back with the bill: never visible
                raise
        self._reader.remember(bill)  # just stored: no need to read and decrypt it back
        if first is not None:
            crash_point("prepared:2201")
        return _Opened(bill, tuple(groups), claimed=claimed, unresolved=unresolved, first=first)

    def _first_registration(
        self, uow: UnitOfWork, bill: Bill, groups: Sequence[GroupSettlement], operator: Operator
    ) -> JournalEntry | None:
        """The first group's 2201 ``PREPARED`` row in the bill's opening transaction, if the run
        starts with that group's registration; else ``None`` (the first call journals itself)."""
        step = next_step(groups, set(), Phase.ALL)
        if step is None or step.kind is not StepKind.PREVIEW:
            return None
        group = next(g for g in groups if g.group_key == step.group_key)
        if group.state is not GroupState.PLANNED:
            return None
        return self._caller.journal_ahead(uow, intent("2201", bill, group, operator))

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
                        words.LINE_NOT_IN_CATALOGUE(line_no=line.line_no, code=line.hospital_code),
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

    def _plan_groups(self, bill: Bill, person: InsuredPerson) -> list[GroupSettlement]:
        day = local_day(self._clock.now())
        return planned_groups(bill, person, self._hospital, day, RegistrationStatus.UNKNOWN)

    # ------------------------------------------------------------------ reading

    def bill(self, bill_id: str) -> BillResult:
        """A bill with the current state of its groups."""
        return self._reader.bill(bill_id)

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
        authorize(operator, Action.SETTLE)
        return self._settle(bill_id, operator, confirm, use_account=use_account)

    def _settle(
        self,
        bill_id: str,
        operator: Operator,
        confirm: ConfirmCallback | None,
        *,
        use_account: bool,
        opened: _Opened | None = None,
    ) -> BillResult:
        """:meth:`settle` (``opened``: the bill as just opened with ``at_once``)."""
        claimed = opened is not None and opened.claimed
        # A 2201 row journaled ahead (with the bill, or with a settlement's outcome) until sent.
        ahead = Ahead(entry=opened.first if opened is not None else None)
        # A charge is paid once (R16).
        with self._claims.holding(bill_id, operator.code, claimed=claimed) as hold:
            try:
                bill, groups = self._guarded(bill_id, opened)
                settled: Sequence[GroupSettlement] | None = None
                stored: list[BillStatus] = []  # the status the last settlement stored with it
                try:
                    settled = self._settle_groups(
                        bill,
                        groups,
                        operator,
                        confirm,
                        use_account=use_account,
                        stored_status=stored,
                        ahead=ahead,
                    )
                    hold.groups = settled  # as committed: nothing to read if none is idle
                finally:  # after an exception the groups are read back
                    result = self._reader.refresh_status(
                        bill_id, settled, stored=stored[-1] if stored and settled else None
                    )
            finally:
                if ahead.entry is not None:  # the run stopped before that 2201 was sent
                    self._caller.abandon(ahead.entry)
        return result

    def _settle_groups(
        self,
        bill: Bill,
        groups: dict[str, GroupSettlement],
        operator: Operator,
        confirm: ConfirmCallback | None,
        *,
        use_account: bool,
        stored_status: list[BillStatus],
        ahead: Ahead,
    ) -> Sequence[GroupSettlement]:
        """One step at a time, as :func:`app.domain.lifecycle.next_step` decides (each group
        previewed, then confirmed or collected, in plan order; nothing after an unknown outcome).
        A preview or a settlement that succeeded hands on what it committed (or, going straight on,
        what 2207's PREPARED row will commit with it); other steps are read
        back, since a failure may change any group (未备案 turns every direct group into self-pay).
        A settlement that is the bill's last step stores the bill's status with it (appended to
        ``stored_status``), so no commit of its own is needed for it afterwards; one followed by
        another group's registration journals that 2201's ``PREPARED`` row with its ``OK``.
        ``ahead`` holds a 2201 row journaled ahead until its group's preview takes it."""
        bill_id = bill.bill_id
        attempted: set[LifecycleStep] = set()
        # With no one to confirm, 2207 follows 2206 at once: the preview is stored with 2207's
        # PREPARED row, not in a commit of its own (a crash in between loses only the preview).
        straight_on = confirm is None
        unsaved = ""  # the group whose preview is not stored yet
        while (step := next_step(list(groups.values()), attempted, Phase.ALL)) is not None:
            attempted.add(step)
            key = step.group_key
            goes_on = step.kind is StepKind.CONFIRM and key == unsaved
            if unsaved and not goes_on:
                self._steps.store_preview(groups[unsaved])
            unsaved = ""
            if step.kind is StepKind.COLLECT:
                self.collect_self_pay(bill_id, key, operator)
            elif step.kind is StepKind.PREVIEW:
                previewed = self._steps.preview(
                    bill,
                    groups[key],
                    operator,
                    use_account=use_account,
                    defer_preview=straight_on,
                    held=ahead,
                )
                if previewed is not None:
                    groups[key] = previewed
                    unsaved = key if straight_on else ""
                    continue
            elif confirm is not None and not confirm(group_result(groups[key], line_amounts(bill))):
                self.abandon(bill_id, key, operator)
            else:
                following, status_after = _after_settling(groups, key, attempted)
                # The next group's registration follows at once: journaled with this OK.
                then = None
                if following is not None and following.kind is StepKind.PREVIEW:
                    upcoming = groups[following.group_key]
                    if upcoming.state is GroupState.PLANNED:
                        then = intent("2201", bill, upcoming, operator)
                settled = self._steps.settle(
                    bill,
                    groups[key],
                    operator,
                    use_account=use_account,
                    preview_unsaved=goes_on,
                    status_after=status_after,
                    then=then,
                    ahead=ahead,
                )
                if settled is not None:
                    groups[key] = settled  # as committed; settling one group changes no other
                    if status_after is not None:
                        stored_status.append(status_after)
                    continue
            groups = self._reader.groups(bill_id)
        if unsaved:
            self._steps.store_preview(groups[unsaved])
        return tuple(groups.values())  # each as committed (read back after any other step)

    def preview(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """Run 2201 → 2203 → 2204 → 2206 for one group (resuming where it stands)."""
        authorize(operator, Action.PRE_SETTLE)
        with self._claims.holding(bill_id, operator.code) as hold:
            bill, groups = self._guarded(bill_id)
            group = self._reader.pick(bill_id, groups, group_key)
            previewed = self._steps.preview(bill, group, operator)
            if previewed is not None:  # as committed (the others unchanged)
                hold.groups = [previewed if k == group_key else g for k, g in groups.items()]
        if previewed is None:
            return self._reader.result(bill_id, group_key)
        return group_result(previewed, line_amounts(bill))

    def confirm(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """2207 for a previewed group; the result is stored with its journal row."""
        authorize(operator, Action.SETTLE)
        with self._claims.holding(bill_id, operator.code) as hold:
            bill, groups = self._guarded(bill_id)
            group = self._reader.pick(bill_id, groups, group_key)
            settled = self._steps.settle(bill, group, operator)
            if settled is not None:  # as committed (the others unchanged)
                hold.groups = [settled if k == group_key else g for k, g in groups.items()]
            if settled is None:
                return self._reader.result(bill_id, group_key)
            return group_result(settled, line_amounts(bill))

    def collect_self_pay(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """Record a full-self-pay collection locally (no platform call)."""
        authorize(operator, Action.COLLECT_SELF_PAY)
        bill, group = self._reader.load(bill_id, group_key)
        if group.med_type is not None:
            raise InputError(words.NOT_SELF_PAY(), code="not_self_pay")
        amounts = {line.line_no: line for line in bill.lines}
        lines = [amounts[no] for no in group.line_nos]
        check_charges(self._charge_check, bill, group, require_his=False)
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
        return self._reader.result(bill_id, group_key)

    def abandon(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """The cashier declined a preview: withdraw fees and registration, back to planned."""
        bill, group = self._reader.load(bill_id, group_key)
        self._failures.clean_up(bill, group, operator)
        with self._uow_factory() as uow:
            uow.bills.save_group(restarted(group))
            uow.commit()
        self._claims.release_idle(bill_id)
        return self._reader.result(bill_id, group_key)

    # ------------------------------------------------------------------ guard

    def _guarded(
        self, bill_id: str, opened: _Opened | None = None
    ) -> tuple[Bill, dict[str, GroupSettlement]]:
        """The bill and its groups by key, once the guard lets the step start. The journal's
        unresolved rows, the bill and its groups are read in one unit of work (``opened``: handed on
        from the opening transaction instead); read again after recovery resolved orphans.

        Raises:
            BillLocked / RecoveryPending: unresolved journal rows forbid starting.
            InputError: no such bill.
        """
        bill: Bill | None
        if opened is not None:
            bill, unresolved = opened.bill, list(opened.unresolved)
            groups = {g.group_key: g for g in opened.groups}
        else:
            with self._uow_factory() as uow:
                unresolved = list(uow.journal.unresolved())
                bill = self._reader.stored(uow, bill_id)
                groups = {g.group_key: g for g in uow.bills.groups(bill_id)}
        if self._recovery.resolve_orphans(unresolved):
            with self._uow_factory() as uow:  # recovery may have moved this bill's groups too
                unresolved = list(uow.journal.unresolved())
                groups = {g.group_key: g for g in uow.bills.groups(bill_id)}
        self._guard(bill_id, unresolved)
        if bill is None:
            raise InputError(words.BILL_NOT_FOUND(bill_id=bill_id), code="bill_not_found")
        return bill, groups

    def _guard(self, bill_id: str, unresolved: Sequence[JournalEntry]) -> None:
        if any(entry.bill_id == bill_id for entry in unresolved):
            raise BillLocked(words.BILL_LOCKED())
        # Another live process's calls are in flight, not unknown: they hold up only their own bill.
        pending = [e for e in unresolved if not self._recovery.in_other_hands(e)]
        if pending:
            raise RecoveryPending(
                words.RECOVERY_PENDING(count=len(pending)),
                detail={"count": str(len(pending))},
            )


@dataclass(frozen=True)
class _Opened:
    """A bill just stored by :meth:`SettlementService._open`, as committed."""

    bill: Bill
    groups: tuple[GroupSettlement, ...]
    claimed: bool = False  # its charge claim committed with it
    unresolved: tuple[JournalEntry, ...] = ()  # the journal's unresolved rows, read with it
    first: JournalEntry | None = None  # the first group's 2201 PREPARED row, committed with it


def _after_settling(
    groups: dict[str, GroupSettlement], key: str, attempted: set[LifecycleStep]
) -> tuple[LifecycleStep | None, BillStatus | None]:
    """Once group ``key`` is settled: the run's next step, or (it is the last) the bill's status."""
    after = [replace(g, state=GroupState.SETTLED) if k == key else g for k, g in groups.items()]
    following = next_step(after, attempted, Phase.ALL)
    return following, (status_of(after) if following is None else None)
