"""The window's sync worker: settling goes on while the hospital server is cut off, the worker
backs off, and once the link is back it catches up with nothing lost (real PostgreSQL, a real TCP
link cut and restored between them)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import datetime

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from helpers.tcp_cut import CuttableLink
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.domain.operator import Operator
from app.services.engine import Engine
from app.services.hospital_sync import HospitalSync
from app.services.hospital_sync_loop import HospitalSyncWorker
from app.services.ports.hospital import ReplicaItem
from app.store.hospital.connect import open_hospital_engine
from app.store.hospital.record import PgHospitalRecord


@pytest.fixture
def link(hospital_db: HospitalDb) -> Iterator[CuttableLink]:
    url = make_url(hospital_db.url)
    cuttable = CuttableLink((url.host or "127.0.0.1", url.port or 5432)).restore()
    yield cuttable
    cuttable.cut()


def settlements(db: HospitalDb) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM hospital_settlements")).scalar())


def test_the_worker_keeps_records_while_cut_off_backs_off_and_catches_up(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb, link: CuttableLink
) -> None:
    url = make_url(hospital_db.url).set(host="127.0.0.1", port=link.port)
    remote = open_hospital_engine(
        url.render_as_string(hide_password=False), search_path=hospital_db.schema
    )
    sync = HospitalSync(
        engine.uow_factory, PgHospitalRecord(remote, HOSPITAL_KEY), engine.clock, "W01"
    )
    sync.enable()
    worker = HospitalSyncWorker(sync, engine.clock, interval=2.0)
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    assert worker.run_round().connected
    assert settlements(hospital_db) == 1

    link.cut()
    second = engine.settle_visit(fresh_visit(demo_bill("02")), cashier)  # settling goes on
    made_away = len([g for g in second.groups if g.settlement_id])
    away = [worker.run_round() for _ in range(3)]

    assert all(not state.connected for state in away)
    assert "医院数据库" in away[-1].error
    assert away[-1].pending > 0
    assert worker.next_wait() == 4.0  # 1, 2, 4 s: backing off, not hammering the server
    assert settlements(hospital_db) == 1

    link.restore()
    back = worker.run_round()

    assert back.connected
    assert back.pending == 0
    assert back.last_sync_at is not None
    assert worker.next_wait() == 2.0
    assert settlements(hospital_db) == 1 + made_away
    remote.dispose()


def test_the_worker_thread_drains_in_the_background_and_stops(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    sync = HospitalSync(
        engine.uow_factory, PgHospitalRecord(hospital_db.engine, HOSPITAL_KEY), engine.clock, "W01"
    )
    sync.enable()
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    worker = HospitalSyncWorker(sync, engine.clock, interval=0.1).start()
    try:
        for _ in range(100):
            if worker.state().rounds and worker.state().pending == 0:
                break
            worker.wake()
            time.sleep(0.05)
    finally:
        worker.stop()
    assert worker.state().pending == 0
    assert worker.state().connected
    assert settlements(hospital_db) == 1


class SettlingMeanwhile(PgHospitalRecord):
    """The real hospital record, while the window settles one more visit during each of the
    first ``visits`` batches it receives (a window settling while its sync round runs)."""

    def __init__(self, db: HospitalDb, engine: Engine, cashier: Operator, visits: int) -> None:
        super().__init__(db.engine, HOSPITAL_KEY)
        self.batches = 0
        self._settle = lambda: engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
        self._left = visits

    def apply(self, window: str, items: Sequence[ReplicaItem], at: datetime) -> None:
        super().apply(window, items, at)
        self.batches += 1
        if self._left:
            self._left -= 1
            self._settle()


def test_a_round_sends_what_was_pending_and_leaves_what_is_settled_meanwhile_to_the_next(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    record = SettlingMeanwhile(hospital_db, engine, cashier, visits=3)
    sync = HospitalSync(engine.uow_factory, record, engine.clock, "W01")
    sync.enable()
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    worker = HospitalSyncWorker(sync, engine.clock, interval=2.0)

    first = worker.run_round()

    # One batch with what was pending, one after the shared pull; the window's next visit (or the
    # interval) wakes the next round for the rest. Chasing it sent a batch per move it recorded.
    assert record.batches == 2
    assert first.connected
    assert first.pending > 0
    rounds = [worker.run_round() for _ in range(3)]
    assert rounds[-1].pending == 0
    assert settlements(hospital_db) >= 4
