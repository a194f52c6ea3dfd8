"""The journal's state machine for state-changing platform calls (reliability.md §2.2).

```
PREPARED → SENT → OK | FAILED | UNKNOWN
UNKNOWN → REVERSING → REVERSED | VOID        (2207/2208: reversal by 2601)
UNKNOWN → CLEANED                            (2201/2203/2204: leftovers removed by 2202/2205)
REVERSING → ESCALATED (after repeated failures; a supervisor resolves it) → REVERSED | VOID | OK
```

A row leaves an unresolved state only on a definite answer. ``PREPARED`` rows after a crash are treated
like ``UNKNOWN``: reversing a message that never arrived is harmless, guessing is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from app.errors import AppError, RecoveryPending
from app.messages import journal as words

REVERSIBLE_INFNOS = frozenset({"2207", "2208"})
CLEANABLE_INFNOS = frozenset({"2201", "2203", "2204"})
STATE_CHANGING_INFNOS = frozenset(
    {"2201", "2202", "2203", "2204", "2205", "2207", "2208", "2601", "9101", "3202"}
)


class JournalState(StrEnum):
    """Where a journaled call stands."""

    PREPARED = "prepared"
    SENT = "sent"
    OK = "ok"
    FAILED = "failed"
    UNKNOWN = "unknown"
    REVERSING = "reversing"
    REVERSED = "reversed"
    VOID = "void"
    CLEANED = "cleaned"
    ESCALATED = "escalated"

    @property
    def is_resolved(self) -> bool:
        """Whether the outcome is definite."""
        return self in _RESOLVED


_RESOLVED = frozenset(
    {JournalState.OK, JournalState.FAILED, JournalState.REVERSED, JournalState.VOID,
     JournalState.CLEANED}
)  # fmt: skip

_ALLOWED: dict[JournalState, frozenset[JournalState]] = {
    JournalState.PREPARED: frozenset(
        {JournalState.SENT, JournalState.UNKNOWN, JournalState.FAILED}
    ),
    JournalState.SENT: frozenset({JournalState.OK, JournalState.FAILED, JournalState.UNKNOWN}),
    JournalState.UNKNOWN: frozenset(
        {JournalState.REVERSING, JournalState.CLEANED, JournalState.OK, JournalState.FAILED}
    ),
    JournalState.REVERSING: frozenset(
        {JournalState.REVERSED, JournalState.VOID, JournalState.ESCALATED, JournalState.REVERSING}
    ),
    JournalState.ESCALATED: frozenset(
        {JournalState.REVERSING, JournalState.REVERSED, JournalState.VOID, JournalState.OK}
    ),
    JournalState.OK: frozenset({JournalState.REVERSING}),
}


class IllegalTransition(AppError):
    """A bug: the code tried to move a journal row along an edge the state machine does not have."""

    code = "journal_transition"


class OwnershipLost(RecoveryPending):
    """Another process claimed a row this process is still working on: its lease was taken for dead.

    Only a damaged lease folder leads here (a lease file deleted by hand, a network file system that
    ignores locks); the call's outcome is then left to the claimer, never recorded twice.
    """

    code = "journal_ownership_lost"

    @classmethod
    def of(cls, msgid: str, owner: str) -> OwnershipLost:
        """For row ``msgid``, now owned by ``owner``."""
        return cls(
            words.OWNERSHIP_LOST(msgid=msgid, owner=owner or words.UNKNOWN_OWNER()),
            detail={"msgid": msgid, "owner": owner},
        )


def can_move(current: JournalState, target: JournalState) -> bool:
    """Whether ``current → target`` is an edge of the state machine."""
    return target in _ALLOWED.get(current, frozenset())


def move(current: JournalState, target: JournalState) -> JournalState:
    """Return ``target`` if the edge exists, else raise :class:`IllegalTransition`."""
    if not can_move(current, target):
        raise IllegalTransition(
            words.ILLEGAL_TRANSITION(current=current, target=target),
            detail={"from": current, "to": target},
        )
    return target


@dataclass(frozen=True)
class JournalEntry:
    """One journaled state-changing platform call (reliability.md §2.2).

    Attributes:
        msgid: the request's msgid (unique; the key for 2601 and 3202 matching).
        infno: transaction number.
        state: where it stands.
        bill_id: the local bill it belongs to (locks that bill while unresolved).
        group_key: the settlement group (``general``, ``self_pay`` or a disease code).
        person_no: ``psn_no`` (needed by 2601).
        insured_admdvs: ``insuplc_admdvs`` of the call (needed to route 2601).
        operator_code: who made the call.
        created_at / updated_at: timezone-aware UTC.
        visit_id: ``mdtrt_id`` when known (2202/2205 clean-up).
        batch_no: ``chrg_bchno`` when relevant.
        original_msgid / original_infno: for 2601 rows, what they reverse.
        settlement_id: ``setl_id`` on an OK 2207/2208.
        amount: the money at stake (medfee_sumamt), for the supervisor's view.
        attempts: resolution attempts so far (reversal back-off and escalation).
        last_error: our Chinese text of the last failure, if any.
        owner: the lease id of the process that may act on the row now (issue #16): the writer until
            it is provably dead, then whoever claimed its rows (``app.services.ports.ownership``).
        writer: the lease id of the process that wrote the row (never changes; for audits and tests).
    """

    msgid: str
    infno: str
    state: JournalState
    bill_id: str
    group_key: str
    person_no: str
    insured_admdvs: str
    operator_code: str
    created_at: datetime
    updated_at: datetime
    visit_id: str = ""
    batch_no: str = ""
    original_msgid: str = ""
    original_infno: str = ""
    settlement_id: str = ""
    amount: Decimal | None = None
    attempts: int = 0
    last_error: str = ""
    owner: str = ""
    writer: str = ""
