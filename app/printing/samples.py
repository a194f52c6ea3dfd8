"""A fictional sample receipt (the seeds' Qinghai case plus filler lines) for benchmarks and docs.

Used by ``benchmarks/receipt_generation.py``, the sample pictures in ``docs/receipts/`` and the tests.
All data is fictional.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from app.domain.masking import mask_number
from app.domain.money import ZERO
from app.domain.receipt import (
    CategoryInfo,
    FeeCategory,
    ReceiptData,
    ReceiptFund,
    ReceiptKind,
    ReceiptLine,
    ReceiptTotals,
)

SAMPLE_ID_NUMBER = "63212319700315105X"  # fictional, valid check character


def sample_receipt(
    *,
    lines: int = 3,
    name: str = "马秀兰",
    id_number: str = "",
    category: str = "chronic",
    kind: str = "original",
) -> ReceiptData:
    """A receipt like the seeds' Qinghai case: 179.63 → fund 129.63 / cash 50.00 for one line;
    every further line is a 25.00 test paid in cash. ``self_pay`` puts everything in cash."""
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
    lines_all = (first, *extra)
    totals = ReceiptTotals(
        total=total,
        fund=total - cash,
        account=Decimal("0.00"),
        cash=cash,
        funds=(ReceiptFund("城乡居民基本医疗保险基金", total - cash),),
        in_scope=Decimal("179.63") + Decimal("18.00") * len(extra),
        full_self_pay=Decimal("5.00") * len(extra),
        first_self_pay=Decimal("2.00") * len(extra),
    )
    if category == "self_pay":
        lines_all = tuple(
            replace(line, full_self_pay=line.amount, first_self_pay=ZERO, in_scope=ZERO)
            for line in lines_all
        )
        totals = ReceiptTotals(
            total=total, fund=ZERO, account=ZERO, cash=total, full_self_pay=total
        )
    kind_value = ReceiptKind(kind)
    moment = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    return ReceiptData(
        hospital_name="演示肿瘤医院（虚构）",
        hospital_code="H11010500001",
        patient_name=name,
        masked_id=mask_number(id_number or SAMPLE_ID_NUMBER),
        insured_place="青海省",
        insurance_type="城乡居民基本医疗保险",
        category=categories[category],
        lines=lines_all,
        totals=totals,
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
