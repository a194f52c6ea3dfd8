"""An amount in upper-case Chinese numerals (人民币大写), as every Chinese cashier's receipt prints it.

A number format, not a sentence: the numerals are data (``app/messages`` lists this module among
the places where Chinese stays in the domain).
"""

from __future__ import annotations

from decimal import Decimal

from app.domain.money import round_money

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")
_SECTIONS = {1: "万", 2: "亿", 3: "万"}


def _integer_words(number: int) -> str:
    """Upper-case Chinese numerals for a non-negative integer below 10^16 (financial style)."""
    if number == 0:
        return "零"
    digits = str(number)
    out: list[str] = []
    pending_zero = False
    section_used = False
    wan_yi_used = False
    for index, char in enumerate(digits):
        power = len(digits) - 1 - index
        digit = int(char)
        if digit == 0:
            pending_zero = True
        else:
            if pending_zero and out:
                out.append("零")
            pending_zero = False
            section_used = True
            out.append(_DIGITS[digit] + _PLACES[power % 4])
        if power % 4 == 0 and power > 0:
            # 亿 also closes a 万亿 section whose own 亿 digits are all zero (伍万亿).
            if section_used or (power == 8 and wan_yi_used):
                out.append(_SECTIONS[power // 4])
                pending_zero = pending_zero and not section_used
            wan_yi_used = power == 12 and section_used
            section_used = False
    return "".join(out)


def yuan_in_words(amount: Decimal) -> str:
    """The amount in upper-case Chinese (人民币大写), as on every Chinese cashier's receipt.

    Follows the payment-settlement writing rules: ``整`` after 元 or 角, none after 分; zeros inside
    the number are written once (壹仟零伍元); a negative amount (a cancellation) starts with 负.
    """
    value = round_money(amount)
    sign = "负" if value < 0 else ""
    fen_total = abs(int(value * 100))
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if yuan >= 10**16:
        raise ValueError("amount too large for a receipt")
    if fen_total == 0:
        return "零元整"
    text = f"{_integer_words(yuan)}元" if yuan else ""
    if jiao:
        text += f"{_DIGITS[jiao]}角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += f"{_DIGITS[fen]}分"
    else:
        text += "整"
    return sign + text
