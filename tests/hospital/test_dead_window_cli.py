"""A dead window's unresolved call, resolved from another window through the command line
(issue 13 item 5): ``hospital unresolved`` shows it with its window not running, ``hospital resolve``
sends the one 2601 at this window."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

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
