"""Properties: the split identity and the settlement identities hold for random baskets and policies."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from helpers.sandbox_fixtures import SandboxClient, Visit, person, totals_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.money import ZERO, line_amount, money_sum, round_money
from app.domain.settlement import LineSplit, check_split, check_totals
from app.sandbox import SandboxServer
from app.sandbox.calc import YearToDate, settle, split_line
from app.sandbox.data import POLICIES_FILE, CatalogueItem, PolicyRule, load_catalogue

CATALOGUE = load_catalogue()
ITEMS = sorted(CATALOGUE.items.values(), key=lambda item: item.medins_list_codg)

money = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("20000.00"), places=2)
ratios = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=4)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
counts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("60"), places=4)


@st.composite
def catalogue_items(draw: st.DrawFn) -> CatalogueItem:
    """A random catalogue entry (any class, ratio, ceiling, restriction)."""
    base = draw(st.sampled_from(ITEMS))
    ceiling = draw(st.none() | prices)
    return CatalogueItem(
        **{**base.__dict__, "chrgitm_lv": draw(st.sampled_from(["01", "02", "03"])),
           "selfpay_prop": draw(ratios), "price_ceiling": ceiling, "restricted": draw(st.booleans())}
    )  # fmt: skip


@given(
    item=catalogue_items(), price=prices, count=counts, approval=st.sampled_from(["0", "1", "2"])
)
def test_every_line_split_satisfies_the_identity(
    item: CatalogueItem, price: Decimal, count: Decimal, approval: str
) -> None:
    amount = line_amount(price, count)
    split = split_line("1", item, amount, price, count, hosp_appr_flag=approval)
    assert check_split(split) == []
    if item.chrgitm_lv == "03":
        assert split.full_self_pay == amount


@st.composite
def baskets(draw: st.DrawFn) -> list[LineSplit]:
    """Random splits as 2204 would produce them."""
    lines = []
    for number in range(draw(st.integers(1, 12))):
        price, count = draw(prices), draw(st.integers(1, 20))
        amount = line_amount(price, Decimal(count))
        lines.append(
            split_line(
                str(number),
                draw(catalogue_items()),
                amount,
                price,
                Decimal(count),
                hosp_appr_flag="1",
            )
        )
    return lines


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=baskets(),
    rule=st.builds(PolicyRule, deductible=money, ratio=ratios, annual_cap=money),
    used=st.builds(YearToDate, deductible_used=money, fund_used=money),
    balance=money,
    allowed=st.booleans(),
)
def test_every_settlement_satisfies_the_identities(
    lines: list[LineSplit], rule: PolicyRule, used: YearToDate, balance: Decimal, allowed: bool
) -> None:
    result = settle(
        lines, rule, used, fund_pay_type="310100", account_balance=balance, account_allowed=allowed
    )
    totals = result.totals
    assert check_totals(totals) == []
    assert totals.total == money_sum(line.amount for line in lines)
    assert totals.deductible <= max(ZERO, rule.deductible - used.deductible_used)
    assert totals.fund <= max(ZERO, rule.annual_cap - used.fund_used)
    assert totals.fund == min(
        round_money((totals.in_scope - totals.deductible) * rule.ratio),
        max(ZERO, rule.annual_cap - used.fund_used),
    )
    assert totals.account <= (balance if allowed else ZERO)
    assert check_totals(totals.negated(), cancellation=True) == []


SETTLEABLE = (
    "马秀兰",
    "张建国",
    "李淑芬",
    "周伟",
    "吴秀珍",
    "赵龘",
    "林𠈌",
    "孙玉梅",
    "郑国华",
    "韩德福",
)


def _policy_with(rule: dict[str, str], account: bool) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(POLICIES_FILE.read_text(encoding="utf-8"))
    for region in data["regions"].values():
        region["account_cross_province"] = account
        for insurance in region["insutypes"].values():
            insurance["general"] = rule
            insurance["chronic_default"] = rule
            insurance["chronic"] = {}
    return data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(SETTLEABLE),
    picks=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 5)), min_size=1, max_size=8),
    rule=st.fixed_dictionaries(
        {"deductible": money.map(str), "ratio": ratios.map(str), "annual_cap": money.map(str)}
    ),
    options=st.tuples(st.booleans(), st.integers(1, 2)),
)
def test_settlements_over_http_satisfy_the_identities(
    sandbox_server: SandboxServer,
    name: str,
    picks: list[tuple[int, int]],
    rule: dict[str, str],
    options: tuple[bool, int],
) -> None:
    account, visits = options
    sandbox_server.reset()
    sandbox_server.load_policies(_policy_with(rule, account))
    client = SandboxClient(sandbox_server)
    try:
        who = person(sandbox_server, name)
        med_type = "14" if who["qualifications"] else "11"
        disease = who["qualifications"][0] if med_type == "14" else ""
        if disease:
            allowed = [i for i in ITEMS if disease in i.diseases or "general" in i.diseases]
        else:
            allowed = [i for i in ITEMS if "general" in i.diseases]
        fund_total = ZERO
        for _ in range(visits):
            visit = Visit(client, who, med_type=med_type, disease=disease)
            visit.open(
                [
                    (
                        allowed[index % len(allowed)].medins_list_codg,
                        str(allowed[index % len(allowed)].price),
                        str(count),
                    )
                    for index, count in picks
                ]
            )
            result = visit.settle(account=account)
            assert result["infcode"] == 0, result["err_msg"]
            info = result["output"]["setlinfo"]
            assert info["medfee_sumamt"] == visit.total()
            assert check_totals(totals_of(info, result["output"]["setldetail"])) == []
            fund_total += info["fund_pay_sumamt"]
        assert fund_total <= Decimal(rule["annual_cap"])
        used = sandbox_server.accumulators(who["psn_no"])
        assert sum((row["fund_used"] for row in used), ZERO) == fund_total
        assert sum((row["deductible_used"] for row in used), ZERO) <= Decimal(rule["deductible"])
    finally:
        client.close()
        sandbox_server.reset()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    counts=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    undo=st.lists(
        st.sampled_from(["cancel", "reverse", "cancel_reverse_cancellation_then_reverse"]),
        min_size=4,
        max_size=4,
    ),
)
def test_undoing_every_settlement_restores_the_first_figures(
    sandbox_server: SandboxServer, counts: list[int], undo: list[str]
) -> None:
    sandbox_server.reset()
    client = SandboxClient(sandbox_server)
    try:
        who = person(sandbox_server, "马秀兰")
        done = []
        for count in counts:
            visit = Visit(client, who)
            visit.open([("H11010500001XY0022", "38.50", str(count))])
            done.append((visit, visit.settle()))
        for (visit, settled), how in zip(done, undo, strict=False):
            setl_id = settled["output"]["setlinfo"]["setl_id"]
            if how == "cancel":
                assert visit.cancel(setl_id)["infcode"] == 0
            elif how == "reverse":
                assert visit.reverse(settled["_msgid"], "2207")["infcode"] == 0
            else:
                cancelled = visit.cancel(setl_id)
                assert visit.reverse(cancelled["_msgid"], "2208")["infcode"] == 0
                assert visit.reverse(settled["_msgid"], "2207")["infcode"] == 0  # in force again
                assert "已冲正" in visit.cancel(setl_id)["err_msg"]
        used = sandbox_server.accumulators(who["psn_no"])
        assert all(row["deductible_used"] == 0 and row["fund_used"] == 0 for row in used)
        fresh = Visit(client, who)
        fresh.open([("H11010500001XY0022", "38.50", str(counts[0]))])
        again = fresh.settle()["output"]["setlinfo"]
        first = done[0][1]["output"]["setlinfo"]
        for name in (
            "medfee_sumamt",
            "act_pay_dedc",
            "fund_pay_sumamt",
            "acct_pay",
            "psn_cash_pay",
        ):
            assert again[name] == first[name]
    finally:
        client.close()
        sandbox_server.reset()
