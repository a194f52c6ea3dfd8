"""Settlement results: the per-line split (2204) and the totals (2206/2207/2208), with their identities.

The identities are interface.md Part B §2.7 (per line) and §5.1 (per settlement). A result that breaks
one is not a result: :func:`check_split` and :func:`check_totals` return the list of broken identities so
the platform client can turn them into an unknown outcome and the sandbox can assert on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.domain.money import ZERO, money_sum, round_money

FUND_TYPE_NAMES: dict[str, str] = {
    "310100": "职工基本医疗保险统筹基金",
    "310200": "职工基本医疗保险个人账户",
    "320100": "公务员医疗补助基金",
    "330100": "大额医疗费用补助基金",
    "390100": "城乡居民基本医疗保险基金",
    "390200": "城乡居民大病保险基金",
    "610100": "医疗救助基金",
    "999996": "医院负担",
    "999997": "其他基金",
}

ACCOUNT_FUND_TYPES = frozenset({"310200", "310201"})
HOSPITAL_FUND_TYPES = frozenset({"999996"})


def fund_type_name(code: str) -> str:
    """Display name of a ``fund_pay_type``; unknown codes are "other fund" (interface.md B §3.10)."""
    return FUND_TYPE_NAMES.get(code, f"其他基金（{code}）")


@dataclass(frozen=True)
class LineSplit:
    """The visiting place's split of one fee line (2204 ``result[]``)."""

    line_no: str
    amount: Decimal
    full_self_pay: Decimal
    over_limit: Decimal
    first_self_pay: Decimal
    in_scope: Decimal
    self_pay_ratio: Decimal
    item_class: str = ""
    restricted: bool = False
    note: str = ""


def full_self_pay_split(
    line_no: str, amount: Decimal, *, item_class: str = "", restricted: bool = False, note: str = ""
) -> LineSplit:
    """The split of a line the patient pays in full (丙类, refused, or a 全额自费 group)."""
    return LineSplit(
        line_no=line_no,
        amount=amount,
        full_self_pay=amount,
        over_limit=ZERO,
        first_self_pay=ZERO,
        in_scope=ZERO,
        self_pay_ratio=Decimal(1),
        item_class=item_class,
        restricted=restricted,
        note=note,
    )


def check_split(split: LineSplit) -> list[str]:
    """Broken per-line identities: amount = fulamt + overlmt + preselfpay + inscp; parts ≥ 0."""
    problems: list[str] = []
    full, over, first, scope = (
        split.full_self_pay,
        split.over_limit,
        split.first_self_pay,
        split.in_scope,
    )
    if min(full, over, first, scope, split.amount) < 0:
        problems.append(f"line {split.line_no}: negative part")
    if round_money(ZERO + full + over + first + scope) != split.amount:
        problems.append(f"line {split.line_no}: parts do not add up to the amount")
    if not ZERO <= split.self_pay_ratio <= 1:
        problems.append(f"line {split.line_no}: self-pay ratio outside 0..1")
    base = split.amount - full - over
    if round_money(base * split.self_pay_ratio) != first:
        problems.append(f"line {split.line_no}: first self-pay is not base × ratio")
    return problems


@dataclass(frozen=True)
class FundPayment:
    """One ``setldetail`` row: who paid how much."""

    fund_type: str
    amount: Decimal
    name: str = ""

    @property
    def display_name(self) -> str:
        """Platform name if given, else ours."""
        return self.name or fund_type_name(self.fund_type)


@dataclass(frozen=True)
class SettlementTotals:
    """The money of one settlement (2206 preview, 2207 settlement or 2208 cancellation)."""

    total: Decimal
    full_self_pay: Decimal
    over_limit: Decimal
    first_self_pay: Decimal
    in_scope: Decimal
    deductible: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal
    hospital: Decimal = ZERO
    pool_ratio: Decimal | None = None
    funds: tuple[FundPayment, ...] = ()
    balance_after: Decimal | None = None
    # Details of the platform's answer that could not be read although the totals balance (short
    # English, no personal data): the settlement stands, the day close lists them for a look.
    unread: tuple[str, ...] = ()

    @property
    def patient_share(self) -> Decimal:
        """psn_part_amt = account + cash."""
        return self.account + self.cash

    def negated(self) -> SettlementTotals:
        """The mirror image, as 2208 reports a cancellation."""
        return SettlementTotals(
            total=-self.total,
            full_self_pay=-self.full_self_pay,
            over_limit=-self.over_limit,
            first_self_pay=-self.first_self_pay,
            in_scope=-self.in_scope,
            deductible=-self.deductible,
            fund=-self.fund,
            account=-self.account,
            cash=-self.cash,
            hospital=-self.hospital,
            pool_ratio=self.pool_ratio,
            funds=tuple(FundPayment(f.fund_type, -f.amount, f.name) for f in self.funds),
            balance_after=self.balance_after,
            unread=self.unread,
        )


