"""Readable Chinese text of the services' results for the console."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.domain.money import format_yuan, money_sum

if TYPE_CHECKING:  # annotations only: a command imports the services it runs, not every command's
    from app.domain.catalogue import CatalogueItem
    from app.domain.settlement import SettlementTotals
    from app.services.day_close import DayCloseReport
    from app.services.eligibility import EligibilityView
    from app.services.recovery import QueueRow
    from app.services.settlement import BillResult, GroupResult

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
ZERO_YUAN = Decimal("0.00")

GROUP_STATE_LABELS = {
    "planned": "待结算",
    "registered": "已登记",
    "visit_uploaded": "已上传就诊信息",
    "fees_uploaded": "已上传明细",
    "previewed": "已预结算",
    "settled": "已结算",
    "failed": "未结算（失败）",
    "unknown": "结果未知（自动处理中，请勿重复收费）",
    # Headless, nothing was collected: the cashier still has to take the cash shown.
    "self_pay_collected": "全额自费（应收现金，未经医保）",
    "cancelled": "已撤销",
}


def eligibility_text(view: EligibilityView) -> str:
    """The patient's identity, insurance and qualifications."""
    person = view.person
    lines = [
        f"姓名：{person.name}    证件号：{view.masked_id}    人员编号：{person.person_no}",
    ]
    if view.from_cache:
        lines.append(f"【离线缓存】{view.notice}")
    row = view.settlement_insurance
    if row is None:
        lines.append("参保：无正常参保的基本医疗保险，不能直接结算。")
    else:
        scope = "跨省异地" if view.cross_province else "本省（不属跨省直接结算）"
        lines.append(f"参保：{row.type_name}，参保地 {view.insured_province}（{scope}）")
    for q in view.qualifications:
        marks = [q.state_label, "试点病种" if q.pilot else "非跨省试点病种"]
        marks.append("本院已开通" if q.opened_here else "本院未开通")
        until = q.valid_to.isoformat() if q.valid_to else "长期"
        lines.append(
            f"  门慢资格 {q.code} {q.name}：{q.valid_from}～{until}，{'，'.join(marks)}"
            + ("  → 可直接结算" if q.settleable else "")
        )
    if not view.qualifications:
        lines.append("  无门诊慢特病资格记录。")
    return "\n".join(lines)


def totals_text(totals: SettlementTotals) -> str:
    """``总额 T = 统筹基金 F + 个人账户 A + 现金 C`` (+ 医院负担 when the hospital carries a part)."""
    return split_text(totals.total, totals.fund, totals.account, totals.cash, totals.hospital)


def split_text(
    total: Decimal, fund: Decimal, account: Decimal, cash: Decimal, hospital: Decimal
) -> str:
    """The one way every summary shows money: the parts that add up to the total."""
    text = (
        f"总额 {format_yuan(total)} = 统筹基金 {format_yuan(fund)} + "
        f"个人账户 {format_yuan(account)} + 现金 {format_yuan(cash)}"
    )
    if hospital:
        text += f" + 医院负担 {format_yuan(hospital)}"
    return text


def group_text(group: GroupResult) -> str:
    """One group with its state, money and reasons."""
    state = GROUP_STATE_LABELS.get(group.state.value, group.state.value)
    lines = [f"[{group.label}] {len(group.line_nos)} 项，金额 {format_yuan(group.total)}：{state}"]
    if group.totals is not None:
        lines.append("    " + totals_text(group.totals))
        if group.settlement_id:
            lines.append(f"    结算号 {group.settlement_id}")
    elif group.preview is not None:
        lines.append("    预结算：" + totals_text(group.preview))
    if group.preview_differences:
        lines.append(
            "    注意：正式结算与预结算不一致（" + "、".join(group.preview_differences) + "），"
            "以正式结算为准。"
        )
    if group.reason:
        lines.append(f"    原因：{group.reason}")
    if group.failure and group.state.value != "settled":
        lines.append(f"    说明：{group.failure}")
    return "\n".join(lines)


