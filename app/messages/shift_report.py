"""The shift report (``domain/shift_report.py``, ``services/shift_report.py``)."""

from __future__ import annotations

from app.messages import Template

ENTRY_SETTLEMENT = Template("shift_report.entry_settlement", zh="医保结算", en="insured settlement")
ENTRY_RESETTLEMENT = Template(
    "shift_report.entry_resettlement", zh="部分退费重结", en="settled again after a partial refund"
)
ENTRY_CANCELLATION = Template(
    "shift_report.entry_cancellation", zh="结算撤销", en="settlement cancelled"
)
ENTRY_PARTIAL_REFUND = Template(
    "shift_report.entry_partial_refund", zh="部分退费撤销", en="cancelled for a partial refund"
)
ENTRY_SELF_PAY = Template("shift_report.entry_self_pay", zh="全额自费收款", en="full self-pay")
ENTRY_SELF_PAY_REFUND = Template(
    "shift_report.entry_self_pay_refund", zh="全额自费退款", en="full self-pay refunded"
)
RECONCILED_BALANCED = Template(
    "shift_report.reconciled_balanced", zh="已日结，对账平衡", en="day closed, balanced"
)
RECONCILED_UNBALANCED = Template(
    "shift_report.reconciled_unbalanced", zh="已日结，对账不平", en="day closed, not balanced"
)
NOT_CLOSED = Template("shift_report.not_closed", zh="尚未日结对账", en="day not closed yet")
CHANGED_AFTER_CLOSE = Template(
    "shift_report.changed_after_close",
    zh="日结后又有 {count} 笔变动（合计 ¥{total}），日结结果不再覆盖全天，请重新日结",
    en=(
        "{count} record(s) made after the day close (total ¥{total}): the day close no longer"
        " covers the whole day; close the day again"
    ),
)
RECEIPT_RANGE = Template(
    "shift_report.receipt_range",
    zh="{first} 至 {last}（{count} 张）",
    en="{first} to {last} ({count})",
)
ONLY_OWN = Template(
    "shift_report.only_own",
    zh="收费员只能查看和打印本人的交班表；查看他人的交班表请由收费主管操作。",
    en="A cashier may see and print only their own shift report; a supervisor shows others'.",
)
NO_REPORT_FOR_ROLE = Template(
    "shift_report.no_report_for_role",
    zh="当前岗位（{role}）没有交班表，请联系收费主管。",
    en="This role ({role}) has no shift report; ask a supervisor.",
)
BAD_CLOCK_TIME = Template(
    "shift_report.bad_clock_time",
    zh="{what}格式不对：{text}，应为 HH:MM（例如 08:00）。",
    en="{what} is not valid: {text}; it should be HH:MM (e.g. 08:00).",
)
