"""A dead window's unresolved call, resolved from another window through the command line
(issue 13 item 5): ``hospital unresolved`` shows it with its window not running, ``hospital resolve``
sends the one 2601 at this window."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w
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
from hospital.test_cross_window_cancel_cli import run as run_as
from hospital.test_cross_window_cancel_cli import window_config

ROOT = Path(__file__).resolve().parents[2]


def run(config: Path, data_dir: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """The command as a supervisor (``--operator S001`` reads this password)."""
    return run_as(config, data_dir, *args, operator_password=SUPERVISOR_PASSWORD)


def test_a_dead_windows_call_is_listed_and_resolved_at_another_window(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    w01 = window_config(tmp_path, sandbox, hospital_db.schema, "W01")
    w02 = window_config(tmp_path, sandbox, hospital_db.schema, "W02")
    engine = make_engine(load_settings(w01), tmp_path / "w01")
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
        engine.close()  # W01 is gone: its PC died with the call unresolved
    other = make_engine(load_settings(w02), tmp_path / "w02")
    add_operators(other)
    other.close()
    sync_code, synced, err = run(w01, tmp_path / "w01", "hospital", "sync")
    assert sync_code == 0, (synced, err)

    code, listed, err = run(w02, tmp_path / "w02", "hospital", "unresolved")

    assert code == 0, (listed, err)
    (shown,) = [r for r in listed["rows"] if r["msgid"] == row.msgid]
    assert shown["window"] == "W01"
    assert shown["window_running"] is False

    before = sandbox.request_count("2601")
    code, resolved, err = run(
        w02, tmp_path / "w02", "hospital", "resolve", row.msgid, "--operator", "S001"
    )

    assert code == 0, (resolved, err)
    assert resolved["state"] in ("reversed", "void", "cleaned")
    assert sandbox.request_count("2601") == before + 1
    code, again, err = run(w02, tmp_path / "w02", "hospital", "sync")
    assert code == 0, (again, err)
    code, listed, err = run(w02, tmp_path / "w02", "hospital", "unresolved")
    assert row.msgid not in [r["msgid"] for r in listed["rows"]]


def test_the_hospital_day_close_and_history_cover_every_window_from_the_command_line(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    configs = {n: window_config(tmp_path, sandbox, hospital_db.schema, n) for n in ("W01", "W02")}
    settled: dict[str, list[str]] = {}
    for name, config in configs.items():
        engine = make_engine(load_settings(config), tmp_path / name)
        try:
            cashier, _ = add_operators(engine)
            bill = engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
            settled[name] = [g.settlement_id for g in bill.groups if g.settlement_id]
        finally:
            engine.close()
    for name, config in configs.items():
        code, synced, err = run(config, tmp_path / name, "hospital", "sync")
        assert code == 0, (synced, err)

    code, history, err = run(configs["W02"], tmp_path / "W02", "hospital", "history")

    assert code == 0, (history, err)
    shown = {(s["window"], s["settlement_id"]) for s in history["settlements"]}
    assert shown == {(w, i) for w, ids in settled.items() for i in ids}
    assert history["complete"] is True

    code, closed, err = run(
        configs["W02"], tmp_path / "W02", "hospital", "day-close", "--operator", "S001"
    )

    assert code == 0, (closed, err)
    report = closed["report"]
    assert report["balanced"] is True
    assert report["windows"] == ["W01", "W02"]
    ledger = [
        r for r in sandbox.ledger() if r["setl_id"] in {i for v in settled.values() for i in v}
    ]
    assert Decimal(report["total"]) == sum(Decimal(str(r["medfee_sumamt"])) for r in ledger)
    assert {line["window"] for line in report["shift"]} == {"W01", "W02"}


def _english(config: Path) -> Path:
    """The same window's configuration with ``[ui] language = "en"``."""
    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    settings["ui"] = {**settings.get("ui", {}), "language": "en"}
    path = config.with_name(config.stem + "-en.toml")
    path.write_text(tomli_w.dumps(settings), encoding="utf-8")
    return path


def _text(config: Path, data_dir: Path, *args: str) -> tuple[int, str, str]:
    """The command for people (no ``--json``), as supervisor S001."""
    done = subprocess.run(
        [sys.executable, "-m", "app", "--config", str(config), "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SW_OPERATOR_PASSWORD": SUPERVISOR_PASSWORD},
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_reversal_that_is_not_final_exits_5_and_the_acting_window_retries_it(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path, language: str
) -> None:
    """The 2601 sent at W02 meets a platform fault: the row is not resolved yet. ``hospital
    resolve`` says so (exit 5: outcome unknown, do not charge again), naming W02 as the window that
    retries it; W02 does, by itself, before its next settlement."""
    w01 = window_config(tmp_path, sandbox, hospital_db.schema, "W01")
    w02 = window_config(tmp_path, sandbox, hospital_db.schema, "W02")
    engine = make_engine(load_settings(w01), tmp_path / "w01")
    try:
        cashier, _ = add_operators(engine)
        sandbox.set_faults(
            [
                {"infno": "2207", "kind": "drop_after", "nth": [1]},
                {"infno": "2601", "kind": "http_error_before", "probability": 1.0},
            ]
        )
        engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
        with engine.uow_factory() as uow:
            (row,) = [e for e in uow.journal.unresolved() if e.infno == "2207"]
    finally:
        engine.close()  # W01's PC died with the call unresolved
    other = make_engine(load_settings(w02), tmp_path / "w02")
    add_operators(other)
    other.close()
    sync_code, synced, err = run(w01, tmp_path / "w01", "hospital", "sync")
    assert sync_code == 0, (synced, err)
    before = sandbox.request_count("2601")
    try:  # the platform still faults every 2601
        if language == "en":
            code, said, err = _text(
                _english(w02), tmp_path / "w02", "hospital", "resolve", row.msgid,
                "--operator", "S001",
            )  # fmt: skip
            document: dict[str, Any] = {}
        else:
            code, document, err = run(
                w02, tmp_path / "w02", "hospital", "resolve", row.msgid, "--operator", "S001"
            )
            said = document.get("message", "")
    finally:
        sandbox.set_faults([])

    assert code == 5, (said, document, err)
    assert sandbox.request_count("2601") == before + 1  # sent once, at W02
    assert row.msgid in said
    assert "W02" in said
    if language == "en":
        assert "not resolved yet" in said
        assert "retries" in said
        assert not re.search(r"[\u4e00-\u9fff]", said), said
    else:
        assert document["ok"] is False
        assert document["exit_code"] == 5
        assert document["state"] == "reversing"
        assert document["resolved"] is False
        assert document["retried_by"] == "W02"
        assert "尚未处理完" in said
        assert "自动重试" in said

    # W02 retries it by itself: its next settlement first resolves the row the command left.
    w02_engine = make_engine(load_settings(w02), tmp_path / "w02")
    try:
        cashier, _ = add_operators(w02_engine)
        w02_engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
        with w02_engine.uow_factory() as uow:
            resolved = uow.journal.get(row.msgid)
    finally:
        w02_engine.close()
    assert resolved is not None
    assert resolved.state.is_resolved, resolved.state
    assert sandbox.request_count("2601") == before + 2
