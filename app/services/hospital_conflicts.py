"""Offline charge-claim conflicts for a supervisor (hospital mode, issue 13).

A window that settled a HIS visit under the HIS's lock alone pushes its claims once the hospital
database answers again (:mod:`app.services.offline_claims`); when another window's bill holds the
same charges by then, the pair is recorded in the hospital record. Here a supervisor reads them —
both bills' settlements with their windows, operators and amounts, and what to do — and marks one
handled once the patient's double charge is sorted out (one settlement cancelled with 2208 after
checking with the patient: nothing is refunded automatically). Marking is a supervisor's right
(:func:`~app.services.auth.authorize`), written once in the hospital record and audited at the acting
window.

A conflict stops standing once the hospital record shows every settlement of one of the two bills
cancelled. It is closed as obsolete (no operator, with the reason) as soon as that is seen: by the
sync of the window that delivers the cancellation (:meth:`HospitalConflicts.after_delivery`, the
sync's ``after_apply``), by any window reading the conflicts (:meth:`HospitalConflicts.listing`,
should that delivery not have closed it), and by the offline window's push
(:mod:`app.services.offline_claims`) — whichever comes first; the others find it closed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from app.domain.operator import Action, Operator
from app.errors import InputError, StateConflict, StoreError
from app.messages import Listing, Message
from app.messages import claim_conflicts as words
from app.services.auth import authorize
from app.services.ports.claim_conflicts import (
    ClaimConflict,
    ClaimConflicts,
    ConflictSettlement,
    ConflictSide,
)
from app.services.ports.clock import Clock
from app.services.ports.hospital import ReplicaItem
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

AUDIT_EVENT = "charge_conflict"
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")  # the hospital's clock (as app.services.day_close)


class HospitalConflicts:
    """The hospital's charge-claim conflicts, read and handled at one window."""

    def __init__(
        self,
        conflicts: ClaimConflicts,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        window: str,
    ) -> None:
        """Over the hospital record's ``conflicts``; audited in this window's store."""
        self._conflicts = conflicts
        self._uow_factory = uow_factory
        self._clock = clock
        self._window = window

    def listing(
        self, *, include_handled: bool = False, obsolete_since: datetime | None = None
    ) -> tuple[ClaimConflict, ...]:
        """The open conflicts (and the handled ones with ``include_handled``; those closed as no
        longer standing since ``obsolete_since``), newest first.

        Raises:
            StoreError: the hospital database is unreachable.
        """
        found = self._conflicts.conflicts(
            include_handled=include_handled, obsolete_since=obsolete_since
        )
        if self._close_stale(found):  # one side cancelled meanwhile: read as it stands now
            found = self._conflicts.conflicts(
                include_handled=include_handled, obsolete_since=obsolete_since
            )
        return tuple(found)

    def after_delivery(self, items: Sequence[ReplicaItem]) -> int:
        """This window's sync delivered ``items`` to the hospital record: when they cancel a
        settlement, close the open conflicts that no longer stand (audited here); returns how
        many. Best effort, never raises: what is left is closed when the conflicts are read or
        at the offline window's next push. Reads nothing for a batch without a cancellation."""
        if not any(_cancels(item) for item in items):
            return 0
        try:
            found = self._conflicts.conflicts()
        except StoreError as exc:
            log.info("charge conflicts not checked after a cancellation (%s)", exc.code)
            return 0
        return self._close_stale(found)

    def _close_stale(self, found: Sequence[ClaimConflict]) -> int:
        """Close (as obsolete, audited here) the open conflicts of ``found`` with one side's
        settlements all cancelled; returns how many were stale (closed here or meanwhile)."""
        stale = [c for c in found if c.open and c.gone() is not None]
        for conflict in stale:
            now = self._clock.now()
            try:
                reason = close_obsolete(self._conflicts, conflict, window=self._window, at=now)
            except StoreError as exc:
                log.info("charge conflict %s not closed (%s)", conflict.conflict_id, exc.code)
                return len(stale)
            if reason is None:
                continue  # closed meanwhile by another window
            with self._uow_factory() as uow:
                uow.audit.append(
                    now, "", AUDIT_EVENT, "obsolete",
                    f"conflict {conflict.conflict_id}: {reason}",
                    bill_id=conflict.offline.bill_id,
                )  # fmt: skip
                uow.commit()
        return len(stale)

    def handle(self, conflict_id: int, supervisor: Operator, note: str) -> ClaimConflict:
        """Mark ``conflict_id`` handled with ``note`` (what was done), as ``supervisor``.

        Raises:
            PermissionDenied: the operator may not handle conflicts.
            InputError: no note, no such conflict, already handled (naming by whom), or the
                hospital database is unreachable.
        """
        authorize(supervisor, Action.HANDLE_CHARGE_CONFLICT)
        said = note.strip()
        if not said:
            raise InputError(words.NOTE_REQUIRED(), code="note_required")
        now = self._clock.now()
        try:
            after = self._conflicts.mark_handled(
                conflict_id, operator_code=supervisor.code, window=self._window, note=said, at=now
            )
        except StoreError as exc:
            raise InputError(
                words.UNREACHABLE(), code="hospital_unreachable", detail=exc.detail
            ) from exc
        if after is None:
            raise InputError(words.NOT_FOUND(conflict_id=conflict_id), code="conflict_not_found")
        mine = (after.handled_by, after.handled_window, after.handled_at) == (
            supervisor.code,
            self._window,
            now,
        )
        if not mine:
            raise StateConflict(
                words.ALREADY_HANDLED(
                    conflict_id=conflict_id,
                    operator=after.handled_by,
                    handled_at=_local(after.handled_at),
                    window=after.handled_window,
                ),
                code="conflict_handled",
                detail={"window": after.handled_window, "operator": after.handled_by},
            )
        with self._uow_factory() as uow:
            uow.audit.append(
                now, supervisor.code, AUDIT_EVENT, "handled",
                f"conflict {conflict_id}: {after.offline.window} {after.offline.bill_id} / "
                f"{after.other.window} {after.other.bill_id}: {said}",
                bill_id=after.offline.bill_id,
            )  # fmt: skip
            uow.commit()
        log.info("charge conflict %s handled by %s", conflict_id, supervisor.code)
        return after


