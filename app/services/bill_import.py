"""The HIS hand-off: one outpatient visit as JSON, parsed and validated into domain values.

The format is documented in ``docs/bill-format.md``. Parsing is strict and explains every refusal in
plain Chinese naming the line and the field, because the person reading the message is a cashier or
the hospital's IT staff fixing their HIS export. Money is read as ``Decimal`` (JSON numbers are parsed
with ``parse_float=Decimal``; strings are accepted too); a float never appears.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.domain.bill import FeeLine, Tag
from app.domain.money import Numeric
from app.errors import InputError
from app.messages import Message
from app.messages import bill as words

FORMAT_ID = "settlement-window/visit@1"
MAX_LINES = 2000


class BillFormatError(InputError):
    """The visit file is not a valid hand-off (the text names the field and the line)."""

    code = "bill_format"


class IdentityKind(StrEnum):
    """How the HIS identified the patient."""

    CARD_STRING = "card_string"
    VOUCHER = "voucher"
    ID_NUMBER = "id_number"

    @property
    def label(self) -> Message:
        """What staff call it."""
        return _IDENTITY_LABELS[self.value]()


_IDENTITY_LABELS = {
    "card_string": words.IDENTITY_CARD,
    "voucher": words.IDENTITY_VOUCHER,
    "id_number": words.IDENTITY_ID_NUMBER,
}


@dataclass(frozen=True)
class IdentityInput:
    """What identifies the patient: a card-library string, a scanned voucher code or an ID number."""

    kind: IdentityKind
    value: str


@dataclass(frozen=True)
class ImportedVisit:
    """A validated visit as handed over by the HIS, before the platform has been asked anything."""

    identity: IdentityInput
    outpatient_no: str
    dept_code: str
    dept_name: str
    doctor_code: str
    doctor_name: str
    lines: tuple[FeeLine, ...]
    diagnosis_code: str = ""
    diagnosis_name: str = ""
    visit_time: datetime | None = None


def _fail(text: Message, field: str) -> BillFormatError:
    return BillFormatError(text, detail={"field": field})


def _text(
    data: Mapping[str, Any], name: str, where: Message | str, *, required: bool = True
) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _fail(words.FIELD_MISSING(where=where, name=name), name)
        return ""
    if not isinstance(value, str):
        raise _fail(words.FIELD_NOT_TEXT(where=where, name=name), name)
    return value.strip()


def _number(data: Mapping[str, Any], name: str, where: Message) -> Numeric | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _fail(words.FIELD_NOT_NUMBER(where=where, name=name), name)
    return value


def _identity(data: Mapping[str, Any]) -> IdentityInput:
    node = data.get("identity")
    if not isinstance(node, Mapping):
        raise _fail(words.IDENTITY_MISSING(), "identity")
    given = [kind for kind in IdentityKind if node.get(kind.value)]
    if len(given) != 1:
        raise _fail(words.IDENTITY_NOT_ONE(), "identity")
    kind = given[0]
    return IdentityInput(kind, _text(node, kind.value, "identity"))


def _named(data: Mapping[str, Any], name: str, label: Message) -> tuple[str, str]:
    node = data.get(name)
    if not isinstance(node, Mapping):
        raise _fail(words.NAMED_MISSING(name=name, label=label), name)
    where = words.WHERE_NAMED(name=name, label=label)
    return _text(node, "code", where), _text(node, "name", where)


def _time(value: object, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _fail(words.TIME_NOT_TEXT(field=field), field)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(words.TIME_BAD(field=field, value=value[:40]), field) from None
    if moment.tzinfo is None:
        raise _fail(words.TIME_NO_ZONE(field=field), field)
    return moment


def _line(raw: object, index: int) -> FeeLine:
    where = words.WHERE_LINE(index=index)
    if not isinstance(raw, Mapping):
        raise _fail(words.LINE_NOT_OBJECT(where=where), "lines")
    line_no = _text(raw, "line_no", where, required=False) or str(index)
    tag_text = raw.get("tag", "")
    if tag_text is None:
        tag_text = ""
    if not isinstance(tag_text, str):
        raise _fail(words.LINE_TAG_NOT_TEXT(where=where), "tag")
    quantity = _number(raw, "quantity", where)
    unit_price = _number(raw, "unit_price", where)
    if quantity is None or unit_price is None:
        raise _fail(words.LINE_NO_QUANTITY(where=where), "quantity")
    try:
        return FeeLine.create(
            line_no=line_no,
            hospital_code=_text(raw, "hospital_code", where),
            national_code=_text(raw, "national_code", where, required=False),
            name=_text(raw, "name", where, required=False),
            unit_price=unit_price,
            quantity=quantity,
            amount=_number(raw, "amount", where),
            spec=_text(raw, "spec", where, required=False),
            time=_time(raw.get("time"), "time"),
            tag=Tag.parse(tag_text),
        )
    except BillFormatError:
        raise
    except InputError as exc:
        raise _fail(
            words.LINE_REFUSED(where=where, line_no=line_no, reason=exc.words), "lines"
        ) from None


def parse_visit(data: Mapping[str, Any]) -> ImportedVisit:
    """Validate a decoded hand-off document.

    Raises:
        BillFormatError: with a Chinese text naming the field (and line) that is wrong.
    """
    declared = data.get("format", FORMAT_ID)
    if declared != FORMAT_ID:
        raise _fail(words.FORMAT_UNKNOWN(declared=declared, expected=FORMAT_ID), "format")
    lines_raw = data.get("lines")
    if not isinstance(lines_raw, Sequence) or isinstance(lines_raw, str) or not lines_raw:
        raise _fail(words.LINES_MISSING(), "lines")
    if len(lines_raw) > MAX_LINES:
        raise _fail(words.TOO_MANY_LINES(limit=MAX_LINES), "lines")
    dept_code, dept_name = _named(data, "dept", words.DEPT())
    doctor_code, doctor_name = _named(data, "doctor", words.DOCTOR())
    diagnosis = data.get("diagnosis")
    diag_code = diag_name = ""
    if isinstance(diagnosis, Mapping):
        diag_code = _text(diagnosis, "code", "“diagnosis”", required=False)
        diag_name = _text(diagnosis, "name", "“diagnosis”", required=False)
    return ImportedVisit(
        identity=_identity(data),
        outpatient_no=_text(data, "outpatient_no", words.WHERE_FILE()),
        dept_code=dept_code,
        dept_name=dept_name,
        doctor_code=doctor_code,
        doctor_name=doctor_name,
        lines=tuple(_line(raw, i) for i, raw in enumerate(lines_raw, start=1)),
        diagnosis_code=diag_code,
        diagnosis_name=diag_name,
        visit_time=_time(data.get("visit_time"), "visit_time"),
    )


def json_problem(exc: ValueError) -> Message:
    """Where a file stops being JSON, in the staff's words (never the parser's English)."""
    if isinstance(exc, json.JSONDecodeError):
        if not exc.doc.strip():
            return words.JSON_EMPTY()
        return words.JSON_BROKEN_AT(line=exc.lineno, column=exc.colno)
    return words.JSON_UNREADABLE_VALUE()  # e.g. an integer of more than 4,300 digits


def parse_visit_text(text: str) -> ImportedVisit:
    """Parse a hand-off document from JSON text."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise _fail(words.NOT_JSON(error=json_problem(exc)), "(json)") from None
    except RecursionError:
        raise _fail(words.TOO_DEEP(), "(json)") from None
    if not isinstance(data, Mapping):
        raise _fail(words.NOT_OBJECT(), "(json)")
    return parse_visit(data)


def load_visit(path: Path) -> ImportedVisit:
    """Read and parse a hand-off file (UTF-8, optional BOM)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        raise _fail(words.UNREADABLE(path=path), "(file)") from None
    except UnicodeDecodeError:
        raise _fail(words.NOT_UTF8(path=path), "(file)") from None
    return parse_visit_text(text)
