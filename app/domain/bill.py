"""A visit's fee lines and the cashier's tag on each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from app.domain.disease import looks_like_disease_code
from app.domain.money import Numeric, line_amount, parse_decimal, to_money
from app.errors import InputError
from app.messages import bill as words
from app.messages import money as money_words


class TagKind(StrEnum):
    """What the cashier said a line is for."""

    UNTAGGED = "untagged"
    GENERAL = "general"
    DISEASE = "disease"


@dataclass(frozen=True)
class Tag:
    """General outpatient, a chronic-disease code, or not yet tagged."""

    kind: TagKind
    disease_code: str | None = None

    def __post_init__(self) -> None:
        if (self.kind is TagKind.DISEASE) != (self.disease_code is not None):
            raise ValueError("a disease tag needs a code, other tags must not have one")

    @classmethod
    def general(cls) -> Tag:
        """普通门诊."""
        return cls(TagKind.GENERAL)

    @classmethod
    def untagged(cls) -> Tag:
        """Not yet decided."""
        return cls(TagKind.UNTAGGED)

    @classmethod
    def disease(cls, code: str) -> Tag:
        """A chronic-disease code (pilot or local)."""
        return cls(TagKind.DISEASE, code)

    @classmethod
    def parse(cls, text: str) -> Tag:
        """``general``, ``untagged``/empty, or a disease code such as ``M00500``."""
        value = text.strip()
        if value in ("", "untagged"):
            return cls.untagged()
        if value.lower() == "general":
            return cls.general()
        if not looks_like_disease_code(value.upper()):
            raise InputError(words.TAG_NOT_A_CODE(tag=_printable(value[:40])), code="tag")
        return cls.disease(value.upper())

    def __str__(self) -> str:
        if self.kind is TagKind.DISEASE:
            assert self.disease_code is not None
            return self.disease_code
        return self.kind.value


def _printable(text: str) -> str:
    """What may be echoed back: no control or direction-override characters."""
    return "".join(ch for ch in text if ch.isprintable())


@dataclass(frozen=True)
class FeeLine:
    """One fee line of a visit, as the HIS hands it over or the cashier adds it.

    ``line_no`` is unique within the visit and becomes ``feedetl_sn`` on 2204.
    """

    line_no: str
    hospital_code: str
    national_code: str
    name: str
    unit_price: Decimal
    quantity: Decimal
    amount: Decimal
    spec: str = ""
    department: str = ""
    doctor: str = ""
    time: datetime | None = None
    tag: Tag = field(default_factory=Tag.untagged)

    @classmethod
    def create(
        cls,
        *,
        line_no: str,
        hospital_code: str,
        national_code: str,
        name: str,
        unit_price: Numeric,
        quantity: Numeric,
        amount: Numeric | None = None,
        spec: str = "",
        department: str = "",
        doctor: str = "",
        time: datetime | None = None,
        tag: Tag | None = None,
    ) -> FeeLine:
        """Validate and build a line; the amount is price × quantity unless given (then it must match)."""
        if not line_no.strip():
            raise InputError(words.LINE_NO_MISSING(), code="line_no")
        if not hospital_code.strip():
            raise InputError(words.LINE_CODE_MISSING(line_no=line_no), code="line_code")
        price = parse_decimal(unit_price, money_words.UNIT_PRICE(), places=6)
        qty = parse_decimal(quantity, money_words.QUANTITY(), places=4)
        computed = line_amount(price, qty)
        if amount is not None and to_money(amount) != computed:
            raise InputError(
                words.LINE_AMOUNT_MISMATCH(
                    line_no=line_no, amount=to_money(amount), computed=computed
                ),
                code="line_amount_mismatch",
            )
        return cls(
            line_no=line_no,
            hospital_code=hospital_code,
            national_code=national_code,
            name=name,
            unit_price=price,
            quantity=qty,
            amount=computed,
            spec=spec,
            department=department,
            doctor=doctor,
            time=time,
            tag=tag or Tag.untagged(),
        )

    def with_tag(self, tag: Tag) -> FeeLine:
        """The same line with another tag."""
        return replace(self, tag=tag)

    def with_quantity(self, quantity: Numeric) -> FeeLine:
        """The same line with a new quantity (amount recomputed)."""
        qty = parse_decimal(quantity, money_words.QUANTITY(), places=4)
        return replace(self, quantity=qty, amount=line_amount(self.unit_price, qty))

    def with_unit_price(self, unit_price: Numeric) -> FeeLine:
        """The same line with a new unit price (amount recomputed)."""
        price = parse_decimal(unit_price, money_words.UNIT_PRICE(), places=6)
        return replace(self, unit_price=price, amount=line_amount(price, self.quantity))


def general_lines_without_diagnosis(
    lines: Iterable[FeeLine], diagnosis_code: str
) -> tuple[str, ...]:
    """The general-outpatient lines that cannot be settled for want of the visit's diagnosis.

    2203 of a general-outpatient group names the visit's diagnosis (a chronic group names its
    disease); without one the platform refuses that group after the others may have settled, so
    the bill is refused before anything is sent. Returns their line numbers ('' diagnosis only).
    """
    if diagnosis_code.strip():
        return ()
    return tuple(line.line_no for line in lines if line.tag.kind is TagKind.GENERAL)
