"""A charge is paid once (issue #11 item 1, reliability.md R16): the same HIS visit is never settled
twice — not by a re-run, not through the window's step-by-step API, not by two processes at once —
and becomes payable again only once its settlement is cancelled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.engine_fixtures import (
    CASHIER_PASSWORD,
    SUPERVISOR_PASSWORD,
    demo_bill,
    demo_bill_path,
)
from helpers.money_fixtures import run_json
from helpers.store_fixtures import StoreTestClock
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event

from app.domain.journal import JournalEntry, JournalState
from app.domain.operator import Operator
from app.domain.visit import GroupState
from app.errors import ChargeAlreadySettled
from app.platform.envelope import format_msgid
from app.sandbox import SandboxServer
from app.services.cancel import SupervisorApproval
from app.services.charge_claims import ChargeClaimService, charge_key
from app.services.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
APPROVAL = SupervisorApproval("S001", SUPERVISOR_PASSWORD)


def _settled_ids(sandbox: SandboxServer) -> list[str]:
    return [r["setl_id"] for r in sandbox.ledger() if r.get("infno", "2207") == "2207"]


def test_the_same_visit_settled_again_is_refused_with_the_first_settlement_number(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    first = engine.settle_visit(demo_bill("01"), cashier)
    settlement_id = first.groups[0].settlement_id
    registrations = sandbox.request_count("2201")

    with pytest.raises(ChargeAlreadySettled) as refused:
        engine.settle_visit(demo_bill("01"), cashier)

    assert settlement_id in refused.value.text
    assert refused.value.detail["settlement_ids"] == settlement_id
    assert "撤销" in refused.value.text
    assert sandbox.request_count("2201") == registrations  # nothing was sent for the second
    assert sandbox.request_count("2207") == 1


def test_the_windows_step_by_step_api_gets_the_same_typed_refusal(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    engine.settle_visit(demo_bill("01"), cashier)
    view = engine.identify(demo_bill("01").identity, cashier)
    again = engine.open_bill(demo_bill("01"), view, cashier)
    key = again.groups[0].group_key

    with pytest.raises(ChargeAlreadySettled):
        engine.settlement.preview(again.bill_id, key, cashier)
    assert engine.bill(again.bill_id).groups[0].state is GroupState.PLANNED
    assert sandbox.request_count("2201") == 1


def test_a_visit_being_settled_elsewhere_is_refused_as_in_flight(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    view = engine.identify(demo_bill("01").identity, cashier)
    first = engine.open_bill(demo_bill("01"), view, cashier)
    previewed = engine.settlement.preview(first.bill_id, first.groups[0].group_key, cashier)
    assert previewed.state is GroupState.PREVIEWED  # registered and uploaded: in flight

    with pytest.raises(ChargeAlreadySettled) as refused:
        engine.settle_visit(demo_bill("01"), cashier)

    assert first.bill_id in refused.value.text
    assert refused.value.detail["settlement_ids"] == ""
    confirmed = engine.settlement.confirm(first.bill_id, first.groups[0].group_key, cashier)
    assert confirmed.state is GroupState.SETTLED


def test_a_full_self_pay_collection_is_not_collected_twice(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    first = engine.settle_visit(demo_bill("07"), cashier)  # 未备案: everything is 全额自费
    (collected,) = {g.settlement_id for g in first.groups}
    assert collected.startswith("ZF")

    with pytest.raises(ChargeAlreadySettled) as refused:
        engine.settle_visit(demo_bill("07"), cashier)
    assert collected in refused.value.text


def test_a_cancelled_visit_can_be_settled_again_and_only_once(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    first = engine.settle_visit(demo_bill("01"), cashier)
    engine.cancel(first.groups[0].settlement_id, cashier, APPROVAL)

    again = engine.settle_visit(demo_bill("01"), cashier)

    assert again.groups[0].state is GroupState.SETTLED
    with pytest.raises(ChargeAlreadySettled) as refused:
        engine.settle_visit(demo_bill("01"), cashier)
    assert refused.value.detail["settlement_ids"] == again.groups[0].settlement_id


def test_a_visit_whose_settlement_failed_can_be_run_again(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults([{"infno": "2207", "kind": "maintenance", "times": 1}])
    failed = engine.settle_visit(demo_bill("01"), cashier)
    assert failed.groups[0].state is GroupState.FAILED
    sandbox.set_faults([])

    again = engine.settle_visit(demo_bill("01"), cashier)

    assert again.groups[0].state is GroupState.SETTLED


def test_after_a_partial_refund_the_kept_lines_stay_claimed_by_the_new_bill(
    engine: Engine, cashier: Operator, supervisor: Operator, sandbox: SandboxServer
) -> None:
    visit = demo_bill("02")
    first = engine.settle_visit(visit, cashier)
    group = next(g for g in first.groups if len(g.line_nos) > 1)
    refund = engine.partial_refund(group.settlement_id, [group.line_nos[0]], cashier, APPROVAL)
    assert refund.resettled is not None
    kept = next(g for g in refund.resettled.groups if g.settlement_id)

    with pytest.raises(ChargeAlreadySettled) as refused:
        engine.settle_visit(visit, cashier)
    assert kept.settlement_id in refused.value.detail["settlement_ids"]
    # The returned line alone is payable again.
    returned = replace(
        visit, lines=tuple(ln for ln in visit.lines if ln.line_no == group.line_nos[0])
    )
    assert engine.settle_visit(returned, cashier).status.value == "settled"


def test_a_claim_left_by_a_dead_process_is_taken_over_only_when_stale(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    clock = StoreTestClock(current=engine.clock.now())
    claims = ChargeClaimService(engine.uow_factory, clock)
    view = engine.identify(demo_bill("01").identity, cashier)
    dead = engine.open_bill(demo_bill("01"), view, cashier)
    claims.claim(dead.bill_id, cashier.code)  # the process died right after claiming
    other = engine.open_bill(demo_bill("01"), view, cashier)

    with pytest.raises(ChargeAlreadySettled):
        claims.claim(other.bill_id, cashier.code)
    clock.advance(timedelta(minutes=11).total_seconds())
    claims.claim(other.bill_id, cashier.code)
    with pytest.raises(ChargeAlreadySettled):
        claims.claim(dead.bill_id, cashier.code)


# ---------------------------------------------------------------------------------- the CLI


def test_cli_refuses_a_rerun_with_exit_3_and_the_settlement_number(
    money_cli: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    args = ("settle", "--bill", str(demo_bill_path("01")), "--yes", "--operator", "C001")
    code, first = run_json(capsys, money_cli, *args)
    assert code == 0
    settled = first["bill"]["groups"][0]["settlement_id"]

    code, document = run_json(capsys, money_cli, *args)

    assert code == 3
    assert document["error"] == "charge_already_settled"
    assert settled in document["message"]
    assert document["detail"]["settlement_ids"] == settled
    assert _settled_ids(sandbox) == [settled]


def test_two_processes_settling_the_same_bill_file_at_once_settle_it_once(
    money_cli: tuple[Path, Path], sandbox: SandboxServer
) -> None:
    config, data_dir = money_cli
    sandbox.set_latency(fixed=0.3)  # every call takes a while: the two runs overlap
    command = [
        sys.executable, "-m", "app", "--config", str(config), "--data-dir", str(data_dir),
        "--json", "settle", "--bill", str(demo_bill_path("01")), "--yes", "--operator", "C001",
    ]  # fmt: skip
    env = {**os.environ, "SW_OPERATOR_PASSWORD": CASHIER_PASSWORD, "PYTHONPATH": str(ROOT)}

    runs = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    results = [(run.wait(timeout=180), run.communicate()) for run in runs]

    codes = sorted(code for code, _ in results)
    assert codes == [0, 3], [err for _, (_, err) in results]
    refused = next(json.loads(out) for code, (out, _) in results if code == 3)
    settled = next(json.loads(out) for code, (out, _) in results if code == 0)
    assert refused["error"] == "charge_already_settled"
    assert _settled_ids(sandbox) == [settled["bill"]["groups"][0]["settlement_id"]]
    assert sandbox.request_count("2207") == 1


def test_a_visit_collected_offline_is_not_settled_again_once_the_platform_is_back(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    visit = demo_bill("03")
    engine.identify(visit.identity, cashier)  # cached while online
    sandbox.set_faults([{"infno": "*", "kind": "refuse"}])  # the platform goes away
    cached = engine.identify(visit.identity, cashier)
    assert cached.from_cache
    collected = engine.collect_offline_self_pay(visit, cached, cashier)
    sandbox.set_faults([])

    with pytest.raises(ChargeAlreadySettled) as refused:
        engine.settle_visit(visit, cashier)
    assert collected.settlement_id in refused.value.text
    with pytest.raises(ChargeAlreadySettled):
        engine.collect_offline_self_pay(visit, cached, cashier)
    assert sandbox.request_count("2201") == 0


def _live_claims(engine: Engine, bill_id: str) -> dict[str, str]:
    """Charge key → holding bill, for the live claims on ``bill_id``'s lines."""
    with engine.uow_factory() as uow:
        bill = uow.bills.get(bill_id)
        assert bill is not None
        keys = [charge_key(bill.outpatient_no, line) for line in bill.lines]
        return {key: claim.bill_id for key, claim in uow.claims.live(keys).items()}


