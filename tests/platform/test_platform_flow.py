"""Every transaction's happy path through PlatformClient against the sandbox over real HTTP."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from flow_helpers import QINGHAI_VISIT, card_of, identity, open_group

from app.domain.operator import Operator
from app.domain.person import InsuranceStatus
from app.domain.settlement import check_split, check_totals
from app.domain.visit import Credential, CredentialKind
from app.platform.client import PlatformClient
from app.sandbox import SandboxServer
from app.services.ports.platform import CallContext, CancelRequest, PlatformGateway, ReversalOutcome


def test_qinghai_seed_case_settles_129_63_fund_and_50_cash(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids
) -> None:
    group = open_group(client, sandbox, cashier, msgids, "马秀兰", items=QINGHAI_VISIT)
    assert group.total == Decimal("179.63")
    assert all(check_split(split) == [] for split in group.splits)
    assert [s.line_no for s in group.splits] == [line.line_no for line in group.lines]

    preview = client.pre_settle(group.ctx, group.settle_request())
    msgid = msgids()
    record = client.settle(group.ctx, msgid, group.settle_request())

    for totals in (preview, record.totals):
        assert (totals.total, totals.fund, totals.account, totals.cash) == (
            Decimal("179.63"), Decimal("129.63"), Decimal("0.00"), Decimal("50.00"),
        )  # fmt: skip
        assert check_totals(totals) == []
    assert record.msgid == msgid
    assert record.settlement_id
    assert record.visit_id == group.visit_id
    assert record.settled_at.tzinfo is not None
    ledger = [row for row in sandbox.ledger() if row["msgid"] == msgid]
    assert [row["setl_id"] for row in ledger] == [record.settlement_id]


def test_person_and_qualifications_keep_suspended_rows(
    client: PlatformClient, sandbox: SandboxServer, ctx: CallContext
) -> None:
    who = identity(sandbox, "孙玉梅")
    person = client.query_person(ctx, card_of(who))
    statuses = {row.insurance_type: row.status for row in person.insurances}
    assert statuses == {"310": InsuranceStatus.SUSPENDED, "390": InsuranceStatus.NORMAL}
    chosen = person.settlement_insurance()
    assert chosen is not None
    assert chosen.insurance_type == "390"
    qualifications = client.query_qualifications(
        CallContext(ctx.operator, chosen.insured_admdvs), person.person_no
    )
    assert [q.code for q in qualifications] == who["qualifications"]


def test_card_voucher_and_id_number_identify_the_same_person(
    client: PlatformClient, sandbox: SandboxServer, ctx: CallContext, cashier: Operator
) -> None:
    who = identity(sandbox, "张建国")
    voucher = client.decode_voucher(cashier, who["voucher_code"])
    by_voucher = client.query_person(ctx, Credential(CredentialKind.VOUCHER, voucher.ec_token))
    by_card = client.query_person(
        ctx, Credential(CredentialKind.CARD, who["card_no"], card_sn=who["card_sn"])
    )
    by_id = client.query_person(ctx, Credential(CredentialKind.ID_NUMBER, who["id_number"]))
    assert by_voucher.person_no == by_card.person_no == by_id.person_no == who["psn_no"]
    assert voucher.insured_admdvs == who["insuplc_admdvs"]


def test_cancel_then_clean_up_fees_and_registration(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids
) -> None:
    group = open_group(client, sandbox, cashier, msgids, "张建国", items=QINGHAI_VISIT[:2])
    record = client.settle(group.ctx, msgids(), group.settle_request())
    cancel_msgid = msgids()
    cancellation = client.cancel_settlement(
        group.ctx,
        cancel_msgid,
        CancelRequest(record.settlement_id, group.visit_id, group.person_no),
    )
    # The account balance after the cancellation is the restored balance, not a mirror.
    assert replace(cancellation.totals, balance_after=None) == replace(
        record.totals.negated(), balance_after=None
    )
    assert cancellation.original_settlement_id == record.settlement_id
    assert cancellation.settlement_id != record.settlement_id
    client.cancel_fees(group.ctx, msgids(), group.person_no, group.visit_id, "0000")
    client.cancel_registration(
        group.ctx, msgids(), group.person_no, group.visit_id, group.outpatient_no
    )
    queried = client.query_settlement(
        group.ctx, group.person_no, cancellation.settlement_id, group.visit_id
    )
    assert queried.total == -record.totals.total


def test_reversal_undoes_a_settlement_and_reports_nothing_to_undo_for_unknown_msgids(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids
) -> None:
    group = open_group(client, sandbox, cashier, msgids, "马秀兰", items=QINGHAI_VISIT)
    settle_msgid = msgids()
    client.settle(group.ctx, settle_msgid, group.settle_request())

    first = client.reverse(group.ctx, msgids(), group.person_no, settle_msgid, "2207")
    again = client.reverse(group.ctx, msgids(), group.person_no, settle_msgid, "2207")
    never_sent = client.reverse(group.ctx, msgids(), group.person_no, msgids(), "2207")

    assert (first, again, never_sent) == (
        ReversalOutcome.REVERSED, ReversalOutcome.REVERSED, ReversalOutcome.NOTHING_TO_UNDO,
    )  # fmt: skip
    statuses = {row["status"] for row in sandbox.ledger() if row.get("msgid") == settle_msgid}
    assert statuses == {"reversed"}


def test_sign_in_happens_once_per_operator_per_day(
    client: PlatformClient, sandbox: SandboxServer, ctx: CallContext
) -> None:
    who = identity(sandbox, "张建国")
    for _ in range(3):
        client.query_person(ctx, card_of(who))
    other = Operator(code="C0002", name="另一位收费员", role=ctx.operator.role)
    client.query_person(CallContext(other), card_of(who))
    assert sandbox.request_count("9001") == 2
    client.sign_out(other)
    assert sandbox.request_count("9002") == 1


def test_client_is_a_platform_gateway(client: PlatformClient) -> None:
    gateway: PlatformGateway = client
    assert gateway is client


@pytest.mark.parametrize("infno", ["1301", "1305", "1306"])
def test_catalogue_downloads_arrive_as_rows(
    client: PlatformClient, ctx: CallContext, infno: str
) -> None:
    page = client.download_catalogue(ctx, infno, "0")
    assert page.rows
    assert all(row["med_list_codg"] for row in page.rows)
    assert page.version


def test_catalogue_query_pages(client: PlatformClient, ctx: CallContext) -> None:
    first = client.query_catalogue(ctx, 1, 5)
    assert len(first.rows) == 5
    assert first.total_pages >= 2
    last = client.query_catalogue(ctx, first.total_pages, 5)
    assert last.rows
    assert {r["hilist_code"] for r in last.rows}.isdisjoint({r["hilist_code"] for r in first.rows})
