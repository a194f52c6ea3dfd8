"""JSON forms of domain values kept as one column (cached persons, preview totals, group records).

Money and ratios are written as decimal strings and read back with ``Decimal`` — never through float.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.domain.person import (
    Gender,
    InsuranceEntry,
    InsuranceStatus,
    InsuredPerson,
    Qualification,
)
from app.domain.settlement import FundPayment, LineSplit, SettlementRecord, SettlementTotals


def dumps(value: Any) -> str:
    """Compact, key-sorted JSON."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text: str) -> Any:
    """JSON with decimals kept exact."""
    return json.loads(text, parse_float=Decimal)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _req_dec(value: str) -> Decimal:
    return Decimal(value)


def person_to_json(person: InsuredPerson) -> str:
    """An :class:`InsuredPerson` with insurance rows and qualifications."""
    return dumps(
        {
            "person_no": person.person_no,
            "name": person.name,
            "id_number": person.id_number,
            "gender": person.gender.value,
            "birth_date": None if person.birth_date is None else person.birth_date.isoformat(),
            "cert_type": person.cert_type,
            "insurances": [
                {
                    "insurance_type": row.insurance_type,
                    "status": row.status.value,
                    "insured_admdvs": row.insured_admdvs,
                    "balance": str(row.balance),
                    "person_type": row.person_type,
                    "employer": row.employer,
                }
                for row in person.insurances
            ],
            "qualifications": [
                {
                    "code": q.code,
                    "name": q.name,
                    "valid_from": q.valid_from.isoformat(),
                    "valid_to": None if q.valid_to is None else q.valid_to.isoformat(),
                }
                for q in person.qualifications
            ],
        }
    )


def person_from_json(text: str) -> InsuredPerson:
    """Inverse of :func:`person_to_json`."""
    data = loads(text)
    birth = data["birth_date"]
    return InsuredPerson(
        person_no=data["person_no"],
        name=data["name"],
        id_number=data["id_number"],
        gender=Gender(data["gender"]),
        birth_date=None if birth is None else date.fromisoformat(birth),
        cert_type=data["cert_type"],
        insurances=tuple(
            InsuranceEntry(
                insurance_type=row["insurance_type"],
                status=InsuranceStatus.from_code(row["status"]),
                insured_admdvs=row["insured_admdvs"],
                balance=Decimal(row["balance"]),
                person_type=row["person_type"],
                employer=row["employer"],
            )
            for row in data["insurances"]
        ),
        qualifications=tuple(
            Qualification(
                code=q["code"],
                name=q["name"],
                valid_from=date.fromisoformat(q["valid_from"]),
                valid_to=None if q["valid_to"] is None else date.fromisoformat(q["valid_to"]),
            )
            for q in data["qualifications"]
        ),
    )


_TOTAL_FIELDS = (
    "total", "full_self_pay", "over_limit", "first_self_pay", "in_scope", "deductible", "fund",
    "account", "cash", "hospital",
)  # fmt: skip


def totals_to_dict(totals: SettlementTotals) -> dict[str, Any]:
    """Totals as a JSON-able dict."""
    data: dict[str, Any] = {name: str(getattr(totals, name)) for name in _TOTAL_FIELDS}
    data["pool_ratio"] = _dec(totals.pool_ratio)
    data["balance_after"] = _dec(totals.balance_after)
    data["funds"] = [[f.fund_type, str(f.amount), f.name] for f in totals.funds]
    if totals.unread:  # only when there is something, so existing rows stay byte-identical
        data["unread"] = list(totals.unread)
    return data


def totals_from_dict(data: dict[str, Any]) -> SettlementTotals:
    """Inverse of :func:`totals_to_dict`."""
    amounts = {name: _req_dec(data[name]) for name in _TOTAL_FIELDS}
    totals = SettlementTotals(
        **amounts,  # type: ignore[arg-type]  # the Decimal fields only, by _TOTAL_FIELDS
        pool_ratio=_undec(data["pool_ratio"]),
        balance_after=_undec(data["balance_after"]),
        funds=tuple(FundPayment(f[0], Decimal(f[1]), f[2]) for f in data["funds"]),
    )
    return replace(totals, unread=tuple(data.get("unread", ())))


