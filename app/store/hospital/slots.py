"""Msgid slots (issue 13): the windows of one hospital share its msgid space, so each window holds one
of the 100 slots (sequences ``slot*100 .. slot*100+99``) in ``hospital_msgid_slots``.

A window keeps its slot for good (its row stays); a new window takes the lowest free one. Claims are
serialised by a transaction-scoped advisory lock (the two-integer key space, apart from the windows'
presence locks), so two windows starting at once never take the same slot.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from app.errors import StoreError
from app.store.hospital import schema
from app.store.hospital.connect import unreachable

SLOT_COUNT = 100
# pg_advisory_xact_lock(int4, int4): a key of its own, released when the claim's transaction ends.
_LOCK_CLASS = 13
_LOCK_SLOTS = 1


class PgMsgidSlots:
    """The hospital's msgid slot table on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (schema upgraded to at least revision h0002)."""
        self._engine = engine

    def claim(self, device_no: str, at: datetime) -> int:
        """The slot of window ``device_no``: the one it already holds, else the lowest free one.

        Raises:
            StoreError: the database cannot be reached, or all 100 slots are taken.
        """
        s = schema.msgid_slots
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:a, :b)"),
                    {"a": _LOCK_CLASS, "b": _LOCK_SLOTS},
                )
                held = connection.execute(
                    select(s.c.slot).where(s.c.device_no == device_no)
                ).scalar()
                if held is not None:
                    return int(held)
                taken = set(connection.execute(select(s.c.slot)).scalars())
                free = next((n for n in range(SLOT_COUNT) if n not in taken), None)
                if free is None:
                    raise StoreError(
                        f"医院数据库中 {SLOT_COUNT} 个窗口编号段都已被占用，窗口 {device_no} 无法取得编号段。"
                        "请联系信息科清理不再使用的窗口。",
                        code="msgid_slots_full",
                    )
                connection.execute(s.insert().values(slot=free, device_no=device_no, claimed_at=at))
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return free
