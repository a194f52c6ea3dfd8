"""Recovery's extra work for ownership and abandoned visits (issue #16, #11 item 2) at a year of rows.

Run: ``.venv/bin/python -m benchmarks.recovery_scan [--visits 40000]``. Fills a fresh store's journal
with ``--visits`` settled visits (2201, 2203, 2204, 2207 each: a busy window's year), then times the
open-visit query, a start-up recovery with nothing to do, and one lease probe, next to a plain read of
the unresolved rows in the same run. Printed, not asserted (target: recovery with nothing to do stays
well under the 100 ms a cashier would notice at start-up or before a settlement).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.config import database_path, settings_from_mapping
from app.sandbox import SandboxServer, client_config
from app.services.abandoned import LOOKBACK
from app.store.leases import FileLeases
from app.store.types import format_utc
from app.wiring import build_engine


def _fill(data_dir: Path, visits: int) -> int:
    """Insert settled visits straight into the journal (only their plain columns are ever read;
    states are stored by name, as the ORM stores them)."""
    connection = sqlite3.connect(database_path(data_dir))
    try:
        names = [
            row[1] for row in connection.execute("PRAGMA table_info(journal)") if row[1] != "id"
        ]
        plain = {"state": "OK", "bill_id": "", "group_key": b"", "person_no": b"", "last_error": b"",
                 "insured_admdvs": "630100", "operator_code": "C001", "batch_no": "", "original_msgid": "", "original_infno": "",
                 "settlement_id": "", "amount": None, "attempts": 0, "owner": "p1-0", "writer": "p1-0"}  # fmt: skip
        rows = []
        now = datetime.now(UTC)
        for visit in range(visits):
            # Spread over the past year, the newest last.
            stamp = format_utc(now - timedelta(days=365 * (visits - visit) / visits))
            for step, infno in enumerate(("2201", "2203", "2204", "2207")):
                values = {**plain, "msgid": f"B{visit:011d}{step:018d}", "infno": infno,
                          "bill_id": f"B{visit}", "visit_id": f"3{visit:011d}",
                          "created_at": stamp, "updated_at": stamp}  # fmt: skip
                rows.append(tuple(values[name] for name in names))
        marks = ",".join("?" * len(names))
        connection.executemany(f"INSERT INTO journal ({','.join(names)}) VALUES ({marks})", rows)  # noqa: S608 - column names from PRAGMA
        connection.commit()
        return len(rows)
    finally:
        connection.close()


def _median_ms(work: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=40000)
    args = parser.parse_args(argv)
    with SandboxServer() as server, tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        settings = settings_from_mapping(client_config(server))
        build_engine(settings, data_dir).close()
        rows = _fill(data_dir, args.visits)
        engine = build_engine(settings, data_dir)
        try:

            def unresolved() -> object:
                with engine.uow_factory() as uow:
                    return uow.journal.unresolved()

            def open_visits() -> object:
                with engine.uow_factory() as uow:
                    return uow.journal.open_visits(datetime.now(UTC) - LOOKBACK)

            base = _median_ms(unresolved)
            scan = _median_ms(open_visits)
            start = _median_ms(lambda: engine.start(wait=False))
            mine, other = FileLeases(data_dir), FileLeases(data_dir)
            try:
                probe = _median_ms(lambda: mine.is_alive(other.owner_id), 50)
            finally:
                other.close()
                mine.close()
        finally:
            engine.close()
    print(f"journal rows: {rows} ({args.visits} settled visits)")
    print(f"read of unresolved rows (baseline): {base:.2f} ms")
    print(
        f"open-visit query (last {LOOKBACK.days} days): {scan:.2f} ms ({scan / base:.1f}x the baseline)"
    )
    print(f"start-up recovery with nothing to do: {start:.2f} ms ({start / base:.1f}x)")
    print(f"one lease probe (open + flock + close): {probe * 1000:.0f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
