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
