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
    def label(self) -> str:
        """Chinese name."""
        return {"card_string": "社保卡", "voucher": "医保电子凭证", "id_number": "身份证号"}[
            self.value
        ]


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


def _fail(text: str, field: str) -> BillFormatError:
    return BillFormatError(text, detail={"field": field})


def _text(data: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _fail(f"{where}缺少“{name}”。", name)
        return ""
    if not isinstance(value, str):
        raise _fail(f"{where}的“{name}”应为文字（加引号）。", name)
    return value.strip()


def _number(data: Mapping[str, Any], name: str, where: str) -> Numeric | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _fail(f"{where}的“{name}”应为数字，如 12.50。", name)
    return value


def _identity(data: Mapping[str, Any]) -> IdentityInput:
    node = data.get("identity")
    if not isinstance(node, Mapping):
        raise _fail(
            "缺少“identity”（患者身份）：应给出 card_string、voucher 或 id_number 之一。",
            "identity",
        )
    given = [kind for kind in IdentityKind if node.get(kind.value)]
    if len(given) != 1:
        raise _fail(
            "“identity”中应只给出 card_string（社保卡读卡串）、voucher（电子凭证码）"
            "或 id_number（身份证号）之一。",
            "identity",
        )
    kind = given[0]
    return IdentityInput(kind, _text(node, kind.value, "identity"))


def _named(data: Mapping[str, Any], name: str, label: str) -> tuple[str, str]:
    node = data.get(name)
    if not isinstance(node, Mapping):
        raise _fail(f"缺少“{name}”（{label}），应为含 code 和 name 的对象。", name)
    where = f"“{name}”（{label}）"
    return _text(node, "code", where), _text(node, "name", where)


def _time(value: object, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _fail(f"“{field}”应为 ISO 8601 时间文字，如 2026-11-23T09:30:00+08:00。", field)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(f"“{field}”时间格式不对：{value[:40]}。", field) from None
    if moment.tzinfo is None:
        raise _fail(f"“{field}”须带时区，如 2026-11-23T09:30:00+08:00。", field)
    return moment


def _line(raw: object, index: int) -> FeeLine:
    where = f"第 {index} 行费用明细"
    if not isinstance(raw, Mapping):
        raise _fail(f"{where}应为一个对象。", "lines")
    line_no = _text(raw, "line_no", where, required=False) or str(index)
    tag_text = raw.get("tag", "")
    if tag_text is None:
        tag_text = ""
    if not isinstance(tag_text, str):
        raise _fail(f"{where}的“tag”应为 general、病种编码或留空。", "tag")
    quantity = _number(raw, "quantity", where)
    unit_price = _number(raw, "unit_price", where)
    if quantity is None or unit_price is None:
        raise _fail(f"{where}缺少数量（quantity）或单价（unit_price）。", "quantity")
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
        raise _fail(f"{where}（流水号 {line_no}）：{exc.text}", "lines") from None


def parse_visit(data: Mapping[str, Any]) -> ImportedVisit:
    """Validate a decoded hand-off document.

    Raises:
        BillFormatError: with a Chinese text naming the field (and line) that is wrong.
    """
    declared = data.get("format", FORMAT_ID)
    if declared != FORMAT_ID:
        raise _fail(f"不支持的文件格式“{declared}”，应为 {FORMAT_ID}。", "format")
    lines_raw = data.get("lines")
    if not isinstance(lines_raw, Sequence) or isinstance(lines_raw, str) or not lines_raw:
        raise _fail("缺少费用明细“lines”，或明细为空。", "lines")
    if len(lines_raw) > MAX_LINES:
        raise _fail(f"费用明细超过 {MAX_LINES} 行，请分单后再导入。", "lines")
    dept_code, dept_name = _named(data, "dept", "科室")
    doctor_code, doctor_name = _named(data, "doctor", "医生")
    diagnosis = data.get("diagnosis")
    diag_code = diag_name = ""
    if isinstance(diagnosis, Mapping):
        diag_code = _text(diagnosis, "code", "“diagnosis”", required=False)
        diag_name = _text(diagnosis, "name", "“diagnosis”", required=False)
    return ImportedVisit(
        identity=_identity(data),
        outpatient_no=_text(data, "outpatient_no", "文件"),
        dept_code=dept_code,
        dept_name=dept_name,
        doctor_code=doctor_code,
        doctor_name=doctor_name,
        lines=tuple(_line(raw, i) for i, raw in enumerate(lines_raw, start=1)),
        diagnosis_code=diag_code,
        diagnosis_name=diag_name,
        visit_time=_time(data.get("visit_time"), "visit_time"),
    )


def parse_visit_text(text: str) -> ImportedVisit:
    """Parse a hand-off document from JSON text."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise _fail(f"文件不是有效的 JSON：{exc}。请检查逗号、引号和括号。", "(json)") from None
    except RecursionError:
        raise _fail(
            "文件中的 JSON 嵌套层数过多，不是账单格式（见 docs/bill-format.md），请检查文件。",
            "(json)",
        ) from None
    if not isinstance(data, Mapping):
        raise _fail("文件内容应为一个 JSON 对象。", "(json)")
    return parse_visit(data)


def load_visit(path: Path) -> ImportedVisit:
    """Read and parse a hand-off file (UTF-8, optional BOM)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        raise _fail(f"无法读取账单文件 {path}，请检查路径和权限。", "(file)") from None
    except UnicodeDecodeError:
        raise _fail(f"账单文件 {path} 不是 UTF-8 编码。", "(file)") from None
    return parse_visit_text(text)
