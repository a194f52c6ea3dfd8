"""Shared once, from the console (issue 13 item 3): the IT admin's usual ``users`` commands and
``catalog import`` at W01 act on the hospital's PostgreSQL; W02 — another data folder, another
window number, the same hospital database and key — sees the account and the catalogue. Real
subprocesses, the real PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.pg_fixtures import HospitalDb

from app.sandbox import SandboxServer
from app.store.hospital.key import create_hospital_key
from tests.hospital.test_hospital_cli import schema_url, write_config

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "It-admin-2026"
CASHIER = "Cashier-2026x"


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    done = subprocess.run(
        [sys.executable, "-m", "app", "--json", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        check=False,
        cwd=ROOT,
    )
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}, done.stderr


def window_config(
    tmp_path: Path, name: str, sandbox: SandboxServer, db: HospitalDb, key: Path
) -> list[str]:
    config = write_config(tmp_path / f"{name}.toml", sandbox, schema_url(db.schema), key)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('device_no = "W01"', f'device_no = "{name}"'), encoding="utf-8")
    return ["--config", str(config), "--data-dir", str(tmp_path / name)]


@pytest.fixture
def windows(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> tuple[list[str], list[str]]:
    key = tmp_path / "hospital.key"
    create_hospital_key(key)
    return (
        window_config(tmp_path, "W01", sandbox, hospital_db, key),
        window_config(tmp_path, "W02", sandbox, hospital_db, key),
    )


def test_users_made_at_w01_log_in_at_w02_and_the_catalogue_is_imported_once(
    windows: tuple[list[str], list[str]], tmp_path: Path
) -> None:
    w01, w02 = windows
    code, _, err = run(
        *w01,
        "users",
        "init-admin",
        "A001",
        "--name",
        "信息科",
        "--password-stdin",
        stdin=f"{ADMIN}\n",
    )
    assert code == 0, err
    code, _, err = run(
        *w01, "users", "add", "S101", "--name", "主管", "--role", "supervisor", "--as", "A001",
        "--password-stdin", stdin=f"{ADMIN}\n{CASHIER}\n",
    )  # fmt: skip
    assert code == 0, err

    code, listed, err = run(
        *w02, "users", "list", "--as", "A001", "--password-stdin", stdin=f"{ADMIN}\n"
    )
    assert code == 0, err
    assert "S101" in json.dumps(listed)
    code, again, _ = run(
        *w02,
        "users",
        "init-admin",
        "A002",
        "--name",
        "又一个",
        "--password-stdin",
        stdin=f"{ADMIN}\n",
    )
    assert code != 0, "the hospital already has an administrator"
    assert again["error"] == "admin_exists"

    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(
        json.dumps(
            {
                "items": [
                    {
                        "hospital_code": "HX01",
                        "national_code": "XN01",
                        "name": "共享阿司匹林",
                        "unit_price": "3.20",
                    }
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    as_s101 = {"SW_OPERATOR": "S101", "SW_OPERATOR_PASSWORD": CASHIER}
    code, imported, err = run(*w01, "catalog", "import", str(catalogue), env=as_s101)
    assert code == 0, err
    assert imported["imported"] == 1
    code, _, err = run(*w02, "hospital", "sync")
    assert code == 0, err
    code, found, err = run(*w02, "catalog", "search", "HX01")
    assert code == 0, err
    assert [i["name"] for i in found["items"]] == ["共享阿司匹林"]
