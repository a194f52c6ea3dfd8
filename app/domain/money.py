"""Money in yuan as :class:`decimal.Decimal`, always quantized to the fen (0.01) with ROUND_HALF_UP.

Two entry points with different strictness:

* :func:`to_money` for amounts that come *in* (typed by a cashier, read from a file or the wire): it
  refuses floats, NaN, infinities and amounts finer than the fen (``1.230`` is fine, ``1.234`` is
  not), because any of those means the input is
  wrong, not that it needs rounding.
* :func:`round_money` for amounts we *compute* (price × quantity, ratio × base): it rounds half up.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import cast

from app.errors import InputError

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999999999.99")  # interface.md: amounts are 16,2

Numeric = str | int | Decimal


class MoneyError(InputError):
    """An amount could not be accepted as yuan."""

    code = "money"


def _as_decimal(value: object, what: str) -> Decimal:
    # bool is an int subclass; True yuan is never meant.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise MoneyError(
            f"{what}格式不对：只能输入数字（如 12.50）。",
            code="money_type",
            detail={"type": type(value).__name__},
        )
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    try:
        return Decimal(text)
    except InvalidOperation:
        raise MoneyError(
            f"{what}“{text[:20]}”不是有效的数字，请重新输入（如 12.50）。", code="money_syntax"
        ) from None


def to_money(value: Numeric, what: str = "金额") -> Decimal:
    """Accept an incoming amount exactly, or raise :class:`MoneyError`.

    Args:
        value: a ``str``, ``int`` or ``Decimal``; never a float.
        what: the Chinese name of the field, used in the error text.
    """
    amount = _as_decimal(value, what)
    if not amount.is_finite():
        raise MoneyError(f"{what}不是有效的数字，请重新输入。", code="money_not_finite")
    # Magnitude first, from the exponent alone: arithmetic on "1e999999999" overflows the context.
    if amount and amount.adjusted() > MAX_AMOUNT.adjusted():
        raise MoneyError(f"{what}超出允许范围，请核对。", code="money_range")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    if exponent < -2 and amount != amount.quantize(FEN):
        raise MoneyError(f"{what}最多保留两位小数（到分），请重新输入。", code="money_precision")
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(f"{what}超出允许范围，请核对。", code="money_range")
    return amount.quantize(FEN)


def round_money(value: Decimal) -> Decimal:
    """Round a computed amount to the fen, half up. Refuses non-Decimal and non-finite values."""
    # Callers are typed, but a float slipping in from untyped data must fail loudly, not round.
    if not isinstance(cast(object, value), Decimal) or not value.is_finite():
        raise MoneyError("计算金额时出现无效数值。", code="money_not_finite")
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Exact integer fen of an amount that is already on the fen grid."""
    quantized = round_money(amount)
    if quantized != amount:
        raise MoneyError("金额必须精确到分。", code="money_precision")
    return int(quantized * 100)


def from_fen(fen: int) -> Decimal:
    """Yuan from integer fen."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError("金额存储格式错误。", code="money_type")
    return (Decimal(fen) / 100).quantize(FEN)


def money_sum(amounts: Iterable[Decimal]) -> Decimal:
    """Sum amounts exactly; the empty sum is 0.00."""
    total = ZERO
    for amount in amounts:
        total += amount
    return round_money(total)


def format_yuan(amount: Decimal) -> str:
    """Display form with thousands separators, e.g. ``1,234.50``."""
    return f"{round_money(amount):,.2f}"


def line_amount(unit_price: Decimal, quantity: Decimal) -> Decimal:
    """Amount of a fee line: price × quantity rounded half up to the fen (interface.md B §2.7)."""
    return round_money(unit_price * quantity)


def parse_decimal(value: Numeric, what: str, *, places: int, positive: bool = True) -> Decimal:
    """Parse a price (up to 6 places) or quantity (up to 4 places) exactly, refusing floats."""
    number = _as_decimal(value, what)
    if not number.is_finite():
        raise MoneyError(f"{what}不是有效的数字，请重新输入。", code="decimal_not_finite")
    # Magnitude first, from the exponent alone: arithmetic on "1e999999999" overflows the context.
    if number and number.adjusted() >= 16:
        raise MoneyError(f"{what}超出允许范围，请核对。", code="decimal_range")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise MoneyError(f"{what}最多保留{places}位小数。", code="decimal_precision")
    if positive and number <= 0:
        raise MoneyError(f"{what}必须大于零。", code="decimal_not_positive")
    if abs(number) >= Decimal("1e16"):
        raise MoneyError(f"{what}超出允许范围，请核对。", code="decimal_range")
    return number
