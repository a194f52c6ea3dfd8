"""The fault campaign (reliability.md §7 R1–R3, R6, R13): attempts under a seeded fault plan, the ledger
checker, and child processes that die at crash points, at random instants or on a full disk.

Used by ``tests/campaign/test_campaign.py`` (CI sizes) and ``tests/campaign/run.py`` (nightly sizes).
Everything prints its seed and counts.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from app.config import Settings, database_path, load_settings
from app.domain.journal import JournalState
from app.domain.operator import Operator
from app.errors import AppError
from app.sandbox import SandboxServer, client_config
from app.services.cancel import SupervisorApproval
from app.services.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).resolve().parent / "child.py"
SETTLEABLE_BILLS = ("01", "02", "03", "04", "07", "08", "09", "10", "11", "12", "13", "14")
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
CAMPAIGN_READ_TIMEOUT = 1.0
STATE_CHANGING = ("2201", "2202", "2203", "2204", "2205", "2207", "2208", "2601")


def fault_plan(rate: float) -> list[dict[str, Any]]:
    """Rules covering every fault kind of the sandbox (docs/sandbox.md), firing with about ``rate``."""
    slow = CAMPAIGN_READ_TIMEOUT + 0.3
    # At most one rule fires per request, the first in this order: rarer kinds come first.
    rules: list[tuple[str, str, dict[str, Any]]] = [
        ("2207", "delay_after", {"seconds": slow}),
        ("2207", "http_error_after", {}),
        ("*", "refuse", {}),
        ("2207", "drop_before", {}),
        ("*", "http_error_before", {}),
        ("2201", "maintenance", {}),
        ("*", "latency", {"seconds": 0.02}),
        ("2207", "drop_after", {}),
        ("2204", "drop_after", {}),
        ("2203", "truncated", {}),
        ("2207", "truncated", {}),
        ("2201", "non_json", {}),
        ("2204", "wrong_content_type", {}),
        ("2207", "hostile", {}),
        ("2208", "drop_after", {}),
        ("2601", "http_error_before", {}),
        ("2202", "drop_after", {}),
        ("*", "variant", {"variant": "province"}),  # provincial answer shapes (issue #17)
    ]
    # A rule for one transaction sees far fewer requests than a "*" rule: it fires twice as often so
    # that every kind shows up several times even in the CI size.
    return [
        {
            "infno": infno,
            "kind": kind,
            "probability": rate if infno == "*" else min(1.0, 2 * rate),
            "params": params,
        }
        for infno, kind, params in rules
    ]


def write_config(server: SandboxServer, path: Path, *, read_timeout: float) -> Path:
    """The client TOML for ``server``."""
    config = client_config(server)
    config["platform"]["read_timeout"] = read_timeout
    config["platform"]["connect_timeout"] = 2.0
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


def settings_for(path: Path) -> Settings:
    """Settings from a written config."""
    return load_settings(path)


# ---------------------------------------------------------------------------------------- checker


@dataclass
class CheckResult:
    """What the ledger checker found; every count must be 0 and integrity ``ok``."""

    lost: int = 0
    double_charged: int = 0
    unresolved: int = 0
    amount_mismatches: int = 0
    phantom: int = 0
    integrity: str = "not run"
    settled_on_platform: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Zero everywhere and integrity ok."""
        return (
            self.lost == self.double_charged == self.unresolved == 0
            and self.amount_mismatches == self.phantom == 0
            and self.integrity == "ok"
        )

    def line(self) -> str:
        """The printed summary."""
        return (
            f"lost={self.lost} double_charged={self.double_charged} unresolved={self.unresolved} "
            f"amount_mismatches={self.amount_mismatches} phantom={self.phantom} "
            f"integrity_check={self.integrity} (platform settlements: {self.settled_on_platform})"
        )


def check_ledger(engine: Engine, server: SandboxServer) -> CheckResult:
    """Compare the client's journal and settlements with the sandbox ledger (R1, R2)."""
    result = CheckResult()
    with engine.uow_factory() as uow:
        local = {s.record.settlement_id: s for s in uow.settlements.between(*EVER)}
        journal = {e.msgid: e for e in uow.journal.between(*EVER)}
        result.unresolved = len(list(uow.journal.unresolved()))
    platform = [row for row in server.ledger() if row["infno"] in ("2207", "2208")]
    active = [row for row in platform if row["status"] != "reversed"]
    result.settled_on_platform = sum(1 for row in active if row["infno"] == "2207")
    charges: Counter[tuple[str, str]] = Counter()
    for row in active:
        mine = local.get(row["setl_id"])
        if mine is None:
            result.lost += 1
            result.details.append(f"lost {row['infno']} {row['setl_id']} msgid {row['msgid']}")
            continue
        totals = mine.record.totals
        if (totals.total, totals.fund, totals.account, totals.cash) != (
            row["medfee_sumamt"], row["fund_pay_sumamt"], row["acct_pay"], row["psn_cash_pay"],
        ):  # fmt: skip
            result.amount_mismatches += 1
            result.details.append(f"amounts differ for {row['setl_id']}")
        entry = journal.get(row["msgid"])
        if entry is None or entry.state is not JournalState.OK:
            result.lost += 1
            result.details.append(f"journal not OK for {row['msgid']}")
        if row["infno"] == "2207" and row["status"] == "settled" and entry is not None:
            charges[(entry.bill_id, entry.group_key)] += 1
    result.double_charged = sum(count - 1 for count in charges.values() if count > 1)
    in_force = {row["setl_id"] for row in active}
    for settlement_id in local:
        if settlement_id.startswith("ZF"):
            continue
        if settlement_id not in in_force:
            result.phantom += 1
            result.details.append(f"local settlement {settlement_id} not in force on the platform")
    result.double_charged += _local_double(local)
    return result


