"""Resolving every unresolved journal row (reliability.md §2.2, R1–R4).

* 2207/2208 whose outcome is unknown (``PREPARED``/``SENT``/``UNKNOWN``, or a crash mid-reversal):
  2601 with ``omsgid`` = the row's msgid, itself journaled. ``reversed`` → ``REVERSED``; "原交易不存在" →
  ``VOID`` (nothing to undo). A reversal that fails is retried with exponential back-off and jitter; after
  ``max_attempts`` failures the row is ``ESCALATED`` to the supervisor queue, who may retry it.
* 2201/2203/2204 leftovers: the visit's unsettled fees are withdrawn (2205 ``0000``) and its registration
  cancelled (2202) → ``CLEANED``. A 2201 whose answer was lost has no visit id to cancel; a registration
  without fees moves no money, so it is marked cleaned and left to the day's reconciliation.
* 2202/2205 rows with unknown outcome: the clean-up is repeated (new msgids) until it gets an answer.
* 2601 rows with unknown outcome are closed once their original has a definite answer (2601 is
  idempotent and never itself reversed).

A reversed 2207 means no money moved: its group becomes ``FAILED`` and the bill is unlocked.

Ownership (issue #16): a row belongs to the process that wrote it until that process is provably dead
(``app.services.ports.ownership``). Recovery first claims the rows of dead owners, then acts only on rows
it owns — never on a call another live process has in flight, nor on this process's own calls still in
flight on another thread. Rows it may not touch are counted in the summary ("由其他运行中的程序办理").
After the rows, abandoned visits are withdrawn (``app.services.abandoned``, issue #11 item 2).

Hospital mode (issue 13 item 5): before a reversal or a clean-up, a :class:`ResolutionGate` says whether
this window may send it. A row that may already be in the hospital record is sent only under the
hospital's resolution claim; one another window resolved is closed with that window's outcome (nothing
sent); one the hospital server cannot be asked about waits ("awaiting the hospital server", in the
summary) and is tried again by :meth:`RecoveryService.resolve_awaiting` or the next run.
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from app.domain.journal import CLEANABLE_INFNOS, REVERSIBLE_INFNOS, JournalEntry, JournalState
from app.domain.operator import Action, Operator, Role
from app.domain.visit import GroupState
from app.errors import InputError, PlatformError, PlatformRejected, StateConflict
from app.messages import recovery as words
from app.services.abandoned import AbandonedVisits, WithdrawReport
from app.services.auth import authorize
from app.services.crashpoints import crash_point
from app.services.journaling import CallIntent, JournaledCaller, failure_text
from app.services.ports.clock import Clock
from app.services.ports.ownership import Ownership, SoleOwner
from app.services.ports.platform import CallContext, PlatformGateway, ReversalOutcome
from app.services.ports.progress import NO_PROGRESS, Progress, ProgressSink
from app.services.ports.resolution import ResolutionGate, Verdict
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory
from app.services.recovery_report import QueueRow, RecoverySummary
from app.services.recovery_steps import (
    Backoff,
    adoption_path,
    needs_a_person,
    originals_first,
    reversed_text,
    watched_wait,
    withdraw_call,
)

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "Backoff",
    "QueueRow",
    "RecoveryService",
    "RecoverySummary",
    "adoption_path",
]

DEFAULT_MAX_ATTEMPTS = 6
CLEANUP_INFNOS = frozenset({"2202", "2205"})
_RESOLVABLE = frozenset(
    {JournalState.PREPARED, JournalState.SENT, JournalState.UNKNOWN, JournalState.REVERSING}
)
_IN_FLIGHT = frozenset({JournalState.PREPARED, JournalState.SENT})
SYSTEM_OPERATOR = "system"
# Rows whose resolution sends something to the platform (asked of the gate first).
_SENDS = REVERSIBLE_INFNOS | CLEANABLE_INFNOS | CLEANUP_INFNOS


class RecoveryService:
    """Drives unresolved journal rows to a definite state."""

    def __init__(
        self,
        gateway: PlatformGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        caller: JournaledCaller,
        *,
        ownership: Ownership | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        """Bind to the platform, the store and the clock; ``sleep`` is injectable for tests.

        ``ownership`` decides whose rows may be touched; without it the caller's lease is the only
        live one (a process working alone on its store).
        """
        self._ownership: Ownership = ownership or SoleOwner(caller.owner)
        self._abandoned = AbandonedVisits(uow_factory, clock, self._ownership, self._withdraw)
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._caller = caller
        self._max_attempts = max_attempts
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._rng: random.Random = secrets.SystemRandom()
        self._lock = threading.RLock()
        self._gate: ResolutionGate | None = None
        self._awaiting: dict[str, str] = {}  # msgid -> the claim's holder ("" = server not asked)

    def use_gate(self, gate: ResolutionGate) -> None:
        """Hospital mode: ask ``gate`` before sending a reversal or a clean-up (module docstring)."""
        self._gate = gate

    # ------------------------------------------------------------------ queries

    def unresolved(self) -> tuple[QueueRow, ...]:
        """Every unresolved row, oldest first (escalated ones included); those waiting for the
        hospital server or another window say so (:meth:`awaiting`)."""
        awaiting = self.awaiting()
        with self._uow_factory() as uow:
            return tuple(
                # a reversal (2601) waits with the call it reverses
                QueueRow.of(e, awaiting.get(e.msgid, awaiting.get(e.original_msgid)))
                for e in uow.journal.unresolved()
            )

    def escalated(self) -> tuple[QueueRow, ...]:
        """The supervisor queue."""
        return tuple(r for r in self.unresolved() if r.state is JournalState.ESCALATED)

    # ------------------------------------------------------------------ running

    def recover_all(
        self, *, wait: bool = True, progress: ProgressSink | None = None
    ) -> RecoverySummary:
        """Resolve every unresolved row; run at start-up before any settlement.

        With ``wait`` each reversal is retried with back-off until it is definite or escalated;
        without it every row gets one attempt. ``progress`` sees each row and each wait; Cancel is
        honoured between rows and while waiting (the rows left stay in the journal, unresolved,
        for the next run — nothing is guessed).

        Raises:
            UserCancelled: the person stopped it.
        """
        steps = Progress(progress)
        if self._gate is not None:
            self._gate.fresh_pass()
        self.claim_dead_owners()
        with self._uow_factory() as uow:
            rows = [e for e in uow.journal.unresolved() if e.state in _RESOLVABLE]
        mine = [e for e in rows if self._actionable(e)]
        counts = {"reversed": 0, "void": 0, "cleaned": 0, "closed": 0}
        for index, entry in enumerate(originals_first(mine)):
            steps.step(
                str(words.STEP_RESOLVE(infno=entry.infno)), index, len(mine), cancellable=True
            )
            state = self._resolve(entry.msgid, wait=wait, steps=steps)
            key = {
                JournalState.REVERSED: "reversed",
                JournalState.VOID: "void",
                JournalState.CLEANED: "cleaned",
                JournalState.OK: "closed",
                JournalState.FAILED: "closed",
            }.get(state)
            if key:
                counts[key] += 1
        visits = self._abandoned.withdraw()
        with self._uow_factory() as uow:
            left = list(uow.journal.unresolved())
        waiting = [e for e in left if e.state is not JournalState.ESCALATED]
        awaiting = self.awaiting()
        summary = RecoverySummary(
            examined=len(mine),
            escalated=tuple(QueueRow.of(e) for e in left if e.state is JournalState.ESCALATED),
            pending=tuple(
                QueueRow.of(e) for e in waiting if self._actionable(e) and e.msgid not in awaiting
            ),
            elsewhere=tuple(QueueRow.of(e) for e in waiting if not self._actionable(e)),
            awaiting=tuple(
                QueueRow.of(e, awaiting[e.msgid]) for e in waiting if e.msgid in awaiting
            ),
            awaiting_other_window=sum(1 for e in waiting if awaiting.get(e.msgid)),
            visits=visits,
            **counts,
        )
        log.info("recovery: %s", summary.text())
        return summary

    def awaiting(self) -> dict[str, str]:
        """Rows left for the hospital server: msgid -> the window holding the claim (``""``: the
        server could not be asked)."""
        with self._lock:
            return dict(self._awaiting)

    def resolve_awaiting(self) -> int:
        """Ask again about the rows left for the hospital server (after it came back); returns how
        many are still waiting. Cheap when none waits (called after every sync round)."""
        if not self.awaiting():
            return 0
        if self._gate is not None:
            self._gate.fresh_pass()
        for msgid in list(self.awaiting()):
            try:
                self.resolve_now(msgid)
            except InputError:  # the row is gone meanwhile
                with self._lock:
                    self._awaiting.pop(msgid, None)
        return len(self.awaiting())

    def close_abandoned_visits(self) -> WithdrawReport:
        """Before the day close: claim dead owners, then withdraw every open visit of ours that no
        call is in flight on (including previews the cashier walked away from)."""
        self.claim_dead_owners()
        return self._abandoned.withdraw(closing_day=True)

    def claim_dead_owners(self) -> int:
        """Move the rows of every provably dead owner to this process; returns how many owners."""
        me = self._ownership.owner_id
        with self._uow_factory() as uow:
            owners = {e.owner for e in uow.journal.unresolved()}
        owners |= self._abandoned.owners()
        claimed = 0
        for owner in sorted(owners - {me}):
            with self._ownership.claim(owner) as dead:
                if dead:
                    claimed += self._take_over(owner)
        return claimed

    def _take_over(self, owner: str) -> int:
        me = self._ownership.owner_id
        with self._uow_factory() as uow:
            moved = uow.journal.take_over(owner, me)
            if moved:
                uow.audit.append(
                    self._clock.now(), SYSTEM_OPERATOR, "journal_takeover", "ok",
                    f"{owner or '(before leases)'} -> {me}: {moved} rows",
                )  # fmt: skip
            uow.commit()
        if moved:
            log.info("claimed %d journal rows of dead process %s", moved, owner or "(legacy)")
        return 1 if moved else 0

    def _actionable(self, entry: JournalEntry) -> bool:
        """Ours, and not a call still in flight on another thread of this process (a row of ours
        left PREPARED/SENT by a failure to record its answer, e.g. a locked or full disk, is not)."""
        if entry.owner != self._ownership.owner_id:
            return False
        return entry.state not in _IN_FLIGHT or not self._caller.in_flight(entry.msgid)

    def in_other_hands(self, entry: JournalEntry) -> bool:
        """Whether ``entry`` is another live process's call (it must not hold up this process)."""
        return entry.owner != self._ownership.owner_id and self._ownership.is_alive(entry.owner)

    def resolve_orphans(self, rows: Sequence[JournalEntry]) -> bool:
        """Rows among ``rows`` whose program has ended (a CLI killed beside a long-running window)
        are claimed and resolved now, once each, rather than blocking until the next start."""
        me = self._ownership.owner_id
        if not any(r.owner != me and not self._ownership.is_alive(r.owner) for r in rows):
            return False
        self.recover_all(wait=False)
        return True

    def resolve_now(self, msgid: str) -> JournalState:
        """One attempt at one row (used right after an unknown outcome during settlement)."""
        return self._resolve(msgid, wait=False)

    def resolve_escalated(self, msgid: str, supervisor: Operator) -> JournalState:
        """A supervisor retries the reversal of an escalated row.

        Raises:
            PermissionDenied: the operator may not resolve journal rows.
            InputError: no such row.
            StateConflict: the row is not escalated (resolved meanwhile), or another window of
                the hospital is resolving it.
        """
        authorize(supervisor, Action.RESOLVE_JOURNAL)
        with self._lock:
            entry = self._get(msgid)
            if entry.state is JournalState.ESCALATED and self._gate is not None:
                self._gate.fresh_pass()
                admission = self._gate.admit(entry)
                if admission.verdict is Verdict.ADOPT and admission.outcome is not None:
                    return self._adopt(entry, admission.outcome)
                if admission.verdict is Verdict.AWAIT:
                    raise StateConflict(
                        words.AWAITING_HOSPITAL_ROW(msgid=msgid, holder=admission.holder or "-"),
                        code="awaiting_hospital",
                        detail={"holder": admission.holder},
                    )
            return self._retry_escalated(msgid, supervisor)

    def _retry_escalated(self, msgid: str, supervisor: Operator) -> JournalState:
        with self._uow_factory() as uow:
            entry = uow.journal.get(msgid)
            if entry is None:
                raise InputError(words.NOT_FOUND(msgid=msgid), code="journal_not_found")
            if entry.state is not JournalState.ESCALATED:
                raise StateConflict(words.NOT_ESCALATED(msgid=msgid), code="not_escalated")
            # An escalated row is parked for a supervisor: nobody works on it, so the supervisor's
            # process takes it over in the same transaction that starts the retry.
            uow.journal.assign(msgid, self._ownership.owner_id)
            uow.journal.move(msgid, JournalState.REVERSING, self._clock.now())
            uow.audit.append(
                self._clock.now(), supervisor.code, "journal_resolve", "retry", entry.infno,
                bill_id=entry.bill_id, msgid=msgid,
            )  # fmt: skip
            uow.commit()
        return self._reverse_once(self._get(msgid), escalate=False)

    # ------------------------------------------------------------------ per row

    def _get(self, msgid: str) -> JournalEntry:
        with self._uow_factory() as uow:
            entry = uow.journal.get(msgid)
        if entry is None:
            raise InputError(words.NOT_FOUND(msgid=msgid), code="journal_not_found")
        return entry

    def _resolve(self, msgid: str, *, wait: bool, steps: Progress = NO_PROGRESS) -> JournalState:
        # One resolver at a time: the window may start recovery while a settlement resolves its own
        # unknown row, and two reversals of one row must not race on its state.
        with self._lock:
            return self._resolve_unlocked(msgid, wait=wait, steps=steps)

    def _resolve_unlocked(
        self, msgid: str, *, wait: bool, steps: Progress = NO_PROGRESS
    ) -> JournalState:
        entry = self._get(msgid)
        if entry.state not in _RESOLVABLE or entry.owner != self._ownership.owner_id:
            self._awaiting.pop(msgid, None)
            return entry.state  # settled meanwhile, or another live process's call: not ours
        if self._gate is not None and entry.infno in _SENDS:
            admission = self._gate.admit(entry)
            if admission.verdict is Verdict.AWAIT:
                if msgid not in self._awaiting:
                    log.info("%s waits for the hospital server (%s)", msgid, admission.holder)
                self._awaiting[msgid] = admission.holder
                return entry.state
            self._awaiting.pop(msgid, None)
            if admission.verdict is Verdict.ADOPT and admission.outcome is not None:
                return self._adopt(entry, admission.outcome)
        if entry.infno in REVERSIBLE_INFNOS:
            return self._reverse(entry, wait=wait, steps=steps)
        if entry.infno in CLEANABLE_INFNOS or entry.infno in CLEANUP_INFNOS:
            return self._clean(entry)
        if entry.infno == "2601":
            return self._close_reversal_row(entry)
        # Anything else journaled (no money moves): a lost answer simply failed.
        return self._close(entry, JournalState.FAILED, str(words.NOTE_VOIDED()))

    def adopt_outcome(self, msgid: str, outcome: JournalState) -> JournalState:
        """Close ``msgid`` with the definite ``outcome`` another window reached (nothing is sent)."""
        with self._lock:
            self._awaiting.pop(msgid, None)
            return self._adopt(self._get(msgid), outcome)

    def _adopt(self, entry: JournalEntry, outcome: JournalState) -> JournalState:
        """Close ``entry`` with the outcome another window reached for it (nothing is sent); its
        group is failed as if this window had reversed or cleaned it (that window also withdrew
        the visit)."""
        with self._uow_factory() as uow:
            for step in adoption_path(entry.state, outcome):
                uow.journal.move(
                    entry.msgid, step, self._clock.now(), error=str(words.NOTE_ADOPTED())
                )
            if outcome in (JournalState.REVERSED, JournalState.VOID) and entry.infno == "2207":
                self._group_failed(uow, entry, reversed_text(outcome))
            elif outcome is JournalState.CLEANED:
                self._group_failed(uow, entry, str(words.GROUP_CLEANED()))
            self._close_reversal_rows(uow, entry.msgid)
            uow.audit.append(
                self._clock.now(), SYSTEM_OPERATOR, "journal_resolve", "adopted", str(outcome),
                bill_id=entry.bill_id, msgid=entry.msgid,
            )  # fmt: skip
            uow.commit()
        log.info("%s was resolved at another window: %s", entry.msgid, outcome)
        return outcome

    def _to_unknown(self, entry: JournalEntry) -> JournalEntry:
        if entry.state in (JournalState.PREPARED, JournalState.SENT):
            with self._uow_factory() as uow:
                entry = uow.journal.move(
                    entry.msgid, JournalState.UNKNOWN, self._clock.now(),
                    error=str(words.NOTE_INTERRUPTED()),
                )  # fmt: skip
                uow.commit()
        return entry

    def _reverse(
        self, entry: JournalEntry, *, wait: bool, steps: Progress = NO_PROGRESS
    ) -> JournalState:
        entry = self._to_unknown(entry)
        if entry.state is JournalState.UNKNOWN:
            with self._uow_factory() as uow:
                entry = uow.journal.move(entry.msgid, JournalState.REVERSING, self._clock.now())
                uow.commit()
        while True:
            state = self._reverse_once(entry, escalate=True)
            if state is not JournalState.REVERSING or not wait:
                return state
            entry = self._get(entry.msgid)
            watched_wait(self._sleep, self._backoff.delay(entry.attempts, self._rng), entry, steps)

    def _reverse_once(self, entry: JournalEntry, *, escalate: bool) -> JournalState:
        """One 2601 attempt for a row in ``REVERSING``."""
        operator = self._operator(entry.operator_code)
        intent = CallIntent(
            infno="2601",
            bill_id=entry.bill_id,
            group_key=entry.group_key,
            person_no=entry.person_no,
            insured_admdvs=entry.insured_admdvs,
            operator_code=operator.code,
            visit_id=entry.visit_id,
            original_msgid=entry.msgid,
            original_infno=entry.infno,
            amount=entry.amount,
        )
        ctx = CallContext(operator, entry.insured_admdvs)
        outcome = self._caller.call(
            intent,
            lambda msgid: self._gateway.reverse(
                ctx, msgid, entry.person_no, entry.msgid, entry.infno
            ),
        )
        if outcome.ok and outcome.value is not None:
            final = (
                JournalState.REVERSED
                if outcome.value is ReversalOutcome.REVERSED
                else JournalState.VOID
            )
            self._finish_reversal(entry, final)
            return final
        error = outcome.error
        if isinstance(error, PlatformRejected) and "原交易不存在" in error.failure.platform_text:
            self._finish_reversal(entry, JournalState.VOID)
            return JournalState.VOID
        return self._count_failure(entry, error, escalate=escalate)

    def _count_failure(
        self, entry: JournalEntry, error: PlatformError | None, *, escalate: bool
    ) -> JournalState:
        text = failure_text(error) if error is not None else str(words.NOTE_REVERSAL_FAILED())
        with self._uow_factory() as uow:
            moved = uow.journal.move(
                entry.msgid, JournalState.REVERSING, self._clock.now(),
                error=text, count_attempt=True,
            )  # fmt: skip
            refused = needs_a_person(error)
            if escalate and (moved.attempts >= self._max_attempts or refused):
                reason = (
                    words.REVERSAL_REFUSED()
                    if refused
                    else words.REVERSAL_FAILED_TIMES(attempts=moved.attempts)
                )
                moved = uow.journal.move(
                    entry.msgid,
                    JournalState.ESCALATED,
                    self._clock.now(),
                    error=str(words.NOTE_ESCALATED(reason=reason, last=text)),
                )
                uow.audit.append(
                    self._clock.now(), entry.operator_code, "journal_escalated", "escalated",
                    f"{entry.infno} attempts={moved.attempts}",
                    bill_id=entry.bill_id, msgid=entry.msgid,
                )  # fmt: skip
                log.warning(
                    "reversal of %s escalated after %d attempts", entry.msgid, moved.attempts
                )
            uow.commit()
        return moved.state

    def _finish_reversal(self, entry: JournalEntry, final: JournalState) -> None:
        with self._uow_factory() as uow:
            uow.journal.move(entry.msgid, final, self._clock.now())
            if entry.infno == "2207":
                self._group_failed(uow, entry, reversed_text(final))
            self._close_reversal_rows(uow, entry.msgid)
            uow.audit.append(
                self._clock.now(), entry.operator_code, "reversal", str(final), entry.infno,
                bill_id=entry.bill_id, msgid=entry.msgid,
            )  # fmt: skip
            uow.commit()
        crash_point("reversal_recorded")
        if entry.infno == "2207" and entry.visit_id:
            self._withdraw(entry)

    def _group_failed(self, uow: UnitOfWork, entry: JournalEntry, text: str) -> None:
        for group in uow.bills.groups(entry.bill_id):
            if group.group_key == entry.group_key and group.state is not GroupState.SETTLED:
                uow.bills.save_group(replace(group, state=GroupState.FAILED, failure_text=text))

    def _close_reversal_rows(self, uow: UnitOfWork, original_msgid: str) -> None:
        """Earlier 2601 attempts with unknown outcome are superseded by the definite one."""
        for row in uow.journal.unresolved():
            if row.owner != self._ownership.owner_id:
                continue
            if row.infno == "2601" and row.original_msgid == original_msgid:
                if row.state in (JournalState.PREPARED, JournalState.SENT):
                    uow.journal.move(row.msgid, JournalState.UNKNOWN, self._clock.now())
                uow.journal.move(
                    row.msgid, JournalState.OK, self._clock.now(),
                    error=str(words.NOTE_SUPERSEDED()),
                )  # fmt: skip

    def _close_reversal_row(self, entry: JournalEntry) -> JournalState:
        original = self._get(entry.original_msgid) if entry.original_msgid else None
        if original is None or original.state.is_resolved:
            return self._close(entry, JournalState.OK, str(words.NOTE_ORIGINAL_RESOLVED()))
        return entry.state  # the original's own recovery will send a fresh 2601

    def _close(self, entry: JournalEntry, state: JournalState, note: str) -> JournalState:
        entry = self._to_unknown(entry)
        with self._uow_factory() as uow:
            uow.journal.move(entry.msgid, state, self._clock.now(), error=note)
            uow.commit()
        return state

    def _clean(self, entry: JournalEntry) -> JournalState:
        entry = self._to_unknown(entry)
        visit_id = entry.visit_id or self._visit_of(entry)
        if visit_id and not self._withdraw(replace(entry, visit_id=visit_id)):
            return entry.state
        if entry.infno in CLEANUP_INFNOS:
            return self._close(entry, JournalState.OK, str(words.NOTE_CLEANUP_REDONE()))
        with self._uow_factory() as uow:
            uow.journal.move(
                entry.msgid, JournalState.CLEANED, self._clock.now(),
                error="" if visit_id else str(words.NOTE_NO_VISIT()),
            )  # fmt: skip
            self._group_failed(uow, entry, str(words.GROUP_CLEANED()))
            uow.commit()
        return JournalState.CLEANED

    def _visit_of(self, entry: JournalEntry) -> str:
        with self._uow_factory() as uow:
            for group in uow.bills.groups(entry.bill_id):
                if group.group_key == entry.group_key:
                    return group.visit_id
        return ""

    def _withdraw(self, entry: JournalEntry) -> bool:
        """2205 ``0000`` + 2202 for the visit; True when both got a definite answer."""
        operator = self._operator(entry.operator_code)
        ctx = CallContext(operator, entry.insured_admdvs)
        with self._uow_factory() as uow:
            bill = uow.bills.get(entry.bill_id)
        outpatient_no = bill.ipt_otp_no if bill is not None else ""
        definite = True
        for infno in ("2205", "2202"):
            intent = CallIntent(
                infno=infno,
                bill_id=entry.bill_id,
                group_key=entry.group_key,
                person_no=entry.person_no,
                insured_admdvs=entry.insured_admdvs,
                operator_code=operator.code,
                visit_id=entry.visit_id,
                batch_no="0000" if infno == "2205" else "",
            )
            send = withdraw_call(self._gateway, ctx, entry, infno, outpatient_no)
            outcome = self._caller.call(intent, send)
            if outcome.state is JournalState.UNKNOWN or (
                outcome.error is not None and outcome.error.code == "platform_unavailable"
            ):
                definite = False
                self._close(
                    self._get(outcome.msgid),
                    JournalState.FAILED,
                    str(words.NOTE_WITHDRAWAL_UNKNOWN()),
                )
        return definite

    def _operator(self, code: str) -> Operator:
        with self._uow_factory() as uow:
            account = uow.operators.get(code)
        if account is not None:
            return account.operator
        return Operator(code, code, Role.CASHIER)
