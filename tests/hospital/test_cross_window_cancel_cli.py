"""Hospital mode end to end through the command line: paid at W01, synced, cancelled at W02 by
``settlement-window cancel`` (two data folders, one schema, one sandbox) — exactly one 2208."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import tomli_w
from helpers.engine_fixtures import (
    CASHIER_PASSWORD,
    SUPERVISOR_PASSWORD,
    add_operators,
    demo_bill,
    fresh_visit,
    make_engine,
)
from helpers.pg_fixtures import HospitalDb, hospital_test_url

from app.config import load_settings
from app.sandbox import SandboxServer, client_config
from app.store.hospital.key import create_hospital_key

ROOT = Path(__file__).resolve().parents[2]


def run(
    config: Path, data_dir: Path, *args: str, operator_password: str = CASHIER_PASSWORD
) -> tuple[int, dict[str, Any], str]:
    """``python -m app --json …`` for one window; the exit code, the JSON document and stderr."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "--json",
            "--config",
            str(config),
            "--data-dir",
            str(data_dir),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SW_OPERATOR_PASSWORD": operator_password,
            "SW_SUPERVISOR_PASSWORD": SUPERVISOR_PASSWORD,
        },
        check=False,
        cwd=ROOT,
    )
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}, done.stderr


def window_config(tmp_path: Path, sandbox: SandboxServer, schema: str, name: str) -> Path:
    key = tmp_path / "hospital.key"
    if not key.exists():
        create_hospital_key(key)
    config = client_config(sandbox)
    config["window"] = {**config.get("window", {}), "device_no": name}
    url = f"{hospital_test_url()}?options=-csearch_path%3D{schema}"
    config["hospital_db"] = {"url": url, "hospital_key_file": str(key)}
    path = tmp_path / f"{name}.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


def test_paid_at_w01_synced_then_cancelled_at_w02_from_the_command_line(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    w01 = window_config(tmp_path, sandbox, hospital_db.schema, "W01")
    w02 = window_config(tmp_path, sandbox, hospital_db.schema, "W02")
    engine = make_engine(load_settings(w01), tmp_path / "w01")
    try:
        cashier, _ = add_operators(engine)
        bill = engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    finally:
        engine.close()
    settlement_id = next(g.settlement_id for g in bill.groups if g.settlement_id)
    assert settlement_id is not None
    other = make_engine(load_settings(w02), tmp_path / "w02")
    add_operators(other)
    other.close()

    sync_code, synced, _ = run(w01, tmp_path / "w01", "hospital", "sync")
    before = sandbox.request_count("2208")
    code, cancelled, err = run(
        w02, tmp_path / "w02", "cancel", settlement_id, "--operator", "C001", "--supervisor", "S001"
    )

    assert sync_code == 0, synced
    assert code == 0, (cancelled, err)
    assert cancelled["cancellation"]["original_settlement_id"] == settlement_id
    assert sandbox.request_count("2208") == before + 1
