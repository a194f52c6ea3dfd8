"""Full self-pay while the platform cannot be reached (``services/offline.py``)."""

from __future__ import annotations

from app.messages import Template

REASON = Template(
    "offline.reason",
    zh="医保平台无法连接，患者选择全额自费",
    en="The platform cannot be reached; the patient chose to pay in full",
)
PLATFORM_REACHABLE = Template(
    "offline.platform_reachable",
    zh="医保平台可以连接，请按正常流程结算（不能报销的项目会自动列为全额自费）。",
    en="The platform can be reached; settle the usual way (lines that cannot be reimbursed are "
    "put under full self-pay automatically).",
)
EMPTY_BILL = Template(
    "offline.empty_bill",
    zh="账单没有费用明细，无法收费。",
    en="The bill has no fee lines; nothing to collect.",
)
LINE_NOT_IN_CATALOGUE = Template(
    "offline.line_not_in_catalogue",
    zh="第 {line_no} 行的院内编码 {code} 不在本地目录中，且没有项目名称，"
    "不能打印收据。请在 HIS 中补全项目名称后重新导入。",
    en="Line {line_no}: the hospital code {code} is not in the local catalogue and the line has "
    "no name, so no receipt can be printed. Complete the name in the HIS and import again.",
)
