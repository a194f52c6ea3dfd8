"""Catalogue search: code, national code and pinyin prefixes, name substrings; upserts replace."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.catalogue import CatalogueItem, ItemClass
from app.store import SqlUnitOfWorkFactory
from app.store.repositories.catalogue import SqlCatalogueRepository


def _item(code: str, name: str, pinyin: str, national: str, price: str = "1.00") -> CatalogueItem:
    return CatalogueItem(
        hospital_code=code,
        national_code=national,
        name=name,
        pinyin=pinyin,
        unit_price=Decimal(price),
        spec="5mg*28片",
        unit="盒",
        item_type="09",
        item_class=ItemClass.B,
        self_pay_ratio=Decimal("0.10"),
        price_ceiling=Decimal("30.5"),
        restricted=True,
    )


ITEMS = [
    _item("YP0001", "氨氯地平片", "ALDPP", "XC08CAA001A001010101", "0.0325"),
    _item("YP0002", "阿司匹林肠溶片", "ASPLCRP", "XB01ACA056A012010101"),
    _item("YP0003", "苯磺酸氨氯地平片(络活喜)", "BHSALDPP", "XC08CAA001A001010202"),
    _item("YP0004", "二甲双胍缓释片", "EJSGHSP", "XA10BAA115A010010101"),
    _item("ZL0001", "静脉输液（VitC注射液）", "JMSY", "001204000010000"),
    _item("yp0005", "小写编码测试药", "XXBMCSY", "xa00test"),
]


@pytest.fixture
def catalogue(uow_factory: SqlUnitOfWorkFactory) -> SqlUnitOfWorkFactory:
    """A store holding :data:`ITEMS`."""
    with uow_factory() as uow:
        assert uow.catalogue.upsert_many(ITEMS) == len(ITEMS)
        uow.catalogue.set_version("20261120")
        uow.commit()
    return uow_factory


def _codes(factory: SqlUnitOfWorkFactory, text: str, limit: int = 50) -> list[str]:
    with factory() as uow:
        return [item.hospital_code for item in uow.catalogue.search(text, limit)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("YP000", ["YP0001", "YP0002", "YP0003", "YP0004"]),
        ("yp000", ["yp0005", "YP0001", "YP0002", "YP0003", "YP0004"]),
        ("ZL", ["ZL0001"]),
        ("XC08CAA001", ["YP0001", "YP0003"]),
        ("xa10", ["YP0004"]),
        ("ald", ["YP0001"]),
        ("ALD", ["YP0001"]),
        ("bhs", ["YP0003"]),
        ("氨氯地平", ["YP0001", "YP0003"]),
        ("氯地", ["YP0001", "YP0003"]),
        ("匹", ["YP0002"]),
        ("络活喜", ["YP0003"]),
        ("片(络", ["YP0003"]),
        ("vitc", ["ZL0001"]),
        ("VitC注射", ["ZL0001"]),
        ("不存在的药", []),
        ("  ", []),
        ('"', []),
        ("%", []),
    ],
)
def test_search(catalogue: SqlUnitOfWorkFactory, query: str, expected: list[str]) -> None:
    assert sorted(_codes(catalogue, query)) == sorted(expected)


def test_search_respects_the_limit(catalogue: SqlUnitOfWorkFactory) -> None:
    assert len(_codes(catalogue, "片", limit=2)) == 2
    assert _codes(catalogue, "YP", limit=0) == []


def test_items_round_trip_exactly(catalogue: SqlUnitOfWorkFactory) -> None:
    with catalogue() as uow:
        stored = uow.catalogue.get("YP0001")
        assert uow.catalogue.count() == len(ITEMS)
        assert uow.catalogue.version() == "20261120"
        assert uow.catalogue.get("NOPE") is None
    assert stored is not None
    assert stored.unit_price == Decimal("0.0325")
    assert stored.pinyin == "ald" + "pp"
    assert (stored.item_class, stored.self_pay_ratio, stored.price_ceiling, stored.restricted) == (
        ItemClass.B, Decimal("0.10"), Decimal("30.50"), True,
    )  # fmt: skip


def test_upsert_replaces_by_hospital_code_and_reindexes_the_name(
    catalogue: SqlUnitOfWorkFactory,
) -> None:
    renamed = _item("YP0001", "硝苯地平控释片", "XBDPKSP", "XC08CAA001A001010101", "2.50")
    with catalogue() as uow:
        uow.catalogue.upsert_many([renamed, _item("YP0100", "新药", "XY", "XN0100")])
        uow.commit()
    with catalogue() as uow:
        assert uow.catalogue.count() == len(ITEMS) + 1
        item = uow.catalogue.get("YP0001")
        assert item is not None
        assert (item.name, item.unit_price) == ("硝苯地平控释片", Decimal("2.50"))
    assert _codes(catalogue, "硝苯") == ["YP0001"]
    assert _codes(catalogue, "氨氯地平") == ["YP0003"]
    assert _codes(catalogue, "新药") == ["YP0100"]


def test_name_search_without_the_fts_index_falls_back_to_like(
    catalogue: SqlUnitOfWorkFactory,
) -> None:
    with catalogue() as uow:
        fallback = SqlCatalogueRepository(uow._orm_session(), name_index=False)
        assert sorted(i.hospital_code for i in fallback.search("氯地")) == ["YP0001", "YP0003"]
        assert [i.hospital_code for i in fallback.search("100%")] == []


def test_prices_with_more_than_six_places_are_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(ValueError, match="six places"):
        uow.catalogue.upsert_many([_item("X1", "药", "Y", "N", "0.0000001")])


def test_a_code_given_twice_keeps_the_last_and_indexes_once(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    first = _item("D1", "甲药", "JY", "N1")
    second = _item("D1", "乙药", "YY", "N1")
    with uow_factory() as uow:
        uow.catalogue.upsert_many([first, second])
        uow.commit()
    with uow_factory() as uow:
        assert uow.catalogue.count() == 1
        assert [i.name for i in uow.catalogue.search("药")] == ["乙药"]


def _letters(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


@pytest.mark.parametrize(
    "hostile", ['氨" OR "阿', "chars : 氨", "NEAR(氨 阿)", "氨*", "-氨", "^氨", "{pairs}"]
)
def test_search_text_is_never_fts_syntax(catalogue: SqlUnitOfWorkFactory, hostile: str) -> None:
    with catalogue() as uow:
        found = uow.catalogue.search(hostile)  # an FTS5 syntax error would raise here
    # Only the letters and digits of the text are searched for, as one substring.
    assert all(_letters(hostile) in _letters(item.name) for item in found)
    expected = sorted(i.hospital_code for i in ITEMS if _letters(hostile) in _letters(i.name))
    assert sorted(item.hospital_code for item in found) == expected
