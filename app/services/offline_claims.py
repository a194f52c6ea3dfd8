"""Hospital mode: charge claims taken under the HIS lock alone, waiting for PostgreSQL (issue 13.1).

While the hospital database is unreachable a window may settle a HIS visit under the HIS's lock
(:mod:`app.services.his_lock_arbiter`); its claims then exist only in the window's own store. They
are remembered here — in memory and, so that a restart before the server returns does not lose
them, as audit rows (``charge_claim`` / ``his_locked``, then ``his_lock_pushed``) — and claimed
hospital-wide once the server answers again (:meth:`OfflineClaims.push`, run by the sync loop's pull
and after any hospital claim that reaches the server). A restarted window reads the audit rows of
the last :data:`RECALL` once, at its first push.

A push that finds another window's bill holding the same charges (the HIS lock should have
prevented it: a window without the lock, or whose HIS could not lock, settled them meanwhile) is a
conflict: both bills may have settled the charges. It is recorded in the hospital record
(:class:`~app.services.ports.claim_conflicts.ClaimConflicts`) for a supervisor, and audited here
(``his_lock_conflict``); nothing is refunded automatically.

A conflict stops standing once the hospital record shows every settlement of one of the two bills
cancelled (a supervisor had one cancelled, at any window). The push then closes it as obsolete, with
the reason (which settlement was cancelled where), for the supervisor's view, and audits it here
(``charge_conflict`` / ``obsolete``). When the cancelled bill is this window's own — cancelled at
another window, which this window's store does not learn — its charges are no longer settled by it:
its claims are not pushed any more (``his_lock_obsolete``) instead of being retried at every round
against the other bill's claim, which now rightly holds them.

A conflict a supervisor marked handled is final for the push too, even while both settlements still
stand (the supervisor decided what to do with the patient): the bill's claims are not pushed any
more (``his_lock_handled``) instead of being refused by the other bill's claim at every round.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from app.domain.visit import Bill, GroupState
from app.errors import StoreError
from app.services.ports.charge_claims import HospitalChargeClaims, HospitalClaimHolder
from app.services.ports.claim_conflicts import ClaimConflict, ClaimConflicts
from app.services.ports.clock import Clock
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

RECALL = timedelta(days=3)
_EVENT, _LOCKED, _PUSHED = "charge_claim", "his_locked", "his_lock_pushed"
_CONFLICT = "his_lock_conflict"
_OBSOLETE = (
    "his_lock_obsolete"  # not pushed: the hospital record shows the bill's settlements cancelled
)
_HANDLED = "his_lock_handled"  # not pushed: a supervisor handled its conflicts, both standing


class OfflineClaims:
    """The bills claimed under the HIS lock alone, and their push to the hospital claims."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        hospital: HospitalChargeClaims,
        window: str,
        *,
        stale_after: timedelta,
        keys: Callable[[Bill, Collection[str]], dict[str, str]],
        conflicts: ClaimConflicts | None = None,
    ) -> None:
        """Push to ``hospital`` for ``window``; ``keys`` maps a bill's lines to charge keys;
        ``conflicts`` records a push that finds the charges held by another bill."""
        self._uow_factory = uow_factory
        self._clock = clock
        self._hospital = hospital
        self._window = window
        self._stale_after = stale_after
        self._keys = keys
        self._conflicts = conflicts
        self._pending: dict[str, frozenset[str]] = {}
        self._operators: dict[str, str] = {}  # who settled each pending bill
        self._recalled = False
        self._guard = threading.Lock()

    def note(self, bill_id: str, line_nos: Collection[str], operator_code: str) -> None:
        """``bill_id`` claimed ``line_nos`` under the HIS lock alone (remembered durably)."""
        lines = frozenset(line_nos)
        with self._guard:
            self._pending[bill_id] = self._pending.get(bill_id, frozenset()) | lines
            self._operators[bill_id] = operator_code
        self._audit(operator_code, _LOCKED, bill_id, json.dumps(sorted(lines)))
        log.warning("bill %s claimed under the HIS lock; hospital claims pushed later", bill_id)

    def pending(self) -> dict[str, frozenset[str]]:
        """Bills waiting to be pushed, with their lines."""
        self._recall()
        with self._guard:
            return dict(self._pending)

    def push(self) -> int:
        """Claim the waiting bills' lines (not cancelled) hospital-wide; returns how many bills
        were pushed. Stops at the first unreachable server (the rest wait for the next time).

        A bill whose charges another bill holds is a conflict (recorded once) and stays waiting:
        once a supervisor has one of the two settlements cancelled, either its claims are granted
        or its lines are no longer live, and it is pushed; once a supervisor marked the conflict
        handled it is not pushed any more (final, even while both settlements stand)."""
        pushed = 0
        for bill_id, line_nos in self.pending().items():
            with self._uow_factory() as uow:
                bill = uow.bills.get(bill_id)
                live = {
                    no for g in uow.bills.groups(bill_id) if g.state is not GroupState.CANCELLED
                    for no in g.line_nos
                } & line_nos  # fmt: skip
                his = uow.his.loaded(sorted(live))
            if bill is not None and live:
                now = self._clock.now()
                try:
                    holders = self._hospital.claim(
                        self._window, bill_id, self._keys(bill, live), now,
                        take_over_from={bill.parent_bill_id} - {""},
                        stale_before=now - self._stale_after, his=his,
                    )  # fmt: skip
                except StoreError:
                    return pushed
                if holders:  # kept: claimed once the supervisor has one settlement cancelled
                    if not self._conflicted(bill, sorted(live), holders, now):
                        return pushed  # the server went away meanwhile
                    ended = self._conflicts_ended(bill_id, holders, now)
                    if ended is None:
                        continue  # a conflict still stands: it waits for a supervisor
                    # Its own settlements were cancelled (at another window), or a supervisor
                    # handled every conflict with the bills holding its charges: nothing to push.
                    self._audit("", ended, bill_id, json.dumps(sorted(line_nos)))
                    self._forget(bill_id, line_nos)
                    continue
                self._close_obsolete(bill_id, now)  # the other bill's settlement was cancelled
            self._audit("", _PUSHED, bill_id, json.dumps(sorted(line_nos)))
            self._forget(bill_id, line_nos)
            pushed += 1
        return pushed

    def _forget(self, bill_id: str, line_nos: frozenset[str]) -> None:
        with self._guard:
            if self._pending.get(bill_id) == line_nos:
                del self._pending[bill_id]
                self._operators.pop(bill_id, None)

    def _conflicts_ended(
        self, bill_id: str, holders: Collection[HospitalClaimHolder], now: datetime
    ) -> str | None:
        """Why ``bill_id``'s push ends although other bills hold its charges — its own
        settlements are all cancelled in the hospital record (:data:`_OBSOLETE`), or a supervisor
        marked handled the conflict with every holding bill (:data:`_HANDLED`: final, even while
        both settlements still stand) — or ``None`` while a conflict stands (or the server went
        away): then it is tried again at the next push."""
        found = self._close_obsolete(bill_id, now)
        if found is None:
            return None
        own_gone, conflicts = found
        if own_gone:
            return _OBSOLETE
        handled = {c.other.bill_id for c in conflicts if not c.open and not c.obsolete}
        if {h.bill_id for h in holders} <= handled:
            log.warning(
                "bill %s: its charge conflicts were handled by a supervisor; claims not pushed",
                bill_id,
            )
            return _HANDLED
        return None

    def _close_obsolete(
        self, bill_id: str, now: datetime
    ) -> tuple[bool, list[ClaimConflict]] | None:
        """Close the conflicts of ``bill_id`` that no longer stand (every settlement of one side
        cancelled in the hospital record); returns whether ``bill_id``'s own settlements are all
        cancelled there, with its conflicts as read (``None``: not wired, or the server went
        away). Best effort: an unreachable server leaves everything for the next push."""
        if self._conflicts is None:
            return None
        # The supervisor's words, loaded only here: every settling command loads this module.
        from app.services.hospital_conflicts import (  # noqa: PLC0415
            AUDIT_EVENT,
            close_obsolete,
        )

        try:
            found = self._conflicts.for_bill(bill_id)
        except StoreError:
            return None
        own_gone = False
        for conflict in found:
            gone = conflict.gone()
            if gone is None:
                continue
            own_gone = own_gone or gone is conflict.offline
            try:
                reason = close_obsolete(self._conflicts, conflict, window=self._window, at=now)
            except StoreError:
                return None
            if reason is not None:
                self._audit_as(
                    AUDIT_EVENT,
                    "obsolete",
                    bill_id,
                    f"conflict {conflict.conflict_id}: {reason}",
                )
        return own_gone, found

    def _conflicted(
        self,
        bill: Bill,
        line_nos: list[str],
        holders: Collection[HospitalClaimHolder],
        now: datetime,
    ) -> bool:
        """Another bill holds the charges (the HIS lock should have prevented it): record the
        conflict for a supervisor; ``False`` when the hospital database went away meanwhile."""
        operator_code = self._operators.get(bill.bill_id, "")
        for holder in holders:
            if self._conflicts is None:  # not wired (a test's engine): only logged
                log.error("bill %s conflicts with %s", bill.bill_id, holder.bill_id)
                continue
            try:
                new = self._conflicts.record(
                    window=self._window, bill_id=bill.bill_id, operator_code=operator_code,
                    outpatient_no=bill.outpatient_no, line_nos=line_nos,
                    other_window=holder.window, other_bill_id=holder.bill_id, at=now,
                )  # fmt: skip
            except StoreError:
                return False
            if new:
                log.error(
                    "bill %s claimed under the HIS lock is also claimed by bill %s of window %s: "
                    "recorded for a supervisor", bill.bill_id, holder.bill_id, holder.window,
                )  # fmt: skip
                detail = {"window": holder.window, "bill_id": holder.bill_id, "lines": line_nos}
                self._audit(operator_code, _CONFLICT, bill.bill_id, json.dumps(detail))
        return True

    def _recall(self) -> None:
        """Once per process: the bills noted (and not pushed) before a restart."""
        with self._guard:
            if self._recalled:
                return
            self._recalled = True
        now = self._clock.now()
        try:
            with self._uow_factory() as uow:
                rows = uow.audit.between(now - RECALL, now + timedelta(days=1))
        except StoreError as exc:
            log.warning("claims under the HIS lock not recalled (%s)", exc.code)
            with self._guard:
                self._recalled = False
            return
        found: dict[str, frozenset[str]] = {}
        operators: dict[str, str] = {}
        for row in rows:
            if row.event != _EVENT or row.outcome not in {_LOCKED, _PUSHED, _OBSOLETE, _HANDLED}:
                continue
            lines = frozenset(_lines(row.detail))
            if row.outcome == _LOCKED:
                found[row.bill_id] = found.get(row.bill_id, frozenset()) | lines
                operators[row.bill_id] = row.operator_code
            elif found.get(row.bill_id, frozenset()) <= lines:
                found.pop(row.bill_id, None)
        with self._guard:
            for bill_id, lines in found.items():
                self._pending[bill_id] = self._pending.get(bill_id, frozenset()) | lines
                self._operators.setdefault(bill_id, operators.get(bill_id, ""))

    def _audit(self, operator_code: str, outcome: str, bill_id: str, detail: str) -> None:
        self._audit_as(_EVENT, outcome, bill_id, detail, operator_code)

    def _audit_as(
        self, event: str, outcome: str, bill_id: str, detail: str, operator_code: str = ""
    ) -> None:
        try:
            with self._uow_factory() as uow:
                uow.audit.append(
                    self._clock.now(), operator_code, event, outcome, detail, bill_id=bill_id
                )
                uow.commit()
        except StoreError as exc:
            log.warning("claim under the HIS lock of bill %s not audited (%s)", bill_id, exc.code)


def _lines(detail: str) -> list[str]:
    try:
        value = json.loads(detail)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
