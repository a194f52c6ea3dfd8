"""Shared set-up for the catalogue benchmarks: 500,000 synthetic items and a store to put them in."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.domain.catalogue import CatalogueItem, ItemClass
from app.sandbox.catalogue_gen import generate_catalogue
from app.services.ports.clock import SystemClock
from app.store import FileKeyProvider, Store, open_store

log = logging.getLogger(__name__)


def synthetic_items(size: int, seed: int = 1) -> list[CatalogueItem]:
    """``size`` catalogue items from the sandbox's deterministic generator, as domain values."""
    started = time.perf_counter()
    generated = generate_catalogue(size, seed)
    items = [
        CatalogueItem(
            hospital_code=i.medins_list_codg,
            national_code=i.med_list_codg,
            name=i.name,
            pinyin=i.pinyin,
            unit_price=i.price,
            spec=i.spec,
            unit=i.unit,
            item_type=i.med_chrgitm_type,
            item_class=ItemClass(i.chrgitm_lv),
            self_pay_ratio=i.selfpay_prop,
            price_ceiling=i.price_ceiling,
            restricted=i.restricted,
        )
        for i in generated.items.values()
    ]
    log.info("generated %d items in %.1f s", len(items), time.perf_counter() - started)
    return items


@contextmanager
def fresh_store(directory: Path | None = None) -> Iterator[Store]:
    """A new store in a temporary directory (removed afterwards)."""
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        root = Path(tmp)
        store = open_store(
            root / "store.sqlite3", FileKeyProvider(root / "store.key"), SystemClock()
        )
        try:
            yield store
        finally:
            store.close()


def import_items(store: Store, items: list[CatalogueItem]) -> float:
    """Seconds to upsert ``items`` through the repository in one unit of work (incl. commit)."""
    started = time.perf_counter()
    with store.uow_factory()() as uow:
        uow.catalogue.upsert_many(items)
        uow.commit()
    return time.perf_counter() - started
