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


def age_text(fetched_at: datetime, now: datetime) -> str:
    """How old a cached answer is, in words."""
    age = max(now.astimezone(UTC) - fetched_at.astimezone(UTC), timedelta(0))
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return QCoreApplication.translate("format", "{n} min ago").format(n=minutes)
    hours = minutes // 60
    return QCoreApplication.translate("format", "{h} h {m} min ago").format(h=hours, m=minutes % 60)
