"""Abandoned visits: registrations (2201) that will never be settled are withdrawn (issue #11 item 2).

Recovery cleans up calls whose *outcome* is unknown; a visit whose 2201/2203/2204 were all answered OK
and whose process then died, gave up, or whose clean-up failed, has no unknown row — yet it stays open on
the platform with its fee lines. Every such visit ends with 2205 (fees, batch ``0000``) and 2202
(registration): at start-up and in ``journal resolve`` (through :meth:`RecoveryService.recover_all`) and
before the day close (:meth:`AbandonedVisits.withdraw` with ``closing_day``).

Which visits are abandoned (the journal knows every visit: ``JournalRepository.open_visits``):

* the process working on it last is dead (its lease was claimed, so the visit is now ours);
* or it is ours and no group uses it any more (the group failed, restarted or was cancelled);
* or it is ours, the day is closing and no call on it is in flight.

A visit of another live process is never touched: it is reported as open elsewhere, and the day close
waits for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from app.domain.journal import JournalEntry
from app.domain.visit import GroupSettlement, GroupState
from app.messages import recovery as words
from app.services.ports.clock import Clock
from app.services.ports.ownership import Ownership
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

# Group states in which a group is still working with its visit (previewing, settling, settled).
IN_USE = frozenset(
    {
        GroupState.REGISTERED,
        GroupState.VISIT_UPLOADED,
        GroupState.FEES_UPLOADED,
        GroupState.PREVIEWED,
        GroupState.UNKNOWN,
        GroupState.SETTLED,
    }
)
# States a day close may take a visit from: the cashier walked away from a preview.
_UNFINISHED = IN_USE - {GroupState.UNKNOWN, GroupState.SETTLED}
# Registrations older than this are not looked at: the day close refuses while any stays open, so
# only a store whose days were not closed could hold older ones (and the cost of the scan follows it).
LOOKBACK = timedelta(days=31)
WITHDRAWN_TEXT = str(words.GROUP_WITHDRAWN())  # stored on the group: a record, in Chinese


@dataclass(frozen=True)
class WithdrawReport:
    """What a pass over the open visits did."""

    withdrawn: int = 0
    failed: int = 0
    elsewhere: int = 0
    in_use: int = 0

    @property
    def left_open(self) -> int:
        """Visits still open on the platform after the pass."""
        return self.failed + self.elsewhere + self.in_use


class AbandonedVisits:
    """Finds open visits nobody will settle and withdraws them (2205 + 2202, journaled)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ownership: Ownership,
        withdraw: Callable[[JournalEntry], bool],
    ):
        """``withdraw`` sends 2205 + 2202 for a 2201 row and says whether both answers were definite."""
        self._uow_factory = uow_factory
        self._clock = clock
        self._ownership = ownership
        self._withdraw = withdraw

    def owners(self) -> set[str]:
        """Owners of open visits (recovery claims the dead ones before :meth:`withdraw`)."""
        with self._uow_factory() as uow:
            return {uow.journal.visit_owner(row.visit_id) for row in self._open(uow)}

    def withdraw(self, *, closing_day: bool = False) -> WithdrawReport:
        """Withdraw every abandoned visit owned by this process; count the others."""
        me = self._ownership.owner_id
        withdrawn = failed = elsewhere = in_use = 0
        with self._uow_factory() as uow:
            candidates = [(row, uow.journal.visit_owner(row.visit_id)) for row in self._open(uow)]
        for row, owner in candidates:
            if owner != me:
                elsewhere += 1  # alive, or being claimed by another process right now
                continue
            if self._in_use(row, closing_day=closing_day):
                in_use += 1
                continue
            if self._withdraw(row):
                withdrawn += 1
                self._mark_group(row)
            else:
                failed += 1
        report = WithdrawReport(withdrawn, failed, elsewhere, in_use)
        if candidates:
            log.info(
                "open visits: %d withdrawn, %d not answered, %d in other processes, %d in use",
                withdrawn, failed, elsewhere, in_use,
            )  # fmt: skip
        return report

    def _open(self, uow: UnitOfWork) -> Sequence[JournalEntry]:
        return uow.journal.open_visits(self._clock.now() - LOOKBACK)

    def _in_use(self, row: JournalEntry, *, closing_day: bool) -> bool:
        with self._uow_factory() as uow:
            group = _group(uow, row)
        if group is None or group.visit_id != row.visit_id:
            return False
        if closing_day:
            return group.state not in _UNFINISHED and group.state in IN_USE
        return group.state in IN_USE and not self._adopted(row)

    def _adopted(self, row: JournalEntry) -> bool:
        # Rows claimed from a dead process now carry our lease but their writer is someone else:
        # the group's state is that dead process's, nobody here is working on it.
        return row.writer != self._ownership.owner_id

    def _mark_group(self, row: JournalEntry) -> None:
        """The group that still points at the withdrawn visit fails, so it can be settled afresh."""
        # Imported here: the settlement package is not needed by a start with nothing to withdraw
        # (``eligibility``'s, docs/performance.md, CLI start-up).
        from app.services.settlement import status_of  # noqa: PLC0415

        with self._uow_factory() as uow:
            group = _group(uow, row)
            if group is None or group.visit_id != row.visit_id or group.state not in _UNFINISHED:
                return
            uow.bills.save_group(
                replace(group, state=GroupState.FAILED, failure_text=WITHDRAWN_TEXT)
            )
            groups = [replace(g, state=GroupState.FAILED) if g.group_key == group.group_key else g
                      for g in uow.bills.groups(row.bill_id)]  # fmt: skip
            uow.bills.set_status(row.bill_id, status_of(groups))
            uow.audit.append(
                self._clock.now(), row.operator_code, "visit_withdrawn", "ok", row.group_key,
                bill_id=row.bill_id, msgid=row.msgid,
            )  # fmt: skip
            uow.commit()


def _group(uow: UnitOfWork, row: JournalEntry) -> GroupSettlement | None:
    return next((g for g in uow.bills.groups(row.bill_id) if g.group_key == row.group_key), None)