def bill_text(bill: BillResult) -> str:
    """A bill with every group, the split fund + account + cash = total, and the cash due."""
    lines = [f"账单 {bill.bill_id}，合计 {format_yuan(bill.total)} 元"]
    lines.extend(group_text(g) for g in bill.groups)
    lines.append(money_summary(bill))
    return "\n".join(lines)


def money_summary(bill: BillResult) -> str:
    """What was settled as fund + account + cash (= its total), what is left unsettled, and the
    cash the patient must now be asked for (self-pay groups included: nothing was collected here).
    """
    split = settled_split(bill)
    text = "已结算：" + split_text(
        split["total"], split["fund"], split["account"], split["cash"], split["hospital"]
    )
    left = bill.total - split["total"]
    if left:
        text += f"；另有 {format_yuan(left)} 元未结算"
    return text + f"。\n应向患者收取现金 {format_yuan(split['cash'])} 元。"


def settled_split(bill: BillResult) -> dict[str, Decimal]:
    """Total, fund, account, cash and hospital share over the bill's settled or collected groups."""
    done = [g.totals for g in bill.groups if g.totals is not None]
    return {
        name: money_sum(getattr(t, name) for t in done)
        for name in ("total", "fund", "account", "cash", "hospital")
    }


def journal_text(rows: Sequence[QueueRow]) -> str:
    """Unresolved journal rows."""
    if not rows:
        return "没有未确认的医保交易。"
    lines = [f"未确认的医保交易 {len(rows)} 笔："]
    for row in rows:
        amount = format_yuan(row.amount) if row.amount is not None else "-"
        when = row.created_at.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M:%S")
        state = row.state.value
        if row.awaiting:  # hospital mode: may be resolved elsewhere; not reversed here meanwhile
            state = (
                f"正由窗口 {row.awaiting_window} 处理" if row.awaiting_window else "等待医院服务器"
            )
        lines.append(
            f"  {row.msgid}  {row.infno}  {state}  金额 {amount}  人员 {row.masked_person_no}"
            f"  {when}  尝试 {row.attempts} 次  {row.last_error}"
        )
    return "\n".join(lines)


def day_close_text(report: DayCloseReport) -> str:
    """Reconciliation groups, discrepancies and the shift report."""
    lines = [report.summary()]
    for g in report.groups:
        verdict = "平" if g.balanced else "不平"
        lines.append(
            f"  险种 {g.insurance_type} 清算类别 {g.clearing_type} 经办机构 {g.clearing_agency}："
            f"{g.count} 笔，总额 {format_yuan(g.total)}，基金 {format_yuan(g.fund)}，{verdict}"
        )
    for d in report.discrepancies:
        lines.append(
            f"  差异：{d.kind.label}  结算号 {d.settlement_id}  报文 {d.msgid or '-'}  "
            f"总额 {format_yuan(d.total)}  本地流水 {d.journal_state}"
        )
    shift = report.shift
    lines.append("交班汇总（含撤销、部分退费、自费收退款，金额带符号）：")
    for line in shift.lines:
        split = split_text(line.total, line.fund, line.account, line.cash, ZERO_YUAN)
        lines.append(f"  {line.operator_code}  {line.kind.label}  {line.count} 笔  {split}")
    lines.append(
        "  合计："
        + split_text(shift.total, shift.fund, shift.account, shift.cash, ZERO_YUAN)
        + f"；已冲正 {shift.reversals} 笔（未扣款）"
    )
    return "\n".join(lines)


def items_text(items: Sequence[CatalogueItem]) -> str:
    """Search results."""
    if not items:
        return "未找到匹配的项目。"
    return "\n".join(
        f"{i.hospital_code}  {i.national_code}  {i.name}  {i.spec}  {format_yuan(i.unit_price)}  "
        f"{i.item_class.label}"
        for i in items
    )
