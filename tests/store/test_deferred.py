"""Advisory writes riding on the next commit (app.store.deferred): seen by every later unit of work,
kept until one commits, stored at close."""

from __future__ import annotations

from collections.abc import Callable

from app.services.ports.store import UnitOfWork
from app.store import SqlUnitOfWorkFactory, Store

from .builders import T0, person


def _cache(uow: UnitOfWork) -> None:
    uow.persons.put(person(), T0, ("id:630102198001010011",))


def test_a_deferred_write_is_read_by_the_next_units_of_work_and_kept_until_one_commits(
    store: Store, uow_factory: SqlUnitOfWorkFactory, reopen_store: Callable[[], Store]
) -> None:
    uow_factory.defer(_cache)

    with uow_factory() as uow:  # read only, rolled back: the write stays queued
        assert uow.persons.find("id:630102198001010011") is not None
    assert store.deferred.pending() == (_cache,)
    with uow_factory() as uow:
        uow.commit()
    assert store.deferred.pending() == ()
    store.close()

    with reopen_store().uow_factory()() as uow:
        cached = uow.persons.find("id:630102198001010011")
    assert cached is not None
    assert cached.person == person()


def test_a_deferred_write_is_stored_at_close_and_one_that_fails_is_given_up(
    store: Store, uow_factory: SqlUnitOfWorkFactory, reopen_store: Callable[[], Store]
) -> None:
    def broken(uow: UnitOfWork) -> None:
        raise ValueError("a bug in an advisory write")

    uow_factory.defer(broken)
    uow_factory.defer(_cache)
    store.close()

    with reopen_store().uow_factory()() as uow:
        assert uow.persons.find("id:630102198001010011") is not None
