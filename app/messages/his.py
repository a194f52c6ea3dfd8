"""Settling the HIS's charges (``services/his.py``, ``domain/his.py``, ``domain/his_codec.py``)."""

from __future__ import annotations

from app.messages import Template

NOTHING_PICKED = Template(
    "his.nothing_picked",
    zh="请先选择要结算的 HIS 就诊。",
    en="Pick the HIS visit to settle first.",
)
PAID_ITEM = Template(
    "his.paid_item", zh="{charge}（结算号 {setl_id}）", en="{charge} (settlement {setl_id})"
)
PAID_HERE = Template(
    "his.paid_here",
    zh="以下 HIS 费用已在本窗口结算，不能重复结算：{charges}。",
    en="These HIS charges were already settled at this window and cannot be settled again: "
    "{charges}.",
)
LINE_EDITED = Template(
    "his.line_edited",
    zh="HIS 费用的数量或单价不能在窗口修改（{charges}）。请在 HIS 中修改后重新调取，或删除该行后从目录添加。",
    en="The quantity or unit price of HIS charges cannot be changed at the window ({charges}). "
    "Change them in the HIS and fetch again, or delete the line and add it from the catalogue.",
)
UNVERIFIED = Template(
    "his.unverified",
    zh="HIS 暂时无法连接，无法确认这些费用仍未缴费，本次未结算、未扣费。"
    "请稍后重试；如患者急需，可按全额自费收取。",
    en="The HIS cannot be reached, so it is not certain these charges are still unpaid; nothing "
    "was settled or charged. Try again later; if the patient cannot wait, collect full self-pay.",
)
CHANGED = Template(
    "his.changed",
    zh="HIS 中的费用在调取后有变化：{problems}。本次未结算、未扣费，请重新调取 HIS 费用后再结算。",
    en="The charges changed in the HIS after they were fetched: {problems}. Nothing was settled or "
    "charged; fetch the HIS charges again and settle.",
)

# domain/his.py: how the HIS and the window name things
KEY_ID_NUMBER = Template("his.key_id_number", zh="身份证号", en="ID number")
KEY_CARD_NO = Template("his.key_card_no", zh="社保卡号", en="social-security card number")
KEY_VOUCHER = Template("his.key_voucher", zh="医保电子凭证", en="e-voucher")
KEY_OUTPATIENT_NO = Template("his.key_outpatient_no", zh="门诊号", en="outpatient number")
RESULT_SETTLED = Template("his.result_settled", zh="已结算", en="settled")
RESULT_CANCELLED = Template("his.result_cancelled", zh="已撤销", en="cancelled")
RESULT_PARTLY_REFUNDED = Template(
    "his.result_partly_refunded", zh="部分退费后重结", en="settled again after a partial refund"
)
RESULT_SELF_PAY_COLLECTED = Template(
    "his.result_self_pay_collected", zh="全额自费已收", en="full self-pay collected"
)

# domain/his.py: why a loaded charge can no longer be settled as loaded
WITHDRAWN = Template(
    "his.withdrawn", zh="“{name}”已被医生撤销", en="“{name}” was withdrawn by the doctor"
)
PAID_IN_HIS = Template(
    "his.paid_in_his", zh="“{name}”在 HIS 中已缴费", en="“{name}” was paid in the HIS"
)
PRICE_CHANGED = Template(
    "his.price_changed",
    zh="“{name}”单价已由 {before} 改为 {after}",
    en="“{name}”: unit price changed from {before} to {after}",
)
QUANTITY_CHANGED = Template(
    "his.quantity_changed",
    zh="“{name}”数量已由 {before} 改为 {after}",
    en="“{name}”: quantity changed from {before} to {after}",
)
MODIFIED = Template(
    "his.modified", zh="“{name}”已在 HIS 中修改", en="“{name}” was changed in the HIS"
)

# domain/his_codec.py: a HIS document that cannot be read
NOT_A_NUMBER = Template(
    "his.not_a_number",
    zh="“{field}”应为数字（如 12.50）",
    en="“{field}” should be a number (e.g. 12.50)",
)
NOT_AN_AMOUNT = Template(
    "his.not_an_amount",
    zh="“{field}”不是有效金额或数量：{text}",
    en="“{field}” is not a valid amount or quantity: {text}",
)
NOT_VALID_NUMBER = Template(
    "his.not_valid_number",
    zh="“{field}”不是有效数字：{text}",
    en="“{field}” is not a valid number: {text}",
)
TWO_PLACES = Template(
    "his.two_places",
    zh="“{field}”金额最多两位小数：{amount}",
    en="“{field}”: an amount has at most two decimal places: {amount}",
)
MISSING = Template("his.missing", zh="缺少“{field}”", en="“{field}” is missing")
NOT_TEXT = Template("his.not_text", zh="“{field}”应为文字", en="“{field}” should be text")
BAD_ID = Template(
    "his.bad_id",
    zh="“{field}”含有不允许的字符或过长：{value}",
    en="“{field}” has characters that are not allowed or is too long: {value}",
)
BAD_TIME = Template(
    "his.bad_time", zh="“{field}”时间格式不对：{value}", en="“{field}” is not a valid time: {value}"
)
TIME_NOT_TEXT = Template(
    "his.time_not_text", zh="“{field}”应为时间文字", en="“{field}” should be a time as text"
)
TIME_NO_ZONE = Template(
    "his.time_no_zone",
    zh="“{field}”须带时区，如 2026-11-23T09:30:00+08:00",
    en="“{field}” needs a time zone, e.g. 2026-11-23T09:30:00+08:00",
)
IN_LINE = Template("his.in_line", zh="明细 {charge_id} {reason}", en="Line {charge_id}: {reason}")
NOT_NAMED_OBJECT = Template(
    "his.not_named_object",
    zh="“{field}”应为含 code 和 name 的对象",
    en="“{field}” should be an object with code and name",
)
VISIT_NO_LINES = Template(
    "his.visit_no_lines",
    zh="就诊 {visit_no} 没有费用明细“lines”",
    en="Visit {visit_no} has no fee lines “lines”",
)
VISIT_LINES_NOT_OBJECTS = Template(
    "his.visit_lines_not_objects",
    zh="就诊 {visit_no} 的明细应为对象",
    en="The lines of visit {visit_no} should be objects",
)
UNKNOWN_STATUS = Template(
    "his.unknown_status", zh="未知的收费状态“{status}”", en="Unknown charge status “{status}”"
)
UNKNOWN_KIND = Template(
    "his.unknown_kind", zh="未知的结果类型“{kind}”", en="Unknown result kind “{kind}”"
)
PARTS_NOT_AMOUNT = Template(
    "his.parts_not_amount",
    zh="fund + account + cash + hospital 不等于 amount",
    en="fund + account + cash + hospital is not amount",
)

# services/his_outbox.py
HIS_REFUSED = Template("his.refused", zh="HIS 拒绝：{reason}", en="The HIS refused: {reason}")