def test_idle_groups_keep_their_claims_while_the_journal_has_them_unresolved(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    claims = ChargeClaimService(engine.uow_factory, StoreTestClock(current=engine.clock.now()))
    view = engine.identify(demo_bill("01").identity, cashier)
    held = engine.open_bill(demo_bill("01"), view, cashier)  # every group planned: idle
    free = engine.open_bill(demo_bill("02"), view, cashier)
    for bill in (held, free):
        claims.claim(bill.bill_id, cashier.code)
        assert set(_live_claims(engine, bill.bill_id).values()) == {bill.bill_id}
    now = engine.clock.now()
    with engine.uow_factory() as uow:  # a call of the group whose outcome is not known yet
        uow.journal.add(
            JournalEntry(
                msgid=format_msgid("H11010500001", now, 9999),
                infno="2201",
                state=JournalState.UNKNOWN,
                bill_id=held.bill_id,
                group_key=held.groups[0].group_key,
                person_no=view.person.person_no,
                insured_admdvs="",
                operator_code=cashier.code,
                created_at=now,
                updated_at=now,
            )
        )
        uow.commit()

    for bill in (held, free):
        claims.release_idle(bill.bill_id)

    assert set(_live_claims(engine, held.bill_id).values()) == {held.bill_id}
    assert _live_claims(engine, free.bill_id) == {}


def _statements_and_commits(engine: Engine, work: Callable[[], object]) -> list[str]:
    """The first three words of every SQL statement ``work`` runs, and ``COMMIT`` for each commit."""
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()[:3]))

    def committed(*_args: object) -> None:
        seen.append("COMMIT")

    event.listen(SqlEngine, "before_cursor_execute", note)
    event.listen(SqlEngine, "commit", committed)
    try:
        work()
    finally:
        event.remove(SqlEngine, "before_cursor_execute", note)
        event.remove(SqlEngine, "commit", committed)
    return seen


