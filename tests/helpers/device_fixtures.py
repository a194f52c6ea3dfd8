"""Shared pytest fixtures and builders for the device and receipt tests (owned by RECEIPTS+DEVICES)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from stdnum.cn import ric

from app.domain.masking import mask_number
from app.domain.receipt import (
    CategoryInfo,
    FeeCategory,
    ReceiptData,
    ReceiptFund,
    ReceiptKind,
    ReceiptLine,
    ReceiptTotals,
)

READER_RESET_INFO = "00814E43238697159900BF7C7A"


def valid_id_number(region: str = "632123", birth: str = "19700315", seq: int = 105) -> str:
    """An 18-character ID number with a correct ISO 7064 MOD 11-2 check character."""
    body = f"{region}{birth}{seq:03d}"
    # stdnum's calc_check_digit expects the number *with* a placeholder check character.
    return body + ric.calc_check_digit(body + "0")


@dataclass(frozen=True)
class CardFields:
    """The eleven fields of the card library's string, with sensible defaults."""

    region: str = "630100"
    id_number: str = ""
    card_number: str = "X00000019"
    card_sn: str = "630100D15600000500BF7C7A48FB4966"
    name: str = "马秀兰"
    reset_info: str = READER_RESET_INFO
    version: str = "3.00"
    issue_date: str = "20180601"
    expiry_date: str = "20380601"
    terminal_no: str = "000000000000"
    device_no: str = "TEST-READER-01"

    def text(self) -> str:
        """The ``|``-joined card string."""
        number = self.id_number or valid_id_number()
        return "|".join(
            (
                self.region, number, self.card_number, self.card_sn, self.name, self.reset_info,
                self.version, self.issue_date, self.expiry_date, self.terminal_no, self.device_no,
            )
        )  # fmt: skip


@pytest.fixture
def card_fields() -> CardFields:
    """A valid card's fields (fictional person)."""
    return CardFields()


def sample_receipt(
    *,
    lines: int = 3,
    name: str = "马秀兰",
    id_number: str = "",
    category: str = "chronic",
    kind: str = "original",
) -> ReceiptData:
    """A receipt like the seeds' Qinghai case (lines beyond the first are small extra items)."""
    first = ReceiptLine(
        name="注射用紫杉醇（白蛋白结合型）",
        spec="100mg/瓶",
        quantity=Decimal(1),
        unit_price=Decimal("179.63"),
        amount=Decimal("179.63"),
        in_scope=Decimal("179.63"),
        item_class="甲类",
    )
    extra = [
        ReceiptLine(
            name=f"检验项目{index:02d} 血常规五分类 ABC-{index}",
            spec="次",
            quantity=Decimal(2),
            unit_price=Decimal("12.50"),
            amount=Decimal("25.00"),
            full_self_pay=Decimal("5.00"),
            first_self_pay=Decimal("2.00"),
            in_scope=Decimal("18.00"),
        )
        for index in range(1, lines)
    ]
    total = Decimal("179.63") + Decimal("25.00") * len(extra)
    cash = Decimal("50.00") + Decimal("25.00") * len(extra)
    categories = {
        "chronic": CategoryInfo(FeeCategory.CHRONIC, "M00500", "恶性肿瘤门诊治疗"),
        "general": CategoryInfo(FeeCategory.GENERAL),
        "self_pay": CategoryInfo(
            FeeCategory.SELF_PAY,
            self_pay_reason="本院未开通该病种的跨省直接结算",
            insured_place="青海省",
        ),
    }
    kind_value = ReceiptKind(kind)
    moment = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    return ReceiptData(
        hospital_name="中国医学科学院肿瘤医院（演示）",
        hospital_code="H11010500001",
        patient_name=name,
        masked_id=mask_number(id_number or valid_id_number()),
        insured_place="青海省",
        insurance_type="城乡居民基本医疗保险",
        category=categories[category],
        lines=(first, *extra),
        totals=ReceiptTotals(
            total=total,
            fund=total - cash,
            account=Decimal("0.00"),
            cash=cash,
            funds=(ReceiptFund("城乡居民基本医疗保险基金", total - cash),),
            in_scope=Decimal("179.63") + Decimal("18.00") * len(extra),
            full_self_pay=Decimal("5.00") * len(extra),
            first_self_pay=Decimal("2.00") * len(extra),
        ),
        settlement_id="SETL2026112300000001",
        settled_at=moment,
        operator="收费员01 王芳",
        window="W01",
        receipt_no="20261123-000001",
        kind=kind_value,
        issued_at=moment,
        printed_at=moment,
        clearing_type="11",
        clearing_way="1",
        clearing_agency="630000",
        copy_no=1 if kind_value is ReceiptKind.COPY else 0,
        replaces="20261123-000000" if kind_value is ReceiptKind.REISSUE else "",
        department="肿瘤内科",
        doctor="李医生",
    )


@pytest.fixture
def receipt() -> ReceiptData:
    """The seeds' Qinghai case receipt (179.63 → fund 129.63 / cash 50.00)."""
    return sample_receipt(lines=1)


class RecordingHandler:
    """A DeviceHandler that records what the device asked of the operator (the UI's stand-in)."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._lock = threading.Lock()

    def show_message(self, text: str) -> None:
        """Record an instruction."""
        with self._lock:
            self.events.append(f"message:{text}")

    def finished(self) -> None:
        """Record that the instruction was taken down."""
        with self._lock:
            self.events.append("finished")

    def show_error(self, text: str) -> None:
        """Record an error shown to the operator."""
        with self._lock:
            self.events.append(f"error:{text}")
