"""Hospital mode: the CPU of one sync round's parts for the records of N visits (issue 13).

    .venv/bin/python -m benchmarks.hospital_sync_cost [--visits 6] [--repeats 10] [--pg-url URL]

One window composed from its configuration with ``[hospital_db]`` (on a throwaway schema of the
PostgreSQL at 127.0.0.1:5432, dropped afterwards) settles ``--visits`` visits against an in-process
sandbox; its sync thread's interval is the longest allowed, so the records wait in its outbox. Then,
on this thread, the median CPU (``time.thread_time``) of ``--repeats`` runs of each part of a sync
round over those records: reading the batch from the outbox, applying it to the hospital record
(every version moved forward each time, so every record and projection is written; audit rows are
left out: the hospital refuses to rewrite them), the heartbeat, the outbox's figures, and the pull of
the shared data. Then whole rounds of the window's sync worker as the window runs them (its lock
kept, outbox, heartbeat, shared pulls, the after-round step), on this thread: an idle round (nothing
to send, nothing shared changed: what every window pays every ``sync_interval_seconds``), and a
round after each further visit (that visit's records). Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from app.sandbox import SandboxServer, client_config
from app.wiring import hospital_link
from benchmarks.hospital_window_process import WindowSpec, _new_visit, _visits, open_window
from benchmarks.hospital_windows import DEFAULT_PG_URL, hospital_schema


def _cpu_ms(part: Callable[[], object], repeats: int) -> float:
    spent = []
    for _ in range(repeats):
        started = time.thread_time()
        part()
        spent.append(time.thread_time() - started)
    return statistics.median(spent) * 1000


def window_visit(bills: list[object], n: int) -> object:
    """Another HIS visit (demo bills 01 and 02 alternately)."""
    return _new_visit(bills[n % 2], "W01", n)


def measure(visits: int, repeats: int, url: str) -> dict[str, float]:
    """Median CPU ms of each part over the records of ``visits`` visits."""
    with tempfile.TemporaryDirectory(prefix="sw-hsync-") as name, hospital_schema(url) as target:
        folder = Path(name)
        server = SandboxServer(state_path=folder / "sandbox.sqlite3", seed=1)
        server.start()
        try:
            config = client_config(server)
            config["hospital_db"] = target.settings(300.0)
            config["window"] = {"device_no": "W01"}
            window = open_window(WindowSpec("W01", str(folder / "W01"), config, visits))
            link = hospital_link(window.engine)
            assert link is not None
            try:
                bills = _visits()
                for n in range(visits):
                    window.engine.settle_visit(_new_visit(bills[n % 2], "W01", n), window.cashier)
                with window.engine.uow_factory() as uow:
                    items = uow.replica.pending(1000)
                kinds = Counter(item.kind for item in items)
                print(f"{len(items)} records waiting for {visits} visits: {dict(kinds)}")
                rewritable = [item for item in items if item.kind != "audit"]
                bump = [0]

                def read() -> None:
                    with window.engine.uow_factory() as uow:
                        uow.replica.pending(1000)

                def apply() -> None:
                    bump[0] += len(items) + 1
                    moved = [replace(i, version=i.version + bump[0]) for i in rewritable]
                    link.record.apply("W01", moved, window.engine.clock.now())

                sync = link.sync
                parts = {
                    "read the batch": _cpu_ms(read, repeats),
                    f"apply ({len(rewritable)} records)": _cpu_ms(apply, repeats),
                    "heartbeat": _cpu_ms(sync._heartbeat, repeats),
                    "outbox figures": _cpu_ms(sync.stats, repeats),
                    "pull shared data": _cpu_ms(sync._pull_shared, repeats),
                }
                worker = window.worker
                for _ in range(3):  # deliver everything; the first rounds warm up
                    worker.run_round()
                parts["idle round (whole)"] = _cpu_ms(worker.run_round, repeats * 3)
                after_visit = []
                for n in range(repeats):
                    window.engine.settle_visit(window_visit(bills, n + visits), window.cashier)
                    after_visit.append(_cpu_ms(worker.run_round, 1))
                parts["round after one visit (whole)"] = statistics.median(after_visit)
                return parts
            finally:
                link.close()
                window.close()
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    """Print the median CPU of each part."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hospital_sync_cost")
    parser.add_argument("--visits", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--pg-url", default=os.environ.get("HOSPITAL_TEST_DB_URL", DEFAULT_PG_URL))
    args = parser.parse_args(argv)
    load = "/".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, load average {load}")
    for part, ms in measure(args.visits, args.repeats, args.pg_url).items():
        print(f"  {part}: {ms:.1f} ms CPU (median of {args.repeats})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
