"""Journal first, send once: the one way every state-changing platform call is made (reliability.md §2.2).

:meth:`JournaledCaller.call` allocates the msgid and commits a ``PREPARED`` row in its own transaction
*before* the gateway is called; if that commit fails, nothing is sent. After the call it records the
outcome — ``OK``, ``FAILED`` (a definite refusal, or provably not sent) or ``UNKNOWN`` (sent, no valid
answer) — in a second transaction, together with whatever the caller stores on success, so a settlement
and its journal row commit atomically. There are no retries here: an unknown outcome is resolved by
recovery (2601 or clean-up), never by sending the same intent again.

A chain of calls that always follow each other (2201 → 2203 → 2204) may journal the next call's
``PREPARED`` row in the same transaction as this call's outcome (``then``), one ``fsync``ed commit
instead of two: the next row is still committed before its call is sent, and a crash between the two
leaves a ``PREPARED`` row that recovery resolves like any other. A row journaled ahead whose call is
then not made is closed as ``FAILED`` (never sent) by :meth:`JournaledCaller.abandon`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

from app.domain.journal import JournalEntry, JournalState
from app.domain.masking import mask_number
from app.errors import (
    AppError,
    OutcomeUnknown,
    PlatformError,
    PlatformFailure,
    PlatformRejected,
    PlatformUnavailable,
    StoreError,
)
from app.messages import journal as journal_words
from app.messages import recovery as words
from app.services.crashpoints import crash_point
from app.services.msgid_blocks import MsgidBlocks
from app.services.ports.clock import Clock
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class CallIntent:
    """What a journaled call is about; becomes the ``PREPARED`` row."""

    infno: str
    bill_id: str
    group_key: str
    person_no: str
    insured_admdvs: str
    operator_code: str
    visit_id: str = ""
    batch_no: str = ""
    original_msgid: str = ""
    original_infno: str = ""
    amount: Decimal | None = None


@dataclass(frozen=True)
class CallOutcome(Generic[T]):
    """The result of one journaled call: exactly one of ``value`` / ``error`` is meaningful."""

    msgid: str
    state: JournalState
    value: T | None = None
    error: PlatformError | None = None
    # The next call's PREPARED row, journaled with this outcome (``then``); send it with ``prepared``.
    next: JournalEntry | None = None

    @property
    def ok(self) -> bool:
        """The platform answered yes."""
        return self.state is JournalState.OK


OnSuccess = Callable[[UnitOfWork, str, T], None]


def _no_msgid_slot(infno: str) -> StoreError:
    # Hospital mode without a msgid slot: this window's msgids could equal another window's, so
    # nothing that changes money on the platform may be sent (issue 13).
    return StoreError(
        journal_words.NO_MSGID_SLOT(),
        code="msgid_slot_missing",
        detail={"infno": infno},
    )


class JournaledCaller:
    """Makes state-changing gateway calls with the journal written around them."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        institution_code: str,
        owner: str = "",
        *,
        read_msgids: MsgidBlocks | None = None,
    ):
        """Bind to a store, a clock, the institution code used in msgids and this process's lease id
        (``owner``, written on every row: nobody else touches the row while this process lives).

        ``read_msgids``: the read-only calls' msgid blocks, topped up in the ``PREPARED``
        transactions (no commit of their own while calls keep coming).
        """
        self._read_msgids = read_msgids
        self._uow_factory = uow_factory
        self._clock = clock
        self._institution = institution_code
        self._owner = owner
        # Msgids between their PREPARED commit and their recorded outcome in this process: what
        # recovery in this same process must leave alone (issue #16). Added before the commit, so
        # a row is never visible without being listed.
        self._flying: set[str] = set()
        self._flying_lock = threading.Lock()

    def in_flight(self, msgid: str) -> bool:
        """Whether this process is sending ``msgid`` or recording its answer right now."""
        with self._flying_lock:
            return msgid in self._flying

    @property
    def owner(self) -> str:
        """The lease id written as the owner of every row this caller creates."""
        return self._owner

    def prepare(
        self, intent: CallIntent, with_intent: Callable[[UnitOfWork], None] | None = None
    ) -> JournalEntry:
        """Allocate a msgid and commit a ``PREPARED`` row for ``intent``; nothing is sent yet.

        ``with_intent`` stores business state in the same transaction (a 2207's preview, answered
        just before by a call that changes nothing on the platform): committed with the row, or
        not at all.

        Raises:
            StoreError: the row could not be committed (then the call must not be made).
        """
        msgid = ""
        topped_up: Callable[[], None] | None = None
        try:
            with self._uow_factory() as uow:
                if uow.msgids.window_slot_missing():
                    raise _no_msgid_slot(intent.infno)
                entry = self._journal_intent(uow, intent)
                msgid = entry.msgid
                if with_intent is not None:
                    with_intent(uow)
                if self._read_msgids is not None:
                    topped_up = self._read_msgids.top_up(uow)
                uow.commit()
        except AppError:
            self._land(msgid)
            raise
        except Exception as exc:
            self._land(msgid)
            # The intent could not be written: the write-ahead rule forbids sending (reliability R6).
            log.exception("journal write failed before %s; nothing was sent", intent.infno)
            raise StoreError(
                journal_words.WRITE_FAILED(),
                code="journal_write_failed",
            ) from exc
        if topped_up is not None:
            topped_up()  # committed with the row: usable now
        crash_point(f"prepared:{intent.infno}")
        return entry

    def _journal_intent(self, uow: UnitOfWork, intent: CallIntent) -> JournalEntry:
        """Add ``intent``'s ``PREPARED`` row to ``uow`` and list its msgid as in flight (before the
        commit, so a row is never visible without being listed)."""
        now = self._clock.now()
        msgid = uow.msgids.next_msgid(self._institution, now)
        entry = JournalEntry(
            msgid=msgid,
            infno=intent.infno,
            state=JournalState.PREPARED,
            bill_id=intent.bill_id,
            group_key=intent.group_key,
            person_no=intent.person_no,
            insured_admdvs=intent.insured_admdvs,
            operator_code=intent.operator_code,
            created_at=now,
            updated_at=now,
            visit_id=intent.visit_id,
            batch_no=intent.batch_no,
            original_msgid=intent.original_msgid,
            original_infno=intent.original_infno,
            amount=intent.amount,
            owner=self._owner,
            writer=self._owner,
        )
        uow.journal.add(entry)
        crash_point("msgid_allocated")
        with self._flying_lock:
            self._flying.add(msgid)
        return entry

    def journal_ahead(self, uow: UnitOfWork, intent: CallIntent) -> JournalEntry | None:
        """Journal ``intent``'s ``PREPARED`` row in the caller's transaction, which commits it with
        what it stores before the call is made (then sent with ``call(prepared=…)``, or closed with
        :meth:`abandon`); ``None`` when this window has no msgid slot (the call then journals
        itself and is refused). If that transaction does not commit, :meth:`forget` the row."""
        if uow.msgids.window_slot_missing():
            return None
        return self._journal_intent(uow, intent)

    def forget(self, entry: JournalEntry) -> None:
        """A row from :meth:`journal_ahead` whose transaction rolled back (it never existed)."""
        self._land(entry.msgid)

    def abandon(self, entry: JournalEntry) -> None:
        """A row journaled ahead (``then``) whose call is not going to be made: closed as ``FAILED``
        (provably never sent). If that cannot be written the row stays for recovery."""
        try:
            with self._uow_factory() as uow:
                uow.journal.advance(
                    entry.msgid,
                    [(JournalState.FAILED, self._clock.now())],
                    error=str(words.NOTE_NOT_SENT()),
                    owner=self._owner,
                )
                uow.commit()
        except Exception:
            log.exception("could not close unsent %s %s; recovery will", entry.infno, entry.msgid)
        finally:
            self._land(entry.msgid)

    def call(
        self,
        intent: CallIntent,
        send: Callable[[str], T],
        on_success: OnSuccess[T] | None = None,
        *,
        on_failure: Callable[[UnitOfWork, str, PlatformError], None] | None = None,
        then: Callable[[T], CallIntent] | None = None,
        prepared: JournalEntry | None = None,
    ) -> CallOutcome[T]:
        """Journal, send once, journal the outcome.

        Args:
            intent: what the call is about.
            send: performs the gateway call with the given msgid.
            on_success: stores the business result in the same transaction as the ``OK`` row.
            on_failure: stores business state in the same transaction as a ``FAILED``/``UNKNOWN`` row.
            then: on success, the intent of the call that follows at once; its ``PREPARED`` row is
                journaled in the same transaction as this ``OK`` row and returned as
                ``outcome.next`` (the caller sends it, or :meth:`abandon`s it).
            prepared: ``intent``'s ``PREPARED`` row, journaled ahead with the previous call's
                outcome (that outcome's ``next``); ``None``: journal it now.

        Returns:
            The outcome; platform errors are returned, not raised, so callers decide per group.
        """
        if prepared is not None and prepared.infno != intent.infno:
            raise ValueError(f"row journaled ahead is {prepared.infno}, not {intent.infno}")
        entry = prepared if prepared is not None else self.prepare(intent)
        try:
            return self.send_prepared(entry, send, on_success, on_failure=on_failure, then=then)
        finally:
            self._land(entry.msgid)  # answered and recorded, or left for recovery (no longer sent)

    def _land(self, msgid: str) -> None:
        with self._flying_lock:
            self._flying.discard(msgid)

    def send_prepared(
        self,
        entry: JournalEntry,
        send: Callable[[str], T],
        on_success: OnSuccess[T] | None = None,
        *,
        on_failure: Callable[[UnitOfWork, str, PlatformError], None] | None = None,
        then: Callable[[T], CallIntent] | None = None,
    ) -> CallOutcome[T]:
        """Send an already journaled ``PREPARED`` row's call and journal the outcome."""
        sent_at = self._clock.now()
        try:
            value = send(entry.msgid)
        except PlatformUnavailable as exc:
            crash_point(f"response:{entry.infno}")
            self._record_failure(entry, sent_at, JournalState.FAILED, exc, on_failure)
            return CallOutcome(entry.msgid, JournalState.FAILED, error=exc)
        except PlatformRejected as exc:
            crash_point(f"response:{entry.infno}")
            self._record_failure(entry, sent_at, JournalState.FAILED, exc, on_failure)
            return CallOutcome(entry.msgid, JournalState.FAILED, error=exc)
        except OutcomeUnknown as exc:
            crash_point(f"response:{entry.infno}")
            self._record_failure(entry, sent_at, JournalState.UNKNOWN, exc, on_failure)
            return CallOutcome(entry.msgid, JournalState.UNKNOWN, error=exc)
        crash_point(f"response:{entry.infno}")
        following = self._record_success(entry, sent_at, value, on_success, then)
        return CallOutcome(entry.msgid, JournalState.OK, value=value, next=following)

    def _record_success(
        self,
        entry: JournalEntry,
        sent_at: datetime,
        value: T,
        on_success: OnSuccess[T] | None,
        then: Callable[[T], CallIntent] | None = None,
    ) -> JournalEntry | None:
        settlement_id = _settlement_id_of(value)
        visit_id = value if entry.infno == "2201" and isinstance(value, str) else ""
        following = self._next_intent(entry, value, then)
        ahead: JournalEntry | None = None
        with self._uow_factory() as uow:
            uow.journal.advance(
                entry.msgid,
                [(JournalState.SENT, sent_at), (JournalState.OK, self._clock.now())],
                visit_id=visit_id,
                settlement_id=settlement_id,
                owner=self._owner,
            )
            if on_success is not None:
                on_success(uow, entry.msgid, value)
            _note_unread_details(uow, entry, value, self._clock.now())
            try:
                if following is not None and not uow.msgids.window_slot_missing():
                    ahead = self._journal_intent(uow, following)
                crash_point(f"outcome:{entry.infno}")
                uow.commit()
            except BaseException:
                if ahead is not None:
                    self._land(ahead.msgid)  # rolled back with the outcome: never visible
                raise
        log.info("%s %s ok", entry.infno, entry.msgid)
        if ahead is not None:
            crash_point(f"prepared:{ahead.infno}")
        return ahead

    def _next_intent(
        self, entry: JournalEntry, value: T, then: Callable[[T], CallIntent] | None
    ) -> CallIntent | None:
        """The following call's intent; a failure to build it never costs this call's outcome (the
        following call is then journaled on its own, as without ``then``)."""
        if then is None:
            return None
        try:
            return then(value)
        except Exception:
            log.exception("intent after %s %s not built ahead", entry.infno, entry.msgid)
            return None

    def _record_failure(
        self,
        entry: JournalEntry,
        sent_at: datetime,
        state: JournalState,
        exc: PlatformError,
        on_failure: Callable[[UnitOfWork, str, PlatformError], None] | None,
    ) -> None:
        text = failure_text(exc)
        moves = [(state, self._clock.now())]
        if not isinstance(exc, PlatformUnavailable):
            moves.insert(0, (JournalState.SENT, sent_at))
        with self._uow_factory() as uow:
            uow.journal.advance(entry.msgid, moves, error=text, owner=self._owner)
            if on_failure is not None:
                on_failure(uow, entry.msgid, exc)
            uow.commit()
        log.info(
            "%s %s %s (%s) person %s",
            entry.infno,
            entry.msgid,
            state,
            exc.code,
            mask_number(entry.person_no),
        )


