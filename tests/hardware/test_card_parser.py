"""The pure card-string parser: typed card or a typed error with Chinese text, never anything else."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

import pytest
from helpers.device_fixtures import CardFields, valid_id_number
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.scanner import parse_voucher_code
from app.domain.visit import CredentialKind
from app.errors import InputError
from app.sandbox.data import load_population
from app.validation.card import (
    CardDataError,
    SocialSecurityCard,
    decode_card_bytes,
    parse_card_string,
)
from app.validation.id_number import is_valid_id_number

# R11: 10,000 inputs in CI; FUZZ_EXAMPLES=100000 for the nightly campaign.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
T = TypeVar("T")


def test_a_valid_card_gives_the_credential_for_1101(card_fields: CardFields) -> None:
    card = parse_card_string(card_fields.text())

    assert card.id_number.value == valid_id_number()
    assert card.name == "马秀兰"
    assert card.issue_date == date(2018, 6, 1)
    assert card.expiry_date == date(2038, 6, 1)
    credential = card.credential
    assert credential.kind is CredentialKind.CARD
    assert credential.number == "X00000019"
    assert credential.card_sn == "630100D15600000500BF7C7A48FB4966"
    assert valid_id_number() not in card.masked_label


def test_trailing_nul_padding_and_separator_are_tolerated(card_fields: CardFields) -> None:
    card = parse_card_string(card_fields.text() + "|\x00\x00\x00garbage after the terminator")
    assert card.device_no == "TEST-READER-01"


def test_a_card_with_only_the_five_required_fields_is_read(card_fields: CardFields) -> None:
    short = "|".join(card_fields.text().split("|")[:5])
    card = parse_card_string(short)
    assert card.expiry_date is None
    assert card.version == ""


def test_lowercase_x_in_the_number_is_normalised() -> None:
    number = valid_id_number("632123", "19700315", 105)
    assert number.endswith("X"), "the chosen sequence gives an X check character"
    card = parse_card_string(CardFields(id_number=number.lower()).text())
    assert card.id_number.value == number


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"region": "63A100"}, "card_region"),
        ({"card_number": "X-0001"}, "card_number"),
        ({"card_sn": "630100D156"}, "card_sn"),
        ({"card_sn": "110100D15600000500BF7C7A48FB4966"}, "card_sn_region"),
        ({"name": ""}, "card_name"),
        ({"name": "马\u200b" * 30}, "card_name"),
        ({"issue_date": "2018-06-01"}, "card_date"),
        ({"expiry_date": "20380231"}, "card_date"),
        ({"id_number": "632123197003151050"}, "card_id_number"),
        ({"id_number": "63010219700315"}, "card_id_number"),
        ({"name": "马\x07兰"}, "card_control"),
    ],
)
def test_each_broken_field_is_named(
    card_fields: CardFields, change: dict[str, str], code: str
) -> None:
    with pytest.raises(CardDataError) as caught:
        parse_card_string(replace(card_fields, **change).text())
    assert caught.value.code == code
    assert "请重新插卡" in caught.value.text or "社会保障号码" in caught.value.text


def test_an_encrypted_read_explains_what_to_change(card_fields: CardFields) -> None:
    text = "|".join(["630100", "", "X00000019", card_fields.card_sn, "", "", "", "", ""])
    with pytest.raises(CardDataError) as caught:
        parse_card_string(text)
    assert caught.value.code == "card_encrypted"


def test_an_expired_card_is_refused_only_when_a_day_is_given(card_fields: CardFields) -> None:
    expired = replace(card_fields, expiry_date="20200101").text()
    assert parse_card_string(expired).is_expired_on(date(2026, 11, 23))
    with pytest.raises(CardDataError, match="过有效期"):
        parse_card_string(expired, today=date(2026, 11, 23))


@pytest.mark.parametrize("raw", ["", "   ", "\x00", "hello", "a|b", "|" * 20, "9" * 5000])
def test_obvious_garbage_is_a_card_data_error(raw: str) -> None:
    with pytest.raises(CardDataError):
        parse_card_string(raw)


def test_bytes_from_the_library_are_decoded_as_gb18030(card_fields: CardFields) -> None:
    raw = card_fields.text().encode("gb18030") + b"\x00" * 64
    assert parse_card_string(decode_card_bytes(raw)).name == "马秀兰"


def test_undecodable_bytes_are_a_card_data_error() -> None:
    with pytest.raises(CardDataError):
        decode_card_bytes(b"\x81\x30\xff\xfe|\xff\xff")


_field_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789ABCDEFXx", max_size=34),
    st.sampled_from(["630100", valid_id_number(), "X00000019", "630100D15600000500BF7C7A48FB4966"]),
)


@settings(max_examples=FUZZ_EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(_field_text, min_size=0, max_size=14).map("|".join),
        st.builds(
            lambda fields, index, value: "|".join(
                value if i == index else f for i, f in enumerate(fields)
            ),
            st.just(CardFields().text().split("|")),
            st.integers(0, 10),
            _field_text,
        ),
    ),
    st.one_of(st.none(), st.dates()),
)
def test_fuzz_card_strings_give_a_card_or_an_input_error(raw: str, today: date | None) -> None:
    try:
        card = parse_card_string(raw, today=today)
    except InputError as exc:
        error: InputError | None = exc
    else:
        error = None
    if error is not None:
        assert error.text
        assert isinstance(error, CardDataError)
    else:
        assert len(card.card_sn) == 32
        assert card.card_sn.startswith(card.issuing_region)
        assert card.id_number.value in raw.upper()


_VALID_CARD_BYTES = CardFields().text().encode("gb18030")


def _replace_byte(raw: bytes, index: int, value: int) -> bytes:
    index %= len(raw)
    return raw[:index] + bytes([value]) + raw[index + 1 :]


_card_bytes = st.one_of(
    st.binary(max_size=300),
    # A real card's buffer: NUL padding and whatever the library left after it.
    st.binary(max_size=64).map(lambda tail: _VALID_CARD_BYTES + b"\x00" + tail),
    # A real card's buffer with one byte damaged (often still a card, often not).
    st.builds(_replace_byte, st.just(_VALID_CARD_BYTES), st.integers(0, 400), st.integers(0, 255)),
)


def _assert_card(card: SocialSecurityCard, text: str) -> None:
    """What every accepted card guarantees."""
    assert isinstance(card, SocialSecurityCard)
    assert len(card.card_sn) == 32
    assert card.card_sn.startswith(card.issuing_region)
    assert is_valid_id_number(card.id_number.value)
    assert card.id_number.value in text.upper()
    assert card.name
    assert card.credential.kind is CredentialKind.CARD
    assert card.credential.number == card.card_number
    assert card.credential.card_sn == card.card_sn


def _assert_refusal(error: CardDataError) -> None:
    """What every refusal guarantees: typed, coded, explained in Chinese."""
    assert type(error) is CardDataError
    assert error.code.startswith(("card", "id")), error.code
    assert error.text.startswith(("社保卡", "读卡器")), error.text
    assert "请" in error.text  # says what to do


@settings(max_examples=2_000)
@given(_card_bytes)
def test_fuzz_raw_bytes_give_a_card_or_a_typed_refusal(raw: bytes) -> None:
    """Each input ends in exactly one typed result, and each result is checked."""
    before_nul = raw.split(b"\x00", 1)[0]
    decoded = _outcome(lambda: decode_card_bytes(raw))
    if isinstance(decoded, CardDataError):
        assert decoded.code == "card_encoding"
        _assert_refusal(decoded)
        return
    assert isinstance(decoded, str)
    assert "\x00" not in decoded
    assert len(decoded) <= len(before_nul)  # decoding never invents characters
    parsed = _outcome(lambda: parse_card_string(decoded))
    if isinstance(parsed, CardDataError):
        _assert_refusal(parsed)
        return
    _assert_card(parsed, decoded)
    if raw.startswith(_VALID_CARD_BYTES + b"\x00"):
        assert parsed.name == "马秀兰"


def _outcome(call: Callable[[], T]) -> T | CardDataError:
    """The call's result, or the CardDataError it raised (any other exception propagates)."""
    try:
        return call()
    except CardDataError as exc:
        return exc


def test_the_undamaged_card_buffer_is_read_whatever_follows_the_nul() -> None:
    card = parse_card_string(decode_card_bytes(_VALID_CARD_BYTES + b"\x00\xff\xfe garbage"))
    _assert_card(card, CardFields().text())


def test_every_sandbox_demo_card_and_voucher_is_accepted() -> None:
    people = load_population()
    assert people
    for person in people:
        card = parse_card_string(person.card_string, today=date(2026, 11, 23))
        assert card.credential.number == person.card_no
        assert card.credential.card_sn == person.card_sn
        assert card.id_number.value == person.id_number.upper()
        assert card.name == person.name
        assert parse_voucher_code(person.voucher_code).value == person.voucher_code
