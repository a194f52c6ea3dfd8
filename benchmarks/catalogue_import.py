"""Catalogue import: the store's ``upsert_many`` vs raw ``sqlite3.executemany`` into the same schema.

Target (issue 4): ratio ≤ 1.5 at 500,000 items. Both sides write the items table and the FTS5 name index
in one ``BEGIN IMMEDIATE`` transaction on a WAL database with ``synchronous=FULL``; the raw side starts
from ready-made row tuples (its best case), the store side from domain ``CatalogueItem`` values.

    .venv/bin/python -m benchmarks.catalogue_import [--size 500000] [--runs 3]
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import statistics
import time
from contextlib import closing

from app.domain.catalogue import CatalogueItem
from app.store.names import name_index_row
from app.store.repositories.catalogue import INSERT_ITEM_SQL, INSERT_NAME_SQL, item_values
from benchmarks.catalogue_common import fresh_store, import_items, synthetic_items

TARGET_RATIO = 1.5


def raw_import(items: list[CatalogueItem]) -> float:
    """Seconds for raw executemany of prepared tuples into an empty store's schema."""
    rows = [item_values(number, item) for number, item in enumerate(items, start=1)]
    names = [(number, *name_index_row(item.name)) for number, item in enumerate(items, start=1)]
    with fresh_store() as store:
        path = store.path
        store.close()
        with closing(sqlite3.connect(path, isolation_level=None)) as raw:
            raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA synchronous=FULL")
            started = time.perf_counter()
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany(INSERT_ITEM_SQL, rows)
            raw.executemany(INSERT_NAME_SQL, names)
            raw.execute("COMMIT")
            return time.perf_counter() - started


def store_import(items: list[CatalogueItem]) -> float:
    """Seconds for ``upsert_many`` into an empty store."""
    with fresh_store() as store:
        return import_items(store, items)


def main(argv: list[str] | None = None) -> int:
    """Run both sides ``--runs`` times alternately and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    items = synthetic_items(args.size)
    raw_times, store_times = [], []
    for run in range(args.runs):
        raw_times.append(raw_import(items))
        store_times.append(store_import(items))
        print(f"run {run + 1}: raw {raw_times[-1]:.2f} s, store {store_times[-1]:.2f} s")
    raw, ours = statistics.median(raw_times), statistics.median(store_times)
    ratio = ours / raw
    print(f"catalogue import, {len(items):,} items: raw executemany {raw:.2f} s (median), "
          f"store upsert_many {ours:.2f} s (median), ratio {ratio:.2f} "
          f"(target ≤ {TARGET_RATIO}) → {'OK' if ratio <= TARGET_RATIO else 'MISSED'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
