"""Bills read once (``app.store.bill_cache``): a bill's content comes from the store's shared cache, its
status from the database every time; nothing uncommitted or deleted is ever answered from the cache."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from sqlalchemy import event

from app.domain.visit import BillStatus
from app.store import SqlUnitOfWorkFactory, Store

from .builders import bill


def _statements(store: Store) -> list[str]:
    seen: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", on_execute)
    return seen


def test_a_committed_bill_is_read_back_without_its_lines_and_with_its_current_status(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    original = bill()
    with uow_factory() as uow:
        uow.bills.save(original)
        uow.commit()
    seen = _statements(store)
    with uow_factory() as uow:
        assert uow.bills.get("B1") == original
    assert not [s for s in seen if "bill_lines" in s]  # the lines were not read or decrypted again
    with uow_factory() as uow:
        uow.bills.set_status("B1", BillStatus.SETTLED)
        uow.commit()
    with store.uow_factory()() as uow:  # another factory of the same store shares the cache
        assert uow.bills.get("B1") == replace(original, status=BillStatus.SETTLED)


def test_a_rolled_back_save_leaves_nothing_behind(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.bills.save(bill())
        assert uow.bills.get("B1") == bill()  # its own unit of work sees it
    with uow_factory() as uow:
        assert uow.bills.get("B1") is None


def test_a_bill_saved_again_is_answered_with_its_new_lines(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    original = bill()
    with uow_factory() as uow:
        uow.bills.save(original)
        uow.commit()
    with uow_factory() as uow:
        assert uow.bills.get("B1") == original
    shorter = replace(original, lines=original.lines[:1])
    with uow_factory() as uow:
        uow.bills.save(shorter)
        uow.commit()
    with uow_factory() as uow:
        assert uow.bills.get("B1") == shorter


def test_a_bill_gone_from_the_file_is_not_answered_from_the_cache(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        uow.bills.save(bill())
        uow.commit()
    with uow_factory() as uow:
        assert uow.bills.get("B1") is not None
    store.close()  # another program (a restore, a purge) changes the file behind our back
    with sqlite3.connect(store.path) as raw:
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("DELETE FROM bill_lines WHERE bill_id = 'B1'")
        raw.execute("DELETE FROM bills WHERE bill_id = 'B1'")
    with uow_factory() as uow:
        assert uow.bills.get("B1") is None
