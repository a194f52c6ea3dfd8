"""Shared pytest fixtures for the local store (owned by STORE). Real SQLite files in ``tmp_path``.

* ``store_path``: ``tmp_path / "data" / "store.sqlite3"`` (not created yet).
* ``key_provider``: a :class:`~app.store.crypto.FileKeyProvider` on a 0600 key file in ``tmp_path``.
* ``store_clock``: a :class:`StoreTestClock` (settable fake clock, aware UTC) starting 2026-11-23 02:00Z.
* ``store``: the opened :class:`~app.store.db.Store` (closed after the test). Operator passwords use cheap
  argon2id parameters so tests stay fast; production uses the library defaults.
* ``uow_factory``: ``store.uow_factory()`` — a ``UnitOfWorkFactory`` for services under test.
* ``reopen_store``: a function opening another store on the same file (simulated restart).

Helpers: :func:`open_test_store` opens another store on the same file (simulated restart);
:func:`counting_commits` counts the commits on the stores under a folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

from app.store import FileKeyProvider, SqlUnitOfWorkFactory, Store, open_store

STORE_TEST_START = datetime(2026, 11, 23, 2, 0, 0, tzinfo=UTC)


@contextmanager
def counting_commits(folder: Path) -> Iterator[list[int]]:
    """How many transactions commit, inside the block, on the stores whose file is under
    ``folder`` (``[n]``, read after the block)."""
    commits = [0]

    def on_commit(connection: Connection) -> None:
        if str(connection.engine.url.database or "").startswith(str(folder)):
            commits[0] += 1

    event.listen(Engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(Engine, "commit", on_commit)


def cheap_password_hasher() -> PasswordHasher:
    """argon2id with small parameters: the same code path, a fraction of the time."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class StoreTestClock:
    """A fake clock that only moves when told to."""

    current: datetime = STORE_TEST_START
    ticks: float = field(default=0.0)

    def now(self) -> datetime:
        """The current (fake) time."""
        return self.current

    def monotonic(self) -> float:
        """Seconds moved so far (never goes back, even when the wall clock is set back)."""
        return self.ticks

    def advance(self, seconds: float) -> None:
        """Move the wall clock and the monotonic counter forward."""
        self.current += timedelta(seconds=seconds)
        self.ticks += abs(seconds)

    def set_wall(self, when: datetime) -> None:
        """Set the wall clock (also backwards, like an operator fixing the PC's time)."""
        self.current = when


def open_test_store(path: Path, key_provider: FileKeyProvider, clock: StoreTestClock) -> Store:
    """Open a store on ``path`` the way the ``store`` fixture does (for restart scenarios)."""
    return open_store(path, key_provider, clock, password_hasher=cheap_password_hasher())


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Where the test's database file goes."""
    return tmp_path / "data" / "store.sqlite3"


@pytest.fixture
def key_provider(tmp_path: Path) -> FileKeyProvider:
    """A data-key file with mode 0600 in ``tmp_path`` (created on first use)."""
    return FileKeyProvider(tmp_path / "keys" / "store.key")


@pytest.fixture
def store_clock() -> StoreTestClock:
    """A settable fake clock."""
    return StoreTestClock()


@pytest.fixture
def store(
    store_path: Path, key_provider: FileKeyProvider, store_clock: StoreTestClock
) -> Iterator[Store]:
    """An opened store on a fresh file; closed after the test."""
    opened = open_test_store(store_path, key_provider, store_clock)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def reopen_store(
    store_path: Path, key_provider: FileKeyProvider, store_clock: StoreTestClock
) -> Iterator[Callable[[], Store]]:
    """Open another store on ``store_path`` (a simulated restart); all are closed after the test."""
    opened: list[Store] = []

    def reopen() -> Store:
        store = open_test_store(store_path, key_provider, store_clock)
        opened.append(store)
        return store

    yield reopen
    for store in opened:
        store.close()


@pytest.fixture
def uow_factory(store: Store) -> SqlUnitOfWorkFactory:
    """Units of work on the ``store`` fixture."""
    return store.uow_factory()
