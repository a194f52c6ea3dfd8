"""The 500,000-item catalogue store of tests/gui/test_catalogue_500k.py, which can be built ahead.

Those tests measure the window's stalls, so tests/check.py runs them alone after the parallel part;
building their store there (about 25-30 s of CPU, most of it SQLite building the indexes) would
leave the second core idle. Instead tests/check.py starts this module as a low-priority process when
the parallel part starts (``python tests/helpers/catalogue_500k.py FOLDER``): it builds the store in
``FOLDER/data`` with the same generator, seed, chunks and bulk import, keeps the sample items in
``FOLDER/samples.pickle``, writes ``FOLDER/ready`` last, and the serial run finds the folder in
:data:`PREBUILT_ENV`. The fixture copies it (each session gets a store of its own, as before) and
builds one itself when the variable is unset or the build did not finish.
"""

from __future__ import annotations

import itertools
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path

if __name__ == "__main__":  # run as a script from tests/check.py: tests/ on the path for `helpers`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import Settings
from app.domain.catalogue import CatalogueItem, ItemClass
from app.sandbox import SandboxServer
from app.sandbox.catalogue_gen import iter_catalogue
from app.sandbox.data import CatalogueItem as GeneratedItem
from helpers.engine_fixtures import make_engine, sandbox_settings

SIZE = 500_000
SEED = 20260101
CHUNK = 50_000
SAMPLES = (345_678, 456_789)  # generated variants deep in the catalogue
PREBUILT_ENV = "SW_TEST_CATALOGUE_500K"


def _domain(item: GeneratedItem) -> CatalogueItem:
    return CatalogueItem(
        hospital_code=item.medins_list_codg,
        national_code=item.med_list_codg,
        name=item.name,
        pinyin=item.pinyin,
        unit_price=item.price,
        spec=item.spec,
        unit=item.unit,
        item_type=item.med_chrgitm_type,
        item_class=ItemClass(item.chrgitm_lv),
        self_pay_ratio=item.selfpay_prop,
        price_ceiling=item.price_ceiling,
        restricted=item.restricted,
    )


def build(folder: Path, settings: Settings) -> dict[int, CatalogueItem]:
    """A data folder whose store holds 500,000 items; the items numbered :data:`SAMPLES`.

    The items go through the store's bulk import (``upsert_many``) in one unit of work, in chunks as
    they are generated, so the 500,000 are never all in memory at once.
    """
    samples: dict[int, CatalogueItem] = {}
    generated = iter_catalogue(SIZE, SEED)
    engine = make_engine(settings, folder)
    try:
        with engine.uow_factory() as uow:
            number = 0
            while chunk := [_domain(item) for item in itertools.islice(generated, CHUNK)]:
                uow.catalogue.upsert_many(chunk)
                samples.update(
                    (n, chunk[n - number]) for n in SAMPLES if number <= n < number + len(chunk)
                )
                number += len(chunk)
            uow.commit()
        assert engine.catalogue.count() == SIZE
    finally:
        engine.close()
    return samples


def prebuilt(into: Path) -> dict[int, CatalogueItem] | None:
    """Copy the store built ahead (:data:`PREBUILT_ENV`) to ``into``; ``None`` when there is none."""
    folder = os.environ.get(PREBUILT_ENV)
    if not folder or not (Path(folder) / "ready").exists():
        return None
    shutil.copytree(Path(folder) / "data", into)
    with (Path(folder) / "samples.pickle").open("rb") as file:
        samples: dict[int, CatalogueItem] = pickle.load(file)  # noqa: S301 - our own file
    return samples


def build_ahead(folder: Path) -> None:
    """Build into ``folder`` (see the module's text); ``ready`` is written last."""
    with tempfile.TemporaryDirectory() as scratch:
        server = SandboxServer(state_path=Path(scratch) / "sandbox.sqlite3", seed=SEED)
        server.start()
        try:
            samples = build(folder / "data", sandbox_settings(server))
        finally:
            server.stop()
    with (folder / "samples.pickle").open("wb") as file:
        pickle.dump(samples, file)
    (folder / "ready").write_text("ok\n", encoding="utf-8")


if __name__ == "__main__":
    build_ahead(Path(sys.argv[1]))
