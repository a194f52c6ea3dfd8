"""HIS values as plain JSON-ready dicts: the wire format of every HIS adapter and of the outbox.

Money and quantities travel as strings (``"12.50"``) and are read strictly into ``Decimal``: a float
never appears. Times are ISO 8601 with a zone. Reading refuses anything malformed with
:class:`HisDataError`, whose text names the field in plain Chinese.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.bill import Tag
from app.domain.his import (
    ChargeResult,
    ChargeStatus,
    CurrentCharge,
    HisAck,
    HisChargeLine,
    HisVisit,
    LineMoney,
    ResultKind,
)
from app.messages import Message
from app.messages import his as words

# At most 14 integer digits and 4 decimals, as middle-database specifications state (his.md §6).
_DECIMAL = re.compile(r"^-?\d{1,14}(\.\d{1,4})?$")
_ID = re.compile(r"^[^\x00-\x1f'\"\\;]{1,64}$")


class HisDataError(ValueError):
    """A HIS document or row that cannot be read (the text names the field)."""

    def __init__(self, message: Message | str) -> None:
        super().__init__(str(message))
        self.message = message


def decimal_of(value: object, field: str) -> Decimal:
    """A strict decimal: a string or int matching the pattern, or a ``Decimal``."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise HisDataError(words.NOT_A_NUMBER(field=field))
    text = str(value).strip()
    if not _DECIMAL.match(text):
        raise HisDataError(words.NOT_AN_AMOUNT(field=field, text=text[:20]))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise HisDataError(words.NOT_VALID_NUMBER(field=field, text=text[:20])) from None


def money_of(value: object, field: str) -> Decimal:
    """A decimal with at most two places (an amount)."""
    amount = decimal_of(value, field)
    if amount != amount.quantize(Decimal("0.01")):
        raise HisDataError(words.TWO_PLACES(field=field, amount=amount))
    return amount.quantize(Decimal("0.01"))


def text_of(data: Mapping[str, Any], field: str, *, required: bool = True) -> str:
    """A text field, trimmed (CHAR columns are padded)."""
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise HisDataError(words.MISSING(field=field))
        return ""
    if not isinstance(value, str | int):
        raise HisDataError(words.NOT_TEXT(field=field))
    return str(value).strip()


def id_of(data: Mapping[str, Any], field: str) -> str:
    """An identifier: no quotes, semicolons or control characters (ids are passed, never text)."""
    value = text_of(data, field)
    if not _ID.match(value):
        raise HisDataError(words.BAD_ID(field=field, value=value[:20]))
    return value


def time_of(value: object, field: str) -> datetime | None:
    """ISO 8601 with a zone, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise HisDataError(words.BAD_TIME(field=field, value=value[:30])) from None
    else:
        raise HisDataError(words.TIME_NOT_TEXT(field=field))
    if moment.tzinfo is None:
        raise HisDataError(words.TIME_NO_ZONE(field=field))
    return moment


# ---------------------------------------------------------------------- charge lines and visits
def line_to_dict(line: HisChargeLine) -> dict[str, Any]:
    """A charge line as JSON-ready data."""
    return {
        "charge_id": line.charge_id,
        "bill_no": line.bill_no,
        "item_code": line.item_code,
        "national_code": line.national_code,
        "name": line.name,
        "spec": line.spec,
        "unit_price": str(line.unit_price),
        "quantity": str(line.quantity),
        "amount": str(line.amount),
        "tag": "" if str(line.tag) == "untagged" else str(line.tag),
        "version": line.version,
    }


def line_from_dict(data: Mapping[str, Any]) -> HisChargeLine:
    """A charge line from JSON-ready data (strict)."""
    charge_id = id_of(data, "charge_id")
    try:
        tag_text = text_of(data, "tag", required=False)
        return HisChargeLine(
            charge_id=charge_id,
            bill_no=id_of(data, "bill_no"),
            item_code=id_of(data, "item_code"),
            national_code=text_of(data, "national_code", required=False),
            name=text_of(data, "name"),
            spec=text_of(data, "spec", required=False),
            unit_price=decimal_of(data.get("unit_price"), "unit_price"),
            quantity=decimal_of(data.get("quantity"), "quantity"),
            amount=money_of(data.get("amount"), "amount"),
            tag=Tag.parse(tag_text),
            version=text_of(data, "version", required=False),
        )
    except HisDataError as exc:
        raise HisDataError(words.IN_LINE(charge_id=charge_id, reason=exc.message)) from None


def visit_to_dict(visit: HisVisit) -> dict[str, Any]:
    """A visit as JSON-ready data."""
    return {
        "visit_no": visit.visit_no,
        "patient_id": visit.patient_id,
        "id_number": visit.id_number,
        "patient_name": visit.patient_name,
        "dept": {"code": visit.dept_code, "name": visit.dept_name},
        "doctor": {"code": visit.doctor_code, "name": visit.doctor_name},
        "diagnosis": {"code": visit.diagnosis_code, "name": visit.diagnosis_name},
        "visit_time": visit.visit_time.isoformat() if visit.visit_time else "",
        "lines": [line_to_dict(line) for line in visit.lines],
    }


def _named(data: Mapping[str, Any], field: str) -> tuple[str, str]:
    node = data.get(field) or {}
    if not isinstance(node, Mapping):
        raise HisDataError(words.NOT_NAMED_OBJECT(field=field))
    return text_of(node, "code", required=False), text_of(node, "name", required=False)


def visit_from_dict(data: Mapping[str, Any]) -> HisVisit:
    """A visit from JSON-ready data (strict); every line's amount must be price × quantity."""
    visit_no = id_of(data, "visit_no")
    lines_raw = data.get("lines")
    if not isinstance(lines_raw, list) or not lines_raw:
        raise HisDataError(words.VISIT_NO_LINES(visit_no=visit_no))
    dept = _named(data, "dept")
    doctor = _named(data, "doctor")
    diagnosis = _named(data, "diagnosis")
    lines = tuple(line_from_dict(raw) for raw in lines_raw if isinstance(raw, Mapping))
    if len(lines) != len(lines_raw):
        raise HisDataError(words.VISIT_LINES_NOT_OBJECTS(visit_no=visit_no))
    return HisVisit(
        visit_no=visit_no,
        patient_id=text_of(data, "patient_id", required=False),
        id_number=text_of(data, "id_number", required=False),
        patient_name=text_of(data, "patient_name", required=False),
        dept_code=dept[0],
        dept_name=dept[1],
        doctor_code=doctor[0],
        doctor_name=doctor[1],
        diagnosis_code=diagnosis[0],
        diagnosis_name=diagnosis[1],
        visit_time=time_of(data.get("visit_time"), "visit_time"),
        lines=lines,
    )


