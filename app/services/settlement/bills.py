"""Reading bills and groups back for settlement, with a small bounded cache of bill contents."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from app.domain.visit import Bill, BillStatus, GroupSettlement
from app.errors import InputError
from app.messages import settlement as words
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory
from app.services.settlement.results import BillResult, GroupResult, bill_result

BILL_CACHE_SIZE = 64


class BillReader:
    """Bills and their groups as stored.

    A bill's lines and HIS context never change once saved; they are kept in a small LRU cache (a
    200-line bill costs milliseconds to read and decrypt, and a settlement reads it often). Groups
    are always read from the store.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, *, size: int = BILL_CACHE_SIZE) -> None:
        """Read through ``uow_factory``; keep at most ``size`` bills."""
        self._uow_factory = uow_factory
        self._size = size
        self._bills: OrderedDict[str, Bill] = OrderedDict()
        self._lock = threading.Lock()  # the window calls services from worker threads

    @property
    def cached(self) -> int:
        """How many bills the cache holds now (never more than its size)."""
        with self._lock:
            return len(self._bills)

    def contents(self, uow: UnitOfWork, bill_id: str) -> Bill:
        """The bill's contents (cached).

        Raises:
            InputError: no such bill.
        """
        with self._lock:
            cached = self._bills.get(bill_id)
            if cached is not None:
                self._bills.move_to_end(bill_id)
                return cached
        bill = uow.bills.get(bill_id)
        if bill is None:
            raise InputError(words.BILL_NOT_FOUND(bill_id=bill_id), code="bill_not_found")
        self.remember(bill)
        return bill

    def remember(self, bill: Bill) -> None:
        """Keep a bill just stored (no need to read and decrypt it back)."""
        with self._lock:
            self._bills[bill.bill_id] = bill
            self._bills.move_to_end(bill.bill_id)
            while len(self._bills) > self._size:
                self._bills.popitem(last=False)

    def stored(self, uow: UnitOfWork, bill_id: str) -> Bill | None:
        """The bill's contents (cached), or ``None`` if there is no such bill."""
        try:
            return self.contents(uow, bill_id)
        except InputError:
            return None

    @staticmethod
    def pick(
        bill_id: str, groups: Mapping[str, GroupSettlement], group_key: str
    ) -> GroupSettlement:
        """One of a bill's groups by key.

        Raises:
            InputError: no such group.
        """
        group = groups.get(group_key)
        if group is None:
            raise InputError(
                words.GROUP_NOT_FOUND(bill_id=bill_id, group_key=group_key), code="group_not_found"
            )
        return group

    def load(self, bill_id: str, group_key: str) -> tuple[Bill, GroupSettlement]:
        """A bill and one of its groups.

        Raises:
            InputError: no such bill or group.
        """
        with self._uow_factory() as uow:
            bill = self.contents(uow, bill_id)
            groups = {g.group_key: g for g in uow.bills.groups(bill_id)}
        return bill, self.pick(bill_id, groups, group_key)

    def groups(self, bill_id: str) -> dict[str, GroupSettlement]:
        """The bill's groups by key."""
        with self._uow_factory() as uow:
            return {g.group_key: g for g in uow.bills.groups(bill_id)}

    def bill(self, bill_id: str) -> BillResult:
        """A bill with the current state of its groups."""
        with self._uow_factory() as uow:
            bill = self.contents(uow, bill_id)
            groups = tuple(uow.bills.groups(bill_id))
        return bill_result(bill, groups)

    def result(self, bill_id: str, group_key: str) -> GroupResult:
        """One group as shown now."""
        return self.bill(bill_id).group(group_key)

    def refresh_status(
        self,
        bill_id: str,
        groups: Sequence[GroupSettlement] | None = None,
        *,
        stored: BillStatus | None = None,
    ) -> BillResult:
        """Store the status that follows from the groups, in one unit of work with reading them
        (``groups``: the bill's groups exactly as just committed, not read again). ``stored``: the
        status already committed with the last of ``groups`` (nothing to store when it is the one
        that follows)."""
        if groups is not None and stored is not None:
            with self._lock:
                bill = self._bills.get(bill_id)
            if bill is not None:
                result = bill_result(bill, groups)
                if result.status is stored:
                    return result
        with self._uow_factory() as uow:
            known = groups if groups is not None else uow.bills.groups(bill_id)
            result = bill_result(self.contents(uow, bill_id), known)
            uow.bills.set_status(bill_id, result.status)
            uow.commit()
        return result
