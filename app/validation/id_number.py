"""Resident ID numbers (居民身份证号码), validated with python-stdnum's ``cn.ric``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from app.domain.person import Gender
from app.errors import InputError


class IdNumberError(InputError):
    """The text is not a valid 18-character resident ID number."""

    code = "id_number"


@dataclass(frozen=True)
class IdNumber:
    """A validated, normalised (upper-case ``X``) 18-character ID number."""

    value: str
    birth_date: date
    gender: Gender

    def __str__(self) -> str:
        return self.value


def parse_id_number(raw: str) -> IdNumber:
    """Validate an ID number (length, region, birth date, ISO 7064 check digit).

    Raises:
        IdNumberError: with a message that says which part is wrong.
    """
    text = raw.strip().upper()
    if len(text) != 18:
        raise IdNumberError(
            f"身份证号码应为 18 位，当前为 {len(text)} 位，请核对后重新输入。", code="id_length"
        )
    try:
        # Date first: a mistyped birth date is a clearer message than "wrong check digit".
        if text[:17].isdigit():
            ric.get_birth_date(text)
        value = ric.validate(text)
        birth = ric.get_birth_date(value)
    except stdnum_errors.InvalidChecksum:
        raise IdNumberError(
            "身份证号码校验位不正确，可能输错了一位，请核对后重新输入。", code="id_checksum"
        ) from None
    except stdnum_errors.InvalidComponent:
        raise IdNumberError(
            "身份证号码中的地区或出生日期无效，请核对后重新输入。", code="id_component"
        ) from None
    except stdnum_errors.ValidationError:
        raise IdNumberError(
            "身份证号码格式不正确（前 17 位应为数字，最后一位为数字或 X），请重新输入。",
            code="id_format",
        ) from None
    gender = Gender.MALE if int(value[16]) % 2 == 1 else Gender.FEMALE
    return IdNumber(value=value, birth_date=birth, gender=gender)


def is_valid_id_number(raw: str) -> bool:
    """True when :func:`parse_id_number` would accept ``raw``."""
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True
