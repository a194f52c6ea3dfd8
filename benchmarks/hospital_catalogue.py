"""Hospital mode: the catalogue imported once into PostgreSQL and pulled by a window (issue 13 item 3).

Imports ``--size`` synthetic items into a throwaway schema of the hospital PostgreSQL (one
transaction, as ``catalog import`` does in hospital mode), pulls them into an empty window store in
batches (as the sync loop does), then measures a re-import of the same file (nothing changed: no
window pulls anything) and a pull after 1 % of the prices changed.

    .venv/bin/python -m benchmarks.hospital_catalogue [--size 500000] [--url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import logging
import secrets
import time
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import create_engine, text

from app.services.catalogue import CatalogueService
from app.services.ports.clock import SystemClock
from app.store.hospital.catalogue import PgSharedCatalogue
from app.store.hospital.connect import open_hospital_engine, upgrade
from benchmarks.catalogue_common import fresh_store, synthetic_items

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main(argv: list[str] | None = None) -> int:
    """Run once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    items = synthetic_items(args.size)
    schema = f"bench_catalogue_{secrets.token_hex(4)}"
    admin = create_engine(args.url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = open_hospital_engine(args.url, search_path=schema)
    try:
        upgrade(database)
        shared = PgSharedCatalogue(database)
        clock = SystemClock()
        started = time.perf_counter()
        shared.import_items(items, clock.now())
        imported = time.perf_counter() - started
        with fresh_store() as store:
            service = CatalogueService(None, store.uow_factory(), shared=shared)  # type: ignore[arg-type]
            started = time.perf_counter()
            pulled = service.pull_shared()
            pull_all = time.perf_counter() - started
            started = time.perf_counter()
            unchanged = shared.import_items(items, clock.now())
            reimport = time.perf_counter() - started
            step = 100
            changed = [
                replace(item, unit_price=item.unit_price + Decimal("0.01"))
                for item in items[::step]
            ]
            shared.import_items(changed, clock.now())
            started = time.perf_counter()
            pulled_again = service.pull_shared()
            pull_delta = time.perf_counter() - started
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    print(f"items                         {args.size}")
    print(f"import into PostgreSQL        {imported:8.1f} s")
    print(f"first pull into a window      {pull_all:8.1f} s ({pulled} items)")
    print(f"re-import, nothing changed    {reimport:8.1f} s ({unchanged} changed)")
    print(f"pull after 1 % price changes  {pull_delta:8.1f} s ({pulled_again} items)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
