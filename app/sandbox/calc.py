"""The arithmetic: the visiting place's per-line split (B §2.7) and the insured place's settlement (B §5.2).

Pure functions over Decimal; every result satisfies the identities checked by
:func:`app.domain.settlement.check_split` and :func:`app.domain.settlement.check_totals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.money import ZERO, money_sum, round_money
from app.domain.settlement import FundPayment, LineSplit, SettlementTotals, full_self_pay_split
from app.sandbox.data import CatalogueItem, PolicyRule

FULL_SELF_PAY_CLASS = "03"
NOT_APPROVED = "2"
ACCOUNT_FUND_TYPE = "310200"
FUND_TYPE_NAMES = {
    "310100": "职工基本医疗保险统筹基金",
    "390100": "城乡居民基本医疗保险基金",
    "310200": "职工基本医疗保险个人账户",
}


def split_line(
    line_no: str,
    item: CatalogueItem,
    amount: Decimal,
    price: Decimal,
    quantity: Decimal,
    *,
    hosp_appr_flag: str,
) -> LineSplit:
    """Split one fee line: 全自费 → 超限价 → 先行自付 → 符合范围, each rounded half up to the fen."""
    if item.chrgitm_lv == FULL_SELF_PAY_CLASS:
        return _full_self_pay(line_no, item, amount, "丙类项目，全额自费")
    if item.restricted and hosp_appr_flag == NOT_APPROVED:
        return _full_self_pay(line_no, item, amount, "限制使用项目未审批，全额自费")
    over_limit = ZERO
    if item.price_ceiling is not None and price > item.price_ceiling:
        over_limit = min(amount, round_money((price - item.price_ceiling) * quantity))
    base = amount - over_limit
    first_self_pay = round_money(base * item.selfpay_prop)
    return LineSplit(
        line_no=line_no,
        amount=amount,
        full_self_pay=ZERO,
        over_limit=over_limit,
        first_self_pay=first_self_pay,
        in_scope=base - first_self_pay,
        self_pay_ratio=item.selfpay_prop,
        item_class=item.chrgitm_lv,
        restricted=item.restricted,
        note="超出限价部分自付" if over_limit else "",
    )


def _full_self_pay(line_no: str, item: CatalogueItem, amount: Decimal, note: str) -> LineSplit:
    return full_self_pay_split(
        line_no, amount, item_class=item.chrgitm_lv, restricted=item.restricted, note=note
    )


@dataclass(frozen=True)
class YearToDate:
    """What this person has used this year of one benefit (deductible, fund payments)."""

    deductible_used: Decimal = ZERO
    fund_used: Decimal = ZERO


@dataclass(frozen=True)
class SettlementResult:
    """Totals plus what the platform reports beside them."""

    totals: SettlementTotals
    payable_limit: Decimal
    trace: str


def settle(
    lines: Sequence[LineSplit],
    rule: PolicyRule,
    used: YearToDate,
    *,
    fund_pay_type: str,
    account_balance: Decimal,
    account_allowed: bool,
) -> SettlementResult:
    """Compute one settlement under the insured place's rule (interface.md B §5.2).

    Args:
        lines: the batch's per-line splits.
        rule: deductible, ratio and annual cap of the benefit.
        used: this year's deductible and fund already used for the benefit.
        fund_pay_type: the pooled fund's ``fund_pay_type``.
        account_balance: personal-account balance before this settlement.
        account_allowed: the hospital asked for the account and the insured place allows it here.
    """
    total = money_sum(line.amount for line in lines)
    in_scope = money_sum(line.in_scope for line in lines)
    deductible_left = max(ZERO, rule.deductible - used.deductible_used)
    deductible = min(in_scope, deductible_left)
    cap_left = max(ZERO, rule.annual_cap - used.fund_used)
    fund = min(round_money((in_scope - deductible) * rule.ratio), cap_left)
    share = total - fund
    account = min(share, account_balance) if account_allowed else ZERO
    account = max(ZERO, account)
    funds = [FundPayment(fund_pay_type, fund, FUND_TYPE_NAMES.get(fund_pay_type, ""))]
    if account:
        funds.append(FundPayment(ACCOUNT_FUND_TYPE, account, FUND_TYPE_NAMES[ACCOUNT_FUND_TYPE]))
    totals = SettlementTotals(
        total=total,
        full_self_pay=money_sum(line.full_self_pay for line in lines),
        over_limit=money_sum(line.over_limit for line in lines),
        first_self_pay=money_sum(line.first_self_pay for line in lines),
        in_scope=in_scope,
        deductible=deductible,
        fund=fund,
        account=account,
        cash=share - account,
        pool_ratio=rule.ratio,
        funds=tuple(funds),
        balance_after=account_balance - account,
    )
    trace = (
        f"符合范围 {in_scope}；本年起付线 {rule.deductible}，已用 {used.deductible_used}，本次 {deductible}；"
        f"支付比例 {rule.ratio}；年度限额 {rule.annual_cap}，已用 {used.fund_used}，本次基金 {fund}"
        "（虚构政策，仅供培训测试）"
    )
    return SettlementResult(totals=totals, payable_limit=cap_left, trace=trace)