def full_self_pay_totals(amount: Decimal) -> SettlementTotals:
    """Totals of a full-self-pay collection: everything is the patient's cash."""
    return SettlementTotals(
        total=amount,
        full_self_pay=amount,
        over_limit=ZERO,
        first_self_pay=ZERO,
        in_scope=ZERO,
        deductible=ZERO,
        fund=ZERO,
        account=ZERO,
        cash=amount,
    )


NON_FUND_TYPES = ACCOUNT_FUND_TYPES | HOSPITAL_FUND_TYPES


def check_totals(
    totals: SettlementTotals,
    *,
    cancellation: bool = False,
    non_fund_types: frozenset[str] = NON_FUND_TYPES,
) -> list[str]:
    """Broken settlement identities of interface.md Part B §5.1: the balance, then the details.

    * total = fund + account + cash + hospital, each with the sign of the total (the balance)
    * total = fulamt + overlmt + preselfpay + inscp, with the same sign (the split)
    * fund-type rows that are funds (not in ``non_fund_types``) add up to ``fund`` (when given)
    """
    return check_balance(totals, cancellation=cancellation) + check_details(
        totals, cancellation=cancellation, non_fund_types=non_fund_types
    )


def check_balance(totals: SettlementTotals, *, cancellation: bool = False) -> list[str]:
    """What says what was settled: total = fund + account + cash + hospital, signs right.

    Non-negative for settlements, non-positive for 2208 cancellations.
    """
    problems: list[str] = []
    sign = Decimal(-1) if cancellation else Decimal(1)
    amounts = (totals.total, totals.fund, totals.account, totals.cash, totals.hospital)
    if any(amount * sign < 0 for amount in amounts):
        problems.append("an amount has the wrong sign")
    if money_sum((totals.fund, totals.account, totals.cash, totals.hospital)) != totals.total:
        problems.append("fund + account + cash + hospital does not equal the total")
    return problems


def check_details(
    totals: SettlementTotals,
    *,
    cancellation: bool = False,
    non_fund_types: frozenset[str] = NON_FUND_TYPES,
) -> list[str]:
    """The breakdown behind a balanced settlement: split parts, deductible, fund rows, pool ratio."""
    problems: list[str] = []
    sign = Decimal(-1) if cancellation else Decimal(1)
    parts = (totals.full_self_pay, totals.over_limit, totals.first_self_pay, totals.in_scope)
    if any(amount * sign < 0 for amount in (*parts, totals.deductible)):
        problems.append("a split amount has the wrong sign")
    if money_sum(parts) != totals.total:
        problems.append("split totals do not add up to the total")
    fund_rows = [f.amount for f in totals.funds if f.fund_type not in non_fund_types]
    if totals.funds and money_sum(fund_rows) != totals.fund:
        problems.append("fund rows do not add up to the fund total")
    if totals.pool_ratio is not None and not ZERO <= totals.pool_ratio <= 1:
        problems.append("pool ratio outside 0..1")
    return problems


@dataclass(frozen=True)
class SettlementRecord:
    """A settlement the platform confirmed (2207), as kept for receipts and reconciliation."""

    settlement_id: str
    visit_id: str
    msgid: str
    med_type: str
    disease_code: str | None
    insurance_type: str
    settled_at: datetime
    totals: SettlementTotals
    splits: tuple[LineSplit, ...]
    clearing_agency: str = ""
    clearing_way: str = ""
    clearing_type: str = ""


def preview_differences(preview: SettlementTotals, final: SettlementTotals) -> list[str]:
    """Fields where the 2207 result differs from its 2206 preview (recorded and shown, never silent)."""
    names: Sequence[str] = ("total", "fund", "account", "cash", "hospital", "deductible")
    return [name for name in names if getattr(preview, name) != getattr(final, name)]
