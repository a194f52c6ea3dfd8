"""Golden responses (captured from the sandbox by ``golden/capture.py``) and their parse pipelines.

A pipeline takes raw response bytes the way the client receives them and runs the same parsing the
client runs for that transaction, returning the typed result or raising ``wire.ProtocolError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.domain.bill import FeeLine
from app.domain.settlement import SettlementRecord, check_split, check_totals
from app.platform import wire
from app.services.ports.platform import CancellationRecord

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def load(name: str) -> dict[str, Any]:
    """``{"request": …, "response": raw text}`` of one golden file."""
    golden: dict[str, Any] = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return golden


def _uploaded_lines(request: dict[str, Any]) -> tuple[FeeLine, ...]:
    return tuple(
        FeeLine(
            line_no=line["feedetl_sn"],
            hospital_code="H",
            national_code="N",
            name="item",
            unit_price=Decimal(line["amount"]),
            quantity=Decimal(1),
            amount=Decimal(line["amount"]),
        )
        for line in request["lines"]
    )


def pipeline(name: str) -> Callable[[bytes], object]:
    """The client's parsing for the transaction behind golden file ``name``."""
    request = load(name)["request"]

    def output(raw: bytes) -> Any:
        return wire.parse_reply(raw).output

    if name == "voucher":
        return wire.parse_voucher
    if name == "9001":
        return lambda raw: wire.parse_sign_in(output(raw))
    if name == "1101":
        return lambda raw: wire.parse_person(output(raw))
    if name == "5301":
        return lambda raw: wire.parse_qualifications(output(raw))
    if name == "1312":
        return lambda raw: wire.parse_catalogue_page(output(raw))
    if name == "2204":
        lines = _uploaded_lines(request)
        return lambda raw: wire.parse_splits(output(raw), lines)
    total = Decimal(request["total"])
    if name == "2206":
        return lambda raw: wire.parse_preview(
            output(raw), request["psn_no"], request["mdtrt_id"], total
        )
    if name == "2207":
        expected = wire.SettleExpectation(
            msgid=request["msgid"],
            person_no=request["psn_no"],
            visit_id=request["mdtrt_id"],
            total=total,
            med_type="14",
            disease_code="M03900",
            insurance_type="310",
        )
        return lambda raw: wire.parse_settlement(output(raw), expected)
    if name == "2208":
        return lambda raw: wire.parse_cancellation(
            output(raw),
            request["msgid"],
            request["setl_id"],
            request["psn_no"],
            request["mdtrt_id"],
        )
    raise KeyError(name)


GOLDEN_NAMES = ("9001", "1101", "5301", "2204", "2206", "2207", "2208", "1312", "voucher")


def check_result(name: str, result: object) -> None:
    """The oracle for an accepted answer: what it claims must hold."""
    request = load(name)["request"]
    if isinstance(result, SettlementRecord):
        assert check_totals(result.totals) == []
        assert result.msgid == request["msgid"]
        assert result.totals.total == Decimal(request["total"])
    if isinstance(result, CancellationRecord):
        assert check_totals(result.totals, cancellation=True) == []
        assert result.original_settlement_id == request["setl_id"]
    if name == "2204":
        assert isinstance(result, tuple)
        assert [split.line_no for split in result] == [
            line["feedetl_sn"] for line in request["lines"]
        ]
        assert all(check_split(split) == [] for split in result)


class Raw(str):
    """JSON text emitted verbatim (NaN, 1e309, broken fragments)."""

    __slots__ = ()


class Pairs(list[tuple[str, Any]]):
    """An object written as key/value pairs, so a key can appear twice."""


def emit(value: object) -> str:
    """Serialise a possibly hostile tree to JSON text."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if value is None or isinstance(value, bool | int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Pairs):
        return (
            "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{emit(v)}" for k, v in value) + "}"
        )
    if isinstance(value, dict):
        return emit(Pairs(value.items()))
    if isinstance(value, list):
        return "[" + ",".join(emit(item) for item in value) + "]"
    raise TypeError(type(value).__name__)
