"""``settlement-window hospital …`` end to end: real subprocesses, the real PostgreSQL, a throwaway
schema named in the URL (``options=-csearch_path=…``), as IT and a window would run them."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from helpers.engine_fixtures import (
    CASHIER_PASSWORD,
    SUPERVISOR_PASSWORD,
    add_operators,
    demo_bill,
    demo_bill_path,
    fresh_visit,
    make_engine,
)
from helpers.pg_fixtures import HospitalDb, hospital_test_url
from sqlalchemy import create_engine, text

from app.config import load_settings
from app.sandbox import SandboxServer, client_config
from app.store.hospital.connect import head_revision
from app.store.hospital.key import create_hospital_key

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"


def schema_url(schema: str, base: str | None = None) -> str:
    """The test server's URL confined to ``schema`` (how the docs' examples are run here)."""
    return f"{base or hospital_test_url()}?options=-csearch_path%3D{schema}"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    """``python -m app --json …``; the exit code, the JSON document and stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "app", "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        check=False,
        cwd=ROOT,
    )
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}, done.stderr


def write_config(path: Path, sandbox: SandboxServer, url: str, key: Path) -> Path:
    config = client_config(sandbox)
    config["hospital_db"] = {"url": url, "hospital_key_file": str(key)}
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "hospital.key"
    create_hospital_key(path)
    return path


@pytest.fixture
def window(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path, key_file: Path
) -> tuple[Path, Path]:
    """(config, data folder) of window W01 on the hospital schema, with one settled visit."""
    config = write_config(tmp_path / "w01.toml", sandbox, schema_url(hospital_db.schema), key_file)
    data_dir = tmp_path / "w01"
    engine = make_engine(load_settings(config), data_dir)
    try:
        cashier, _ = add_operators(engine)
        engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    finally:
        engine.close()
    return config, data_dir


@pytest.fixture
def empty_schema() -> Iterator[str]:
    admin = create_engine(hospital_test_url())
    schema = f"hsp_{secrets.token_hex(6)}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_init_db_creates_the_schema_then_says_it_is_current(
    empty_schema: str, sandbox: SandboxServer, tmp_path: Path, key_file: Path
) -> None:
    config = write_config(tmp_path / "it.toml", sandbox, UNREACHABLE, key_file)
    url = schema_url(empty_schema)

    code, first, _ = run("--config", str(config), "hospital", "init-db", "--url", url)
    again_code, again, _ = run("--config", str(config), "hospital", "init-db", "--url", url)

    assert code == 0
    assert first["previous"] is None
    assert first["revision"] == head_revision()
    assert again_code == 0
    assert again["previous"] == again["revision"] == head_revision()


def test_sync_delivers_everything_and_status_shows_the_window_with_its_totals(
    window: tuple[Path, Path],
) -> None:
    config, data_dir = window
    base = ("--config", str(config), "--data-dir", str(data_dir), "hospital")

    code, synced, _ = run(*base, "sync")
    status_code, status, _ = run(*base, "status")

    assert code == 0
    assert synced["delivered"] > 0
    assert synced["pending"] == 0
    assert status_code == 0
    (w01,) = status["windows"]
    assert w01["device_no"] == "W01"
    assert w01["pending"] == 0
    assert w01["last_sync_at"]
    assert w01["settlements_today"] == 1
    assert w01["unresolved"] == 0
    total = Decimal(w01["total_today"])
    assert total > 0
    parts = Decimal(w01["fund_today"]) + Decimal(w01["account_today"]) + Decimal(w01["cash_today"])
    assert parts <= total  # the rest is what the hospital bears itself


def test_a_window_without_settlements_today_shows_its_totals_to_the_fen(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path, key_file: Path
) -> None:
    """Field test: a window that synced but settled nothing today was shown as ``"0"`` (JSON) and
    ``0  0  0  0`` (text) instead of amounts to the fen."""
    config = write_config(tmp_path / "w01.toml", sandbox, schema_url(hospital_db.schema), key_file)
    base = ("--config", str(config), "--data-dir", str(tmp_path / "w01"), "hospital")
    assert run(*base, "sync")[0] == 0

    code, status, _ = run(*base, "status")

    assert code == 0
    (w01,) = status["windows"]
    assert w01["settlements_today"] == 0
    amounts = [w01[f"{part}_today"] for part in ("fund", "account", "cash", "total")]
    assert amounts == ["0.00"] * 4


