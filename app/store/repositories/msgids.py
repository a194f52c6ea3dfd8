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

from app.store.bulk import fixed_sql
from app.store.tables import Connected

# China has one time zone and no daylight saving time: a fixed offset needs no tz database.
PLATFORM_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
_SECOND_FORMAT = "%Y%m%d%H%M%S"
MAX_SEQUENCE = 9999
SLOT_SIZE = 100
_SLOT_KEY = "msgid_slot"
# Hospital mode marks the store: without a slot, no state-changing platform call may be journaled.
_SLOT_REQUIRED_KEY = "msgid_slot_required"
INSTITUTION_CODE_LENGTH = 12

# The hot path (every journaled call) reads the counter once and the slot settings once per unit of
# work, and writes the counter once at commit, as plain SQL (no ORM object, no session events).
# Both slot settings and every institution's counter (one row per institution: one, normally) in
# one statement: what a journaled call needs before it is issued a msgid.
_READ_STATE = fixed_sql(
    "SELECT 'meta', key, value, 0 FROM store_meta WHERE key IN (?, ?) "
    "UNION ALL SELECT 'counter', institution_code, last_second, last_seq FROM msgid_counters",
    2,
)
_WRITE_COUNTER = fixed_sql(
    "INSERT INTO msgid_counters (institution_code, last_second, last_seq) VALUES (?, ?, ?) "
    "ON CONFLICT (institution_code) DO UPDATE SET "
    "last_second = excluded.last_second, last_seq = excluded.last_seq",
    3,
)


def _next_second(second: str) -> str:
    moment = datetime.strptime(second, _SECOND_FORMAT).replace(tzinfo=PLATFORM_TIME)
    return (moment + timedelta(seconds=1)).strftime(_SECOND_FORMAT)


class SqlMsgIdRepository:
    """:class:`~app.services.ports.store.MsgIdRepository` on ``msgid_counters``.

    The counters issued in a unit of work are written by :meth:`flush`, which the unit of work calls
    just before it commits: in the same transaction as the journal rows that use the ids.
    """

    def __init__(self, session: Connected) -> None:
        """Work inside ``session``; the unit of work calls :meth:`flush` before committing."""
        self._session = session
        self._state: dict[str, tuple[str, int]] = {}
        self._dirty: set[str] = set()
        self._meta_cache: dict[str, str] | None = None

    def next_msgid(self, institution_code: str, now: datetime) -> str:
        """The next unused msgid for ``institution_code`` at ``now`` (aware)."""
        if len(institution_code) != INSTITUTION_CODE_LENGTH:
            raise ValueError("institution code must have 12 characters")
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

    def flush(self) -> None:
        """Write the counters issued in this unit of work (called by the unit of work's commit)."""
        if not self._dirty:
            return
        connection = self._session.connection()
        for code in sorted(self._dirty):
            second, seq = self._state[code]
            _WRITE_COUNTER.execute(connection, (code, second, seq))
        self._dirty.clear()

    def forget(self) -> None:
        """The transaction has ended: the database is the truth again (another process may go next)."""
        self._state.clear()
        self._dirty.clear()
        self._meta_cache = None

    def use_window_slot(self, slot: int | None) -> None:
        """Keep to sequences ``slot*100 .. slot*100+99`` from now on (``None``: the whole range)."""
        self._meta_cache = None
        connection = self._session.connection()
        if slot is None:
            connection.exec_driver_sql("DELETE FROM store_meta WHERE key = ?", (_SLOT_KEY,))
            return
        if not 0 <= slot < MAX_SEQUENCE // SLOT_SIZE + 1:
            raise ValueError("msgid slot must be 0-99")
        connection.exec_driver_sql(
            "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)", (_SLOT_KEY, str(slot))
        )

    def window_slot(self) -> int | None:
        """The slot this window keeps to, or ``None`` (the whole range)."""
        value = self._meta().get(_SLOT_KEY)
        return None if value is None else int(value)

    def require_window_slot(self) -> None:
        """Hospital mode: from now on a window without a slot must not issue journaled msgids."""
        self._meta_cache = None
        self._session.connection().exec_driver_sql(
            "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, '1')", (_SLOT_REQUIRED_KEY,)
        )

    def window_slot_missing(self) -> bool:
        """Whether a slot is required (hospital mode) but this window has none yet."""
        meta = self._meta()
        return _SLOT_REQUIRED_KEY in meta and _SLOT_KEY not in meta

    def _meta(self) -> dict[str, str]:
        # Read once per unit of work (its transaction holds the write lock: nobody changes it meanwhile).
        if self._meta_cache is None:
            self._read_state()
            assert self._meta_cache is not None
        return self._meta_cache

    def _read_state(self) -> None:
        """The slot settings and the counters, in one statement (counters issued in this unit of
        work and not yet written stay as issued)."""
        rows = _READ_STATE.all(self._session.connection(), (_SLOT_KEY, _SLOT_REQUIRED_KEY))
        meta: dict[str, str] = {}
        for kind, key, value, seq in rows:
            if kind == "meta":
                meta[str(key)] = str(value)
            elif str(key) not in self._state:
                self._state[str(key)] = (str(value), int(seq))
        self._meta_cache = meta

    def _sequence_range(self) -> tuple[int, int]:
        slot = self.window_slot()
        if slot is None:
            return 1, MAX_SEQUENCE
        return max(slot * SLOT_SIZE, 1), slot * SLOT_SIZE + SLOT_SIZE - 1

    def _load(self, institution_code: str) -> tuple[str, int]:
        known = self._state.get(institution_code)
        if known is None and self._meta_cache is None:
            self._read_state()
            known = self._state.get(institution_code)
        if known is None:  # no counter row yet for this institution
            known = ("0" * 14, 0)
            self._state[institution_code] = known
        return known
