"""Issue #17 and #11.9 end to end: the sandbox speaks provincial dialects, the client settles.

The sandbox's ``variant`` fault rewrites every answer's shape (``""`` for empty amounts, a blank
fund row, the hospital's share in ``ownpay_hosp_part``, dates with times, no ``setl_time``, other
refusal wordings) without changing what it means. A valid settlement or cancellation must be
recorded, never turned into an unknown outcome (which would reverse it).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from flow_helpers import QINGHAI_VISIT, MsgidCounter, card_of, identity, open_group
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill

from app.config import settings_from_mapping
from app.domain.journal import JournalState
from app.domain.operator import Operator, Role
from app.domain.visit import Credential, CredentialKind, GroupState
from app.platform.client import PlatformClient
from app.sandbox import SandboxServer
from app.sandbox.faults import FaultPlanError, parse_rule
from app.sandbox.variants import ANSWER_VARIANTS
from app.services.cancel import SupervisorApproval
from app.services.day_close import day_bounds
from app.services.engine import Engine
from app.services.ports.clock import SystemClock
from app.services.ports.platform import CallContext, CancelRequest, ReversalOutcome

ROOT = Path(__file__).resolve().parents[2]


def _speak(sandbox: SandboxServer, variant: str) -> None:
    sandbox.set_faults([{"infno": "*", "kind": "variant", "params": {"variant": variant}}])


def test_a_province_dialect_settles_and_cancels_with_the_same_money(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids
) -> None:
    _speak(sandbox, "province")
    group = open_group(client, sandbox, cashier, msgids, "马秀兰", items=QINGHAI_VISIT)
    preview = client.pre_settle(group.ctx, group.settle_request())
    before = datetime.now(UTC)
    record = client.settle(group.ctx, msgids(), group.settle_request())
    cancellation = client.cancel_settlement(
        group.ctx, msgids(), CancelRequest(record.settlement_id, group.visit_id, group.person_no)
    )

    for totals in (preview, record.totals):
        assert (totals.total, totals.fund, totals.account, totals.cash, totals.hospital) == (
            Decimal("179.63"), Decimal("129.63"), Decimal("0.00"), Decimal("50.00"), Decimal(0),
        )  # fmt: skip
        assert any("setldetail row" in note for note in totals.unread)
    assert [f.fund_type for f in record.totals.funds] == ["390100"]
    # No setl_time in the answers: the time the answer arrived stands in, and is noted.
    assert before - timedelta(seconds=1) <= record.settled_at <= datetime.now(UTC)
    assert any("setl_time" in note for note in record.totals.unread)
    assert cancellation.cancelled_at >= record.settled_at
    assert replace(cancellation.totals, balance_after=None, unread=()) == replace(
        record.totals.negated(), balance_after=None, unread=()
    )
    assert all(kind == "variant" for kind in (e["kind"] for e in sandbox.fault_log()))


@pytest.mark.parametrize("variant", ANSWER_VARIANTS)
def test_each_dialect_identifies_and_settles(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids, variant: str
) -> None:
    _speak(sandbox, variant)
    who = identity(sandbox, "张建国")
    person = client.query_person(CallContext(cashier), card_of(who))
    assert person.birth_date is not None
    assert person.birth_date.isoformat() == who["id_number"][6:14][:4] + "-" + (
        who["id_number"][10:12] + "-" + who["id_number"][12:14]
    )
    group = open_group(client, sandbox, cashier, msgids, "张建国", items=QINGHAI_VISIT[:2])
    record = client.settle(group.ctx, msgids(), group.settle_request())
    assert record.totals.total == group.total
    ledger = {row["setl_id"] for row in sandbox.ledger() if row["msgid"] == record.msgid}
    assert ledger == {record.settlement_id}


@pytest.mark.parametrize("variant", ["refusal_texts", None])
def test_reversing_a_cancelled_settlement_is_nothing_to_undo(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids, variant: str | None
) -> None:
    """Issue #17 item 4: 退费结算标志不为未退费 (and our sandbox's 已被撤销) mean nothing to undo."""
    group = open_group(client, sandbox, cashier, msgids, "马秀兰", items=QINGHAI_VISIT[:2])
    settle_msgid = msgids()
    record = client.settle(group.ctx, settle_msgid, group.settle_request())
    client.cancel_settlement(
        group.ctx, msgids(), CancelRequest(record.settlement_id, group.visit_id, group.person_no)
    )
    if variant is not None:
        _speak(sandbox, variant)
    outcome = client.reverse(group.ctx, msgids(), group.person_no, settle_msgid, "2207")
    assert outcome is ReversalOutcome.NOTHING_TO_UNDO
    statuses = {row["status"] for row in sandbox.ledger() if row.get("msgid") == settle_msgid}
    assert statuses == {"cancelled"}


