"""Offline charge-claim conflicts: found by the push on reconnect, recorded for a supervisor (issue 13).

With the hospital database cut off, W01 settles a HIS visit under the HIS's lock alone (its claims
wait to be pushed). W02 — whose ``[his] lock`` is switched off, the misconfiguration this guards
against — still reaches the server: the hospital claim is granted (W01's is not there yet) and,
taking no HIS lock, it settles the same visit too. The patient's charges are settled twice. When
W01 reaches the server again its push finds W02's claim: the conflict is recorded in the hospital
record (``hospital_claim_conflicts``, revision h0006) with both settlements, windows, operators and
amounts, shown to a supervisor with what to do (never refunded automatically), and marked handled
by a supervisor only, audited at the acting window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
import tomli_w
from helpers.engine_fixtures import (
    SUPERVISOR_PASSWORD,
    add_operators,
    make_engine,
    sandbox_settings,
)
from helpers.hospital_windows import open_window
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from helpers.tcp_proxy import TcpProxy
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.config import load_settings
from app.errors import InputError, PermissionDenied, StateConflict
from app.messages import ENGLISH
from app.sandbox import SandboxServer, client_config
from app.sandbox.his import ReferenceHis
from app.services.engine import Engine
from app.services.hospital_conflicts import conflict_advice
from app.services.settlement import BillResult
from app.store.hospital.conflicts import PgClaimConflicts
from app.wiring import hospital_link
from hospital.test_his_lock_offline import QINGHAI_ID, gateway, proxy, reference_his

__all__ = ["proxy", "reference_his"]  # fixtures used by name
ROOT = Path(__file__).resolve().parents[2]


def _window(
    name: str,
    sandbox: SandboxServer,
    db: HospitalDb,
    *,
    port: int,
    his_url: str,
    folder: Path,
    lock: bool,
) -> Engine:
    """A configured hospital-mode window reaching PostgreSQL on ``port`` (the server, or a proxy)."""
    seed = open_window(name, sandbox, db, folder / name.lower())  # operators and msgid slot
    seed.engine.close()
    key = folder / "hospital.key"
    if not key.exists():
        key.write_bytes(HOSPITAL_KEY)
        key.chmod(0o600)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test?options=-csearch_path%3D{db.schema}"
    settings = sandbox_settings(
        sandbox,
        window={"device_no": name},
        hospital_db={"url": url, "hospital_key_file": str(key)},
        his={"lock": lock},
    )
    engine = make_engine(settings, folder / name.lower(), his_gateway=gateway(his_url))
    add_operators(engine)
    return engine


def _settle(engine: Engine) -> BillResult:
    his = engine.his
    assert his is not None
    return engine.settle_visit(his.load(his.unpaid_for_person(QINGHAI_ID)), engine.operator("C001"))


def _drain(engine: Engine) -> None:
    link = hospital_link(engine)
    assert link is not None
    try:
        report = link.sync.drain()
    finally:
        link.close()
    assert not report.error, report


@pytest.fixture
def conflicting(
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    reference_his: tuple[ReferenceHis, str],
    tmp_path: Path,
) -> Iterator[tuple[Engine, Engine, BillResult, BillResult]]:
    """W01 (HIS lock on, behind the cut proxy) and W02 (HIS lock off, server reachable) both
    settled the same HIS visit; W01 has just reached the server again and pushed its claims."""
    his_url = reference_his[1]
    server_port = int(hospital_db.url.rsplit(":", 1)[1].split("/", 1)[0])
    w1 = _window(
        "W01", sandbox, hospital_db, port=proxy.port, his_url=his_url, folder=tmp_path, lock=True
    )
    w2 = _window(
        "W02", sandbox, hospital_db, port=server_port, his_url=his_url, folder=tmp_path, lock=False
    )
    try:
        proxy.cut()
        first = _settle(w1)  # under the HIS lock alone
        second = _settle(w2)  # the hospital claim is free, no HIS lock taken: settled again
        _drain(w2)
        proxy.restore()
        assert w1.claims is not None
        assert w1.claims.push_offline_claims() == 0  # blocked by W02's claim: a conflict
        assert set(w1.claims.offline_claims()) == {first.bill_id}  # still waiting
        _drain(w1)
        yield w1, w2, first, second
    finally:
        w1.close()
        w2.close()


def _ids(bill: BillResult) -> set[str]:
    return {g.settlement_id for g in bill.groups if g.settlement_id}


def test_a_conflict_found_by_the_push_is_recorded_with_both_settlements(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
) -> None:
    w1, w2, first, second = conflicting
    assert _ids(first)
    assert _ids(second)

    for engine in (w1, w2):  # any window sees it, from the hospital record
        (conflict,) = engine.hospital_overview().conflicts
        assert conflict.handled_at is None
        assert (conflict.offline.window, conflict.offline.bill_id) == ("W01", first.bill_id)
        assert (conflict.other.window, conflict.other.bill_id) == ("W02", second.bill_id)
        assert conflict.detected_by == "W01"
        assert conflict.outpatient_no
        assert {s.settlement_id for s in conflict.offline.settlements} == _ids(first)
        assert {s.settlement_id for s in conflict.other.settlements} == _ids(second)
        for side, bill in ((conflict.offline, first), (conflict.other, second)):
            assert {s.operator_code for s in side.settlements} == {"C001"}
            assert all(s.operator_name == "收费员甲" for s in side.settlements)
            assert not any(s.cancelled_by for s in side.settlements)
            total = sum((s.total for s in side.settlements), Decimal("0.00"))
            assert total == sum((g.total for g in bill.groups if g.settlement_id), Decimal("0.00"))
        advice = conflict_advice(conflict)
        assert "2208" in str(advice)
        assert "2208" in advice.render(ENGLISH)
        assert "W01" in str(advice)
        assert "W02" in str(advice)


def test_a_conflict_is_marked_handled_by_a_supervisor_only_and_audited(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
) -> None:
    w1, w2, first, _second = conflicting
    (conflict,) = w2.hospital_conflicts()
    with pytest.raises(PermissionDenied):
        w2.handle_hospital_conflict(conflict.conflict_id, w2.operator("C001"), "不该由收费员处理")
    with pytest.raises(InputError):
        w2.handle_hospital_conflict(conflict.conflict_id, w2.operator("S001"), "  ")

    note = "已与患者核实，W02 的结算已由主管撤销（2208）"
    handled = w2.handle_hospital_conflict(conflict.conflict_id, w2.operator("S001"), note)

    assert handled.handled_at is not None
    assert (handled.handled_by, handled.handled_window, handled.note) == ("S001", "W02", note)
    assert w2.hospital_overview().conflicts == ()
    assert w1.hospital_conflicts() == ()
    (kept,) = w1.hospital_conflicts(include_handled=True)
    assert kept.handled_by == "S001"
    with w2.uow_factory() as uow:
        rows = uow.audit.between(handled.handled_at - timedelta(hours=1), datetime.now(UTC))
        audit = [r for r in rows if r.event == "charge_conflict"]
    assert [(r.outcome, r.operator_code) for r in audit] == [("handled", "S001")]
    assert audit[0].bill_id == first.bill_id
    assert str(conflict.conflict_id) in audit[0].detail
    with pytest.raises(StateConflict) as again:  # at another window, once handled
        w1.handle_hospital_conflict(conflict.conflict_id, w1.operator("S001"), "重复处理")
    assert again.value.code == "conflict_handled"
    assert "W02" in again.value.text


def test_a_conflict_is_recorded_once_and_its_facts_cannot_be_rewritten(
    conflicting: tuple[Engine, Engine, BillResult, BillResult], hospital_db: HospitalDb
) -> None:
    w1, _w2, first, second = conflicting
    (conflict,) = w1.hospital_conflicts()
    conflicts = PgClaimConflicts(hospital_db.engine)
    again = conflicts.record(
        window="W01", bill_id=first.bill_id, operator_code="C001",
        outpatient_no=conflict.outpatient_no, line_nos=conflict.line_nos,
        other_window="W02", other_bill_id=second.bill_id, at=conflict.detected_at,
    )  # fmt: skip
    assert again is False  # a second push of the same bills (at-least-once) adds nothing
    assert len(conflicts.conflicts()) == 1
    with pytest.raises(DBAPIError) as refused, hospital_db.engine.begin() as connection:
        connection.execute(text("UPDATE hospital_claim_conflicts SET other_bill_id = 'x'"))
    assert isinstance(refused.value.orig, psycopg.errors.RaiseException)


def _cli(config: Path, data_dir: Path, *args: str, json_mode: bool = True) -> tuple[int, Any, str]:
    """``python -m app [--json] --config … --data-dir … ARGS`` as supervisor S001's console."""
    done = subprocess.run(
        [sys.executable, "-m", "app", *(["--json"] if json_mode else []),
         "--config", str(config), "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SW_OPERATOR_PASSWORD": SUPERVISOR_PASSWORD},
    )  # fmt: skip
    if not json_mode:
        return done.returncode, done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}, done.stderr


