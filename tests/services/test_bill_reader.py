"""Settlement keeps bill contents in a bounded cache: a day of bills never grows it past its size."""

from __future__ import annotations

from dataclasses import replace

from store.builders import bill

from app.domain.visit import Bill
from app.services.settlement.bills import BillReader
from app.store import SqlUnitOfWorkFactory


def _store_bills(uow_factory: SqlUnitOfWorkFactory, count: int) -> list[Bill]:
    bills = [replace(bill(), bill_id=f"B{n:03d}") for n in range(count)]
    with uow_factory() as uow:
        for each in bills:
            uow.bills.save(each)
        uow.commit()
    return bills


def test_the_bill_cache_stays_within_its_size_and_reads_evicted_bills_back(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    bills = _store_bills(uow_factory, 12)
    reader = BillReader(uow_factory, size=5)

    for each in bills:
        with uow_factory() as uow:
            assert reader.contents(uow, each.bill_id) == each
        assert reader.cached <= 5
    assert reader.cached == 5
    with uow_factory() as uow:  # the oldest was evicted: read back from the store, same bill
        assert reader.contents(uow, bills[0].bill_id) == bills[0]
    assert reader.cached == 5
