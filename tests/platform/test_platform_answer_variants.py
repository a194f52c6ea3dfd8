"""Issue #17 and #11.9 end to end: the sandbox speaks provincial dialects, the client settles.

The sandbox's ``variant`` fault rewrites every answer's shape (``""`` for empty amounts, a blank
fund row, the hospital's share in ``ownpay_hosp_part``, dates with times, no ``setl_time``, other
refusal wordings) without changing what it means. A valid settlement or cancellation must be
recorded, never turned into an unknown outcome (which would reverse it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flow_helpers import QINGHAI_VISIT, card_of, identity, open_group

from app.domain.operator import Operator
from app.platform.client import PlatformClient
from app.sandbox import SandboxServer
from app.sandbox.faults import FaultPlanError, parse_rule
from app.sandbox.variants import ANSWER_VARIANTS
from app.services.ports.platform import CallContext, CancelRequest, ReversalOutcome


def _speak(sandbox: SandboxServer, variant: str) -> None:
    sandbox.set_faults([{"infno": "*", "kind": "variant", "params": {"variant": variant}}])


def test_a_province_dialect_settles_and_cancels_with_the_same_money(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids
) -> None:
    _speak(sandbox, "province")
    group = open_group(client, sandbox, cashier, msgids, "马秀兰", items=QINGHAI_VISIT)
    preview = client.pre_settle(group.ctx, group.settle_request())
    before = datetime.now(UTC)
    record = client.settle(group.ctx, msgids(), group.settle_request())
    cancellation = client.cancel_settlement(
        group.ctx, msgids(), CancelRequest(record.settlement_id, group.visit_id, group.person_no)
    )

    for totals in (preview, record.totals):
        assert (totals.total, totals.fund, totals.account, totals.cash, totals.hospital) == (
            Decimal("179.63"), Decimal("129.63"), Decimal("0.00"), Decimal("50.00"), Decimal(0),
        )  # fmt: skip
        assert any("setldetail row" in note for note in totals.unread)
    assert [f.fund_type for f in record.totals.funds] == ["390100"]
    # No setl_time in the answers: the time the answer arrived stands in, and is noted.
    assert before - timedelta(seconds=1) <= record.settled_at <= datetime.now(UTC)
    assert any("setl_time" in note for note in record.totals.unread)
    assert cancellation.cancelled_at >= record.settled_at
    assert replace(cancellation.totals, balance_after=None, unread=()) == replace(
        record.totals.negated(), balance_after=None, unread=()
    )
    assert all(kind == "variant" for kind in (e["kind"] for e in sandbox.fault_log()))


@pytest.mark.parametrize("variant", ANSWER_VARIANTS)
def test_each_dialect_identifies_and_settles(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids, variant: str
) -> None:
    _speak(sandbox, variant)
    who = identity(sandbox, "张建国")
    person = client.query_person(CallContext(cashier), card_of(who))
    assert person.birth_date is not None
    assert person.birth_date.isoformat() == who["id_number"][6:14][:4] + "-" + (
        who["id_number"][10:12] + "-" + who["id_number"][12:14]
    )
    group = open_group(client, sandbox, cashier, msgids, "张建国", items=QINGHAI_VISIT[:2])
    record = client.settle(group.ctx, msgids(), group.settle_request())
    assert record.totals.total == group.total
    ledger = {row["setl_id"] for row in sandbox.ledger() if row["msgid"] == record.msgid}
    assert ledger == {record.settlement_id}


@pytest.mark.parametrize("variant", ["refusal_texts", None])
def test_reversing_a_cancelled_settlement_is_nothing_to_undo(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids, variant: str | None
) -> None:
    """Issue #17 item 4: 退费结算标志不为未退费 (and our sandbox's 已被撤销) mean nothing to undo."""
    group = open_group(client, sandbox, cashier, msgids, "马秀兰", items=QINGHAI_VISIT[:2])
    settle_msgid = msgids()
    record = client.settle(group.ctx, settle_msgid, group.settle_request())
    client.cancel_settlement(
        group.ctx, msgids(), CancelRequest(record.settlement_id, group.visit_id, group.person_no)
    )
    if variant is not None:
        _speak(sandbox, variant)
    outcome = client.reverse(group.ctx, msgids(), group.person_no, settle_msgid, "2207")
    assert outcome is ReversalOutcome.NOTHING_TO_UNDO
    statuses = {row["status"] for row in sandbox.ledger() if row.get("msgid") == settle_msgid}
    assert statuses == {"cancelled"}


def test_an_unknown_variant_is_refused_by_the_plan() -> None:
    with pytest.raises(FaultPlanError):
        parse_rule({"infno": "*", "kind": "variant", "params": {"variant": "klingon"}})