def test_status_doctor_and_the_command_line_show_and_handle_a_conflict(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    tmp_path: Path,
) -> None:
    _w1, _w2, first, second = conflicting
    config = client_config(sandbox)
    config["window"] = {**config.get("window", {}), "device_no": "W03"}
    config["hospital_db"] = {
        "url": f"{hospital_db.url}?options=-csearch_path%3D{hospital_db.schema}",
        "hospital_key_file": str(tmp_path / "hospital.key"),
    }
    path = tmp_path / "w03.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    w03 = tmp_path / "w03"
    engine = make_engine(load_settings(path), w03)
    add_operators(engine)
    engine.close()

    code, status, err = _cli(path, w03, "hospital", "status")
    assert code == 0, (status, err)
    (shown,) = status["conflicts"]
    assert shown["offline"]["window"] == "W01"
    assert shown["other"]["window"] == "W02"
    assert {s["settlement_id"] for s in shown["offline"]["settlements"]} == _ids(first)
    assert {s["settlement_id"] for s in shown["other"]["settlements"]} == _ids(second)
    assert all(s["operator_code"] == "C001" for s in shown["other"]["settlements"])
    assert "2208" in shown["advice"]
    code, text_status, err = _cli(path, w03, "hospital", "status", json_mode=False)
    assert code == 0, err
    for settlement_id in _ids(first) | _ids(second):
        assert settlement_id in text_status
    assert "2208" in text_status

    code, report, err = _cli(path, w03, "doctor")
    checks = {c["key"]: c for c in report["checks"]}
    assert checks["charge_conflicts"]["status"] == "error", checks["charge_conflicts"]
    assert f"冲突 {shown['conflict_id']}" in checks["charge_conflicts"]["text"]
    assert code == 1

    code, handled, err = _cli(
        path, w03, "hospital", "conflict-handled", str(shown["conflict_id"]),
        "--operator", "S001", "--note", "已与患者核实，撤销 W02 的结算",
    )  # fmt: skip
    assert code == 0, (handled, err)
    assert (handled["handled_by"], handled["handled_window"]) == ("S001", "W03")

    code, listed, err = _cli(path, w03, "hospital", "conflicts")
    assert (code, listed["conflicts"]) == (0, []), err
    code, listed, err = _cli(path, w03, "hospital", "conflicts", "--all")
    assert [c["handled"] for c in listed["conflicts"]] == [True]
    code, report, err = _cli(path, w03, "doctor")
    checks = {c["key"]: c for c in report["checks"]}
    assert checks["charge_conflicts"]["status"] == "ok", checks["charge_conflicts"]
