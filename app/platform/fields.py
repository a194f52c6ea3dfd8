"""Field readers for answer objects: presence, type, length, money and dates, checked.

Every field a caller relies on is checked for presence, type, length and — for money — finiteness,
scale (≤ 2 decimals) and range (16,2). ``null`` and ``""`` mean absent. Optional details are read
with :func:`tolerant`, so a malformed one is noted rather than failing the answer (interface.md
A §10).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from app.domain.money import FEN, MAX_AMOUNT, ZERO
from app.platform.codec import CONTROL_CHARACTERS, ProtocolError
from app.platform.envelope import CHINA_TIME

MAX_TEXT = 4000

RATIO_PLACES = Decimal("0.0001")

T = TypeVar("T")


def tolerant(unread: list[str], read: Callable[[], T], default: T) -> T:
    """An optional detail: its value, or ``default`` with the reason noted in ``unread``.

    A malformed optional field never fails the whole answer (interface.md A §10); what could not be
    read is kept (field names only, never values) for the log and the day close.
    """
    try:
        return read()
    except ProtocolError as exc:
        unread.append(exc.reason)
        return default


def node(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A required object."""
    value = parent.get(key)
    if not isinstance(value, dict):
        raise ProtocolError(f"{key} is missing or not an object")
    return value


def rows(parent: Mapping[str, Any], key: str, *, required: bool = True) -> list[Mapping[str, Any]]:
    """A list of objects; ``null``/absent is empty unless required."""
    value = parent.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"{key} is missing or not a list")
    if not all(isinstance(item, dict) for item in value):
        raise ProtocolError(f"{key} holds a non-object")
    return value


def absent(value: object) -> bool:
    """``null``, ``""`` and blank text all mean "not given" (provinces write each)."""
    return value is None or (isinstance(value, str) and not value.strip())


def has_control_characters(value: str) -> bool:
    """Whether ``value`` holds a C0/C1 control character (the usual text has none: it is
    printable, which rules them all out in one C call)."""
    return not value.isprintable() and value != value.translate(CONTROL_CHARACTERS)


def text(parent: Mapping[str, Any], key: str, max_len: int, *, required: bool = True) -> str:
    """A string field (a JSON integer is accepted as its digits); control characters refused."""
    value = parent.get(key)
    if type(value) is not str or not value.strip():
        if absent(value):
            if required:
                raise ProtocolError(f"{key} is missing")
            return ""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ProtocolError(f"{key} is not text")
    if len(value) > max_len:
        raise ProtocolError(f"{key} is longer than {max_len}")
    if has_control_characters(value):
        raise ProtocolError(f"{key} holds control characters")
    return value


def money(parent: Mapping[str, Any], key: str, *, required: bool = True) -> Decimal | None:
    """An amount: a JSON number, finite, at most 2 decimals, within 16,2; ``null``/``""`` is absent."""
    value = parent.get(key)
    if type(value) is Decimal:  # the usual case: the parser makes a Decimal of every fraction
        amount = value
    else:
        if absent(value):
            if required:
                raise ProtocolError(f"{key} is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ProtocolError(f"{key} is not a number")
        amount = Decimal(value)
    if not amount.is_finite():
        raise ProtocolError(f"{key} is not finite")
    if abs(amount) > MAX_AMOUNT:
        raise ProtocolError(f"{key} is out of range")
    fen = amount.quantize(FEN)
    if fen != amount:
        raise ProtocolError(f"{key} has more than two decimals")
    return fen if fen else ZERO  # ZERO for -0.00 too


def required_money(parent: Mapping[str, Any], key: str) -> Decimal:
    """An amount that must be present."""
    amount = money(parent, key)
    assert amount is not None  # required=True raised otherwise
    return amount


def optional_money(parent: Mapping[str, Any], key: str) -> Decimal:
    """An amount where ``null``/absent counts as zero (fund columns that did not pay)."""
    return money(parent, key, required=False) or ZERO


def ratio(parent: Mapping[str, Any], key: str, *, required: bool = True) -> Decimal | None:
    """A ratio 0..1 with at most four decimals (5,4); ``null``/``""`` is absent."""
    value = parent.get(key)
    if type(value) is Decimal:
        number = value
    else:
        if absent(value):
            if required:
                raise ProtocolError(f"{key} is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ProtocolError(f"{key} is not a number")
        number = Decimal(value)
    if not number.is_finite() or not ZERO <= number <= 1:
        raise ProtocolError(f"{key} is outside 0..1")
    if number != number.quantize(RATIO_PLACES):
        raise ProtocolError(f"{key} has more than four decimals")
    return number + ZERO


_FRACTION = re.compile(r"(?<=:[0-9]{2})\.[0-9]{1,9}$")  # seconds fractions only

_DAY_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d")

_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%a %b %d %H:%M:%S CST %Y",  # Java's Date.toString() on a China-zoned server
)


def _parsed(value: str, formats: Sequence[str]) -> datetime | None:
    cleaned = _FRACTION.sub("", value.strip())
    for form in formats:
        try:
            return datetime.strptime(cleaned, form)  # noqa: DTZ007 - China time, zone added by callers
        except ValueError:
            continue
    return None


def parse_day(value: str) -> date | None:
    """A date in one of the platform's usual forms (``1983-02-27``, ``19830227``, with a time…)."""
    found = _parsed(value, _DAY_FORMATS) or _parsed(value, _TIME_FORMATS)
    return None if found is None else found.date()


def parse_moment(value: str) -> datetime | None:
    """A China-local time in one of the usual forms (``yyyy-MM-dd HH:mm:ss``, ``yyyyMMddHHmmss``…)."""
    found = _parsed(value, _TIME_FORMATS)
    return None if found is None else found.replace(tzinfo=CHINA_TIME)


def day(parent: Mapping[str, Any], key: str, *, required: bool = True) -> date | None:
    """A date (``yyyy-MM-dd`` or another usual form, a midnight time included)."""
    value = text(parent, key, 40, required=required)
    if not value:
        return None
    found = parse_day(value)
    if found is None:
        raise ProtocolError(f"{key} is not a date")
    return found


def moment(parent: Mapping[str, Any], key: str) -> datetime:
    """A China-local time (``yyyy-MM-dd HH:mm:ss`` or another usual form), as an aware datetime."""
    found = parse_moment(text(parent, key, 40))
    if found is None:
        raise ProtocolError(f"{key} is not a time")
    return found


def expect(problems: Iterable[str]) -> None:
    found = list(problems)
    if found:
        raise ProtocolError("; ".join(found)[:200])
