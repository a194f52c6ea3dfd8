"""HIS domain values: sharing a settlement among lines, the wire codec, change detection."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.bill import Tag
from app.domain.his import (
    ChargeResult,
    ChargeStatus,
    CurrentCharge,
    HisChargeLine,
    LineMoney,
    ResultKind,
    allocate,
    changed_lines,
    result_key,
)
from app.domain.his_codec import (
    HisDataError,
    line_from_dict,
    line_to_dict,
    result_from_dict,
    result_to_dict,
)
from app.domain.money import ZERO, money_sum

fen = st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n) / 100)


@st.composite
def settlements(draw: st.DrawFn) -> tuple[list[Decimal], Decimal, Decimal, Decimal]:
    amounts = draw(st.lists(fen, min_size=1, max_size=30))
    total = money_sum(amounts)
    cents = int(total * 100)
    fund = Decimal(draw(st.integers(0, cents))) / 100
    account = Decimal(draw(st.integers(0, cents - int(fund * 100)))) / 100
    hospital = Decimal(draw(st.integers(0, cents - int((fund + account) * 100)))) / 100
    return amounts, fund, account, hospital


@given(settlements(), st.booleans())
def test_allocation_adds_up_exactly_and_never_makes_cash_negative(
    case: tuple[list[Decimal], Decimal, Decimal, Decimal], cancelled: bool
) -> None:
    amounts, fund, account, hospital = case
    sign = Decimal(-1) if cancelled else Decimal(1)
    shares = allocate([sign * a for a in amounts], sign * fund, sign * account, sign * hospital)

    assert money_sum(s.fund for s in shares) == sign * fund
    assert money_sum(s.account for s in shares) == sign * account
    assert money_sum(s.hospital for s in shares) == sign * hospital
    for share, amount in zip(shares, amounts, strict=True):
        assert share.fund + share.account + share.cash + share.hospital == sign * amount
        assert all(part * sign >= ZERO for part in (share.fund, share.account, share.cash))
        assert share.cash == share.cash.quantize(Decimal("0.01"))


def test_the_seed_case_is_shared_to_the_fen() -> None:
    amounts = [Decimal("77.00"), Decimal("5.70"), Decimal("12.00"), Decimal("20.00")]
    amounts.append(Decimal("179.63") - money_sum(amounts))
    shares = allocate(amounts, Decimal("129.63"), ZERO)
    assert money_sum(s.fund for s in shares) == Decimal("129.63")
    assert money_sum(s.cash for s in shares) == Decimal("50.00")


def _line(**changes: object) -> HisChargeLine:
    data: dict[str, object] = {
        "charge_id": "MZ1-1",
        "bill_no": "CF1",
        "item_code": "H001",
        "national_code": "X001",
        "name": "注射用顺铂",
        "unit_price": Decimal("38.50"),
        "quantity": Decimal(2),
        "amount": Decimal("77.00"),
        "version": "1",
        "tag": Tag.disease("M00500"),
    }
    data.update(changes)
    return HisChargeLine(**data)  # type: ignore[arg-type]


def test_a_charge_line_survives_the_wire_exactly() -> None:
    line = _line()
    assert line_from_dict(line_to_dict(line)) == line


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit_price", 38.5),  # a float never reaches a money field
        ("amount", "77.001"),
        ("charge_id", "1'; drop table x"),
        ("quantity", "abc"),
    ],
)
def test_a_malformed_line_is_refused_naming_the_field(field: str, value: object) -> None:
    data = line_to_dict(_line())
    data[field] = value
    with pytest.raises(HisDataError) as caught:
        line_from_dict(data)
    assert field in str(caught.value)


def test_a_result_must_add_up_to_its_amount() -> None:
    result = ChargeResult(
        key=result_key("S1", "MZ1-1", ResultKind.SETTLED),
        kind=ResultKind.SETTLED,
        charge_id="MZ1-1",
        visit_no="MZ1",
        setl_id="S1",
        fee_category="chronic",
        fee_category_name="门诊慢特病 M00500",
        money=LineMoney(Decimal("77.00"), Decimal("50.00"), ZERO, Decimal("27.00")),
        occurred_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        operator_code="C001",
        window="W01",
    )
    data = result_to_dict(result)
    assert result_from_dict(data) == result
    data["cash"] = "26.99"
    with pytest.raises(HisDataError):
        result_from_dict(data)


def test_changes_in_the_his_are_named_line_by_line() -> None:
    loaded = [_line(), _line(charge_id="MZ1-2", name="血常规"), _line(charge_id="MZ1-3")]
    current = [
        CurrentCharge("MZ1-1", ChargeStatus.UNPAID, _line(unit_price=Decimal("40.00"))),
        CurrentCharge("MZ1-2", ChargeStatus.PAID, _line(charge_id="MZ1-2")),
    ]
    problems = {cid: str(reason) for cid, reason in changed_lines(loaded, current)}
    assert "单价" in problems["MZ1-1"]
    assert "已缴费" in problems["MZ1-2"]
    assert "撤销" in problems["MZ1-3"]
    assert changed_lines([_line()], [CurrentCharge("MZ1-1", ChargeStatus.UNPAID, _line())]) == []


def test_doctor_judges_the_his_outbox() -> None:
    from app.services.doctor import Status, judge_his_outbox  # noqa: PLC0415

    assert judge_his_outbox(0, 0, None).status is Status.OK
    assert judge_his_outbox(3, 0, 2.0).status is Status.OK
    assert judge_his_outbox(3, 0, 30.0).status is Status.WARNING
    refused = judge_his_outbox(3, 1, 30.0)
    assert refused.status is Status.ERROR
    assert "拒收" in str(refused.text)
