"""Damaged and foreign stores (issue #11 item 4, reliability.md R20): a store failing its quick check
takes no money action, an emptied database file is refused rather than recreated, and ``backup check``
/ ``backup restore`` accept only stores of this installation."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from helpers.engine_fixtures import add_operators, demo_bill, fresh_visit, make_engine
from helpers.money_fixtures import run_json

from app.config import Settings, database_path, load_settings
from app.domain.operator import Role
from app.errors import StoreError
from app.sandbox import SandboxServer

ADMIN_PASSWORD = "Admin-pass-2026"
AS_ADMIN = ("--as", "A001", "--admin-password", ADMIN_PASSWORD)


def _add_admin(config: Path, data_dir: Path) -> None:
    engine = make_engine(load_settings(config), data_dir)
    try:
        with engine.uow_factory() as uow:
            if uow.operators.get("A001") is None:
                uow.operators.add("A001", "管理员丙", Role.ADMIN, ADMIN_PASSWORD)
            uow.commit()
    finally:
        engine.close()


def _settled_store(settings: Settings, data_dir: Path) -> None:
    engine = make_engine(settings, data_dir)
    try:
        cashier, _ = add_operators(engine)
        engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    finally:
        engine.close()
    with closing(sqlite3.connect(database_path(data_dir))) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _damage(database: Path) -> None:
    """Overwrite one page in the middle of the file, as a bad sector or a torn write would."""
    size = database.stat().st_size
    with database.open("r+b") as handle:
        handle.seek((size // 2 // 4096) * 4096)
        handle.write(b"\xa5" * 4096)


def _operator_count(database: Path) -> int:
    with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as raw:
        return int(raw.execute("SELECT count(*) FROM operators").fetchone()[0])


def test_no_money_action_on_a_store_that_fails_its_quick_check(
    money_cli: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    config, data_dir = money_cli
    _settled_store(load_settings(config), data_dir)
    _damage(database_path(data_dir))
    before = sandbox.request_count()

    with pytest.raises(StoreError) as refused:
        make_engine(load_settings(config), data_dir)
    code, document = run_json(
        capsys, money_cli, "settle", "--bill", str(_bill(data_dir)), "--yes", "--operator", "C001"
    )

    assert refused.value.code == "store_damaged"
    assert "backup restore" in refused.value.text
    assert code != 0
    assert document["error"] == "store_damaged"
    assert "backup restore" in document["message"]
    assert sandbox.request_count() == before  # nothing was sent


def _bill(data_dir: Path) -> Path:
    from helpers.engine_fixtures import demo_bill_path  # noqa: PLC0415

    return demo_bill_path("02")


def test_an_emptied_database_beside_its_key_is_refused_not_recreated(
    money_cli: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data_dir = money_cli
    database = database_path(data_dir)
    assert (data_dir / "store.key").exists()
    database.write_bytes(b"")
    for side in ("-wal", "-shm"):
        database.with_name(database.name + side).unlink(missing_ok=True)

    with pytest.raises(StoreError) as refused:
        make_engine(load_settings(config), data_dir)
    code, document = run_json(capsys, money_cli, "journal", "list")

    assert refused.value.code == "store_empty"
    assert "backup restore" in refused.value.text
    assert document["error"] == "store_empty"
    assert code != 0
    assert database.stat().st_size == 0  # still the evidence, not a new empty store


def test_a_database_whose_key_file_is_gone_is_refused_and_no_new_key_is_made(
    money_cli: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The key file deleted (or not copied to a replacement PC) beside an existing database: a new
    key could never read it, so none is written — the data folder stays as it was, for IT to put
    the escrowed key back (docs/deployment.md, "The data key")."""
    config, data_dir = money_cli
    database = database_path(data_dir)
    key_file = data_dir / "store.key"
    key_file.unlink()
    before = database.read_bytes()

    with pytest.raises(StoreError) as refused:
        make_engine(load_settings(config), data_dir)
    code, document = run_json(capsys, money_cli, "journal", "list")

    assert refused.value.code == "store_key_missing"
    assert "密钥" in refused.value.text
    assert document["error"] == "store_key_missing"
    assert code != 0
    assert not key_file.exists()
    assert database.read_bytes() == before


def _backup(capsys: pytest.CaptureFixture[str], env: tuple[Path, Path], target: Path) -> None:
    _add_admin(*env)
    code, document = run_json(capsys, env, "backup", "create", "--output", str(target), *AS_ADMIN)
    assert code == 0, document


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "backup_invalid"),
        (b"x", "backup_invalid"),
        (None, "backup_not_a_store"),  # an SQLite file of some other program
    ],
    ids=["0-byte", "1-byte", "foreign-sqlite"],
)
def test_backup_check_and_restore_refuse_files_that_are_not_a_store(
    content: bytes | None,
    error: str,
    money_cli: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _config, data_dir = money_cli
    candidate = data_dir.parent / "candidate.sqlite"
    if content is None:
        with closing(sqlite3.connect(candidate)) as other:
            other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
            other.execute("INSERT INTO notes (text) VALUES ('hello')")
            other.commit()
    else:
        candidate.write_bytes(content)
    _add_admin(*money_cli)
    operators = _operator_count(database_path(data_dir))

    check_code, checked = run_json(capsys, money_cli, "backup", "check", str(candidate))
    restore_code, restored = run_json(
        capsys, money_cli, "backup", "restore", str(candidate), *AS_ADMIN
    )

    assert check_code != 0
    assert checked["error"] == error
    assert "正常" not in checked["message"]
    assert restore_code != 0
    assert restored["error"] == error
    assert _operator_count(database_path(data_dir)) == operators  # nothing replaced


def test_a_backup_of_another_installation_is_refused(
    money_cli: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    config, _data_dir = money_cli
    other_dir = tmp_path / "other-install"
    other = make_engine(load_settings(config), other_dir)
    other.close()
    backup = tmp_path / "other.backup.sqlite"
    _backup(capsys, (config, other_dir), backup)

    code, document = run_json(capsys, money_cli, "backup", "check", str(backup))

    assert code != 0
    assert document["error"] == "backup_foreign"


def test_a_good_backup_still_checks_ok_and_restores_over_an_emptied_database(
    money_cli: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _config, data_dir = money_cli
    backup = tmp_path / "good.backup.sqlite"
    _backup(capsys, money_cli, backup)
    operators = _operator_count(database_path(data_dir))
    code, checked = run_json(capsys, money_cli, "backup", "check", str(backup))
    assert code == 0, checked
    database = database_path(data_dir)
    database.write_bytes(b"")

    code, restored = run_json(capsys, money_cli, "backup", "restore", str(backup), *AS_ADMIN)

    assert code == 0, restored
    assert _operator_count(database) == operators