def close_obsolete(
    conflicts: ClaimConflicts, conflict: ClaimConflict, *, window: str, at: datetime
) -> str | None:
    """Close ``conflict`` in the hospital record as no longer standing (one side's settlements
    all cancelled), found by ``window``; returns the reason recorded when this call closed it,
    ``None`` when it still stands or was closed already (by anyone).

    Raises:
        StoreError: the hospital database is unreachable.
    """
    if not conflict.open:
        return None
    said = obsolete_text(conflict, closed_window=window, closed_at=at)
    if said is None:
        return None
    reason = str(said)  # recorded in Chinese, like every stored text
    if not conflicts.mark_obsolete(conflict.conflict_id, window=window, reason=reason, at=at):
        return None
    gone = conflict.gone()
    assert gone is not None
    log.warning(
        "charge conflict %s no longer stands (bill %s of window %s cancelled): closed at %s",
        conflict.conflict_id, gone.bill_id, gone.window, window,
    )  # fmt: skip
    return reason


def _cancels(item: ReplicaItem) -> bool:
    """Whether a delivered record cancels a settlement (the cancelled one, or its cancellation)."""
    record = item.record
    if item.kind != "settlement" or record is None:
        return False
    return bool(record.get("cancelled_by")) or bool(record.get("is_cancellation"))


def conflict_summary(conflict: ClaimConflict) -> Message:
    """One line: which charges, which windows, when found."""
    return words.SUMMARY(
        conflict_id=conflict.conflict_id,
        outpatient_no=conflict.outpatient_no,
        lines=len(conflict.line_nos),
        window=conflict.offline.window,
        other_window=conflict.other.window,
        detected_at=_local(conflict.detected_at),
    )


def side_text(side: ConflictSide) -> Message:
    """One bill: its settlements with operators and amounts (or that they are not synced yet)."""
    settlements: Message | Listing = (
        Listing(tuple(settlement_text(s) for s in side.settlements), "；", "; ")
        if side.settlements
        else words.NOT_SYNCED()
    )
    return words.SIDE(window=side.window, bill_id=side.bill_id, settlements=settlements)


def settlement_text(settlement: ConflictSettlement) -> Message:
    """One settlement: number, operator, time, amounts, and whether it was cancelled."""
    operator = " ".join(x for x in (settlement.operator_code, settlement.operator_name) if x)
    return words.SETTLEMENT(
        settlement_id=settlement.settlement_id,
        operator=operator,
        settled_at=_local(settlement.settled_at),
        total=settlement.total,
        fund=settlement.fund,
        account=settlement.account,
        cash=settlement.cash,
        state=words.CANCELLED(cancelled_by=settlement.cancelled_by)
        if settlement.cancelled_by
        else "",
    )


def obsolete_text(
    conflict: ClaimConflict, *, closed_window: str, closed_at: datetime | None
) -> Message | None:
    """Why ``conflict`` no longer stands — one side's settlements were all cancelled (at which
    window, by which cancellation) — or ``None`` while it still does."""
    gone = conflict.gone()
    if gone is None:
        return None
    left = conflict.other if gone is conflict.offline else conflict.offline
    when = {"closed_window": closed_window, "closed_at": _local(closed_at)}
    if left.settlements and not left.live():
        both = (*gone.settlements, *left.settlements)
        return words.OBSOLETE_NONE_LEFT(cancelled=_cancellations(both), **when)
    return words.OBSOLETE_ONE_LEFT(
        window=gone.window,
        cancelled=_cancellations(gone.settlements),
        other_window=left.window,
        **when,
    )


def _cancellations(settlements: tuple[ConflictSettlement, ...]) -> Listing:
    return Listing(
        tuple(
            words.CANCELLED_AT(
                settlement_id=s.settlement_id,
                window=s.cancelled_at_window or "-",
                cancelled_by=s.cancelled_by,
            )
            for s in settlements
        ),
        "；",
        "; ",
    )


def conflict_advice(conflict: ClaimConflict) -> Message:
    """What the supervisor does now (or what was done, once handled or closed as obsolete)."""
    if conflict.obsolete:
        said = obsolete_text(
            conflict, closed_window=conflict.handled_window, closed_at=conflict.handled_at
        )
        if said is not None:
            return said
    if not conflict.open:
        return words.HANDLED(
            operator=conflict.handled_by,
            handled_at=_local(conflict.handled_at),
            window=conflict.handled_window,
            note=conflict.note,
        )
    a, b = conflict.offline, conflict.other
    for side in (a, b):
        if not side.settlements:
            return words.ADVICE_WAIT(window=side.window)
    if a.live() and b.live():
        return words.ADVICE_CANCEL_ONE(
            window=a.window,
            settlements=_ids(a),
            other_window=b.window,
            other_settlements=_ids(b),
        )
    if a.live() or b.live():
        gone, left = (b, a) if a.live() else (a, b)
        return words.ADVICE_ONE_LEFT(window=gone.window, other_window=left.window)
    return words.ADVICE_NONE_LEFT()


def _ids(side: ConflictSide) -> Listing:
    return Listing(tuple(s.settlement_id for s in side.live()))


def _local(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M:%S") if moment else ""
