"""Settling a visit group by group (``services/settlement/``, ``services/engine.py``,
``domain/plan.py``)."""

from __future__ import annotations

from app.messages import Template

STALE_ELIGIBILITY = Template(
    "settlement.stale_eligibility",
    zh="当前为离线缓存信息，不能用于结算。请待医保平台恢复后重新读卡查询。",
    en="This is cached offline information and cannot be settled. Read the card again when the "
    "platform is back.",
)
LINE_NOT_IN_CATALOGUE = Template(
    "settlement.line_not_in_catalogue",
    zh="第 {line_no} 行的院内编码 {code} 不在本地目录中，"
    "且未给出国家编码和名称。请由收费主管或系统管理员先导入院内目录"
    "（settlement-window catalog import 目录文件；catalog sync 只更新已导入项目的"
    "医保属性），或在账单中写明 national_code 和 name。",
    en="Line {line_no}: the hospital code {code} is not in the local catalogue and the line gives "
    "no national code and name. A supervisor or administrator imports the hospital catalogue "
    "first (settlement-window catalog import FILE; catalog sync only updates the insurance "
    "attributes of imported items), or the bill names national_code and name.",
)
NOT_SELF_PAY = Template(
    "settlement.not_self_pay",
    zh="该组不是全额自费组。",
    en="This group is not a full self-pay group.",
)
BILL_LOCKED = Template(
    "settlement.bill_locked",
    zh="该账单有一笔医保交易结果尚未确认，系统正在自动处理（冲正/撤销）。"
    "处理完成前不能再次结算，请勿向患者重复收费。",
    en="A platform call of this bill has an unconfirmed outcome and is being resolved "
    "automatically (reversal/withdrawal). Until then it cannot be settled again: do not charge "
    "the patient twice.",
)
RECOVERY_PENDING = Template(
    "settlement.recovery_pending",
    zh="还有 {count} 笔医保交易结果未确认，需先完成自动恢复处理"
    "（或由收费主管在“交易流水”中处理）后才能开始新的结算。",
    en="{count} platform calls have an unconfirmed outcome; recovery must finish first (or a "
    "supervisor handles them in the journal tab) before a new settlement starts.",
)
BILL_NOT_FOUND = Template(
    "settlement.bill_not_found", zh="找不到账单 {bill_id}。", en="Bill {bill_id} was not found."
)
GROUP_NOT_FOUND = Template(
    "settlement.group_not_found",
    zh="找不到账单 {bill_id} 的结算组 {group_key}。",
    en="Bill {bill_id} has no settlement group {group_key}.",
)
GROUP_RESOLVED = Template(
    "settlement.group_resolved",
    zh="平台未返回明确结果，系统已自动冲正/撤销，本组未扣款，可重新结算。",
    en="The platform gave no definite answer; the call was reversed/withdrawn automatically, "
    "nothing was charged for this group, and it may be settled again.",
)
PERSON_MISSING = Template(
    "settlement.person_missing",
    zh="内部错误：找不到该患者的查询记录，请重新读卡。",
    en="Internal error: this patient's query record was not found; read the card again.",
)
NOT_PREVIEWED = Template(
    "settlement.not_previewed",
    zh="该组尚未预结算，请先预结算再确认。",
    en="This group has not been pre-settled; pre-settle it before confirming.",
)

# services/engine.py
OPERATOR_UNKNOWN = Template(
    "settlement.operator_unknown",
    zh="工号 {code} 不存在或已停用，请联系系统管理员。",
    en="Operator {code} does not exist or is disabled; contact the administrator.",
)
OFFLINE = Template(
    "settlement.offline",
    zh="医保平台不可用，不能结算。",
    en="The platform is unavailable; nothing can be settled.",
)
VISITS_OPEN = Template(
    "settlement.visits_open",
    zh="还有 {open} 个医保就诊登记既未结算也未撤销（{busy} 个正在收费程序中办理，"
    "{failed} 个撤销暂未得到平台答复），不能日结。请待这些结算完成后再日结，或稍后重试。",
    en="{open} visit registrations are neither settled nor withdrawn ({busy} in use in a cashier "
    "program, {failed} withdrawals without a platform answer yet), so the day cannot be closed. "
    "Close the day when those settlements are finished, or try again later.",
)