def _local_double(local: Mapping[str, Any]) -> int:
    """Per bill group, more than one settlement in force locally (not cancelled)."""
    in_force: Counter[tuple[str, str]] = Counter()
    for stored in local.values():
        if not stored.is_cancellation and not stored.cancelled_by:
            in_force[(stored.bill_id, stored.group_key)] += 1
    return sum(count - 1 for count in in_force.values() if count > 1)


def integrity_check(data_dir: Path) -> str:
    """``PRAGMA integrity_check`` on the closed database file."""
    connection = sqlite3.connect(database_path(data_dir))
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return "\n".join(str(row[0]) for row in rows)


def settle_down(engine: Engine, supervisor: Operator) -> None:
    """Recover everything, with a supervisor retrying whatever was escalated."""
    engine.start(wait=True)
    for row in engine.recovery.escalated():
        engine.resolve(row.msgid, supervisor)
    engine.start(wait=True)


# ---------------------------------------------------------------------------------------- attempts


@dataclass
class CampaignStats:
    """Counts printed by the campaign."""

    seed: int
    attempts: int = 0
    with_fault: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    cancellations: int = 0

    def line(self) -> str:
        """The printed summary."""
        share = self.with_fault / self.attempts if self.attempts else 0.0
        return (
            f"seed={self.seed} attempts={self.attempts} with_fault={self.with_fault} ({share:.0%}) "
            f"cancellations={self.cancellations} faults={dict(sorted(self.faults.items()))} "
            f"outcomes={dict(sorted(self.outcomes.items()))}"
        )


def run_attempts(
    engine: Engine,
    server: SandboxServer,
    operators: tuple[Operator, Operator],
    *,
    attempts: int,
    seed: int,
    rate: float,
    approval: SupervisorApproval,
) -> CampaignStats:
    """``attempts`` settlements of random demo visits under the fault plan; recovery after each."""
    from helpers.engine_fixtures import (  # noqa: PLC0415 - test helper module
        demo_bill,
        fresh_visit,
    )

    cashier, supervisor = operators
    rng = random.Random(seed)
    stats = CampaignStats(seed=seed)
    server.set_faults(fault_plan(rate), seed=seed)
    bills = {prefix: demo_bill(prefix) for prefix in SETTLEABLE_BILLS}
    for _ in range(attempts):
        before = len(server.fault_log())
        stats.attempts += 1
        try:
            bill = engine.settle_visit(fresh_visit(bills[rng.choice(SETTLEABLE_BILLS)]), cashier)
            stats.outcomes.update(g.state.value for g in bill.groups)
            settled = [g for g in bill.groups if g.state.value == "settled"]
            if settled and rng.random() < 0.1:
                engine.cancel(settled[0].settlement_id, cashier, approval)
                stats.cancellations += 1
        except AppError as exc:
            stats.outcomes[exc.code] += 1
        if engine.journal():
            engine.start(wait=True)
            for row in engine.recovery.escalated():
                engine.resolve(row.msgid, supervisor)
        fired = server.fault_log()[before:]
        if fired:
            stats.with_fault += 1
            stats.faults.update(entry["kind"] for entry in fired)
    server.set_faults([])
    settle_down(engine, supervisor)
    return stats


# ---------------------------------------------------------------------------------------- children


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a child process: the repo and tests on the path, passwords given."""
    from helpers.engine_fixtures import CASHIER_PASSWORD  # noqa: PLC0415

    env = {k: v for k, v in os.environ.items() if k != "SW_CRASH_AT"}
    env["PYTHONPATH"] = os.pathsep.join((str(ROOT), str(ROOT / "tests")))
    env["SW_OPERATOR_PASSWORD"] = CASHIER_PASSWORD
    env.update(extra or {})
    return env


def child_command(config: Path, data_dir: Path, scenario: str, *args: str) -> list[str]:
    """The command line of ``child.py``."""
    return [sys.executable, str(CHILD), str(config), str(data_dir), scenario, *args]


def run_child(
    config: Path,
    data_dir: Path,
    scenario: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run a child scenario to its end (or its crash point)."""
    return subprocess.run(
        child_command(config, data_dir, scenario, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(env),
        check=False,
    )


def summary_json(result: CheckResult, stats: CampaignStats | None = None) -> str:
    """One JSON line for logs."""
    data: dict[str, Any] = {"check": result.line()}
    if stats is not None:
        data["campaign"] = stats.line()
    return json.dumps(data, ensure_ascii=False)


def kinds_missing(stats: CampaignStats, plan: Sequence[Mapping[str, Any]]) -> set[str]:
    """Fault kinds of the plan that never fired."""
    return {str(rule["kind"]) for rule in plan} - set(stats.faults)
