"""Hospital mode: the windows of one institution share its msgid space, so each keeps to its own slot
of 100 sequences and two windows never issue the same msgid, even in the same second."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers.store_fixtures import StoreTestClock, open_test_store

from app.store import FileKeyProvider, SqlUnitOfWorkFactory

INSTITUTION = "H63010200001"
NOW = datetime(2026, 12, 7, 4, 0, 0, tzinfo=UTC)


def issue(uow_factory: SqlUnitOfWorkFactory, count: int) -> list[str]:
    with uow_factory() as uow:
        ids = [uow.msgids.next_msgid(INSTITUTION, NOW) for _ in range(count)]
        uow.commit()
    return ids


def use_slot(uow_factory: SqlUnitOfWorkFactory, slot: int | None) -> None:
    with uow_factory() as uow:
        uow.msgids.use_window_slot(slot)
        uow.commit()


def test_a_window_keeps_to_its_slot_and_moves_to_the_next_second_past_it(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    use_slot(uow_factory, 7)

    ids = issue(uow_factory, 101)

    assert len(set(ids)) == 101
    assert ids[0].endswith("20261207120000" + "0700")
    assert ids[99].endswith("20261207120000" + "0799")
    assert ids[100].endswith("20261207120001" + "0700")
    assert all(700 <= int(i[-4:]) <= 799 for i in ids)


def test_two_windows_in_the_same_second_never_share_a_msgid(
    uow_factory: SqlUnitOfWorkFactory,
    tmp_path: Path,
    key_provider: FileKeyProvider,
    store_clock: StoreTestClock,
) -> None:
    other_store = open_test_store(tmp_path / "w02" / "store.sqlite3", key_provider, store_clock)
    other = other_store.uow_factory()
    try:
        use_slot(uow_factory, 1)
        use_slot(other, 2)
        first = issue(uow_factory, 150)
        second = issue(other, 150)
    finally:
        other_store.close()

    assert len(set(first) | set(second)) == 300


def test_without_a_slot_the_whole_range_is_used(uow_factory: SqlUnitOfWorkFactory) -> None:
    use_slot(uow_factory, 3)
    use_slot(uow_factory, None)

    ids = issue(uow_factory, 2)

    assert ids[0].endswith("0001")
    assert ids[1].endswith("0002")
