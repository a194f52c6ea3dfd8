"""The optional HIS lock (lock-then-pay) through each adapter against the reference HIS.

Every adapter (HTTP JSON, middle tables on SQLite and on PostgreSQL, folder) must: grant the lock on
all lines or none, grant it again to the same claim, answer another claim with the holder (window,
claim, since), give lines back on ``unlock`` only for their holder, and drop a line's lock once the
HIS has applied its payment (the paid state guards from then on).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app.domain.his import ChargeResult, LineMoney, ResultKind, result_key
from app.his.folder import FolderHis
from app.his.http import HttpHis
from app.his.middle import MiddleTablesHis
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.folder import FolderJob
from app.sandbox.his.http import HisHttpServer
from app.sandbox.his.middle import MiddleTablesJob
from app.services.ports.his import HisChargeLock, HisRejected, HisUnavailable

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
VISIT = "MZ202611230001"
ONE, TWO = f"{VISIT}-1", f"{VISIT}-2"


@dataclass
class Setup:
    """An adapter over the reference HIS, and how the HIS side applies reported results."""

    adapter: HisChargeLock
    report: Callable[[ChargeResult], None]


def _settled(charge_id: str) -> ChargeResult:
    return ChargeResult(
        key=result_key("400000000001", charge_id, ResultKind.SETTLED),
        kind=ResultKind.SETTLED,
        charge_id=charge_id,
        visit_no=VISIT,
        setl_id="400000000001",
        fee_category="chronic",
        fee_category_name="门诊慢特病 M00500",
        money=LineMoney(Decimal("77.00"), Decimal("55.59"), Decimal("0.00"), Decimal("21.41")),
        occurred_at=datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        operator_code="C001",
        window="W01",
    )


def _ignore_waiting(call: Callable[[], object]) -> None:
    with pytest.raises(HisUnavailable) as waiting:
        call()
    assert waiting.value.code == "his_pending"  # written, applied by the HIS job next


@pytest.fixture(params=["http", "middle-sqlite", "middle-postgresql", "folder"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    his: ReferenceHis = demo_his()
    kind = str(request.param)
    if kind == "http":
        with HisHttpServer(his) as server:
            adapter = HttpHis(server.url, connect_timeout=1.0, read_timeout=2.0)
            yield Setup(adapter, adapter.report)  # type: ignore[arg-type]
        return
    if kind == "folder":
        job = FolderJob(his, tmp_path / "exchange")
        job.publish()
        folder = FolderHis(tmp_path / "exchange")

        def via_folder(result: ChargeResult) -> None:
            _ignore_waiting(lambda: folder.report(result))
            assert job.apply_results() == 1

        yield Setup(folder, via_folder)
        return
    admin = None
    if kind == "middle-sqlite":
        url = f"sqlite:///{tmp_path / 'his-middle.sqlite3'}"
    else:
        schema = f"his_lock_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_SERVER)
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    middle_job = MiddleTablesJob(his, url)
    middle_job.create_tables()  # the published DDL, lock table included
    middle_job.publish()
    middle = MiddleTablesHis(url, timeout=2)

    def via_tables(result: ChargeResult) -> None:
        _ignore_waiting(lambda: middle.report(result))
        assert middle_job.apply_results() == 1

    try:
        yield Setup(middle, via_tables)
    finally:
        middle.close()
        middle_job.stop()
        if admin is not None:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


def test_granted_once_idempotent_for_the_holder_and_held_for_others(setup: Setup) -> None:
    his = setup.adapter
    assert his.lock(VISIT, [ONE, TWO], "W01", "bill-a") == []
    assert his.lock(VISIT, [ONE, TWO], "W01", "bill-a") == []  # the same claim again

    held = his.lock(VISIT, [TWO], "W02", "bill-b")
    assert [(h.charge_id, h.window, h.claim_id) for h in held] == [(TWO, "W01", "bill-a")]
    assert held[0].since is not None

    his.unlock([ONE, TWO], "bill-b")  # not the holder: nothing given back
    assert his.lock(VISIT, [ONE], "W02", "bill-b")[0].claim_id == "bill-a"

    his.unlock([ONE, TWO], "bill-a")
    assert his.lock(VISIT, [ONE, TWO], "W02", "bill-b") == []


def test_all_lines_or_none(setup: Setup) -> None:
    his = setup.adapter
    assert his.lock(VISIT, [TWO], "W01", "bill-a") == []
    # ONE is free but TWO is held: the second claim gets neither
    assert [h.charge_id for h in his.lock(VISIT, [ONE, TWO], "W02", "bill-b")] == [TWO]
    assert his.lock(VISIT, [ONE], "W03", "bill-c") == []


def test_a_paid_line_lock_is_dropped_by_the_his(setup: Setup) -> None:
    his = setup.adapter
    assert his.lock(VISIT, [ONE, TWO], "W01", "bill-a") == []
    setup.report(_settled(ONE))
    assert [h.charge_id for h in his.lock(VISIT, [TWO], "W02", "bill-b")] == [TWO]
    # ONE is no longer locked by bill-a: the reference HIS over HTTP refuses to lock a paid line;
    # over tables and files the lock is free again (the window's re-read of the line finds it paid)
    try:
        assert his.lock(VISIT, [ONE], "W02", "bill-b") == []
    except HisRejected:
        assert isinstance(his, HttpHis)


def test_two_windows_racing_for_one_visit_exactly_one_is_granted(setup: Setup) -> None:
    his = setup.adapter
    barrier = threading.Barrier(4)
    granted: list[str] = []
    errors: list[BaseException] = []
    named: list[tuple[str, str]] = []  # a refused claim is told who holds the lines

    def take(claim: str) -> None:
        barrier.wait()
        try:
            held = his.lock(VISIT, [ONE, TWO], f"W-{claim}", claim)
            if not held:
                granted.append(claim)
            named.extend((h.window, h.claim_id) for h in held)
        except HisUnavailable as exc:  # a lost race on the primary key: asked again later
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(f"bill-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(granted) == 1, (granted, errors)
    assert named
    assert set(named) == {(f"W-{granted[0]}", granted[0])}, "never a half-written holder"


def test_the_reference_his_refuses_to_lock_a_paid_line() -> None:
    his = demo_his()
    with HisHttpServer(his) as server:
        adapter = HttpHis(server.url, connect_timeout=1.0, read_timeout=2.0)
        adapter.report(_settled(ONE))
        with pytest.raises(HisRejected):
            adapter.lock(VISIT, [ONE], "W01", "bill-a")
        assert his.locks() == {}
