"""The catalogue imported once (issue 13 item 3): an import at one window goes to the hospital's
PostgreSQL; every window pulls what changed since the version it holds into its own store, in
batches, and keeps searching its copy while the server is down."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.hospital_windows import Window
from helpers.pg_fixtures import HospitalDb
from sqlalchemy import text

from app.domain.catalogue import CatalogueItem, ItemClass
from app.errors import StoreError
from app.services import catalogue as catalogue_module
from app.services.catalogue import CatalogueService
from app.services.hospital_sync import HospitalSync
from app.services.ports.clock import SystemClock
from app.services.ports.progress import ProgressStep
from app.store.hospital.catalogue import PgSharedCatalogue
from app.store.hospital.connect import open_hospital_engine

SANDBOX_CATALOGUE = Path(__file__).resolve().parents[2] / "resources" / "sandbox" / "catalogue.json"


def item(n: int, price: str = "12.50") -> CatalogueItem:
    return CatalogueItem(
        hospital_code=f"H{n:05d}",
        national_code=f"XN{n:05d}",
        name=f"共享药品{n}",
        pinyin="gxyp",
        unit_price=Decimal(price),
        spec="10mg*30",
        unit="盒",
        item_type="09",
        item_class=ItemClass.B,
        self_pay_ratio=Decimal("0.1"),
        price_ceiling=Decimal("30.000001") if n % 2 else None,
        restricted=n % 3 == 0,
    )


def service(window: Window, db: HospitalDb) -> CatalogueService:
    """The window's catalogue service in hospital mode (the fixture's engines run stand-alone)."""
    return window.engine.catalogue.sharing(PgSharedCatalogue(db.engine))


def local(window: Window, code: str) -> CatalogueItem | None:
    with window.engine.uow_factory() as uow:
        return uow.catalogue.get(code)


def test_imported_at_w01_searchable_at_w02_after_its_pull(
    two_windows: tuple[Window, Window], hospital_db: HospitalDb
) -> None:
    w1, w2 = two_windows
    items = [item(n) for n in range(1, 8)]

    assert service(w1, hospital_db).import_items(items) == 7

    assert local(w1, "H00001") == items[0], "the importing window pulls at once"
    assert local(w2, "H00001") is None
    assert service(w2, hospital_db).pull_shared() == 7
    for expected in items:
        assert local(w2, expected.hospital_code) == expected
    assert [i.hospital_code for i in w2.engine.catalogue.search("共享药品3")] == ["H00003"]


def test_only_what_changed_is_pulled_again(
    two_windows: tuple[Window, Window], hospital_db: HospitalDb
) -> None:
    w1, w2 = two_windows
    shared = PgSharedCatalogue(hospital_db.engine)
    items = [item(n) for n in range(1, 6)]
    service(w1, hospital_db).import_items(items)
    assert service(w2, hospital_db).pull_shared() == 5

    service(w1, hospital_db).import_items(items)  # the same file again
    assert service(w2, hospital_db).pull_shared() == 0

    changed = [*items[:4], item(5, "13.80"), item(6)]
    assert shared.import_items(changed, datetime.now(UTC)) == 2, "one new price, one new item"
    assert service(w2, hospital_db).pull_shared() == 2
    found = local(w2, "H00005")
    assert found is not None
    assert found.unit_price == Decimal("13.80")
    assert shared.count() == 6


class CutAfterFirstBatch:
    """A progress sink that takes the hospital catalogue away after the first batch (the server
    "goes down" mid-pull: the next batch's query fails for real)."""

    def __init__(self, db: HospitalDb) -> None:
        self.db = db
        self.batches = 0

    def update(self, step: ProgressStep) -> None:
        self.batches += 1
        if self.batches == 1:
            with self.db.engine.begin() as connection:
                connection.execute(text("ALTER TABLE hospital_catalogue RENAME TO away"))

    def cancel_requested(self) -> bool:
        return False


def test_a_large_pull_goes_in_batches_and_resumes_from_the_version_it_reached(
    two_windows: tuple[Window, Window], hospital_db: HospitalDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    w1, w2 = two_windows
    monkeypatch.setattr(catalogue_module, "PULL_BATCH", 4)
    service(w1, hospital_db).import_items([item(n) for n in range(1, 11)])
    pulling = service(w2, hospital_db)

    with pytest.raises(StoreError):
        pulling.pull_shared(CutAfterFirstBatch(hospital_db))
    with w2.engine.uow_factory() as uow:
        assert uow.catalogue.count() == 4, "the first batch is kept"
    with hospital_db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE away RENAME TO hospital_catalogue"))

    assert pulling.pull_shared() == 6, "the rest, not everything again"
    with w2.engine.uow_factory() as uow:
        assert uow.catalogue.count() == 10


def test_the_sync_loop_pulls_and_a_window_keeps_its_copy_while_the_server_is_down(
    two_windows: tuple[Window, Window], hospital_db: HospitalDb
) -> None:
    w1, w2 = two_windows
    service(w1, hospital_db).import_items([item(1), item(2)])
    w2_catalogue = service(w2, hospital_db)
    sync = HospitalSync(
        w2.engine.uow_factory, w2.record, SystemClock(), "W02", pull=w2_catalogue.pull_shared
    )
    assert sync.drain().drained
    assert local(w2, "H00002") == item(2)

    down = open_hospital_engine("postgresql+psycopg://postgres@127.0.0.1:1/test")
    try:
        offline = w2.engine.catalogue.sharing(PgSharedCatalogue(down))
        with pytest.raises(StoreError) as refused:
            offline.import_items([item(3)])
        assert refused.value.code == "hospital_unreachable"
        assert "目录统一导入医院数据库" in refused.value.text
        assert [i.hospital_code for i in offline.search("H0000")] == ["H00001", "H00002"]
    finally:
        down.dispose()


def test_a_platform_catalogue_sync_at_one_window_reaches_the_others(
    two_windows: tuple[Window, Window], hospital_db: HospitalDb, tmp_path: Path
) -> None:
    w1, w2 = two_windows
    stale = json.loads(SANDBOX_CATALOGUE.read_text(encoding="utf-8"))
    rows = stale["items"] if isinstance(stale, dict) else stale
    for row in rows:  # the file says 丙类; the platform's 1301 says otherwise for most items
        for key in ("item_class", "chrgitm_lv"):
            row.pop(key, None)
        row["item_class"] = "03"
    file = tmp_path / "stale.json"
    file.write_text(json.dumps(stale, ensure_ascii=False), encoding="utf-8")
    at_w1 = service(w1, hospital_db)
    at_w1.import_file(file)
    service(w2, hospital_db).pull_shared()
    shared = PgSharedCatalogue(hospital_db.engine)
    _, head = shared.changes(0, 1_000_000)

    at_w1.sync(w1.supervisor)

    changed, _ = shared.changes(head, 1_000_000)
    assert changed, "the classes the platform corrected reached PostgreSQL"
    assert all(i.item_class is not ItemClass.C for i in changed)
    assert service(w2, hospital_db).pull_shared() == len(changed)
    for item in changed:
        assert local(w2, item.hospital_code) == item
