"""WAL checkpoints run when the store is idle (``app.store.checkpoints``), never inside a unit of work,
and SQLite's own inline checkpoint only as a far-off backstop."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from app.store import SqlUnitOfWorkFactory, Store
from app.store.checkpoints import WAL_AUTOCHECKPOINT_PAGES

from .builders import bill


def _eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _bills_in_database_file(store: Store, copy: Path) -> int:
    """Bills in the database file itself, without its log: what checkpoints have copied there."""
    shutil.copyfile(store.path, copy)
    with closing(sqlite3.connect(copy)) as raw:
        if raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'bills'").fetchone() is None:
            return 0  # even the schema is still only in the log
        return int(raw.execute("SELECT count(*) FROM bills").fetchone()[0])


def test_sqlite_checkpoints_inline_only_as_a_backstop(store: Store) -> None:
    with store.driver_connection() as raw:
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_AUTOCHECKPOINT_PAGES


def test_the_log_is_checkpointed_once_the_store_is_idle_and_not_while_a_unit_of_work_is_open(
    store: Store, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    store.checkpointer.idle_after_s = 0.2
    with uow_factory() as uow:
        uow.bills.save(bill("B1"))
        uow.commit()
        uow.bills.save(bill("B2"))
        time.sleep(0.8)  # idle long enough, but this unit of work is still open
        assert store.checkpointer.runs == 0
        assert _bills_in_database_file(store, tmp_path / "before.sqlite3") == 0  # only in the log
        uow.commit()
    assert _eventually(lambda: store.checkpointer.runs >= 1)
    runs = store.checkpointer.runs
    assert _bills_in_database_file(store, tmp_path / "after.sqlite3") == 2
    time.sleep(0.8)
    assert store.checkpointer.runs == runs  # nothing new was written: no further checkpoint


def test_a_closed_store_stops_its_checkpoint_thread(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        uow.bills.save(bill("B1"))
        uow.commit()
    store.close()
    thread = store.checkpointer._thread  # the thread itself is what is checked
    assert thread is not None
    assert not thread.is_alive()
