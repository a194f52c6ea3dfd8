"""HIS hand-off: outbox delivery throughput per adapter and the unpaid-visits round trip.

Run: ``.venv/bin/python -m benchmarks.his_outbox [--results N] [--no-postgresql]``. Enqueues N
results (a settled and a cancelled result per charge line of the reference HIS's demo visits) in a
fresh store and times the outbox until all are acknowledged: over HTTP to the reference HIS on
loopback, into middle tables on a SQLite file and on the PostgreSQL at 127.0.0.1 (db ``test``, a
schema dropped afterwards) with the HIS job applying every 50 ms, and through a folder. Also times
``unpaid-visits`` over HTTP. Printed, not asserted (target: a day's results of one window — a few
thousand — delivered in well under a minute once the HIS is back).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import create_engine

from app.domain.his import (
    ChargeResult,
    LineMoney,
    PatientKey,
    PatientKeyKind,
    ResultKind,
    result_key,
)
from app.his.folder import FolderHis
from app.his.http import HttpHis
from app.his.middle import MiddleTablesHis
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.folder import FolderJob
from app.sandbox.his.http import HisHttpServer
from app.sandbox.his.middle import MiddleTablesJob
from app.services.his_outbox import HisOutbox
from app.services.ports.clock import SystemClock
from app.services.ports.his import HisGateway
from app.services.ports.store import UnitOfWorkFactory
from app.store import FileKeyProvider, open_store

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _results(his: ReferenceHis, count: int) -> list[ChargeResult]:
    charges = [line.charge_id for _, line, _ in his.snapshot()]
    results: list[ChargeResult] = []
    for n, charge in enumerate(charges * (count // (2 * len(charges)) + 1)):
        setl = f"B{n:011d}"
        for kind, sign in ((ResultKind.SETTLED, 1), (ResultKind.CANCELLED, -1)):
            amount = Decimal(sign * 10)
            results.append(
                ChargeResult(
                    key=result_key(setl, charge, kind),
                    kind=kind,
                    charge_id=charge,
                    visit_no=charge.rsplit("-", 1)[0],
                    setl_id=setl,
                    fee_category="general",
                    fee_category_name="普通门诊",
                    money=LineMoney(
                        amount, amount * Decimal("0.7"), Decimal(0), amount * Decimal("0.3")
                    ),
                    occurred_at=datetime.now(UTC),
                    operator_code="C001",
                    window="W01",
                    orig_setl_id=setl if kind is ResultKind.CANCELLED else "",
                )
            )
    return results[:count]


@contextmanager
def _outbox(gateway: HisGateway, results: list[ChargeResult]) -> Iterator[HisOutbox]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        clock = SystemClock()
        store = open_store(root / "s.sqlite3", FileKeyProvider(root / "s.key"), clock)
        try:
            factory = cast(UnitOfWorkFactory, store.uow_factory())
            with factory() as uow:
                for result in results:
                    uow.his.enqueue(result, clock.now())
                uow.commit()
            yield HisOutbox(gateway, factory, clock, base_delay=0.01, max_delay=0.05)
        finally:
            store.close()


def _drain(outbox: HisOutbox, job: Callable[[], object] | None = None) -> float:
    stop = threading.Event()

    def run_job() -> None:
        while not stop.wait(0.05):
            if job is not None:
                job()

    worker = threading.Thread(target=run_job, daemon=True)
    worker.start()
    started = time.perf_counter()
    try:
        while outbox.pending_count():
            if not outbox.deliver_due().delivered:
                time.sleep(0.01)
                outbox.retry_now()
    finally:
        stop.set()
        worker.join()
    return time.perf_counter() - started


def _report(name: str, count: int, seconds: float) -> None:
    print(f"{name:<28} {count:>6} results  {seconds:7.2f} s  {count / seconds:8.0f} results/s")


def _http(count: int) -> None:
    his = demo_his(copies=8)
    with HisHttpServer(his) as server:
        gateway = HttpHis(server.url)
        results = _results(his, count)
        with _outbox(gateway, results) as outbox:
            _report("HTTP JSON (loopback)", len(results), _drain(outbox))
        timings = []
        key = PatientKey(PatientKeyKind.ID_NUMBER, "630120197003151227")
        for _ in range(200):
            started = time.perf_counter()
            gateway.unpaid_visits(key)
            timings.append((time.perf_counter() - started) * 1000)
        cuts = statistics.quantiles(timings, n=20)
        print(
            f"{'unpaid-visits over HTTP':<28} p50 {cuts[9]:.1f} ms  p95 {cuts[18]:.1f} ms (8 visits)"
        )


def _middle(name: str, url: str, count: int, *, engine: Any = None) -> None:
    his = demo_his(copies=8)
    job = MiddleTablesJob(his, url)
    job.create_tables()
    job.publish()
    gateway = MiddleTablesHis(url)
    results = _results(his, count)
    try:
        with _outbox(gateway, results) as outbox:
            _report(name, len(results), _drain(outbox, job.apply_results))
    finally:
        gateway.close()
        job.stop()


def _folder(count: int) -> None:
    his = demo_his(copies=8)
    with tempfile.TemporaryDirectory() as tmp:
        job = FolderJob(his, Path(tmp))
        job.publish()
        results = _results(his, count)
        with _outbox(FolderHis(Path(tmp)), results) as outbox:
            _report("folder", len(results), _drain(outbox, job.apply_results))


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print one line each."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.his_outbox")
    parser.add_argument("--results", type=int, default=1000)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args(argv)
    _http(args.results)
    with tempfile.TemporaryDirectory() as tmp:
        _middle("middle tables (SQLite)", f"sqlite:///{tmp}/m.db", args.results)
    if not args.no_postgresql:
        schema = f"his_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_SERVER)
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
            _middle("middle tables (PostgreSQL)", url, args.results)
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    _folder(args.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
