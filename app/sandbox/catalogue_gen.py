"""Large, deterministic catalogues for benchmarks (≥ 500,000 items).

Variants of the shipped items: same split parameters, a fictional manufacturer and a package size in
the name, unique hospital and national codes. Pinyin initials are composed from the base item's and
the manufacturer's (precomputed), so generation needs no pinyin library and stays fast.

Run as a module to write a JSON catalogue::

    python -m app.sandbox.catalogue_gen --size 500000 --seed 1 --out /tmp/catalogue.json
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from app.domain.money import round_money
from app.sandbox.data import Catalogue, CatalogueItem, load_catalogue

log = logging.getLogger(__name__)

# (name, pinyin initials) of fictional manufacturers
MAKERS: tuple[tuple[str, str], ...] = (
    ("华北示例制药", "HBSLZY"), ("江南示例药业", "JNSLYY"), ("西部示例医疗", "XBSLYL"),
    ("东海示例生物", "DHSLSW"), ("岭南示例药厂", "LNSLYC"), ("天山示例器械", "TSSLQX"),
    ("长江示例医药", "CJSLYY"), ("燕山示例制药", "YSSLZY"),
)  # fmt: skip
PACKS = (1, 2, 3, 5, 6, 10, 12, 20, 24, 30, 50, 100)


def generate_catalogue(size: int, seed: int = 0) -> Catalogue:
    """A catalogue of exactly ``size`` items (the shipped items first), deterministic by ``seed``."""
    return Catalogue.of(list(iter_catalogue(size, seed)))


def iter_catalogue(size: int, seed: int = 0) -> Iterator[CatalogueItem]:
    """The items of :func:`generate_catalogue`, in the same order, one at a time (so a consumer can
    store the first ones while the rest are made)."""
    base = list(load_catalogue().items.values())
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    yield from base[:size]
    for number in range(min(len(base), size), size):
        yield _variant(base[number % len(base)], number, rng)


def _variant(item: CatalogueItem, number: int, rng: random.Random) -> CatalogueItem:
    maker, maker_pinyin = MAKERS[rng.randrange(len(MAKERS))]
    pack = PACKS[rng.randrange(len(PACKS))]
    factor = Decimal(rng.randrange(80, 121)) / 100
    price = round_money(item.price * factor)
    ceiling = None if item.price_ceiling is None else round_money(item.price_ceiling * factor)
    suffix = f"{number:08d}"
    return replace(
        item,
        medins_list_codg=f"{item.medins_list_codg[:12]}G{suffix}",
        med_list_codg=f"{item.med_list_codg[:-9]}V{suffix}",
        name=f"{item.name}（{maker}，{pack}）",
        pinyin=f"{item.pinyin}{maker_pinyin}",
        price=price,
        price_ceiling=ceiling,
        version=f"2026{number % 12 + 1:02d}01001",
    )


def catalogue_json(catalogue: Catalogue) -> dict[str, object]:
    """The catalogue.json form of a catalogue."""
    return {
        "notice": "虚构数据，仅供培训测试（generated benchmark catalogue）",
        "items": [
            {
                "medins_list_codg": i.medins_list_codg, "med_list_codg": i.med_list_codg,
                "name": i.name, "pinyin": i.pinyin, "spec": i.spec, "unit": i.unit,
                "med_chrgitm_type": i.med_chrgitm_type, "list_type": i.list_type,
                "chrgitm_lv": i.chrgitm_lv, "selfpay_prop": str(i.selfpay_prop), "price": str(i.price),
                "pric_uplmt_amt": None if i.price_ceiling is None else str(i.price_ceiling),
                "lmt_used_flag": "1" if i.restricted else "0", "diseases": list(i.diseases),
                "ver": i.version,
            }
            for i in catalogue.items.values()
        ],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Write a generated catalogue to a JSON file."""
    parser = argparse.ArgumentParser(description="生成基准测试用的大目录（虚构数据）")
    parser.add_argument("--size", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    catalogue = generate_catalogue(args.size, args.seed)
    args.out.write_text(json.dumps(catalogue_json(catalogue), ensure_ascii=False), encoding="utf-8")
    log.info("wrote %d items to %s", len(catalogue.items), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
