"""One group's platform steps: 2201 register → 2203 visit → 2204 fees → 2206 preview, and 2207.

Every state-changing call goes through :class:`JournaledCaller` (journal first, send once); what a
call returns is stored in the same transaction as its journal ``OK`` row, and each step hands on the
group exactly as it committed it. A failed step is handed to :class:`GroupFailures`.

2201 → 2203 → 2204 always follow each other, so the ``OK`` of one is committed together with the next
one's ``PREPARED`` row (``JournaledCaller.call(then=…)``): one ``fsync``ed commit per step instead of
two. A row journaled ahead that is not sent (the chain stopped) is closed as never sent.

When the settlement goes straight on from 2206 to 2207 (``preview(defer_preview=True)`` then
``settle(preview_unsaved=True)``), the 2206 preview is stored in the transaction that journals 2207's
``PREPARED`` row instead of one of its own: a crash between the two loses only the preview (the group
is still ``FEES_UPLOADED``; 2206 changes nothing on the platform and is simply asked again).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.domain.journal import JournalEntry
from app.domain.operator import Operator
from app.domain.settlement import LineSplit, SettlementRecord, preview_differences
from app.domain.visit import Bill, BillStatus, GroupSettlement, GroupState
from app.errors import InputError, PlatformCategory, PlatformError, PlatformRejected
from app.messages import settlement as words
from app.services.crashpoints import crash_point
from app.services.journaling import CallIntent, JournaledCaller, failure_text
from app.services.ports.clock import Clock
from app.services.ports.platform import PlatformGateway
from app.services.ports.store import StoredSettlement, UnitOfWork, UnitOfWorkFactory
from app.services.settlement.failures import GroupFailures
from app.services.settlement.hooks import ChargeCheck, check_charges
from app.services.settlement.requests import (
    call_context,
    fee_upload,
    intent,
    register_request,
    restarted,
    settle_request,
    visit_upload,
)


@dataclass
class Ahead:
    """The next step's ``PREPARED`` row, journaled with the previous step's outcome (or ``None``)."""

    entry: JournalEntry | None = None
    # 2206's preview is handed on unsaved, to be stored with 2207's PREPARED row.
    defer_preview: bool = False

    def peek(self, infno: str) -> JournalEntry | None:
        """The row if it is for ``infno``, else ``None`` (still held here)."""
        return self.entry if self.entry is not None and self.entry.infno == infno else None

    def take(self, infno: str, group_key: str = "") -> JournalEntry | None:
        """The row if it is for ``infno`` (and ``group_key``, if given), handed over at the call
        that sends it (until then, a failure leaves it here to be abandoned), else ``None``."""
        entry = self.peek(infno)
        if entry is None or (group_key and entry.group_key != group_key):
            return None
        self.entry = None
        return entry


log = logging.getLogger(__name__)


# One preview step: the group as it committed it, or None when the step stopped (failed, converted).
Step = Callable[[Bill, GroupSettlement, Operator, bool, Ahead], GroupSettlement | None]


class GroupSteps:
    """Sends one group's steps (see module docstring)."""

    def __init__(
        self,
        *,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        caller: JournaledCaller,
        failures: GroupFailures,
        window_no: str = "",
        charge_check: ChargeCheck | None = None,
    ) -> None:
        """Bind to the platform, the store, the clock, the journal and the failure handling."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._caller = caller
        self._failures = failures
        self._window_no = window_no
        self._charge_check = charge_check

    def preview(
        self,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        *,
        use_account: bool = True,
        defer_preview: bool = False,
        held: Ahead | None = None,
    ) -> GroupSettlement | None:
        """The remaining steps up to 2206; the group as committed, or ``None`` if a step failed.

        With ``defer_preview`` a successful 2206's preview is returned *unsaved*: the caller hands
        it to :meth:`settle` (``preview_unsaved=True``) or stores it (:meth:`store_preview`).
        ``held``: may hold this group's 2201 ``PREPARED`` row, journaled with the previous group's
        settlement (``settle(then=…)``); taken from there, then sent from or abandoned.
        """
        steps: list[tuple[GroupState, Step]] = [
            (GroupState.PLANNED, self._register),
            (GroupState.REGISTERED, self._upload_visit),
            (GroupState.VISIT_UPLOADED, self._upload_fees),
            (GroupState.FEES_UPLOADED, self._pre_settle),
        ]
        if group.state is GroupState.FAILED:
            group = restarted(group)
        ahead = Ahead(defer_preview=defer_preview)
        try:
            if held is not None:
                ahead.entry = held.take("2201", group.group_key)
            for state, step in steps:
                if group.state is not state:
                    continue
                stored = step(bill, group, operator, use_account, ahead)
                if stored is None:
                    return None
                group = stored  # exactly what the step committed: no need to read it back
        finally:
            if ahead.entry is not None:  # journaled with the last outcome, but the chain stopped
                self._caller.abandon(ahead.entry)
        return group

    def store_preview(self, group: GroupSettlement) -> None:
        """Store a preview handed on unsaved (``preview(defer_preview=True)``) on its own."""
        with self._uow_factory() as uow:
            uow.bills.save_group(group)
            uow.commit()

    def settle(
        self,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        *,
        use_account: bool = True,
        preview_unsaved: bool = False,
        status_after: BillStatus | None = None,
        then: CallIntent | None = None,
        ahead: Ahead | None = None,
    ) -> GroupSettlement | None:
        """2207 for a previewed group; the group as settled, or ``None`` if it did not settle.

        ``preview_unsaved``: ``group`` is a preview not stored yet; it is stored with 2207's
        ``PREPARED`` row (or on its own if 2207 is not journaled after all).
        ``status_after``: the bill's status once this group is settled (it is the bill's last
        step), stored in the same transaction as the settlement.
        ``then``: the intent of the call that follows at once (the next group's 2201), journaled
        with the settlement's ``OK`` and handed back in ``ahead`` (the caller sends or abandons it).

        Raises:
            InputError: the group is not previewed, or the HIS re-check stopped it.
        """
        bill_id, group_key = bill.bill_id, group.group_key
        if group.state is not GroupState.PREVIEWED or group.preview is None:
            raise InputError(words.NOT_PREVIEWED(), code="not_previewed")
        try:
            check_charges(self._charge_check, bill, group, require_his=True)
        except Exception:
            if preview_unsaved:
                self.store_preview(group)
            raise
        request = settle_request(bill, group, use_account=use_account)
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
            if status_after is not None:
                uow.bills.set_status(bill_id, status_after)
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

        settle_intent = intent("2207", bill, group, operator, amount=group.preview.total)
        prepared = self._prepare_with_preview(settle_intent, group) if preview_unsaved else None
        outcome = self._caller.call(
            settle_intent,
            lambda msgid: self._gateway.settle(call_context(bill, operator), msgid, request),
            stored,
            on_failure=self._failures.recorder(group, operator),
            then=None if then is None else lambda _record: then,
            prepared=prepared,
        )
        if outcome.ok:
            if ahead is not None:
                ahead.entry = outcome.next
            crash_point("settlement_stored")
            return settled[-1]
        self._failures.after(bill, group, operator, outcome)
        return None

    def _prepare_with_preview(
        self, settle_intent: CallIntent, group: GroupSettlement
    ) -> JournalEntry:
        """2207's PREPARED row committed together with the preview it settles."""

        def with_preview(uow: UnitOfWork) -> None:
            uow.bills.save_group(group)

        try:
            return self._caller.prepare(settle_intent, with_intent=with_preview)
        except Exception:
            try:  # nothing was sent: keep the preview as the cashier saw it
                self.store_preview(group)
            except Exception:
                log.exception("preview of %s not stored", group.group_key)
            raise

    # ------------------------------------------------------------------ the preview steps

    def _register(
        self,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        _use_account: bool,
        ahead: Ahead,
    ) -> GroupSettlement | None:
        request = register_request(bill, self._clock.now())
        saved: list[GroupSettlement] = []

        def registered(uow: UnitOfWork, _msgid: str, visit_id: str) -> None:
            saved.append(replace(group, state=GroupState.REGISTERED, visit_id=visit_id))
            uow.bills.save_group(saved[-1])

        outcome = self._caller.call(
            intent("2201", bill, group, operator),
            lambda msgid: self._gateway.register(call_context(bill, operator), msgid, request),
            registered,
            on_failure=self._failures.recorder(group, operator),
            then=lambda visit_id: intent("2203", bill, replace(group, visit_id=visit_id), operator),
            prepared=ahead.take("2201", group.group_key),
        )
        if outcome.ok:
            ahead.entry = outcome.next
            return saved[-1]
        error = outcome.error
        if isinstance(error, PlatformRejected) and error.category is PlatformCategory.REGISTRATION:
            self._failures.convert_to_self_pay(bill, operator)
            return None
        self._failures.after(bill, group, operator, outcome)
        return None

    def _upload_visit(
        self,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        _use_account: bool,
        ahead: Ahead,
    ) -> GroupSettlement | None:
        upload = visit_upload(bill, group, self._clock.now())
        visit_uploaded = replace(group, state=GroupState.VISIT_UPLOADED)
        batched = replace(group, batch_no=group.batch_no or new_batch_no())

        def uploaded(uow: UnitOfWork, _msgid: str, _none: None) -> None:
            uow.bills.save_group(visit_uploaded)

        outcome = self._caller.call(
            intent("2203", bill, group, operator),
            lambda msgid: self._gateway.upload_visit(call_context(bill, operator), msgid, upload),
            uploaded,
            on_failure=self._failures.recorder(group, operator),
            then=lambda _: intent("2204", bill, batched, operator, batch_no=batched.batch_no),
            prepared=ahead.take("2203"),
        )
        if not outcome.ok:
            self._failures.after(bill, group, operator, outcome)
            return None
        ahead.entry = outcome.next
        return visit_uploaded

    def _upload_fees(
        self,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        _use_account: bool,
        ahead: Ahead,
    ) -> GroupSettlement | None:
        prepared = ahead.peek("2204")
        batch_no = prepared.batch_no if prepared else (group.batch_no or new_batch_no())
        group = replace(group, batch_no=batch_no)
        upload = fee_upload(bill, group)
        fees_uploaded = replace(group, state=GroupState.FEES_UPLOADED)

        def uploaded(uow: UnitOfWork, _msgid: str, splits: tuple[LineSplit, ...]) -> None:
            nonlocal fees_uploaded
            fees_uploaded = replace(fees_uploaded, splits=splits)
            uow.bills.save_group(fees_uploaded)

        outcome = self._caller.call(
            intent("2204", bill, group, operator, batch_no=batch_no),
            lambda msgid: self._gateway.upload_fees(call_context(bill, operator), msgid, upload),
            uploaded,
            on_failure=self._failures.recorder(group, operator),
            prepared=ahead.take("2204"),
        )
        if not outcome.ok:
            self._failures.after(bill, group, operator, outcome)
            return None
        return fees_uploaded

    def _pre_settle(
        self,
        bill: Bill,
        group: GroupSettlement,
        operator: Operator,
        use_account: bool,
        ahead: Ahead,
    ) -> GroupSettlement | None:
        """2206 changes nothing on the platform, so it is not journaled; its preview is stored now,
        or handed on unsaved (``ahead.defer_preview``) to be stored with 2207's PREPARED row."""
        try:
            preview = self._gateway.pre_settle(
                call_context(bill, operator), settle_request(bill, group, use_account=use_account)
            )
        except PlatformError as exc:
            with self._uow_factory() as uow:
                uow.bills.save_group(replace(group, failure_text=failure_text(exc)))
                uow.commit()
            if isinstance(exc, PlatformRejected):
                self._failures.fail_group(bill, group, operator, failure_text(exc))
            return None
        crash_point("response:2206")
        previewed = replace(group, state=GroupState.PREVIEWED, preview=preview, failure_text="")
        if ahead.defer_preview:
            return previewed
        with self._uow_factory() as uow:
            uow.bills.save_group(previewed)
            uow.commit()
        return previewed


def new_batch_no() -> str:
    """A new fee batch number (``chrg_bchno``) for a group's 2204."""
    return uuid.uuid4().hex[:20].upper()
