"""Fault campaign (reliability.md §7): R1/R2 under every fault kind, R3 crash points and random kills,
R6 disk full, R13 day close after the campaign. Sizes grow by environment variable for nightly runs:

* ``SW_CAMPAIGN_ATTEMPTS`` (CI 300, nightly 5000), ``SW_CAMPAIGN_SEED``, ``SW_CAMPAIGN_RATE``;
* ``SW_CAMPAIGN_KILLS`` (CI 3 random-instant kills, nightly 1000);
* ``SW_CAMPAIGN_DISK_LIMITS`` (CI 20 ``RLIMIT_FSIZE`` values, nightly 50).

``python tests/campaign/run.py`` runs the same with the nightly sizes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from campaign.harness import (
    CAMPAIGN_READ_TIMEOUT,
    EVER,
    STATE_CHANGING,
    CheckResult,
    check_ledger,
    child_command,
    child_env,
    fault_plan,
    integrity_check,
    kinds_missing,
    run_attempts,
    run_child,
    settings_for,
    settle_down,
    write_config,
)
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, add_operators, demo_bill, make_engine
from helpers.sandbox_fixtures import SandboxClient, Visit, person

from app.domain.operator import Operator
from app.sandbox import SandboxServer
from app.services.cancel import SupervisorApproval
from app.services.crashpoints import CRASH_EXIT_CODE, CRASH_POINTS

pytestmark = pytest.mark.slow

ATTEMPTS = int(os.environ.get("SW_CAMPAIGN_ATTEMPTS", "300"))
SEED = int(os.environ.get("SW_CAMPAIGN_SEED", "20261123"))
RATE = float(os.environ.get("SW_CAMPAIGN_RATE", "0.02"))
KILLS = int(os.environ.get("SW_CAMPAIGN_KILLS", "3"))
DISK_LIMITS = int(os.environ.get("SW_CAMPAIGN_DISK_LIMITS", "20"))

# crash point → (child scenario, bill, sandbox faults that lead there)
REVERSAL = [{"infno": "2207", "kind": "drop_after", "nth": [1]}]
SCENARIOS: dict[str, tuple[str, str, list[dict[str, object]]]] = {
    "msgid_allocated": ("settle", "01", []),
    "prepared:2201": ("settle", "01", []),
    "response:2201": ("settle", "01", []),
    "outcome:2201": ("settle", "01", []),
    "prepared:2203": ("settle", "01", []),
    "prepared:2204": ("settle", "03", []),
    "response:2204": ("settle", "03", []),
    "response:2206": ("settle", "01", []),
    "prepared:2207": ("settle", "01", []),
    "response:2207": ("settle", "01", []),
    "outcome:2207": ("settle", "01", []),
    "settlement_stored": ("settle", "03", []),
    "prepared:2601": ("settle", "01", REVERSAL),
    "response:2601": ("settle", "01", REVERSAL),
    "reversal_recorded": ("settle", "01", REVERSAL),
    "response:2208": ("cancel", "01", []),
    "cancelled_stored": ("cancel", "01", []),
    "response:2202": ("settle", "01", [{"infno": "2207", "kind": "maintenance", "nth": [1]}]),
    "day_close:statement": ("day_close", "03", []),
}


def announce(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Print past pytest's capture so CI logs show seeds and counts."""
    with capsys.disabled():
        print(f"\n[campaign] {text}")  # noqa: T201


@pytest.fixture
def campaign_dir(sandbox: SandboxServer, tmp_path: Path) -> tuple[Path, Path]:
    """(config, data folder) with the operators created."""
    config = write_config(sandbox, tmp_path / "client.toml", read_timeout=CAMPAIGN_READ_TIMEOUT)
    data_dir = tmp_path / "data"
    engine = make_engine(settings_for(config), data_dir)
    add_operators(engine)
    engine.close()
    return config, data_dir


def restart_and_check(config: Path, data_dir: Path, sandbox: SandboxServer) -> CheckResult:
    """Start an engine on the data folder (recovery first), then compare with the ledger."""
    sandbox.set_faults([])
    engine = make_engine(settings_for(config), data_dir)
    try:
        settle_down(engine, engine.operator("S001"))
        result = check_ledger(engine, sandbox)
    finally:
        engine.close()
    result.integrity = integrity_check(data_dir)
    return result


