"""Day close through the client: 3201 totals, then 9101 → 3202 → 9102 result rows matched by msgid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from flow_helpers import open_group

from app.domain.operator import Operator
from app.domain.settlement import SettlementRecord
from app.platform.client import PlatformClient
from app.platform.envelope import china_time
from app.sandbox import SandboxServer
from app.services.ports.platform import (
    CallContext,
    DetailRow,
    StatementDetailRequest,
    StatementTotalRequest,
)

T = TypeVar("T")


def _settle_two(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> list[SettlementRecord]:
    records = []
    for name in ("张建国", "周伟"):
        group = open_group(client, sandbox, cashier, msgids, name)
        records.append(client.settle(group.ctx, msgids(), group.settle_request()))
    return records


def _row(record: SettlementRecord, person_no: str) -> DetailRow:
    t = record.totals
    return DetailRow(
        person_no, record.visit_id, record.settlement_id, record.msgid, t.total, t.fund, t.account
    )


def _day(record: SettlementRecord) -> date:
    return china_time(record.settled_at).date()


def test_statement_total_is_balanced_when_our_totals_match(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    records = _settle_two(client, sandbox, cashier, msgids)
    first = records[0]
    # The sandbox's settlement day is its local date; ask for a window around ours.
    day = _day(first)
    by_type: dict[str, list[SettlementRecord]] = {}
    for record in records:
        by_type.setdefault(record.insurance_type, []).append(record)
    for insurance_type, group in by_type.items():
        request = StatementTotalRequest(
            insurance_type=insurance_type,
            clearing_type=first.clearing_type,
            clearing_agency=first.clearing_agency,
            begin=date.fromordinal(day.toordinal() - 1),
            end=date.fromordinal(day.toordinal() + 1),
            total=sum((r.totals.total for r in group), Decimal("0.00")),
            fund=sum((r.totals.fund for r in group), Decimal("0.00")),
            account=sum((r.totals.account for r in group), Decimal("0.00")),
            count=len(group),
        )
        result = client.statement_total(CallContext(cashier), request)
        assert result.balanced, result.description
        unbalanced = client.statement_total(
            CallContext(cashier),
            StatementTotalRequest(**{**request.__dict__, "count": len(group) + 1}),
        )
        assert not unbalanced.balanced


def test_statement_detail_classifies_platform_only_and_hospital_only_rows(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids: Callable[[], str]
) -> None:
    records = _settle_two(client, sandbox, cashier, msgids)
    kept, lost = records  # pretend our journal lost the second settlement
    ledger = {row["setl_id"]: row for row in sandbox.ledger()}
    ours = _row(kept, ledger[kept.settlement_id]["psn_no"])
    phantom = DetailRow(
        "P404", "V404", "S404", "", Decimal("1.00"), Decimal("0.00"), Decimal("0.00")
    )
    uploaded = (ours, phantom)
    day = _day(kept)
    request = StatementDetailRequest(
        clearing_agency=kept.clearing_agency,
        clearing_type=kept.clearing_type,
        begin=date.fromordinal(day.toordinal() - 1),
        end=date.fromordinal(day.toordinal() + 1),
        rows=uploaded,
        total=sum((r.total for r in uploaded), Decimal("0.00")),
        fund=sum((r.fund for r in uploaded), Decimal("0.00")),
        cash=kept.totals.cash + Decimal("1.00"),
    )
    journaled: list[str] = []

    def journal(infno: str, send: Callable[[str], T]) -> T:
        journaled.append(infno)
        return send(msgids())

    rows = client.statement_detail(CallContext(cashier), request, journal)

    assert journaled == ["9101", "3202"]  # the two calls that leave something on the platform

    by_setl = {row.settlement_id: row for row in rows}
    assert by_setl[kept.settlement_id].result == "0"
    assert by_setl[lost.settlement_id].result == "1"
    assert by_setl[lost.settlement_id].msgid == lost.msgid  # matched to the journal by msgid
    assert by_setl[lost.settlement_id].total == lost.totals.total
    assert by_setl["S404"].result == "2"
