"""What recovery reports: the journal rows as the supervisor queue shows them, and a run's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.domain.journal import JournalEntry, JournalState
from app.domain.masking import mask_number
from app.messages import CHINESE, Listing, Message
from app.messages import recovery as words
from app.services.abandoned import WithdrawReport


@dataclass(frozen=True)
class QueueRow:
    """A journal row as the supervisor queue and the CLI show it (person number masked)."""

    msgid: str
    infno: str
    state: JournalState
    bill_id: str
    group_key: str
    masked_person_no: str
    amount: Decimal | None
    created_at: datetime
    updated_at: datetime
    attempts: int
    last_error: str
    original_msgid: str = ""
    # Hospital mode: the row may already have been resolved at another window, so it waits — for
    # the hospital server to answer (``awaiting_window`` empty) or for the window holding its
    # resolution claim (``awaiting_window``) — instead of being reversed here.
    awaiting: bool = False
    awaiting_window: str = ""

    @classmethod
    def of(cls, entry: JournalEntry, awaiting: str | None = None) -> QueueRow:
        """From a journal entry; ``awaiting``: the row waits for the hospital server (``""``) or
        for the window named (``None``: it does not wait)."""
        return cls(
            msgid=entry.msgid,
            infno=entry.infno,
            state=entry.state,
            bill_id=entry.bill_id,
            group_key=entry.group_key,
            masked_person_no=mask_number(entry.person_no),
            amount=entry.amount,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            attempts=entry.attempts,
            last_error=entry.last_error,
            original_msgid=entry.original_msgid,
            awaiting=awaiting is not None,
            awaiting_window=awaiting or "",
        )


@dataclass(frozen=True)
class RecoverySummary:
    """What a recovery run did."""

    examined: int = 0
    reversed: int = 0
    void: int = 0
    cleaned: int = 0
    closed: int = 0
    escalated: tuple[QueueRow, ...] = ()
    pending: tuple[QueueRow, ...] = ()
    elsewhere: tuple[QueueRow, ...] = ()
    # Hospital mode: rows that may have been resolved at another window, left until the hospital
    # server answers (``awaiting_other_window`` of them: another window holds their claim).
    awaiting: tuple[QueueRow, ...] = ()
    awaiting_other_window: int = 0
    visits: WithdrawReport = field(default_factory=WithdrawReport)

    @property
    def clear(self) -> bool:
        """Nothing this process may act on is left unresolved (escalated rows count as unresolved;
        calls in flight in other live processes are theirs, and rows awaiting the hospital server
        cannot be acted on until it answers: see :attr:`awaiting`)."""
        return not self.escalated and not self.pending

    def text(self, language: str = CHINESE) -> str:
        """One sentence for the status bar or the console."""
        return self.message().render(language)

    def message(self) -> Message:
        """The sentence as a catalogue message."""
        quiet = not (self.elsewhere or self.escalated or self.visits.withdrawn or self.awaiting)
        if self.examined == 0 and quiet and not self.visits.left_open:
            return words.NOTHING()
        parts = [
            words.EXAMINED(count=self.examined),
            words.REVERSED(count=self.reversed),
            words.VOID(count=self.void),
            words.CLEANED(count=self.cleaned),
        ]
        if self.visits.withdrawn:
            parts.append(words.VISITS_WITHDRAWN(count=self.visits.withdrawn))
        if self.elsewhere:
            parts.append(words.ELSEWHERE(count=len(self.elsewhere)))
        if self.visits.elsewhere or self.visits.in_use:
            parts.append(words.VISITS_IN_USE(count=self.visits.elsewhere + self.visits.in_use))
        if self.visits.failed:
            parts.append(words.VISITS_FAILED(count=self.visits.failed))
        if self.escalated:
            parts.append(words.ESCALATED(count=len(self.escalated)))
        if self.pending:
            parts.append(words.PENDING(count=len(self.pending)))
        server = len(self.awaiting) - self.awaiting_other_window
        if server:
            parts.append(words.AWAITING_SERVER(count=server))
        if self.awaiting_other_window:
            parts.append(words.AWAITING_WINDOW(count=self.awaiting_other_window))
        return words.SUMMARY(parts=Listing(tuple(parts), chinese_separator="，"))
