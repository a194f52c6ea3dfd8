"""The bill lifecycle: the next step, the order of groups and when a run is over."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.lifecycle import (
    Phase,
    Step,
    StepKind,
    finished,
    locked,
    next_step,
    ordered,
    ready_to_settle,
)
from app.domain.plan import GroupKind
from app.domain.visit import GroupState as S


@dataclass(frozen=True)
class G:
    group_key: str
    state: S
    kind: GroupKind = GroupKind.CHRONIC


def run(groups: dict[str, G], phase: Phase, outcome: dict[StepKind, S]) -> list[Step]:
    """Drive next_step as the service does, each step moving its group to ``outcome``."""
    attempted: set[Step] = set()
    steps: list[Step] = []
    while (step := next_step(list(groups.values()), attempted, phase)) is not None:
        attempted.add(step)
        steps.append(step)
        old = groups[step.group_key]
        groups[step.group_key] = G(old.group_key, outcome[step.kind], old.kind)
    return steps


def test_order_is_chronic_then_general_then_self_pay() -> None:
    groups = [
        G("self_pay", S.PLANNED, GroupKind.SELF_PAY),
        G("general", S.PLANNED, GroupKind.GENERAL),
        G("M03900", S.PLANNED),
    ]
    assert [g.group_key for g in ordered(groups)] == ["M03900", "general", "self_pay"]


def test_the_cli_previews_and_settles_each_group_in_turn() -> None:
    groups = {
        "general": G("general", S.PLANNED, GroupKind.GENERAL),
        "M01600": G("M01600", S.PLANNED),
        "self_pay": G("self_pay", S.PLANNED, GroupKind.SELF_PAY),
    }
    done = {StepKind.PREVIEW: S.PREVIEWED, StepKind.CONFIRM: S.SETTLED}
    done[StepKind.COLLECT] = S.SELF_PAY_COLLECTED
    assert run(groups, Phase.ALL, done) == [
        Step(StepKind.PREVIEW, "M01600"),
        Step(StepKind.CONFIRM, "M01600"),
        Step(StepKind.PREVIEW, "general"),
        Step(StepKind.CONFIRM, "general"),
        Step(StepKind.COLLECT, "self_pay"),
    ]
    assert finished(list(groups.values()))


def test_the_window_previews_everything_before_settling_anything() -> None:
    groups = {
        "general": G("general", S.PLANNED, GroupKind.GENERAL),
        "M01600": G("M01600", S.FAILED),
    }
    steps = run(groups, Phase.PREVIEW, {StepKind.PREVIEW: S.PREVIEWED})
    assert [s.kind for s in steps] == [StepKind.PREVIEW, StepKind.PREVIEW]  # FAILED is retried
    assert ready_to_settle(list(groups.values()))
    settled = run(groups, Phase.SETTLE, {StepKind.CONFIRM: S.SETTLED})
    assert [s.kind for s in settled] == [StepKind.CONFIRM, StepKind.CONFIRM]


def test_a_failed_step_is_not_retried_in_the_same_run() -> None:
    groups = {"M01600": G("M01600", S.PLANNED)}
    assert run(groups, Phase.ALL, {StepKind.PREVIEW: S.FAILED}) == [
        Step(StepKind.PREVIEW, "M01600")
    ]


def test_nothing_is_sent_while_an_outcome_is_unknown() -> None:
    groups = [G("M01600", S.UNKNOWN), G("general", S.PLANNED, GroupKind.GENERAL)]
    assert locked(groups)
    assert next_step(groups, set(), Phase.ALL) is None


def test_a_groups_label_is_built_in_one_place() -> None:
    from app.domain.plan import GroupKind, group_label, kind_of  # noqa: PLC0415

    assert kind_of(None, None) is GroupKind.SELF_PAY
    assert kind_of("14", "M03900") is GroupKind.CHRONIC
    assert kind_of("11", None) is GroupKind.GENERAL
    assert group_label(GroupKind.CHRONIC, "M03900") == "门诊慢特病 高血压（M03900）"
    assert group_label(GroupKind.GENERAL) == "普通门诊"
    assert group_label(GroupKind.SELF_PAY) == "全额自费"


def test_the_shift_report_orders_and_names_categories_as_the_plan_does() -> None:
    from app.domain.plan import GroupKind, group_label, group_order  # noqa: PLC0415
    from app.domain.shift_report import CategoryKey  # noqa: PLC0415

    keys = [
        CategoryKey(GroupKind.SELF_PAY),
        CategoryKey(GroupKind.GENERAL),
        CategoryKey(GroupKind.CHRONIC, "M03900", "高血压"),
        CategoryKey(GroupKind.CHRONIC, "M00500", "恶性肿瘤门诊治疗"),
    ]
    assert [k.disease_code for k in sorted(keys, key=lambda k: k.sort_key)] == [
        "M00500",
        "M03900",
        "",
        "",
    ]
    assert all(k.sort_key == group_order(k.category, k.disease_code) for k in keys)
    assert [k.label for k in keys] == [
        group_label(GroupKind.SELF_PAY),
        group_label(GroupKind.GENERAL),
        "门诊慢特病 高血压（M03900）",
        "门诊慢特病 恶性肿瘤门诊治疗（M00500）",
    ]
