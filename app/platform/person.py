"""1101 person information and 5301 chronic/special-disease qualifications (B §2.2, §2.3)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from app.domain.money import ZERO
from app.domain.person import Gender, InsuranceEntry, InsuranceStatus, InsuredPerson, Qualification
from app.domain.visit import Credential, CredentialKind
from app.platform.codec import ProtocolError
from app.platform.fields import day, money, node, rows, text, tolerant
from app.platform.session import PlatformSession
from app.services.ports.platform import CallContext

log = logging.getLogger(__name__)


def query_person(
    session: PlatformSession, ctx: CallContext, credential: Credential
) -> InsuredPerson:
    """1101 (signs in first when needed). Qualifications are left empty; see 5301."""
    data = _credential_input(credential)
    return session.read(
        ctx.operator,
        ctx.insured_admdvs,
        "1101",
        lambda: {"data": data},
        lambda r: parse_person(r.output),
    )


def _credential_input(credential: Credential) -> dict[str, str]:
    by_id = credential.kind is CredentialKind.ID_NUMBER
    certno = credential.number if by_id else credential.id_number
    return {
        "mdtrt_cert_type": credential.kind.value,
        "mdtrt_cert_no": credential.number,
        "card_sn": credential.card_sn,
        "begntime": "",
        "psn_cert_type": "01" if certno else "",
        "certno": certno,
        "psn_name": credential.name,
    }


def parse_person(output: Mapping[str, Any]) -> InsuredPerson:
    """1101 → the person with every insurance row (suspended rows kept with their status).

    Only the person number, the name and each row's insurance type and insured place are required;
    a malformed optional field (a birth date with a time, a stray gender code…) is read as absent
    and logged, never a failed identification (interface.md A §10).
    """
    base = node(output, "baseinfo")
    unread: list[str] = []
    gender = tolerant(unread, lambda: text(base, "gend", 1, required=False), "")
    insurances = tuple(_insurance(row, unread) for row in rows(output, "insuinfo"))
    person = InsuredPerson(
        person_no=text(base, "psn_no", 30),
        name=text(base, "psn_name", 50),
        id_number=tolerant(unread, lambda: text(base, "certno", 50, required=False), ""),
        gender=Gender(gender) if gender in {"1", "2"} else Gender.UNKNOWN,
        birth_date=tolerant(unread, lambda: day(base, "brdy", required=False), None),
        insurances=insurances,
        cert_type=tolerant(unread, lambda: text(base, "psn_cert_type", 6, required=False), "")
        or "01",
    )
    if unread:
        log.warning("1101 answer: optional fields not read: %s", "; ".join(unread)[:300])
    return person


def _insurance(row: Mapping[str, Any], unread: list[str]) -> InsuranceEntry:
    admdvs = text(row, "insuplc_admdvs", 6)
    if not (len(admdvs) == 6 and admdvs.isdigit()):
        raise ProtocolError("insuplc_admdvs is not a 6-digit division code")
    status = tolerant(unread, lambda: text(row, "psn_insu_stas", 3, required=False), "")
    return InsuranceEntry(
        insurance_type=text(row, "insutype", 6),
        status=InsuranceStatus.from_code(status),
        insured_admdvs=admdvs,
        balance=tolerant(unread, lambda: money(row, "balc", required=False), None) or ZERO,
        person_type=tolerant(unread, lambda: text(row, "psn_type", 6, required=False), ""),
        employer=tolerant(unread, lambda: text(row, "emp_name", 200, required=False), ""),
    )


def query_qualifications(
    session: PlatformSession, ctx: CallContext, person_no: str
) -> tuple[Qualification, ...]:
    """5301."""
    data = {"psn_no": person_no}
    return session.read(
        ctx.operator,
        ctx.insured_admdvs,
        "5301",
        lambda: {"data": data},
        lambda r: parse_qualifications(r.output),
    )


def parse_qualifications(output: Mapping[str, Any]) -> tuple[Qualification, ...]:
    """5301 ``feedetail[]`` → qualifications (an empty list is a valid answer)."""
    found: list[Qualification] = []
    for row in rows(output, "feedetail", required=False):
        begin = day(row, "begndate")
        assert begin is not None
        end = day(row, "enddate", required=False)
        if end is not None and end < begin:
            raise ProtocolError("qualification ends before it begins")
        found.append(
            Qualification(
                code=text(row, "opsp_dise_code", 30),
                name=text(row, "opsp_dise_name", 300, required=False),
                valid_from=begin,
                valid_to=end,
            )
        )
    return tuple(found)