def test_an_unknown_variant_is_refused_by_the_plan() -> None:
    with pytest.raises(FaultPlanError):
        parse_rule({"infno": "*", "kind": "variant", "params": {"variant": "klingon"}})


def test_the_sandbox_command_can_answer_in_a_dialect_for_the_window(tmp_path: Path) -> None:
    """``sandbox --answer-variant province``: what the window meets when pointed at it."""
    config_file = tmp_path / "client.toml"
    process = subprocess.Popen(
        [sys.executable, "-m", "app.sandbox", "--port", "0", "--answer-variant", "province",
         "--write-config", str(config_file)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90  # a loaded 2-core machine starts Python slowly
        while not config_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        config = tomllib.loads(config_file.read_text(encoding="utf-8"))
        settings = settings_from_mapping(config)
        cashier = Operator(code="C0001", name="测试收费员", role=Role.CASHIER)
        with PlatformClient(
            settings.platform, settings.hospital, settings.window,
            MsgidCounter(settings.hospital.code), SystemClock(),
        ) as client:  # fmt: skip
            person = client.query_person(
                CallContext(cashier), Credential(CredentialKind.ID_NUMBER, "630120197003151227")
            )
        assert person.birth_date is not None
        assert person.birth_date.isoformat() == "1970-03-15"
        log = requests.get(config["platform"]["url"] + "/sandbox/faultlog", timeout=5).json()
        assert {entry["kind"] for entry in log} == {"variant"}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_settlements_with_unread_details_stand_and_the_day_close_lists_them(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    """The window's path: a province answer is booked, not reversed, and flagged at day close."""
    _speak(sandbox, "province")
    bill = engine.settle_visit(demo_bill("03"), cashier)
    sandbox.set_faults([])
    settled = [group.settlement_id for group in bill.groups if group.settlement_id]
    assert settled
    ledger = {row["setl_id"]: row["status"] for row in sandbox.ledger()}
    assert all(ledger[setl_id] == "settled" for setl_id in settled)
    with engine.uow_factory() as uow:
        journal = [
            entry.state for entry in uow.journal.between(*day_bounds(engine.day_close.today()))
        ]
    assert JournalState.REVERSED not in journal

    report = engine.close_day(engine.day_close.today(), supervisor)

    assert report.balanced
    assert len(report.unread_answers) == len(settled)
    assert f"另有 {len(settled)} 笔医保答复中有未能读取的明细" in report.summary()


def test_a_cancel_answered_without_setl_time_stands(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    """Issue #11 item 9: the 2208 is booked with the answer's time, not reversed (which would
    undo the cancellation)."""
    bill = engine.settle_visit(demo_bill("01"), cashier)
    settlement_id = bill.groups[0].settlement_id
    sandbox.set_faults(
        [{"infno": "2208", "kind": "variant", "params": {"variant": "no_setl_time"}}]
    )
    before = datetime.now(UTC)

    approval = SupervisorApproval(supervisor.code, SUPERVISOR_PASSWORD)
    result = engine.cancel(settlement_id, cashier, approval)

    assert result.record.totals.total == -bill.groups[0].total
    assert before - timedelta(seconds=1) <= result.record.settled_at <= datetime.now(UTC)
    assert sandbox.request_count("2601") == 0
    statuses = {r["setl_id"]: r["status"] for r in sandbox.ledger() if r["infno"] != "2601"}
    assert statuses[settlement_id] == "cancelled"
    assert engine.bill(bill.bill_id).groups[0].state is GroupState.CANCELLED