def totals_to_json(totals: SettlementTotals) -> str:
    """Totals as JSON text."""
    return dumps(totals_to_dict(totals))


def totals_from_json(text: str) -> SettlementTotals:
    """Inverse of :func:`totals_to_json`."""
    return totals_from_dict(loads(text))


def split_to_list(split: LineSplit) -> list[Any]:
    """A line split as a JSON-able list."""
    return [
        split.line_no, str(split.amount), str(split.full_self_pay), str(split.over_limit),
        str(split.first_self_pay), str(split.in_scope), str(split.self_pay_ratio), split.item_class,
        split.restricted, split.note,
    ]  # fmt: skip


def split_from_list(row: list[Any]) -> LineSplit:
    """Inverse of :func:`split_to_list`."""
    return LineSplit(
        line_no=row[0],
        amount=Decimal(row[1]),
        full_self_pay=Decimal(row[2]),
        over_limit=Decimal(row[3]),
        first_self_pay=Decimal(row[4]),
        in_scope=Decimal(row[5]),
        self_pay_ratio=Decimal(row[6]),
        item_class=row[7],
        restricted=bool(row[8]),
        note=row[9],
    )


def splits_to_json(splits: Sequence[LineSplit]) -> str:
    """Line splits as JSON text (a list of :func:`split_to_list`)."""
    return dumps([split_to_list(s) for s in splits])


def record_to_json(record: SettlementRecord, splits_json: str | None = None) -> str:
    """A settlement record (totals, splits, identities) as JSON text.

    ``splits_json``, when given, is :func:`splits_to_json` of ``record.splits`` already made (a
    group's 2204 split, encoded when it was stored): it is placed as it is, and the text is the
    same as without it.
    """
    data: dict[str, Any] = {
        "settlement_id": record.settlement_id,
        "visit_id": record.visit_id,
        "msgid": record.msgid,
        "med_type": record.med_type,
        "disease_code": record.disease_code,
        "insurance_type": record.insurance_type,
        "settled_at": record.settled_at.isoformat(),
        "totals": totals_to_dict(record.totals),
        "clearing": [record.clearing_agency, record.clearing_way, record.clearing_type],
    }
    if splits_json is None:
        data["splits"] = [split_to_list(s) for s in record.splits]
        return dumps(data)
    return _dumps_with(data, "splits", splits_json)


def _dumps_with(data: dict[str, Any], key: str, text: str) -> str:
    """:func:`dumps` of ``data`` with ``key`` holding the JSON ``text`` (placed where the sorted
    keys put it, with the same separators)."""
    before = dumps({k: v for k, v in data.items() if k < key})
    after = dumps({k: v for k, v in data.items() if k > key})
    middle = f"{json.dumps(key, ensure_ascii=False)}:{text}"
    head = before[:-1] + "," if len(before) > 2 else "{"
    tail = "," + after[1:] if len(after) > 2 else "}"
    return head + middle + tail


def record_from_json(text: str) -> SettlementRecord:
    """Inverse of :func:`record_to_json`."""
    data = loads(text)
    agency, way, kind = data["clearing"]
    return SettlementRecord(
        settlement_id=data["settlement_id"],
        visit_id=data["visit_id"],
        msgid=data["msgid"],
        med_type=data["med_type"],
        disease_code=data["disease_code"],
        insurance_type=data["insurance_type"],
        settled_at=datetime.fromisoformat(data["settled_at"]),
        totals=totals_from_dict(data["totals"]),
        splits=tuple(split_from_list(s) for s in data["splits"]),
        clearing_agency=agency,
        clearing_way=way,
        clearing_type=kind,
    )
