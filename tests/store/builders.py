"""Domain values for the store tests (fictional people; canary strings for the PII test)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.bill import FeeLine, Tag
from app.domain.journal import JournalEntry, JournalState
from app.domain.person import Gender, InsuranceEntry, InsuranceStatus, InsuredPerson, Qualification
from app.domain.settlement import FundPayment, LineSplit, SettlementRecord, SettlementTotals
from app.domain.visit import Bill, Credential, CredentialKind
from app.services.ports.store import StoredSettlement

INSTITUTION = "H63010500001"
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def entry(
    msgid: str, *, bill_id: str = "B1", at: datetime = T0, infno: str = "2207"
) -> JournalEntry:
    """A PREPARED journal row."""
    return JournalEntry(
        msgid=msgid,
        infno=infno,
        state=JournalState.PREPARED,
        bill_id=bill_id,
        group_key="M00500",
        person_no="63000000000000000001",
        insured_admdvs="630100",
        operator_code="C001",
        created_at=at,
        updated_at=at,
        amount=Decimal("179.63"),
    )


def person(
    *, name: str = "马秀兰", id_number: str = "630102198001010011", diagnosis: str = "高血压"
) -> InsuredPerson:
    """A Qinghai-insured person with one qualification."""
    return InsuredPerson(
        person_no="63000000000000000001",
        name=name,
        id_number=id_number,
        gender=Gender.FEMALE,
        birth_date=date(1980, 1, 1),
        insurances=(
            InsuranceEntry("390", InsuranceStatus.NORMAL, "630100", Decimal("12.34"), "11", "无"),
        ),
        qualifications=(Qualification("M03900", diagnosis, date(2020, 1, 1), None),),
    )


def line(
    line_no: str, *, price: str = "12.5", quantity: str = "2", tag: Tag | None = None
) -> FeeLine:
    """A fee line (amount computed)."""
    return FeeLine.create(
        line_no=line_no,
        hospital_code=f"HC{line_no}",
        national_code=f"XN{line_no}",
        name="氨氯地平片",
        unit_price=price,
        quantity=quantity,
        tag=tag or Tag.disease("M03900"),
    )


def bill(
    bill_id: str = "B1", *, name: str = "马秀兰", id_number: str = "630102198001010011"
) -> Bill:
    """A bill paid by social-security card with three lines (two tags)."""
    return Bill(
        bill_id=bill_id,
        created_at=T0,
        person_no="63000000000000000001",
        insured_admdvs="630100",
        insurance_type="390",
        credential=Credential(CredentialKind.CARD, "X00000019", "630100D156", id_number, name),
        outpatient_no="MZ0001",
        dept_code="NK",
        dept_name="内科",
        doctor_code="D01",
        doctor_name="李医生",
        lines=(
            line("1"),
            line("2", price="0.0325", quantity="30"),
            line("3", price="8", quantity="1.5", tag=Tag.general()),
        ),
    )


def totals() -> SettlementTotals:
    """The seeds' Qinghai case: 179.63 → fund 129.63 / cash 50.00."""
    return SettlementTotals(
        total=Decimal("179.63"),
        full_self_pay=Decimal("0.00"),
        over_limit=Decimal("0.00"),
        first_self_pay=Decimal("0.00"),
        in_scope=Decimal("179.63"),
        deductible=Decimal("0.00"),
        fund=Decimal("129.63"),
        account=Decimal("0.00"),
        cash=Decimal("50.00"),
        pool_ratio=Decimal("0.7217"),
        funds=(FundPayment("390100", Decimal("129.63"), "城乡居民基本医疗保险基金"),),
    )


def settlement(
    settlement_id: str = "S1", *, bill_id: str = "B1", at: datetime = T0
) -> StoredSettlement:
    """A confirmed 2207 with one split line."""
    record = SettlementRecord(
        settlement_id=settlement_id,
        visit_id="V1",
        msgid=f"{INSTITUTION}202611231000000001",
        med_type="14",
        disease_code="M03900",
        insurance_type="390",
        settled_at=at,
        totals=totals(),
        splits=(
            LineSplit(
                "1",
                Decimal("179.63"),
                Decimal("0.00"),
                Decimal("0.00"),
                Decimal("0.00"),
                Decimal("179.63"),
                Decimal("0"),
                "01",
            ),
        ),
        clearing_agency="630100",
        clearing_way="1",
        clearing_type="1",
    )
    return StoredSettlement(record, bill_id, "M03900", "C001", "W01")
