"""The middle-tables adapter against real databases: a SQLite file and the PostgreSQL at 127.0.0.1.

The tables are created from the published DDL (resources/his/middle-tables.sql) and the reference
HIS plays the HIS side (publishing pending charges, applying results like a HIS job).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.engine_fixtures import add_operators, make_engine
from sqlalchemy import create_engine

from app.config import Settings
from app.domain.his import (
    ChargeResult,
    ChargeStatus,
    LineMoney,
    PatientKey,
    PatientKeyKind,
    ResultKind,
    result_key,
)
from app.his.middle import MiddleTablesHis
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.middle import MiddleTablesJob
from app.services.ports.his import HisRejected, HisUnavailable

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
QINGHAI_ID = "630120197003151227"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a unique PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'his-middle.sqlite3'}"
        return
    schema = f"his_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def his() -> ReferenceHis:
    return demo_his()


@pytest.fixture
def job(his: ReferenceHis, database_url: str) -> Iterator[MiddleTablesJob]:
    built = MiddleTablesJob(his, database_url)
    built.create_tables()
    built.publish()
    yield built
    built.stop()


@pytest.fixture
def adapter(job: MiddleTablesJob, database_url: str) -> Iterator[MiddleTablesHis]:
    built = MiddleTablesHis(database_url)
    yield built
    built.close()


def _result(charge_id: str, kind: ResultKind, setl_id: str = "400000000001") -> ChargeResult:
    sign = Decimal(-1) if kind is ResultKind.CANCELLED else Decimal(1)
    return ChargeResult(
        key=result_key(setl_id, charge_id, kind),
        kind=kind,
        charge_id=charge_id,
        visit_no=charge_id.rsplit("-", 1)[0],
        setl_id=setl_id,
        fee_category="chronic",
        fee_category_name="门诊慢特病 M00500",
        disease_code="M00500",
        money=LineMoney(sign * Decimal("77.00"), sign * Decimal("55.59"), Decimal("0.00"),
                        sign * Decimal("21.41")),
        occurred_at=datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        operator_code="C001",
        window="W01",
    )  # fmt: skip


def test_unpaid_visits_come_with_exact_decimals_tags_and_names(adapter: MiddleTablesHis) -> None:
    (visit,) = adapter.unpaid_visits(PatientKey(PatientKeyKind.ID_NUMBER, QINGHAI_ID))
    assert visit.visit_no == "MZ202611230001"
    assert visit.patient_name == "马秀兰"
    assert visit.total == Decimal("179.63")
    first = visit.lines[0]
    assert (first.unit_price, first.quantity, first.amount) == (
        Decimal("38.5"),
        Decimal(2),
        Decimal("77.00"),
    )
    assert str(first.tag) == "M00500"
    by_no = adapter.unpaid_visits(PatientKey(PatientKeyKind.OUTPATIENT_NO, "MZ202611230001"))
    assert [v.visit_no for v in by_no] == ["MZ202611230001"]


def test_a_result_is_inserted_once_and_a_repeat_reads_the_first_back(
    adapter: MiddleTablesHis, job: MiddleTablesJob, his: ReferenceHis
) -> None:
    result = _result("MZ202611230001-1", ResultKind.SETTLED)
    for _ in range(2):  # the second time as if the answer to the first had been lost
        with pytest.raises(HisUnavailable) as waiting:
            adapter.report(result)  # written; delivered only once the HIS job has applied it
        assert waiting.value.code == "his_pending"

    assert job.apply_results() == 1
    assert his.status("MZ202611230001-1") is ChargeStatus.PAID
    assert len(his.applied()) == 1
    (current,) = adapter.current_charges(["MZ202611230001-1"])
    assert current.status is ChargeStatus.PAID
    ack = adapter.report(result)
    assert ack.his_ref.startswith("HIS")
    assert ack.duplicate
    visits = adapter.unpaid_visits(PatientKey(PatientKeyKind.ID_NUMBER, QINGHAI_ID))
    assert "MZ202611230001-1" not in {line.charge_id for v in visits for line in v.lines}

    with pytest.raises(HisUnavailable):
        adapter.report(_result("MZ202611230001-1", ResultKind.CANCELLED))
    job.apply_results()
    assert his.status("MZ202611230001-1") is ChargeStatus.UNPAID


def test_a_refusal_by_the_his_job_comes_back_as_rejected(
    adapter: MiddleTablesHis, job: MiddleTablesJob, his: ReferenceHis
) -> None:
    his.pay_elsewhere("MZ202611230001-2")
    result = _result("MZ202611230001-2", ResultKind.SETTLED)
    with pytest.raises(HisUnavailable):
        adapter.report(result)
    job.apply_results()
    with pytest.raises(HisRejected) as caught:
        adapter.report(result)
    assert "已缴费" in caught.value.text
    assert [key for key, _ in adapter.refused()] == [result.key]


def test_edits_and_withdrawals_show_in_current_charges(
    adapter: MiddleTablesHis, job: MiddleTablesJob, his: ReferenceHis
) -> None:
    his.edit_line("MZ202611230001-1", quantity=Decimal(3))
    his.withdraw("MZ202611230001-3")
    job.publish()
    current = {c.charge_id: c for c in adapter.current_charges(
        ["MZ202611230001-1", "MZ202611230001-3", "NO-SUCH"])}  # fmt: skip
    assert current["MZ202611230001-1"].line is not None
    assert current["MZ202611230001-1"].line.quantity == Decimal(3)
    assert current["MZ202611230001-1"].line.version == "2"
    assert current["MZ202611230001-3"].status is ChargeStatus.WITHDRAWN
    assert "NO-SUCH" not in current


def test_an_unreachable_database_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    adapter = MiddleTablesHis("postgresql+psycopg://postgres@127.0.0.1:9/test", timeout=1)
    with pytest.raises(HisUnavailable):
        adapter.unpaid_visits(PatientKey(PatientKeyKind.ID_NUMBER, QINGHAI_ID))
    with pytest.raises(HisUnavailable):
        adapter.report(_result("X-1", ResultKind.SETTLED))
    adapter.close()


def test_settling_at_the_window_reaches_the_his_through_the_tables(
    job: MiddleTablesJob,
    database_url: str,
    engine_settings: Settings,
    tmp_path: Path,
) -> None:
    engine = make_engine(
        engine_settings, tmp_path / "data", his_gateway=MiddleTablesHis(database_url)
    )
    try:
        cashier, _ = add_operators(engine)
        assert engine.his is not None
        assert engine.his_outbox is not None
        visit = engine.his.load(engine.his.unpaid_for_person(QINGHAI_ID))
        engine.settle_visit(visit, cashier)
        outbox = engine.his_outbox

        passed = outbox.deliver_due()  # every line written, none applied yet
        assert (passed.delivered, passed.failed, passed.pending) == (0, 0, 6)
        assert job.apply_results() == 6
        outbox.retry_now()
        assert outbox.deliver_due().delivered == 6
        assert outbox.pending_count() == 0
        with engine.uow_factory() as uow:
            assert all(item.his_ref.startswith("HIS") for item in uow.his.items())
        assert all(job.his.status(line.line_no) is ChargeStatus.PAID for line in visit.lines)
    finally:
        engine.close()
