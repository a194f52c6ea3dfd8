"""The reference HIS's demo data: one unpaid visit per demo person, from ``resources/demo_bills``.

Each ``visit@1`` file becomes a HIS visit: its outpatient number is the visit number, each line's
charge id is ``<outpatient_no>-<line_no>`` and its bill (prescription) number ``CF<outpatient_no>``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from app.config.paths import resources_dir
from app.domain.his import HisChargeLine, HisVisit
from app.sandbox.data import Person, load_population
from app.sandbox.his.state import ReferenceHis
from app.services.bill_import import IdentityKind, ImportedVisit, load_visit

DEMO_BILLS = resources_dir() / "demo_bills"
BEIJING = ZoneInfo("Asia/Shanghai")


def _person_of(visit: ImportedVisit, people: tuple[Person, ...]) -> Person:
    value = visit.identity.value
    for person in people:
        if visit.identity.kind is IdentityKind.CARD_STRING and value == person.card_string:
            return person
        if value in (person.id_number, person.voucher_code, person.ec_token):
            return person
    raise LookupError(f"demo bill for an unknown person ({visit.outpatient_no})")


def his_visit(visit: ImportedVisit, person: Person, visit_no: str = "") -> HisVisit:
    """A ``visit@1`` visit as the HIS holds it (new charge ids under ``visit_no`` if given)."""
    number = visit_no or visit.outpatient_no
    lines = tuple(
        HisChargeLine(
            charge_id=f"{number}-{line.line_no}",
            bill_no=f"CF{number}",
            item_code=line.hospital_code,
            national_code=line.national_code,
            name=line.name,
            spec=line.spec,
            unit_price=line.unit_price,
            quantity=line.quantity,
            amount=line.amount,
            tag=line.tag,
            version="1",
        )
        for line in visit.lines
    )
    return HisVisit(
        visit_no=number,
        patient_id=person.psn_no[-10:],
        id_number=person.id_number,
        patient_name=person.name,
        dept_code=visit.dept_code,
        dept_name=visit.dept_name,
        doctor_code=visit.doctor_code,
        doctor_name=visit.doctor_name,
        diagnosis_code=visit.diagnosis_code,
        diagnosis_name=visit.diagnosis_name,
        visit_time=visit.visit_time or datetime(2026, 11, 23, 9, 0, tzinfo=BEIJING),
        lines=lines,
    )


def demo_visits() -> list[tuple[HisVisit, Person]]:
    """One visit per demo bill, with its person."""
    people = load_population()
    found: list[tuple[HisVisit, Person]] = []
    for path in sorted(DEMO_BILLS.glob("*.json")):
        visit = load_visit(path)
        person = _person_of(visit, people)
        found.append((his_visit(visit, person), person))
    return found


def demo_his(*, copies: int = 1) -> ReferenceHis:
    """A reference HIS with every demo visit unpaid (``copies`` visits per demo bill)."""
    his = ReferenceHis()
    for visit, person in demo_visits():
        his.add_card(person.card_no, person.id_number)
        his.add_voucher(person.voucher_code, person.id_number)
        his.add_voucher(person.ec_token, person.id_number)
        his.add_visit(visit)
        for n in range(1, copies):
            his.add_visit(_copy(visit, f"{visit.visit_no}{n:03d}"))
    return his


def _copy(visit: HisVisit, visit_no: str) -> HisVisit:
    lines = tuple(
        replace(
            line,
            charge_id=f"{visit_no}-{line.charge_id.rsplit('-', 1)[1]}",
            bill_no=f"CF{visit_no}",
        )
        for line in visit.lines
    )
    return replace(visit, visit_no=visit_no, lines=lines)
