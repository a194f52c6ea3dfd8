"""Properties of the settlement plan over random patients, hospitals and tagged bills."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from domain_factories import CANCER_HOSPITAL, VISIT_DAY, line, person, qualification
from hypothesis import given
from hypothesis import strategies as st

from app.domain.bill import FeeLine, Tag, TagKind
from app.domain.disease import PILOT_DISEASES
from app.domain.money import money_sum
from app.domain.person import Qualification, RegistrationStatus
from app.domain.plan import GroupKind, PlanBlocked, PlanContext, make_plan, reason_for

LOCAL_CODES = ["M04900", "M99900"]  # two non-pilot local codes
CODES = [*PILOT_DISEASES, *LOCAL_CODES]

qualifications = st.lists(
    st.builds(
        qualification,
        st.sampled_from(CODES),
        st.dates(min_value=date(2015, 1, 1), max_value=date(2028, 1, 1)),
        st.one_of(st.none(), st.dates(min_value=date(2015, 1, 1), max_value=date(2130, 1, 1))),
    ),
    max_size=4,
)
tags = st.one_of(st.just(Tag.general()), st.sampled_from(CODES).map(Tag.disease))
amounts = st.decimals(min_value="0.01", max_value="99999.99", places=2).map(str)


@st.composite
def contexts(draw: st.DrawFn) -> PlanContext:
    quals: list[Qualification] = draw(qualifications)
    admdvs = draw(st.sampled_from(["630100", "639900", "510100", "110101", "440300", "110105"]))
    opened = frozenset(draw(st.sets(st.sampled_from(list(PILOT_DISEASES)))))
    hospital = replace(
        CANCER_HOSPITAL,
        opened_diseases=opened,
        admdvs=draw(st.sampled_from(["110105", "120101"])),
        general_outpatient_open=draw(st.booleans()),
    )
    # A local code is a real disease only where the insured place lists it for the patient
    # (5301); a code that is neither pilot nor listed is bad input (issue #11 item 8).
    local = [qualification(code) for code in LOCAL_CODES if code not in {q.code for q in quals}]
    return PlanContext(
        person=person(*quals, *local, insured_admdvs=admdvs),
        hospital=hospital,
        day=VISIT_DAY,
        registration=draw(st.sampled_from(list(RegistrationStatus))),
    )


@st.composite
def bills(draw: st.DrawFn) -> list[FeeLine]:
    count = draw(st.integers(min_value=1, max_value=30))
    return [line(str(i), draw(tags), price=draw(amounts)) for i in range(count)]


@given(contexts(), bills())
def test_every_line_lands_in_exactly_one_group_and_totals_are_conserved(
    ctx: PlanContext, lines: list[FeeLine]
) -> None:
    plan = make_plan(ctx, lines)
    placed = [p.line.line_no for g in plan.groups for p in g.lines]
    assert sorted(placed) == sorted(line.line_no for line in lines)
    assert plan.total == money_sum(line.amount for line in lines)
    assert money_sum(g.total for g in plan.groups) == plan.total


@given(contexts(), bills())
def test_no_group_mixes_diseases_and_group_kinds_are_unique(
    ctx: PlanContext, lines: list[FeeLine]
) -> None:
    plan = make_plan(ctx, lines)
    keys = [g.key for g in plan.groups]
    assert len(keys) == len(set(keys))
    for group in plan.groups:
        if group.kind is GroupKind.CHRONIC:
            assert {p.line.tag.disease_code for p in group.lines} == {group.disease_code}
            assert group.disease_code in ctx.hospital.opened_diseases


@given(contexts(), bills())
def test_a_chronic_line_reaches_the_general_group_only_where_the_insured_place_says_so(
    ctx: PlanContext, lines: list[FeeLine]
) -> None:
    plan = make_plan(ctx, lines)
    general = plan.group("general")
    insured = ctx.person.settlement_insurance()
    for planned in general.lines if general else ():
        tag = planned.line.tag
        if tag.kind is TagKind.DISEASE:
            assert insured is not None
            assert tag.disease_code is not None
            assert ctx.hospital.covers_as_general(insured.insured_admdvs, tag.disease_code)


@given(contexts(), bills())
def test_every_placement_has_a_chinese_reason_and_self_pay_says_claim_at_home(
    ctx: PlanContext, lines: list[FeeLine]
) -> None:
    plan = make_plan(ctx, lines)
    for group in plan.groups:
        for planned in group.lines:
            assert planned.reason.text
            assert planned.reason.is_direct == (group.kind is not GroupKind.SELF_PAY)
            if group.kind is GroupKind.SELF_PAY:
                assert "回参保地" in planned.reason.text


@given(contexts(), st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_a_code_neither_pilot_nor_listed_for_the_patient_blocks_the_plan(
    ctx: PlanContext, digits: str
) -> None:
    code = f"X{digits}"
    with pytest.raises(PlanBlocked) as blocked:
        make_plan(ctx, [line("1", Tag.disease(code))])
    assert blocked.value.code == "unknown_disease"
    assert code in blocked.value.text


@given(contexts(), bills())
def test_the_plan_gives_every_line_the_reason_shown_for_it_before(
    ctx: PlanContext, lines: list[FeeLine]
) -> None:
    # The plan works a reason out once per tag; the window shows reason_for per line.
    plan = make_plan(ctx, lines)
    for group in plan.groups:
        for planned in group.lines:
            assert planned.reason == reason_for(ctx, planned.line)


@given(contexts(), bills(), st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_the_first_line_with_an_unknown_code_is_named(
    ctx: PlanContext, lines: list[FeeLine], digits: str
) -> None:
    code = f"X{digits}"
    bad = [line(f"bad{n}", Tag.disease(code)) for n in range(3)]
    with pytest.raises(PlanBlocked) as blocked:
        make_plan(ctx, [*lines, *bad])
    assert blocked.value.code == "unknown_disease"
    assert "bad0" in blocked.value.text
