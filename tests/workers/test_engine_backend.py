"""The window's backend over the engine keeps no unbounded state: the HIS hand-off context of a few
recent patients only."""

from __future__ import annotations

from dataclasses import replace

from helpers.engine_fixtures import demo_bill

from app.domain.operator import Operator
from app.sandbox import SandboxServer
from app.services.bill_import import ImportedVisit
from app.services.eligibility import EligibilityView
from app.services.engine import Engine
from app.workers.engine_backend import HANDED_VISITS_KEPT, EngineBackend


def test_the_hand_off_context_of_only_the_last_few_patients_is_kept(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    visit = demo_bill("02")
    view = engine.identify(visit.identity, cashier)
    patients = HANDED_VISITS_KEPT + 4
    views = [
        replace(view, person=replace(view.person, person_no=f"{view.person.person_no}{n:02d}"))
        for n in range(patients)
    ]
    handed: dict[str, ImportedVisit] = {
        v.person.person_no: replace(visit, outpatient_no=f"MZ{n:04d}") for n, v in enumerate(views)
    }

    def hand_off(shown: EligibilityView) -> ImportedVisit | None:
        return handed[shown.person.person_no]

    backend = EngineBackend(engine, card_reader=None, hand_off=hand_off)
    for each in views:  # a day of patients, each handed over by the HIS
        assert backend.hand_off(each) == visit.lines

    def outpatient_no(shown: EligibilityView) -> str:
        bill = backend.open_bill(cashier, shown, visit.lines)
        with engine.uow_factory() as uow:
            stored = uow.bills.get(bill.bill_id)
        assert stored is not None
        return stored.outpatient_no

    recent = views[-HANDED_VISITS_KEPT:]
    assert [outpatient_no(v) for v in recent] == [
        handed[v.person.person_no].outpatient_no for v in recent
    ]
    assert outpatient_no(views[0]) == ""  # forgotten: the window's defaults, not a stale visit