UNREAD_DETAILS_EVENT = "answer_details_unread"


def _note_unread_details(uow: UnitOfWork, entry: JournalEntry, value: object, at: datetime) -> None:
    """A settlement the platform made whose answer had unreadable details: flagged for the day close.

    The settlement stands (its totals balance, interface.md A §10); the audit row says which details
    could not be read (field names only) so the day close can list it for a look.
    """
    unread = getattr(getattr(value, "totals", None), "unread", ())
    if not unread:
        return
    uow.audit.append(
        at, entry.operator_code, UNREAD_DETAILS_EVENT, "recorded",
        f"{entry.infno}: {'; '.join(unread)}"[:500],
        bill_id=entry.bill_id, msgid=entry.msgid,
    )  # fmt: skip


def _settlement_id_of(value: object) -> str:
    settlement_id = getattr(value, "settlement_id", "")
    return settlement_id if isinstance(settlement_id, str) else ""


def failure_text(exc: AppError) -> str:
    """Our Chinese text with the platform's words as a quoted detail (never the bare platform text)."""
    failure: PlatformFailure | None = getattr(exc, "failure", None)
    if failure is not None and failure.platform_text:
        return str(
            journal_words.WITH_PLATFORM_TEXT(
                text=exc.words, platform_text=failure.platform_text[:200]
            )
        )
    return exc.text
