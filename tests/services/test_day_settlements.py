"""The history list's rows come from the store through the engine (no queries in the workers layer),
and name each settlement's category from its stored group."""

from __future__ import annotations

import pytest
from helpers.engine_fixtures import demo_bill

from app.domain.masking import mask_number
from app.domain.operator import Operator
from app.domain.plan import GroupKind, group_label
from app.errors import InputError
from app.sandbox import SandboxServer
from app.services.engine import Engine


def test_todays_rows_name_each_group_from_its_stored_kind(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    mixed = engine.settle_visit(demo_bill("02"), cashier)  # hypertension and general lines
    refused = engine.settle_visit(
        demo_bill("07"), cashier
    )  # 未备案: the chronic group turns self-pay

    rows = engine.settled_today()

    by_id = {r.settlement_id: r for r in rows}
    assert set(by_id) == {g.settlement_id for g in (*mixed.groups, *refused.groups)}
    assert [r.settled_at for r in rows] == sorted((r.settled_at for r in rows), reverse=True)
    assert {by_id[g.settlement_id].category for g in mixed.groups} == {
        group_label(GroupKind.CHRONIC, "M03900"),
        group_label(GroupKind.GENERAL),
    }
    (converted,) = refused.groups
    assert converted.group_key == "M03900"  # it keeps its key, but is paid in full now
    row = by_id[converted.settlement_id]
    assert row.category == group_label(GroupKind.SELF_PAY)
    assert row.cash == row.total == converted.total
    assert row.person_no_masked == mask_number(refused.person_no)
    assert row.patient_name
    assert engine.settlement_people([converted.settlement_id, "NO-SUCH"]) == {
        converted.settlement_id: (row.person_no_masked, row.patient_name)
    }


def test_a_settlements_lines_are_its_groups_lines_in_bill_order(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    bill = engine.settle_visit(demo_bill("02"), cashier)
    general = bill.group("general")

    lines = engine.settlement_lines(general.settlement_id)

    assert tuple(line.line_no for line in lines) == general.line_nos
    with pytest.raises(InputError) as refused:
        engine.settlement_lines("NO-SUCH")
    assert refused.value.code == "settlement_not_found"
