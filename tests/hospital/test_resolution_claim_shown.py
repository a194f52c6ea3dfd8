"""``hospital unresolved`` names who holds a row's resolution claim (``journal:<msgid>``): which
window and operator are resolving it and since when, in the text and in ``--json`` — so a supervisor
at a third window sees that someone is already on it instead of only being refused by
``hospital resolve``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from helpers.engine_fixtures import add_operators, demo_bill, fresh_visit, make_engine
from helpers.pg_fixtures import HospitalDb

from app.config import load_settings
from app.sandbox import SandboxServer
from app.store.hospital.key import read_hospital_key
from app.store.hospital.record import PgHospitalRecord
from hospital.test_cross_window_cancel_cli import ROOT, window_config
from hospital.test_dead_window_cli import run

MOMENT = datetime(2026, 12, 7, 11, 22, 33, tzinfo=UTC)  # 19:22:33 in Beijing


def _dead_window_row(sandbox: SandboxServer, config: Path, data_dir: Path) -> str:
    """W01 settles, the 2207's answer is lost and no 2601 gets through; then W01 dies."""
    engine = make_engine(load_settings(config), data_dir)
    try:
        cashier, _ = add_operators(engine)
        sandbox.set_faults(
            [
                {"infno": "2207", "kind": "drop_after", "nth": [1]},
                {"infno": "2601", "kind": "http_error_before", "probability": 1.0},
            ]
        )
        try:
            engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
        finally:
            sandbox.set_faults([])
        with engine.uow_factory() as uow:
            (row,) = [e for e in uow.journal.unresolved() if e.infno == "2207"]
    finally:
        engine.close()
    return row.msgid


def test_unresolved_names_the_window_and_operator_resolving_a_row_and_since_when(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    w01 = window_config(tmp_path, sandbox, hospital_db.schema, "W01")
    w02 = window_config(tmp_path, sandbox, hospital_db.schema, "W02")
    msgid = _dead_window_row(sandbox, w01, tmp_path / "w01")
    other = make_engine(load_settings(w02), tmp_path / "w02")
    add_operators(other)
    other.close()
    code, synced, err = run(w01, tmp_path / "w01", "hospital", "sync")
    assert code == 0, (synced, err)

    code, listed, err = run(w02, tmp_path / "w02", "hospital", "unresolved")
    assert code == 0, (listed, err)
    (before,) = [r for r in listed["rows"] if r["msgid"] == msgid]
    assert before["resolution_claim"] is None  # nobody is on it yet

    # A supervisor at W03 has begun resolving it (the claim ``hospital resolve`` takes first).
    record = PgHospitalRecord(hospital_db.engine, read_hospital_key(tmp_path / "hospital.key"))
    assert record.claim_resolution(msgid, "W03", "S007", MOMENT) == "W03"

    code, listed, err = run(w02, tmp_path / "w02", "hospital", "unresolved")
    assert code == 0, (listed, err)
    (shown,) = [r for r in listed["rows"] if r["msgid"] == msgid]
    claim = shown["resolution_claim"]
    assert (claim["window"], claim["operator"]) == ("W03", "S007")
    assert datetime.fromisoformat(claim["claimed_at"]) == MOMENT

    done = subprocess.run(
        [sys.executable, "-m", "app", "--config", str(w02), "--data-dir", str(tmp_path / "w02"),
         "hospital", "unresolved"],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (line,) = [ln for ln in done.stdout.splitlines() if "处理中" in ln]
    assert "窗口 W03 的 S007" in line
    assert "12-07 19:22:33" in line
