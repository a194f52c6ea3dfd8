"""The journal of state-changing platform calls, with an append-only event history per move."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, update

from app.domain.journal import JournalEntry, JournalState, OwnershipLost, can_move, move
from app.store.bulk import DriverStatement, column_types
from app.store.tables import Connected, journal, journal_events

_UNRESOLVED = tuple(state for state in JournalState if not state.is_resolved)


class UnknownMsgId(LookupError):
    """A bug: a move was asked for a msgid the journal does not have."""


class SqlJournalRepository:
    """:class:`~app.services.ports.store.JournalRepository` on the ``journal`` table.

    Rows are read and written with Core statements only, so no ORM object can hold a state that a
    later write in the same unit of work has changed.
    """

    def __init__(self, session: Connected) -> None:
        """Work inside ``session`` (the unit of work's transaction)."""
        self._session = session

    def add(self, entry: JournalEntry) -> None:
        """Insert a new row and its first event; a duplicate msgid raises at once (IntegrityError)."""
        connection = self._session.connection()
        _INSERT_JOURNAL.execute(connection, _row_values(entry))
        _INSERT_EVENTS.execute(
            connection,
            (entry.msgid, entry.created_at, None, entry.state, entry.attempts, entry.last_error),
        )

    def advance(
        self,
        msgid: str,
        moves: Sequence[tuple[JournalState, datetime]],
        *,
        error: str = "",
        visit_id: str = "",
        settlement_id: str = "",
        owner: str = "",
    ) -> None:
        """Several moves with one read and two writes (the hot path of every platform call).

        With ``owner``, the row must still belong to that lease (else :class:`OwnershipLost`).
        """
        self._apply(
            msgid, moves, error=error, visit_id=visit_id, settlement_id=settlement_id, owner=owner
        )

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
        self._apply(
            msgid,
            [(state, now)],
            error=error,
            visit_id=visit_id,
            settlement_id=settlement_id,
            count_attempt=count_attempt,
        )
        moved = self.get(msgid)
        if moved is None:  # pragma: no cover - _apply has just found the row
            raise UnknownMsgId(msgid)
        return moved

    def get(self, msgid: str) -> JournalEntry | None:
        """The row for ``msgid``."""
        entries = self._entries(select(_JOURNAL).where(_JOURNAL.c.msgid == msgid))
        return entries[0] if entries else None

    def unresolved(self) -> Sequence[JournalEntry]:
        """Rows whose outcome is not definite, oldest first."""
        return self._entries(
            select(_JOURNAL)
            .where(_JOURNAL.c.state.in_(_UNRESOLVED))
            .order_by(_JOURNAL.c.created_at, _JOURNAL.c.id)
        )

    def for_bill(self, bill_id: str) -> Sequence[JournalEntry]:
        """Every row of a bill, oldest first."""
        return self._entries(
            select(_JOURNAL)
            .where(_JOURNAL.c.bill_id == bill_id)
            .order_by(_JOURNAL.c.created_at, _JOURNAL.c.id)
        )

    def between(self, start: datetime, end: datetime) -> Sequence[JournalEntry]:
        """Rows created in ``[start, end)``, oldest first."""
        return self._entries(
            select(_JOURNAL)
            .where(_JOURNAL.c.created_at >= start, _JOURNAL.c.created_at < end)
            .order_by(_JOURNAL.c.created_at, _JOURNAL.c.id)
        )

    def take_over(self, from_owner: str, to_owner: str) -> int:
        """Every row of ``from_owner`` (a provably dead lease) now belongs to ``to_owner``."""
        result = self._session.connection().execute(
            update(_JOURNAL).where(_JOURNAL.c.owner == from_owner).values(owner=to_owner)
        )
        return int(result.rowcount or 0)

    def assign(self, msgid: str, owner: str) -> None:
        """One row now belongs to ``owner`` (a supervisor's process taking an escalated row)."""
        self._session.connection().execute(
            update(_JOURNAL).where(_JOURNAL.c.msgid == msgid).values(owner=owner)
        )

    def open_visits(self, since: datetime) -> Sequence[JournalEntry]:
        """The 2201 rows since ``since`` answered OK whose registration is still open, as far as the
        journal knows.

        Open: no 2202 answered OK for the visit, no settlement in force (a 2207 answered OK and not
        cancelled by a 2208 answered OK), and no unresolved row on the visit (those are recovery's).
        Each candidate is checked through the ``visit_id`` index, so the cost follows the number of
        registrations since ``since``, not the size of the journal.
        """
        other = _JOURNAL.alias("other")

        def on_visit(*conditions: Any) -> Any:
            return (
                select(other.c.id)
                .where(other.c.visit_id == _JOURNAL.c.visit_id, *conditions)
                .exists()
            )

        j = _JOURNAL.c
        return self._entries(
            select(_JOURNAL)
            .where(
                j.created_at >= since,
                j.infno == "2201",
                _state_in(j.state, JournalState.OK),
                j.visit_id != "",
                ~on_visit(other.c.infno == "2202", _state_in(other.c.state, JournalState.OK)),
                ~on_visit(_state_in(other.c.state, *_UNRESOLVED)),
                or_(
                    ~on_visit(other.c.infno == "2207", _state_in(other.c.state, JournalState.OK)),
                    on_visit(other.c.infno == "2208", _state_in(other.c.state, JournalState.OK)),
                ),
            )
            .order_by(j.created_at, j.id)
        )

    def visit_owner(self, visit_id: str) -> str:
        """The owner of the latest row on a visit (the process working on it last)."""
        owner = (
            self._session.connection()
            .execute(
                select(_JOURNAL.c.owner)
                .where(_JOURNAL.c.visit_id == visit_id)
                .order_by(_JOURNAL.c.id.desc())
                .limit(1)
            )
            .scalar()
        )
        return str(owner or "")

    def history(self, msgid: str) -> Sequence[tuple[datetime, JournalState | None, JournalState]]:
        """The recorded moves of one row: (when, from, to), first to last."""
        query = (
            select(_EVENTS.c.at, _EVENTS.c.from_state, _EVENTS.c.to_state)
            .where(_EVENTS.c.msgid == msgid)
            .order_by(_EVENTS.c.id)
        )
        return [(e.at, e.from_state, e.to_state) for e in self._session.connection().execute(query)]

    def _entries(self, query: Select[Any]) -> list[JournalEntry]:
        rows = self._session.connection().execute(query)
        return [
            JournalEntry(**{name: getattr(row, name) for name in _ENTRY_FIELDS}) for row in rows
        ]

    def _apply(
        self,
        msgid: str,
        moves: Sequence[tuple[JournalState, datetime]],
        *,
        error: str,
        visit_id: str,
        settlement_id: str,
        count_attempt: bool = False,
        owner: str = "",
    ) -> None:
        """Check the moves against the state machine, then one ``UPDATE … RETURNING`` and one insert
        of events.

        When exactly one state can start ``moves`` (``SENT`` then ``OK``/``FAILED``/``UNKNOWN``: only
        from ``PREPARED``), the row is moved by an ``UPDATE`` that matches that state (and the owner)
        and returns the attempts: no ``SELECT`` first. If it matches no row, the row is read to say
        why (unknown msgid, ownership lost, illegal move), exactly as the general path does.
        """
        connection = self._session.connection()
        states = tuple(state for state, _ in moves)
        source = _single_source(states)
        changes: dict[str, object] = {"state": states[-1], "updated_at": moves[-1][1]}
        for name, value in (
            ("last_error", error), ("visit_id", visit_id), ("settlement_id", settlement_id)
        ):  # fmt: skip
            if value:
                changes[name] = value
        if source is not None:
            returned = _moved_from(tuple(changes), bool(owner), count_attempt).first(
                connection,
                (*changes.values(), msgid, source, *((owner,) if owner else ())),
            )
            if returned is not None:
                _INSERT_EVENTS.executemany(
                    connection, _events(msgid, source, moves, returned[0], error)
                )
                return
        found = connection.execute(_READ_STATE, {"m_msgid": msgid}).first()
        if found is None:
            raise UnknownMsgId(msgid)
        if owner and found.owner != owner:
            raise OwnershipLost.of(msgid, found.owner)
        attempts = found.attempts + (1 if count_attempt else 0)
        previous: JournalState = found.state
        for state in states:
            previous = move(previous, state)
        changes["attempts"] = attempts
        connection.execute(update(_JOURNAL).where(_JOURNAL.c.msgid == msgid).values(changes))
        _INSERT_EVENTS.executemany(connection, _events(msgid, found.state, moves, attempts, error))


_JOURNAL = journal
_EVENTS = journal_events
_ENTRY_FIELDS = tuple(field.name for field in fields(JournalEntry))
# Sent straight to the driver through the column types (app.store.bulk): the hot path of every call.
_INSERT_JOURNAL = DriverStatement.insert(_JOURNAL, _ENTRY_FIELDS)
_EVENT_COLUMNS = ("msgid", "at", "from_state", "to_state", "attempts", "error")
_INSERT_EVENTS = DriverStatement.insert(_EVENTS, _EVENT_COLUMNS)
_READ_STATE = select(_JOURNAL.c.state, _JOURNAL.c.attempts, _JOURNAL.c.owner).where(
    _JOURNAL.c.msgid == bindparam("m_msgid")
)


@functools.cache
def _single_source(states: tuple[JournalState, ...]) -> JournalState | None:
    """The one state from which every move of ``states`` is legal, if there is exactly one."""
    sources = []
    for start in JournalState:
        current = start
        for state in states:
            if not can_move(current, state):
                break
            current = state
        else:
            sources.append(start)
    return sources[0] if len(sources) == 1 else None


@functools.cache
def _moved_from(columns: tuple[str, ...], with_owner: bool, count_attempt: bool) -> DriverStatement:
    """``UPDATE journal SET <columns> WHERE msgid = ? AND state = ? [AND owner = ?] RETURNING
    attempts`` (built once per shape); parameters: the new values in ``columns`` order, then msgid,
    the state moved from and the owner."""
    conditions = ("msgid", "state", *(("owner",) if with_owner else ()))

    def build(quote: Callable[[str], str]) -> str:
        sets = [f"{quote(name)} = ?" for name in columns]
        if count_attempt:
            sets.append(f"{quote('attempts')} = {quote('attempts')} + 1")
        where = " AND ".join(f"{quote(name)} = ?" for name in conditions)
        return (
            f"UPDATE {quote(_JOURNAL.name)} SET {', '.join(sets)} "  # noqa: S608
            f"WHERE {where} RETURNING {quote('attempts')}"
        )

    return DriverStatement(build, column_types(_JOURNAL, (*columns, *conditions)))


def _events(
    msgid: str,
    source: JournalState,
    moves: Sequence[tuple[JournalState, datetime]],
    attempts: int,
    error: str,
) -> list[tuple[object, ...]]:
    """One event per move, from ``source`` (in :data:`_EVENT_COLUMNS` order); the error goes with
    the last."""
    events: list[tuple[object, ...]] = []
    previous = source
    for number, (state, at) in enumerate(moves, start=1):
        events.append((msgid, at, previous, state, attempts, error if number == len(moves) else ""))
        previous = state
    return events


def _state_in(column: Any, *states: JournalState) -> Any:
    """A state test the query planner cannot answer from the ``state`` index: that index is
    "selective" only in theory (most rows are OK), so the ``created_at`` and ``visit_id`` indexes
    must drive the open-visit query. States are stored by name."""
    return func.coalesce(column, "").in_([state.name for state in states])


def _row_values(entry: JournalEntry) -> tuple[object, ...]:
    # The journal table's columns are the entry's fields, name for name (in _ENTRY_FIELDS order).
    return tuple(getattr(entry, name) for name in _ENTRY_FIELDS)