def test_settling_a_visit_at_once_claims_its_charges_in_the_bills_own_transaction(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    seen = _statements_and_commits(engine, lambda: engine.settle_visit(demo_bill("01"), cashier))

    opened = seen.index("INSERT INTO bills")
    claimed = seen.index("INSERT INTO charge_claims")
    assert opened < claimed < seen.index("COMMIT", opened)  # committed with the bill
    assert seen.count("INSERT INTO charge_claims") == 1  # and not claimed again
    assert sandbox.request_count("2207") == 1


def test_a_visit_opened_and_settled_at_once_is_still_refused_when_its_charges_are_held(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    view = engine.identify(demo_bill("01").identity, cashier)
    first = engine.open_bill(demo_bill("01"), view, cashier)
    engine.settlement.preview(first.bill_id, first.groups[0].group_key, cashier)  # in flight
    registrations = sandbox.request_count("2201")
    since = engine.clock.now() - timedelta(hours=1)

    with pytest.raises(ChargeAlreadySettled):
        engine.settle_visit(demo_bill("01"), cashier)

    assert sandbox.request_count("2201") == registrations
    with engine.uow_factory() as uow:  # the refusal is audited, as for a bill opened earlier
        rows = uow.audit.between(since, engine.clock.now() + timedelta(hours=1))
        refused = [r for r in rows if (r.event, r.outcome) == ("charge_claim", "refused")]
    assert len(refused) == 1
    assert set(_live_claims(engine, first.bill_id).values()) == {first.bill_id}
