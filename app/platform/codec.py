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
    # dict() keeps the last of equal keys, so fewer keys than pairs means a key came twice.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ProtocolError("duplicate key in the answer")
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
    # all they add (a 200-line answer has thousands of scalars and a few hundred containers). The
    # parser makes plain dicts and lists only; a container's children are looked at one by one
    # only when their types (one C-level pass) include a container.
    if type(value) is not dict and type(value) is not list:
        return 1
    deepest = 1
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if type(item) is dict else item
        if not children:
            continue
        if level + 1 > deepest:
            deepest = level + 1
            if deepest > MAX_DEPTH:
                return deepest
        kinds = set(map(type, children))
        if dict in kinds or list in kinds:
            stack.extend((child, level + 1) for child in children if type(child) in _CONTAINERS)
    return deepest


_CONTAINERS = frozenset({dict, list})


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON; a ``Decimal`` is written as its exact digits, unquoted.

    Decimals are first replaced by marked strings (``"\\u0000`` digits ``\\u0000"`` once encoded)
    so the C encoder does the work, then the marks are taken out (a 200-line 2204 costs about a
    millisecond). Text holding NUL is refused, so an encoded quote followed by an escaped NUL is
    always a mark's start, and the first escaped NUL and quote after it its end (digits hold no
    backslash; a backslash in text is encoded doubled).

    Raises:
        TypeError: a value of another type (a float among them), a non-finite Decimal, or text
            (a key included) holding NUL or a lone surrogate.
    """
    text = json.dumps(_marked(value), ensure_ascii=False, separators=(",", ":"))
    first, *rest = text.split(_MARK_START)
    if rest:
        text = first + "".join([part.replace(_MARK_END, "", 1) for part in rest])
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise TypeError("text holds a lone surrogate (not valid Unicode)") from None


_MARK_START = '"\\u0000'
_MARK_END = '\\u0000"'


def _marked(value: object) -> object:
    # Exact types first (what our requests hold), the general checks after.
    kind = type(value)
    if kind is dict:
        return _marked_dict(value)  # type: ignore[arg-type]
    if kind is list:
        return [_marked(item) for item in value]  # type: ignore[attr-defined]
    if isinstance(value, str):
        if "\x00" in value:
            raise TypeError("text holds NUL")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError("non-finite Decimal")
        return f"\x00{value:f}\x00"
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, list | tuple):
        return [_marked(item) for item in value]
    if isinstance(value, Mapping):
        return _marked_dict(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _marked_dict(value: Mapping[Any, Any]) -> dict[str, object]:
    # A 2204 line is a flat object of text and amounts: those are handled inline, one call per
    # object instead of one per field; anything else goes through _marked. Keys are checked
    # together (one join), turned into text first if any is not.
    try:
        keys = "".join(value)
    except TypeError:
        value = {str(key): item for key, item in value.items()}
        keys = "".join(value)
    if "\x00" in keys:
        raise TypeError("text holds NUL")
    result: dict[str, object] = {}
    for key, item in value.items():
        kind = type(item)
        if kind is str:
            if "\x00" in item:
                raise TypeError("text holds NUL")
            result[key] = item
        elif kind is Decimal:
            if not item.is_finite():
                raise TypeError("non-finite Decimal")
            result[key] = f"\x00{item:f}\x00"
        else:
            result[key] = _marked(item)
    return result


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
