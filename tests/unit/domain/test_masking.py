"""The one masking rule never reveals a whole number."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.domain.masking import mask_number

ID_CHARS = "0123456789X"


def test_id_number_keeps_first_three_and_last_four() -> None:
    assert mask_number("630102198001010011") == "630***********0011"


def test_card_number_is_masked_too() -> None:
    masked = mask_number("X00000019")
    assert masked != "X00000019"
    assert masked.count("*") >= 7


@given(st.text(alphabet=ID_CHARS, min_size=1, max_size=40))
def test_masking_never_reveals_the_full_number(number: str) -> None:
    masked = mask_number(number)
    assert len(masked) == len(number)
    assert "*" in masked
    visible = sum(ch != "*" for ch in masked)
    assert visible <= max(7, len(number) // 4)
    assert masked != number


@given(st.text(alphabet=ID_CHARS, min_size=18, max_size=18))
def test_masked_id_hides_the_birth_date(number: str) -> None:
    masked = mask_number(number)
    assert masked[6:14] == "*" * 8
