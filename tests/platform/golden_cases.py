"""Golden responses (captured from the sandbox by ``golden/capture.py``) and their parse pipelines.

A pipeline takes raw response bytes the way the client receives them and runs the same parsing the
client runs for that transaction, returning the typed result or raising ``ProtocolError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.domain.bill import FeeLine
from app.domain.money import FEN
from app.domain.person import InsuredPerson, Qualification
from app.domain.settlement import (
    SettlementRecord,
    SettlementTotals,
    check_balance,
    check_details,
    check_split,
)
from app.platform.catalogue import parse_catalogue_page
from app.platform.codec import parse_reply, sanitise
from app.platform.envelope import CHINA_TIME
from app.platform.person import parse_person, parse_qualifications
from app.platform.session import parse_sign_in
from app.platform.settle import (
    SettleExpectation,
    parse_cancellation,
    parse_preview,
    parse_settlement,
)
from app.platform.visit import parse_splits
from app.platform.voucher import VoucherRefusal, parse_voucher
from app.services.ports.platform import CancellationRecord, CataloguePage, VoucherIdentity

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
ANSWERED_AT = datetime(2026, 11, 23, 12, 3, 31, tzinfo=CHINA_TIME)


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
        return parse_reply(raw).output

    if name == "voucher":
        return parse_voucher
    if name == "9001":
        return lambda raw: parse_sign_in(output(raw))
    if name == "1101":
        return lambda raw: parse_person(output(raw))
    if name == "5301":
        return lambda raw: parse_qualifications(output(raw))
    if name == "1312":
        return lambda raw: parse_catalogue_page(output(raw))
    if name == "2204":
        lines = _uploaded_lines(request)
        return lambda raw: parse_splits(output(raw), lines)
    total = Decimal(request["total"])
    if name == "2206":
        return lambda raw: parse_preview(output(raw), request["psn_no"], request["mdtrt_id"], total)
    if name == "2207":
        expected = SettleExpectation(
            msgid=request["msgid"],
            person_no=request["psn_no"],
            visit_id=request["mdtrt_id"],
            total=total,
            med_type="14",
            disease_code="M03900",
            insurance_type="310",
        )
        return lambda raw: parse_settlement(output(raw), expected, answered_at=ANSWERED_AT)
    if name == "2208":
        return lambda raw: parse_cancellation(
            output(raw),
            request["msgid"],
            request["setl_id"],
            request["psn_no"],
            request["mdtrt_id"],
            answered_at=ANSWERED_AT,
        )
    raise KeyError(name)


GOLDEN_NAMES = ("9001", "1101", "5301", "2204", "2206", "2207", "2208", "1312", "voucher")


def check_result(name: str, result: object) -> None:
    """The oracle for an accepted answer: the typed result of that transaction, whose claims hold.

    Every transaction asserts its type and the invariants its callers rely on; a parser that
    returned the wrong thing, or let a broken value through, fails here.
    """
    request = load(name)["request"]
    CHECKS[name](request, result)


def _plain(value: str, limit: int) -> bool:
    return 0 < len(value) <= limit and value == sanitise(value, limit)


def _amount(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and value == value.quantize(FEN)


def _check_sign_in(request: dict[str, Any], result: object) -> None:
    assert isinstance(result, str)
    assert _plain(result, 30)


def _check_person(request: dict[str, Any], result: object) -> None:
    assert isinstance(result, InsuredPerson)
    assert _plain(result.person_no, 30)
    assert _plain(result.name, 50)
    assert result.birth_date is None or isinstance(result.birth_date, date)
    for entry in result.insurances:
        assert len(entry.insured_admdvs) == 6
        assert entry.insured_admdvs.isdigit()
        assert _plain(entry.insurance_type, 6)
        assert _amount(entry.balance)


def _check_qualifications(request: dict[str, Any], result: object) -> None:
    assert isinstance(result, tuple)
    for qualification in result:
        assert isinstance(qualification, Qualification)
        assert _plain(qualification.code, 30)
        assert isinstance(qualification.valid_from, date)
        assert qualification.valid_to is None or qualification.valid_to >= qualification.valid_from


def _check_catalogue_page(request: dict[str, Any], result: object) -> None:
    assert isinstance(result, CataloguePage)
    assert isinstance(result.total_pages, int)
    assert result.total_pages >= 0
    for row in result.rows:
        assert row["hilist_code"]
        assert all(isinstance(cell, str) for cell in row.values())


def _check_voucher(request: dict[str, Any], result: object) -> None:
    if isinstance(result, VoucherRefusal):
        assert result.code != "0"
        return
    assert isinstance(result, VoucherIdentity)
    assert _plain(result.ec_token, 100)
    assert result.insured_admdvs == "" or (
        len(result.insured_admdvs) == 6 and result.insured_admdvs.isdigit()
    )


def _check_splits(request: dict[str, Any], result: object) -> None:
    assert isinstance(result, tuple)
    assert [split.line_no for split in result] == [line["feedetl_sn"] for line in request["lines"]]
    assert [split.amount for split in result] == [
        Decimal(line["amount"]) for line in request["lines"]
    ]
    assert all(check_split(split) == [] for split in result)


def _check_totals(request: dict[str, Any], totals: object, *, cancellation: bool) -> None:
    """Balanced to the fen with the right signs; every broken detail is listed in ``unread``."""
    assert isinstance(totals, SettlementTotals)
    assert check_balance(totals, cancellation=cancellation) == []
    sign = -1 if cancellation else 1
    assert totals.total == sign * Decimal(request["total"])
    assert all(_amount(amount) for amount in (totals.fund, totals.account, totals.cash))
    assert set(check_details(totals, cancellation=cancellation)) <= set(totals.unread)


def _check_preview(request: dict[str, Any], result: object) -> None:
    _check_totals(request, result, cancellation=False)


def _check_settlement(request: dict[str, Any], result: object) -> None:
    assert isinstance(result, SettlementRecord)
    _check_totals(request, result.totals, cancellation=False)
    assert result.msgid == request["msgid"]
    assert result.visit_id == request["mdtrt_id"]
    assert _plain(result.settlement_id, 30)
    assert result.settled_at.tzinfo is not None


def _check_cancellation(request: dict[str, Any], result: object) -> None:
    assert isinstance(result, CancellationRecord)
    _check_totals(request, result.totals, cancellation=True)
    assert result.msgid == request["msgid"]
    assert result.original_settlement_id == request["setl_id"]
    assert _plain(result.settlement_id, 30)
    assert result.settlement_id != request["setl_id"]
    assert result.cancelled_at.tzinfo is not None


CHECKS: dict[str, Callable[[dict[str, Any], object], None]] = {
    "9001": _check_sign_in,
    "1101": _check_person,
    "5301": _check_qualifications,
    "1312": _check_catalogue_page,
    "voucher": _check_voucher,
    "2204": _check_splits,
    "2206": _check_preview,
    "2207": _check_settlement,
    "2208": _check_cancellation,
}


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