def test_fault_campaign_loses_and_doubles_nothing(
    campaign_dir: tuple[Path, Path], sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config, data_dir = campaign_dir
    engine = make_engine(settings_for(config), data_dir)
    try:
        operators: tuple[Operator, Operator] = (engine.operator("C001"), engine.operator("S001"))
        approval = SupervisorApproval("S001", SUPERVISOR_PASSWORD)
        stats = run_attempts(
            engine, sandbox, operators, attempts=ATTEMPTS, seed=SEED, rate=RATE, approval=approval
        )
        result = check_ledger(engine, sandbox)
        report = engine.close_day(engine.day_close.today(), operators[1])
    finally:
        engine.close()
    result.integrity = integrity_check(data_dir)

    announce(capsys, stats.line())
    announce(capsys, result.line())
    announce(capsys, f"day close after the campaign: {report.summary()}")
    assert stats.with_fault >= 0.3 * stats.attempts
    assert kinds_missing(stats, fault_plan(RATE)) == set()
    assert result.clean, result.details[:20]
    assert result.settled_on_platform > 0
    assert report.balanced


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_crash_point_then_restart_recovers(
    point: str,
    campaign_dir: tuple[Path, Path],
    sandbox: SandboxServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, data_dir = campaign_dir
    scenario, bill, faults = SCENARIOS[point]
    sandbox.set_faults(faults)

    child = run_child(config, data_dir, scenario, bill, env={"SW_CRASH_AT": point})

    assert child.returncode == CRASH_EXIT_CODE, (child.stdout, child.stderr[-2000:])
    result = restart_and_check(config, data_dir, sandbox)
    announce(capsys, f"crash at {point}: {result.line()}")
    assert result.clean, result.details


def test_every_crash_point_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(CRASH_POINTS)
    assert len(CRASH_POINTS) >= 10


def test_random_instant_kills_then_restart_recover(
    campaign_dir: tuple[Path, Path], sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config, data_dir = campaign_dir
    rng = random.Random(SEED)
    for kill in range(KILLS):
        child = subprocess.Popen(
            child_command(config, data_dir, "loop", str(SEED + kill)),
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(1.0, 3.0))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        result = restart_and_check(config, data_dir, sandbox)
        announce(capsys, f"random kill {kill + 1}/{KILLS}: {result.line()}")
        assert result.clean, result.details


def test_full_disk_never_sends_without_a_journal_row(
    campaign_dir: tuple[Path, Path], sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config, data_dir = campaign_dir
    rng = random.Random(SEED)
    limits = sorted(rng.sample(range(16 * 1024, 768 * 1024, 4096), DISK_LIMITS))
    refused = 0
    for limit in limits:
        child = run_child(config, data_dir, "disk", str(limit), rng.choice(("01", "03")))
        refused += child.returncode != 0
        engine = make_engine(settings_for(config), data_dir)
        try:
            with engine.uow_factory() as uow:
                journal = list(uow.journal.between(*EVER))
        finally:
            engine.close()
        for infno in STATE_CHANGING:
            sent = sandbox.request_count(infno)
            journaled = sum(1 for entry in journal if entry.infno == infno)
            assert sent <= journaled, (limit, infno, sent, journaled, child.stdout)
        result = restart_and_check(config, data_dir, sandbox)
        assert result.clean, (limit, result.details)
    announce(
        capsys,
        f"disk full: {len(limits)} RLIMIT_FSIZE values {limits[0]}..{limits[-1]} bytes, "
        f"{refused} runs stopped by the full disk, 0 requests without a journal row, integrity ok",
    )
    assert refused > 0


def test_checker_sees_a_lost_settlement_a_phantom_and_a_double_charge(
    campaign_dir: tuple[Path, Path], sandbox: SandboxServer
) -> None:
    config, data_dir = campaign_dir
    engine = make_engine(settings_for(config), data_dir)
    client = SandboxClient(sandbox)
    try:
        cashier = engine.operator("C001")
        bill = engine.settle_visit(demo_bill("01"), cashier)
        assert check_ledger(engine, sandbox).lost == 0
        elsewhere = Visit(client, person(sandbox, "马秀兰"))
        elsewhere.open([("H11010500001XY0022", "38.50", "1")])
        elsewhere.settle()  # money moved that this window never recorded
        with engine.uow_factory() as uow:
            stored = uow.settlements.get(bill.groups[0].settlement_id)
            assert stored is not None
            twin = replace(stored.record, settlement_id="PHANTOM000001")
            uow.settlements.add(replace(stored, record=twin))
            uow.commit()

        result = check_ledger(engine, sandbox)
    finally:
        client.close()
        engine.close()

    assert result.lost == 1
    assert result.phantom == 1
    assert result.double_charged == 1
    assert not result.clean
