"""Money: exact Decimal yuan, quantized to the fen with ROUND_HALF_UP; floats and junk refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import (
    MoneyError,
    format_yuan,
    from_fen,
    line_amount,
    money_sum,
    parse_decimal,
    round_money,
    to_fen,
    to_money,
)

fen_amounts = st.integers(min_value=-(10**12), max_value=10**12)
yuan = fen_amounts.map(from_fen)


@pytest.mark.parametrize(
    "bad",
    [
        1.5,
        float("nan"),
        True,
        None,
        [1],
        "abc",
        "1.234",
        "NaN",
        "Infinity",
        "-inf",
        "1e400",
        "",
        " ",
    ],
)
def test_to_money_refuses_floats_non_numbers_and_extra_decimals(bad: object) -> None:
    with pytest.raises(MoneyError):
        to_money(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", "12.50"),
        (12, "12.00"),
        (Decimal("0.10"), "0.10"),
        (" 3.00 ", "3.00"),
        ("1.230", "1.23"),
    ],
)
def test_to_money_accepts_exact_input(raw: str | int | Decimal, expected: str) -> None:
    assert str(to_money(raw)) == expected


@pytest.mark.parametrize(
    ("computed", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        ("0.0049", "0.00"),
    ],
)
def test_round_money_is_half_up_on_ties(computed: str, expected: str) -> None:
    assert str(round_money(Decimal(computed))) == expected


def test_round_money_refuses_float() -> None:
    with pytest.raises(MoneyError):
        round_money(0.1)  # type: ignore[arg-type]


@given(yuan)
def test_quantize_is_idempotent_and_fen_round_trips(amount: Decimal) -> None:
    assert round_money(amount) == amount
    assert to_money(amount) == amount
    assert from_fen(to_fen(amount)) == amount


@given(st.lists(yuan, max_size=50))
def test_sum_is_exact_to_the_fen(amounts: list[Decimal]) -> None:
    assert to_fen(money_sum(amounts)) == sum(to_fen(a) for a in amounts)


@given(
    st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(100000), places=6),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(1000), places=4),
)
def test_line_amount_is_price_times_quantity_half_up(price: Decimal, qty: Decimal) -> None:
    amount = line_amount(price, qty)
    assert amount.as_tuple().exponent == -2
    assert abs(amount - price * qty) <= Decimal("0.005")


def test_parse_decimal_limits_places_and_sign() -> None:
    assert parse_decimal("1.2345", "数量", places=4) == Decimal("1.2345")
    with pytest.raises(MoneyError):
        parse_decimal("1.23456", "数量", places=4)
    with pytest.raises(MoneyError):
        parse_decimal("0", "数量", places=4)
    with pytest.raises(MoneyError):
        parse_decimal(2.5, "数量", places=4)  # type: ignore[arg-type]


def test_format_yuan_groups_thousands() -> None:
    assert format_yuan(Decimal("1234567.5")) == "1,234,567.50"


def test_error_text_is_plain_chinese_and_names_the_field() -> None:
    with pytest.raises(MoneyError) as caught:
        to_money("12.345", "单价")
    assert caught.value.text.startswith("单价")
    assert "两位小数" in caught.value.text
