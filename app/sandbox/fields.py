"""Input checking for transaction inputs: every refusal is a :class:`Rejected` with precise Chinese text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.domain.money import MoneyError, parse_decimal, to_money


class Rejected(Exception):
    """The platform refuses the message: answered with ``infcode`` -1 and ``err_msg``."""

    def __init__(self, err_msg: str) -> None:
        super().__init__(err_msg)
        self.err_msg = err_msg


def node(container: Mapping[str, Any], name: str, what: str) -> Mapping[str, Any]:
    """The JSON object ``container[name]``."""
    value = container.get(name)
    if not isinstance(value, Mapping):
        raise Rejected(f"输入参数缺少节点 {name}（{what}）")
    return value


def node_list(container: Mapping[str, Any], name: str, what: str) -> list[Mapping[str, Any]]:
    """The non-empty JSON array of objects ``container[name]``."""
    value = container.get(name)
    if not isinstance(value, list) or not value:
        raise Rejected(f"输入参数缺少节点 {name}（{what}），或为空")
    if not all(isinstance(item, Mapping) for item in value):
        raise Rejected(f"节点 {name}（{what}）的元素必须是对象")
    return value


def text(d: Mapping[str, Any], name: str, what: str, max_len: int, *, required: bool = True) -> str:
    """A string field: present (if required), a string or integer, at most ``max_len`` characters."""
    value = d.get(name)
    if value is None or value == "":
        if required:
            raise Rejected(f"{what}（{name}）不能为空")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Rejected(f"{what}（{name}）格式错误：应为字符串")
    result = str(value)
    if len(result) > max_len:
        raise Rejected(f"{what}（{name}）长度超过 {max_len} 位")
    return result


def code(d: Mapping[str, Any], name: str, what: str, allowed: Mapping[str, str] | set[str]) -> str:
    """A required code field whose value must be in ``allowed``."""
    value = text(d, name, what, 30)
    if value not in allowed:
        raise Rejected(f"{what}（{name}）值“{value}”不在代码表中")
    return value


def money(d: Mapping[str, Any], name: str, what: str, *, required: bool = True) -> Decimal | None:
    """A 16,2 amount: JSON number or numeric string, exact to the fen."""
    value = d.get(name)
    if value is None or value == "":
        if required:
            raise Rejected(f"{what}（{name}）不能为空")
        return None
    try:
        return to_money(value, what)
    except MoneyError as exc:
        raise Rejected(f"{what}（{name}）格式错误：{exc.text}") from None


def decimal(d: Mapping[str, Any], name: str, what: str, *, places: int) -> Decimal:
    """A positive price (16,6) or quantity (16,4)."""
    value = d.get(name)
    if value is None or value == "":
        raise Rejected(f"{what}（{name}）不能为空")
    try:
        return parse_decimal(value, what, places=places)
    except MoneyError as exc:
        raise Rejected(f"{what}（{name}）格式错误：{exc.text}") from None


_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def timestamp(
    d: Mapping[str, Any], name: str, what: str, *, required: bool = True
) -> datetime | None:
    """A ``yyyy-MM-dd HH:mm:ss`` field."""
    value = text(d, name, what, 19, required=required)
    if not value:
        return None
    if not _DATETIME.match(value):
        raise Rejected(f"{what}（{name}）格式错误，应为 yyyy-MM-dd HH:mm:ss")
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - platform local time
    except ValueError:
        raise Rejected(f"{what}（{name}）不是有效的日期时间") from None


def day(d: Mapping[str, Any], name: str, what: str, *, required: bool = True) -> date | None:
    """A ``yyyy-MM-dd`` field."""
    value = text(d, name, what, 10, required=required)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Rejected(f"{what}（{name}）格式错误，应为 yyyy-MM-dd") from None


def flag(d: Mapping[str, Any], name: str, what: str, *, required: bool = True) -> str:
    """A ``0``/``1`` flag."""
    value = text(d, name, what, 3, required=required)
    if value and value not in {"0", "1"}:
        raise Rejected(f"{what}（{name}）只能为 0 或 1")
    return value
