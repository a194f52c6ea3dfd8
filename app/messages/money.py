"""Amounts, prices and quantities that cannot be accepted (``app/domain/money.py``)."""

from __future__ import annotations

from app.messages import Template

# The field named in the texts below (``{what}``).
AMOUNT = Template("money.what.amount", zh="金额", en="The amount")
UNIT_PRICE = Template("money.what.unit_price", zh="单价", en="The unit price")
QUANTITY = Template("money.what.quantity", zh="数量", en="The quantity")

NOT_A_NUMBER_TYPE = Template(
    "money.type",
    zh="{what}格式不对：只能输入数字（如 12.50）。",
    en="{what} is not in the right form: only digits may be entered (e.g. 12.50).",
)
SYNTAX = Template(
    "money.syntax",
    zh="{what}“{text}”不是有效的数字，请重新输入（如 12.50）。",
    en="{what} “{text}” is not a valid number; enter it again (e.g. 12.50).",
)
NOT_FINITE = Template(
    "money.not_finite",
    zh="{what}不是有效的数字，请重新输入。",
    en="{what} is not a valid number; enter it again.",
)
OUT_OF_RANGE = Template(
    "money.range", zh="{what}超出允许范围，请核对。", en="{what} is out of range; check it."
)
TWO_PLACES = Template(
    "money.precision",
    zh="{what}最多保留两位小数（到分），请重新输入。",
    en="{what} has at most two decimal places (to the fen); enter it again.",
)
PLACES = Template(
    "money.decimal_precision",
    zh="{what}最多保留{places}位小数。",
    en="{what} has at most {places} decimal places.",
)
NOT_POSITIVE = Template(
    "money.not_positive", zh="{what}必须大于零。", en="{what} must be greater than zero."
)
COMPUTED_NOT_FINITE = Template(
    "money.computed_not_finite",
    zh="计算金额时出现无效数值。",
    en="An invalid value came up while computing an amount.",
)
NOT_ON_FEN = Template(
    "money.not_on_fen", zh="金额必须精确到分。", en="The amount must be exact to the fen."
)
STORED_TYPE = Template(
    "money.stored_type",
    zh="金额存储格式错误。",
    en="An amount is stored in the wrong form.",
)
