"""A kill between the settlement and its report loses nothing and invents nothing.

A child process settles the patient's HIS visit and dies at a crash point (``SW_CRASH_AT``,
``os._exit``: no clean-up runs). A new engine on the same data folder recovers, and its outbox then
delivers exactly what was settled: the HIS ends with the lines paid (or, when the 2207 never
committed, reversed on the platform and nothing reported).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.engine_fixtures import make_engine

from app.config import Settings
from app.domain.his import ChargeStatus, ResultKind
from app.his.http import HttpHis
from app.sandbox import SandboxServer, client_config
from app.sandbox.his import ReferenceHis
from app.sandbox.his.http import HisHttpServer
from app.services.crashpoints import CRASH_EXIT_CODE

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("kill_child.py")
QINGHAI_ID = "630120197003151227"
LINES = [f"MZ202611230001-{n}" for n in range(1, 7)]


def _run_child(
    sandbox: SandboxServer, his_server: HisHttpServer, data: Path, scenario: str, crash_at: str
) -> int:
    config = client_config(sandbox)
    config["his"] = {"kind": "http", "url": his_server.url, "timeout": 2.0}
    config_path = data.parent / "child-config.json"
    config_path.write_text(json.dumps(config), "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SW_CRASH_AT"}
    env["PYTHONPATH"] = os.pathsep.join((str(ROOT), str(ROOT / "tests")))
    env["SW_CRASH_AT"] = crash_at
    done = subprocess.run(
        [sys.executable, str(CHILD), str(config_path), str(data), scenario, QINGHAI_ID],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    return done.returncode


def _recovered(settings: Settings, data: Path, his_server: HisHttpServer):  # type: ignore[no-untyped-def]
    engine = make_engine(settings, data, his_gateway=HttpHis(his_server.url, read_timeout=2.0))
    engine.start()
    return engine


@pytest.mark.parametrize("crash_at", ["settlement_stored", "cancelled_stored"])
def test_a_kill_after_the_commit_still_reports_every_result_once(
    sandbox: SandboxServer,
    engine_settings: Settings,
    tmp_path: Path,
    his_server: HisHttpServer,
    crash_at: str,
) -> None:
    reference_his = his_server.his
    data = tmp_path / "data"
    scenario = "cancel" if crash_at == "cancelled_stored" else "settle"
    assert _run_child(sandbox, his_server, data, scenario, crash_at) == CRASH_EXIT_CODE
    assert reference_his.applied() == []  # the child died before any delivery

    engine = _recovered(engine_settings, data, his_server)
    try:
        assert engine.his_outbox is not None
        expected = len(LINES) * (2 if scenario == "cancel" else 1)
        assert engine.his_outbox.pending_count() == expected
        engine.his_outbox.deliver_due()
        assert engine.his_outbox.pending_count() == 0
    finally:
        engine.close()
    for charge in LINES:
        kinds = [a.result.kind for a in reference_his.applied(charge)]
        if scenario == "cancel":
            assert kinds == [ResultKind.SETTLED, ResultKind.CANCELLED]
            assert reference_his.status(charge) is ChargeStatus.UNPAID
        else:
            assert kinds == [ResultKind.SETTLED]
            assert reference_his.status(charge) is ChargeStatus.PAID


def test_a_kill_before_the_settlement_commits_reports_nothing(
    sandbox: SandboxServer,
    engine_settings: Settings,
    tmp_path: Path,
    his_server: HisHttpServer,
    reference_his: ReferenceHis,
) -> None:
    data = tmp_path / "data"
    assert _run_child(sandbox, his_server, data, "settle", "outcome:2207") == CRASH_EXIT_CODE

    engine = _recovered(engine_settings, data, his_server)  # recovery reverses the 2207
    try:
        assert engine.his_outbox is not None
        assert engine.his_outbox.pending_count() == 0
    finally:
        engine.close()
    assert reference_his.applied() == []
    assert all(reference_his.status(c) is ChargeStatus.UNPAID for c in LINES)
    assert [r for r in sandbox.ledger() if r["status"] == "settled"] == []
