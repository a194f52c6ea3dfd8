"""Upper-case Chinese amounts (人民币大写) as printed under the total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.amount_words import yuan_in_words

DIGITS = {ch: value for value, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
PLACES = {"拾": 10, "佰": 100, "仟": 1000}


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.50", "伍角整"),
        ("0.07", "柒分"),
        ("10", "壹拾元整"),
        ("12.07", "壹拾贰元零柒分"),
        ("179.63", "壹佰柒拾玖元陆角叁分"),
        ("-179.63", "负壹佰柒拾玖元陆角叁分"),
        ("1005.30", "壹仟零伍元叁角整"),
        ("1000.05", "壹仟元零伍分"),
        ("101000", "壹拾万壹仟元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("100010000", "壹亿零壹万元整"),
    ],
)
def test_known_amounts(amount: str, words: str) -> None:
    assert yuan_in_words(Decimal(amount)) == words


def parse_words(text: str) -> Decimal:
    """An independent reader of the upper-case form, for the round trip."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    total = section = number = 0
    yuan = 0
    fraction = Decimal(0)
    for char in text:
        if char in DIGITS:
            number = DIGITS[char]
        elif char in PLACES:
            section += number * PLACES[char]
            number = 0
        elif char == "万":
            section = (section + number) * 10_000
            number = 0
        elif char == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
        elif char == "元":
            yuan = total + section + number
            total = section = number = 0
        elif char == "角":
            fraction += Decimal(number) / 10
            number = 0
        elif char == "分":
            fraction += Decimal(number) / 100
            number = 0
    return sign * (yuan + fraction)


@given(st.integers(-(10**15), 10**15))
def test_round_trip_through_an_independent_reader(fen: int) -> None:
    amount = Decimal(fen) / 100
    words = yuan_in_words(amount)
    assert parse_words(words) == amount
    assert words.endswith(("整", "分"))
    assert "零零" not in words
