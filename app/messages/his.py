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