def current_to_dict(current: CurrentCharge) -> dict[str, Any]:
    """A charge's present state as JSON-ready data."""
    return {
        "charge_id": current.charge_id,
        "status": current.status.value,
        "line": line_to_dict(current.line) if current.line else None,
    }


def current_from_dict(data: Mapping[str, Any]) -> CurrentCharge:
    """A charge's present state from JSON-ready data."""
    status_text = text_of(data, "status")
    try:
        status = ChargeStatus(status_text)
    except ValueError:
        raise HisDataError(words.UNKNOWN_STATUS(status=status_text)) from None
    line = data.get("line")
    return CurrentCharge(
        charge_id=id_of(data, "charge_id"),
        status=status,
        line=line_from_dict(line) if isinstance(line, Mapping) else None,
    )


# ---------------------------------------------------------------------- results
def result_to_dict(result: ChargeResult) -> dict[str, Any]:
    """A result as JSON-ready data (the body of a report)."""
    money = result.money
    return {
        "key": result.key,
        "kind": result.kind.value,
        "charge_id": result.charge_id,
        "visit_no": result.visit_no,
        "setl_id": result.setl_id,
        "orig_setl_id": result.orig_setl_id,
        "receipt_no": result.receipt_no,
        "fee_category": result.fee_category,
        "fee_category_name": result.fee_category_name,
        "disease_code": result.disease_code,
        "amount": str(money.amount),
        "fund": str(money.fund),
        "account": str(money.account),
        "cash": str(money.cash),
        "hospital": str(money.hospital),
        "occurred_at": result.occurred_at.isoformat(),
        "operator": result.operator_code,
        "window": result.window,
    }


def result_from_dict(data: Mapping[str, Any]) -> ChargeResult:
    """A result from JSON-ready data (strict; the parts must add up to the amount)."""
    kind_text = text_of(data, "kind")
    try:
        kind = ResultKind(kind_text)
    except ValueError:
        raise HisDataError(words.UNKNOWN_KIND(kind=kind_text)) from None
    money = LineMoney(
        amount=money_of(data.get("amount"), "amount"),
        fund=money_of(data.get("fund"), "fund"),
        account=money_of(data.get("account"), "account"),
        cash=money_of(data.get("cash"), "cash"),
        hospital=money_of(data.get("hospital", "0"), "hospital"),
    )
    if money.fund + money.account + money.cash + money.hospital != money.amount:
        raise HisDataError(words.PARTS_NOT_AMOUNT())
    occurred = time_of(data.get("occurred_at"), "occurred_at")
    if occurred is None:
        raise HisDataError(words.MISSING(field="occurred_at"))
    return ChargeResult(
        key=text_of(data, "key"),
        kind=kind,
        charge_id=id_of(data, "charge_id"),
        visit_no=text_of(data, "visit_no", required=False),
        setl_id=id_of(data, "setl_id"),
        orig_setl_id=text_of(data, "orig_setl_id", required=False),
        receipt_no=text_of(data, "receipt_no", required=False),
        fee_category=text_of(data, "fee_category"),
        fee_category_name=text_of(data, "fee_category_name", required=False),
        disease_code=text_of(data, "disease_code", required=False),
        money=money,
        occurred_at=occurred,
        operator_code=text_of(data, "operator", required=False),
        window=text_of(data, "window", required=False),
    )


def ack_to_dict(ack: HisAck) -> dict[str, Any]:
    """An acknowledgement as JSON-ready data."""
    return {"key": ack.key, "his_ref": ack.his_ref, "duplicate": ack.duplicate}


def ack_from_dict(data: Mapping[str, Any]) -> HisAck:
    """An acknowledgement from JSON-ready data."""
    return HisAck(
        key=text_of(data, "key"),
        his_ref=text_of(data, "his_ref", required=False),
        duplicate=bool(data.get("duplicate", False)),
    )


_SAFE_FILE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$")


def lock_file_name(charge_id: str) -> str:
    """The folder contract's lock file for a charge line (``lock/<charge id>.lock``; a hash of the
    id when it is not a safe file name)."""
    if _SAFE_FILE.match(charge_id):
        return charge_id + ".lock"
    return "h-" + hashlib.sha256(charge_id.encode("utf-8")).hexdigest()[:40] + ".lock"
