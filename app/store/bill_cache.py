"""Bills read once: a bill's lines and HIS context never change once saved, so each unit of work of a
store answers ``bills.get`` from one shared, bounded cache and reads only the bill's status afresh.

A settlement reads its bill several times (the charge claims when it starts and ends, the settlement
service, the HIS results), and each read of a 200-line bill decrypts and decodes every line. A bill
enters the cache when a unit of work reads it (committed content) or commits it (``save``); a unit of
work that rolls back leaves nothing behind, and ``save`` drops the shared entry at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from app.domain.visit import Bill, BillStatus, GroupSettlement, GroupState
from app.store.models import BillRow
from app.store.repositories.bills import SqlBillRepository
from app.store.tables import Connected

if TYPE_CHECKING:
    from app.services.ports.store import BillRepository

CACHE_SIZE = 64
_STATUS = select(BillRow.__table__.c.status).where(BillRow.bill_id == bindparam("bill_id"))


class BillCache:
    """Decrypted bills by id, shared by the units of work of one store (bounded, thread-safe)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        """Keep at most ``size`` bills (least recently used go first)."""
        self._size = size
        self._bills: OrderedDict[str, Bill] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, bill_id: str) -> Bill | None:
        """The cached bill (its status as when cached), or ``None``."""
        with self._lock:
            bill = self._bills.get(bill_id)
            if bill is not None:
                self._bills.move_to_end(bill_id)
            return bill

    def put(self, bill: Bill) -> None:
        """Remember ``bill``'s committed content."""
        with self._lock:
            self._bills[bill.bill_id] = bill
            self._bills.move_to_end(bill.bill_id)
            while len(self._bills) > self._size:
                self._bills.popitem(last=False)

    def forget(self, bill_id: str) -> None:
        """Drop ``bill_id`` (it is being replaced, or is gone)."""
        with self._lock:
            self._bills.pop(bill_id, None)


class CachedBillRepository:
    """:class:`~app.services.ports.store.BillRepository`: the SQL repository, with ``get`` answered
    from the store's :class:`BillCache` plus a read of the bill's status."""

    def __init__(self, inner: SqlBillRepository, session: Connected, cache: BillCache) -> None:
        """Wrap ``inner`` (same transaction) with the store's shared ``cache``."""
        self._inner = inner
        self._session = session
        self._cache = cache
        self._saved: dict[str, Bill] = {}  # saved in this unit of work, not yet committed

    def save(self, bill: Bill) -> None:
        """Insert or replace a bill with its lines and tags."""
        self._cache.forget(bill.bill_id)
        self._inner.save(bill)
        self._saved[bill.bill_id] = bill

    def get(self, bill_id: str) -> Bill | None:
        """A bill: cached content, current status."""
        known = self._saved.get(bill_id) or self._cache.get(bill_id)
        if known is None:
            bill = self._inner.get(bill_id)
            if bill is not None:
                self._cache.put(bill)  # not saved in this unit of work: committed content
            return bill
        row = self._session.connection().execute(_STATUS, {"bill_id": bill_id}).first()
        if row is None:
            self._cache.forget(bill_id)
            return None
        status: BillStatus = row[0]
        return known if known.status is status else replace(known, status=status)

    def committed(self) -> None:
        """The unit of work committed: what it saved is now the bills' committed content."""
        for bill in self._saved.values():
            self._cache.put(bill)
        self._saved.clear()

    def set_status(self, bill_id: str, status: BillStatus) -> None:
        """Change a bill's status (the cache keeps content only; the status is always read)."""
        self._inner.set_status(bill_id, status)

    def save_group(self, group: GroupSettlement) -> None:
        """Insert or replace one group's state."""
        self._inner.save_group(group)

    def groups(self, bill_id: str) -> Sequence[GroupSettlement]:
        """All groups of a bill."""
        return self._inner.groups(bill_id)

    def group_states(self, bill_id: str) -> Sequence[GroupState]:
        """The states of a bill's groups."""
        return self._inner.group_states(bill_id)


if TYPE_CHECKING:

    def _implements_the_port(bills: CachedBillRepository) -> BillRepository:
        return bills  # mypy proves the structural match here
