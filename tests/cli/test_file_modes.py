"""Files 0600 and folders 0700 on creation, whatever the umask; a looser data folder is tightened.

The tests run as root, who can read anything whatever the mode, so they check the modes themselves
(``os.stat``), not whether another account could open the files.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import demo_bill_path, make_engine

from app.cli.main import main
from app.config import LogSettings, Settings, load_settings
from app.domain.operator import Role
from app.log import LOG_FILE_NAME, setup_logging
from app.sandbox import SandboxServer
from app.sandbox.cli import write_config
from app.services.engine import Engine

CliRunner = Callable[..., tuple[int, dict[str, Any]]]
ADMIN_PASSWORD = "Admin-pass-2026"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual 022: without explicit modes, files would be 0644 and folders 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _factory(settings: Settings, data_dir: Path) -> Engine:
    return make_engine(settings, data_dir)


def test_database_wal_shm_logs_and_data_folder_are_private(
    cli: CliRunner, cli_env: tuple[Path, Path], sandbox: SandboxServer
) -> None:
    _, data_dir = cli_env
    data_dir.chmod(0o755)  # as an older version (or a careless copy) left it

    code, _ = cli("settle", "--bill", str(demo_bill_path("01")), "--yes", "--operator", "C001")

    assert code == 0
    assert mode(data_dir) == 0o700
    database = data_dir / "settlement-window.sqlite3"
    sides = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
    for path in [database, *(p for p in sides if p.exists())]:
        assert mode(path) == 0o600, path
    assert mode(data_dir / "logs") == 0o700
    assert mode(data_dir / "logs" / LOG_FILE_NAME) == 0o600


def test_new_database_files_are_private_from_the_start(
    sandbox: SandboxServer, tmp_path: Path, cli_env: tuple[Path, Path]
) -> None:
    config, _ = cli_env
    fresh = tmp_path / "fresh" / "data"

    engine = make_engine(load_settings(config), fresh)
    try:
        database = fresh / "settlement-window.sqlite3"
        assert mode(database) == 0o600
        assert mode(database.with_name(database.name + "-wal")) == 0o600
        assert mode(fresh) == 0o700
        assert mode(fresh.parent) == 0o700
    finally:
        engine.close()


def test_backups_and_their_folders_are_private(
    cli_env: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, data_dir = cli_env
    engine = make_engine(load_settings(config), data_dir)
    with engine.uow_factory() as uow:
        uow.operators.add("A001", "信息科管理员", Role.ADMIN, ADMIN_PASSWORD)
        uow.commit()
    engine.close()
    chosen = tmp_path / "usb" / "nightly" / "copy.sqlite"
    base = ["--config", str(config), "--data-dir", str(data_dir), "--json", "backup", "create"]
    actor = ["--as", "A001", "--admin-password", ADMIN_PASSWORD]

    (data_dir / "backups").mkdir(mode=0o755)  # as an older version left it
    assert main([*base, *actor], _factory) == 0
    default_copy = Path(json.loads(capsys.readouterr().out)["path"])
    assert main([*base, "--output", str(chosen), *actor], _factory) == 0

    assert mode(default_copy.parent) == 0o700  # backups/
    assert mode(default_copy) == 0o600
    assert mode(chosen.parent) == 0o700
    assert mode(chosen.parent.parent) == 0o700
    assert mode(chosen) == 0o600


def test_an_existing_output_folder_is_left_alone(
    cli_env: tuple[Path, Path], tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    config, data_dir = cli_env
    engine = make_engine(load_settings(config), data_dir)
    with engine.uow_factory() as uow:
        uow.operators.add("A001", "信息科管理员", Role.ADMIN, ADMIN_PASSWORD)
        uow.commit()
    engine.close()

    code = main(
        ["--config", str(config), "--data-dir", str(data_dir), "backup", "create",
         "--output", str(shared / "copy.sqlite"), "--as", "A001", "--admin-password",
         ADMIN_PASSWORD],
        _factory,
    )  # fmt: skip

    assert code == 0
    assert mode(shared) == 0o755
    assert mode(shared / "copy.sqlite") == 0o600


def test_the_sandbox_config_holding_the_token_is_private(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    path = tmp_path / "new-folder" / "settlement-window.toml"

    write_config(sandbox, path)

    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert sandbox.token in path.read_text(encoding="utf-8")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left


def test_the_sandbox_configuration_appears_whole_or_not_at_all(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script polls for ``--write-config``'s file and reads it at once: the file must never be
    visible empty or half-written (a CI run read ``{}`` from it once)."""
    path = tmp_path / "client.toml"
    seen_before_rename: list[bool] = []
    real_replace = os.replace

    def watching_replace(source: Any, target: Any) -> None:
        seen_before_rename.append(Path(target).exists())
        tomllib.loads(Path(source).read_text(encoding="utf-8"))  # complete before it is renamed
        real_replace(source, target)

    monkeypatch.setattr("app.sandbox.cli.os.replace", watching_replace)
    write_config(sandbox, path)

    assert seen_before_rename == [False]
    assert tomllib.loads(path.read_text(encoding="utf-8"))["platform"]["url"] == sandbox.url
    assert mode(path) == 0o600


def test_rotated_log_files_stay_private(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir(mode=0o755)  # as an older version left it
    handle = setup_logging(tmp_path, LogSettings(max_bytes=200, backup_count=2))
    try:
        for n in range(20):
            logging.getLogger("test.rotation").warning("line %d %s", n, "x" * 40)
    finally:
        handle.close()

    files = sorted((tmp_path / "logs").iterdir())
    assert len(files) == 3
    assert {mode(f) for f in files} == {0o600}
    assert mode(tmp_path / "logs") == 0o700
