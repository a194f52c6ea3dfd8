"""Receipts and eligibility slips (``services/receipts.py``).

The printed words (slip notes, the placeholder for a name that was not kept) are rendered in Chinese
when the receipt's data is built: a receipt is a Chinese document whatever the window's language.
"""

from __future__ import annotations

from app.messages import Template

VOIDED_COPY = Template(
    "receipts.voided_copy",
    zh="票据 {receipt_no} 已作废（已重打为 {voided_by}），请补打新票据号。",
    en="Receipt {receipt_no} was voided (reissued as {voided_by}); copy the new number instead.",
)
VOIDED_REISSUE = Template(
    "receipts.voided_reissue",
    zh="票据 {receipt_no} 已于之前重打为 {voided_by}，不能再次作废。",
    en="Receipt {receipt_no} was already reissued as {voided_by}; it cannot be voided again.",
)
BILL_NOT_SETTLED = Template(
    "receipts.bill_not_settled",
    zh="这张账单还没有结算记录，不能打印票据。",
    en="This bill has no settlement yet, so no receipt can be printed.",
)
NOT_ISSUED = Template(
    "receipts.not_issued",
    zh="结算 {settlement_id} 还没有打印过票据，请先打印票据（F10 仅预览已开具的票据）。",
    en="Settlement {settlement_id} has no receipt yet; print one first (F10 only previews issued "
    "receipts).",
)
BILL_MISSING = Template(
    "receipts.bill_missing",
    zh="找不到结算 {settlement_id} 的账单。",
    en="The bill of settlement {settlement_id} was not found.",
)
SETTLEMENT_MISSING = Template(
    "receipts.settlement_missing",
    zh="找不到结算记录 {settlement_id}，不能打印票据。请在历史记录中核对。",
    en="Settlement {settlement_id} was not found, so no receipt can be printed. Check the history.",
)
RECEIPT_UNKNOWN = Template(
    "receipts.unknown",
    zh="找不到票据号 {receipt_no}，请核对后重试。",
    en="Receipt number {receipt_no} was not found; check it and try again.",
)

# printed on the eligibility slip
SLIP_NOT_PILOT = Template(
    "receipts.slip_not_pilot",
    zh="非国家跨省直接结算病种，费用全额自费，回参保地报销",
    en="Not a disease of the national cross-province scheme: paid in full, claimed at home",
)
SLIP_EXPIRED = Template(
    "receipts.slip_expired",
    zh="资格已过期，请患者到参保地续办",
    en="Qualification expired; the patient renews it at home",
)
SLIP_NOT_YET_VALID = Template(
    "receipts.slip_not_yet_valid", zh="资格尚未生效", en="Qualification not yet valid"
)
SLIP_NOT_OPENED = Template(
    "receipts.slip_not_opened",
    zh="本院未开通该病种的跨省直接结算",
    en="This hospital has not opened cross-province settlement for this disease",
)
SLIP_LOCAL = Template(
    "receipts.slip_local",
    zh="本地参保，不属于跨省就医",
    en="Insured locally: not a cross-province visit",
)
SLIP_CACHED = Template(
    "receipts.slip_cached",
    zh="平台暂不可用，以下为 {time} 的缓存信息，仅供参考",
    en="The platform is unavailable; below is the cached information of {time}, for reference only",
)
SLIP_REGISTRATION = Template(
    "receipts.slip_registration",
    zh="跨省备案情况以挂号时医保平台答复为准",
    en="The cross-province registration is as the platform answered at registration",
)
NO_INSURANCE = Template("receipts.no_insurance", zh="无有效参保", en="No valid insurance")
NAME_NOT_KEPT = Template("receipts.name_not_kept", zh="（姓名未留存）", en="(name not kept)")
INSURANCE_CODE = Template("receipts.insurance_code", zh="险种{code}", en="Insurance {code}")

# domain/receipt.py: the printed receipt
TITLE = Template("receipts.title", zh="门诊收费票据{suffix}", en="Outpatient receipt{suffix}")
SUFFIX_COPY = Template("receipts.suffix_copy", zh="（补打）", en=" (copy)")
SUFFIX_REISSUE = Template("receipts.suffix_reissue", zh="（重打）", en=" (reissue)")
SUFFIX_CANCELLATION = Template("receipts.suffix_cancellation", zh="（冲销）", en=" (cancellation)")
SUFFIX_REFUND = Template("receipts.suffix_refund", zh="（退费）", en=" (refund)")
DISEASE = Template("receipts.disease", zh="病种", en="disease")
HEADING_CHRONIC = Template(
    "receipts.heading_chronic", zh="{label}：{name}（{code}）", en="{label}: {name} ({code})"
)
HEADING = Template("receipts.heading", zh="费用类别：{label}", en="Fee category: {label}")
HEADING_FIRST_LINE = Template("receipts.heading_first_line", zh="{label}：", en="{label}:")
HEADING_DISEASE_LINE = Template(
    "receipts.heading_disease_line", zh="{name}（{code}）", en="{name} ({code})"
)
INSURED_PLACE = Template("receipts.insured_place", zh="参保地", en="the insured place")
NOT_SETTLED_HERE = Template(
    "receipts.not_settled_here",
    zh="未能在本院跨省直接结算",
    en="it could not be settled directly across provinces at this hospital",
)
SELF_PAY_NOTICE = Template(
    "receipts.self_pay_notice",
    zh="本笔费用未经医保直接结算，由患者全额自费支付。原因：{reason}。"
    "患者可凭本收据及费用明细回{place}医保经办机构按规定申请报销（手工报销）。",
    en="These fees were not settled by the insurance directly; the patient paid them in full. "
    "Reason: {reason}. The patient may claim them back at {place}'s insurance office with this "
    "receipt and the fee list (manual reimbursement).",
)
NOTE_COPY = Template(
    "receipts.note_copy",
    zh="补打件（第 {count} 次），补打时间 {time}；票据号不变，与原件同一笔结算。",
    en="Copy (no. {count}), made {time}; same receipt number and settlement as the original.",
)
NOTE_REISSUE = Template(
    "receipts.note_reissue",
    zh="重打：原票据号 {replaces} 已作废，以本票据号为准。",
    en="Reissue: the old receipt number {replaces} is void; this number stands.",
)
NOTE_CANCELLATION = Template(
    "receipts.note_cancellation",
    zh="冲销：撤销结算 {settlement_id}，金额为负表示退回。",
    en="Cancellation of settlement {settlement_id}; negative amounts are refunds.",
)
NOTE_REFUND = Template(
    "receipts.note_refund",
    zh="部分退费：撤销结算 {settlement_id} 后按剩余项目重新结算。",
    en="Partial refund: settlement {settlement_id} was cancelled and the remaining lines settled "
    "again.",
)
