"""Audit chain verification at a year of rows: the full walk vs doctor's walk from the checkpoint.

Run: ``.venv/bin/python -m benchmarks.audit_chain [--rows N] [--new M]``. Appends N audit rows
(default 50,000; a busy window's year is roughly 100–300 thousand: pass --rows 200000) to a fresh store, then times the
full walk (``verify``, what ``export audit`` does), the first incremental walk (no checkpoint yet: the
whole chain) and, after M new rows (default 500, a day), the incremental walk doctor does each time.
Printed, not asserted (target: doctor's daily walk well under a second at a year of rows).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from app.services.ports.store import UnitOfWorkFactory
from app.store import FileKeyProvider, open_store
from app.store.db import Store


def _append(factory: UnitOfWorkFactory, count: int, start: datetime, batch: int = 5000) -> None:
    done = 0
    while done < count:
        with factory() as uow:
            for n in range(done, min(count, done + batch)):
                uow.audit.append(
                    start + timedelta(seconds=n), "C001", "settle", "ok", f"group {n}",
                    bill_id=f"B{n:019d}", msgid=f"{n:030d}",
                )  # fmt: skip
            uow.commit()
        done = min(count, done + batch)


def _timed(store: Store, action: str) -> tuple[float, int]:
    factory = cast(UnitOfWorkFactory, store.uow_factory())
    started = time.perf_counter()
    with factory() as uow:
        problems = uow.audit.verify() if action == "full" else uow.audit.verify_incremental()
        uow.commit()
    return time.perf_counter() - started, len(problems)


def main(argv: list[str] | None = None) -> int:
    """Build the chain and print the three timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--new", type=int, default=500)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = open_store(root / "s.sqlite3", FileKeyProvider(root / "s.key"), _Clock())
        try:
            factory = cast(UnitOfWorkFactory, store.uow_factory())
            start = datetime(2026, 1, 1, tzinfo=UTC)
            built = time.perf_counter()
            _append(factory, args.rows, start)
            built = time.perf_counter() - built
            full, full_problems = _timed(store, "full")
            first, _ = _timed(store, "incremental")
            _append(factory, args.new, start + timedelta(days=365))
            daily, daily_problems = _timed(store, "incremental")
        finally:
            store.close()
    print(
        f"audit_chain: {args.rows} rows (appended in {built:.1f} s) — full walk {full:.2f} s "
        f"({full_problems} problems), first doctor walk {first:.2f} s, doctor after {args.new} "
        f"new rows {daily * 1000:.0f} ms ({daily_problems} problems) (target ≤ 1 s: "
        f"{'met' if daily <= 1.0 else 'NOT met'})"
    )
    return 0


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


if __name__ == "__main__":
    raise SystemExit(main())
