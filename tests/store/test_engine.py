"""Engine set-up: PRAGMAs read back (R5), the SQLite version rule, BEGIN IMMEDIATE, error mapping."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from helpers.store_fixtures import StoreTestClock, open_test_store

from app.errors import StoreError
from app.store import FileKeyProvider, Store, db

from .builders import INSTITUTION, entry


def test_pragmas_are_read_back_as_required(store: Store) -> None:
    assert store.pragmas["journal_mode"] == "wal"
    assert store.pragmas["synchronous"] == 2
    assert store.pragmas["foreign_keys"] == 1
    assert store.pragmas["busy_timeout"] >= 5000
    assert store.pragmas["temp_store"] == 2
    assert store.pragmas["mmap_size"] == 0


@pytest.mark.parametrize(
    ("pragma", "problem"),
    [
        ("PRAGMA synchronous=NORMAL", "synchronous"),
        ("PRAGMA journal_mode=DELETE", "journal_mode"),
        ("PRAGMA foreign_keys=OFF", "foreign_keys"),
        ("PRAGMA busy_timeout=100", "busy_timeout"),
        ("PRAGMA mmap_size=268435456", "mmap_size"),
    ],
)
def test_a_connection_with_a_different_pragma_is_refused(
    tmp_path: Path, pragma: str, problem: str
) -> None:
    with closing(sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)) as connection:
        for required in db.CONNECTION_PRAGMAS:
            connection.execute(required).fetchall()
        db.check_pragmas(connection)  # as configured: accepted
        connection.execute(pragma).fetchall()
        with pytest.raises(StoreError) as raised:
            db.check_pragmas(connection)
    assert raised.value.code == "store_pragmas"
    assert problem in raised.value.text
    assert "拒绝启动" in raised.value.text


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("3.6.23", False),
        ("3.7.0", True),
        ("3.40.1", True),
        ("3.44.5", True),
        ("3.44.6", False),
        ("3.45.0", True),
        ("3.50.6", True),
        ("3.50.7", False),
        ("3.51.2", True),
        ("3.51.3", False),
        ("3.52.1", False),
    ],
)
def test_wal_reset_bug_versions(version: str, affected: bool) -> None:
    status = db.sqlite_version_status(version)
    assert status.affected is affected
    assert status.max_connections == (1 if affected else 4)
    assert version in status.text


@pytest.mark.parametrize(("version", "pool_size"), [("3.45.1", 1), ("3.51.3", 4)])
def test_engine_pool_follows_the_runtime_version(
    monkeypatch: pytest.MonkeyPatch, reopen_store: Callable[[], Store], version: str, pool_size: int
) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version", version)
    opened = reopen_store()
    assert opened.version_status.version == version
    assert opened.engine.pool.size() == pool_size  # type: ignore[attr-defined]


def test_unit_of_work_takes_the_write_lock_at_begin(store: Store, store_path: Path) -> None:
    factory = store.uow_factory()
    # No write happens in the unit of work: only its BEGIN IMMEDIATE explains the lock.
    with (
        factory(),
        closing(sqlite3.connect(store_path, timeout=0)) as other,
        pytest.raises(sqlite3.OperationalError, match="locked"),
    ):
        other.execute("BEGIN IMMEDIATE")
    with closing(sqlite3.connect(store_path, timeout=0)) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")


def test_leaving_without_commit_rolls_back(store: Store) -> None:
    factory = store.uow_factory()
    with factory() as uow:
        uow.journal.add(entry(f"{INSTITUTION}202611231000000001"))
    with factory() as uow:
        assert uow.journal.get(f"{INSTITUTION}202611231000000001") is None
        uow.journal.add(entry(f"{INSTITUTION}202611231000000001"))
        uow.commit()
    with factory() as uow:
        assert uow.journal.get(f"{INSTITUTION}202611231000000001") is not None


def test_units_of_work_from_two_threads_are_serialised(store: Store) -> None:
    factory = store.uow_factory()
    errors: list[BaseException] = []

    def issue(count: int) -> None:
        try:
            for _ in range(count):
                with factory() as uow:
                    uow.msgids.next_msgid(INSTITUTION, store.clock.now())
                    uow.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(50,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with factory() as uow:
        # 100 ids issued in one (fake) second: the next one is number 101.
        assert uow.msgids.next_msgid(INSTITUTION, store.clock.now()).endswith("0101")


def test_a_database_locked_by_another_program_is_a_store_error(
    store: Store, store_path: Path
) -> None:
    with closing(sqlite3.connect(store_path, timeout=0, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError) as raised, store.uow_factory()():
            pass
        other.execute("ROLLBACK")
    assert raised.value.code == "store_locked"
    assert "另一个收费程序" in raised.value.text


def test_programming_errors_are_not_disguised_as_store_errors(store: Store) -> None:
    with (
        pytest.raises(sqlite3.OperationalError, match="no such table"),
        store.driver_connection() as raw,
    ):
        raw.execute("SELECT * FROM no_such_table")


def test_integrity_check_is_ok_on_a_new_store(store: Store) -> None:
    assert store.integrity_check() == "ok"


def test_a_key_that_does_not_belong_to_the_database_is_refused_at_start(
    store: Store, tmp_path: Path, store_path: Path, store_clock: StoreTestClock
) -> None:
    store.close()
    stranger = FileKeyProvider(tmp_path / "other" / "store.key")
    with pytest.raises(StoreError) as raised:
        open_test_store(store_path, stranger, store_clock)
    assert raised.value.code == "store_wrong_key"
    assert "密钥" in raised.value.text


def test_the_wal_gives_space_back_after_a_big_transaction(store: Store, store_path: Path) -> None:
    wal = Path(f"{store_path}-wal")
    with store.driver_connection() as raw:
        raw.execute("BEGIN IMMEDIATE")
        for index in range(24):
            raw.execute(
                "INSERT INTO store_meta (key, value) VALUES (?, ?)",
                (f"big{index}", "x" * 1_000_000),
            )
        raw.execute("COMMIT")
        assert wal.stat().st_size > 20_000_000
        # What the automatic checkpoint does; the next write then starts the WAL over.
        raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        raw.execute("DELETE FROM store_meta WHERE key = 'big0'")
    assert wal.stat().st_size <= 16 * 1024 * 1024


@pytest.mark.parametrize(
    "damage",
    [
        b"this is not an sqlite database at all" * 200,
        b"SQLite format 3\x00" + b"\xff" * 8000,
    ],
)
def test_a_damaged_database_file_is_a_clear_store_error(
    store_path: Path, reopen_store: Callable[[], Store], damage: bytes
) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(damage)
    with pytest.raises(StoreError) as raised:
        reopen_store()
    assert raised.value.code == "store_corrupt"
    assert "从备份恢复" in raised.value.text
    assert store_path.read_bytes() == damage  # evidence kept, nothing overwritten
