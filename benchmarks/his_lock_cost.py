"""HIS lock (lock-then-pay): the cost of one lock + unlock of a visit's charge lines per adapter.

Run: ``.venv/bin/python -m benchmarks.his_lock_cost [--rounds N] [--no-postgresql]``. Against the
reference HIS on loopback: over HTTP, in middle tables on a SQLite file and on the PostgreSQL at
127.0.0.1 (db ``test``, a schema dropped afterwards), and in an exchange folder. Each round locks the
6 lines of one demo visit for a new claim, then unlocks them (what a window adds to a new HIS bill
when the HIS offers its lock: the lock before the 2207; the unlock only on a cancel or an abandon).
Printed, not asserted: p50 / p95 milliseconds per lock and per unlock.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine

from app.his.folder import FolderHis
from app.his.http import HttpHis
from app.his.middle import MiddleTablesHis
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.folder import FolderJob
from app.sandbox.his.http import HisHttpServer
from app.sandbox.his.middle import MiddleTablesJob
from app.services.ports.his import HisChargeLock

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
VISIT = "MZ202611230001"


@contextmanager
def _http(his: ReferenceHis, _: Path) -> Iterator[HisChargeLock]:
    with HisHttpServer(his) as server:
        yield HttpHis(server.url)


@contextmanager
def _folder(his: ReferenceHis, folder: Path) -> Iterator[HisChargeLock]:
    FolderJob(his, folder / "exchange").publish()
    yield FolderHis(folder / "exchange")


@contextmanager
def _middle(his: ReferenceHis, url: str) -> Iterator[HisChargeLock]:
    job = MiddleTablesJob(his, url)
    job.create_tables()
    job.publish()
    adapter = MiddleTablesHis(url)
    try:
        yield adapter
    finally:
        adapter.close()
        job.stop()


@contextmanager
def _sqlite(his: ReferenceHis, folder: Path) -> Iterator[HisChargeLock]:
    with _middle(his, f"sqlite:///{folder / 'his-middle.sqlite3'}") as adapter:
        yield adapter


@contextmanager
def _postgresql(his: ReferenceHis, _: Path) -> Iterator[HisChargeLock]:
    schema = f"his_lock_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_SERVER)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        with _middle(his, f"{PG_SERVER}?options=-csearch_path%3D{schema}") as adapter:
            yield adapter
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def measure(
    name: str,
    setup: Callable[[ReferenceHis, Path], AbstractContextManager[HisChargeLock]],
    rounds: int,
) -> None:
    """Print the lock and unlock timings of one adapter."""
    his = demo_his()
    ids = [line.charge_id for visit, line, _ in his.snapshot() if visit.visit_no == VISIT]
    with tempfile.TemporaryDirectory() as folder, setup(his, Path(folder)) as adapter:
        locks: list[float] = []
        unlocks: list[float] = []
        for n in range(rounds):
            claim = f"bench-{n}"
            started = time.perf_counter()
            assert adapter.lock(VISIT, ids, "W01", claim) == []
            locks.append(time.perf_counter() - started)
            started = time.perf_counter()
            adapter.unlock(ids, claim)
            unlocks.append(time.perf_counter() - started)
    print(f"{name:<28} {len(ids)} lines  lock {_ms(locks)}  unlock {_ms(unlocks)}")


def main() -> None:
    """Measure every adapter."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    adapters = [
        ("HTTP JSON", _http),
        ("middle tables, SQLite file", _sqlite),
        ("middle tables, PostgreSQL", _postgresql),
        ("folder", _folder),
    ]
    for name, setup in adapters:
        if args.no_postgresql and setup is _postgresql:
            continue
        measure(name, setup, args.rounds)


if __name__ == "__main__":
    main()
