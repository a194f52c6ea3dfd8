"""This window's settlements of the day (``services/day_settlements.py``)."""

from __future__ import annotations

from app.messages import Template

SETTLEMENT_NOT_FOUND = Template(
    "history.settlement_not_found",
    zh="找不到结算 {settlement_id}，请刷新列表。",
    en="Settlement {settlement_id} was not found. Refresh the list.",
)
