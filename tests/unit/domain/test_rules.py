"""One named test per rule of domain.md ("Rules the window must enforce")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from domain_factories import context, line, person, qualification

from app.domain.bill import Tag
from app.domain.person import InsuranceStatus, InsuredPerson, RegistrationStatus
from app.domain.plan import GroupKind, PlanBlocked, ReasonCode, make_plan

GENERAL = Tag.general()


def test_rule1_disease_not_opened_by_this_hospital_is_paid_in_full() -> None:
    patient = person(qualification("M08303"))  # heart transplant: not opened here
    plan = make_plan(context(patient), [line("1", Tag.disease("M08303"))])
    (group,) = plan.groups
    assert group.kind is GroupKind.SELF_PAY
    assert group.lines[0].reason.code is ReasonCode.NOT_OPENED_HERE
    assert "本院尚未开通" in group.lines[0].reason.text


def test_rule2_each_chronic_disease_is_settled_on_its_own() -> None:
    patient = person(qualification("M00500"), qualification("M03900"))
    lines = [
        line("1", Tag.disease("M00500")),
        line("2", Tag.disease("M03900")),
        line("3", Tag.disease("M00500")),
    ]
    plan = make_plan(context(patient), lines)
    chronic = [g for g in plan.groups if g.kind is GroupKind.CHRONIC]
    assert [g.disease_code for g in chronic] == ["M00500", "M03900"]
    assert all(g.med_type == "14" for g in chronic)
    assert [p.line.line_no for p in chronic[0].lines] == ["1", "3"]
    assert {p.line.tag.disease_code for p in chronic[1].lines} == {"M03900"}


def test_rule3_unrelated_fees_are_settled_separately_as_general_outpatient() -> None:
    patient = person(qualification("M00500"))
    plan = make_plan(context(patient), [line("1", Tag.disease("M00500")), line("2", GENERAL)])
    general = plan.group("general")
    assert general is not None
    assert general.med_type == "11"
    assert [p.line.line_no for p in general.lines] == ["2"]
    assert plan.group("M00500") is not None


@pytest.mark.parametrize(
    ("patient", "code", "reason"),
    [
        (person(), "M00500", ReasonCode.NOT_QUALIFIED),
        (
            person(qualification("M00500", date(2020, 1, 1), date(2025, 12, 31))),
            "M00500",
            ReasonCode.QUALIFICATION_EXPIRED,
        ),
        (
            person(qualification("M00500", date(2027, 1, 1), None)),
            "M00500",
            ReasonCode.QUALIFICATION_NOT_YET_VALID,
        ),
        (person(qualification("M04900")), "M04900", ReasonCode.NOT_PILOT),
        (person(qualification("M08303")), "M08303", ReasonCode.NOT_OPENED_HERE),
    ],
    ids=["no-qualification", "expired", "not-yet-valid", "non-pilot-local", "not-opened"],
)
def test_rule4_chronic_fees_never_fall_back_to_general_outpatient(
    patient: InsuredPerson, code: str, reason: ReasonCode
) -> None:
    plan = make_plan(context(patient), [line("1", Tag.disease(code)), line("2", GENERAL)])
    self_pay = plan.group("self_pay")
    general = plan.group("general")
    assert self_pay is not None
    assert general is not None
    assert [p.line.line_no for p in self_pay.lines] == ["1"]
    assert [p.line.line_no for p in general.lines] == ["2"]
    assert self_pay.lines[0].reason.code is reason
    assert "全额自付" in self_pay.lines[0].reason.text
    assert "参保地" in self_pay.lines[0].reason.text


def test_rule4_insured_place_covering_disease_as_general_outpatient_settles_as_general() -> None:
    # The demo hospital is itself in Beijing, so move it to Tianjin for this rule.
    beijing_ctx = context(person(insured_admdvs="110101"))
    ctx = replace(beijing_ctx, hospital=replace(beijing_ctx.hospital, admdvs="120101"))
    plan = make_plan(ctx, [line("1", Tag.disease("M03900"))])
    (group,) = plan.groups
    assert group.kind is GroupKind.GENERAL
    assert group.lines[0].reason.code is ReasonCode.GENERAL_COVERED_AT_INSURED_PLACE


def test_rule5_no_cross_province_registration_means_no_direct_settlement() -> None:
    patient = person(qualification("M00500"))
    plan = make_plan(
        context(patient, registration=RegistrationStatus.MISSING),
        [line("1", Tag.disease("M00500")), line("2", GENERAL)],
    )
    (group,) = plan.groups
    assert group.kind is GroupKind.SELF_PAY
    assert {p.reason.code for p in group.lines} == {ReasonCode.NO_REGISTRATION}
    assert "备案" in group.lines[0].reason.text


def test_rule5_suspended_insurance_cannot_settle_directly() -> None:
    patient = person(qualification("M00500"), status=InsuranceStatus.SUSPENDED)
    plan = make_plan(context(patient), [line("1", GENERAL)])
    assert plan.groups[0].lines[0].reason.code is ReasonCode.NO_INSURANCE


def test_rule6_several_qualifications_each_settled_on_its_own() -> None:
    patient = person(qualification("M00500"), qualification("M01600"), qualification("M03900"))
    tags = ["M00500", "M01600", "M03900"]
    plan = make_plan(context(patient), [line(str(i), Tag.disease(c)) for i, c in enumerate(tags)])
    assert [g.key for g in plan.groups] == tags
    assert all(len(g.lines) == 1 for g in plan.groups)


def test_rule7_each_group_names_its_fee_category_for_the_receipt() -> None:
    patient = person(qualification("M00500"))
    plan = make_plan(
        context(patient),
        [line("1", Tag.disease("M00500")), line("2", GENERAL), line("3", Tag.disease("M08303"))],
    )
    labels = [g.category_label for g in plan.groups]
    assert labels == ["门诊慢特病 恶性肿瘤门诊治疗（M00500）", "普通门诊", "全额自费"]


def test_rule8_untagged_lines_block_the_plan_with_a_plain_message() -> None:
    patient = person(qualification("M00500"))
    with pytest.raises(PlanBlocked) as caught:
        make_plan(context(patient), [line("1", Tag.untagged()), line("2", GENERAL)])
    assert "未标记类别" in caught.value.text
    assert "第 1 行" in caught.value.text
    assert caught.value.detail["lines"] == "1"


def test_local_patient_is_not_a_cross_province_case() -> None:
    patient = person(qualification("M00500"), insured_admdvs="110108")
    plan = make_plan(context(patient), [line("1", GENERAL)])
    assert plan.groups[0].lines[0].reason.code is ReasonCode.NOT_CROSS_PROVINCE


def test_seeds_case_groups_qinghai_cancer_patient_under_m00500() -> None:
    patient = person(qualification("M00500"), insured_admdvs="639900")
    plan = make_plan(context(patient), [line("1", Tag.disease("M00500"), price="179.63")])
    (group,) = plan.groups
    assert (group.kind, group.disease_code, str(group.total)) == (
        GroupKind.CHRONIC,
        "M00500",
        "179.63",
    )
