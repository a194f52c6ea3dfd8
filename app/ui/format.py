"""Display formatting at the edge: money with two decimals, local times, masked numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from app.domain.money import format_yuan

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def yuan(amount: Decimal | None) -> str:
    """``1,234.50``-style text for an amount; empty for ``None``."""
    return "" if amount is None else format_yuan(amount)


def local_time(moment: datetime) -> str:
    """An aware UTC time as local ``YYYY-MM-DD HH:MM``."""
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def local_clock(moment: datetime) -> str:
    """An aware UTC time as local ``HH:MM:SS`` (lists of one day need no date)."""
    return moment.astimezone(LOCAL_ZONE).strftime("%H:%M:%S")


def age_text(fetched_at: datetime, now: datetime) -> str:
    """How old a cached answer is, in words."""
    age = max(now.astimezone(UTC) - fetched_at.astimezone(UTC), timedelta(0))
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return QCoreApplication.translate("format", "{n} min ago").format(n=minutes)
    hours = minutes // 60
    return QCoreApplication.translate("format", "{h} h {m} min ago").format(h=hours, m=minutes % 60)


def breakdown(total: Decimal, fund: Decimal, account: Decimal, cash: Decimal) -> str:
    """``合计 76.80 = 统筹 57.60 + 个人账户 19.20 + 现金 0.00``: the one way every money view
    states a split, so the parts visibly add up to the total.

    A share the hospital bears (``total - fund - account - cash``, rare) is added as its own term
    rather than hidden, so the sum on screen is always the total.
    """
    hospital = total - fund - account - cash
    text = QCoreApplication.translate(
        "format", "Total {total} = fund {fund} + account {account} + cash {cash}"
    ).format(total=yuan(total), fund=yuan(fund), account=yuan(account), cash=yuan(cash))
    if hospital:
        text += QCoreApplication.translate("format", " + hospital {hospital}").format(
            hospital=yuan(hospital)
        )
    return text


def cash_due_text(cash: Decimal) -> str:
    """The cash the cashier collects, for the large-type line."""
    return QCoreApplication.translate("format", "Cash to collect: ¥{cash}").format(cash=yuan(cash))


# Supplementary-plane ideographs (CJK Extension B and later) are not in the bundled font
# (resources/fonts/README.md); Qt would draw a box. Show the receipt's documented placeholder.
_SUPPLEMENTARY_IDEOGRAPHS = range(0x20000, 0x40000)


def screen_text(text: str) -> str:
    """``林〔U+2020C〕``: a name as the window can draw it, with the receipt's placeholder for
    characters the bundled font lacks (app/printing/fonts.py uses the same mark)."""
    if all(ord(char) not in _SUPPLEMENTARY_IDEOGRAPHS for char in text):
        return text
    return "".join(
        f"〔U+{ord(char):04X}〕" if ord(char) in _SUPPLEMENTARY_IDEOGRAPHS else char
        for char in text
    )
