"""Schema versions: fresh create, upgrade from the first version (with a backup), refusal of newer."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from helpers.store_fixtures import STORE_TEST_START, cheap_password_hasher
from sqlalchemy import create_engine

from app.domain.plan import GroupKind
from app.domain.visit import GroupSettlement, GroupState
from app.errors import StoreError
from app.store import Store, schema_v1
from app.store.migrations import SCHEMA_VERSION, STEPS
from app.store.models import Base

from .builders import bill


def _columns(connection: sqlite3.Connection) -> dict[str, list[tuple[str, str, int, int]]]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'catalogue_names%'"
        )
    ]
    return {
        table: [
            (row[1], row[2], row[3], row[5])
            for row in connection.execute(f"PRAGMA table_info({table})")
        ]
        for table in sorted(tables)
    }


def _user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as raw:
        return int(raw.execute("PRAGMA user_version").fetchone()[0])


def test_a_fresh_store_has_the_current_version_and_the_models_schema(
    store: Store, store_path: Path, tmp_path: Path
) -> None:
    store.close()
    assert _user_version(store_path) == SCHEMA_VERSION
    reference = tmp_path / "reference.sqlite3"
    engine = create_engine(f"sqlite:///{reference}")
    Base.metadata.create_all(engine)
    engine.dispose()
    with (
        closing(sqlite3.connect(store_path)) as migrated,
        closing(sqlite3.connect(reference)) as ref,
    ):
        assert _columns(migrated) == _columns(ref)


def _first_version_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("BEGIN")
        for statement in schema_v1.STATEMENTS:
            raw.execute(statement)
        raw.execute(
            "INSERT INTO catalogue_items VALUES (7, 'YP0001', 'XC08', '氨氯地平片', 'aldpp', 32500,"
            " '', '盒', '09', 'A', '0', NULL, 0)"
        )
        raw.execute("PRAGMA user_version = 1")
        raw.execute("COMMIT")


def test_upgrade_from_the_first_schema_version_keeps_data_and_takes_a_backup(
    store_path: Path, reopen_store: Callable[[], Store]
) -> None:
    _first_version_database(store_path)
    store = reopen_store()
    assert _user_version(store_path) == SCHEMA_VERSION
    backups = list(store_path.parent.glob(f"{store_path.name}.v1-*.bak"))
    assert len(backups) == 1
    assert _user_version(backups[0]) == 1
    with store.uow_factory()() as uow:
        assert [item.hospital_code for item in uow.catalogue.search("氯地")] == ["YP0001"]


def test_a_database_from_a_newer_program_is_refused(
    store: Store, store_path: Path, reopen_store: Callable[[], Store]
) -> None:
    store.close()
    with closing(sqlite3.connect(store_path)) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError) as raised:
        reopen_store()
    assert raised.value.code == "store_too_new"
    assert "请安装最新版本" in raised.value.text


def test_reopening_a_current_store_migrates_nothing(
    store: Store, store_path: Path, reopen_store: Callable[[], Store]
) -> None:
    store.close()
    reopen_store()
    assert list(store_path.parent.glob("*.bak")) == []


def _third_version_database(path: Path, password_hash: str) -> None:
    """The schema as version 3 left it (before the second factor), with one supervisor."""
    _first_version_database(path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            for version in (2, 3):
                STEPS[version](connection)
            connection.exec_driver_sql("PRAGMA user_version = 3")
            connection.exec_driver_sql(
                "INSERT INTO operators VALUES ('S001', '主管乙', 'SUPERVISOR', ?, 1, 2, NULL,"
                " '2026-11-01T00:00:00.000000Z')",
                (password_hash,),
            )
    finally:
        engine.dispose()


def test_upgrade_from_version_3_adds_the_second_factor_and_config_state(
    store_path: Path, reopen_store: Callable[[], Store]
) -> None:
    hasher = cheap_password_hasher()
    _third_version_database(store_path, hasher.hash("Super-2026x"))
    assert _user_version(store_path) == 3
    store = reopen_store()
    assert _user_version(store_path) == SCHEMA_VERSION
    assert len(list(store_path.parent.glob(f"{store_path.name}.v3-*.bak"))) == 1
    with store.uow_factory()() as uow:
        account = uow.operators.get("S001")
        assert account is not None
        assert (account.second_factor, account.second_factor_pending) == (False, False)
        assert account.failed_attempts == 2  # existing data kept
        assert uow.operators.verify_password("S001", "Super-2026x")
        assert uow.config_state.last() is None
        uow.operators.set_second_factor_pending("S001", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        uow.operators.activate_second_factor("S001", 123, STORE_TEST_START)
        uow.config_state.save({"ui.language": "abc"}, STORE_TEST_START)
        uow.commit()
    store.close()
    with reopen_store().uow_factory()() as uow:
        state = uow.operators.second_factor("S001")
        assert (state.secret, state.pending, state.last_step) == (
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            None,
            123,
        )
        assert uow.config_state.last() == {"ui.language": "abc"}


def test_upgrade_to_version_10_gives_stored_groups_their_kind(
    store: Store, store_path: Path, reopen_store: Callable[[], Store]
) -> None:
    """Groups stored before v10 had no kind: the step derives it from med_type once (a direct group
    that 未备案 turned into self-pay has no med_type but keeps its disease key)."""
    groups = [
        GroupSettlement("B1", "M03900", GroupState.PLANNED, GroupKind.CHRONIC, "M03900", ("1",)),
        GroupSettlement("B1", "general", GroupState.PLANNED, GroupKind.GENERAL, None, ("2",)),
        GroupSettlement("B1", "M01600", GroupState.PLANNED, GroupKind.SELF_PAY, "M01600", ("3",)),
    ]
    with store.uow_factory()() as uow:
        uow.bills.save(bill())
        for group in groups:
            uow.bills.save_group(group)
        uow.commit()
    store.close()
    with closing(sqlite3.connect(store_path)) as raw:  # back to the v9 schema
        raw.execute("ALTER TABLE bill_groups DROP COLUMN kind")
        raw.execute("PRAGMA user_version = 9")
        raw.commit()

    upgraded = reopen_store()
    assert _user_version(store_path) == SCHEMA_VERSION
    with upgraded.uow_factory()() as uow:
        kinds = {g.group_key: g.kind for g in uow.bills.groups("B1")}
    assert kinds == {
        "M03900": GroupKind.CHRONIC,
        "general": GroupKind.GENERAL,
        "M01600": GroupKind.SELF_PAY,
    }
