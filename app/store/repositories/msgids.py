"""The persisted msgid counter (interface.md B §1.3, reliability.md R7).

``msgid`` = institution code (12) + local time ``yyyyMMddHHmmss`` (14) + sequence (4). The last issued
(second, sequence) is kept per institution. A new id uses the current second if it is later than the last
one, else continues the last second's sequence — so a clock set back never repeats an id — and rolls the
second forward when the sequence would pass 9999. The counter is written when the unit of work commits,
in the same transaction as the journal row that uses the id.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import event
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from app.store.models import MsgIdCounter

# China has one time zone and no daylight saving time: a fixed offset needs no tz database.
PLATFORM_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
_SECOND_FORMAT = "%Y%m%d%H%M%S"
MAX_SEQUENCE = 9999
INSTITUTION_CODE_LENGTH = 12


def _next_second(second: str) -> str:
    moment = datetime.strptime(second, _SECOND_FORMAT).replace(tzinfo=PLATFORM_TIME)
    return (moment + timedelta(seconds=1)).strftime(_SECOND_FORMAT)


class SqlMsgIdRepository:
    """:class:`~app.services.ports.store.MsgIdRepository` on ``msgid_counters``."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session``; the counter is written by ``before_commit``."""
        self._session = session
        self._state: dict[str, tuple[str, int]] = {}
        self._dirty: set[str] = set()
        self._listening = False

    def _listen(self) -> None:
        # Registered at the first use: most units of work never issue a msgid, and
        # registering session events costs more than the rest of the unit of work's set-up.
        if self._listening:
            return
        self._listening = True
        event.listen(self._session, "before_commit", self._write)
        event.listen(self._session, "after_commit", self._forget)
        event.listen(self._session, "after_rollback", self._forget)

    def next_msgid(self, institution_code: str, now: datetime) -> str:
        """The next unused msgid for ``institution_code`` at ``now`` (aware)."""
        if len(institution_code) != INSTITUTION_CODE_LENGTH:
            raise ValueError("institution code must have 12 characters")
        self._listen()
        candidate = now.astimezone(PLATFORM_TIME).strftime(_SECOND_FORMAT)
        last_second, last_seq = self._load(institution_code)
        if candidate > last_second:
            second, seq = candidate, 1
        elif last_seq < MAX_SEQUENCE:
            second, seq = last_second, last_seq + 1
        else:
            second, seq = _next_second(last_second), 1
        self._state[institution_code] = (second, seq)
        self._dirty.add(institution_code)
        return f"{institution_code}{second}{seq:04d}"

    def _load(self, institution_code: str) -> tuple[str, int]:
        known = self._state.get(institution_code)
        if known is not None:
            return known
        row = self._session.get(MsgIdCounter, institution_code)
        state = ("0" * 14, 0) if row is None else (row.last_second, row.last_seq)
        self._state[institution_code] = state
        return state

    def _write(self, session: Session) -> None:
        for code in sorted(self._dirty):
            second, seq = self._state[code]
            statement = insert(MsgIdCounter).values(
                institution_code=code, last_second=second, last_seq=seq
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[MsgIdCounter.institution_code],
                    set_={"last_second": second, "last_seq": seq},
                )
            )
        self._dirty.clear()

    def _forget(self, _session: Session) -> None:
        # Once the transaction ends the database is the truth again (another unit of work may go next).
        self._state.clear()
        self._dirty.clear()
