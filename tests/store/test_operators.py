"""Operator accounts: argon2id hashes only, constant-time verification, lockout bookkeeping."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from app.domain.operator import Role
from app.errors import InputError
from app.store import SqlUnitOfWorkFactory, Store

from .builders import T0

PASSWORD = "Zhang#2026!window"


def _add(factory: SqlUnitOfWorkFactory) -> None:
    with factory() as uow:
        uow.operators.add("C001", "张晓", Role.CASHIER, PASSWORD)
        uow.commit()


def test_passwords_are_stored_as_argon2id_hashes_only(
    uow_factory: SqlUnitOfWorkFactory, store: Store, store_path: Path
) -> None:
    _add(uow_factory)
    store.checkpoint()
    with closing(sqlite3.connect(store_path)) as raw:
        (stored,) = raw.execute("SELECT password_hash FROM operators").fetchone()
    assert stored.startswith("$argon2id$")
    assert PASSWORD.encode() not in store_path.read_bytes()


def test_verify(uow_factory: SqlUnitOfWorkFactory) -> None:
    _add(uow_factory)
    with uow_factory() as uow:
        assert uow.operators.verify_password("C001", PASSWORD)
        assert not uow.operators.verify_password("C001", PASSWORD + "x")
        assert not uow.operators.verify_password("C001", "")
        assert not uow.operators.verify_password("NOBODY", PASSWORD)


def test_account_changes(uow_factory: SqlUnitOfWorkFactory) -> None:
    _add(uow_factory)
    with uow_factory() as uow:
        uow.operators.add("S001", "李主管", Role.SUPERVISOR, "another-Pass1")
        uow.operators.set_password("C001", "new-Pass-2026")
        uow.operators.set_role("C001", Role.REGISTRATION)
        uow.operators.set_active("S001", active=False)
        uow.commit()
    with uow_factory() as uow:
        assert uow.operators.verify_password("C001", "new-Pass-2026")
        assert not uow.operators.verify_password("C001", PASSWORD)
        accounts = {a.operator.code: a for a in uow.operators.all()}
    assert accounts["C001"].operator.role is Role.REGISTRATION
    assert accounts["C001"].operator.name == "张晓"
    assert accounts["S001"].active is False
    assert list(accounts) == ["C001", "S001"]


def test_lockout_bookkeeping(uow_factory: SqlUnitOfWorkFactory) -> None:
    _add(uow_factory)
    lock = T0 + timedelta(minutes=15)
    with uow_factory() as uow:
        for _ in range(4):
            uow.operators.record_login("C001", success=False, locked_until=None)
        uow.operators.record_login("C001", success=False, locked_until=lock)
        uow.commit()
    with uow_factory() as uow:
        account = uow.operators.get("C001")
        assert account is not None
        assert (account.failed_attempts, account.locked_until) == (5, lock)
        uow.operators.record_login("C001", success=True, locked_until=None)
        uow.commit()
    with uow_factory() as uow:
        account = uow.operators.get("C001")
    assert account is not None
    assert (account.failed_attempts, account.locked_until) == (0, None)


def test_duplicate_and_unknown_codes_are_input_errors(uow_factory: SqlUnitOfWorkFactory) -> None:
    _add(uow_factory)
    with uow_factory() as uow:
        with pytest.raises(InputError, match="已存在"):
            uow.operators.add("C001", "重复", Role.CASHIER, "x")
        with pytest.raises(InputError, match="没有工号"):
            uow.operators.set_role("NOBODY", Role.ADMIN)


def test_a_hash_with_old_parameters_is_upgraded_on_login(
    store: Store, reopen_store: Callable[[], Store]
) -> None:
    _add(store.uow_factory())
    store.close()
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    upgraded = reopen_store()
    factory = SqlUnitOfWorkFactory(upgraded, stronger)
    with factory() as uow:
        assert uow.operators.verify_password("C001", PASSWORD)
        uow.commit()
    with upgraded.driver_connection() as raw:
        (stored,) = raw.execute("SELECT password_hash FROM operators").fetchone()
    assert "m=2048,t=2,p=1" in stored
