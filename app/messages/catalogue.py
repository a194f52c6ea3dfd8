"""The hospital's item catalogue: import and sync (``services/catalogue.py``)."""

from __future__ import annotations

from app.messages import Template

WHERE_ROW = Template("catalogue.where_row", zh="第 {n} 条目录", en="Catalogue row {n}")
SELF_PAY_RATIO = Template("catalogue.self_pay_ratio", zh="自付比例", en="self-pay ratio")
PRICE_CEILING = Template("catalogue.price_ceiling", zh="限价", en="price ceiling")
NOT_A_NUMBER = Template(
    "catalogue.not_a_number",
    zh="{where}的{what}“{value}”不是数字。",
    en="{where}: the {what} “{value}” is not a number.",
)
CODES_MISSING = Template(
    "catalogue.codes_missing",
    zh="{where}缺少院内编码、国家编码或名称。",
    en="{where} has no hospital code, national code or name.",
)
PRICE_MISSING = Template(
    "catalogue.price_missing", zh="{where}缺少单价。", en="{where} has no unit price."
)
ROW_REFUSED = Template("catalogue.row_refused", zh="{where}：{reason}", en="{where}: {reason}")
BAD_LEVEL = Template(
    "catalogue.bad_level",
    zh="{where}的收费项目等级“{level}”应为 01/02/03。",
    en="{where}: the item class “{level}” should be 01/02/03.",
)
NOT_JSON = Template(
    "catalogue.not_json",
    zh="目录文件不是有效的 JSON：{error}。",
    en="The catalogue file is not valid JSON: {error}.",
)
TOO_DEEP = Template(
    "catalogue.too_deep",
    zh="目录文件中的 JSON 嵌套层数过多，不是目录格式（见 docs/bill-format.md）。",
    en="The catalogue file's JSON is nested too deeply to be a catalogue (see "
    "docs/bill-format.md).",
)
NOT_A_LIST = Template(
    "catalogue.not_a_list",
    zh="JSON 目录文件应为对象列表，或含 items 列表的对象。",
    en="A JSON catalogue file should be a list of objects, or an object with an items list.",
)
UNREADABLE = Template(
    "catalogue.unreadable",
    zh="无法读取目录文件 {path}（须为 UTF-8 编码）。",
    en="The catalogue file {path} cannot be read (it must be UTF-8).",
)
SYNC_NOT_ALLOWED = Template(
    "catalogue.sync_not_allowed",
    zh="只有收费主管或系统管理员可以同步目录。",
    en="Only a supervisor or an administrator may sync the catalogue.",
)
STEP_READ = Template("catalogue.step_read", zh="读取目录文件", en="Reading the catalogue file")
STEP_WRITE = Template("catalogue.step_write", zh="写入本地目录", en="Writing the local catalogue")
STEP_SAVE = Template("catalogue.step_save", zh="保存", en="Saving")
STEP_DOWNLOAD = Template(
    "catalogue.step_download", zh="下载目录（{infno}）", en="Downloading the catalogue ({infno})"
)
STEP_UPDATE = Template(
    "catalogue.step_update", zh="更新本地目录", en="Updating the local catalogue"
)
