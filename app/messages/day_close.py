"""The day close: 3201/3202 reconciliation (``services/day_close.py``)."""

from __future__ import annotations

from app.messages import Template

KIND_BALANCED = Template("day_close.kind_balanced", zh="对平", en="balanced")
KIND_CENTRE_ONLY = Template(
    "day_close.kind_centre_only",
    zh="中心多（平台有、本院无）",
    en="centre only (on the platform, not here)",
)
KIND_HOSPITAL_ONLY = Template(
    "day_close.kind_hospital_only",
    zh="医药机构多（本院有、平台无）",
    en="hospital only (here, not on the platform)",
)
KIND_AMOUNTS_DIFFER = Template(
    "day_close.kind_amounts_differ", zh="金额不一致", en="amounts differ"
)

BALANCED = Template(
    "day_close.balanced",
    zh="{day} 日结对账平衡，共 {groups} 个对账组。",
    en="The day close of {day} balances: {groups} statement groups.",
)
UNBALANCED = Template(
    "day_close.unbalanced",
    zh="{day} 日结对账不平：{unbalanced} 个对账组不平，明细差异 {discrepancies} 笔，请收费主管核对。",
    en="The day close of {day} does not balance: {unbalanced} statement groups differ, "
    "{discrepancies} detail differences; a supervisor must check them.",
)
UNREAD_ANSWERS = Template(
    "day_close.unread_answers",
    zh="另有 {count} 笔医保答复中有未能读取的明细（结算有效、金额平衡，已入账），请在审计日志中核对。",
    en=" Also, {count} platform answers had details that could not be read (the settlements stand, "
    "the amounts balance, they are booked); check them in the audit log.",
)
RECOVERY_PENDING = Template(
    "day_close.recovery_pending",
    zh="还有 {count} 笔医保交易结果未确认，不能日结。请先完成恢复处理"
    "（journal resolve 或在“交易流水”中处理）后再日结。",
    en="{count} platform calls have an unconfirmed outcome, so the day cannot be closed. Finish "
    "recovery first (journal resolve, or in the journal tab), then close the day.",
)
STEP_TOTAL = Template(
    "day_close.step_total",
    zh="总额对账（3201）险种 {insutype}",
    en="Totals check (3201), insurance {insutype}",
)
STEP_DETAIL = Template(
    "day_close.step_detail",
    zh="明细对账（9101 上传、3202）",
    en="Detail check (9101 upload, 3202)",
)
STEP_SAVE = Template("day_close.step_save", zh="保存日结结果", en="Saving the day close")
NO_LOCAL_JOURNAL = Template(
    "day_close.no_local_journal", zh="本地无流水", en="no local journal row"
)
