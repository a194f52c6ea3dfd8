"""Hospital mode, window → hospital: every record reaches the real PostgreSQL once, and nothing is
lost while the server is away (issue 13 items 1, 2 and 8)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.domain.operator import Operator
from app.services.engine import Engine
from app.services.hospital_sync import HospitalSync, next_retry_delay
from app.services.ports.clock import SystemClock
from app.store.hospital import schema
from app.store.hospital.connect import (
    check_url,
    current_revision,
    head_revision,
    open_hospital_engine,
)
from app.store.hospital.record import PgHospitalRecord

UNREACHABLE_URL = "postgresql+psycopg://postgres@127.0.0.1:1/test"


def sync_for(engine: Engine, db: HospitalDb, window: str = "W01") -> HospitalSync:
    return HospitalSync(
        engine.uow_factory, PgHospitalRecord(db.engine, HOSPITAL_KEY), SystemClock(), window
    )


def count(db: HospitalDb, table: str) -> int:
    with db.engine.connect() as connection:
        query = text(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - table names from the tests
        return int(connection.execute(query).scalar_one())


def test_the_schema_is_at_the_newest_revision(hospital_db: HospitalDb) -> None:
    assert current_revision(hospital_db.engine) == head_revision()


def test_nothing_is_queued_until_hospital_mode_is_switched_on(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    sync = sync_for(engine, hospital_db)
    assert sync.stats().pending == 0

    queued = sync.enable()

    assert queued > 0
    assert sync.stats().pending == queued
    assert sync.enable() == 0, "switching on twice queues nothing more"


def test_settlements_reach_the_hospital_record_with_every_figure(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    sync = sync_for(engine, hospital_db)
    sync.enable()
    bills = [engine.settle_visit(fresh_visit(demo_bill(p)), cashier) for p in ("01", "02")]

    report = sync.drain()

    assert report.drained
    assert report.delivered > 0
    local = {g.settlement_id: g.totals for b in bills for g in b.groups if g.settlement_id}
    with hospital_db.engine.connect() as connection:
        rows = {r.settlement_id: r for r in connection.execute(select(schema.settlements))}
    assert set(rows) == set(local)
    for settlement_id, totals in local.items():
        assert totals is not None
        row = rows[settlement_id]
        assert (row.total, row.fund, row.account, row.cash) == (
            totals.total,
            totals.fund,
            totals.account,
            totals.cash,
        )
        assert row.fund + row.account + row.cash + row.hospital == row.total
        assert row.window == "W01"
    assert count(hospital_db, "hospital_journal") > 0
    assert sync.stats().pending == 0
    assert sync.stats().last_sync_at is not None


def test_a_batch_delivered_twice_is_applied_once(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    sync = sync_for(engine, hospital_db)
    sync.enable()
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    with engine.uow_factory() as uow:
        batch = uow.replica.pending(1000)
    record = PgHospitalRecord(hospital_db.engine, HOSPITAL_KEY)
    record.apply("W01", batch, SystemClock().now())
    before = {t: count(hospital_db, t) for t in ("hospital_records", "hospital_settlements")}

    # The window died after the hospital committed and before it marked the batch: it sends again.
    report = sync.drain()

    assert report.drained
    assert {t: count(hospital_db, t) for t in before} == before


def test_the_server_away_keeps_every_record_and_the_window_catches_up(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    away = HospitalSync(
        engine.uow_factory,
        PgHospitalRecord(open_hospital_engine(UNREACHABLE_URL), HOSPITAL_KEY),
        SystemClock(),
        "W01",
    )
    away.enable()
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    pending = away.stats().pending

    report = away.sync_once()

    assert report.error
    assert "医院数据库" in report.error
    assert report.pending == pending > 0
    assert count(hospital_db, "hospital_settlements") == 0

    back = sync_for(engine, hospital_db).drain()

    assert back.drained
    assert count(hospital_db, "hospital_settlements") == 1


def test_personal_data_is_encrypted_under_the_hospital_key(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    sync = sync_for(engine, hospital_db)
    sync.enable()
    bill = engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    sync.drain()
    record = PgHospitalRecord(hospital_db.engine, HOSPITAL_KEY)

    payload = record.record_payload("W01", "bill", bill.bill_id)

    assert payload is not None
    name = payload["credential_name"]
    assert name
    assert payload["bill_lines"]
    with hospital_db.engine.connect() as connection:
        blobs = connection.execute(select(schema.records.c.payload)).scalars().all()
    assert blobs
    assert not any(name.encode("utf-8") in bytes(blob) for blob in blobs)
    other_key = PgHospitalRecord(hospital_db.engine, bytes(32))
    with pytest.raises(Exception, match="解密"):
        other_key.record_payload("W01", "bill", bill.bill_id)


def test_audit_rows_in_the_hospital_record_cannot_be_changed_or_deleted(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    sync = sync_for(engine, hospital_db)
    sync.enable()
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    sync.drain()
    assert count(hospital_db, "hospital_records WHERE kind = 'audit'") > 0

    for statement in (
        "UPDATE hospital_records SET payload = 'x' WHERE kind = 'audit'",
        "DELETE FROM hospital_records WHERE kind = 'audit'",
    ):
        with pytest.raises(DBAPIError, match="audit rows"), hospital_db.engine.begin() as c:
            c.execute(text(statement))


def test_of_two_windows_cancelling_at_once_exactly_one_holds_the_claim(
    hospital_db: HospitalDb,
) -> None:
    record = PgHospitalRecord(hospital_db.engine, HOSPITAL_KEY)
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def claim(window: str) -> None:
        barrier.wait()
        winners.append(record.claim_cancel("400000000001", window, "S001", SystemClock().now()))

    threads = [threading.Thread(target=claim, args=(f"W0{i}",)) for i in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(winners)) == 1, "every window is told the same holder"
    holder = winners[0]
    record.release_cancel("400000000001", "W99")  # not the holder: changes nothing
    assert record.claim_cancel("400000000001", "W09", "S001", SystemClock().now()) == holder
    record.release_cancel("400000000001", holder)
    assert record.claim_cancel("400000000001", "W09", "S001", SystemClock().now()) == "W09"


def test_the_supervisor_sees_every_window_with_its_totals(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    sync = sync_for(engine, hospital_db)
    sync.enable()
    bill = engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    sync.drain()
    record = PgHospitalRecord(hospital_db.engine, HOSPITAL_KEY)
    settled_at = record.settlements(_beijing_day(record), None)

    windows = record.windows(_beijing_day(record))

    assert [w.device_no for w in windows] == ["W01"]
    totals = bill.groups[0].totals
    assert totals is not None
    assert windows[0].total_today == totals.total
    assert windows[0].cash_today == totals.cash
    assert windows[0].unresolved == 0
    assert [s.settlement_id for s in settled_at] == [bill.groups[0].settlement_id]
    with hospital_db.engine.connect() as connection:
        total = connection.execute(select(func.sum(schema.settlements.c.total))).scalar_one()
    assert Decimal(total) == totals.total


def _beijing_day(record: PgHospitalRecord) -> object:
    with record._engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT (min(settled_at) AT TIME ZONE 'Asia/Shanghai')::date FROM hospital_settlements"
            )
        ).scalar_one()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql+psycopg://w01:secret@127.0.0.1/h", "不能写密码"),
        ("postgresql+psycopg://w01@db.hospital.lan/h", "verify-full"),
        ("postgresql+psycopg://w01@db.hospital.lan/h?sslmode=require", "verify-full"),
        ("mysql://w01@127.0.0.1/h", "postgresql+psycopg"),
        ("postgresql+psycopg://w01@127.0.0.1", "数据库名"),
        ("not a url", "格式不对"),
    ],
)
def test_unsafe_or_malformed_urls_are_refused(url: str, problem: str) -> None:
    assert any(problem in p for p in check_url(url))


def test_safe_urls_are_accepted() -> None:
    assert check_url("postgresql+psycopg://w01@db.hospital.lan:5432/h?sslmode=verify-full") == []
    assert check_url("postgresql+psycopg://w01@127.0.0.1:5432/h") == []


def test_retry_backs_off_to_a_minute() -> None:
    delays = [next_retry_delay(None)]
    for _ in range(10):
        delays.append(next_retry_delay(delays[-1]))
    assert delays[:3] == [1.0, 2.0, 4.0]
    assert delays[-1] == 60.0
