"""A bill replicated to another window keeps its groups' kind, also from a window older than v10."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers.store_fixtures import StoreTestClock, open_test_store

from app.domain.plan import GroupKind
from app.domain.visit import GroupSettlement, GroupState
from app.store import FileKeyProvider, Store

from .builders import bill

GROUPS = (
    GroupSettlement("B1", "M03900", GroupState.PLANNED, GroupKind.CHRONIC, "M03900", ("1",)),
    GroupSettlement("B1", "general", GroupState.PLANNED, GroupKind.GENERAL, None, ("2",)),
    # 未备案 turned this direct group into full self-pay; it keeps its disease key.
    GroupSettlement("B1", "M01600", GroupState.PLANNED, GroupKind.SELF_PAY, "M01600", ("3",)),
)
EXPECTED = {"M03900": GroupKind.CHRONIC, "general": GroupKind.GENERAL, "M01600": GroupKind.SELF_PAY}


def _window(tmp_path: Path, name: str) -> Store:
    return open_test_store(
        tmp_path / name / "store.sqlite3",
        FileKeyProvider(tmp_path / name / "store.key"),
        StoreTestClock(),
    )


def _replicated_bill(store: Store) -> dict[str, Any]:
    with store.uow_factory()() as uow:
        uow.replica.enable()
        uow.bills.save(bill())
        for group in GROUPS:
            uow.bills.save_group(group)
        uow.commit()
    with store.uow_factory()() as uow:
        (item,) = [i for i in uow.replica.pending(100) if i.kind == "bill"]
    assert item.record is not None
    return item.record


def _imported_kinds(store: Store, record: dict[str, Any]) -> dict[str, GroupKind]:
    with store.uow_factory()() as uow:
        assert uow.imports.import_record("bill", record)
        uow.commit()
    with store.uow_factory()() as uow:
        return {g.group_key: g.kind for g in uow.bills.groups("B1")}


def test_a_replicated_bill_keeps_its_groups_kind(tmp_path: Path) -> None:
    sender, receiver = _window(tmp_path, "a"), _window(tmp_path, "b")
    try:
        record = _replicated_bill(sender)
        assert {g["kind"] for g in record["bill_groups"]} == {"chronic", "general", "self_pay"}
        assert _imported_kinds(receiver, record) == EXPECTED
    finally:
        sender.close()
        receiver.close()


def test_a_bill_from_a_window_without_stored_kinds_gets_them_on_import(tmp_path: Path) -> None:
    sender, receiver = _window(tmp_path, "a"), _window(tmp_path, "b")
    try:
        record = _replicated_bill(sender)
        for group in record["bill_groups"]:
            del group["kind"]  # what a window before schema v10 sends
        assert _imported_kinds(receiver, record) == EXPECTED
    finally:
        sender.close()
        receiver.close()
