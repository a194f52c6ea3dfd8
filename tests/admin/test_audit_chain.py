"""The audit chain is verified where people look (issue #11 item 5, reliability.md S5): ``doctor``
walks it from a stored, keyed checkpoint; ``export audit`` refuses a broken chain; the day close
records the chain head it saw. Rows are forged and deleted with raw sqlite3 after dropping the
triggers, as someone with the file would."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from helpers.engine_fixtures import (
    SUPERVISOR_PASSWORD,
    add_operators,
    demo_bill,
    fresh_visit,
    make_engine,
)
from helpers.money_fixtures import run_json

from app.config import database_path, load_settings
from app.sandbox import SandboxServer


@pytest.fixture
def chained(money_cli: tuple[Path, Path], sandbox: SandboxServer) -> tuple[Path, Path]:
    """A data folder whose audit log holds a settlement's rows."""
    config, data_dir = money_cli
    engine = make_engine(load_settings(config), data_dir)
    try:
        cashier, _ = add_operators(engine)
        engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    finally:
        engine.close()
    return money_cli


def _raw(data_dir: Path) -> sqlite3.Connection:
    raw = sqlite3.connect(database_path(data_dir), isolation_level=None)
    raw.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    raw.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return raw


def _audit_check(capsys: pytest.CaptureFixture[str], env: tuple[Path, Path]) -> dict[str, str]:
    config, data_dir = env
    from app.cli.main import main  # noqa: PLC0415

    main(["--config", str(config), "--data-dir", str(data_dir), "doctor", "--json"], None)
    checks = {c["key"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    return checks["audit"]


def _export(capsys: pytest.CaptureFixture[str], env: tuple[Path, Path]) -> tuple[int, dict]:  # type: ignore[type-arg]
    _config, data_dir = env
    return run_json(
        capsys, env, "export", "audit", "--start", date.today().isoformat(),  # noqa: DTZ011
        "--output", str(data_dir.parent / "audit.csv"),
        "--as", "S001", "--admin-password", SUPERVISOR_PASSWORD,
    )  # fmt: skip


def test_doctor_reports_an_intact_chain_and_keeps_a_checkpoint(
    chained: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    check = _audit_check(capsys, chained)

    assert check["status"] == "ok", check
    with closing(sqlite3.connect(database_path(chained[1]))) as raw:
        stored = raw.execute(
            "SELECT value FROM store_meta WHERE key = 'audit_checkpoint'"
        ).fetchone()
    assert stored is not None


def test_doctor_and_export_catch_an_edited_row_after_the_checkpoint(
    chained: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _audit_check(capsys, chained)["status"] == "ok"  # checkpoint at the head
    engine = make_engine(load_settings(chained[0]), chained[1])
    try:
        cashier, _ = add_operators(engine)
        engine.settle_visit(fresh_visit(demo_bill("02")), cashier)  # rows after the checkpoint
    finally:
        engine.close()
    with closing(_raw(chained[1])) as raw:
        (last,) = raw.execute("SELECT max(seq) FROM audit_log").fetchone()
        raw.execute("UPDATE audit_log SET outcome = 'forged' WHERE seq = ?", (last - 1,))

    check = _audit_check(capsys, chained)
    code, document = _export(capsys, chained)

    assert check["status"] == "error", check
    assert f"第 {last - 1} 条" in check["text"]
    assert code != 0
    assert document["error"] == "audit_chain_broken"
    assert not (chained[1].parent / "audit.csv").exists()


def test_a_deleted_row_and_a_moved_checkpoint_are_caught(
    chained: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with closing(_raw(chained[1])) as raw:
        raw.execute("DELETE FROM audit_log WHERE seq = 2")
    assert _audit_check(capsys, chained)["status"] == "error"
    # Someone writes a checkpoint past the damage: it is not keyed with the data key, so ignored.
    with closing(_raw(chained[1])) as raw:
        seq, row_hash = raw.execute(
            "SELECT seq, row_hash FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        raw.execute(
            "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('audit_checkpoint', ?)",
            (f"{seq}:{row_hash}:{'0' * 64}",),
        )

    check = _audit_check(capsys, chained)

    assert check["status"] == "error"
    assert "校验点被改动" in check["text"]
    assert "缺失" in check["text"]


def test_editing_the_checkpoint_row_itself_is_caught(
    chained: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _audit_check(capsys, chained)["status"] == "ok"
    with closing(_raw(chained[1])) as raw:
        raw.execute(
            "UPDATE audit_log SET operator_code = 'X999' WHERE seq = (SELECT max(seq) FROM audit_log)"
        )

    assert _audit_check(capsys, chained)["status"] == "error"


def test_the_day_close_records_the_chain_head_it_saw(
    chained: tuple[Path, Path], sandbox: SandboxServer
) -> None:
    engine = make_engine(load_settings(chained[0]), chained[1])
    try:
        _, supervisor = add_operators(engine)
        with engine.uow_factory() as uow:
            before = uow.audit.head()
        engine.close_day(engine.day_close.today(), supervisor)
        with engine.uow_factory() as uow:
            rows = uow.audit.between(engine.clock.now().replace(year=2000), engine.clock.now())
            last = [r for r in rows if r.event == "day_close"][-1]
            seq, head = uow.audit.head()
    finally:
        engine.close()

    recorded = last.detail.split("audit_head=")[1]
    seen_seq, seen_head = recorded.split(":")
    assert int(seen_seq) >= before[0]
    assert int(seen_seq) < seq
    assert len(seen_head) == 64
    assert seen_head != head
