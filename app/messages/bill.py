"""A visit's fee lines and the HIS hand-off file (``domain/bill.py``, ``services/bill_import.py``)."""

from __future__ import annotations

from app.messages import Template

# domain/bill.py: one fee line
TAG_NOT_A_CODE = Template(
    "bill.tag_not_a_code",
    zh="病种标记“{tag}”不是病种编码：应为 general、留空，或门诊慢特病病种编码（如 M03900）。",
    en="The disease tag “{tag}” is not a disease code: it should be general, empty, or a "
    "chronic-disease code (e.g. M03900).",
)
LINE_NO_MISSING = Template(
    "bill.line_no_missing",
    zh="费用明细缺少流水号，请检查 HIS 传来的数据。",
    en="A fee line has no line number; check the data the HIS sent.",
)
LINE_CODE_MISSING = Template(
    "bill.line_code_missing",
    zh="第 {line_no} 行缺少院内项目编码。",
    en="Line {line_no} has no hospital item code.",
)
LINE_AMOUNT_MISMATCH = Template(
    "bill.line_amount_mismatch",
    zh="第 {line_no} 行金额 {amount} 与 单价×数量 {computed} 不符，请核对。",
    en="Line {line_no}: the amount {amount} does not match unit price × quantity {computed}; "
    "check it.",
)

# services/bill_import.py: how the HIS identified the patient
IDENTITY_CARD = Template("bill.identity_card", zh="社保卡", en="social-security card")
IDENTITY_VOUCHER = Template("bill.identity_voucher", zh="医保电子凭证", en="e-voucher")
IDENTITY_ID_NUMBER = Template("bill.identity_id_number", zh="身份证号", en="ID number")

# services/bill_import.py: where in the file
WHERE_LINE = Template("bill.where_line", zh="第 {index} 行费用明细", en="Fee line {index}")
WHERE_NAMED = Template("bill.where_named", zh="“{name}”（{label}）", en="“{name}” ({label})")
WHERE_FILE = Template("bill.where_file", zh="文件", en="The file")
DEPT = Template("bill.label_dept", zh="科室", en="department")
DOCTOR = Template("bill.label_doctor", zh="医生", en="doctor")

FIELD_MISSING = Template(
    "bill.field_missing", zh="{where}缺少“{name}”。", en="{where}: “{name}” is missing."
)
FIELD_NOT_TEXT = Template(
    "bill.field_not_text",
    zh="{where}的“{name}”应为文字（加引号）。",
    en="{where}: “{name}” should be text (in quotes).",
)
FIELD_NOT_NUMBER = Template(
    "bill.field_not_number",
    zh="{where}的“{name}”应为数字，如 12.50。",
    en="{where}: “{name}” should be a number, e.g. 12.50.",
)
IDENTITY_MISSING = Template(
    "bill.identity_missing",
    zh="缺少“identity”（患者身份）：应给出 card_string、voucher 或 id_number 之一。",
    en="“identity” (the patient) is missing: give one of card_string, voucher or id_number.",
)
IDENTITY_NOT_ONE = Template(
    "bill.identity_not_one",
    zh="“identity”中应只给出 card_string（社保卡读卡串）、voucher（电子凭证码）"
    "或 id_number（身份证号）之一。",
    en="“identity” should give exactly one of card_string (the card library's string), voucher "
    "(the e-voucher code) or id_number (the ID number).",
)
NAMED_MISSING = Template(
    "bill.named_missing",
    zh="缺少“{name}”（{label}），应为含 code 和 name 的对象。",
    en="“{name}” ({label}) is missing; it should be an object with code and name.",
)
TIME_NOT_TEXT = Template(
    "bill.time_not_text",
    zh="“{field}”应为 ISO 8601 时间文字，如 2026-11-23T09:30:00+08:00。",
    en="“{field}” should be an ISO 8601 time, e.g. 2026-11-23T09:30:00+08:00.",
)
TIME_BAD = Template(
    "bill.time_bad",
    zh="“{field}”时间格式不对：{value}。",
    en="“{field}” is not a valid time: {value}.",
)
TIME_NO_ZONE = Template(
    "bill.time_no_zone",
    zh="“{field}”须带时区，如 2026-11-23T09:30:00+08:00。",
    en="“{field}” needs a time zone, e.g. 2026-11-23T09:30:00+08:00.",
)
LINE_NOT_OBJECT = Template(
    "bill.line_not_object", zh="{where}应为一个对象。", en="{where} should be an object."
)
LINE_TAG_NOT_TEXT = Template(
    "bill.line_tag_not_text",
    zh="{where}的“tag”应为 general、病种编码或留空。",
    en="{where}: “tag” should be general, a disease code or empty.",
)
LINE_NO_QUANTITY = Template(
    "bill.line_no_quantity",
    zh="{where}缺少数量（quantity）或单价（unit_price）。",
    en="{where} has no quantity or unit_price.",
)
LINE_REFUSED = Template(
    "bill.line_refused",
    zh="{where}（流水号 {line_no}）：{reason}",
    en="{where} (line number {line_no}): {reason}",
)
FORMAT_UNKNOWN = Template(
    "bill.format_unknown",
    zh="不支持的文件格式“{declared}”，应为 {expected}。",
    en="The file format “{declared}” is not supported; it should be {expected}.",
)
LINES_MISSING = Template(
    "bill.lines_missing",
    zh="缺少费用明细“lines”，或明细为空。",
    en="The fee lines “lines” are missing or empty.",
)
TOO_MANY_LINES = Template(
    "bill.too_many_lines",
    zh="费用明细超过 {limit} 行，请分单后再导入。",
    en="More than {limit} fee lines; split the bill and import the parts.",
)
NOT_JSON = Template(
    "bill.not_json",
    zh="文件不是有效的 JSON：{error}。请检查逗号、引号和括号。",
    en="The file is not valid JSON: {error}. Check the commas, quotes and brackets.",
)
# What is wrong with a file that is not JSON (the parser's own English words are never shown).
JSON_EMPTY = Template("bill.json_empty", zh="文件是空的", en="the file is empty")
JSON_BROKEN_AT = Template(
    "bill.json_broken_at",
    zh="第 {line} 行第 {column} 列附近格式有误",
    en="the format breaks near line {line}, column {column}",
)
JSON_UNREADABLE_VALUE = Template(
    "bill.json_unreadable_value",
    zh="其中有无法读取的数字或字符",
    en="it holds a number or character that cannot be read",
)
TOO_DEEP = Template(
    "bill.too_deep",
    zh="文件中的 JSON 嵌套层数过多，不是账单格式（见 docs/bill-format.md），请检查文件。",
    en="The file's JSON is nested too deeply to be a bill (see docs/bill-format.md); check the file.",
)
NOT_OBJECT = Template(
    "bill.not_object", zh="文件内容应为一个 JSON 对象。", en="The file should hold one JSON object."
)
UNREADABLE = Template(
    "bill.unreadable",
    zh="无法读取账单文件 {path}，请检查路径和权限。",
    en="The bill file {path} cannot be read; check the path and the permissions.",
)
NOT_UTF8 = Template(
    "bill.not_utf8", zh="账单文件 {path} 不是 UTF-8 编码。", en="The bill file {path} is not UTF-8."
)
