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
from app.messages import Message
from app.messages import money as words

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999999999.99")  # interface.md: amounts are 16,2

Numeric = str | int | Decimal
_AMOUNT = words.AMOUNT()


class MoneyError(InputError):
    """An amount could not be accepted as yuan."""

    code = "money"


def _as_decimal(value: object, what: str | Message) -> Decimal:
    # bool is an int subclass; True yuan is never meant.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise MoneyError(
            words.NOT_A_NUMBER_TYPE(what=what),
            code="money_type",
            detail={"type": type(value).__name__},
        )
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    try:
        return Decimal(text)
    except InvalidOperation:
        raise MoneyError(words.SYNTAX(what=what, text=text[:20]), code="money_syntax") from None


def to_money(value: Numeric, what: str | Message = _AMOUNT) -> Decimal:
    """Accept an incoming amount exactly, or raise :class:`MoneyError`.

    Args:
        value: a ``str``, ``int`` or ``Decimal``; never a float.
        what: the name of the field, used in the error text (a catalogue message, or the
            platform's field label in the sandbox).
    """
    amount = _as_decimal(value, what)
    if not amount.is_finite():
        raise MoneyError(words.NOT_FINITE(what=what), code="money_not_finite")
    # Magnitude first, from the exponent alone: arithmetic on "1e999999999" overflows the context.
    if amount and amount.adjusted() > MAX_AMOUNT.adjusted():
        raise MoneyError(words.OUT_OF_RANGE(what=what), code="money_range")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    if exponent < -2 and amount != amount.quantize(FEN):
        raise MoneyError(words.TWO_PLACES(what=what), code="money_precision")
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(words.OUT_OF_RANGE(what=what), code="money_range")
    return amount.quantize(FEN)


def round_money(value: Decimal) -> Decimal:
    """Round a computed amount to the fen, half up. Refuses non-Decimal and non-finite values."""
    # Callers are typed, but a float slipping in from untyped data must fail loudly, not round.
    if not isinstance(cast(object, value), Decimal) or not value.is_finite():
        raise MoneyError(words.COMPUTED_NOT_FINITE(), code="money_not_finite")
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Exact integer fen of an amount that is already on the fen grid."""
    quantized = round_money(amount)
    if quantized != amount:
        raise MoneyError(words.NOT_ON_FEN(), code="money_precision")
    return int(quantized * 100)


def from_fen(fen: int) -> Decimal:
    """Yuan from integer fen."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(words.STORED_TYPE(), code="money_type")
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


def parse_decimal(
    value: Numeric, what: str | Message, *, places: int, positive: bool = True
) -> Decimal:
    """Parse a price (up to 6 places) or quantity (up to 4 places) exactly, refusing floats."""
    number = _as_decimal(value, what)
    if not number.is_finite():
        raise MoneyError(words.NOT_FINITE(what=what), code="decimal_not_finite")
    # Magnitude first, from the exponent alone: arithmetic on "1e999999999" overflows the context.
    if number and number.adjusted() >= 16:
        raise MoneyError(words.OUT_OF_RANGE(what=what), code="decimal_range")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise MoneyError(words.PLACES(what=what, places=places), code="decimal_precision")
    if positive and number <= 0:
        raise MoneyError(words.NOT_POSITIVE(what=what), code="decimal_not_positive")
    if abs(number) >= Decimal("1e16"):
        raise MoneyError(words.OUT_OF_RANGE(what=what), code="decimal_range")
    return number
