"""The CLI beside another running program on the same data folder (issue #16, docs/concurrency.md):
``journal resolve`` leaves that program's call in flight alone and says so; ``day-close`` waits for its
open visit with a clear refusal (exit 5), and withdraws it once that program has ended."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill, make_engine

from app.cli.main import main
from app.config import load_settings
from app.domain.visit import GroupState
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.settlement import GroupResult


def _cli(capsys: pytest.CaptureFixture[str], env: tuple[Path, Path], *args: str) -> tuple[int, Any]:
    config, data_dir = env
    code = main(
        ["--config", str(config), "--data-dir", str(data_dir), "--json", *args],
        make_engine,
    )
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def _window(env: tuple[Path, Path]) -> Engine:
    """Another program on the same folder (the window's engine)."""
    config, data_dir = env
    return make_engine(load_settings(config), data_dir)


def _preview(engine: Engine) -> tuple[str, str]:
    cashier = engine.operator("C001")
    visit = demo_bill("01")
    bill = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)
    key = bill.groups[0].group_key
    engine.settlement.preview(bill.bill_id, key, cashier)
    return bill.bill_id, key


def test_journal_resolve_leaves_another_program_call_in_flight_alone(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    window = _window(cli_env)
    try:
        bill_id, key = _preview(window)
        sandbox.set_faults([{"infno": "2207", "kind": "latency", "params": {"seconds": 1.5}}])
        results: list[GroupResult] = []
        settling = threading.Thread(
            target=lambda: results.append(
                window.settlement.confirm(bill_id, key, window.operator("C001"))
            )
        )
        settling.start()
        while not window.journal():
            time.sleep(0.02)

        code, document = _cli(capsys, cli_env, "journal", "resolve")
        settling.join(timeout=10)
    finally:
        window.close()

    assert code == 0
    assert [row["infno"] for row in document["summary"]["elsewhere"]] == ["2207"]
    assert document["summary"]["reversed"] == 0
    assert sandbox.request_count("2601") == 0
    assert results[0].state is GroupState.SETTLED


def test_day_close_waits_for_another_program_visit_then_withdraws_it(
    cli_env: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = _window(cli_env)
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)
    try:
        _preview(window)  # a cashier in the middle of a visit
        code, refused = _cli(capsys, cli_env, "day-close", "--operator", "S001")
    finally:
        window.close()  # the window ends without settling it

    code_after, closed = _cli(capsys, cli_env, "day-close", "--operator", "S001")

    assert code == 5
    assert refused["error"] == "recovery_pending"
    assert "正在收费程序中办理" in refused["message"]
    assert code_after == 0, closed
    assert sandbox.open_visits() == []
