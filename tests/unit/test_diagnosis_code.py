"""The form of a 医保版 ICD-10 diagnosis code as the window takes it for 2203."""

from __future__ import annotations

import pytest

from app.validation.diagnosis import is_diagnosis_code, normalized_diagnosis_code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("J06.900", "J06.900"),
        (" j06.900 ", "J06.900"),
        ("i10.X00", "I10.x00"),
        ("I10.x00X002", "I10.x00x002"),
        ("", ""),
    ],
)
def test_codes_are_written_as_the_catalogue_writes_them(typed: str, code: str) -> None:
    assert normalized_diagnosis_code(typed) == code


@pytest.mark.parametrize("code", ["J06.900", "I10.x00", "I10.x00x002", "C50.900", "Z94.100"])
def test_catalogue_codes_have_the_form(code: str) -> None:
    assert is_diagnosis_code(code)


@pytest.mark.parametrize(
    "code",
    ["", "J06", "J06.9", "J06.9000", "J6.900", "06.900", "J06900", "J06.x0", "J06.900x1", "M03900"],
)
def test_other_texts_do_not(code: str) -> None:
    assert not is_diagnosis_code(code)
