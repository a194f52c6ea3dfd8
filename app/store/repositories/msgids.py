"""The persisted msgid counter (interface.md B §1.3, reliability.md R7).

``msgid`` = institution code (12) + local time ``yyyyMMddHHmmss`` (14) + sequence (4). The last issued
(second, sequence) is kept per institution. A new id uses the current second if it is later than the last
one, else continues the last second's sequence — so a clock set back never repeats an id — and rolls the
second forward when the sequence would pass 9999. In hospital mode the windows of one institution share
its msgid space: each window keeps to its own slot of 100 sequences (``store_meta.msgid_slot``), so two
windows never issue the same msgid even in the same second. The counter is written when the unit of work commits,
in the same transaction as the journal row that uses the id.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import event, text
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from app.store.models import MsgIdCounter

# China has one time zone and no daylight saving time: a fixed offset needs no tz database.
PLATFORM_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
_SECOND_FORMAT = "%Y%m%d%H%M%S"
MAX_SEQUENCE = 9999
SLOT_SIZE = 100
_SLOT_KEY = "msgid_slot"
# Hospital mode marks the store: without a slot, no state-changing platform call may be journaled.
_SLOT_REQUIRED_KEY = "msgid_slot_required"
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
        first, last = self._sequence_range()
        if candidate > last_second:
            second, seq = candidate, first
        elif last_seq < last:
            second, seq = last_second, max(last_seq + 1, first)
        else:
            second, seq = _next_second(last_second), first
        self._state[institution_code] = (second, seq)
        self._dirty.add(institution_code)
        return f"{institution_code}{second}{seq:04d}"

    def use_window_slot(self, slot: int | None) -> None:
        """Keep to sequences ``slot*100 .. slot*100+99`` from now on (``None``: the whole range)."""
        if slot is None:
            self._session.execute(text("DELETE FROM store_meta WHERE key = :k"), {"k": _SLOT_KEY})
            return
        if not 0 <= slot < MAX_SEQUENCE // SLOT_SIZE + 1:
            raise ValueError("msgid slot must be 0-99")
        self._session.execute(
            text("INSERT OR REPLACE INTO store_meta (key, value) VALUES (:k, :v)"),
            {"k": _SLOT_KEY, "v": str(slot)},
        )

    def window_slot(self) -> int | None:
        """The slot this window keeps to, or ``None`` (the whole range)."""
        value = self._meta(_SLOT_KEY)
        return None if value is None else int(value)

    def require_window_slot(self) -> None:
        """Hospital mode: from now on a window without a slot must not issue journaled msgids."""
        self._session.execute(
            text("INSERT OR REPLACE INTO store_meta (key, value) VALUES (:k, '1')"),
            {"k": _SLOT_REQUIRED_KEY},
        )

    def window_slot_missing(self) -> bool:
        """Whether a slot is required (hospital mode) but this window has none yet."""
        return self._meta(_SLOT_REQUIRED_KEY) is not None and self._meta(_SLOT_KEY) is None

    def _meta(self, key: str) -> str | None:
        value = self._session.execute(
            text("SELECT value FROM store_meta WHERE key = :k"), {"k": key}
        ).scalar()
        return None if value is None else str(value)

    def _sequence_range(self) -> tuple[int, int]:
        slot = self.window_slot()
        if slot is None:
            return 1, MAX_SEQUENCE
        return max(slot * SLOT_SIZE, 1), slot * SLOT_SIZE + SLOT_SIZE - 1

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
