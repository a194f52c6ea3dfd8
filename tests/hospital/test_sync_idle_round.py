"""An idle sync round is cheap and still exact (issue 13, benchmark goal at 20 windows), on the real
PostgreSQL: the heartbeat is sent when it says something new (after a delivery, while records wait,
after the refresh interval) and the hospital day close still sees the window drained; the shared
pulls run only when the hospital's operators or catalogue changed, and an account made or an item
imported at one window still reaches another at that window's next round."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.hospital_windows import Window, open_window, today
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event

from app.domain.catalogue import CatalogueItem, ItemClass
from app.domain.operator import Operator, Role
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.hospital_day_close import unfinished_windows
from app.services.hospital_sync import HEARTBEAT_REFRESH_S, HospitalSync
from app.services.hospital_sync_loop import HospitalSyncWorker
from app.store.hospital.catalogue import PgSharedCatalogue
from app.store.hospital.record import PgHospitalRecord
from app.wiring import hospital_link

ADMIN_PASSWORD = "admin-pass-2026"
NEW_PASSWORD = "new-cashier-77"


class CountedHeartbeats(PgHospitalRecord):
    """The real hospital record, counting heartbeats."""

    def __init__(self, db: HospitalDb) -> None:
        super().__init__(db.engine, HOSPITAL_KEY)
        self.heartbeats = 0

    def report_window(self, window: str, pending: int, lag_seconds: float, at: datetime) -> None:
        self.heartbeats += 1
        super().report_window(window, pending, lag_seconds, at)


class MovableClock:
    """The system's wall clock; a monotonic counter the test moves."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return self.seconds


def test_idle_rounds_send_no_heartbeat_until_there_is_news_and_the_day_close_sees_it_drained(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    record, clock = CountedHeartbeats(hospital_db), MovableClock()
    sync = HospitalSync(engine.uow_factory, record, clock, "W01")
    sync.enable()
    worker = HospitalSyncWorker(sync, clock, interval=2.0)
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)

    assert worker.run_round().pending == 0
    assert record.heartbeats == 1  # after the delivery: "nothing left"
    assert unfinished_windows(record.windows(today())) == {}

    idle = [worker.run_round() for _ in range(5)]

    assert all(state.connected and state.pending == 0 for state in idle)
    assert record.heartbeats == 1  # nothing new to tell
    assert unfinished_windows(record.windows(today())) == {}

    clock.seconds += HEARTBEAT_REFRESH_S
    worker.run_round()
    assert record.heartbeats == 2  # told again after the refresh interval

    engine.settle_visit(fresh_visit(demo_bill("02")), cashier)
    worker.run_round()
    assert record.heartbeats == 3  # a delivery: told at once
    assert unfinished_windows(record.windows(today())) == {}


def test_another_program_of_the_window_delivering_makes_the_next_idle_round_tell_the_hospital(
    engine: Engine, cashier: Operator, hospital_db: HospitalDb
) -> None:
    record, clock = CountedHeartbeats(hospital_db), MovableClock()
    sync = HospitalSync(engine.uow_factory, record, clock, "W01")
    sync.enable()
    worker = HospitalSyncWorker(sync, clock, interval=2.0)
    worker.run_round()
    told = record.heartbeats
    engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    # E.g. the day close's own delivery, whose heartbeat did not reach the server.
    other = HospitalSync(engine.uow_factory, PgHospitalRecord(hospital_db.engine, HOSPITAL_KEY),
                         clock, "W01")  # fmt: skip
    assert other.sync_once(heartbeat=False).delivered > 0

    worker.run_round()

    assert record.heartbeats == told + 1  # the last sync moved: "nothing left" told after it
    assert unfinished_windows(record.windows(today())) == {}


def item(n: int) -> CatalogueItem:
    return CatalogueItem(
        hospital_code=f"H{n:05d}",
        national_code=f"XN{n:05d}",
        name=f"共享药品{n}",
        pinyin="gxyp",
        unit_price=Decimal("12.50"),
        spec="10mg*30",
        unit="盒",
        item_type="09",
        item_class=ItemClass.B,
        self_pay_ratio=Decimal("0.1"),
        price_ceiling=None,
        restricted=False,
    )


@pytest.fixture
def configured(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> Iterator[tuple[Window, Window]]:
    """W01 and W02 configured with ``[hospital_db]``, as real windows run."""
    w1 = open_window("W01", sandbox, hospital_db, tmp_path / "w01", configured=True)
    w2 = open_window("W02", sandbox, hospital_db, tmp_path / "w02", configured=True)
    try:
        yield w1, w2
    finally:
        w1.engine.close()
        w2.engine.close()


class PullQueries:
    """Counts the statements that pull changed operators or catalogue items, on every engine."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "hospital_operators.version >" in statement or "hospital_catalogue.version >" in (
            statement
        ):
            self.count += 1


def test_shared_pulls_run_only_when_something_shared_changed_and_then_reach_the_other_window(
    configured: tuple[Window, Window], hospital_db: HospitalDb
) -> None:
    w1, w2 = configured
    link1, link2 = hospital_link(w1.engine), hospital_link(w2.engine)
    assert link1 is not None
    assert link2 is not None
    pulls = PullQueries()
    event.listen(SqlEngine, "before_cursor_execute", pulls)
    try:
        assert link1.sync.drain(chase=False).drained  # W01 joins: its accounts are the hospital's
        assert link2.sync.drain(chase=False).drained
        joined = pulls.count
        assert joined > 0

        for _ in range(3):
            assert link2.sync.drain(chase=False).drained
        assert pulls.count == joined  # nothing shared changed: nothing pulled

        w1.engine.auth.init_admin("A001", "信息科", ADMIN_PASSWORD)
        admin = w1.engine.auth.login("A001", ADMIN_PASSWORD)
        w1.engine.auth.add_user(admin, "C777", "新收费员", Role.CASHIER, NEW_PASSWORD)
        PgSharedCatalogue(hospital_db.engine).import_items([item(1)], datetime.now(UTC))

        assert link2.sync.drain(chase=False).drained  # W02's next round

        assert pulls.count > joined
        assert w2.engine.auth.login("C777", NEW_PASSWORD).code == "C777"
        with w2.engine.uow_factory() as uow:
            assert uow.catalogue.get("H00001") is not None
    finally:
        event.remove(SqlEngine, "before_cursor_execute", pulls)
        link1.close()
        link2.close()
