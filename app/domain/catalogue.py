"""The hospital's item catalogue as cached locally (hospital code ↔ national code)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ItemClass(StrEnum):
    """``chrgitm_lv``: 甲 / 乙 / 丙."""

    A = "01"
    B = "02"
    C = "03"

    @property
    def label(self) -> str:
        """甲类 / 乙类 / 丙类."""
        return {"01": "甲类", "02": "乙类", "03": "丙类"}[self.value]


@dataclass(frozen=True)
class CatalogueItem:
    """One item a cashier can add to a bill.

    ``pinyin`` holds the initials of the name (``ald`` for 氨氯地平) used for search.
    """

    hospital_code: str
    national_code: str
    name: str
    pinyin: str
    unit_price: Decimal
    spec: str = ""
    unit: str = ""
    item_type: str = ""  # med_chrgitm_type, e.g. 09 西药费
    item_class: ItemClass = ItemClass.A
    self_pay_ratio: Decimal = Decimal(0)
    price_ceiling: Decimal | None = None
    restricted: bool = False
