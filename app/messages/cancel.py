"""Cancellations and partial refunds (``services/cancel.py``)."""

from __future__ import annotations

from app.messages import Template

BILL_NOT_FOUND = Template(
    "cancel.bill_not_found",
    zh="找不到该结算对应的账单。",
    en="The bill of this settlement was not found.",
)
REFUND_LINES = Template(
    "cancel.refund_lines",
    zh="退费明细必须是该结算组中的项目：{lines}",
    en="Refunded lines must be lines of this settlement's group: {lines}",
)
SETTLEMENT_NOT_FOUND = Template(
    "cancel.settlement_not_found",
    zh="找不到结算记录 {settlement_id}。",
    en="Settlement {settlement_id} was not found.",
)
ALREADY_CANCELLED = Template(
    "cancel.already_cancelled",
    zh="结算 {settlement_id} 已于 {cancelled_at} 在窗口 {window} 由 {operator} 撤销（撤销流水 "
    "{cancelled_by}），不能重复撤销。如患者仍有疑问，请在历史记录中查看该撤销。",
    en="Settlement {settlement_id} was already cancelled on {cancelled_at} at window {window} by "
    "{operator} (cancellation {cancelled_by}); it cannot be cancelled twice. Look that "
    "cancellation up in the history if the patient asks.",
)
ALREADY_CANCELLED_ELSEWHERE = Template(
    "cancel.already_cancelled_elsewhere",
    zh="结算 {settlement_id} 已在其他窗口撤销（撤销流水 {cancelled_by}），不能重复撤销。",
    en="Settlement {settlement_id} was already cancelled at another window (cancellation "
    "{cancelled_by}); it cannot be cancelled twice.",
)
UNKNOWN_REVERSED = Template(
    "cancel.unknown_reversed",
    zh="撤销结算时平台未返回明确结果。系统已自动冲正，原结算仍然有效，可稍后重新撤销。",
    en="The platform gave no definite answer to the cancellation. It was reversed automatically; "
    "the original settlement still stands and may be cancelled again later.",
)
UNKNOWN_PENDING = Template(
    "cancel.unknown_pending",
    zh="撤销结算时平台未返回明确结果。系统将自动冲正；处理完成前该账单已锁定，请勿退款给患者。",
    en="The platform gave no definite answer to the cancellation. It will be reversed "
    "automatically; until then the bill is locked: do not refund the patient.",
)
