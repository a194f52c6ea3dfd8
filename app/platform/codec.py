"""The JSON codec of the wire and the response envelope: parse, don't trust.

Bodies are parsed from the raw text with ``parse_float=Decimal`` (never through binary float);
``NaN``/``Infinity``, duplicate keys and absurd nesting are refused. Whatever does not fit raises
:class:`ProtocolError`, whose ``reason`` is short English for logs and never contains personal data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_DEPTH = 32

MAX_ERR_MSG = 300

_INFCODE = re.compile(r"-?[0-9]{1,6}")

CONTROL_CHARACTERS = {c: None for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}


class ProtocolError(Exception):
    """The answer is not a valid answer to our request."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse_constant(name: str) -> Any:
    raise ProtocolError(f"non-finite number {name} in the answer")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ProtocolError("duplicate key in the answer")
        result[key] = value
    return result


def loads(raw: bytes | str) -> Any:
    """Parse JSON with exact decimals; refuse NaN/Infinity, duplicate keys and deep nesting.

    Raises:
        ProtocolError: not UTF-8, not JSON, or one of the refused constructs.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise ProtocolError("answer is not UTF-8") from None
    try:
        value = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError:
        raise ProtocolError("answer is not JSON") from None
    except (RecursionError, ValueError):
        raise ProtocolError("answer nests too deeply or holds an oversized number") from None
    if _depth(value) > MAX_DEPTH:
        raise ProtocolError("answer nests too deeply")
    return value


def _depth(value: object) -> int:
    # Only containers are walked: a non-empty container's scalars sit one level below it, which is
    # all they add (a 200-line answer has thousands of scalars and a few hundred containers).
    deepest = 1
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = _children(item)
        if not children:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _children(item: object) -> list[object]:
    if isinstance(item, dict):
        return list(item.values())
    if isinstance(item, list):
        return item
    return []


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON; a ``Decimal`` is written as its exact digits, unquoted.

    Decimals are first replaced by marked strings so the C encoder does the work, then the marks
    are turned back into bare numbers (a 200-line 2204 costs about a millisecond).

    Raises:
        TypeError: a value of another type, a non-finite Decimal, or text holding NUL or a lone
            surrogate.
    """
    text = json.dumps(_marked(value), ensure_ascii=False, separators=(",", ":"))
    try:
        return _MARKED_NUMBER.sub(r"\1", text).encode("utf-8")
    except UnicodeEncodeError:
        raise TypeError("text holds a lone surrogate (not valid Unicode)") from None


_MARKED_NUMBER = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?)\\u0000"')


def _marked(value: object) -> object:
    # Ordered by frequency in our requests: text, then amounts, then containers.
    if isinstance(value, str):
        if "\x00" in value:
            raise TypeError("text holds NUL")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError("non-finite Decimal")
        return f"\x00{value:f}\x00"
    if isinstance(value, dict):
        return {str(key): _marked(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, list | tuple):
        return [_marked(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _marked(item) for key, item in value.items()}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def sanitise(text: str, limit: int = MAX_ERR_MSG) -> str:
    """Platform text made safe to log and quote: control characters removed, length capped."""
    cleaned = text.translate(CONTROL_CHARACTERS).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


@dataclass(frozen=True)
class Reply:
    """A parsed response envelope (B §1.2)."""

    infcode: int
    err_msg: str
    output: Mapping[str, Any]
    warn_msg: str = ""
    infno: str = ""


def parse_reply(raw: bytes) -> Reply:
    """The response envelope: ``infcode`` (number or string), ``err_msg``, ``output``.

    Raises:
        ProtocolError: not an envelope.
    """
    body = loads(raw)
    if not isinstance(body, dict):
        raise ProtocolError("answer is not a JSON object")
    if "infcode" not in body:
        raise ProtocolError("answer has no infcode")
    infcode = integer_code(body["infcode"])
    err_msg = body.get("err_msg")
    warn_msg = body.get("warn_msg")
    if err_msg is not None and not isinstance(err_msg, str):
        raise ProtocolError("err_msg is not text")
    if warn_msg is not None and not isinstance(warn_msg, str):
        raise ProtocolError("warn_msg is not text")
    output = body.get("output")
    if output is None:
        output = {}
    if not isinstance(output, dict):
        raise ProtocolError("output is not an object")
    echoed = body.get("infno")
    return Reply(
        infcode=infcode,
        err_msg=sanitise(err_msg or ""),
        output=output,
        warn_msg=sanitise(warn_msg or ""),
        infno=echoed if isinstance(echoed, str) else "",
    )


def integer_code(value: object) -> int:
    if isinstance(value, bool):
        raise ProtocolError("infcode is a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and _INFCODE.fullmatch(value):
        return int(value)
    raise ProtocolError("infcode is not an integer")