def test_status_in_words_and_with_its_own_json_flag(window: tuple[Path, Path]) -> None:
    config, data_dir = window
    base = ["--config", str(config), "--data-dir", str(data_dir), "hospital"]
    assert run(*base, "sync")[0] == 0

    done = subprocess.run(
        [sys.executable, "-m", "app", *base, "status"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    with_flag = subprocess.run(
        [sys.executable, "-m", "app", *base, "status", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )

    assert done.returncode == 0
    assert "W01" in done.stdout
    assert "合计" in done.stdout
    assert json.loads(with_flag.stdout)["windows"][0]["device_no"] == "W01"


def test_an_unreachable_server_keeps_the_records_and_says_so_in_chinese(
    sandbox: SandboxServer, tmp_path: Path, key_file: Path
) -> None:
    config = write_config(tmp_path / "away.toml", sandbox, UNREACHABLE, key_file)
    data_dir = tmp_path / "away"
    base = ("--config", str(config), "--data-dir", str(data_dir), "hospital")

    code, synced, _ = run(*base, "sync")
    status_code, status, _ = run(*base, "status")

    assert code == 4
    assert synced["ok"] is False
    assert synced["pending"] > 0  # the configuration change's audit row at least, kept locally
    assert "医院数据库" in synced["error"]
    assert status_code == 4
    assert status["error"] == "hospital_unreachable"
    assert "本窗口继续在本机记账和结算" in status["message"]


def test_money_commands_refused_for_an_unreachable_server_exit_4_like_an_unreachable_platform(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path, key_file: Path
) -> None:
    """Field test: with PostgreSQL down, ``settle`` of a new HIS visit and ``cancel`` said "nothing
    was sent, try again when it is back" but exited 2 ("fix the command or the file"), so an HIS
    script would never retry; ``hospital sync``/``status`` exit 4 for the same cause."""
    up = write_config(tmp_path / "up.toml", sandbox, schema_url(hospital_db.schema), key_file)
    data_dir = tmp_path / "w01"
    engine = make_engine(load_settings(up), data_dir)
    try:
        cashier, _ = add_operators(engine)
        bill = engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    finally:
        engine.close()
    settlement_id = next(g.settlement_id for g in bill.groups if g.settlement_id)
    assert settlement_id is not None
    away = write_config(tmp_path / "away.toml", sandbox, UNREACHABLE, key_file)
    base = ("--config", str(away), "--data-dir", str(data_dir))
    env = {"SW_OPERATOR_PASSWORD": CASHIER_PASSWORD, "SW_SUPERVISOR_PASSWORD": SUPERVISOR_PASSWORD}

    settle_code, settled, _ = run(
        *base, "settle", "--bill", str(demo_bill_path("02")), "--yes", "--operator", "C001", env=env
    )
    cancel_code, cancelled, _ = run(
        *base, "cancel", settlement_id, "--operator", "C001", "--supervisor", "S001", env=env
    )

    assert (settle_code, settled["error"]) == (4, "hospital_unreachable"), settled
    assert settled["exit_code"] == 4
    assert (cancel_code, cancelled["error"]) == (4, "hospital_unreachable"), cancelled
    assert cancelled["exit_code"] == 4
    assert sandbox.request_count("2208") == 0


def test_key_create_writes_a_private_key_once(tmp_path: Path) -> None:
    path = tmp_path / "new.key"

    code, created, _ = run("hospital", "key-create", str(path))
    again, refused, _ = run("hospital", "key-create", str(path))

    assert code == 0
    assert len(path.read_bytes()) == 32
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    assert len(created["key_id"]) == 16
    assert again != 0
    assert refused["error"] == "hospital_key_exists"


def test_without_hospital_mode_the_commands_say_how_to_switch_it_on(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    config = tmp_path / "plain.toml"
    config.write_text(tomli_w.dumps(client_config(sandbox)), encoding="utf-8")

    code, answer, _ = run(
        "--config", str(config), "--data-dir", str(tmp_path / "d"), "hospital", "sync"
    )

    assert code == 2
    assert "[hospital_db]" in answer["message"]


def _doctor_check(config: Path, data_dir: Path) -> dict[str, Any]:
    _, report, _ = run("--config", str(config), "--data-dir", str(data_dir), "doctor")
    (check,) = [c for c in report["checks"] if c["key"] == "hospital_db"]
    return check


def test_doctor_shows_waiting_records_lag_and_last_sync(window: tuple[Path, Path]) -> None:
    config, data_dir = window
    before = _doctor_check(config, data_dir)
    assert run("--config", str(config), "--data-dir", str(data_dir), "hospital", "sync")[0] == 0
    after = _doctor_check(config, data_dir)

    assert before["status"] == "warning"
    assert "尚未开始同步" in before["text"]
    assert after["status"] == "ok"
    assert "已连接" in after["text"]
    assert "待同步 0 条" in after["text"]
    assert "上次同步 尚无" not in after["text"]


def test_doctor_says_in_chinese_when_the_hospital_database_is_unreachable(
    sandbox: SandboxServer, tmp_path: Path, key_file: Path
) -> None:
    config = write_config(tmp_path / "away.toml", sandbox, UNREACHABLE, key_file)

    check = _doctor_check(config, tmp_path / "away")

    assert check["status"] == "error"
    assert "暂时无法连接医院数据库" in check["text"]
    assert "Traceback" not in check["text"]
