"""Builders for domain values used across the pure tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.bill import FeeLine, Tag
from app.domain.hospital import HospitalProfile
from app.domain.person import (
    Gender,
    InsuranceEntry,
    InsuranceStatus,
    InsuredPerson,
    Qualification,
    RegistrationStatus,
)
from app.domain.plan import PlanContext

VISIT_DAY = date(2026, 11, 23)

CANCER_HOSPITAL = HospitalProfile(
    code="H11010500001",
    name="演示肿瘤医院",
    admdvs="110105",
    opened_diseases=frozenset({"M03900", "M01600", "M00500", "M07801"}),
    general_coverage=frozenset({("11", "M03900"), ("11", "M01600")}),
)


def person(
    *qualifications: Qualification,
    insured_admdvs: str = "630100",
    status: InsuranceStatus = InsuranceStatus.NORMAL,
) -> InsuredPerson:
    """A Qinghai-insured resident by default."""
    return InsuredPerson(
        person_no="63000000000000000001",
        name="测试患者",
        id_number="630102198001010011",
        gender=Gender.FEMALE,
        birth_date=date(1980, 1, 1),
        insurances=(InsuranceEntry("390", status, insured_admdvs, Decimal("0.00")),),
        qualifications=qualifications,
    )


def qualification(
    code: str, start: date = date(2020, 1, 1), end: date | None = date(2120, 1, 1)
) -> Qualification:
    """A qualification valid around VISIT_DAY unless dates say otherwise."""
    return Qualification(code=code, name=code, valid_from=start, valid_to=end)


def context(
    patient: InsuredPerson, registration: RegistrationStatus = RegistrationStatus.UNKNOWN
) -> PlanContext:
    """Plan context at the cancer hospital on VISIT_DAY."""
    return PlanContext(
        person=patient, hospital=CANCER_HOSPITAL, day=VISIT_DAY, registration=registration
    )


def line(no: str, tag: Tag, price: str = "10.00", qty: str = "1") -> FeeLine:
    """A fee line with a given tag."""
    return FeeLine.create(
        line_no=no,
        hospital_code=f"HC{no}",
        national_code=f"NC{no}",
        name=f"项目{no}",
        unit_price=price,
        quantity=qty,
        tag=tag,
    )
