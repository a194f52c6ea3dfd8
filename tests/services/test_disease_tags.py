"""A tag that is not a disease code is bad input, not a silent 全额自费 line (issue #11 item 8).

Self-pay is for real diseases: a pilot code the patient lacks or the hospital has not opened, or a
local chronic disease the insured place lists for the patient (demo 06, M04800). Anything else — a
made-up code such as ``M99999`` or injection text — stops the bill with a Chinese message before any
platform call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import demo_bill, demo_bill_path, fresh_visit
from helpers.money_fixtures import run_json

from app.domain.operator import Operator
from app.domain.plan import PlanBlocked
from app.errors import InputError
from app.sandbox import SandboxServer
from app.services.bill_import import BillFormatError, parse_visit
from app.services.engine import Engine

INJECTION = "M03900'); DROP TABLE bills;--"


def _bill_with_tag(tag: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(demo_bill_path("02").read_text(encoding="utf-8"))
    document["lines"][0]["tag"] = tag
    return document


def test_a_made_up_disease_code_stops_the_bill_before_any_platform_call(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    visit = parse_visit(_bill_with_tag("M99999"))

    with pytest.raises(PlanBlocked) as blocked:
        engine.settle_visit(visit, cashier)

    assert blocked.value.code == "unknown_disease"
    assert "M99999" in blocked.value.text
    assert "病种编码" in blocked.value.text
    assert sandbox.request_count("2201") == 0


@pytest.mark.parametrize(
    "tag", [INJECTION, "<script>alert(1)</script>", "m 03900", "\u202eM03900", "高血压"]
)
def test_text_that_is_no_disease_code_is_refused_when_the_bill_is_read(tag: str) -> None:
    with pytest.raises(BillFormatError) as refused:
        parse_visit(_bill_with_tag(tag))

    assert isinstance(refused.value, InputError)
    assert "病种" in refused.value.text
    assert "\u202e" not in refused.value.text


def test_a_real_local_disease_the_patient_holds_is_still_paid_in_full(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    bill = engine.settle_visit(fresh_visit(demo_bill("06")), cashier)  # M04800: not a pilot code

    self_pay = next(g for g in bill.groups if g.is_self_pay)
    assert "M04800" in self_pay.reason


def test_cli_exits_2_with_a_chinese_message_for_an_unknown_tag(
    money_cli: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    bill = tmp_path / "bill.json"
    bill.write_text(json.dumps(_bill_with_tag("M99999"), ensure_ascii=False), encoding="utf-8")

    code, document = run_json(
        capsys, money_cli, "settle", "--bill", str(bill), "--yes", "--operator", "C001"
    )

    assert code == 2
    assert document["ok"] is False
    assert "M99999" in document["message"]
    assert sandbox.request_count("2201") == 0
