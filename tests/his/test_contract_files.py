"""The published contract files agree with what the adapters send and read."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from app.domain.his import ChargeResult, LineMoney, ResultKind, result_key
from app.domain.his_codec import result_to_dict
from app.his.middle import _RESULT_COLUMNS, ddl_statements

ROOT = Path(__file__).resolve().parents[2]


def _sample() -> ChargeResult:
    return ChargeResult(
        key=result_key("S1", "C1", ResultKind.SETTLED),
        kind=ResultKind.SETTLED,
        charge_id="C1",
        visit_no="V1",
        setl_id="S1",
        fee_category="general",
        fee_category_name="普通门诊",
        money=LineMoney(Decimal("1.00"), Decimal("0.50"), Decimal("0.00"), Decimal("0.50")),
        occurred_at=datetime(2026, 11, 23, tzinfo=UTC),
        operator_code="C001",
        window="W01",
    )


def test_the_openapi_file_names_the_adapters_calls_and_the_result_fields() -> None:
    text = (ROOT / "docs" / "his-openapi.yaml").read_text("utf-8")
    for path in ("/unpaid-visits:", "/charges/current:", "/results:"):
        assert f"\n  {path}" in text
    match = re.search(r"Result:\n\s+type: object\n\s+required: \[([^\]]+)\]", text)
    assert match is not None
    required = {name.strip() for name in match.group(1).split(",")}
    assert required <= set(result_to_dict(_sample()))
    properties = set(re.findall(r"\n        (\w+): ", text.split("    Result:")[1]))
    assert set(result_to_dict(_sample())) <= properties


def test_the_published_ddl_has_every_column_the_adapter_writes() -> None:
    statements = ddl_statements((ROOT / "resources" / "his" / "middle-tables.sql").read_text())
    results = next(s for s in statements if s.startswith("CREATE TABLE his_settle_results"))
    for column in _RESULT_COLUMNS:
        assert re.search(rf"\n\s+{column}\s", results), column
