"""The settlement path over real HTTP: the Qinghai seed case, accumulators, cancel and reversal."""

from __future__ import annotations

from decimal import Decimal

from helpers.sandbox_fixtures import SandboxClient, Visit, person, totals_of

from app.domain.settlement import check_totals
from app.sandbox import SandboxServer

H = "H11010500001"
QINGHAI_VISIT = [(f"{H}XY0022", "38.50", "2"), (f"{H}XY0028", "2.85", "2"), (f"{H}FW0011", "12.00", "1"),
                 (f"{H}FW0014", "20.00", "1"), (f"{H}XY0026", "32.93", "1"), (f"{H}FW0013", "32.00", "1")]  # fmt: skip


def test_qinghai_first_visit_settles_129_63_fund_and_50_cash(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open(QINGHAI_VISIT)
    assert visit.total() == Decimal("179.63")

    preview = visit.preview()
    settled = visit.settle()

    for result in (preview, settled):
        assert result["infcode"] == 0, result["err_msg"]
        info = result["output"]["setlinfo"]
        assert info["medfee_sumamt"] == Decimal("179.63")
        assert info["fund_pay_sumamt"] == Decimal("129.63")
        assert info["psn_cash_pay"] == Decimal("50.00")
        assert info["acct_pay"] == Decimal("0.00")
        assert info["act_pay_dedc"] == Decimal("50.00")
        assert check_totals(totals_of(info, result["output"]["setldetail"])) == []
    assert preview["output"]["setlinfo"]["setl_id"] is None
    assert settled["output"]["setlinfo"]["setl_id"]
    assert settled["output"]["setlinfo"]["medins_setl_id"] == settled["_msgid"]


def test_amounts_are_json_numbers_with_two_decimals(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    visit.open(QINGHAI_VISIT)
    envelope = sandbox_client.envelope("2207", {"data": visit.settle_data()}, visit.insuplc)
    text = sandbox_client.post(envelope).text
    assert '"fund_pay_sumamt":129.63' in text
    assert '"psn_cash_pay":50.00' in text


def test_second_visit_sees_the_deductible_used_by_the_first(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "马秀兰")
    first = Visit(sandbox_client, who)
    first.open(QINGHAI_VISIT)
    assert first.settle()["output"]["setlinfo"]["act_pay_dedc"] == Decimal("50.00")

    second = Visit(sandbox_client, who)
    second.open([(f"{H}XY0022", "38.50", "1")])
    info = second.settle()["output"]["setlinfo"]

    assert info["act_pay_dedc"] == Decimal("0.00")
    assert info["fund_pay_sumamt"] == Decimal("38.50")
    assert info["psn_cash_pay"] == Decimal("0.00")
    assert sandbox.accumulators(who["psn_no"])[0]["deductible_used"] == Decimal("50.00")


def test_cancel_restores_accumulators_and_mirrors_negative(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "马秀兰")
    visit = Visit(sandbox_client, who)
    visit.open(QINGHAI_VISIT)
    settled = visit.settle()["output"]["setlinfo"]

    cancelled = visit.cancel(settled["setl_id"])

    assert cancelled["infcode"] == 0, cancelled["err_msg"]
    mirror = cancelled["output"]["setlinfo"]
    assert mirror["setl_id"] != settled["setl_id"]
    assert mirror["medfee_sumamt"] == Decimal("-179.63")
    assert mirror["fund_pay_sumamt"] == Decimal("-129.63")
    assert mirror["psn_cash_pay"] == Decimal("-50.00")
    assert check_totals(totals_of(mirror), cancellation=True) == []
    assert all(
        a["deductible_used"] == 0 and a["fund_used"] == 0
        for a in sandbox.accumulators(who["psn_no"])
    )
    statuses = {row["setl_id"]: row["status"] for row in sandbox.ledger()}
    assert statuses == {settled["setl_id"]: "cancelled", mirror["setl_id"]: "valid"}
    again = visit.settle()
    assert again["output"]["setlinfo"]["fund_pay_sumamt"] == Decimal("129.63")


def test_reversal_of_settlement_restores_state_and_is_idempotent(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "马秀兰")
    visit = Visit(sandbox_client, who)
    visit.open(QINGHAI_VISIT)
    settled = visit.settle()

    first = visit.reverse(settled["_msgid"], "2207")
    second = visit.reverse(settled["_msgid"], "2207")

    assert first["infcode"] == 0, first["err_msg"]
    assert second["infcode"] == 0, second["err_msg"]
    ledger = sandbox.ledger()
    assert [row["status"] for row in ledger if row["infno"] == "2207"] == ["reversed"]
    assert [row["omsgid"] for row in ledger if row["infno"] == "2601"] == [settled["_msgid"]]
    assert sandbox.accumulators(who["psn_no"]) == []
    assert visit.settle()["output"]["setlinfo"]["act_pay_dedc"] == Decimal("50.00")


def test_reversal_of_cancellation_brings_the_settlement_back(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    who = person(sandbox, "马秀兰")
    visit = Visit(sandbox_client, who)
    visit.open(QINGHAI_VISIT)
    settled = visit.settle()
    setl_id = settled["output"]["setlinfo"]["setl_id"]
    cancelled = visit.cancel(setl_id)

    reversed_ = visit.reverse(cancelled["_msgid"], "2208")

    assert reversed_["infcode"] == 0, reversed_["err_msg"]
    statuses = {row["setl_id"]: row["status"] for row in sandbox.ledger() if row["infno"] != "2601"}
    assert statuses[setl_id] == "settled"
    assert sandbox.accumulators(who["psn_no"])[0]["fund_used"] == Decimal("129.63")
    again = visit.settle()
    assert "已结算" in again["err_msg"]


def test_reversal_of_unknown_message_says_original_missing(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "马秀兰"))
    result = visit.reverse(f"{H}202601010000009999", "2207")
    assert result["infcode"] == -1
    assert "原交易不存在" in result["err_msg"]


def test_employee_account_pays_the_share_when_allowed(
    sandbox: SandboxServer, sandbox_client: SandboxClient
) -> None:
    visit = Visit(sandbox_client, person(sandbox, "周伟"))
    visit.open([(f"{H}FW0023", "410.00", "1"), (f"{H}HC0002", "150.00", "1")])
    result = visit.settle(account=True)
    info = result["output"]["setlinfo"]
    assert info["acct_pay"] > 0
    assert info["balc"] == Decimal("8650.00") - info["acct_pay"]
    assert info["overlmt_selfpay"] == Decimal("20.00")
    assert check_totals(totals_of(info, result["output"]["setldetail"])) == []
