"""The window's backend over the engine keeps no unbounded state: the HIS hand-off context of a few
recent patients only."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill

from app.domain.bill import TagKind
from app.domain.operator import Operator
from app.domain.visit import GroupState
from app.errors import InputError
from app.sandbox import SandboxServer
from app.services.bill_import import ImportedVisit
from app.services.cancel import SupervisorApproval
from app.services.eligibility import EligibilityView
from app.services.engine import Engine
from app.workers.backend import Diagnosis
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

    # A forgotten visit has no diagnosis either: its general lines would be refused before
    # anything is saved, so the chronic lines alone show which context the bill took.
    chronic = tuple(line for line in visit.lines if line.tag.kind is not TagKind.GENERAL)

    def outpatient_no(shown: EligibilityView) -> str:
        bill = backend.open_bill(cashier, shown, chronic)
        with engine.uow_factory() as uow:
            stored = uow.bills.get(bill.bill_id)
        assert stored is not None
        return stored.outpatient_no

    recent = views[-HANDED_VISITS_KEPT:]
    assert [outpatient_no(v) for v in recent] == [
        handed[v.person.person_no].outpatient_no for v in recent
    ]
    assert outpatient_no(views[0]) == ""  # forgotten: the window's defaults, not a stale visit


def test_a_bill_typed_without_an_his_visit_settles(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    """No HIS (``[his] kind = none``, the default): the cashier types the lines, so there is no HIS
    outpatient number. 2201 needs one (``ipt_otp_no``, unique in the hospital); the bill's own id is
    sent. It was sent empty, the platform refused every typed bill (“住院/门诊号不能为空”)."""
    visit = demo_bill("01")
    view = engine.identify(visit.identity, cashier)
    backend = EngineBackend(engine, card_reader=None)

    bill = backend.open_bill(cashier, view, visit.lines)
    (group,) = bill.groups
    previewed = backend.preview(cashier, bill.bill_id, group.group_key)
    assert previewed.state is GroupState.PREVIEWED, previewed.failure
    settled = backend.confirm(cashier, bill.bill_id, group.group_key)

    assert settled.state is GroupState.SETTLED, settled.failure
    assert settled.totals is not None
    assert (settled.totals.total, settled.totals.fund, settled.totals.cash) == (
        Decimal("179.63"),
        Decimal("129.63"),
        Decimal("50.00"),
    )
    with engine.uow_factory() as uow:
        stored = uow.bills.get(bill.bill_id)
    assert stored is not None
    assert stored.outpatient_no == ""  # no HIS visit: no hospital-wide charge claim either

    # Cancelling withdraws the registration (2205 + 2202, which also name the outpatient number).
    assert settled.settlement_id
    engine.cancel(settled.settlement_id, cashier, SupervisorApproval("S001", SUPERVISOR_PASSWORD))
    assert sandbox.open_visits() == []


def test_general_lines_typed_without_an_his_visit_are_refused_before_anything_is_sent(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    """No HIS visit, so no diagnosis: a general-outpatient group would be refused at 2203 ('诊断代码
    不能为空', shown with the advice to re-read the card) after the chronic groups settled. The
    window refuses the bill at F8 with the right advice, by the same check as ``settle``."""
    visit = demo_bill("02")  # hypertension + general lines
    view = engine.identify(visit.identity, cashier)
    backend = EngineBackend(engine, card_reader=None)
    general = [line.line_no for line in visit.lines if line.tag.kind is TagKind.GENERAL]
    sent = sandbox.request_count()

    with pytest.raises(InputError) as refused:
        backend.open_bill(cashier, view, visit.lines)

    assert refused.value.code == "diagnosis_needed"
    assert "诊断" in refused.value.text
    assert "HIS" in refused.value.text  # where the diagnosis comes from, not "re-read the card"
    assert "、".join(general) in refused.value.text
    assert sandbox.request_count() == sent  # nothing was sent
    assert sandbox.open_visits() == []


def test_a_typed_diagnosis_is_kept_with_the_bill_as_an_his_visits_is(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    """No HIS visit: the diagnosis typed at the window (form checked, written as the catalogue
    writes it) goes to the bill, from which 2203 takes it; a malformed one is refused first."""
    visit = demo_bill("02")  # hypertension + general lines
    view = engine.identify(visit.identity, cashier)
    backend = EngineBackend(engine, card_reader=None)
    sent = sandbox.request_count()
    for typed in (Diagnosis("J06.9", "急性上呼吸道感染"), Diagnosis("J06.900", " ")):
        with pytest.raises(InputError) as refused:
            backend.open_bill(cashier, view, visit.lines, typed)
        assert refused.value.code == "diagnosis_invalid"
    assert sandbox.request_count() == sent

    bill = backend.open_bill(cashier, view, visit.lines, Diagnosis("j06.900", "急性上呼吸道感染"))
    with engine.uow_factory() as uow:
        stored = uow.bills.get(bill.bill_id)
    assert stored is not None
    assert (stored.diagnosis_code, stored.diagnosis_name) == ("J06.900", "急性上呼吸道感染")


def test_the_his_visits_diagnosis_wins_over_a_typed_one(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    visit = demo_bill("02")  # the HIS visit's diagnosis: I10.x00 原发性高血压
    view = engine.identify(visit.identity, cashier)
    backend = EngineBackend(engine, card_reader=None, hand_off=lambda shown: visit)
    assert backend.his_diagnosis(view) is None  # nothing handed over yet
    backend.hand_off(view)
    assert backend.his_diagnosis(view) == Diagnosis(visit.diagnosis_code, visit.diagnosis_name)

    bill = backend.open_bill(cashier, view, visit.lines, Diagnosis("J06.900", "急性上呼吸道感染"))
    with engine.uow_factory() as uow:
        stored = uow.bills.get(bill.bill_id)
    assert stored is not None
    assert stored.diagnosis_code == visit.diagnosis_code
