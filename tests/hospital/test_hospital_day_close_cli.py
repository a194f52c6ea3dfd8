"""``settlement-window hospital day-close`` that does not balance, as a supervisor reads it: which
rows differ and where they are, and ``--json`` saying ``"ok": false`` with its exit code 3."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers.engine_fixtures import (
    SUPERVISOR_PASSWORD,
    add_operators,
    demo_bill,
    fresh_visit,
    make_engine,
)
from helpers.pg_fixtures import HospitalDb

from app.config import load_settings
from app.sandbox import SandboxServer
from hospital.test_cross_window_cancel_cli import ROOT, window_config
from hospital.test_dead_window_cli import run


def test_an_unbalanced_hospital_day_close_names_each_row_and_says_not_ok(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    """Field test: W02 settled from the command line and never synced (nobody ran ``hospital sync``
    there); the day close at W01 said "明细差异 N 笔，请收费主管核对" without naming one row, and its
    ``--json`` said ``"ok": true`` with exit code 3."""
    w01 = window_config(tmp_path, sandbox, hospital_db.schema, "W01")
    w02 = window_config(tmp_path, sandbox, hospital_db.schema, "W02")
    settled: dict[str, str] = {}
    for name, config in (("W01", w01), ("W02", w02)):
        engine = make_engine(load_settings(config), tmp_path / name)
        try:
            cashier, _ = add_operators(engine)
            bill = engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
            settled[name] = next(g.settlement_id for g in bill.groups if g.settlement_id)
        finally:
            engine.close()
    code, synced, err = run(w01, tmp_path / "W01", "hospital", "sync")
    assert code == 0, (synced, err)

    code, closed, err = run(w01, tmp_path / "W01", "hospital", "day-close", "--operator", "S001")
    command = [
        sys.executable,
        "-m",
        "app",
        "--config",
        str(w01),
        "--data-dir",
        str(tmp_path / "W01"),
    ]
    text = subprocess.run(
        [*command, "hospital", "day-close", "--operator", "S001"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SW_OPERATOR_PASSWORD": SUPERVISOR_PASSWORD},
        check=False,
    )

    assert code == 3, (closed, err)
    assert closed["ok"] is False
    report = closed["report"]
    assert report["balanced"] is False
    rows = {row["settlement_id"]: row for row in report["discrepancy_rows"]}
    assert rows[settled["W02"]]["where"] == "医院记录中无此流水"
    assert rows[settled["W02"]]["kind"] == "platform_only"
    assert settled["W01"] not in rows
    assert [g["balanced"] for g in report["statement_groups"]] == [False]
    assert text.returncode == 3, text.stderr
    (line,) = [row for row in text.stdout.splitlines() if settled["W02"] in row]
    assert "中心多" in line
    assert "医院记录中无此流水" in line
