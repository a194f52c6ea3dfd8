"""The Core-first unit of work (``app.store.lite``, the identification path's) keeps every rule of
the ORM one: the store's repository tests run again on it, unchanged (the ``uow_factory`` fixture
is replaced below), and the repositories written for the ORM (bills, settlements, receipts …) share
its one connection and transaction."""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType
from typing import Any

import pytest

from app.domain.operator import Role
from app.domain.visit import BillStatus
from app.store import Store
from app.store.lite import CoreUnitOfWork, CoreUnitOfWorkFactory

from . import (
    test_audit,
    test_deferred,
    test_journal,
    test_msgids,
    test_operators,
    test_pii,
    test_repositories,
)
from .builders import T0, bill
from .test_operators import PASSWORD

AGAIN: tuple[ModuleType, ...] = (
    test_audit,
    test_deferred,
    test_journal,
    test_msgids,
    test_operators,
    test_pii,
    test_repositories,
)


def _tests_of(module: ModuleType) -> dict[str, Any]:
    """The module's tests, and its own fixtures and helpers they use, under this module's names."""
    taken: dict[str, Any] = {}
    for name, value in vars(module).items():
        if name.startswith("test_") and callable(value):
            taken[f"{name}__{module.__name__.rsplit('.', 1)[-1]}"] = value
    return taken


for _module in AGAIN:
    globals().update(_tests_of(_module))


@pytest.fixture
def uow_factory(store: Store) -> CoreUnitOfWorkFactory:
    """The Core-first units of work on the ``store`` fixture (replaces the ORM one here)."""
    return store.core_uow_factory()


def test_core_and_orm_repositories_commit_together(store: Store) -> None:
    factory = store.core_uow_factory()
    with factory() as uow:
        assert isinstance(uow, CoreUnitOfWork)
        uow.operators.add("C001", "张晓", Role.CASHIER, PASSWORD)  # Core
        uow.bills.save(bill())  # the ORM session, made now, on the same transaction
        uow.audit.append(T0, "C001", "test", "ok")  # Core again, after the ORM write
        uow.commit()
    with store.uow_factory()() as orm:
        assert orm.operators.get("C001") is not None
        assert orm.bills.get("B1") == bill()
        assert orm.audit.verify() == []


def test_leaving_without_commit_rolls_back_core_and_orm_writes(store: Store) -> None:
    factory = store.core_uow_factory()
    with factory() as uow:
        uow.bills.save(bill())
        uow.operators.add("C001", "张晓", Role.CASHIER, PASSWORD)
    with factory() as uow:
        assert uow.operators.get("C001") is None
        assert uow.bills.get("B1") is None


def test_a_unit_of_work_goes_on_after_a_commit(store: Store) -> None:
    factory = store.core_uow_factory()
    with factory() as uow:
        uow.bills.save(bill())
        uow.commit()
        uow.operators.add("C001", "张晓", Role.CASHIER, PASSWORD)  # a new transaction
        uow.bills.save(replace(bill(), status=BillStatus.SETTLED))
        uow.commit()
        uow.operators.add("S001", "李主管", Role.SUPERVISOR, PASSWORD)  # not committed
    with store.uow_factory()() as orm:
        assert orm.operators.get("C001") is not None
        assert orm.operators.get("S001") is None
        found = orm.bills.get("B1")
        assert found is not None
        assert found.status is BillStatus.SETTLED
