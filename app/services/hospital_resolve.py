"""Hospital mode: a supervisor resolves a dead window's unresolved journal row from another window.

"Dead" is decided the way issue 16 decides it for processes: a running window holds its advisory lock
in the hospital database for its lifetime (:class:`WindowLiveness`); a window whose lock is free runs
nowhere. Only then may another window act, and of two windows trying at once exactly one does (a claim
in the hospital record). The acting window imports the row from the hospital record under an owner
that is no process of its own (``hospital-<window>``), so its own recovery claims it as a dead owner's
row and resolves it exactly as for a local crash: a 2601 with the original msgid (or a clean-up),
journaled at the acting window. The resolved row reaches the hospital record by the acting window's
sync, and the hospital record never takes a definite outcome back.

When the dead window returns, :meth:`HospitalResolveService.adopt_remote_resolutions` (run before its
recovery) closes its local copy of every row the hospital record shows resolved, so it sends nothing
twice. Its recovery then asks :class:`HospitalResolutionGate` before each reversal or clean-up: a row
whose record may have reached the hospital record (``replica_outbox``: delivered, or a delivery begun)
is sent only under the hospital's resolution claim, so of the returning window and a supervisor at
another window exactly one sends it whatever the order; while the hospital server cannot be asked
the row waits ("awaiting the hospital server"), even across restarts. A row that never reached the
server cannot have been seen by another window and is resolved locally as before.
"""

from __future__ import annotations

import logging
import time

from app.domain.journal import JournalEntry, JournalState
from app.domain.operator import Action, Operator
from app.errors import InputError, StateConflict, StoreError
from app.messages import hospital as words
from app.services.auth import authorize
from app.services.ports.clock import Clock
from app.services.ports.hospital import HospitalJournal, HospitalJournalRow, WindowLiveness
from app.services.ports.resolution import RESOLVE_HERE, Admission, Verdict
from app.services.ports.store import UnitOfWorkFactory
from app.services.recovery import RecoveryService

log = logging.getLogger(__name__)

REMOTE_OWNER_PREFIX = "hospital-"
# After the server could not be asked, the gate waits this long before asking again (each try may
# cost the connect timeout when the LAN drops packets; one recovery run may hold many rows).
UNREACHABLE_PAUSE_S = 5.0
_DEFINITE = frozenset(s for s in JournalState if s.is_resolved)


class HospitalResolutionGate:
    """Hospital mode's :class:`~app.services.ports.resolution.ResolutionGate` for one window."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        journal: HospitalJournal,
        clock: Clock,
        window: str,
    ) -> None:
        """Decide for ``window``'s rows in the store behind ``uow_factory``."""
        self._uow_factory = uow_factory
        self._journal = journal
        self._clock = clock
        self._window = window
        self._unreachable_until = 0.0

    def fresh_pass(self) -> None:
        """Ask the server again at the next row (a new recovery pass)."""
        self._unreachable_until = 0.0

    def admit(self, entry: JournalEntry) -> Admission:
        """Here (never reached the hospital, or this window holds the claim), adopt another
        window's definite outcome, or await (the server cannot be asked; another window holds
        the claim and its outcome is not in the record yet)."""
        with self._uow_factory() as uow:
            offered = uow.replica.offered("journal", entry.msgid)
        if not offered:
            return RESOLVE_HERE
        if time.monotonic() < self._unreachable_until:
            return Admission(Verdict.AWAIT)  # just found away: the other rows wait without a try
        try:
            remote = self._journal.journal_row(entry.msgid)
            if remote is not None and JournalState(remote.state) in _DEFINITE:
                return Admission(Verdict.ADOPT, outcome=JournalState(remote.state))
            holder = self._journal.claim_resolution(
                entry.msgid, self._window, entry.operator_code, self._clock.now()
            )
        except StoreError as exc:
            log.info("%s awaits the hospital server (%s)", entry.msgid, exc.code)
            self._unreachable_until = time.monotonic() + UNREACHABLE_PAUSE_S
            return Admission(Verdict.AWAIT)
        if holder == self._window:
            return RESOLVE_HERE
        return Admission(Verdict.AWAIT, holder=holder)


