"""Resident ID numbers (居民身份证号码): structure, birth date and check character (interface.md §7.3).

Deliberately *not* python-stdnum's ``cn.ric.validate``: besides the checks below it looks the address
code up in a table of district codes with the years each existed and refuses a number whose district
was created after the holder's birth year. But the address code is the place of first registration
when the number was issued (from 1984), not the place of birth, so a patient born in 1950 may well
hold a code created in 1983 or later — and chronic-disease patients are mostly older. The address
code is therefore checked only as "a province code that exists".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from app.domain.person import Gender
from app.domain.region import PROVINCES
from app.errors import InputError
from app.messages import card as words

ID_LENGTH = 18
# ISO 7064 MOD 11-2 weights of the first 17 digits and the check character of each remainder.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# Province-level prefixes of ID numbers: the mainland provinces, and Taiwan, Hong Kong and Macau
# (71; 81, 82, 83 on the residence permits of their residents, which carry the same structure).
_ID_PREFIXES = frozenset(PROVINCES) | {"71", "81", "82", "83"}
# Nobody alive was born before this; an earlier "date" is a typing error, not a birth date.
_EARLIEST_BIRTH = date(1880, 1, 1)
_BEIJING = timezone(timedelta(hours=8))


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


def check_character(first_17: str) -> str:
    """The check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def _birth_date(text: str, today: date) -> date:
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        born = None
    if born is None or born < _EARLIEST_BIRTH or born > today:
        raise IdNumberError(
            words.ID_BIRTH_DATE(text=text[6:14]),
            code="id_component",
        )
    return born


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate an ID number: 18 characters, a known province, a real past birth date, the check
    character. Never whether the district code existed at the birth date (see the module doc).

    Args:
        raw: what was typed or read; surrounding spaces and a lower-case ``x`` are accepted.
        today: the day a birth date may not be after (default: today in Beijing).

    Raises:
        IdNumberError: with a message that says which part is wrong.
    """
    text = raw.strip().upper()
    if len(text) != ID_LENGTH:
        raise IdNumberError(words.ID_LENGTH(length=len(text)), code="id_length")
    if not (text[:17].isascii() and text[:17].isdigit()) or text[17] not in "0123456789X":
        raise IdNumberError(
            words.ID_FORMAT(),
            code="id_format",
        )
    if text[:2] not in _ID_PREFIXES:
        raise IdNumberError(
            words.ID_PROVINCE(prefix=text[:2]),
            code="id_component",
        )
    # Date before the check character: a mistyped birth date is a clearer message.
    born = _birth_date(text, today or datetime.now(_BEIJING).date())
    if text[17] != check_character(text[:17]):
        raise IdNumberError(words.ID_CHECKSUM(), code="id_checksum")
    gender = Gender.MALE if int(text[16]) % 2 == 1 else Gender.FEMALE
    return IdNumber(value=text, birth_date=born, gender=gender)


def is_valid_id_number(raw: str) -> bool:
    """True when :func:`parse_id_number` would accept ``raw``."""
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True
