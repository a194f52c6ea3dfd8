"""One settlement as the history list shows it (standard library only: the window imports it at
start-up, before any service is built)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class SettledRow:
    """One settlement of the day, for the history list (ID number already masked)."""

    settlement_id: str
    bill_id: str
    settled_at: datetime
    person_no_masked: str
    category: str
    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal
    operator_code: str
    cancelled: bool = False
    patient_name: str = ""
    window: str = ""  # hospital mode: the window that made it (the history lists every window's)
