"""JSON text with exact decimals: amounts are written as JSON numbers without passing through float."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any


class JsonSyntaxError(ValueError):
    """The body is not JSON the sandbox accepts (bad syntax, NaN or Infinity)."""


def _refuse_constant(name: str) -> Any:
    raise JsonSyntaxError(f"报文中含有非法数值 {name}")


def loads(text: str) -> Any:
    """Parse JSON reading every number with a fraction as Decimal; NaN/Infinity are refused."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(f"报文不是合法的 JSON：{exc.msg}（第 {exc.pos} 个字符）") from None


def dumps(value: object) -> str:
    """Serialise to compact JSON text; a Decimal is written as its exact digits, unquoted."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: object, out: list[str]) -> None:
    if value is None or isinstance(value, bool | int | str | float):
        # floats only ever appear in fault-plan parameters (seconds), never in money
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        out.append(_decimal_text(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot serialise {type(value).__name__}")


def _decimal_text(value: Decimal) -> str:
    if value.is_nan():
        return "NaN"  # only ever produced on purpose by the hostile-values fault
    if value.is_infinite():
        return "Infinity" if value > 0 else "-Infinity"
    return format(value, "f")
