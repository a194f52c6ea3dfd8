"""The journal of state-changing platform calls, with an append-only event history per move."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.domain.journal import JournalEntry, JournalState, move
from app.store.models import JournalEvent, JournalRow

_UNRESOLVED = tuple(state for state in JournalState if not state.is_resolved)


class UnknownMsgId(LookupError):
    """A bug: a move was asked for a msgid the journal does not have."""


class SqlJournalRepository:
    """:class:`~app.services.ports.store.JournalRepository` on the ``journal`` table."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session`` (the unit of work's transaction)."""
        self._session = session
        # Rows loaded by ``move`` in this unit of work (recovery moves one row several times).
        self._rows: dict[str, JournalRow] = {}

    def add(self, entry: JournalEntry) -> None:
        """Insert a new row and its first event; a duplicate msgid raises at once (IntegrityError)."""
        connection = self._session.connection()
        connection.execute(insert(JournalRow), _row_values(entry))
        connection.execute(
            insert(JournalEvent),
            _event_values(
                entry.msgid,
                previous=None,
                state=entry.state,
                at=entry.created_at,
                attempts=entry.attempts,
                error=entry.last_error,
            ),
        )

    def advance(
        self,
        msgid: str,
        moves: Sequence[tuple[JournalState, datetime]],
        *,
        error: str = "",
        visit_id: str = "",
        settlement_id: str = "",
    ) -> None:
        """Several moves with one read and two writes (the hot path of every platform call)."""
        self._forget(msgid)
        connection = self._session.connection()
        found = connection.execute(
            select(JournalRow.state, JournalRow.attempts).where(JournalRow.msgid == msgid)
        ).first()
        if found is None:
            raise UnknownMsgId(msgid)
        previous: JournalState = found.state
        events = []
        for number, (state, at) in enumerate(moves, start=1):
            last = number == len(moves)
            move(previous, state)
            events.append(
                _event_values(
                    msgid,
                    previous=previous,
                    state=state,
                    at=at,
                    attempts=found.attempts,
                    error=error if last else "",
                )
            )
            previous = state
        changes: dict[str, object] = {"state": previous, "updated_at": moves[-1][1]}
        for name, value in (
            ("last_error", error), ("visit_id", visit_id), ("settlement_id", settlement_id)
        ):  # fmt: skip
            if value:
                changes[name] = value
        connection.execute(update(JournalRow).where(JournalRow.msgid == msgid).values(changes))
        connection.execute(insert(JournalEvent), events)

    def move(
        self,
        msgid: str,
        state: JournalState,
        now: datetime,
        *,
        error: str = "",
        visit_id: str = "",
        settlement_id: str = "",
        count_attempt: bool = False,
    ) -> JournalEntry:
        """Move along the state machine (illegal edges raise ``IllegalTransition``); record the event."""
        row = self._row(msgid)
        if row is None:
            raise UnknownMsgId(msgid)
        previous = row.state
        row.state = move(previous, state)
        row.updated_at = now
        if error:
            row.last_error = error
        if visit_id:
            row.visit_id = visit_id
        if settlement_id:
            row.settlement_id = settlement_id
        if count_attempt:
            row.attempts += 1
        self._event(
            msgid, previous=previous, state=state, at=now, attempts=row.attempts, error=error
        )
        self._session.flush()
        return _entry(row)

    def get(self, msgid: str) -> JournalEntry | None:
        """The row for ``msgid``."""
        row = self._row(msgid)
        return None if row is None else _entry(row)

    def unresolved(self) -> Sequence[JournalEntry]:
        """Rows whose outcome is not definite, oldest first."""
        query = (
            select(JournalRow)
            .where(JournalRow.state.in_(_UNRESOLVED))
            .order_by(JournalRow.created_at, JournalRow.id)
        )
        return [_entry(row) for row in self._session.scalars(query)]

    def for_bill(self, bill_id: str) -> Sequence[JournalEntry]:
        """Every row of a bill, oldest first."""
        query = (
            select(JournalRow)
            .where(JournalRow.bill_id == bill_id)
            .order_by(JournalRow.created_at, JournalRow.id)
        )
        return [_entry(row) for row in self._session.scalars(query)]

    def between(self, start: datetime, end: datetime) -> Sequence[JournalEntry]:
        """Rows created in ``[start, end)``, oldest first."""
        query = (
            select(JournalRow)
            .where(JournalRow.created_at >= start, JournalRow.created_at < end)
            .order_by(JournalRow.created_at, JournalRow.id)
        )
        return [_entry(row) for row in self._session.scalars(query)]

    def history(self, msgid: str) -> Sequence[tuple[datetime, JournalState | None, JournalState]]:
        """The recorded moves of one row: (when, from, to), first to last."""
        query = select(JournalEvent).where(JournalEvent.msgid == msgid).order_by(JournalEvent.id)
        return [(e.at, e.from_state, e.to_state) for e in self._session.scalars(query)]

    def _row(self, msgid: str) -> JournalRow | None:
        row = self._rows.get(msgid)
        if row is None:
            query = select(JournalRow).where(JournalRow.msgid == msgid)
            row = self._session.scalars(query).first()
            if row is not None:
                self._rows[msgid] = row
        return row

    def _forget(self, msgid: str) -> None:
        # A row loaded by ``move`` earlier in this unit of work must not keep its old state.
        row = self._rows.pop(msgid, None)
        if row is not None:
            self._session.expire(row)

    def _event(
        self,
        msgid: str,
        *,
        previous: JournalState | None,
        state: JournalState,
        at: datetime,
        attempts: int,
        error: str,
    ) -> None:
        self._session.add(
            JournalEvent(
                msgid=msgid,
                at=at,
                from_state=previous,
                to_state=state,
                attempts=attempts,
                error=error,
            )
        )


def _row_values(entry: JournalEntry) -> dict[str, object]:
    # The journal table's columns are the entry's fields, name for name.
    return {name: getattr(entry, name) for name in _ENTRY_FIELDS}


def _event_values(
    msgid: str,
    *,
    previous: JournalState | None,
    state: JournalState,
    at: datetime,
    attempts: int,
    error: str,
) -> dict[str, object]:
    return {
        "msgid": msgid,
        "at": at,
        "from_state": previous,
        "to_state": state,
        "attempts": attempts,
        "error": error,
    }


def _entry(row: JournalRow) -> JournalEntry:
    return JournalEntry(**{name: getattr(row, name) for name in _ENTRY_FIELDS})


_ENTRY_FIELDS = tuple(field.name for field in fields(JournalEntry))
