"""Disease catalogue, annex mapping rules, regions and ID numbers."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.disease import PILOT_DISEASES, DiseaseCategory, code_for_treatment, is_pilot
from app.domain.region import is_cross_province, is_division_code, province_name
from app.validation.id_number import IdNumberError, is_valid_id_number, parse_id_number


def test_the_ten_pilot_codes_in_five_categories() -> None:
    assert len(PILOT_DISEASES) == 10
    assert {d.category for d in PILOT_DISEASES.values()} == set(DiseaseCategory)
    assert PILOT_DISEASES["M07801"].name == "透析"
    assert PILOT_DISEASES["M08303"].name == "心移植抗排异治疗"
    assert not is_pilot("M04900")


@pytest.mark.parametrize(
    ("treatment", "code"),
    [
        ("乳腺癌术后化疗", "M00500"),
        ("调强放射治疗", "M00500"),
        ("血液透析", "M07801"),
        ("腹膜透析", "M07801"),
        ("尿毒症透析", "M07801"),
        ("高血压复诊", None),
    ],
)
def test_annex_maps_related_treatments_to_their_category_code(
    treatment: str, code: str | None
) -> None:
    assert code_for_treatment(treatment) == code


def test_regions_and_cross_province() -> None:
    assert province_name("639900") == "青海省"
    assert province_name("990000").startswith("未知地区")
    assert is_division_code("110105")
    assert not is_division_code("11010")
    assert is_cross_province("630100", "110105")
    assert not is_cross_province("110108", "110105")


def test_valid_id_number_gives_birth_date_and_gender() -> None:
    parsed = parse_id_number("11010519491231002x")
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender.label == "女"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("110105194912310021", "id_checksum"),
        ("1101051949123100", "id_length"),
        ("11010519491331002X", "id_component"),
        ("1101051949123100AX", "id_format"),
    ],
)
def test_invalid_id_numbers_say_what_is_wrong(raw: str, code: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw)
    assert caught.value.code == code
    assert "身份证" in caught.value.text
    assert not is_valid_id_number(raw)


# Beijing's 大兴区 got its code 110115 in 2001; a woman born there in 1950 got it on her ID card.
DAXING_1950 = "11011519500307002X"


def test_an_address_code_created_after_the_birth_year_is_accepted() -> None:
    from stdnum.cn import ric  # noqa: PLC0415  (only to show what the library refuses)

    assert not ric.is_valid(DAXING_1950), "the library refuses a district younger than its holder"

    parsed = parse_id_number(DAXING_1950)

    assert parsed.birth_date == date(1950, 3, 7)
    assert parsed.gender.label == "女"


def test_a_card_with_an_older_patients_young_district_code_is_read() -> None:
    from helpers.device_fixtures import CardFields  # noqa: PLC0415

    from app.validation.card import parse_card_string  # noqa: PLC0415

    card = parse_card_string(CardFields(id_number=DAXING_1950).text())

    assert card.id_number.value == DAXING_1950


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("990105195003070020", "id_component"),  # no such province
        ("110115203003070027", "id_component"),  # born in the future
        ("11011518700307002X", "id_component"),  # not a plausible birth date
        ("11011519500307002Y", "id_format"),
        ("１１０１１５１９５００３０７００２X", "id_format"),  # full-width digits are not ASCII
    ],
)
def test_structure_province_and_birth_date_are_still_checked(raw: str, code: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw, today=date(2026, 12, 7))
    assert caught.value.code == code
