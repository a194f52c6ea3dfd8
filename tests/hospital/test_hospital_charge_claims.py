"""Hospital mode: the same HIS visit is never settled at two windows (issue #11 item 1, issue 13).

Each window's own charge claims cannot see the other windows; in hospital mode the claim is also
taken hospital-wide in PostgreSQL before the 2207. Two windows settling one HIS visit at once: exactly
one settles, the other is refused before anything is sent and told which window (and, once it is in
the record, which settlement) has it. A cancellation at any window makes the charges payable again.
With the hospital database unreachable, a HIS visit is refused before anything is sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit, make_engine, sandbox_settings
from helpers.hospital_windows import APPROVAL, Window, open_window, sync_all
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from sqlalchemy import text

from app.errors import AppError, ChargeAlreadySettled, InputError
from app.sandbox import SandboxServer
from app.services.charge_claims import charge_key
from app.services.settlement import BillResult
from app.store.hospital.charge_claims import PgHospitalChargeClaims


@pytest.fixture
def windows(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> Iterator[list[Window]]:
    opened = [
        open_window(name, sandbox, hospital_db, tmp_path / name.lower(), configured=True)
        for name in ("W01", "W02", "W03")
    ]
    yield opened
    for window in opened:
        window.engine.close()


def settled_ids(bill: BillResult) -> list[str]:
    return [g.settlement_id for g in bill.groups if g.settlement_id]


def test_two_windows_settling_one_his_visit_at_once_exactly_one_settles(
    windows: list[Window], sandbox: SandboxServer
) -> None:
    visit = fresh_visit(demo_bill("01"))
    before = sandbox.request_count("2207")
    barrier = threading.Barrier(2)
    outcomes: dict[str, BillResult | AppError] = {}

    def settle(window: Window) -> None:
        barrier.wait()
        try:
            outcomes[window.name] = window.engine.settle_visit(visit, window.cashier)
        except AppError as exc:
            outcomes[window.name] = exc

    threads = [threading.Thread(target=settle, args=(w,)) for w in windows[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    bills = {name: o for name, o in outcomes.items() if not isinstance(o, AppError)}
    refused = {name: o for name, o in outcomes.items() if isinstance(o, ChargeAlreadySettled)}
    assert len(bills) == 1, outcomes
    assert len(refused) == 1, outcomes
    (winner, bill), (_, refusal) = next(iter(bills.items())), next(iter(refused.items()))
    ids = settled_ids(bill)
    assert ids
    assert sandbox.request_count("2207") == before + len(ids)
    assert refusal.detail["window"] == winner
    assert winner in refusal.text

    # Once W-winner has synced, a third window is told the settlement number too.
    sync_all(windows)
    with pytest.raises(ChargeAlreadySettled) as again:
        windows[2].engine.settle_visit(visit, windows[2].cashier)
    assert again.value.detail["window"] == winner
    assert set(again.value.detail["settlement_ids"].split(",")) == set(ids)
    assert all(sid in again.value.text for sid in ids)
    assert sandbox.request_count("2207") == before + len(ids), "nothing sent for a refusal"


def test_cancelled_at_another_window_the_visit_can_be_settled_again(
    windows: list[Window], sandbox: SandboxServer, hospital_db: HospitalDb
) -> None:
    w1, w2, _ = windows
    visit = replace(demo_bill("02"), outpatient_no=fresh_visit(demo_bill("02")).outpatient_no)
    bill = w1.engine.settle_visit(visit, w1.cashier)
    sync_all(windows)
    for settlement_id in settled_ids(bill):
        w2.cancels().cancel(settlement_id, w2.cashier, APPROVAL)
    keys = [charge_key(visit.outpatient_no, line) for line in visit.lines]
    assert PgHospitalChargeClaims(hospital_db.engine).holders(keys) == []

    again = w2.engine.settle_visit(visit, w2.cashier)

    assert settled_ids(again)
    held = PgHospitalChargeClaims(hospital_db.engine).holders(keys)
    assert {row["window"] for row in held} == {"W02"}
    assert {row["bill_id"] for row in held} == {again.bill_id}


def test_hospital_database_unreachable_a_his_visit_is_refused_before_anything_is_sent(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    key = tmp_path / "hospital.key"
    key.write_bytes(HOSPITAL_KEY)
    key.chmod(0o600)
    hospital = {
        "url": "postgresql+psycopg://postgres@127.0.0.1:1/test",
        "hospital_key_file": str(key),
    }
    settings = sandbox_settings(sandbox, window={"device_no": "W09"}, hospital_db=hospital)
    seed = open_window("W09", sandbox, hospital_db, tmp_path / "w09")  # takes a msgid slot
    seed.engine.close()
    engine = make_engine(settings, tmp_path / "w09")
    try:
        cashier = engine.operator("C001")
        before = sandbox.request_count("2207")
        with pytest.raises(InputError) as refused:
            engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
        assert refused.value.code == "hospital_unreachable"
        assert "未向医保平台发送任何请求" in refused.value.text
        assert sandbox.request_count("2207") == before
        with engine.uow_factory() as uow:
            assert [e for e in uow.journal.unresolved()] == []
    finally:
        engine.close()


def test_a_claim_left_behind_is_taken_over_only_once_stale_and_its_window_caught_up(
    windows: list[Window], hospital_db: HospitalDb
) -> None:
    w1, w2, _ = windows
    visit = fresh_visit(demo_bill("01"))
    keys = {charge_key(visit.outpatient_no, line): line.line_no for line in visit.lines}
    claims = PgHospitalChargeClaims(hospital_db.engine)
    # W01 claimed the visit for a bill and died before sending anything (nothing live of it).
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    assert claims.claim("W01", "DEADBILL", keys, long_ago, stale_before=long_ago) == []
    before = datetime.now(UTC)

    # W01 has not reported since: its claim may still be in flight somewhere — refused.
    with pytest.raises(ChargeAlreadySettled) as refused:
        w2.engine.settle_visit(visit, w2.cashier)
    assert refused.value.detail["window"] == "W01"
    assert refused.value.detail["bill_id"] == "DEADBILL"

    # W01 synced after the claim with nothing pending, the claim is older than 10 minutes and the
    # record shows nothing live of its bill: W02 takes it over.
    sync_all([w1])
    with hospital_db.engine.connect() as connection:
        synced = connection.execute(
            text("SELECT last_sync_at, pending FROM hospital_windows WHERE device_no = 'W01'")
        ).one()
    assert synced.last_sync_at >= before
    assert synced.pending == 0
    bill = w2.engine.settle_visit(visit, w2.cashier)

    assert settled_ids(bill)
    held = claims.holders(list(keys))
    assert {(row["window"], row["bill_id"]) for row in held} == {("W02", bill.bill_id)}