class HospitalResolveService:
    """Every window's unresolved rows, and resolving a dead window's row at this window."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        journal: HospitalJournal,
        liveness: WindowLiveness,
        recovery: RecoveryService,
        clock: Clock,
        window: str,
    ) -> None:
        """Act at ``window`` through its store and ``recovery``."""
        self._uow_factory = uow_factory
        self._journal = journal
        self._liveness = liveness
        self._recovery = recovery
        self._clock = clock
        self._window = window

    def unresolved(self) -> list[HospitalJournalRow]:
        """Every window's rows without a definite outcome (the supervisor's view)."""
        return self._journal.unresolved_journal()

    def resolve_for_dead_window(self, msgid: str, supervisor: Operator) -> JournalState:
        """Resolve ``msgid`` of a window that runs nowhere; returns the row's state here.

        Raises:
            PermissionDenied: the operator may not resolve journal rows.
            InputError: no such row, it is this window's own, or the hospital database is
                unreachable.
            StateConflict: the row is resolved already, its window is running, or another window
                is resolving it.
        """
        authorize(supervisor, Action.RESOLVE_JOURNAL)
        try:
            row = self._checked_row(msgid)
            holder = self._journal.claim_resolution(
                msgid, self._window, supervisor.code, self._clock.now()
            )
            if holder != self._window:
                raise StateConflict(
                    words.RESOLUTION_CLAIMED(msgid=msgid, holder=holder),
                    code="resolution_claimed",
                )
            payload = self._journal.record_payload(row.window, "journal", msgid)
        except StoreError as exc:
            raise InputError(
                words.RESOLVE_UNREACHABLE(),
                code="hospital_unreachable",
                detail=exc.detail,
            ) from exc
        if payload is None:
            raise InputError(words.JOURNAL_NO_RECORD(msgid=msgid), code="journal_not_found")
        payload = {**payload, "owner": REMOTE_OWNER_PREFIX + row.window}
        with self._uow_factory() as uow:
            uow.imports.import_record("journal", payload)
            uow.audit.append(
                self._clock.now(), supervisor.code, "journal_resolve", "remote",
                f"{row.infno} of dead window {row.window}", bill_id=row.bill_id, msgid=msgid,
            )  # fmt: skip
            uow.commit()
        self._recovery.claim_dead_owners()
        state = self._recovery.resolve_now(msgid)
        if state is JournalState.ESCALATED:
            state = self._recovery.resolve_escalated(msgid, supervisor)
        log.info("resolved %s of dead window %s: %s", msgid, row.window, state)
        return state

    def _checked_row(self, msgid: str) -> HospitalJournalRow:
        row = self._journal.journal_row(msgid)
        if row is None:
            raise InputError(words.JOURNAL_NOT_FOUND(msgid=msgid), code="journal_not_found")
        if row.window == self._window:
            raise InputError(words.OWN_WINDOW_ROW(msgid=msgid), code="own_window_row")
        if JournalState(row.state) in _DEFINITE:
            raise StateConflict(
                words.ALREADY_RESOLVED(msgid=msgid, state=row.state), code="resolved"
            )
        if self._liveness.is_alive(row.window):
            raise StateConflict(
                words.WINDOW_ALIVE(window=row.window, msgid=msgid),
                code="window_alive",
                detail={"window": row.window},
            )
        return row

    def adopt_remote_resolutions(self) -> int:
        """Close this window's unresolved rows that another window resolved; returns how many.

        Run before this window's recovery. With the hospital database unreachable nothing changes
        here; the recovery's gate (:class:`HospitalResolutionGate`) then keeps every row that may
        be in the hospital record waiting for it, so no second 2601 is sent meanwhile.
        """
        with self._uow_factory() as uow:
            mine = list(uow.journal.unresolved())
        adopted = 0
        for entry in mine:
            try:
                remote = self._journal.journal_row(entry.msgid)
            except StoreError:
                return adopted
            if remote is None or JournalState(remote.state) not in _DEFINITE:
                continue
            self._recovery.adopt_outcome(entry.msgid, JournalState(remote.state))
            adopted += 1
        return adopted
