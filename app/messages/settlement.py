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

# domain/plan.py: why each line goes to its group (rules 1-6), shown before anything is sent
SELF_PAY_SUFFIX = Template(
    "settlement.self_pay_suffix",
    zh="{why}本次需全额自付，可持收据回参保地按规定申请手工报销。",
    en="{why} This time it is paid in full; the patient may claim it back at the insured place "
    "with the receipt.",
)
NO_INSURANCE = Template(
    "settlement.no_insurance",
    zh="平台未返回该参保人正常参保的基本医疗保险（可能已暂停或终止参保），无法直接结算。",
    en="The platform returned no active basic medical insurance for this person (it may be "
    "suspended or ended), so it cannot be settled directly.",
)
NOT_CROSS_PROVINCE = Template(
    "settlement.not_cross_province",
    zh="该参保人属本省参保，不属于跨省直接结算范围，请按本省医保流程办理。",
    en="This person is insured in this province, outside cross-province settlement; use the "
    "province's own procedure.",
)
NO_REGISTRATION = Template(
    "settlement.no_registration",
    zh="平台提示该参保人未办理跨省异地就医备案，不能直接结算。",
    en="The platform says this person has no cross-province registration, so it cannot be "
    "settled directly.",
)
GENERAL_NOT_OPEN = Template(
    "settlement.general_not_open",
    zh="本院尚未开通跨省普通门诊直接结算。",
    en="This hospital has not opened cross-province general outpatient settlement.",
)
GENERAL = Template(
    "settlement.general",
    zh="与慢特病无关的费用，按普通门诊单独结算。",
    en="Fees unrelated to a chronic disease, settled separately as general outpatient.",
)
COVERED_AS_GENERAL = Template(
    "settlement.covered_as_general",
    zh="{province}将该病种费用纳入普通门诊保障，按普通门诊结算。",
    en="{province} covers this disease under general outpatient, so it is settled as general "
    "outpatient.",
)
NOT_PILOT = Template(
    "settlement.not_pilot",
    zh="病种 {code} 不在国家跨省直接结算的门诊慢特病范围内，不能直接结算，也不能改按普通门诊结算。",
    en="Disease {code} is not among the chronic diseases of the national cross-province scheme: "
    "it can be settled neither directly nor as general outpatient.",
)
NOT_OPENED_HERE = Template(
    "settlement.not_opened_here",
    zh="本院尚未开通{disease}的跨省直接结算。",
    en="This hospital has not opened cross-province settlement for {disease}.",
)
NOT_QUALIFIED = Template(
    "settlement.not_qualified",
    zh="平台未查到该参保人{disease}的门诊慢特病资格认定。",
    en="The platform has no chronic-disease qualification of this person for {disease}.",
)
QUALIFICATION_EXPIRED = Template(
    "settlement.qualification_expired",
    zh="该参保人{disease}的资格已于 {date} 到期。",
    en="This person's qualification for {disease} expired on {date}.",
)
QUALIFICATION_NOT_YET_VALID = Template(
    "settlement.qualification_not_yet_valid",
    zh="该参保人{disease}的资格自 {date} 起才生效。",
    en="This person's qualification for {disease} is valid only from {date}.",
)
CHRONIC_QUALIFIED = Template(
    "settlement.chronic_qualified",
    zh="{disease}费用按门诊慢特病单独结算。",
    en="{disease} fees are settled separately as an outpatient chronic disease.",
)
PLAN_EMPTY = Template(
    "settlement.plan_empty",
    zh="本次没有费用明细，无需结算。",
    en="There are no fee lines; nothing to settle.",
)
DUPLICATE_LINE = Template(
    "settlement.duplicate_line",
    zh="费用流水号 {line_no} 重复，请检查 HIS 传来的数据。",
    en="Line number {line_no} appears twice; check the data the HIS sent.",
)
MORE_LINES = Template("settlement.more_lines", zh="{lines} 等", en="{lines} and more")
UNTAGGED_LINES = Template(
    "settlement.untagged_lines",
    zh="还有 {count} 行费用未标记类别（第 {lines} 行）。请将每一行标记为“普通门诊”或对应的慢特病后再结算。",
    en="{count} lines have no category yet (lines {lines}). Tag each line as general outpatient "
    "or its chronic disease, then settle.",
)
UNTAGGED_LINE = Template(
    "settlement.untagged_line",
    zh="第 {line_no} 行未标记类别。",
    en="Line {line_no} has no category.",
)
UNKNOWN_DISEASE = Template(
    "settlement.unknown_disease",
    zh="第 {line_no} 行的病种编码 {code} 不是门诊慢特病目录中的病种编码，也不是该参保人已认定的病种。"
    "请核对病种标记（如 M03900 高血压），或标记为 general（普通门诊）后重试。",
    en="Line {line_no}: disease code {code} is neither in the chronic-disease catalogue nor a "
    "qualification of this person. Check the tag (e.g. M03900 hypertension), or tag the line "
    "general (general outpatient) and try again.",
)
